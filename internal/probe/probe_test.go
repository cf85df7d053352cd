//go:build linux

package probe

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/internal/golden"
	"github.com/sysfence/seccomp/tables"
)

// serveEnv makes the test binary serve requests, as the probe's children.
const serveEnv = "PROBE_TEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		if err := Serve(os.Stdin, os.Stdout, func(f func()) { f() }); err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Every call of the battery exists on every ABI a route takes, on every
// architecture, but the multiplexers, which exist where the table has
// them; the kernel's errno has a name there.
func TestBatteryOnEveryRouteABI(t *testing.T) {
	for _, abi := range []*tables.ABI{tables.X86_64, tables.I386, tables.X32, tables.AArch64, tables.ARM, tables.RISCV64, tables.S390X, tables.PPC64LE} {
		for _, c := range Battery {
			if _, ok := abi.Number(c.Name); !ok && c.Performs == "" {
				t.Errorf("%s: no %s", abi.Name, c.Name)
			}
			if _, ok := abi.Errno(c.Kernel); c.Kernel != "" && !ok {
				t.Errorf("%s: %s: no errno %s", abi.Name, c.Name, c.Kernel)
			}
		}
	}
}

func testConfig(t *testing.T) Config {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		Self: exe,
		Server: func(path string) *exec.Cmd {
			cmd := exec.Command(path, "-test.run=^$")
			cmd.Env = append(os.Environ(), serveEnv+"=1")
			return cmd
		},
		NoHelper: "no helper in this test",
	}
}

// Without a filter, every call on the native route comes back with the
// kernel's own answer: the battery's arguments are right for this kernel.
func TestRunUnfiltered(t *testing.T) {
	rep, err := Run(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Seccomp.Mode != 0 {
		t.Skipf("the test runs under seccomp mode %d", rep.Seccomp.Mode)
	}
	native := rep.Routes[0]
	if native.Available != Yes || len(native.Calls) != len(Battery) {
		t.Fatalf("native route: %+v", native)
	}
	for _, rr := range rep.Routes {
		t.Logf("%s: %s: %s", rr.Name, rr.Available, rr.Detail)
		if rr.Available != Yes {
			continue
		}
		abi, _ := tables.Lookup(rr.ABI)
		for _, res := range rr.Calls {
			want := Reached
			if _, ok := abi.Number(res.Call); !ok {
				want = Absent // a multiplexer the ABI has not
			}
			if res.Verdict != want {
				t.Errorf("%s: %s: %s %s%s, want %s", rr.Name, res.Call, res.Verdict, res.Errno, res.Signal, want)
			}
		}
	}
}

// A helper that is not a 32-bit program of the route's ABI is not run.
func TestRunChecksHelper(t *testing.T) {
	if HelperGOARCH() == "" {
		t.Skip("no helper route on this architecture")
	}
	cfg := testConfig(t)
	cfg.Helper = cfg.Self // a native program
	rep, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rr := rep.Routes[len(rep.Routes)-1]
	if rr.Available != NotRun || !strings.Contains(rr.Detail, "not a 32-bit") {
		t.Errorf("%s: %s: %s", rr.Name, rr.Available, rr.Detail)
	}
}

// TestBatteryMultiplexed (issue 15.6): the battery makes socket and
// semop through socketcall and ipc on every ABI whose table has the
// multiplexers, i386 (int 0x80 and the helper) among them, and so on
// the s390x and ppc64 guests natively.
func TestBatteryMultiplexed(t *testing.T) {
	for _, abi := range []*tables.ABI{tables.I386, tables.S390X, tables.PPC64, tables.PPC64LE, tables.MIPS} {
		var via []string
		for _, c := range Battery {
			if _, ok := abi.Number(c.Name); ok && c.Performs != "" {
				via = append(via, c.Name+":"+c.Performs)
			}
		}
		if got := strings.Join(via, " "); got != "socketcall:socket ipc:semop" {
			t.Errorf("%s: the battery multiplexes %q, want socket and semop", abi.Name, got)
		}
	}
}

func TestGoCrash(t *testing.T) {
	for _, tc := range []struct {
		stderr string
		want   syscall.Signal
	}{
		{"SIGSYS: bad system call\nPC=0x4a1b2c m=0 sigcode=1\n", syscall.SIGSYS},
		{"panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x80 addr=0x0 pc=0x49e2a5]\n", syscall.SIGSEGV},
		{"probe: exit\n", 0},
	} {
		if got := goCrash(tc.stderr); got != tc.want {
			t.Errorf("goCrash(%q) = %v, want %v", tc.stderr, got, tc.want)
		}
	}
}

// The text report of a fixed probe, one route of each availability.
func TestWriteText(t *testing.T) {
	rep := &Report{
		Kernel: "6.1.0-42-amd64 x86_64", GOARCH: "amd64",
		Seccomp: Seccomp{Mode: 2, Filters: 1, NoNewPrivs: true, Source: "/proc/self/status"},
		Battery: batteryReport()[:3], Method: Method,
		Routes: []RouteReport{
			{Name: "x86_64", ABI: "x86_64", How: "native system calls", Available: Yes, Detail: "getpid answered", Calls: []Result{
				{Call: "getpid", Verdict: Reached},
				{Call: "ptrace", Verdict: Refused, Errno: "EPERM"},
				{Call: "process_vm_readv", Verdict: Reached},
			}},
			{Name: "i386-int80", ABI: "x86", How: "int 0x80", Available: No, Detail: "int 0x80 raised SIGSEGV"},
			{Name: "x32", ABI: "x32", How: "x32 numbers", Available: Unknown, Detail: "killed", Calls: []Result{
				{Call: "getpid", Verdict: Killed, Signal: "SIGSYS"},
				{Call: "ptrace", Verdict: Trapped, Signal: "SIGSYS"},
				{Call: "process_vm_readv", Verdict: Hung},
			}},
			{Name: "i386-process", ABI: "x86", How: "an i386 process", Available: NotRun, Detail: "no helper"},
		},
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "report.golden"), []byte(b.String()))
}
