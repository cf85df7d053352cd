package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func init() {
	register(command{
		name:    "simulate",
		summary: "run a raw seccomp program on one system call and print the action",
		run:     runSimulate,
	})
}

const simulateSynopsis = `[--arch ABI] [--call-arch ABI] FILE SYSCALL [ARG...]

Run the program in FILE (raw sock_filter records in the byte order of
--arch) on a call of SYSCALL, a name or a number, with up to six
arguments, made through --call-arch (default: --arch), and print the
action it returns and how many instructions ran. --call-arch x86 on an
x86_64 program shows what an int 0x80 call meets.`

func runSimulate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("simulate", simulateSynopsis, stderr)
	arch := fs.String("arch", "", "`ABI` of the program (default: the native ABI, "+inspectNativeName()+")")
	callArch := fs.String("call-arch", "", "`ABI` the call is made through (default: --arch)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 2 || fs.NArg() > 8 {
		return usageError{fmt.Errorf("want FILE SYSCALL [ARG...] with at most 6 ARGs, got %d arguments", fs.NArg())}
	}
	abi, err := abiFlag(*arch)
	if err != nil {
		return err
	}
	call := abi
	if *callArch != "" {
		if call, err = abiFlag(*callArch); err != nil {
			return err
		}
	}
	data := filter.SeccompData{Arch: call.Audit}
	nr, err := syscallNumber(call, fs.Arg(1))
	if err != nil {
		return err
	}
	data.Nr = int32(nr)
	for i, a := range fs.Args()[2:] {
		if data.Args[i], err = strconv.ParseUint(a, 0, 64); err != nil {
			return usageError{fmt.Errorf("argument %d: %q is not a number", i, a)}
		}
	}
	prog, err := inspectArgs{file: fs.Arg(0), abi: abi}.program()
	if err != nil {
		return err
	}
	res, err := filter.Run(prog, &data, abi.ByteOrder())
	if err != nil {
		return err
	}
	name, _ := call.SyscallName(nr)
	if name == "" {
		name = "not in the table"
	}
	fmt.Fprintf(stdout, "arch:   %s (%#x)\n", call.Name, call.Audit)
	fmt.Fprintf(stdout, "nr:     %d (%s)\n", nr, name)
	fmt.Fprintf(stdout, "action: %s\n", describeAction(res.Ret, call))
	fmt.Fprintf(stdout, "steps:  %d\n", res.Steps)
	return nil
}

// syscallNumber reads a syscall name of abi, or any number.
func syscallNumber(abi *tables.ABI, s string) (uint32, error) {
	if n, err := strconv.ParseUint(s, 0, 32); err == nil {
		return uint32(n), nil
	}
	if n, ok := abi.Number(s); ok {
		return n, nil
	}
	return 0, unknownName(s, abi.Name)
}

// describeAction spells an action, with the errno's name on abi.
func describeAction(a filter.Action, abi *tables.ABI) string {
	if a.Kind() == filter.ErrnoBase {
		if name, ok := abi.ErrnoName(a.Data()); ok {
			return fmt.Sprintf("%s (%s)", a, name)
		}
	}
	return a.String()
}
