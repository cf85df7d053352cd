//go:build linux

package notify

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// GetFD returns a copy of the calling thread's descriptor fd
// (pidfd_getfd(2), Linux 5.6), which refers to the same open file: a
// socket to connect or inspect, a file to stat. The supervisor needs
// ptrace access to the caller. The copy comes from the calling thread's
// own descriptor table, which is not its process's after
// unshare(CLONE_FILES): through a pidfd of the thread (PIDFD_THREAD,
// Linux 6.9), or, on older kernels, the process's pidfd once kcmp(2)
// shows that the thread shares the process's table; where neither can
// tell, GetFD fails (ErrCannotEmulate). A number the caller has no
// descriptor for fails with ErrBadFD. The copy is made after the
// notification is checked to be valid with the caller opened, so it is
// the caller's.
func (r *Request) GetFD(fd int) (*os.File, error) {
	local, err := r.getFD(fd)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(local), "fd "+strconv.Itoa(fd)+" of "+strconv.Itoa(r.PID)), nil
}

// pidfdThread is PIDFD_THREAD of include/uapi/linux/pidfd.h: O_EXCL,
// whose value differs between architectures.
const pidfdThread = syscall.O_EXCL

// noPIDFDThread makes getFD take the way of kernels without PIDFD_THREAD
// (before 6.9), for tests.
var noPIDFDThread atomic.Bool

// kcmpFiles is KCMP_FILES of include/uapi/linux/kcmp.h.
const kcmpFiles = 2

// getFD is GetFD returning the raw descriptor, close-on-exec.
func (r *Request) getFD(fd int) (int, error) {
	open, err := nativeNumber("pidfd_open")
	if err != nil {
		return -1, err
	}
	getfd, err := nativeNumber("pidfd_getfd")
	if err != nil {
		return -1, err
	}
	if r.PID <= 0 {
		return -1, fmt.Errorf("%w: the caller is not in this PID namespace", ErrGone)
	}
	gone := func(err error) error {
		if verr := r.Valid(); verr != nil {
			return verr
		}
		return err
	}
	var pidfd uintptr
	errno := syscall.EINVAL
	if !noPIDFDThread.Load() {
		pidfd, _, errno = syscall.Syscall(open, uintptr(r.PID), pidfdThread, 0)
	}
	if errno == syscall.EINVAL {
		// No PIDFD_THREAD: the process's pidfd serves if the thread
		// shares its table.
		tgid, err := threadGroup(r.PID)
		if err != nil {
			return -1, gone(err)
		}
		if tgid != r.PID {
			kcmp, err := nativeNumber("kcmp")
			if err != nil {
				return -1, fmt.Errorf("%w: thread %d of %d: no PIDFD_THREAD, no kcmp: %v", ErrCannotEmulate, r.PID, tgid, err)
			}
			same, _, errno := syscall.Syscall6(kcmp, uintptr(tgid), uintptr(r.PID), kcmpFiles, 0, 0, 0)
			switch {
			case errno != 0:
				return -1, gone(fmt.Errorf("%w: thread %d of %d: no PIDFD_THREAD, and kcmp: %v", ErrCannotEmulate, r.PID, tgid, errno))
			case same != 0:
				return -1, gone(fmt.Errorf("%w: thread %d of %d has a descriptor table of its own, which only PIDFD_THREAD (Linux 6.9) reaches", ErrCannotEmulate, r.PID, tgid))
			}
		}
		pidfd, _, errno = syscall.Syscall(open, uintptr(tgid), 0, 0)
	}
	if errno != 0 {
		return -1, gone(fmt.Errorf("notify: pidfd_open(%d): %w", r.PID, errno))
	}
	defer syscall.Close(int(pidfd))
	if err := r.Valid(); err != nil {
		return -1, err
	}
	local, _, errno := syscall.Syscall(getfd, pidfd, uintptr(fd), 0)
	switch {
	case errno == syscall.EBADF:
		return -1, gone(fmt.Errorf("%w: fd %d", ErrBadFD, fd))
	case errno != 0:
		return -1, gone(fmt.Errorf("notify: pidfd_getfd(%d): %w", fd, errno))
	}
	return int(local), nil
}

// threadGroup returns the thread-group (process) ID of thread tid, from
// /proc/TID/status.
func threadGroup(tid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("notify: no Tgid in /proc/%d/status", tid)
}
