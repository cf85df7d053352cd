package main

import (
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// Tests of how the commands read their input: programs, profiles,
// numbers and arguments.

// zeros is an endless reader of zeros.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// Reads are bounded: an endless file or 100 MB of stdin, as a program or
// as a profile, end with a one-line error, in little memory. The child may
// map at most 4 GiB (RLIMIT_AS), so that an unbounded read fails the test
// at once instead of exhausting the machine.
func TestReadsAreBounded(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	const program, profile = "longer than 32768 bytes", "longer than 4194304 bytes"
	for _, tt := range []struct {
		name  string
		stdin io.Reader
		args  []string
		want  string
	}{
		{"disasm /dev/zero", nil, []string{"disasm", "/dev/zero"}, program},
		{"stats of 100 MB stdin", io.LimitReader(zeros{}, 100<<20), []string{"stats", "-"}, program},
		{"simulate of 100 MB stdin", io.LimitReader(zeros{}, 100<<20), []string{"simulate", "-", "read"}, program},
		{"stats --profile /dev/zero", nil, []string{"stats", "--profile", "/dev/zero"}, profile},
		{"simulate --profile /dev/zero", nil, []string{"simulate", "--profile", "/dev/zero", "read"}, profile},
		{"compile --profile /dev/zero", nil, []string{"compile", "--profile", "/dev/zero", "--format", "disasm"}, profile},
		{"compile --profile - of 100 MB stdin", io.LimitReader(zeros{}, 100<<20), []string{"compile", "--profile", "-", "--format", "disasm"}, profile},
		{"run --profile /dev/zero", nil, []string{"run", "--profile", "/dev/zero", "--", "true"}, profile},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := childEnv(t, tt.stdin, []string{memLimitEnv + "=" + strconv.Itoa(4<<30)}, tt.args...)
			stderr := string(c.Stderr)
			want := exitInput
			if tt.args[0] == "run" {
				want = exitOwnFailure // run's own failures exit 125, as env's do
			}
			if c.State.ExitCode() != want || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("%v, stderr %.300q; want exit %d and one line saying %q", c.State, stderr, want, tt.want)
			}
			if ru, ok := c.State.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > 64<<10 {
				t.Errorf("peak memory %d KiB", ru.Maxrss)
			}
		})
	}
}

// Every command that reads a program finds its ABI and byte
// order in the program, and says so when --arch contradicts it.
func TestArchDetectedInEveryCommand(t *testing.T) {
	t.Parallel()
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

// An x32 call's number has bit 0x40000000 set; a number without
// it is refused, a name gets it from the table.
func TestSimulateX32NumbersNeedTheBit(t *testing.T) {
	t.Parallel()
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

// Negative arguments are sign-extended to the calling ABI's word.
func TestNegativeArguments(t *testing.T) {
	t.Parallel()
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

// What learn keeps of a command's calls is bounded too: a command that
// makes thousands of distinct unknown numbers gets a warning that names a
// few of them and counts the rest, not one that lists them all.
func TestLearnUnknownNumbersBounded(t *testing.T) {
	t.Parallel()
	requireNotify(t)
	_, err := exec.LookPath("python3")
	testenv.Require(t, err == nil, "needs python3")
	script := "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nfor n in range(100000, 104000):\n    libc.syscall(n)\n"
	c := child(t, nil, "learn", "-o", os.DevNull, "--", "python3", "-c", script)
	stderr := string(c.Stderr)
	var warning string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "no table names") {
			warning = l
		}
	}
	if !c.State.Success() || warning == "" || len(warning) > 2000 || !strings.Contains(warning, "more calls of other numbers") {
		t.Errorf("%v, warning (%d bytes) %.300q; want success and a short warning that counts the rest", c.State, len(warning), warning)
	}
}
