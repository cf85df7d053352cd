package seccomp

import (
	"fmt"
	"strconv"
	"strings"

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

// ActionOf returns the Action of a filter return value, so that
// ActionOf(a).Resolve(abi) gives a back. The data of trap, errno and
// trace is kept ("trap:7"); the data of allow, log, notify and the kills,
// which kernel/seccomp.c ignores, is dropped, so those resolve to the
// same decision with data 0. A value seccomp does not define is spelt
// "action:0x…", which Resolve refuses.
func ActionOf(a filter.Action) Action { return Action(a.String()) }

// Resolve returns the filter return value of a on abi, looking up a named
// errno in abi's table (abi may be nil when a names none). It accepts
// what Action.String and ActionOf write: the names in any case, and after
// trap, errno and trace a colon and a number (decimal, or hexadecimal
// after 0x), or for errno a name. An errno is 0 to 4095 (MAX_ERRNO in
// include/linux/err.h, where the kernel caps SECCOMP_RET_ERRNO's data);
// errno:0 makes the call return 0 without running it. Trap and trace data
// are 0 to 65535 (SECCOMP_RET_DATA). The error is an *ActionError.
func (a Action) Resolve(abi *tables.ABI) (filter.Action, error) {
	kind, arg, hasArg := strings.Cut(string(a), ":")
	bad := func(format string, args ...any) (filter.Action, error) {
		return 0, &ActionError{Action: a, Reason: fmt.Sprintf(format, args...)}
	}
	switch k := strings.ToLower(kind); k {
	case "errno":
		if !hasArg {
			return bad("errno needs a number or a name, as in errno:EPERM")
		}
		n, why := parseErrno(arg, abi)
		if why != "" {
			return bad("%s", why)
		}
		return filter.Errno(n), nil
	case "trace", "trap":
		base := filter.TraceBase
		if k == "trap" {
			base = filter.Trap
		}
		if !hasArg {
			if k == "trace" {
				return bad("trace needs a message number, as in trace:1")
			}
			return base, nil
		}
		n, err := strconv.ParseUint(arg, 0, 16)
		if err != nil {
			return bad("%s data %q is not a number from 0 to 65535", k, arg)
		}
		return base | filter.Action(n), nil
	case "":
		return bad("none given")
	}
	act, ok := plainAction(strings.ToLower(kind))
	if !ok {
		return bad("want allow, kill-process, kill-thread, trap, log, notify, errno:N or trace:N")
	}
	if hasArg {
		return bad("%s takes no data", kind)
	}
	return act, nil
}

// plainAction returns the action without data that name spells.
func plainAction(name string) (filter.Action, bool) {
	switch name {
	case "allow":
		return filter.Allow, true
	case "kill-process":
		return filter.KillProcess, true
	case "kill-thread":
		return filter.KillThread, true
	case "log":
		return filter.Log, true
	case "notify":
		return filter.Notify, true
	}
	return 0, false
}

// maxErrno is the largest error number a system call can return
// (MAX_ERRNO in include/linux/err.h); seccomp caps SECCOMP_RET_ERRNO data
// at it.
const maxErrno = 4095

// parseErrno reads an error number given as a decimal number from 0 to
// 4095 or as a name ("EPERM", "enosys") that abi's table resolves (error
// numbers differ between architectures); abi may be nil when s is a
// number. On failure it returns the reason.
func parseErrno(s string, abi *tables.ABI) (uint16, string) {
	if s == "" {
		return 0, "errno is empty"
	}
	if c := s[0]; c >= '0' && c <= '9' || c == '-' || c == '+' {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil || n > maxErrno {
			return 0, fmt.Sprintf("%q is not an error number from 0 to %d", s, maxErrno)
		}
		return uint16(n), ""
	}
	if abi == nil {
		return 0, fmt.Sprintf("%q: error names need an ABI, whose numbers they take", s)
	}
	n, ok := abi.Errno(strings.ToUpper(s))
	if !ok {
		return 0, fmt.Sprintf("%q is not an error name on %s", s, abi.Name)
	}
	return n, ""
}
