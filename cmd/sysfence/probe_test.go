package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/probe"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// buildProbe builds sysfence into a directory, and beside it the helper,
// sysfence for the 32-bit GOARCH, where the probe finds it by default.
func buildProbe(t *testing.T) string {
	t.Helper()
	_, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs go in PATH to build sysfence and its helper")
	dir := t.TempDir()
	bin := filepath.Join(dir, "sysfence")
	builds := [][]string{{runtime.GOARCH, bin}}
	if arch := probe.HelperGOARCH(); arch != "" {
		builds = append(builds, []string{arch, bin + "-" + arch})
	}
	for _, b := range builds {
		cmd := exec.Command("go", "build", "-o", b[1], ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOARCH="+b[0])
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build for %s: %v\n%s", b[0], err, out)
		}
	}
	return bin
}

// noArchCheck is the filter written by hand without a look at
// seccomp_data.arch: the native ptrace fails with EPERM, every other
// number is allowed. On another ABI ptrace has another number, and the
// number the filter denies is another call.
func noArchCheck(t *testing.T) string {
	abi, err := nativeABI()
	if err != nil {
		t.Fatal(err)
	}
	ptrace, _ := abi.Number("ptrace")
	var a filter.Assembler
	deny := a.NewLabel()
	a.LoadAbs(filter.OffsetNr)
	a.JumpIf(filter.JumpEq, ptrace, deny, filter.Next)
	a.Ret(filter.Allow)
	a.Bind(deny)
	a.Ret(filter.Errno(uint16(syscall.EPERM)))
	prog, err := a.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	if err := filter.Verify(prog); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "no-arch-check.bpf")
	if err := os.WriteFile(path, filter.Encode(prog, binary.NativeEndian), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// probeUnder runs sysfence probe behind prefix (a launcher that installs a
// filter, then executes it), in JSON and in text, and returns both.
func probeUnder(t *testing.T, bin string, extra []*os.File, prefix ...string) (*probe.Report, string) {
	t.Helper()
	var rep probe.Report
	var text string
	for _, format := range []string{"json", "text"} {
		args := append(prefix[:len(prefix):len(prefix)], bin, "probe", "--format", format)
		cmd := exec.Command(args[0], args[1:]...)
		for _, f := range extra { // read from the start each time
			if _, err := f.Seek(0, 0); err != nil {
				t.Fatal(err)
			}
		}
		cmd.ExtraFiles = extra
		c := testenv.Run(t, cmd, "probe")
		if !c.State.Success() {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), c.State, c.Stderr)
		}
		if format == "json" {
			c.Decode(t, &rep)
		} else {
			text = string(c.Stdout)
		}
	}
	return &rep, text
}

// The point on probe: under no filter, the built-in sandbox (via
// sysfence run) and a filter without an arch check (via bwrap --seccomp)
// the reports differ as they should. The calls through the 32-bit routes
// reach the kernel only under the filter without an arch check, where
// the kernel offers them; where it does not, every report says so.
func TestProbeTellsFiltersApart(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	_, err := exec.LookPath("bwrap")
	testenv.Require(t, err == nil, "needs bubblewrap (bwrap) in PATH")
	bin := buildProbe(t)
	bpf := noArchCheck(t)

	f, err := os.Open(bpf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bwrap := []string{"bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--seccomp", "3", "--"}
	// The three probes share nothing (f is the third's alone): they run
	// at once, and the group returns when all have.
	var none, sandbox, noCheck *probe.Report
	var noneText, sandboxText, noCheckText string
	t.Run("probes", func(t *testing.T) {
		t.Run("no filter", func(t *testing.T) {
			t.Parallel()
			none, noneText = probeUnder(t, bin, nil)
		})
		t.Run("sandbox", func(t *testing.T) {
			t.Parallel()
			sandbox, sandboxText = probeUnder(t, bin, nil, bin, "run", "--")
		})
		t.Run("no arch check", func(t *testing.T) {
			t.Parallel()
			noCheck, noCheckText = probeUnder(t, bin, []*os.File{f}, bwrap...)
		})
	})
	if t.Failed() {
		return
	}
	t.Logf("no filter:\n%s", noneText)
	t.Logf("sysfence run (the built-in sandbox):\n%s", sandboxText)
	t.Logf("bwrap --seccomp, no arch check:\n%s", noCheckText)

	for _, tc := range []struct {
		name string
		rep  *probe.Report
		mode int
	}{{"no filter", none, 0}, {"sandbox", sandbox, 2}, {"no arch check", noCheck, 2}} {
		if tc.rep.Seccomp.Mode != tc.mode || tc.rep.Seccomp.Source != "/proc/self/status" || tc.rep.Seccomp.NoNewPrivs != (tc.mode == 2) {
			t.Errorf("%s: seccomp state %+v, want mode %d", tc.name, tc.rep.Seccomp, tc.mode)
		}
		if len(tc.rep.Routes) != len(probe.Routes()) {
			t.Fatalf("%s: %d routes, want %d", tc.name, len(tc.rep.Routes), len(probe.Routes()))
		}
	}

	// The native route: the sandbox and the hand-written filter refuse
	// ptrace; only the sandbox refuses mount.
	nativeName := probe.Routes()[0].Name
	want := map[string][3]string{
		"getpid": {"reached", "reached", "reached"},
		"ptrace": {"reached", "refused EPERM", "refused EPERM"},
		"mount":  {"reached", "refused EPERM", "reached"},
		"bpf":    {"reached", "refused EPERM", "reached"},
		"setns":  {"reached", "reached", "reached"},
	}
	for call, w := range want {
		for i, rep := range []*probe.Report{none, sandbox, noCheck} {
			if got := verdict(rep, nativeName, call); got != w[i] {
				t.Errorf("%s %s under %s: %s, want %s", nativeName, call, []string{"no filter", "sandbox", "no arch check"}[i], got, w[i])
			}
		}
	}
	nativeABI, _ := tables.Lookup(none.Route(nativeName).ABI)
	for _, res := range none.Route(nativeName).Calls {
		if _, ok := nativeABI.Number(res.Call); !ok && res.Verdict == probe.Absent {
			continue // a multiplexer this ABI has not
		}
		if res.Verdict != probe.Reached {
			t.Errorf("no filter: %s %s: %s %s%s, want reached", nativeName, res.Call, res.Verdict, res.Errno, res.Signal)
		}
	}

	// The other routes, as the kernel offers them.
	for _, r := range probe.Routes()[1:] {
		base := none.Route(r.Name)
		switch base.Available {
		case probe.Yes:
			t.Logf("%s: offered by this kernel (%s)", r.Name, base.Detail)
			for _, res := range base.Calls {
				if res.Verdict != probe.Reached {
					t.Errorf("no filter: %s %s: %s, want reached", r.Name, res.Call, res.Verdict)
				}
			}
			// The sandbox's arch check kills every call of a foreign ABI.
			for _, res := range sandbox.Route(r.Name).Calls {
				if res.Verdict != probe.Killed || res.Signal != "SIGSYS" {
					t.Errorf("sandbox: %s %s: %s %s%s, want killed by SIGSYS", r.Name, res.Call, res.Verdict, res.Errno, res.Signal)
				}
			}
			// Without an arch check every call goes through, ptrace too.
			nc := noCheck.Route(r.Name)
			if nc.Available != probe.Yes {
				t.Errorf("no arch check: %s %s: %s", r.Name, nc.Available, nc.Detail)
			}
			for _, res := range nc.Calls {
				if res.Verdict != probe.Reached {
					t.Errorf("no arch check: %s %s: %s %s%s, want reached", r.Name, res.Call, res.Verdict, res.Errno, res.Signal)
				}
			}
		case probe.No:
			t.Logf("%s: not offered by this kernel (%s)", r.Name, base.Detail)
			// The report says so, and a filter that lets the calls
			// through does not change that. (The sandbox kills x32
			// numbers before the kernel's check that x32 is on, so
			// there it cannot be told.)
			if got := noCheck.Route(r.Name); got.Available != probe.No || len(got.Calls) != 0 {
				t.Errorf("no arch check: %s: %s (%s), want no, as without a filter", r.Name, got.Available, got.Detail)
			}
			for name, text := range map[string]string{"no filter": noneText, "no arch check": noCheckText} {
				if !hasRouteLine(text, r.Name, "no") {
					t.Errorf("%s: the text report has no line saying %s is not offered", name, r.Name)
				}
			}
		case probe.NotRun:
			t.Errorf("%s not run: %s", r.Name, base.Detail)
		default:
			t.Errorf("no filter: %s is %s: %s", r.Name, base.Available, base.Detail)
		}
	}
	if noneText == sandboxText || sandboxText == noCheckText || noneText == noCheckText {
		t.Error("two text reports are the same")
	}
}

// verdict returns the cell of a call on a route, as the text report shows it.
func verdict(rep *probe.Report, route, call string) string {
	rr := rep.Route(route)
	if rr == nil {
		return "no route " + route
	}
	res := rr.Result(call)
	if res == nil {
		return "no result"
	}
	s := string(res.Verdict)
	if res.Errno != "" {
		s += " " + res.Errno
	}
	return s
}

// hasRouteLine reports whether the text report has a route line with the
// given availability.
func hasRouteLine(text, route, available string) bool {
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == route && f[1] == available {
			return true
		}
	}
	return false
}

func TestProbeUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"probe", "--format", "yaml"}, {"probe", "extra"}} {
		if code, _, stderr := sysfence(args...); code != exitUsage {
			t.Errorf("%q: exit %d (%s), want %d", args, code, stderr, exitUsage)
		}
	}
}

// TestProbeMultiplexedDenied (issue 15.6): under a policy that covers
// x86_64 and x86 and denies socket, installed as bwrap --seccomp installs
// it, socket through socketcall is refused on the i386 routes, int 0x80
// from the 64-bit probe and the i386 helper, as socket itself is; semop
// through ipc, which the policy does not name, reaches the kernel.
func TestProbeMultiplexedDenied(t *testing.T) {
	requireLinux(t)
	if probe.HelperGOARCH() != "386" {
		t.Skip("the i386 routes are x86_64's")
	}
	_, err := exec.LookPath("bwrap")
	testenv.Require(t, err == nil, "needs bubblewrap (bwrap) in PATH")
	bin := buildProbe(t)
	p := &seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.X86_64, tables.I386},
		Rules: seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), "socket")}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	prog.WriteTo(&b)
	path := filepath.Join(t.TempDir(), "deny-socket.bpf")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bwrap := []string{"bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--seccomp", "3", "--"}
	rep, text := probeUnder(t, bin, []*os.File{f}, bwrap...)
	t.Logf("bwrap --seccomp, socket denied on x86_64 and x86:\n%s", text)
	for _, route := range []string{"i386-int80", "i386-process"} {
		if rep.Route(route).Available != probe.Yes {
			testenv.Require(t, false, route+" is not offered by this kernel")
		}
		if got := verdict(rep, route, "socketcall"); got != "refused EPERM" {
			t.Errorf("%s socketcall(SYS_SOCKET, NULL): %s, want refused EPERM", route, got)
		}
		if got := verdict(rep, route, "ipc"); got != "reached" {
			t.Errorf("%s ipc(SEMOP, …): %s, want reached", route, got)
		}
	}
}
