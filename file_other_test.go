//go:build !linux

package seccomp

import (
	"errors"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func TestInheritableUnsupported(t *testing.T) {
	insns := []filter.Instruction{filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow))}
	prog, err := NewProgram(insns, tables.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := prog.Inheritable(); f != nil || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Inheritable: %v, %v; want nil and errors.ErrUnsupported", f, err)
	}
}
