package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

var simulateCommand = &command{
	name:         "simulate",
	summary:      "run a raw seccomp program or a profile on one system call and print the action",
	interspersed: true,
	usage: `[--arch ABI] [--call-arch ABI] FILE SYSCALL [ARG...]
   or: sysfence simulate [--arch ABI] [--call-arch ABI] --profile FILE
	[--caps CAPS] [--kernel X.Y] [--strict] SYSCALL [ARG...]

Run the program in FILE on a call of SYSCALL, a name or a number, with up
to six arguments, made through --call-arch (default: --arch, or the
program's first ABI), and print the action it returns. --call-arch x86 on
an x86_64 program shows what an int 0x80 call meets, --call-arch x32 what
an x32 call meets. Numbers are the kernel's: an x32 number has bit
0x40000000 set (names get it from the table), and one without it is
refused. Arguments are numbers (0x... for hexadecimal); negative ones are
sign-extended to the word of the calling ABI, as libc passes them (-100 is
AT_FDCWD).

` + inspectHelp + `

` + inspectProfileHelp,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		arch := archFlag(fs, "arch", programArch)
		callArch := archFlag(fs, "call-arch", "the call is made through (default: --arch)")
		var pf profileFlags
		pf.defineStandalone(fs)
		return func(inv *invocation) error {
			pf.bind(inv)
			return runSimulate(inv, &pf, *arch, *callArch)
		}
	},
}

func runSimulate(inv *invocation, pf *profileFlags, arch, callArch string) error {
	if pf.isGiven() {
		if err := inv.argCount(1, 7, "SYSCALL [ARG...] with at most 6 ARGs after --profile FILE"); err != nil {
			return err
		}
	} else if err := inv.argCount(2, 8, "FILE SYSCALL [ARG...] with at most 6 ARGs"); err != nil {
		return err
	}
	var call *tables.ABI
	if inv.given["call-arch"] {
		var err error
		if call, err = parseABI("call-arch", callArch); err != nil {
			return err
		}
	}
	prog, rest, err := inspected(inv, pf, arch)
	if err != nil {
		return err
	}
	if call == nil {
		call = prog.ABIs()[0]
	}
	args := make([]uint64, len(rest)-1)
	for i, a := range rest[1:] {
		if args[i], err = parseArg(call, a); err != nil {
			return usagef("argument %d: %v", i, err)
		}
	}
	nr, err := syscallNumber(call, rest[0])
	if err != nil {
		return err
	}
	act, err := prog.EvaluateNr(call, nr, args...)
	if err != nil {
		return err
	}
	name, ok := call.SyscallName(nr)
	if !ok {
		name = "not in " + call.Name + "'s table"
	}
	fmt.Fprintf(inv.stdout, "arch:   %s (%#x)\n", call.Name, call.Audit)
	fmt.Fprintf(inv.stdout, "nr:     %d (%s)\n", nr, name)
	fmt.Fprintf(inv.stdout, "action: %s\n", act)
	return nil
}

// syscallNumber reads a system-call name of abi, or a number as the kernel
// puts it in seccomp_data.nr (negative numbers, such as the -1 debuggers
// use to skip a call, as their 32-bit two's complement).
func syscallNumber(abi *tables.ABI, s string) (uint32, error) {
	if strings.HasPrefix(s, "-") {
		if n, err := strconv.ParseInt(s, 0, 32); err == nil {
			return uint32(n), nil
		}
	}
	if n, err := strconv.ParseUint(s, 0, 32); err == nil {
		return uint32(n), nil
	}
	if n, ok := abi.Number(s); ok {
		return n, nil
	}
	return 0, unknownName(s, abi.Name)
}
