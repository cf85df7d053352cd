//go:build linux

package seccomp

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp/filter"
)

// Constants of include/uapi/linux/prctl.h and include/uapi/linux/seccomp.h.
const (
	prSetNoNewPrivs      = 38 // PR_SET_NO_NEW_PRIVS
	seccompSetModeFilter = 1  // SECCOMP_SET_MODE_FILTER
)

// sockFprog is struct sock_fprog of include/uapi/linux/filter.h.
type sockFprog struct {
	len    uint16
	filter *filter.Instruction
}

func (f Flags) supported() error {
	nr, err := NativeNumber("seccomp")
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall(nr, seccompSetModeFilter, uintptr(f), 0)
	if errno == syscall.EFAULT {
		return nil
	}
	return fmt.Errorf("seccomp: seccomp(SECCOMP_SET_MODE_FILTER, %v) without a program: %w", f, errno)
}

func (p *Program) install(flags Flags) (*os.File, error) {
	prctl, err := NativeNumber("prctl")
	if err != nil {
		return nil, err
	}
	seccomp, err := NativeNumber("seccomp")
	if err != nil {
		return nil, err
	}
	if !p.covers(nativeABI()) {
		return nil, fmt.Errorf("%w %s", ErrNotNative, nativeABI().Name)
	}
	if err := filter.Verify(p.insns); err != nil {
		return nil, fmt.Errorf("seccomp: install: %w", err)
	}
	prog := sockFprog{len: uint16(len(p.insns)), filter: &p.insns[0]}

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if _, _, errno := syscall.RawSyscall(prctl, prSetNoNewPrivs, 1, 0); errno != 0 {
		return nil, fmt.Errorf("seccomp: prctl(PR_SET_NO_NEW_PRIVS): %w", errno)
	}
	r, _, errno := syscall.RawSyscall(seccomp, seccompSetModeFilter, uintptr(flags), uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(p.insns)
	switch {
	case errno == syscall.ESRCH && flags&FlagTSyncESRCH != 0:
		return nil, &ThreadSyncError{}
	case errno != 0:
		return nil, fmt.Errorf("seccomp: seccomp(SECCOMP_SET_MODE_FILTER, %v): %w", flags, errno)
	case flags&FlagNewListener != 0:
		return os.NewFile(r, "seccomp-listener"), nil
	case flags&FlagTSync != 0 && r != 0:
		return nil, &ThreadSyncError{TID: int(r)}
	}
	return nil, nil
}

func (p *Program) exec(path string, argv, env []string) error {
	prctl, err := NativeNumber("prctl")
	if err != nil {
		return err
	}
	seccomp, err := NativeNumber("seccomp")
	if err != nil {
		return err
	}
	execve, err := NativeNumber("execve")
	if err != nil {
		return err
	}
	if !p.covers(nativeABI()) {
		return fmt.Errorf("%w %s", ErrNotNative, nativeABI().Name)
	}
	if err := filter.Verify(p.insns); err != nil {
		return fmt.Errorf("seccomp: install: %w", err)
	}
	// Everything execve needs is ready before the filter is.
	pathp, err := syscall.BytePtrFromString(path)
	if err != nil {
		return &os.PathError{Op: "exec", Path: path, Err: err}
	}
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return &os.PathError{Op: "exec", Path: path, Err: err}
	}
	envp, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return &os.PathError{Op: "exec", Path: path, Err: err}
	}
	prog := sockFprog{len: uint16(len(p.insns)), filter: &p.insns[0]}

	// SetGCPercent waits for a collection in progress to end: none
	// starts afterwards, so nothing stops the filtered thread. Nor does
	// the runtime's preemption of a goroutine that runs long (a loaded
	// machine can leave a thread unscheduled for that long): it signals
	// the thread with SIGURG, whose handler would run under the filter
	// and return through rt_sigreturn. Ignored, SIGURG is discarded.
	gc := debug.SetGCPercent(-1)
	signal.Ignore(syscall.SIGURG)
	installErr := make(chan error, 1)
	var execErrno atomic.Uintptr
	run := func() {
		if _, _, errno := syscall.RawSyscall(prctl, prSetNoNewPrivs, 1, 0); errno != 0 {
			installErr <- fmt.Errorf("seccomp: prctl(PR_SET_NO_NEW_PRIVS): %w", errno)
			return
		}
		if _, _, errno := syscall.RawSyscall(seccomp, seccompSetModeFilter, 0, uintptr(unsafe.Pointer(&prog))); errno != 0 {
			installErr <- fmt.Errorf("seccomp: seccomp(SECCOMP_SET_MODE_FILTER, 0): %w", errno)
			return
		}
		// From here on this thread is filtered: no system call but
		// execve, and no return to the scheduler.
		_, _, errno := syscall.RawSyscall(execve, uintptr(unsafe.Pointer(pathp)), uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])))
		execErrno.Store(uintptr(errno))
		for {
		}
	}
	go onOtherThread(run)
	tick := time.NewTicker(50 * time.Microsecond)
	defer tick.Stop()
	for {
		select {
		case err := <-installErr:
			debug.SetGCPercent(gc)
			signal.Reset(syscall.SIGURG)
			return err
		case <-tick.C:
		}
		if errno := execErrno.Load(); errno != 0 {
			runtime.KeepAlive(p.insns)
			runtime.KeepAlive(argvp)
			runtime.KeepAlive(envp)
			return &os.PathError{Op: "exec", Path: path, Err: syscall.Errno(errno)}
		}
	}
}

// onOtherThread runs f locked to a thread that is not the thread group
// leader, and never unlocks it (a goroutine that returns locked ends
// its thread). The kernel delivers a signal sent to the process to the
// leader when it can (complete_signal in kernel/signal.c), so signals
// from outside rarely reach f's thread, where a handler would run under
// the filter.
func onOtherThread(f func()) {
	runtime.LockOSThread()
	if syscall.Gettid() != syscall.Getpid() {
		f()
		return
	}
	// This goroutine holds the leader until the next one has its own
	// thread.
	locked := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		close(locked)
		f()
	}()
	<-locked
	runtime.UnlockOSThread()
}
