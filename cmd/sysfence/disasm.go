package main

import (
	"flag"
	"io"

	"github.com/sysfence/seccomp/filter"
)

var disasmCommand = &command{
	name:         "disasm",
	summary:      "print a raw seccomp program in bpf_asm syntax",
	interspersed: true,
	usage: `[--arch ABI] FILE

Print the program in FILE in the syntax of the kernel's bpf_asm, with
system-call, ABI and errno names in comments.

` + inspectHelp,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		arch := archFlag(fs, "arch", programArch)
		return func(inv *invocation) error {
			if err := inv.argCount(1, 1, "one FILE (- for stdin)"); err != nil {
				return err
			}
			prog, err := readProgram(inv, inv.args[0], *arch)
			if err != nil {
				return err
			}
			_, err = io.WriteString(inv.stdout, filter.Disassemble(prog.Instructions(), prog.ABIs()...))
			return err
		}
	},
}
