package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// errnos is a child's report: each call's errno (0 for success).
type errnos map[string]int

func init() {
	for name, f := range map[string]testenv.Scenario{
		// threads: a thread started before Load, never calling it, is
		// filtered too (TSYNC, NewFilter's default).
		"threads": func() (any, error) {
			ready, call, done := make(chan struct{}), make(chan struct{}), make(chan int)
			go func() {
				runtime.LockOSThread()
				close(ready)
				<-call
				_, _, e := syscall.RawSyscall(getppid(), 0, 0, 0)
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
			_, _, e := syscall.RawSyscall(getppid(), 0, 0, 0)
			close(call)
			return errnos{"this thread": int(e), "other thread": <-done}, nil
		},
		// notify: getppid notified; a supervisor goroutine receives it,
		// checks its ID, answers it; a second answer to the same ID fails
		// with ENOENT, and so does the ID check afterwards.
		"notify": func() (any, error) {
			f, err := NewFilter(ActAllow)
			if err != nil {
				return nil, err
			}
			nr, _ := GetSyscallFromName("getppid")
			if err := f.AddRule(nr, ActNotify); err != nil {
				return nil, err
			}
			if err := f.Load(); err != nil {
				return nil, err
			}
			fd, err := f.GetNotifFd()
			if err != nil {
				return nil, err
			}
			out := errnos{}
			done, id := make(chan error, 1), make(chan uint64, 1)
			go func() {
				for {
					req, err := NotifReceive(fd)
					if err != nil {
						done <- err
						return
					}
					if req.Data.Syscall != nr {
						done <- fmt.Errorf("notified call %d, want %d", req.Data.Syscall, nr)
						return
					}
					err = NotifIDValid(fd, req.ID)
					if err == nil {
						err = NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Error: int32(syscall.EXDEV)})
					}
					if errors.Is(err, syscall.ENOENT) {
						// A signal (the Go runtime's preemption)
						// interrupted the call, which restarts with a
						// new notification.
						continue
					}
					id <- req.ID
					done <- err
					return
				}
			}()
			_, _, e := syscall.RawSyscall(getppid(), 0, 0, 0)
			if err := <-done; err != nil {
				return nil, err
			}
			out["getppid"] = int(e)
			// The call has returned: its notification is gone.
			answered := <-id
			out["second answer"] = errnoNumber(NotifRespond(fd, &ScmpNotifResp{ID: answered}))
			out["ID check after"] = errnoNumber(NotifIDValid(fd, answered))
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
			nnp, _, _ := syscall.RawSyscall(prctl(), 39 /* PR_GET_NO_NEW_PRIVS */, 0, 0)
			_, _, e := syscall.RawSyscall(getppid(), 0, 0, 0)
			return errnos{"no_new_privs": int(nnp), "getppid": int(e)}, nil
		},
	} {
		scenarios[name] = f
	}
}

// prctl is the native number of prctl.
func prctl() uintptr {
	nr, _ := GetSyscallFromName("prctl")
	return uintptr(nr)
}

// getppid is the native number of getppid.
func getppid() uintptr {
	nr, _ := GetSyscallFromName("getppid")
	return uintptr(nr)
}

// errnoNumber returns the errno an error wraps, -1 for another error.
func errnoNumber(err error) int {
	var e syscall.Errno
	if err == nil {
		return 0
	}
	if errors.As(err, &e) {
		return int(e)
	}
	return -1
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

func TestNotifications(t *testing.T) {
	check(t, child(t, "notify"), errnos{"getppid": int(syscall.EXDEV), "second answer": int(syscall.ENOENT), "ID check after": int(syscall.ENOENT)})
}

func TestLoadWithoutNoNewPrivs(t *testing.T) {
	check(t, child(t, "nnp-off"), errnos{"no_new_privs": 0, "getppid": int(syscall.EPERM)})
}
