package seccomp

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	sysfence "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
)

// load installs prog with flags and returns the listener's descriptor,
// -1 without one. With nnp it is the root package's InstallFlags;
// without, the same seccomp(2) call without PR_SET_NO_NEW_PRIVS, which
// the kernel allows a caller with CAP_SYS_ADMIN.
func load(prog *sysfence.Program, flags sysfence.Flags, nnp bool) (int, error) {
	if nnp {
		f, err := prog.InstallFlags(flags)
		if err != nil || f == nil {
			return -1, err
		}
		defer f.Close()
		fd, err := syscall.Dup(int(f.Fd()))
		if err != nil {
			return -1, err
		}
		syscall.CloseOnExec(fd)
		return fd, nil
	}
	nr, ok := nativeTable().Number("seccomp")
	if !ok {
		return -1, fmt.Errorf("no seccomp system call on %s: %w", nativeTable().Name, syscall.ENOSYS)
	}
	insns := prog.Instructions()
	code := filter.Encode(insns, binary.NativeEndian)
	fprog := struct {
		len    uint16
		filter unsafe.Pointer
	}{uint16(len(insns)), unsafe.Pointer(&code[0])}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r, _, e := syscall.RawSyscall(uintptr(nr), 1 /* SECCOMP_SET_MODE_FILTER */, uintptr(flags), uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(code)
	switch {
	case e != 0:
		return -1, fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER, %v): %w", flags, e)
	case flags&sysfence.FlagNewListener != 0:
		return int(r), nil
	case flags&sysfence.FlagTSync != 0 && r != 0:
		return -1, &sysfence.ThreadSyncError{TID: int(r)}
	}
	return -1, nil
}

// kernelAPI probes the running kernel as libseccomp 2.5.4 does: a flag
// seccomp(2) knows makes SECCOMP_SET_MODE_FILTER with no program fail
// with EFAULT rather than EINVAL; an action it knows passes
// SECCOMP_GET_ACTION_AVAIL.
func kernelAPI() uint {
	nr, ok := nativeTable().Number("seccomp")
	if !ok {
		return 0
	}
	flag := func(f sysfence.Flags) bool {
		_, _, e := syscall.RawSyscall(uintptr(nr), 1, uintptr(f), 0)
		return e == syscall.EFAULT
	}
	action := func(a filter.Action) bool {
		v := uint32(a)
		_, _, e := syscall.RawSyscall(uintptr(nr), 2 /* SECCOMP_GET_ACTION_AVAIL */, 0, uintptr(unsafe.Pointer(&v)))
		return e == 0
	}
	level := uint(1)
	for _, ok := range []bool{
		flag(sysfence.FlagTSync),
		flag(sysfence.FlagLog) && action(filter.KillProcess) && action(filter.Log),
		flag(sysfence.FlagSpecAllow),
		flag(sysfence.FlagNewListener) && action(filter.Notify),
		flag(sysfence.FlagTSyncESRCH),
	} {
		if !ok {
			break
		}
		level++
	}
	return level
}
