package seccomp

import (
	"runtime"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/internal/probe"
	"github.com/sysfence/seccomp/internal/testenv"
)

// errnos is a child's report: each call's errno (0 for success).
type errnos map[string]int

var scenarios = map[string]testenv.Scenario{
	// threads: a thread started before Load, never calling it, is
	// filtered too (TSYNC, NewFilter's default).
	"threads": func() (any, error) {
		ready, call, done := make(chan struct{}), make(chan struct{}), make(chan int)
		go func() {
			runtime.LockOSThread()
			close(ready)
			<-call
			_, _, e := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
			done <- int(e)
		}()
		<-ready
		f, err := NewFilter(ActAllow)
		if err != nil {
			return nil, err
		}
		nr, _ := GetSyscallFromName("getppid")
		if err := f.AddRule(nr, ActErrno.SetReturnCode(int16(syscall.EPERM))); err != nil {
			return nil, err
		}
		if err := f.Load(); err != nil {
			return nil, err
		}
		_, _, e := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
		close(call)
		return errnos{"this thread": int(e), "other thread": <-done}, nil
	},
	// i386: int 0x80 reaches the i386 table. Not covered, it gets the
	// bad-arch action; covered, the rules, through socketcall too.
	"i386": func() (any, error) {
		out := errnos{}
		f, err := NewFilter(ActAllow)
		if err != nil {
			return nil, err
		}
		if err := f.SetBadArchAction(ActErrno.SetReturnCode(int16(syscall.EACCES))); err != nil {
			return nil, err
		}
		getpid, _ := GetSyscallFromName("getpid")
		if err := f.AddRule(getpid, ActErrno.SetReturnCode(int16(syscall.EPERM))); err != nil {
			return nil, err
		}
		if err := f.Load(); err != nil {
			return nil, err
		}
		_, e, err := probe.Int80(20) // getpid
		if err != nil {
			return nil, err
		}
		out["int80 getpid, x86 not covered"] = int(e)

		g, _ := NewFilter(ActAllow)
		if err := g.AddArch(ArchX86); err != nil {
			return nil, err
		}
		socket, _ := GetSyscallFromName("socket")
		if err := g.AddRule(socket, ActErrno.SetReturnCode(int16(syscall.EAFNOSUPPORT))); err != nil {
			return nil, err
		}
		if err := g.Load(); err != nil {
			return nil, err
		}
		args := [3]uint32{syscall.AF_INET, syscall.SOCK_STREAM, 0}
		_, e, _ = probe.Int80(102, 1, uintptr(unsafeAddr(&args))) // socketcall(SYS_SOCKET)
		out["int80 socketcall(SYS_SOCKET)"] = int(e)
		_, e, _ = probe.Int80(359, syscall.AF_INET, syscall.SOCK_STREAM, 0) // socket
		out["int80 socket"] = int(e)
		_, _, e = syscall.RawSyscall(syscall.SYS_SOCKET, syscall.AF_INET, syscall.SOCK_STREAM, 0)
		out["socket"] = int(e)
		return out, nil
	},
	// nnp-off: with SetNoNewPrivsBit(false), Load leaves no_new_privs
	// unset (root has CAP_SYS_ADMIN).
	"nnp-off": func() (any, error) {
		f, err := NewFilter(ActAllow)
		if err != nil {
			return nil, err
		}
		if err := f.SetNoNewPrivsBit(false); err != nil {
			return nil, err
		}
		nr, _ := GetSyscallFromName("getppid")
		if err := f.AddRule(nr, ActErrno.SetReturnCode(int16(syscall.EPERM))); err != nil {
			return nil, err
		}
		if err := f.Load(); err != nil {
			return nil, err
		}
		nnp, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, 39 /* PR_GET_NO_NEW_PRIVS */, 0, 0)
		_, _, e := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
		return errnos{"no_new_privs": int(nnp), "getppid": int(e)}, nil
	},
}

func child(t *testing.T, scenario string) errnos {
	t.Helper()
	testenv.Require(t, syscall.Geteuid() == 0 || scenario != "nnp-off", "needs root (CAP_SYS_ADMIN)")
	var got errnos
	testenv.Run(t, testenv.Self(t), scenario).Decode(t, &got)
	return got
}

func check(t *testing.T, got, want errnos) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: errno %d (%v), want %d (%v)", k, got[k], syscall.Errno(got[k]), v, syscall.Errno(v))
		}
	}
}

func TestLoadEveryThread(t *testing.T) {
	check(t, child(t, "threads"), errnos{"this thread": int(syscall.EPERM), "other thread": int(syscall.EPERM)})
}

func TestLoadI386Routes(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("int 0x80 is amd64's")
	}
	check(t, child(t, "i386"), errnos{
		"int80 getpid, x86 not covered": int(syscall.EACCES),
		"int80 socketcall(SYS_SOCKET)":  int(syscall.EAFNOSUPPORT),
		"int80 socket":                  int(syscall.EAFNOSUPPORT),
		"socket":                        int(syscall.EAFNOSUPPORT),
	})
}

func TestLoadWithoutNoNewPrivs(t *testing.T) {
	check(t, child(t, "nnp-off"), errnos{"no_new_privs": 0, "getppid": int(syscall.EPERM)})
}
