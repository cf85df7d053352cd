package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// becomeSubreaper makes this process the reaper of the orphans of its
// descendants (PR_SET_CHILD_SUBREAPER), so that killOrphans finds them.
func becomeSubreaper() error {
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", errno)
	}
	return nil
}

// killOrphans kills and reaps every child of this process, and the
// orphans that come to it meanwhile, until it has none.
func killOrphans() {
	for {
		tasks, _ := filepath.Glob("/proc/self/task/*/children")
		for _, task := range tasks {
			b, _ := os.ReadFile(task)
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		if _, err := syscall.Wait4(-1, nil, 0, nil); err == syscall.ECHILD {
			return
		}
	}
}
