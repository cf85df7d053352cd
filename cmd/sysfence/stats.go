package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sysfence/seccomp/filter"
)

var statsCommand = &command{
	name:         "stats",
	summary:      "measure a raw seccomp program or a profile: length, steps per system call, action cache",
	interspersed: true,
	usage: `[--arch ABI] FILE
   or: sysfence stats [--arch ABI] --profile FILE [--caps CAPS] [--kernel X.Y] [--strict]

For each ABI of the program in FILE (or --arch), print its length, the
mean and largest number of instructions a system call of the ABI's table
runs through (arguments 0), and how many calls Linux's seccomp action
cache (5.11+) lets through without running the program.

` + inspectHelp + `

` + inspectProfileHelp,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		arch := archFlag(fs, "arch", programArch)
		var pf profileFlags
		pf.defineStandalone(fs)
		return func(inv *invocation) error {
			pf.bind(inv)
			n, want := 1, "one FILE (- for stdin) or --profile FILE"
			if pf.isGiven() {
				n, want = 0, "no FILE with --profile FILE"
			}
			if err := inv.argCount(n, n, want); err != nil {
				return err
			}
			prog, _, err := inspected(inv, &pf, *arch)
			if err != nil {
				return err
			}
			var b strings.Builder
			for i, abi := range prog.ABIs() {
				st, err := filter.Analyze(prog.Instructions(), abi)
				if err != nil {
					return err
				}
				if i > 0 {
					b.WriteString("\n")
				}
				lines := [][2]string{
					{"abi", abi.Name},
					{"instructions", fmt.Sprint(st.Len)},
					{"syscalls", fmt.Sprint(st.Syscalls)},
					{"mean steps", fmt.Sprintf("%.2f", st.MeanSteps)},
					{"max steps", fmt.Sprintf("%d (%s)", st.MaxSteps, st.MaxStepsSyscall)},
					{"cache allowed", fmt.Sprintf("%d of %d", st.CacheAllowed, st.Syscalls)},
				}
				for _, l := range lines {
					fmt.Fprintf(&b, "%-14s %s\n", l[0]+":", l[1])
				}
			}
			_, err = io.WriteString(inv.stdout, b.String())
			return err
		}
	},
}
