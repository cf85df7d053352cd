package notify

import (
	"context"
	"fmt"

	"github.com/sysfence/seccomp"
)

// Limits on what ReadExec reads: PATH_MAX of include/uapi/linux/limits.h
// for the path, and for argv as many strings, each of at most a page's
// worth of bytes times 32 (MAX_ARG_STRLEN of include/uapi/linux/binfmts.h
// on 4 KiB pages).
const (
	maxPath   = 4096
	maxArgs   = 4096
	maxArgLen = 32 * 4096
)

// Exec is a program execution as the caller asked for it.
type Exec struct {
	// Path is the pathname, relative to the caller's working directory
	// (or, for execveat, to Dirfd) unless absolute.
	Path string
	// Argv is the argument vector.
	Argv []string
	// Dirfd and Flags are execveat's; Dirfd is AT_FDCWD (-100) for
	// execve.
	Dirfd int32
	Flags uint32
}

// ReadExec reads the path and argv of an execve or execveat notification
// of the native ABI from the caller's memory, as ReadMemory does.
func (r *Request) ReadExec() (Exec, error) {
	pathArg, argvArg := 0, 1
	e := Exec{Dirfd: -100}
	switch {
	case isNative(r, "execve"):
	case isNative(r, "execveat"):
		pathArg, argvArg = 1, 2
		e.Dirfd, e.Flags = int32(r.Data.Args[0]), uint32(r.Data.Args[4])
	default:
		return e, fmt.Errorf("notify: ReadExec: system call %s is not execve or execveat of %s", r.SyscallName(), nativeName())
	}
	var err error
	if e.Path, err = r.ReadString(r.Data.Args[pathArg], maxPath); err != nil {
		return e, err
	}
	if r.Data.Args[argvArg] != 0 {
		e.Argv, err = r.ReadStrings(r.Data.Args[argvArg], maxArgs, maxArgLen)
	}
	return e, err
}

func nativeName() string {
	abi, err := seccomp.NativeABI()
	if err != nil {
		return "no native ABI"
	}
	return abi.Name
}

// LogExec returns a Handler for execve and execveat notifications that
// calls log with what the caller executes (or the error reading it) and
// lets the call run. What it logs is what the caller's memory held when
// it was read; see the package documentation on Continue.
func LogExec(log func(req *Request, e Exec, err error)) Handler {
	return HandlerFunc(func(_ context.Context, req *Request) Response {
		e, err := req.ReadExec()
		log(req, e, err)
		return Continue()
	})
}
