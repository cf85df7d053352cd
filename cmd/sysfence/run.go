package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"syscall"

	"github.com/sysfence/seccomp"
)

func init() {
	register(command{
		name:    "run",
		summary: "run a command under a seccomp filter",
		run:     runRun,
	})
}

const runSynopsis = `[--builtin NAME | --deny NAMES | --allow NAMES] [--errno E]
	[--default ACTION] [--foreign ACTION] -- CMD [ARGS...]

Install a filter on this process and execute CMD in its place, so CMD and
everything it starts run under the filter. With neither --deny nor --allow
the filter is a built-in policy, precompiled: "sandbox" unless --builtin
names "sandbox-strict", which also refuses new namespaces. Since the process image is
replaced, CMD's exit status and the signal that ends it are sysfence's own:
the caller sees them unchanged. The filter covers the ABI sysfence was
built for, so build it for the machine's (GOARCH=amd64 on x86_64): a 386
sysfence kills an x86_64 CMD at its first system call.

An allowlist must name execve, and every call the Go runtime makes between
the install and the exec (futex, mmap, rt_sigprocmask, ...): with the
default kill-process, a call it misses kills sysfence before CMD starts.`

func runRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", runSynopsis, stderr)
	var pf policyFlags
	pf.register(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	pf.parsed(fs)
	if fs.NArg() == 0 {
		return usageError{errors.New("no command given")}
	}
	// Resolve the command before the filter can get in the way.
	path, err := exec.LookPath(fs.Arg(0))
	if err != nil {
		return err
	}
	prog, err := runProgram(&pf, stderr)
	if err != nil {
		return err
	}
	if err := prog.Install(); err != nil {
		return err
	}
	err = syscall.Exec(path, fs.Args(), os.Environ())
	return fmt.Errorf("exec %s: %w", path, err)
}

// runProgram returns the precompiled built-in program, or compiles the
// policy the flags describe.
func runProgram(pf *policyFlags, stderr io.Writer) (*seccomp.Program, error) {
	if !pf.custom() {
		prog, err := seccomp.Builtin(pf.builtin)
		if errors.Is(err, seccomp.ErrUnknownBuiltin) {
			return nil, usageError{err}
		}
		return prog, err
	}
	if pf.set["allow"] {
		names, err := nameList("allow", pf.allow)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(names, "execve") {
			return nil, usageError{errors.New("--allow must name execve, or the command cannot start")}
		}
	}
	p, _, err := pf.policy()
	if err != nil {
		return nil, err
	}
	return compilePolicy(p, stderr)
}
