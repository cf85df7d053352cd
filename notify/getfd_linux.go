//go:build linux

package notify

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/sysfence/seccomp"
)

// GetFD returns a copy of the caller's descriptor fd (pidfd_getfd(2),
// Linux 5.6), which refers to the same open file: a socket to connect or
// inspect, a file to stat. The supervisor needs ptrace access to the
// caller. The copy is made after the notification is checked to be valid
// with the caller's process opened, so it is the caller's.
func (r *Request) GetFD(fd int) (*os.File, error) {
	open, err := seccomp.NativeNumber("pidfd_open")
	if err != nil {
		return nil, err
	}
	getfd, err := seccomp.NativeNumber("pidfd_getfd")
	if err != nil {
		return nil, err
	}
	// PID is the calling thread; pidfd_open wants its thread group.
	tgid, err := threadGroup(r.PID)
	if err != nil {
		if err := r.Valid(); err != nil {
			return nil, err
		}
		return nil, err
	}
	pidfd, _, errno := syscall.Syscall(open, uintptr(tgid), 0, 0)
	if errno != 0 {
		if err := r.Valid(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("notify: pidfd_open(%d): %w", tgid, errno)
	}
	defer syscall.Close(int(pidfd))
	if err := r.Valid(); err != nil {
		return nil, err
	}
	local, _, errno := syscall.Syscall(getfd, pidfd, uintptr(fd), 0)
	if errno != 0 {
		return nil, fmt.Errorf("notify: pidfd_getfd(%d): %w", fd, errno)
	}
	return os.NewFile(local, "fd "+strconv.Itoa(fd)+" of "+strconv.Itoa(r.PID)), nil
}

// threadGroup returns the thread-group (process) ID of thread tid, from
// /proc/TID/status.
func threadGroup(tid int) (int, error) {
	if tid <= 0 {
		return 0, fmt.Errorf("%w: the caller is not in this PID namespace", ErrGone)
	}
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

// sunPathMax is sizeof(sockaddr_un.sun_path) of include/uapi/linux/un.h.
const sunPathMax = 108

// connect connects the caller's socket fd to the address raw, decoded as
// sa, from the supervisor, and returns the caller's outcome.
func (r *Request) connect(fd int, raw []byte, sa Sockaddr) (Response, error) {
	nr, err := seccomp.NativeNumber("connect")
	if err != nil {
		return Response{}, err
	}
	if sa.Family == afUnix && sa.Path != "" && sa.Path[0] != '@' {
		// Resolve the path as the caller would: in its root and working
		// directory, which may be another mount namespace.
		base := "/proc/" + strconv.Itoa(r.PID) + "/root"
		if !strings.HasPrefix(sa.Path, "/") {
			base = "/proc/" + strconv.Itoa(r.PID) + "/cwd/"
		}
		path := base + sa.Path
		if len(path) >= sunPathMax {
			return Fail(syscall.ENAMETOOLONG), nil
		}
		raw = binary.NativeEndian.AppendUint16(nil, afUnix)
		raw = append(append(raw, path...), 0)
	}
	f, err := r.GetFD(fd)
	if err != nil {
		return Response{}, err
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return Response{}, err
	}
	var errno syscall.Errno
	// No retry on EINTR: the connection goes on, and the caller, told
	// EINTR, waits for it as for EINPROGRESS.
	if err := rc.Control(func(s uintptr) {
		_, _, errno = syscall.Syscall(nr, s, uintptr(unsafe.Pointer(&raw[0])), uintptr(len(raw)))
	}); err != nil {
		return Response{}, err
	}
	if errno != 0 {
		return Fail(errno), nil
	}
	return Return(0), nil
}
