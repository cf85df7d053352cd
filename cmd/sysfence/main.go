// Command sysfence builds, inspects and applies seccomp filters.
//
// Usage:
//
//	sysfence <command> [flags] [arguments]
//
// Run "sysfence help" for the list of commands and "sysfence help
// <command>" (or "sysfence <command> --help") for one.
//
// Flags may come before or after the arguments, up to "--", in every
// command but run, whose command line starts at its first argument.
//
// Exit status: 0 on success; 1 for bad input (a system call, number or
// file that is not what it should be: an unknown name, a file that is not
// a seccomp program, --arch contradicting the program); 2 for a usage
// error (an unknown command or flag, a wrong number of arguments, a flag
// value that cannot be read, flags that conflict, a policy run cannot
// start under); 3 for a failure of the system (a file that cannot be read
// or written, an install or exec that fails). sysfence run, once it has
// executed the command, exits as the command does.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sysfence/seccomp/notify"
)

// Exit statuses, one for each kind of failure, the same in every command.
const (
	exitInput   = 1
	exitUsage   = 2
	exitRuntime = 3
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	// usage is the synopsis after "sysfence NAME", then a blank line and
	// the description.
	usage string
	// interspersed says whether flags may follow arguments; false for
	// run, whose arguments are another command line.
	interspersed bool
	// setup defines the command's flags on fs and returns the function
	// that runs the command once they are parsed.
	setup func(fs *flag.FlagSet) func(inv *invocation) error
}

// commands lists every command, in the order help shows them.
var commands = []*command{
	runCommand,
	learnCommand,
	compileCommand,
	profileCommand,
	disasmCommand,
	simulateCommand,
	verifyCommand,
	diffCommand,
	lintCommand,
	explainCommand,
	statsCommand,
	probeCommand,
	syscallsCommand,
	versionCommand,
}

// invocation is one run of a command.
type invocation struct {
	name string
	// line is the command line after "sysfence", as given, for the
	// header of generated files.
	line           []string
	args           []string // the arguments left after the flags
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ error }

// runtimeError is a failure of the system (exit status 3).
type runtimeError struct{ error }

func (e usageError) Unwrap() error   { return e.error }
func (e runtimeError) Unwrap() error { return e.error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func main() {
	notify.Init() // the helper half of run --supervise and learn
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// errHelp reports that help was printed.
var errHelp = flag.ErrHelp

// run executes the command line args and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) == 1 {
			usage(stdout)
			return 0
		}
		if len(args) > 2 {
			fmt.Fprintln(stderr, "sysfence help: want one command, as in sysfence help compile")
			return exitUsage
		}
		args = []string{args[1], "--help"}
	case "-version", "--version":
		args = []string{"version"}
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "sysfence: unknown command %q (see sysfence help)\n", args[0])
		return exitUsage
	}
	err := c.execute(args[1:], stdin, stdout, stderr)
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code) // a supervised command's, which said why itself
	}
	fmt.Fprintf(stderr, "sysfence %s: %s\n", c.name, message(err))
	return exitStatus(err)
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// exitStatus returns the status for a failure of kind err.
func exitStatus(err error) int {
	var u usageError
	var r runtimeError
	switch {
	case errors.As(err, &u):
		return exitUsage
	case errors.As(err, &r):
		return exitRuntime
	}
	return exitInput
}

// message returns err as one sentence, without the package prefixes that
// wrapped errors stack ("seccomp: ", "filter: ").
func message(err error) string {
	s := strings.ReplaceAll(err.Error(), "\n", "; ")
	for _, prefix := range []string{"seccomp: ", "filter: ", "tables: ", "profile: ", "notify: "} {
		s = strings.TrimPrefix(s, prefix)
		s = strings.ReplaceAll(s, ": "+prefix, ": ")
		s = strings.ReplaceAll(s, "; "+prefix, "; ")
	}
	return s
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: sysfence <command> [flags] [arguments]

commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "sysfence help <command>" for a command's flags. Flags may follow the
arguments (up to "--") in every command but run. Exit status: 0 success,
1 bad input, 2 usage error, 3 system failure; run exits as its command.
`)
}

// execute parses args and runs the command.
func (c *command) execute(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	// The flag package would print its error and the usage; the caller
	// prints the error once, and help only when asked for.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	main := c.setup(fs)
	rest, err := parseArgs(fs, args, c.interspersed)
	if errors.Is(err, flag.ErrHelp) {
		c.help(stdout, fs)
		return errHelp
	}
	if err != nil {
		return usagef("%v (see sysfence help %s)", err, c.name)
	}
	line := append([]string{c.name}, args...)
	return main(&invocation{name: c.name, line: line, args: rest, stdin: stdin, stdout: stdout, stderr: stderr})
}

// help writes the command's usage and flags.
func (c *command) help(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: sysfence %s %s\n", c.name, c.usage)
	var any bool
	fs.VisitAll(func(*flag.Flag) { any = true })
	if any {
		fmt.Fprintln(w, "\nflags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// parseArgs parses the flags in args and returns the other arguments.
// When interspersed, flags may follow arguments; otherwise the first
// argument ends them. "--" ends them either way. A negative number
// ("-100") is an argument, not a flag.
func parseArgs(fs *flag.FlagSet, args []string, interspersed bool) ([]string, error) {
	var rest []string
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "--":
			return append(rest, args[1:]...), nil
		case !isFlag(a) && !interspersed:
			return append(rest, args...), nil
		case !isFlag(a):
			rest, args = append(rest, a), args[1:]
			continue
		}
		// The flag, and its value when it takes one and has no "=".
		n := 1
		name := strings.TrimLeft(a, "-")
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && len(args) > 1 {
			n = 2
		}
		if err := fs.Parse(args[:n]); err != nil {
			return nil, err
		}
		args = args[n:]
	}
	return rest, nil
}

// isFlag reports whether a command-line argument is a flag: it starts
// with "-" and is neither "-" (standard input) nor a negative number.
func isFlag(a string) bool {
	return len(a) > 1 && a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
