package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

var compileCommand = &command{
	name:         "compile",
	summary:      "compile a deny- or allowlist into a seccomp program for bwrap --seccomp",
	interspersed: true,
	usage: `[--builtin NAME | --deny NAMES | --allow NAMES] [--errno E]
	[--default ACTION] [--foreign ACTION] [--arch ABI] [--format bpf|disasm] [-o FILE]

Compile a policy for one ABI and write it: as raw struct sock_filter
records in the ABI's byte order (bpf, what bwrap --seccomp FD reads), or
as bpf_asm text (disasm). With neither --deny nor --allow the policy is the
built-in --builtin NAME ("sandbox" by default). ACTION is ` + actionHelp + `.
Names the ABI does not have are skipped and reported on stderr.`,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		var pf policyFlags
		pf.define(fs)
		arch := archFlag(fs, "arch", "to compile for (default "+nativeName()+")")
		format := fs.String("format", "bpf", "output `FORMAT`: bpf or disasm")
		out := fs.String("o", "", "write to `FILE` instead of standard output")
		return func(inv *invocation) error {
			pf.parsed(fs)
			return runCompile(inv, &pf, *arch, *format, *out)
		}
	},
}

func runCompile(inv *invocation, pf *policyFlags, arch, format, out string) error {
	if len(inv.args) > 0 {
		return usagef("unexpected arguments %q", inv.args)
	}
	if format != "bpf" && format != "disasm" {
		return usagef("--format %s: want bpf or disasm", format)
	}
	abi, err := lookupABI("arch", arch)
	if err != nil {
		return err
	}
	p, err := pf.policy(abi)
	if err != nil {
		return err
	}
	prog, err := pf.compile(p, inv.stderr)
	if err != nil {
		return err
	}
	if out == "" {
		if format == "bpf" && isTerminal(inv.stdout) {
			return usagef("not writing a binary program to a terminal; use -o FILE or --format disasm")
		}
		return write(inv.stdout, prog, abi, format, p.Foreign)
	}
	f, err := os.Create(out)
	if err != nil {
		return runtimeError{err}
	}
	if err := write(f, prog, abi, format, p.Foreign); err != nil {
		f.Close()
		return runtimeError{err}
	}
	if err := f.Close(); err != nil {
		return runtimeError{err}
	}
	return nil
}

// write writes the program in format; disasm text starts with comments
// that say what it is for.
func write(w io.Writer, prog *seccomp.Program, abi *tables.ABI, format string, foreign seccomp.Action) error {
	if format == "bpf" {
		_, err := prog.WriteTo(w)
		return err
	}
	text := fmt.Sprintf("; %s, %d instructions\n", abi.Name, prog.Len())
	if abi.Name == tables.X86_64.Name {
		text += fmt.Sprintf("; x32 calls (numbers with bit %#x set) get the foreign action, %s\n", tables.X32.NrBit, foreign)
	}
	_, err := io.WriteString(w, text+filter.Disassemble(prog.Instructions(), abi))
	return err
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
