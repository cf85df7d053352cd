package filter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// ErrErrno reports an error number that ParseErrno cannot read.
var ErrErrno = errors.New("filter: bad errno")

// maxErrno is the largest error number a system call can return
// (MAX_ERRNO in include/linux/err.h); seccomp caps SECCOMP_RET_ERRNO data
// at it.
const maxErrno = 4095

// ParseAction reads an action as the command line spells it, the way
// Action.String writes it: "allow", "kill-process", "kill-thread", "trap",
// "log", "notify", "errno:N" and "trace:N". The errno may be a number or a
// name such as EPERM, resolved on abi (error numbers differ between
// architectures); abi may be nil when no name is used. Errors wrap
// ErrAction or ErrErrno and quote the part that is wrong.
func ParseAction(s string, abi *tables.ABI) (Action, error) {
	kind, arg, hasArg := strings.Cut(s, ":")
	switch strings.ToLower(kind) {
	case "errno":
		if !hasArg {
			return 0, fmt.Errorf("%w %q: errno needs a number or name, as in errno:EPERM", ErrAction, s)
		}
		n, err := ParseErrno(arg, abi)
		if err != nil {
			return 0, fmt.Errorf("action %q: %w", s, err)
		}
		return Errno(n), nil
	case "trace":
		if !hasArg {
			return 0, fmt.Errorf("%w %q: trace needs a message number, as in trace:1", ErrAction, s)
		}
		n, err := strconv.ParseUint(arg, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("%w %q: trace message %q is not a number from 0 to 65535", ErrAction, s, arg)
		}
		return Trace(uint16(n)), nil
	}
	act, ok := plainAction(strings.ToLower(kind))
	if !ok {
		return 0, fmt.Errorf("%w %q (want allow, kill-process, kill-thread, trap, log, notify, errno:N or trace:N)", ErrAction, s)
	}
	if hasArg {
		return 0, fmt.Errorf("%w %q: %s takes no %q", ErrAction, s, kind, ":"+arg)
	}
	return act, nil
}

// plainAction returns the action without data that name spells.
func plainAction(name string) (Action, bool) {
	switch name {
	case "allow":
		return Allow, true
	case "kill-process":
		return KillProcess, true
	case "kill-thread":
		return KillThread, true
	case "trap":
		return Trap, true
	case "log":
		return Log, true
	case "notify":
		return Notify, true
	}
	return 0, false
}

// ParseErrno reads an error number, 0 to 4095, given as a decimal number
// or as a name ("EPERM", "enosys") that abi's table resolves. abi may be
// nil when s is a number. Errors wrap ErrErrno.
func ParseErrno(s string, abi *tables.ABI) (uint16, error) {
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrErrno)
	}
	if c := s[0]; c >= '0' && c <= '9' || c == '-' || c == '+' {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil || n > maxErrno {
			return 0, fmt.Errorf("%w %q: not a number from 0 to %d", ErrErrno, s, maxErrno)
		}
		return uint16(n), nil
	}
	if abi == nil {
		return 0, fmt.Errorf("%w %q: error names need an ABI, whose numbers they take", ErrErrno, s)
	}
	n, ok := abi.Errno(strings.ToUpper(s))
	if !ok {
		return 0, fmt.Errorf("%w %q: no such error name on %s", ErrErrno, s, abi.Name)
	}
	return n, nil
}
