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
// or written, an install that fails). run and learn, which run a
// command, exit as env(1) does instead: 125 for a failure of their own,
// 126 for a command that cannot be executed, 127 for one that is not
// found, and otherwise as the command does.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/notify"
	"github.com/sysfence/seccomp/profile"
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
	// execs says that the command runs another (run, learn): it exits
	// as env(1) does when it fails (execStatus), and otherwise as the
	// command it ran.
	execs bool
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
	line []string
	args []string // the arguments left after the flags
	// given holds the names of the flags the command line set, the one
	// record of them every part of the command consults.
	given          map[string]bool
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ error }

// runtimeError is a failure of the system (exit status 3).
type runtimeError struct{ error }

func (e usageError) Unwrap() error   { return e.error }
func (e runtimeError) Unwrap() error { return e.error }

// unknownFlagError is an unknown flag for which a suggestion is made.
type unknownFlagError struct{ error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func main() {
	notify.Init() // the helper half of run --supervise and learn
	initWatch()   // the watcher of run
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
		var names []string
		for _, c := range commands {
			names = append(names, c.name)
		}
		hint := didYouMean(args[0], names)
		if hint == "" {
			hint = " (see sysfence help)"
		}
		fmt.Fprintf(stderr, "sysfence: unknown command %q%s\n", args[0], hint)
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
	if c.execs {
		return execStatus(err)
	}
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

// message returns err as one line in sysfence's terms. The libraries'
// sentinel errors start with their package's name ("seccomp: invalid
// rule"), which means nothing to a user of the command: message renders
// the error's chain, replacing each sentinel by its text without that
// name, found by identity, and the typed errors that repeat a package's
// name by their fields. Text around a wrapped error (a file name, which
// may hold anything) is kept as it is.
func message(err error) string {
	return strings.ReplaceAll(render(err), "\n", "; ")
}

// sentinels are the libraries' sentinel errors, each with its text for
// a message.
var sentinels = map[error]string{}

func init() {
	for _, e := range []error{
		seccomp.ErrInvalidAction, seccomp.ErrUnknownSyscall, seccomp.ErrInvalidRule, seccomp.ErrInvalidPolicy,
		seccomp.ErrUnknownBuiltin, seccomp.ErrNotNative, seccomp.ErrNotProgram, seccomp.ErrInvalidFlags, seccomp.ErrThreadSync, seccomp.ErrInvalidCall,
		filter.ErrTooLong, filter.ErrLabel, filter.ErrJump, filter.ErrInvalid,
		profile.ErrSyntax, profile.ErrUnknownField, profile.ErrInvalid, profile.ErrMissingSyscall,
		profile.ErrUncoveredArch, profile.ErrOverlap, profile.ErrUnconfined,
		notify.ErrGone, notify.ErrTargetsExited, notify.ErrClosed, notify.ErrMemory, notify.ErrSockaddr, notify.ErrCannotEmulate,
	} {
		_, text, _ := strings.Cut(e.Error(), ": ")
		sentinels[e] = text
	}
}

// leaf renders an error that wraps nothing. One that errors.New made in
// a package of this module is a sentinel the list above lacks (a newer
// one): its text starts with the package's name, which goes.
func leaf(err error) string {
	text := err.Error()
	if fmt.Sprintf("%T", err) != "*errors.errorString" {
		return text
	}
	for _, pkg := range []string{"seccomp", "filter", "tables", "profile", "notify"} {
		if rest, ok := strings.CutPrefix(text, pkg+": "); ok {
			return rest
		}
	}
	return text
}

// render writes err: a sentinel as its text, the typed errors that name
// their package by their fields, and any other wrapper as its own text
// with the wrapped error's rendering in place of the wrapped error's text.
func render(err error) string {
	if text, ok := sentinels[err]; ok {
		return text
	}
	switch e := err.(type) {
	case interface{ Unwrap() []error }: // errors.Join, or fmt.Errorf with several %w
		text, out := err.Error(), ""
		for _, inner := range e.Unwrap() {
			i := strings.Index(text, inner.Error())
			if i < 0 {
				return err.Error()
			}
			out += text[:i] + render(inner)
			text = text[i+len(inner.Error()):]
		}
		return out + text
	case *seccomp.PolicyError:
		where := e.Field
		if e.Syscall != "" {
			where += " (" + e.Syscall + ")"
		}
		if e.ABI != "" {
			where += " on " + e.ABI
		}
		return where + ": " + render(e.Err)
	case *notify.ConnectRuleError:
		return fmt.Sprintf("connect rule %q: %s", e.Rule, e.Reason)
	case *notify.RouteError:
		return strings.TrimPrefix(e.Error(), "notify: ") // the type's one sentence, of fields alone
	case *profile.PathError:
		if e.Value != "" {
			return e.Path + ": " + render(e.Err) + " " + e.Value
		}
		return e.Path + ": " + render(e.Err)
	}
	inner := errors.Unwrap(err)
	if inner == nil {
		return leaf(err)
	}
	text, innerText := err.Error(), inner.Error()
	if i := strings.LastIndex(text, innerText); i >= 0 {
		return text[:i] + render(inner) + text[i+len(innerText):]
	}
	return text
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
1 bad input, 2 usage error, 3 system failure. run and learn exit as
their command does, or 125 if sysfence fails, 126 if the command cannot
be executed, 127 if it is not found.
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
	var unknown unknownFlagError
	if errors.As(err, &unknown) {
		return usageError{err}
	}
	if err != nil {
		return usagef("%v (see sysfence help %s)", err, c.name)
	}
	line := append([]string{c.name}, args...)
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return main(&invocation{name: c.name, line: line, args: rest, given: given, stdin: stdin, stdout: stdout, stderr: stderr})
}

// argCount refuses a number of arguments outside min..max (max < 0: no
// limit); want is what the command takes, as in "one FILE (- for
// stdin)". Every command checks its arguments through it.
func (inv *invocation) argCount(min, max int, want string) error {
	n := len(inv.args)
	switch {
	case n >= min && (max < 0 || n <= max):
		return nil
	case max == 0 && want == "":
		return usagef("%s takes no arguments, got %q (see sysfence help %s)", inv.name, inv.args, inv.name)
	}
	return usagef("want %s, got %d arguments (see sysfence help %s)", want, n, inv.name)
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
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if f == nil && name != "h" && name != "help" {
			var names []string
			fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
			if hint := didYouMean("--"+name, names); hint != "" {
				return nil, unknownFlagError{fmt.Errorf("unknown flag %s%s", a, hint)}
			}
			return nil, fmt.Errorf("unknown flag %s", a)
		}
		if f != nil && !isBoolFlag(f) && len(args) > 1 && !strings.Contains(a, "=") {
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
