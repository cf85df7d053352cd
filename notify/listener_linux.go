//go:build linux

package notify

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp"
)

// Listener is a seccomp user-notification file descriptor, from which a
// supervisor receives the calls a filter gives Notify and answers them.
// Its methods may be called from several goroutines.
type Listener struct {
	f  *os.File
	rc syscall.RawConn

	closed atomic.Bool

	recvMu  sync.Mutex // serialises Receive, so that a poll saying "ready" holds
	recvBuf []byte     // the kernel's struct seccomp_notif, zeroed before each receive

	respSize int
}

var kernelSizes = sync.OnceValues(func() (Sizes, error) {
	nr, err := seccomp.NativeNumber("seccomp")
	if err != nil {
		return Sizes{}, err
	}
	var s Sizes
	if _, _, errno := syscall.Syscall(nr, seccompGetNotifSizes, 0, uintptr(unsafe.Pointer(&s))); errno != 0 {
		return Sizes{}, fmt.Errorf("notify: seccomp(SECCOMP_GET_NOTIF_SIZES): %w", errno)
	}
	return s, nil
})

// KernelSizes returns the running kernel's notification sizes
// (SECCOMP_GET_NOTIF_SIZES).
func KernelSizes() (Sizes, error) { return kernelSizes() }

// NewListener takes over f, a listener returned by
// seccomp.Program.InstallFlags with seccomp.FlagNewListener or received
// from Start, and closes f. The Listener waits for notifications in the
// Go runtime's poller, so a waiting Receive ties up no thread and can be
// interrupted.
func NewListener(f *os.File) (*Listener, error) {
	sizes, err := kernelSizes()
	if err != nil {
		return nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	var dup int
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		r, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_DUPFD_CLOEXEC, 0)
		dup, errno = int(r), e
	}); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if errno != 0 {
		return nil, fmt.Errorf("notify: dup listener: %w", errno)
	}
	f.Close()
	// Non-blocking before os.NewFile, which then registers the
	// descriptor with the poller. The ioctls themselves ignore
	// O_NONBLOCK; Receive polls before it receives.
	if err := syscall.SetNonblock(dup, true); err != nil {
		syscall.Close(dup)
		return nil, fmt.Errorf("notify: %w", err)
	}
	l := &Listener{
		f:        os.NewFile(uintptr(dup), "seccomp-listener"),
		recvBuf:  make([]byte, max(int(sizes.Notif), sizeofNotif)),
		respSize: max(int(sizes.Resp), sizeofResp),
	}
	if l.rc, err = l.f.SyscallConn(); err != nil {
		l.f.Close()
		return nil, fmt.Errorf("notify: %w", err)
	}
	return l, nil
}

// Close closes the listener. A Receive waiting returns ErrClosed. The
// kernel then fails every call still waiting for a response, and every
// later call the filter notifies, with ENOSYS.
func (l *Listener) Close() error {
	if l.closed.Swap(true) {
		return ErrClosed
	}
	return l.f.Close()
}

// Receive waits for a notification (SECCOMP_IOCTL_NOTIF_RECV) until ctx
// is done. It returns an error wrapping ErrGone when a caller died between
// announcing its call and this receive, which a loop should skip;
// ErrTargetsExited once every filtered task has exited;
// ErrClosed after Close; and ctx.Err() when ctx is done. Receives are
// serialised: one goroutine waits at a time.
func (l *Listener) Receive(ctx context.Context) (*Notification, error) {
	l.recvMu.Lock()
	defer l.recvMu.Unlock()
	if l.closed.Load() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var (
		stop  func() bool
		fired chan struct{}
	)
	if ctx.Done() != nil {
		fired = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			l.f.SetReadDeadline(time.Unix(1, 0))
			close(fired)
		})
	}
	n, err := l.recv()
	if stop != nil && !stop() {
		<-fired
		l.f.SetReadDeadline(time.Time{})
		if err != nil {
			return nil, ctx.Err()
		}
	}
	return n, err
}

func (l *Listener) recv() (*Notification, error) {
	var (
		errno syscall.Errno
		hup   bool
	)
	err := l.rc.Read(func(fd uintptr) bool {
		for {
			revents, e := poll(fd)
			switch {
			case e == syscall.EINTR:
				continue
			case e != 0:
				errno = e
				return true
			case revents&pollIn != 0:
			case revents&pollHup != 0:
				hup = true
				return true
			case revents&pollErr != 0:
				// The kernel's poll was interrupted taking its lock.
				continue
			default:
				return false // wait in the poller
			}
			clear(l.recvBuf)
			_, _, e = syscall.Syscall(syscall.SYS_IOCTL, fd, ioctlNotifRecv, uintptr(unsafe.Pointer(&l.recvBuf[0])))
			if e == syscall.EINTR {
				continue
			}
			errno = e
			return true
		}
	})
	switch {
	case err != nil && l.closed.Load():
		return nil, ErrClosed
	case err != nil:
		return nil, fmt.Errorf("notify: receive: %w", err)
	case hup:
		return nil, ErrTargetsExited
	case errno == syscall.ENOENT:
		return nil, fmt.Errorf("%w: the caller left before it was received", ErrGone)
	case errno != 0:
		return nil, fmt.Errorf("notify: ioctl(SECCOMP_IOCTL_NOTIF_RECV): %w", errno)
	}
	b := l.recvBuf
	ne := binary.NativeEndian
	n := &Notification{
		ID:    ne.Uint64(b[0:]),
		PID:   int(ne.Uint32(b[8:])),
		Flags: ne.Uint32(b[12:]),
	}
	d := b[16:]
	n.Data.Nr = int32(ne.Uint32(d[0:]))
	n.Data.Arch = ne.Uint32(d[4:])
	n.Data.InstructionPointer = ne.Uint64(d[8:])
	for i := range n.Data.Args {
		n.Data.Args[i] = ne.Uint64(d[16+8*i:])
	}
	return n, nil
}

// pollFd is struct pollfd of include/uapi/asm-generic/poll.h.
type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

// poll asks, without waiting, whether fd has a notification to receive
// or has hung up.
func poll(fd uintptr) (int16, syscall.Errno) {
	p := pollFd{fd: int32(fd), events: pollIn}
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&p)), 1, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
	return p.revents, errno
}

// ioctl runs an ioctl on the listener, retrying when a signal interrupts
// it, and maps ENOENT (the notification is gone) to ErrGone.
func (l *Listener) ioctl(name string, req uintptr, arg unsafe.Pointer) (int, error) {
	var (
		r     uintptr
		errno syscall.Errno
	)
	err := l.rc.Control(func(fd uintptr) {
		for {
			r, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
			if errno != syscall.EINTR {
				return
			}
		}
	})
	switch {
	case err != nil && l.closed.Load():
		return 0, ErrClosed
	case err != nil:
		return 0, fmt.Errorf("notify: %s: %w", name, err)
	case errno == syscall.ENOENT:
		return 0, fmt.Errorf("%w (%s)", ErrGone, name)
	case errno != 0:
		return 0, fmt.Errorf("notify: ioctl(%s): %w", name, errno)
	}
	return int(r), nil
}

// Respond answers the notification id (SECCOMP_IOCTL_NOTIF_SEND, or
// SECCOMP_IOCTL_NOTIF_ADDFD for ReturnFD). The error wraps ErrGone when
// the caller no longer waits for it: it died, or a signal interrupted the
// call, which is then restarted with a new notification.
func (l *Listener) Respond(id uint64, r Response) error {
	if r.fd != nil {
		return l.respondFD(id, r.fd)
	}
	var small [64]byte
	b := small[:]
	if l.respSize > len(small) {
		b = make([]byte, l.respSize)
	}
	ne := binary.NativeEndian
	ne.PutUint64(b[0:], id)
	ne.PutUint64(b[8:], uint64(r.val))
	ne.PutUint32(b[16:], uint32(-int32(r.errno)))
	if r.cont {
		ne.PutUint32(b[20:], userNotifFlagContinue)
	}
	_, err := l.ioctl("SECCOMP_IOCTL_NOTIF_SEND", ioctlNotifSend, unsafe.Pointer(&b[0]))
	return err
}

func (l *Listener) respondFD(id uint64, r *fdReturn) error {
	if c, ok := r.f.(interface{ Close() error }); ok {
		defer c.Close()
	}
	_, err := l.addFD(id, r.f, AddFDOptions{CloseOnExec: r.cloexec}, addFDFlagSend)
	return err
}

// Valid reports, with nil, that the caller of notification id still
// waits for its response (SECCOMP_IOCTL_NOTIF_ID_VALID); otherwise the
// error wraps ErrGone.
func (l *Listener) Valid(id uint64) error {
	_, err := l.ioctl("SECCOMP_IOCTL_NOTIF_ID_VALID", ioctlNotifIDValid, unsafe.Pointer(&id))
	return err
}

// AddFD installs a copy of f in the file table of the caller of
// notification id and returns its number there
// (SECCOMP_IOCTL_NOTIF_ADDFD, Linux 5.9). The caller still waits for a
// response afterwards. The error wraps ErrGone when the caller is gone.
func (l *Listener) AddFD(id uint64, f FD, opts AddFDOptions) (int, error) {
	return l.addFD(id, f, opts, 0)
}

func (l *Listener) addFD(id uint64, f FD, opts AddFDOptions, flags uint32) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, fmt.Errorf("notify: addfd: %w", err)
	}
	var b [sizeofAddFD]byte
	ne := binary.NativeEndian
	ne.PutUint64(b[0:], id)
	if opts.SetFD {
		flags |= addFDFlagSetFD
		ne.PutUint32(b[16:], uint32(opts.TargetFD))
	}
	ne.PutUint32(b[8:], flags)
	if opts.CloseOnExec {
		ne.PutUint32(b[20:], syscall.O_CLOEXEC)
	}
	var (
		fd     int
		ioErr  error
		target = -1
	)
	if err := rc.Control(func(src uintptr) {
		ne.PutUint32(b[12:], uint32(src))
		fd, ioErr = l.ioctl("SECCOMP_IOCTL_NOTIF_ADDFD", ioctlNotifAddFD, unsafe.Pointer(&b[0]))
	}); err != nil {
		return target, fmt.Errorf("notify: addfd: %w", err)
	}
	if errors.Is(ioErr, syscall.ESRCH) {
		// The caller died with the request queued.
		return target, fmt.Errorf("%w (SECCOMP_IOCTL_NOTIF_ADDFD): %w", ErrGone, ioErr)
	}
	if ioErr != nil {
		return target, ioErr
	}
	return fd, nil
}
