package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func init() {
	register(command{
		name:    "compile",
		summary: "compile a deny- or allowlist into a seccomp program for bwrap --seccomp",
		run:     runCompile,
	})
}

const compileSynopsis = `[--builtin NAME | --deny NAMES | --allow NAMES] [--errno E]
	[--default ACTION] [--foreign ACTION] [--arch ABI] [--format bpf|disasm] [-o FILE]

Compile a policy for one ABI and write it: as raw struct sock_filter
records in the ABI's byte order (bpf, what bwrap --seccomp FD reads), or
as bpf_asm text (disasm). With neither --deny nor --allow the policy is the
built-in --builtin NAME ("sandbox" by default). ACTION is kill-process, kill-thread, trap,
errno:E, notify, trace:N, log or allow. Names the ABI does not have are
skipped and reported on stderr.`

func runCompile(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compile", compileSynopsis, stderr)
	var pf policyFlags
	pf.register(fs, true)
	format := fs.String("format", "bpf", "output `FORMAT`: bpf or disasm")
	out := fs.String("o", "", "write to `FILE` instead of standard output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	pf.parsed(fs)
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if *format != "bpf" && *format != "disasm" {
		return usageError{fmt.Errorf("--format %q: want bpf or disasm", *format)}
	}
	p, abi, err := pf.policy()
	if err != nil {
		return err
	}
	prog, err := compilePolicy(p, stderr)
	if err != nil {
		return err
	}
	note := x32Note(abi, p.Foreign)
	if *out == "" {
		if *format == "bpf" && isTerminal(stdout) {
			return usageError{errors.New("not writing a binary program to a terminal; use -o FILE or --format disasm")}
		}
		return write(stdout, prog, abi, *format, note, stderr)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := write(f, prog, abi, *format, note, stderr); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// write writes the program in format. The x32 note goes into disasm text
// as a comment, and to stderr beside a binary program.
func write(w io.Writer, prog *seccomp.Program, abi *tables.ABI, format, note string, stderr io.Writer) error {
	if format == "bpf" {
		if note != "" {
			fmt.Fprintln(stderr, "sysfence:", note)
		}
		_, err := prog.WriteTo(w)
		return err
	}
	text := fmt.Sprintf("; %s, %d instructions\n", abi.Name, prog.Len())
	if note != "" {
		text += "; " + note + "\n"
	}
	_, err := io.WriteString(w, text+filter.Disassemble(prog.Instructions(), abi))
	return err
}

// x32Note says what a program for x86_64 does with x32 numbers, which
// share x86_64's AUDIT_ARCH value.
func x32Note(abi *tables.ABI, foreign seccomp.Action) string {
	if abi.Name != tables.X86_64.Name {
		return ""
	}
	return fmt.Sprintf("x32 calls (numbers with bit %#x set) get the foreign action, %s", tables.X32.NrBit, foreign)
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
