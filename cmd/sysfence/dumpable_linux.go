package main

import (
	"fmt"
	"syscall"
)

// notDumpable makes this process non-dumpable (prctl PR_SET_DUMPABLE 0,
// include/uapi/linux/prctl.h): its /proc/PID files then belong to root,
// and opening its /proc/PID/mem needs CAP_SYS_PTRACE (ptrace_may_access
// in kernel/ptrace.c).
func notDumpable() error {
	const prSetDumpable = 4
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 0, 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_DUMPABLE): %w", errno)
	}
	return nil
}
