package filter

import "fmt"

// Action is a seccomp filter's return value: an action in the upper 16 bits
// (SECCOMP_RET_ACTION_FULL) and data in the lower 16 (SECCOMP_RET_DATA), as
// in include/uapi/linux/seccomp.h.
type Action uint32

// The seccomp return actions of include/uapi/linux/seccomp.h. When several
// filters are installed the kernel applies the one of highest precedence,
// which is the order listed here (KillProcess first, Allow last).
const (
	KillProcess Action = 0x80000000 // SECCOMP_RET_KILL_PROCESS
	KillThread  Action = 0x00000000 // SECCOMP_RET_KILL_THREAD
	Trap        Action = 0x00030000 // SECCOMP_RET_TRAP
	ErrnoBase   Action = 0x00050000 // SECCOMP_RET_ERRNO
	Notify      Action = 0x7fc00000 // SECCOMP_RET_USER_NOTIF
	TraceBase   Action = 0x7ff00000 // SECCOMP_RET_TRACE
	Log         Action = 0x7ffc0000 // SECCOMP_RET_LOG
	Allow       Action = 0x7fff0000 // SECCOMP_RET_ALLOW
)

// Masks of a return value (include/uapi/linux/seccomp.h).
const (
	RetActionFull = 0xffff0000 // SECCOMP_RET_ACTION_FULL
	RetAction     = 0x7fff0000 // SECCOMP_RET_ACTION
	RetData       = 0x0000ffff // SECCOMP_RET_DATA
)

// Errno returns the action that fails the system call with error number n.
func Errno(n uint16) Action { return ErrnoBase | Action(n) }

// Trace returns the action that notifies a ptrace tracer with message n.
func Trace(n uint16) Action { return TraceBase | Action(n) }

// Kind returns the action with its data cleared.
func (a Action) Kind() Action { return a & RetActionFull }

// Precedes reports whether a is more restrictive than b: of the values
// several stacked filters return, the kernel acts on the one whose action,
// without data, is least as a signed 32-bit number (ACTION_ONLY in
// kernel/seccomp.c, seccomp_run_filters; seccomp(2)): kill-process,
// kill-thread, trap, errno, user-notif, trace, log, allow, most
// restrictive first. Actions of one kind (two errnos) precede neither.
func (a Action) Precedes(b Action) bool { return int32(a.Kind()) < int32(b.Kind()) }

// Data returns the 16-bit data of the action (the errno or trace message).
func (a Action) Data() uint16 { return uint16(a & RetData) }

// String spells the action the way the command line reads it:
// "allow", "kill-process", "errno:1", "trace:7", "trap:3", … The data of
// trap, errno and trace is written (trap's only when it is not 0); the
// kernel ignores the data of the other actions, and String leaves it out.
func (a Action) String() string {
	switch a.Kind() {
	case KillProcess:
		return "kill-process"
	case KillThread:
		return "kill-thread"
	case Trap:
		if a.Data() != 0 {
			return fmt.Sprintf("trap:%d", a.Data())
		}
		return "trap"
	case ErrnoBase:
		return fmt.Sprintf("errno:%d", a.Data())
	case Notify:
		return "notify"
	case TraceBase:
		return fmt.Sprintf("trace:%d", a.Data())
	case Log:
		return "log"
	case Allow:
		return "allow"
	}
	return fmt.Sprintf("action:%#x", uint32(a))
}
