package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

func TestStatsCommand(t *testing.T) {
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
		// Every call is killed after the two arch checks.
		{tables.AArch64, fmt.Sprintf(`abi:           aarch64
instructions:  10
syscalls:      %d
mean steps:    4.00
max steps:     4 (%s)
cache allowed: 0 of %[1]d
`, tables.AArch64.Len(), tables.AArch64.At(0).Name)},
	}
	for _, tt := range tests {
		t.Run(tt.abi.Name, func(t *testing.T) {
			file := writeProgram(t, inspectProgram, tt.abi)
			var stdout, stderr bytes.Buffer
			if err := runStats([]string{file, "--arch", tt.abi.Name}, &stdout, &stderr); err != nil {
				t.Fatalf("stats: %v\nstderr: %s", err, &stderr)
			}
			if got := stdout.String(); got != tt.want {
				t.Errorf("stats printed\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
