//go:build linux

package profile_test

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

var scenarios = map[string]testenv.Scenario{"moby-default": mobyDefault}

// mobyReport is what the child saw under the moby default profile.
type mobyReport struct {
	Pipeline string
	Errnos   map[string]int // 0 for success
}

// newerThanLibseccomp are system calls of x86_64 that the moby default
// profile allows and libseccomp 2.5.4 does not know, so that runc with
// that libseccomp gives them EPERM (see TestEquivalence in
// profile/libseccomptest). uretprobe is left out: it raises SIGILL when
// called outside a uprobe; and map_shadow_stack, which a kernel built
// without user shadow stacks answers ENOSYS.
var newerThanLibseccomp = []string{"getxattrat", "listmount", "listxattrat", "mseal", "removexattrat", "setxattrat", "statmount"}

func errnoOf(err error) int {
	var e syscall.Errno
	if errors.As(err, &e) {
		return int(e)
	}
	if err != nil {
		return -1
	}
	return 0
}

func mobyDefault() (any, error) {
	p, err := profile.Default()
	if err != nil {
		return nil, err
	}
	res, err := p.Translate(&profile.Options{Kernel: os.Getenv("PROFILE_KERNEL")})
	if err != nil {
		return nil, err
	}
	prog, err := res.Compile()
	if err != nil {
		return nil, err
	}
	runtime.LockOSThread()
	if err := prog.Install(); err != nil {
		return nil, err
	}
	out, err := exec.Command("sh", "-c", "echo sandboxed | tr a-z A-Z | wc -c; uname -s | cat").Output()
	if err != nil {
		return nil, err
	}
	rep := &mobyReport{Pipeline: string(out), Errnos: map[string]int{}}
	call := func(name string, nr uintptr, args ...uintptr) {
		args = append(args, 0, 0, 0, 0, 0, 0)
		_, _, e := syscall.RawSyscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
		rep.Errnos[name] = int(e)
	}
	rep.Errnos["unshare"] = errnoOf(syscall.Unshare(syscall.CLONE_NEWUSER))
	rep.Errnos["mount"] = errnoOf(syscall.Mount("none", "/tmp", "tmpfs", 0, ""))
	call("ptrace", syscall.SYS_PTRACE, syscall.PTRACE_TRACEME)
	call("personality", syscall.SYS_PERSONALITY, 0x0040000) // ADDR_NO_RANDOMIZE
	call("personality-query", syscall.SYS_PERSONALITY, 0xffffffff)
	if runtime.GOARCH == "amd64" {
		call("clone3", 435)
		call("nr-0x80000005", 0x80000005)
		for _, name := range newerThanLibseccomp {
			nr, _ := tables.X86_64.Number(name)
			call(name, uintptr(nr))
		}
	}
	return rep, nil
}

// TestMobyDefaultOnKernel runs a shell pipeline under the moby default
// profile, resolved for Docker's default capabilities and this kernel,
// and checks what the profile denies.
//
// The profile allows ptrace on Linux 4.8 and later (minKernel), where
// ptrace can no longer bypass seccomp; on this kernel it is allowed,
// and resolved for Linux 4.7 it fails with EPERM.
func TestMobyDefaultOnKernel(t *testing.T) {
	_, err := exec.LookPath("sh")
	testenv.Require(t, err == nil, "needs sh")
	var old mobyReport
	testenv.Run(t, testenv.Self(t), "moby-default", "PROFILE_KERNEL=4.7").Decode(t, &old)
	if e := syscall.Errno(old.Errnos["ptrace"]); e != syscall.EPERM {
		t.Errorf("resolved for Linux 4.7: ptrace: errno %d (%v), want EPERM", e, e)
	}
	var rep mobyReport
	testenv.Run(t, testenv.Self(t), "moby-default").Decode(t, &rep)
	if want := "10\nLinux\n"; rep.Pipeline != want {
		t.Errorf("pipeline printed %q, want %q", rep.Pipeline, want)
	}
	want := map[string]syscall.Errno{
		"unshare": syscall.EPERM, "mount": syscall.EPERM, "ptrace": 0,
		"personality": syscall.EPERM, "personality-query": 0,
	}
	if runtime.GOARCH == "amd64" {
		want["clone3"] = syscall.ENOSYS
		// A number with bit 31 set is no x32 call but an unknown
		// number, which a profile gives its default action; libseccomp
		// gives it the bad-arch action (kill-thread) instead.
		want["nr-0x80000005"] = syscall.EPERM
	}
	for name, w := range want {
		if got := syscall.Errno(rep.Errnos[name]); got != w {
			t.Errorf("%s: errno %d (%v), want %d (%v)", name, got, got, w, w)
		}
	}
	if runtime.GOARCH == "amd64" {
		// The kernel has the system calls libseccomp 2.5.4 does not
		// know, and the profile lets them through: neither ENOSYS nor
		// the profile's EPERM.
		for _, name := range newerThanLibseccomp {
			if e := syscall.Errno(rep.Errnos[name]); e == syscall.ENOSYS || e == syscall.EPERM {
				t.Errorf("%s: errno %v: the kernel should run it, as the profile allows", name, e)
			}
		}
	}
	t.Logf("errnos: %v", rep.Errnos)
}
