package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sysfence/seccomp/filter"
)

func init() {
	register(command{
		name:    "stats",
		summary: "measure a raw seccomp program: length, steps per syscall, action cache",
		run:     runStats,
	})
}

func runStats(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("stats", "FILE [--arch ABI]", stderr)
	in, err := parseInspectArgs(fs, args)
	if err != nil {
		return err
	}
	prog, err := in.program()
	if err != nil {
		return err
	}
	st, err := filter.Analyze(prog, in.abi)
	if err != nil {
		return err
	}
	lines := [][2]string{
		{"abi", in.abi.Name},
		{"instructions", fmt.Sprint(st.Len)},
		{"syscalls", fmt.Sprint(st.Syscalls)},
		{"mean steps", fmt.Sprintf("%.2f", st.MeanSteps)},
		{"max steps", fmt.Sprintf("%d (%s)", st.MaxSteps, st.MaxStepsSyscall)},
		{"cache allowed", fmt.Sprintf("%d of %d", st.CacheAllowed, st.Syscalls)},
	}
	width := 0
	for _, l := range lines {
		width = max(width, len(l[0])+1)
	}
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%-*s %s\n", width, l[0]+":", l[1])
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}
