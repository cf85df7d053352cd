package main

import (
	"flag"
	"io"
)

var disasmCommand = &command{
	name:         "disasm",
	summary:      "print a raw seccomp program in bpf_asm syntax",
	interspersed: true,
	usage: `[--arch ABI] FILE

Print the program in FILE in the syntax of the kernel's bpf_asm, with
system-call, ABI and errno names in comments, after a header that names
the ABIs it covers and its length. A comparison of nr with a call's
number is commented with the call's name alone when it tests equality
("jeq #0x65 ; ptrace"), and as the comparison it is otherwise
("jlt #0x66 ; nr < 102 (getuid)": the calls below getuid's number).

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
			_, err = io.WriteString(inv.stdout, disasm(prog))
			return err
		}
	},
}
