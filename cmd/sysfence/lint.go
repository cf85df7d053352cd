package main

import (
	"encoding/json"
	"flag"
	"fmt"

	"github.com/sysfence/seccomp"
)

var lintCommand = &command{
	name:         "lint",
	summary:      "report the weaknesses of a seccomp program, each with a call that shows it",
	interspersed: true,
	usage: `[--arch ABI] [--format text|json] FILTER

Compute the exact decision of FILTER and report, one line each, with a
severity and a call that shows it:
  no-arch-check  the program never reads seccomp_data.arch (error)
  foreign-abi    calls of an ABI it does not cover reach allow (error)
  x32            x32 numbers reach allow on x86_64 (error)
  multiplexer    a call refused directly but allowed through socketcall
                 or ipc (error)
  dangerous      ptrace, bpf, mount, module loading, kexec, TIOCSTI ioctl
                 and others allowed whatever their arguments (error);
                 keyrings, io_uring, userfaultfd, perf_event_open,
                 unshare, setns and clone with CLONE_NEWUSER (warning)
  wide-compare   a decision on the high word of a 32-bit parameter, which
                 the kernel drops (error)
  enosys         clone3 or numbers newer than the table fail with an
                 errno other than ENOSYS, so libc does not fall back
                 (warning)
  kill-thread    calls that get kill-thread (warning)
  dead-code      instructions that can never run (info)
FILTER is a program file, a profile, builtin:NAME, deny:NAMES,
allow:NAMES or docker-default, as in diff. Exit status 1 when there is a
finding of severity error, else 0. --format json writes one JSON array of
findings, for CI.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		arch := archFlag(fs, "arch", "to compile policies and profiles for")
		format := fs.String("format", "text", "output `FORMAT`: text or json")
		return func(inv *invocation) error {
			return runLint(inv, *arch, *format)
		}
	},
}

// lintFinding is a finding as --format json writes it.
type lintFinding struct {
	Check    string       `json:"check"`
	Severity string       `json:"severity"`
	ABI      string       `json:"abi,omitempty"`
	Syscall  string       `json:"syscall,omitempty"`
	Message  string       `json:"message"`
	Example  *jsonExample `json:"example,omitempty"`
}

// jsonExample is a call, with numbers as strings so that JSON readers
// keep all 64 bits.
type jsonExample struct {
	Arch   string    `json:"arch"`
	Nr     int32     `json:"nr"`
	Args   [6]string `json:"args"`
	Action string    `json:"action"`
}

func runLint(inv *invocation, arch, format string) error {
	if format != "text" && format != "json" {
		return usagef("--format %s: want text or json", format)
	}
	if err := inv.argCount(1, 1, "FILTER, the filter to lint"); err != nil {
		return err
	}
	_, prog, _, err := loadFilter(inv, inv.args[0], arch)
	if err != nil {
		return err
	}
	findings, err := prog.Lint()
	if err != nil {
		return err
	}
	severe := false
	out := make([]lintFinding, 0, len(findings))
	for _, f := range findings {
		severe = severe || f.Severity == seccomp.Error
		if format == "text" {
			fmt.Fprintln(inv.stdout, f.String())
			continue
		}
		lf := lintFinding{Check: f.Check, Severity: f.Severity.String(), Syscall: f.Syscall, Message: f.Message}
		if f.ABI != nil {
			lf.ABI = f.ABI.Name
		}
		if e := f.Example; e != nil {
			lf.Example = &jsonExample{Arch: fmt.Sprintf("%#x", e.Data.Arch), Nr: e.Data.Nr, Action: string(e.A)}
			for i, a := range e.Data.Args {
				lf.Example.Args[i] = fmt.Sprintf("%#x", a)
			}
		}
		out = append(out, lf)
	}
	if format == "json" {
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(inv.stdout, "%s\n", b)
	} else if len(findings) == 0 {
		fmt.Fprintln(inv.stdout, "no findings")
	}
	if severe {
		return exitCode(exitInput)
	}
	return nil
}
