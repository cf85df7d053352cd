package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

func TestStatsCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		abi  *tables.ABI
		want string
	}{
		// Every call takes 5 steps; read, uretprobe and uprobe are cached.
		{tables.X86_64, fmt.Sprintf(`abi:           x86_64
instructions:  10
syscalls:      %d
mean steps:    5.00
max steps:     5 (read)
cache allowed: 3 of %[1]d
`, tables.X86_64.Len())},
		// Every call takes 6 steps; read is cached.
		{tables.S390X, fmt.Sprintf(`abi:           s390x
instructions:  10
syscalls:      %d
mean steps:    6.00
max steps:     6 (%s)
cache allowed: 1 of %[1]d
`, tables.S390X.Len(), tables.S390X.At(0).Name)},
	}
	for _, tt := range tests {
		t.Run(tt.abi.Name, func(t *testing.T) {
			file := writeProgram(t, inspectProgram, tt.abi)
			code, got, stderr := sysfence("stats", file, "--arch", tt.abi.Name)
			if code != 0 {
				t.Fatalf("stats: exit %d: %s", code, stderr)
			}
			if got != tt.want {
				t.Errorf("stats printed\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	// The program kills every aarch64 call after the two arch checks: it
	// does not cover aarch64.
	file := writeProgram(t, inspectProgram, tables.AArch64)
	if code, _, stderr := sysfence("stats", file, "--arch", "aarch64"); code != exitInput || !strings.Contains(stderr, "not aarch64") {
		t.Errorf("stats of a program for other ABIs as aarch64: exit %d, stderr %q; want 1, saying so", code, stderr)
	}
}
