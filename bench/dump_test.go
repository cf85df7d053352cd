package main

import (
	"os"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// TestDump writes the Docker program of BENCH_DUMP (a contender) to
// stdout, for reading; it does nothing without the variable.
func TestDump(t *testing.T) {
	name := os.Getenv("BENCH_DUMP")
	if name == "" {
		t.Skip("BENCH_DUMP not set")
	}
	p, err := dockerPolicy()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range contenders {
		if c.Name == name {
			r := measure(c, p, dockerProbes, 1)
			os.Stdout.WriteString(filter.Disassemble(r.prog, tables.X86_64, tables.I386))
		}
	}
}
