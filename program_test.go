package seccomp

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func TestWriteTo(t *testing.T) {
	for _, abi := range []*tables.ABI{tables.AArch64, tables.S390X, tables.MIPS} {
		t.Run(abi.Name, func(t *testing.T) {
			p, _ := BuiltinPolicy("sandbox")
			p.ABIs = []*tables.ABI{abi}
			prog := mustCompile(t, p)
			var buf bytes.Buffer
			n, err := prog.WriteTo(&buf)
			if err != nil || n != int64(8*prog.Len()) || int(n) != buf.Len() {
				t.Fatalf("WriteTo = %d, %v; wrote %d bytes; want %d", n, err, buf.Len(), 8*prog.Len())
			}
			back, err := filter.Decode(buf.Bytes(), abi.ByteOrder())
			if err != nil || !slices.Equal(back, prog.Instructions()) {
				t.Errorf("decoding in %v: %v; the program does not come back", abi.ByteOrder(), err)
			}
		})
	}
}

func TestNewProgram(t *testing.T) {
	insns := []filter.Instruction{filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow))}
	prog, err := NewProgram(insns, tables.RISCV64)
	if err != nil {
		t.Fatal(err)
	}
	insns[0].K = 0
	if prog.Instructions()[0].K != uint32(filter.Allow) {
		t.Error("NewProgram kept the caller's slice")
	}
	if _, err := NewProgram(nil, tables.RISCV64); !errors.Is(err, filter.ErrInvalid) {
		t.Errorf("NewProgram(nil): %v, want filter.ErrInvalid", err)
	}
	if _, err := NewProgram(insns, tables.PPC64, tables.PPC64LE); !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("NewProgram of two byte orders: %v, want ErrInvalidPolicy", err)
	}
	if _, err := NewProgram(insns, tables.X86_64, nil); !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("NewProgram with a nil ABI: %v, want ErrInvalidPolicy", err)
	}
}

// TestNewProgramArch checks that a program compiled for one ABI cannot be
// passed off as covering another.
func TestNewProgramArch(t *testing.T) {
	p, err := BuiltinPolicy("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	p.ABIs = []*tables.ABI{tables.RISCV64}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewProgram(prog.Instructions(), tables.RISCV64); err != nil {
		t.Errorf("as riscv64: %v", err)
	}
	if _, err := NewProgram(prog.Instructions(), tables.AArch64); !errors.Is(err, ErrInvalidPolicy) || !strings.Contains(err.Error(), "aarch64") {
		t.Errorf("as aarch64: %v, want ErrInvalidPolicy naming aarch64", err)
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		flags Flags
		text  string
		err   error
	}{
		{FlagTSync, "TSYNC", nil},
		{FlagTSync | FlagLog | FlagSpecAllow, "TSYNC|LOG|SPEC_ALLOW", nil},
		{FlagNewListener | FlagWaitKillableRecv, "NEW_LISTENER|WAIT_KILLABLE_RECV", nil},
		{FlagTSync | FlagNewListener | FlagTSyncESRCH, "TSYNC|NEW_LISTENER|TSYNC_ESRCH", nil},
		{FlagTSync | FlagNewListener, "TSYNC|NEW_LISTENER", ErrInvalidFlags},
		{FlagWaitKillableRecv, "WAIT_KILLABLE_RECV", ErrInvalidFlags},
		{0, "0x0", nil},
		{FlagLog | 1<<9, "LOG|0x200", nil},
	}
	for _, tt := range tests {
		if got := tt.flags.String(); got != tt.text {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint(tt.flags), got, tt.text)
		}
		if err := tt.flags.check(); !errors.Is(err, tt.err) {
			t.Errorf("%v: check: %v, want %v", tt.flags, err, tt.err)
		}
	}
}
