//go:build linux

package seccomp

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
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
