package notify

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/sysfence/seccomp/filter"
)

// Errors of the package. A failing ioctl's error also wraps its
// syscall.Errno.
var (
	// ErrGone reports that a notification is no longer valid: the target
	// died, or a signal interrupted its call, which the kernel then
	// restarts with a new notification (SECCOMP_IOCTL_NOTIF_ID_VALID and
	// SECCOMP_IOCTL_NOTIF_SEND fail with ENOENT).
	ErrGone = errors.New("notify: notification no longer valid")
	// ErrTargetsExited reports that every task the filter applied to has
	// exited (or, on older kernels, been reaped too): no notification can
	// come (the listener polls as EPOLLHUP, Linux 5.8).
	ErrTargetsExited = errors.New("notify: every filtered task has exited")
	// ErrClosed reports a use of a closed Listener.
	ErrClosed = errors.New("notify: listener closed")
	// ErrMemory reports that the caller's memory could not be read: the
	// address is not mapped, or a string is longer than allowed.
	ErrMemory = errors.New("notify: cannot read the caller's memory")
)

// Notification is one system call a filter gave SECCOMP_RET_USER_NOTIF:
// struct seccomp_notif of include/uapi/linux/seccomp.h.
type Notification struct {
	// ID names the notification in every response and check. The kernel
	// makes it unique per filter.
	ID uint64
	// PID is the thread ID of the caller in the listener's PID namespace,
	// or 0 if the caller is not visible there.
	PID int
	// Flags is seccomp_notif.flags, zero in every kernel so far.
	Flags uint32
	// Data is what the filter saw: the system-call number and
	// AUDIT_ARCH_* of the calling ABI, the instruction pointer and the
	// six arguments, raw. Pointers in Args point into the caller's
	// memory; see Request.ReadMemory.
	Data filter.SeccompData
}

// Response is the answer to a notification: a return value, an error,
// or letting the call run (struct seccomp_notif_resp), or installing a
// file descriptor in the caller and returning its number
// (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND). Make one with
// Return, Fail, Continue or ReturnFD; the zero Response returns 0.
type Response struct {
	val   int64
	errno syscall.Errno
	cont  bool
	fd    *fdReturn
}

type fdReturn struct {
	f       FD
	cloexec bool
}

// Return makes the call return val without running it.
func Return(val int64) Response { return Response{val: val} }

// Fail makes the call fail with errno without running it: the caller
// sees -1 and errno (the kernel's response error is -errno).
func Fail(errno syscall.Errno) Response { return Response{errno: errno} }

// Continue lets the kernel run the call as the caller made it
// (SECCOMP_USER_NOTIF_FLAG_CONTINUE, Linux 5.5). The kernel reads the
// caller's memory again when it runs the call, so what the supervisor
// read through a pointer argument may have changed: see the package
// documentation before deciding anything by pointed-to data.
func Continue() Response { return Response{cont: true} }

// IsContinue reports whether r lets the call run.
func (r Response) IsContinue() bool { return r.cont }

// Errno returns the error r makes the call fail with, or 0.
func (r Response) Errno() syscall.Errno { return r.errno }

// Value returns the value r makes the call return.
func (r Response) Value() int64 { return r.val }

func (r Response) String() string {
	switch {
	case r.cont:
		return "continue"
	case r.fd != nil:
		return "return-fd"
	case r.errno != 0:
		return "fail " + r.errno.Error()
	}
	return fmt.Sprintf("return %d", r.val)
}

// Sizes are the sizes of the notification structures the running kernel
// uses (struct seccomp_notif_sizes): a newer kernel may have larger ones,
// and the buffers given to it must be as large.
type Sizes struct {
	Notif, Resp, Data uint16
}

// Handler decides a notification; Serve sends the Response it returns, so
// a handler must not respond itself. A handler may be called from several
// goroutines at once when Serve runs in several.
type Handler interface {
	Handle(ctx context.Context, req *Request) Response
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, req *Request) Response

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, req *Request) Response { return f(ctx, req) }

// Request is a notification being handled, with the listener it came
// from, for the calls that need both.
type Request struct {
	Notification
	l *Listener
}

// Listener returns the listener the request came from.
func (r *Request) Listener() *Listener { return r.l }

// Valid reports, with nil, that the caller is still waiting for this
// notification's response (SECCOMP_IOCTL_NOTIF_ID_VALID); otherwise the
// error wraps ErrGone.
func (r *Request) Valid() error { return r.l.Valid(r.ID) }

// ReadMemory reads len(p) bytes at addr in the caller's memory, and then
// checks that the notification is still valid, so that the bytes are
// known to come from the caller and not from a process that took its PID
// after it died. See Listener.ReadMemory.
func (r *Request) ReadMemory(addr uint64, p []byte) error {
	return r.l.ReadMemory(&r.Notification, addr, p)
}

// ReadString reads a NUL-terminated string of at most max bytes (the NUL
// excluded) at addr in the caller's memory, then checks the notification.
func (r *Request) ReadString(addr uint64, max int) (string, error) {
	return r.l.ReadString(&r.Notification, addr, max)
}

// ReadStrings reads a NULL-terminated array of pointers to strings (an
// argv) at addr in the caller's memory, then checks the notification. See
// Listener.ReadStrings.
func (r *Request) ReadStrings(addr uint64, maxItems, maxLen int) ([]string, error) {
	return r.l.ReadStrings(&r.Notification, addr, maxItems, maxLen)
}

// AddFD installs a copy of f in the caller's file table and returns its
// number there (SECCOMP_IOCTL_NOTIF_ADDFD, Linux 5.9). The caller is
// still waiting for a response afterwards. To install a descriptor and
// return it as the call's result in one step, respond with ReturnFD.
func (r *Request) AddFD(f FD, opts AddFDOptions) (int, error) {
	return r.l.AddFD(r.ID, f, opts)
}

// FD is what has a file descriptor to lend: *os.File, *net.TCPConn and
// others through their SyscallConn, or RawFD.
type FD interface {
	SyscallConn() (syscall.RawConn, error)
}

// AddFDOptions are the options of SECCOMP_IOCTL_NOTIF_ADDFD.
type AddFDOptions struct {
	// TargetFD, when SetFD is true, is the number the descriptor gets in
	// the caller, replacing what was there (SECCOMP_ADDFD_FLAG_SETFD).
	// Otherwise the caller's lowest free number is used.
	TargetFD int
	SetFD    bool
	// CloseOnExec sets O_CLOEXEC on the caller's copy.
	CloseOnExec bool
}

// ReturnFD answers by installing a copy of f in the caller and making
// the call return its number, atomically (SECCOMP_ADDFD_FLAG_SEND, Linux
// 5.14): the way to emulate open or accept. Respond closes f, if it has
// a Close method, once the response is sent or has failed.
func ReturnFD(f FD, cloexec bool) Response {
	return Response{fd: &fdReturn{f: f, cloexec: cloexec}}
}

// Serve receives notifications and answers each with h, until ctx is
// done (it returns ctx.Err()), every filtered task has exited
// (ErrTargetsExited), the listener is closed (ErrClosed), or
// receiving fails otherwise.
//
// Serve never blocks shutdown: a cancelled ctx interrupts the wait for a
// notification at once, and a handler is given ctx to follow. A target
// that dies while its call is being handled only makes the response fail
// with ErrGone, which Serve ignores, as it ignores a notification whose
// caller is gone before it could be read. Serve runs h on the goroutine
// that called it, one notification at a time; to handle several at once,
// run Serve in several goroutines on one Listener.
//
// When Serve returns, callers still blocked in notified calls wait until
// the listener is closed, when the kernel fails their calls with ENOSYS
// (and answers every later notified call with ENOSYS too).
func (l *Listener) Serve(ctx context.Context, h Handler) error {
	for {
		n, err := l.Receive(ctx)
		if errors.Is(err, ErrGone) {
			continue
		}
		if err != nil {
			return err
		}
		req := &Request{Notification: *n, l: l}
		if err := l.answer(ctx, n.ID, h.Handle(ctx, req)); err != nil {
			return err
		}
	}
}

// ServeEach is Serve with every notification handled on a goroutine of
// its own, so that a handler that waits (ConnectAllowlist waiting for a
// caller's blocking connect) holds up no other caller. It returns as
// Serve does, without waiting for the handlers still running: they are
// given ctx, and should return when it is done.
func (l *Listener) ServeEach(ctx context.Context, h Handler) error {
	for {
		n, err := l.Receive(ctx)
		if errors.Is(err, ErrGone) {
			continue
		}
		if err != nil {
			return err
		}
		req := &Request{Notification: *n, l: l}
		go func() { l.answer(ctx, n.ID, h.Handle(ctx, req)) }()
	}
}

// answer sends resp, and fails the call with ENOSYS if the kernel
// refuses resp. It returns the errors that end serving.
func (l *Listener) answer(ctx context.Context, id uint64, resp Response) error {
	err := l.Respond(id, resp)
	if err == nil || errors.Is(err, ErrGone) {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, ErrClosed) {
		return err
	}
	// A refused response (such as a bad ReturnFD) leaves the caller
	// waiting: fail its call instead.
	if err := l.Respond(id, Fail(syscall.ENOSYS)); err != nil && !errors.Is(err, ErrGone) {
		return err
	}
	return nil
}
