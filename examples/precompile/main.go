// Command precompile runs a command under Docker's default seccomp
// profile, compiled ahead of time by go generate: it installs the
// finished program and executes the command, compiling nothing.
//
//	precompile sh -c 'echo hello'
package main

// The files zprofile_linux_<goarch>.go hold the program for each GOARCH,
// and zprofile_other.go an empty one for other platforms. The kernel is
// fixed so that the files do not depend on the machine that generates
// them.
//go:generate go run github.com/sysfence/seccomp/cmd/sysfence compile --quiet --profile docker-default --kernel 6.1 --format go --package main -o zprofile

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	seccomp "github.com/sysfence/seccomp"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "precompile:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: precompile COMMAND [ARG...]")
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		return err
	}
	// NewProgram verifies the program and checks it covers programABIs.
	prog, err := seccomp.NewProgram(programInsns, programABIs...)
	if err != nil {
		return err
	}
	if err := prog.Install(); err != nil {
		return err
	}
	return syscall.Exec(path, args, os.Environ())
}
