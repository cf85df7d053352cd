package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

var verifyCommand = &command{
	name:         "verify",
	summary:      "prove a raw seccomp program decides every call as a policy says",
	interspersed: true,
	usage: `[--arch ABI] FILE [--builtin NAME | --deny NAMES | --allow NAMES | --profile FILE]
	[--errno E] [--default ACTION] [--foreign ACTION] [--unknown ACTION]
	[--caps CAPS] [--kernel X.Y] [--strict] [--first-match]

Prove that the program in FILE decides every system call exactly as the
policy the flags describe, as compile describes it: every arch value,
number, instruction pointer and argument word, not a sample. The program
is computed exactly, path by path, as a function of seccomp_data, and
compared with the policy's meaning (each rule's conditions in order, then
--default, --unknown and --foreign). On success it prints "proved" and
exits 0; otherwise it prints one call where they differ, with both
answers, and exits 1. A --deny, --allow or built-in policy covers the
ABIs the program checks for; a profile covers the ABIs it names for
--arch. FILE may come from any compiler: this one, libseccomp's
seccomp_export_bpf, gVisor, or a hand-written filter.

` + inspectHelp,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		var pf policyFlags
		pf.define(fs, true)
		arch := archFlag(fs, "arch", programArch)
		return func(inv *invocation) error {
			pf.parsed(fs)
			return runVerify(inv, &pf, *arch)
		}
	},
}

func runVerify(inv *invocation, pf *policyFlags, arch string) error {
	if len(inv.args) != 1 {
		return usagef("want FILE, the program to verify, got %d arguments", len(inv.args))
	}
	file := inv.args[0]
	prog, err := readProgram(inv, file, arch)
	if err != nil {
		return err
	}
	abis := prog.ABIs()
	p, err := pf.policy(abis[0])
	if err != nil {
		return err
	}
	if !pf.prof.given() {
		p.ABIs = abis // the flags say what to do, the program for which ABIs
	}
	fmt.Fprint(inv.stderr, pf.pending.String())
	ce, err := p.Prove(prog)
	if err != nil {
		return err
	}
	names := abiNames(p.ABIs)
	if ce == nil {
		fmt.Fprintf(inv.stdout, "proved: %s decides every call as the policy says (%s)\n", file, names)
		return nil
	}
	fmt.Fprintf(inv.stdout, "counterexample: %s\n  program: %s\n  policy:  %s\n", ce, ce.A, ce.B)
	return exitCode(exitInput)
}

// abiNames lists ABIs for messages: "x86_64, x86".
func abiNames(abis []*tables.ABI) string {
	names := make([]string, len(abis))
	for i, a := range abis {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}
