package seccomp

import (
	"errors"
	"fmt"
	"strings"
)

// Errors wrapped, with context, by the functions of this package. Besides
// these, an operation the system cannot do wraps errors.ErrUnsupported, and
// a failed system call wraps its syscall.Errno.
var (
	// ErrInvalidAction: an Action that Resolve cannot read (wrapped by
	// ActionError).
	ErrInvalidAction = errors.New("seccomp: invalid action")
	// ErrUnknownSyscall: a rule names a system call no ABI knows.
	ErrUnknownSyscall = errors.New("seccomp: unknown system call")
	// ErrInvalidRule: a rule with a malformed condition, or one that
	// could never apply: it follows a rule without conditions for the
	// same system call, or its ABIs list is empty.
	ErrInvalidRule = errors.New("seccomp: invalid rule")
	// ErrInvalidPolicy: ABIs that cannot share one program (none, nil,
	// repeated, or of two byte orders), given to Policy, NewProgram or
	// ReadProgram; or a program that NewProgram or ReadProgram is told
	// covers ABIs it does not check for.
	ErrInvalidPolicy = errors.New("seccomp: invalid policy")
	// ErrUnknownBuiltin: Builtin or BuiltinPolicy was given a name
	// BuiltinNames does not list.
	ErrUnknownBuiltin = errors.New("seccomp: unknown built-in policy")
	// ErrNotNative: a program that does not cover the native ABI cannot
	// be installed.
	ErrNotNative = errors.New("seccomp: program does not cover the native ABI")
	// ErrInvalidFlags: a combination of install flags the kernel refuses.
	ErrInvalidFlags = errors.New("seccomp: invalid install flags")
	// ErrNotProgram: ReadProgram was given bytes that are no program in
	// either byte order; the error wraps the reason too (filter.ErrInvalid).
	ErrNotProgram = errors.New("seccomp: not a program in either byte order")
	// ErrThreadSync is wrapped by ThreadSyncError.
	ErrThreadSync = errors.New("seccomp: a thread could not be synchronised")
)

// UnknownSyscallError reports a system-call name that no ABI in package
// tables knows, with the nearest known names. It wraps ErrUnknownSyscall.
type UnknownSyscallError struct {
	// Name is the name as the rule wrote it.
	Name string
	// Suggestions are the nearest names some ABI knows, nearest first.
	Suggestions []string
}

func (e *UnknownSyscallError) Error() string {
	if len(e.Suggestions) == 0 {
		return fmt.Sprintf("%v %q", ErrUnknownSyscall, e.Name)
	}
	return fmt.Sprintf("%v %q (did you mean %s?)", ErrUnknownSyscall, e.Name, strings.Join(e.Suggestions, ", "))
}

// Unwrap returns ErrUnknownSyscall.
func (e *UnknownSyscallError) Unwrap() error { return ErrUnknownSyscall }

// ThreadSyncError reports the thread that kept seccomp(2) from applying a
// filter to every thread with SECCOMP_FILTER_FLAG_TSYNC: the kernel
// returns its id, and installs the filter on no thread. A thread cannot be
// synchronised when its filters are not an ancestor of the caller's (it
// installed a filter of its own without TSYNC). TID is 0 when the kernel
// was asked (FlagTSyncESRCH) to fail with ESRCH instead of naming it.
type ThreadSyncError struct {
	// TID is the thread's id, or 0 with FlagTSyncESRCH.
	TID int
}

func (e *ThreadSyncError) Error() string {
	if e.TID == 0 {
		return fmt.Sprintf("%v (ESRCH)", ErrThreadSync)
	}
	return fmt.Sprintf("%v: thread %d has seccomp state the new filter does not extend", ErrThreadSync, e.TID)
}

// Unwrap returns ErrThreadSync.
func (e *ThreadSyncError) Unwrap() error { return ErrThreadSync }

// ActionError reports an Action that Resolve cannot read, and why. It
// wraps ErrInvalidAction.
type ActionError struct {
	// Action is the spelling Resolve was given.
	Action Action
	// Reason says what is wrong with it, as a clause without the
	// package's name, for a caller that words its own message.
	Reason string
}

func (e *ActionError) Error() string {
	return fmt.Sprintf("%v %q: %s", ErrInvalidAction, e.Action, e.Reason)
}

// Unwrap returns ErrInvalidAction.
func (e *ActionError) Unwrap() error { return ErrInvalidAction }

// PolicyError reports a field of a Policy that Compile cannot use, in the
// terms the policy was written in: the field's path ("Default",
// "Rules[3].Args[0].Arg"), the rule's system call as written, and the ABI
// on which the problem shows, where it shows on one only. Err says what is
// wrong and wraps one of the sentinel errors (ErrInvalidRule,
// ErrInvalidAction, ErrInvalidPolicy).
type PolicyError struct {
	// Field is the path of the field as the caller wrote it:
	// "Default", "ABIs[1]", "Rules[3].Args[0].Arg".
	Field string
	// Syscall is the rule's system call as written, or "" when the
	// field is not a rule's.
	Syscall string
	// ABI is the name of the ABI on which the problem shows, or "" when
	// it shows on every one.
	ABI string
	// Err is what is wrong; it wraps one of the sentinel errors.
	Err error
}

// Error writes one sentence, context first:
//
//	seccomp: Rules[3].Args[0].Arg (ioctl): invalid rule: 6 is not an argument index (0..5)
func (e *PolicyError) Error() string {
	var b strings.Builder
	b.WriteString("seccomp: ")
	b.WriteString(e.Field)
	if e.Syscall != "" {
		fmt.Fprintf(&b, " (%s)", e.Syscall)
	}
	if e.ABI != "" {
		fmt.Fprintf(&b, " on %s", e.ABI)
	}
	b.WriteString(": ")
	// The errors of this package start with its name, which the
	// sentence already has.
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "seccomp: "))
	return b.String()
}

// Unwrap returns Err.
func (e *PolicyError) Unwrap() error { return e.Err }
