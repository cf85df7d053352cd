// Command sandbox runs a command in a bubblewrap sandbox under a seccomp
// profile: it compiles the profile (Docker's default, or -profile FILE)
// for this machine and hands the program to bwrap --seccomp on a file
// descriptor.
//
//	sandbox -profile my.json -- sh -c 'echo hello'
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"

	"github.com/sysfence/seccomp/profile"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	file := fs.String("profile", "", "profile JSON (default: Docker's default profile)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("usage: sandbox [-profile FILE] -- COMMAND [ARG...]")
	}
	cmd, err := command(*file, fs.Args())
	if err != nil {
		return err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = start(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if exit, ok := err.(*exec.ExitError); ok {
		os.Exit(exit.ExitCode())
	}
	return err
}

// command returns the bwrap command that runs args under the profile in
// file (Docker's default when file is ""), resolved for this machine.
func command(file string, args []string) (*exec.Cmd, error) {
	var p *profile.Profile
	var err error
	if file == "" {
		p, err = profile.Default()
	} else {
		var data []byte
		if data, err = os.ReadFile(file); err == nil {
			p, err = profile.Parse(data)
		}
	}
	if err != nil {
		return nil, err
	}
	res, err := p.Translate(nil)
	if err != nil {
		return nil, err
	}
	for _, m := range res.Missing {
		fmt.Fprintln(os.Stderr, "sandbox: note:", m)
	}
	prog, err := res.Compile()
	if err != nil {
		return nil, err
	}
	f, err := prog.File()
	if err != nil {
		return nil, err
	}
	// ExtraFiles[0] is descriptor 3 in bwrap, which reads the program
	// from it before it executes the command.
	bw := []string{"--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
		"--unshare-pid", "--die-with-parent", "--seccomp", "3", "--"}
	cmd := exec.Command("bwrap", append(bw, args...)...)
	cmd.ExtraFiles = []*os.File{f}
	return cmd, nil
}

// start starts cmd and closes its program file, which bwrap has its own
// copy of once started.
func start(cmd *exec.Cmd) error {
	err := cmd.Start()
	for _, f := range cmd.ExtraFiles {
		f.Close()
	}
	return err
}
