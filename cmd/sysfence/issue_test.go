package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// The tests here are named for the points of the hardening and
// restructuring issues they check.

func requireLinux(t *testing.T) {
	t.Helper()
	_, err := nativeABI()
	testenv.Require(t, runtime.GOOS == "linux" && err == nil, "needs Linux on an architecture with a native ABI")
}

// compileFile compiles a policy with the command line into a file.
func compileFile(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "f.bpf")
	if code, _, stderr := sysfence(append([]string{"compile", "-o", out}, args...)...); code != 0 {
		t.Fatalf("compile %q: exit %d: %s", args, code, stderr)
	}
	return out
}

// writePolicy compiles p and writes the program to a file.
func writePolicy(t *testing.T, p *seccomp.Policy) string {
	t.Helper()
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "p.bpf")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prog.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}

// Point 7: a policy under which sysfence cannot reach exec is refused
// before anything is installed. Each command line runs in a child: were
// it not refused, it would install a filter.
func TestRunRefusesPolicyItCannotStartUnder(t *testing.T) {
	requireLinux(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--deny", "ptrace", "--default", "errno:EPERM"}, "execve, futex"},
		{[]string{"--deny", "futex"}, "futex would get errno:EPERM"},
		{[]string{"--deny", "ptrace", "--default", "trap"}, "would get trap"},
		{[]string{"--allow", "read,write"}, "execve"},
		{[]string{"--allow", "read", "--deny", "write"}, "not both"},
		{[]string{"--deny", "write", "--errno", "EPERM", "--default", "kill-thread"}, "kill-thread"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c := child(t, nil, append(append([]string{"run"}, tt.args...), "--", "true")...)
			if sig := c.Signaled(); sig != 0 {
				t.Fatalf("sysfence died of %v; stderr %q", sig, c.Stderr)
			}
			stderr := string(c.Stderr)
			if c.State.ExitCode() != exitUsage || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want %d and one line naming %q", c.State.ExitCode(), stderr, exitUsage, tt.want)
			}
		})
	}
	// What it can start under, it starts under.
	c := child(t, nil, "run", "--deny", "write,ptrace", "--", "true")
	if !c.State.Success() {
		t.Errorf("run --deny write,ptrace -- true: %v, stderr %q", c.State, c.Stderr)
	}
}

// Point 7: the calls canStart checks are the ones sysfence makes between
// install and exec, as strace sees them. It traces the command as go build
// makes it with the default settings, not this test binary, whose tests
// link packages (net) that the command does not.
func TestRunStartCallsAreListed(t *testing.T) {
	requireLinux(t)
	strace, err := exec.LookPath("strace")
	testenv.Require(t, err == nil, "needs strace")
	gobin, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs the go command in PATH")
	bin := filepath.Join(t.TempDir(), "sysfence")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// An executable file that is no program: exec fails, and sysfence
	// reports it.
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("\x00\x01"), 0o755); err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for i := range 6 {
		target := "true"
		if i%2 == 1 {
			target = bad
		}
		log := filepath.Join(t.TempDir(), "strace.log")
		cmd := exec.Command(strace, "-f", "-qq", "-o", log, bin, "run", "--deny", "ptrace", "--", target)
		out, err := cmd.CombinedOutput()
		var exitErr *exec.ExitError
		if err != nil && (!errors.As(err, &exitErr) || exitErr.ProcessState.Sys().(syscall.WaitStatus).Signaled()) {
			t.Fatalf("run under strace: %v, output %q", err, out)
		}
		for _, name := range callsAfterInstall(t, log) {
			seen[name] = true
		}
	}
	testenv.Require(t, len(seen) > 0, "strace saw no seccomp(2) call (is ptrace allowed here?)")
	for name := range seen {
		if !slices.ContainsFunc(startCalls, func(c startCall) bool { return c.name == name }) {
			t.Errorf("sysfence calls %s between install and exec; startCalls does not list it", name)
		}
	}
}

// callsAfterInstall returns the system calls in an strace -f log from the
// seccomp(2) call that installs the filter to the end of the execve that
// follows it.
var straceLine = regexp.MustCompile(`^(\d+)\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]`)

func callsAfterInstall(t *testing.T, log string) []string {
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	installer := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		m := straceLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pid, name := m[1], m[2]
		if installer == "" {
			if name == "seccomp" && strings.Contains(line, "SECCOMP_SET_MODE_FILTER") {
				installer = pid
			}
			continue
		}
		if name == "seccomp" {
			continue
		}
		if pid == installer && name == "execve" && strings.Contains(line, "= 0") {
			break
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// zeros is an endless reader of zeros.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// Point 8: an endless file or 100 MB of stdin end, within a second and
// in little memory, with a one-line error.
func TestReadsAreBounded(t *testing.T) {
	requireLinux(t)
	for _, tt := range []struct {
		name  string
		stdin io.Reader
		args  []string
	}{
		{"disasm /dev/zero", nil, []string{"disasm", "/dev/zero"}},
		{"stats of 100 MB stdin", io.LimitReader(zeros{}, 100<<20), []string{"stats", "-"}},
		{"simulate of 100 MB stdin", io.LimitReader(zeros{}, 100<<20), []string{"simulate", "-", "read"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			c := child(t, tt.stdin, tt.args...)
			took := time.Since(start)
			stderr := string(c.Stderr)
			if c.State.ExitCode() != exitInput || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "longer than 32768 bytes") {
				t.Errorf("%v, stderr %q; want exit %d and one line", c.State, stderr, exitInput)
			}
			if took > time.Second {
				t.Errorf("took %v", took)
			}
			if ru, ok := c.State.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > 64<<10 {
				t.Errorf("peak memory %d KiB", ru.Maxrss)
			}
		})
	}
}

// Point 9: every command that reads a program finds its ABI and byte
// order in the program, and says so when --arch contradicts it.
func TestArchDetectedInEveryCommand(t *testing.T) {
	for _, abi := range []*tables.ABI{tables.AArch64, tables.S390X, tables.MIPS, tables.RISCV64} {
		t.Run(abi.Name, func(t *testing.T) {
			file := compileFile(t, "--deny", "ptrace", "--arch", abi.Name)
			if code, out, stderr := sysfence("stats", file); code != 0 || !strings.HasPrefix(out, "abi:           "+abi.Name+"\n") {
				t.Errorf("stats: exit %d, stderr %q, stdout\n%s", code, stderr, out)
			}
			if code, out, stderr := sysfence("simulate", file, "ptrace"); code != 0 || !strings.Contains(out, "arch:   "+abi.Name) || !strings.Contains(out, "action: errno:EPERM\n") {
				t.Errorf("simulate: exit %d, stderr %q, stdout\n%s", code, stderr, out)
			}
			if code, out, stderr := sysfence("disasm", file); code != 0 || !strings.Contains(out, "; "+abi.Name) {
				t.Errorf("disasm: exit %d, stderr %q, stdout\n%s", code, stderr, out)
			}
			for _, cmd := range [][]string{{"stats", file}, {"disasm", file}, {"simulate", file, "read"}} {
				code, _, stderr := sysfence(append(cmd, "--arch", "x86_64")...)
				if code != exitInput || !strings.Contains(stderr, "the program is for "+abi.Name) || !strings.Contains(stderr, "not x86_64") {
					t.Errorf("%s --arch x86_64: exit %d, stderr %q; want %d, saying it is for %s", cmd[0], code, stderr, exitInput, abi.Name)
				}
			}
		})
	}
}

// Point 10: an x32 call's number has bit 0x40000000 set; a number without
// it is refused, a name gets it from the table.
func TestSimulateX32NumbersNeedTheBit(t *testing.T) {
	file := compileFile(t, "--deny", "ptrace", "--arch", "x86_64")
	code, _, stderr := sysfence("simulate", "--call-arch", "x32", file, "39")
	if code != exitInput || !strings.Contains(stderr, "bit 0x40000000") {
		t.Errorf("--call-arch x32 39: exit %d, stderr %q; want a refusal naming the bit", code, stderr)
	}
	code, out, stderr := sysfence("simulate", "--call-arch", "x32", file, "getpid")
	if code != 0 || !strings.Contains(out, "nr:     1073741863 (getpid)") || !strings.Contains(out, "action: kill-process") {
		t.Errorf("--call-arch x32 getpid: exit %d, stderr %q, stdout\n%s", code, stderr, out)
	}
	code, out, _ = sysfence("simulate", "--call-arch", "x32", file, "0x40000027")
	if code != 0 || !strings.Contains(out, "(getpid)") {
		t.Errorf("--call-arch x32 0x40000027: exit %d, stdout\n%s", code, out)
	}
}

// Point 4: negative arguments are sign-extended to the calling ABI's word.
func TestNegativeArguments(t *testing.T) {
	rule := func(v uint64) []seccomp.Rule {
		return []seccomp.Rule{{Syscall: "lseek", Action: seccomp.ErrnoNamed("EPERM"), Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: v}}}}
	}
	x86 := writePolicy(t, &seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.X86_64}, Rules: rule(0xffffffffffffff9c)})
	i386 := writePolicy(t, &seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.I386}, Rules: rule(0xffffff9c)})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{x86, "lseek", "3", "-100"}, "errno:EPERM"},
		{[]string{x86, "lseek", "3", "0xffffff9c"}, "allow"},
		{[]string{x86, "lseek", "3", "0xffffffffffffff9c"}, "errno:EPERM"},
		{[]string{i386, "lseek", "3", "-100"}, "errno:EPERM"},
		{[]string{i386, "lseek", "3", "0xffffff9c"}, "errno:EPERM"},
	}
	for _, tt := range tests {
		code, out, stderr := sysfence(append([]string{"simulate"}, tt.args...)...)
		if code != 0 || !strings.Contains(out, "action: "+tt.want+"\n") {
			t.Errorf("simulate %q: exit %d, stderr %q, stdout\n%s; want %s", tt.args[1:], code, stderr, out, tt.want)
		}
	}
	for _, bad := range [][]string{{i386, "lseek", "3", "-0x80000001"}, {i386, "lseek", "3", "0x100000000"}, {x86, "lseek", "3", "--5"}} {
		if code, _, stderr := sysfence(append([]string{"simulate", "--"}, bad...)...); code != exitUsage {
			t.Errorf("simulate %q: exit %d, stderr %q; want %d", bad[1:], code, stderr, exitUsage)
		}
	}
}

// Point 11 and the restructuring issue's CLI point: the commands behave
// alike.
func TestCommandLineConsistency(t *testing.T) {
	file := compileFile(t, "--deny", "ptrace", "--arch", "aarch64")
	t.Run("flags after arguments", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"syscalls", "ptrace", "--arch", "aarch64"}, "117\n"},
			{[]string{"disasm", file, "--arch", "aarch64"}, "; ptrace"},
			{[]string{"stats", file, "--arch", "aarch64"}, "abi:           aarch64"},
			{[]string{"simulate", file, "ptrace", "--arch", "aarch64"}, "action: errno:EPERM"},
			{[]string{"compile", "--deny", "ptrace", "--format", "disasm", "--arch", "aarch64"}, "; aarch64"},
		} {
			code, out, stderr := sysfence(tt.args...)
			if code != 0 || !strings.Contains(out, tt.want) || stderr != "" {
				t.Errorf("%q: exit %d, stderr %q, stdout\n%s", tt.args, code, stderr, out)
			}
		}
	})
	t.Run("one sentence", func(t *testing.T) {
		code, _, stderr := sysfence("compile", "--deny", "ptrace", "--errno", "99999", "--format", "disasm")
		want := "sysfence compile: --errno 99999: \"99999\" is not an error number from 0 to 4095\n"
		if code != exitUsage || stderr != want {
			t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, exitUsage, want)
		}
		code, _, stderr = sysfence("compile", "--deny", "ptrac", "--format", "disasm")
		want = "sysfence compile: --deny: unknown system call \"ptrac\" (did you mean ptrace?)\n"
		if code != exitInput || stderr != want {
			t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, exitInput, want)
		}
	})
	t.Run("rules named as written", func(t *testing.T) {
		pf := policyFlags{list: "deny", names: []string{"ptrace", "mount"}}
		err := pf.explain(&seccomp.PolicyError{Field: "Rules[1].Action", Syscall: "mount", ABI: "x86_64",
			Err: fmt.Errorf("%w: bad", seccomp.ErrInvalidRule)})
		if got, want := message(err), "--deny mount (name 2 of 2) on x86_64: invalid rule: bad"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("unknown flag once", func(t *testing.T) {
		for _, c := range commands {
			code, _, stderr := sysfence(c.name, "--bogus")
			if code != exitUsage || strings.Count(stderr, "bogus") != 1 || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%s --bogus: exit %d, stderr %q", c.name, code, stderr)
			}
		}
	})
	t.Run("exit status by kind", func(t *testing.T) {
		for _, tt := range []struct {
			code int
			args []string
		}{
			{exitUsage, []string{"compile", "--arch", "vax"}},
			{exitUsage, []string{"disasm", "--arch", "vax", file}},
			{exitUsage, []string{"simulate", "--call-arch", "vax", file, "read"}},
			{exitUsage, []string{"syscalls", "--arch", "vax"}},
			{exitUsage, []string{"run", "--arch", "x86_64", "--", "true"}},
			{exitUsage, []string{"compile", "--default", "permit", "--deny", "ptrace"}},
			{exitUsage, []string{"disasm"}},
			{exitUsage, []string{"version", "extra"}},
			{exitInput, []string{"compile", "--deny", "nosuchcall"}},
			{exitInput, []string{"syscalls", "nosuchcall"}},
			{exitInput, []string{"simulate", file, "nosuchcall"}},
			{exitInput, []string{"disasm", file, "--arch", "x86_64"}},
			{exitRuntime, []string{"disasm", filepath.Join(t.TempDir(), "missing")}},
			{exitRuntime, []string{"compile", "--deny", "ptrace", "-o", filepath.Join(t.TempDir(), "no", "dir")}},
		} {
			if code, _, stderr := sysfence(tt.args...); code != tt.code {
				t.Errorf("%q: exit %d, want %d; stderr %q", tt.args, code, tt.code, stderr)
			}
		}
	})
	t.Run("help", func(t *testing.T) {
		for _, c := range commands {
			code1, help, _ := sysfence("help", c.name)
			code2, flagHelp, _ := sysfence(c.name, "--help")
			if code1 != 0 || code2 != 0 || help != flagHelp || !strings.HasPrefix(help, "usage: sysfence "+c.name) {
				t.Errorf("help %s: exit %d, %s --help: exit %d; outputs differ or lack the usage:\n%s", c.name, code1, c.name, code2, help)
			}
		}
	})
	t.Run("version", func(t *testing.T) {
		for _, args := range [][]string{{"version"}, {"--version"}} {
			code, out, _ := sysfence(args...)
			if code != 0 || !strings.Contains(out, "github.com/sysfence/seccomp") || !strings.Contains(out, "tables: Linux "+tables.X86_64.Kernel) {
				t.Errorf("%q: exit %d, stdout %q", args, code, out)
			}
		}
	})
	t.Run("x32 note in disasm only", func(t *testing.T) {
		code, _, stderr := sysfence("compile", "--deny", "ptrace", "--arch", "x86_64", "-o", filepath.Join(t.TempDir(), "f"))
		if code != 0 || stderr != "" {
			t.Errorf("exit %d, stderr %q; want nothing on stderr", code, stderr)
		}
	})
	t.Run("CSV header", func(t *testing.T) {
		_, out, _ := sysfence("syscalls", "--arch", "all", "ptrace")
		if !strings.HasPrefix(out, "arch,name,nr\nx86_64,ptrace,101\n") {
			t.Errorf("syscalls --arch all ptrace printed\n%s", out)
		}
	})
}

// The restructuring issue: one list of commands, in main.go, and one
// --arch helper, so every --arch (and --call-arch) reads alike.
func TestOneArchFlagHelper(t *testing.T) {
	_, usage, _ := sysfence("help")
	last := -1
	for _, c := range commands {
		i := strings.Index(usage, "\n  "+c.name+" ")
		if i < last {
			t.Errorf("help lists %s out of order or not at all", c.name)
		}
		last = i
	}
	var tails []string
	for _, c := range commands {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.setup(fs)
		for _, name := range []string{"arch", "call-arch"} {
			if f := fs.Lookup(name); f != nil {
				_, tail, _ := strings.Cut(f.Usage, ". ")
				tails = append(tails, tail)
			}
		}
	}
	if len(tails) != 12 || len(slices.Compact(tails)) != 1 { // compile, profile, disasm, stats, simulate (two), verify, diff, lint, explain (two), syscalls
		t.Errorf("--arch help differs between commands, or some do not have it: %q", tails)
	}
}
