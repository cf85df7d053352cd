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
	// ErrInvalidAction: an Action that Resolve cannot read.
	ErrInvalidAction = errors.New("seccomp: invalid action")
	// ErrUnknownSyscall: a rule names a system call no ABI knows.
	ErrUnknownSyscall = errors.New("seccomp: unknown system call")
	// ErrInvalidRule: a rule that can never match, since it follows a
	// rule without conditions for the same system call or its ABIs list
	// is empty. (A malformed condition is reported by filter.Compile,
	// with its own errors.)
	ErrInvalidRule = errors.New("seccomp: invalid rule")
	// ErrInvalidPolicy: a policy whose ABIs cannot share one program.
	ErrInvalidPolicy = errors.New("seccomp: invalid policy")
	// ErrUnknownBuiltin: Builtin or BuiltinPolicy was given a name
	// BuiltinNames does not list.
	ErrUnknownBuiltin = errors.New("seccomp: unknown built-in policy")
	// ErrNotNative: a program that does not cover the native ABI cannot
	// be installed.
	ErrNotNative = errors.New("seccomp: program does not cover the native ABI")
	// ErrInvalidFlags: a combination of install flags the kernel refuses.
	ErrInvalidFlags = errors.New("seccomp: invalid install flags")
	// ErrThreadSync is wrapped by ThreadSyncError.
	ErrThreadSync = errors.New("seccomp: a thread could not be synchronised")
)

// UnknownSyscallError reports a system-call name that no ABI in package
// tables knows, with the nearest known names. It wraps ErrUnknownSyscall.
type UnknownSyscallError struct {
	Name        string
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
type ThreadSyncError struct{ TID int }

func (e *ThreadSyncError) Error() string {
	if e.TID == 0 {
		return fmt.Sprintf("%v (ESRCH)", ErrThreadSync)
	}
	return fmt.Sprintf("%v: thread %d has seccomp state the new filter does not extend", ErrThreadSync, e.TID)
}

// Unwrap returns ErrThreadSync.
func (e *ThreadSyncError) Unwrap() error { return ErrThreadSync }
