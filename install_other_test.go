//go:build !linux

package seccomp

import (
	"errors"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func TestUnsupported(t *testing.T) {
	insns := []filter.Instruction{filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow))}
	prog, err := NewProgram(insns, tables.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	if err := prog.Install(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Install: %v, want errors.ErrUnsupported", err)
	}
	if _, err := prog.File(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("File: %v, want errors.ErrUnsupported", err)
	}
	if _, err := Builtin("sandbox"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Builtin: %v, want errors.ErrUnsupported", err)
	}
	if _, err := (&Policy{}).Compile(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Compile for the native ABI: %v, want errors.ErrUnsupported", err)
	}
}
