//go:build linux

package seccomp

// Real-kernel checks of the hardening issue's decisions: numbers with bit
// 31 set (syscall(-1), how a tracer skips a call) and conditions on int
// parameters (Cond.Width).

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

func init() {
	scenarios["negative"] = scenarioNegative
	scenarios["getppid"] = scenarioGetppid
	scenarios["tiocsti"] = scenarioTIOCSTI
}

// scenarioNegative installs the built-in sandbox and makes calls whose
// numbers have bit 31 set, reporting each one's error.
func scenarioNegative() (any, error) {
	prog, err := Builtin("sandbox")
	if err != nil {
		return nil, err
	}
	if err := prog.Install(); err != nil {
		return nil, err
	}
	out := make(map[string]string)
	for _, nr := range []uint32{0xffffffff, 0xc0000027, 0x80000027} {
		_, _, errno := syscall.RawSyscall(uintptr(nr), 0, 0, 0)
		out[strconv.FormatUint(uint64(nr), 16)] = errnoName(errno)
	}
	return out, nil
}

// TestNegativeSyscallNumber (hardening issue, point 1): under the built-in
// sandbox, syscall(-1) and other numbers with bit 31 set get ENOSYS, the
// Unknown action, on every ABI; x32 numbers (0x40000000..0x7fffffff) are
// still refused by the filter (TestX32).
//
// s390 reads the number modulo 1<<16 (arch/s390/kernel/syscall.c:
// regs->gprs[1] & 0xffff), before seccomp sees it: there 0xc0000027 is
// call 0x27, which seccomp and the kernel both take for mkdir, and only
// 0xffffffff (0xffff) is unknown.
func TestNegativeSyscallNumber(t *testing.T) {
	requireSeccomp(t)
	var got map[string]string
	testenv.Run(t, testenv.Self(t), "negative").Decode(t, &got)
	unknown := []string{"ffffffff", "c0000027", "80000027"}
	if runtime.GOARCH == "s390x" {
		unknown = unknown[:1]
	}
	for _, nr := range unknown {
		if got[nr] != "ENOSYS" {
			t.Errorf("syscall(0x%s) under the sandbox: %s, want ENOSYS", nr, got[nr])
		}
	}
}

// scenarioGetppid reports the error of getppid, which the test's tracer
// fails with EPERM by fault injection.
func scenarioGetppid() (any, error) {
	nr, _ := nativeABI().Number("getppid")
	_, _, errno := syscall.RawSyscall(uintptr(nr), 0, 0, 0)
	return errnoName(errno), nil
}

// TestStraceInjectUnderRun (hardening issue, point 1): strace's fault
// injection skips a call by setting its number to -1, and seccomp sees the
// call again; under sysfence run it must reach the program as EPERM, not
// kill it.
func TestStraceInjectUnderRun(t *testing.T) {
	requireSeccomp(t)
	requireRoot(t)
	strace, err := exec.LookPath("strace")
	testenv.Require(t, err == nil, "needs strace in PATH")
	bin := buildSysfence(t)
	cmd := testenv.Self(t, strace, "-f", "-qq", "-o", os.DevNull, "-e", "trace=getppid", "-e", "inject=getppid:error=EPERM", bin, "run", "--")
	c := testenv.Run(t, cmd, "getppid")
	var got string
	c.Decode(t, &got)
	if got != "EPERM" {
		t.Errorf("getppid under strace's injection and sysfence run: %s, want EPERM", got)
	}
}

// scenarioTIOCSTI makes ioctl(-1, TIOCSTI) with and without bits above
// the 32 the kernel reads, reporting each error: EBADF if the call
// reached the kernel (the descriptor is bad, so nothing is injected), the
// filter's EXDEV if not.
func scenarioTIOCSTI() (any, error) {
	nr, _ := nativeABI().Number("ioctl")
	out := make(map[string]string)
	for name, cmd := range map[string]uint64{"plain": tiocsti, "high": tiocsti | 1<<32} {
		_, _, errno := syscall.RawSyscall(uintptr(nr), ^uintptr(0), uintptr(cmd), 0)
		out[name] = errnoName(errno)
	}
	return out, nil
}

const tiocsti = 0x5412 // include/uapi/asm-generic/ioctls.h

// TestCondWidthOnKernel (hardening issue, point 4): through bwrap, a rule
// ioctl(fd, cmd == TIOCSTI) with Width 32 refuses TIOCSTI|1<<32, which
// the kernel runs as TIOCSTI; the same rule compared on 64 bits lets it
// through, which is why Width exists.
func TestCondWidthOnKernel(t *testing.T) {
	requireSeccomp(t)
	requireRoot(t)
	_, err := exec.LookPath("bwrap")
	testenv.Require(t, err == nil, "needs bubblewrap (bwrap) in PATH")
	if m := machine(t); m != nativeABI() || m.WordSize != 8 || isMIPS(m) {
		t.Skipf("needs a 64-bit native ABI with the generic TIOCSTI, not %s", m)
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		width int
		high  string // what ioctl(-1, TIOCSTI|1<<32) gets
	}{{32, "EXDEV"}, {64, "EBADF"}} {
		t.Run(strconv.Itoa(tt.width), func(t *testing.T) {
			p := &Policy{Default: Allow, ABIs: []*tables.ABI{nativeABI()}, Rules: []Rule{{
				Syscall: "ioctl", Action: ErrnoNamed("EXDEV"),
				Args: []Cond{{Arg: 1, Op: Eq, Value: tiocsti, Width: tt.width}},
			}}}
			prog := mustCompile(t, p)
			f, err := prog.File()
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cmd := testenv.Self(t, append(bwrapArgs(dir), "--seccomp", "3", "--")...)
			cmd.ExtraFiles = []*os.File{f}
			var got map[string]string
			testenv.Run(t, cmd, "tiocsti").Decode(t, &got)
			if got["plain"] != "EXDEV" || got["high"] != tt.high {
				t.Errorf("Width %d: ioctl(-1, TIOCSTI) = %s, ioctl(-1, TIOCSTI|1<<32) = %s; want EXDEV, %s", tt.width, got["plain"], got["high"], tt.high)
			}
		})
	}
}
