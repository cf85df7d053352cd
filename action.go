package seccomp

import (
	"fmt"
	"strconv"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// Action is what a filter does with a system call, spelt the way the
// command line reads it: "kill-process", "kill-thread", "trap",
// "errno:EPERM" or "errno:1", "notify", "trace:7", "log", "allow".
//
// It wraps filter.Action, the 32-bit return value of
// include/uapi/linux/seccomp.h, rather than aliasing it, for two reasons.
// The zero filter.Action is SECCOMP_RET_KILL_THREAD, so a Policy field of
// that type could not tell "not set" from "kill the thread"; the zero
// Action is the empty string, which means "not set" (the field then takes
// its documented default), while KillThread stays expressible. And error
// numbers differ between ABIs (ENOSYS is 38 on x86_64 and 89 on mips), so
// an Action may name its errno and is resolved for each ABI it is compiled
// for, with Resolve. ActionOf converts the other way.
//
// When several filters are installed (a sandbox launcher's and then the
// program's own), the kernel runs all of them and applies the result of
// highest precedence; Documentation/userspace-api/seccomp_filter.rst and
// include/uapi/linux/seccomp.h order them, most to least precedent:
//
//	kill-process  SECCOMP_RET_KILL_PROCESS  the process dies of SIGSYS (Linux 4.14)
//	kill-thread   SECCOMP_RET_KILL_THREAD   the calling thread dies of SIGSYS
//	trap          SECCOMP_RET_TRAP          a SIGSYS is delivered to the thread
//	errno:N       SECCOMP_RET_ERRNO         the call fails with error N, unexecuted
//	notify        SECCOMP_RET_USER_NOTIF    a supervisor decides (Linux 5.0; ENOSYS without one)
//	trace:N       SECCOMP_RET_TRACE         a ptrace tracer decides (ENOSYS without one)
//	log           SECCOMP_RET_LOG           the call runs and is logged (Linux 4.14)
//	allow         SECCOMP_RET_ALLOW         the call runs
//
// Between equal actions the data (errno or trace message) of the most
// recently installed filter wins.
type Action string

// The actions without data.
const (
	KillProcess Action = "kill-process"
	KillThread  Action = "kill-thread"
	Trap        Action = "trap"
	Notify      Action = "notify"
	Log         Action = "log"
	Allow       Action = "allow"
)

// Errno returns the action that fails the call with error number n, the
// same number on every ABI. Prefer ErrnoNamed for a policy compiled for
// several architectures.
func Errno(n uint16) Action { return Action("errno:" + strconv.Itoa(int(n))) }

// ErrnoNamed returns the action that fails the call with the named error
// ("EPERM", "ENOSYS"), whose number is looked up in each ABI's table when
// the policy is compiled.
func ErrnoNamed(name string) Action { return Action("errno:" + name) }

// Trace returns the action that hands the call to a ptrace tracer with
// message n (PTRACE_EVENT_SECCOMP, see ptrace(2)).
func Trace(n uint16) Action { return Action("trace:" + strconv.Itoa(int(n))) }

// ActionOf returns the Action of a filter return value.
func ActionOf(a filter.Action) Action { return Action(a.String()) }

// Resolve returns the filter return value of a on abi, looking up a named
// errno in abi's table. The syntax is that of filter.ParseAction; the
// error wraps ErrInvalidAction.
func (a Action) Resolve(abi *tables.ABI) (filter.Action, error) {
	if a == "" {
		return 0, fmt.Errorf("%w: none given", ErrInvalidAction)
	}
	f, err := filter.ParseAction(string(a), abi)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalidAction, err)
	}
	return f, nil
}
