package libseccomp

import (
	"errors"
	"fmt"
	"strings"
)

// Errors wrapped, with the JSON path of the value at fault, by the
// functions of this package.
var (
	// ErrSyntax: the input is not JSON, or a value has the wrong JSON
	// type.
	ErrSyntax = errors.New("profile: invalid JSON")
	// ErrUnknownField: a field the format does not define (an error
	// only with Options.Strict; Parse lists them in Profile.UnknownFields).
	ErrUnknownField = errors.New("profile: unknown field")
	// ErrInvalid: a value the format does not allow (an unknown action,
	// operator or architecture, an argument index over 5, …).
	ErrInvalid = errors.New("profile: invalid value")
	// ErrMissingSyscall: with Options.Strict, a system call an ABI the
	// profile covers does not have.
	ErrMissingSyscall = errors.New("profile: system call missing on an ABI")
	// ErrUncoveredArch: with Options.Strict, an architecture the profile
	// names that package tables has no table for (since ppc, s390, m68k,
	// sh and parisc have theirs, none that libseccomp knows).
	ErrUncoveredArch = errors.New("profile: architecture without a table")
	// ErrOverlap: two rules for one system call give different actions
	// to some arguments both match. libseccomp decides between them by
	// the order of its internal decision tree, which no rule order
	// reproduces; Options.FirstMatch lets the profile's order decide.
	ErrOverlap = errors.New("profile: overlapping rules with different actions")
	// ErrByteOrder: the profile names an architecture whose byte
	// order is not the native ABI's. libseccomp refuses to add it
	// (EDOM), and runc fails to start the container: the profile is
	// for machines of the other byte order. It wraps ErrInvalid.
	ErrByteOrder = fmt.Errorf("%w: architectures of two byte orders", ErrInvalid)
	// ErrMaskedDatum: an SCMP_CMP_MASKED_EQ condition whose datum
	// (valueTwo) has bits outside its mask (value); libseccomp compares
	// (arg & mask) == (datum & mask), and so does the translation, but
	// value and valueTwo may have been written the other way round. A
	// warning, an error with Options.Strict.
	ErrMaskedDatum = errors.New("profile: masked datum has bits outside its mask")
	// ErrMultiplexed: on an ABI with socketcall or ipc, libseccomp's rule
	// for the multiplexed form of a call is weaker than the rule for the
	// call itself, or checks another argument; the translation decides
	// as libseccomp does. A warning, an error with Options.Strict.
	ErrMultiplexed = errors.New("profile: libseccomp's multiplexed rule differs from the direct rule")
	// ErrUnconfined: the profile has neither a default action nor
	// rules, which Docker takes as "no seccomp filter".
	ErrUnconfined = errors.New("profile: empty profile means unconfined")
)

// PathError reports a value of a profile, by its JSON path
// ("syscalls[12].args[0].op") and the value as written.
type PathError struct {
	Path  string
	Value string // as written in the profile; "" when there is none
	Err   error  // wraps one of the Err… sentinels
}

// Error writes "profile: syscalls[12].args[0].op: unknown operator "SCMP_CMP_FOO"".
func (e *PathError) Error() string {
	// The sentinels start with the package's name, which the
	// sentence already has.
	msg := strings.TrimPrefix(e.Err.Error(), "profile: ")
	if e.Value != "" {
		return fmt.Sprintf("profile: %s: %s %s", e.Path, msg, e.Value)
	}
	return fmt.Sprintf("profile: %s: %s", e.Path, msg)
}

func (e *PathError) Unwrap() error { return e.Err }

// pathErr returns a *PathError whose Err wraps sentinel with a reason.
// PathErr returns a *PathError whose reason is format with args and
// which wraps sentinel.
func PathErr(path, value string, sentinel error, format string, args ...any) *PathError {
	return &PathError{Path: path, Value: value, Err: &reasonError{sentinel, fmt.Sprintf(format, args...)}}
}

// reasonError is a sentinel with the reason in the caller's words: its
// message is the reason alone, so that PathError reads as one sentence.
type reasonError struct {
	sentinel error
	reason   string
}

func (e *reasonError) Error() string { return e.reason }
func (e *reasonError) Unwrap() error { return e.sentinel }
