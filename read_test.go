package seccomp_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func denyPtrace() *seccomp.Policy {
	return &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), "ptrace")}
}

// TestNewProgramTellsX86_64FromX32 is point 5 of the hardening issue:
// x86_64 and x32 share AUDIT_ARCH_X86_64, so NewProgram runs the program
// to see which of them it decides.
func TestNewProgramTellsX86_64FromX32(t *testing.T) {
	x86 := compileFor(t, denyPtrace(), tables.X86_64).Instructions()
	x32 := compileFor(t, denyPtrace(), tables.X32).Instructions()
	both := compileFor(t, denyPtrace(), tables.X86_64, tables.X32).Instructions()
	for _, tt := range []struct {
		name  string
		insns []filter.Instruction
		abis  []*tables.ABI
		ok    bool
	}{
		{"x86_64 as x86_64", x86, []*tables.ABI{tables.X86_64}, true},
		{"x86_64 as x32", x86, []*tables.ABI{tables.X32}, false},
		{"x86_64 as both", x86, []*tables.ABI{tables.X86_64, tables.X32}, false},
		{"x32 as x32", x32, []*tables.ABI{tables.X32}, true},
		{"x32 as x86_64", x32, []*tables.ABI{tables.X86_64}, false},
		{"both as both", both, []*tables.ABI{tables.X86_64, tables.X32}, true},
		{"both as x32", both, []*tables.ABI{tables.X32}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seccomp.NewProgram(tt.insns, tt.abis...)
			if tt.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tt.ok && !errors.Is(err, seccomp.ErrInvalidPolicy) {
				t.Errorf("NewProgram: %v, want ErrInvalidPolicy", err)
			}
		})
	}
}

// endless is an io.Reader of zeros that counts what it hands out.
type endless struct{ n int64 }

func (r *endless) Read(b []byte) (int, error) {
	clear(b)
	r.n += int64(len(b))
	return len(b), nil
}

// TestReadProgramIsBounded is point 8 of the hardening issue: an endless
// input costs one byte more than the longest program.
func TestReadProgramIsBounded(t *testing.T) {
	var r endless
	_, err := seccomp.ReadProgram(&r, tables.X86_64)
	if !errors.Is(err, filter.ErrTooLong) {
		t.Errorf("ReadProgram(endless zeros): %v, want filter.ErrTooLong", err)
	}
	if r.n > 64<<10 {
		t.Errorf("read %d bytes of an endless input", r.n)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error of more than one line: %q", err)
	}
	// The longest program is still read.
	long := make([]filter.Instruction, filter.MaxInstructions)
	for i := range long {
		long[i] = filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow))
	}
	if _, err := seccomp.ReadProgram(bytes.NewReader(filter.Encode(long, tables.X86_64.ByteOrder())), tables.X86_64); err != nil {
		t.Errorf("a program of %d instructions: %v", len(long), err)
	}
}

// TestReadProgramDetectsABIs is point 9 of the hardening issue: the ABIs
// and byte order come from the program's arch check, and abis that
// contradict it are refused.
func TestReadProgramDetectsABIs(t *testing.T) {
	for _, abis := range [][]*tables.ABI{
		{tables.X86_64}, {tables.X32}, {tables.X86_64, tables.X32}, {tables.X86_64, tables.I386},
		{tables.AArch64, tables.ARM}, {tables.S390X}, {tables.MIPS64N32}, {tables.MIPSEL}, {tables.PPC64},
	} {
		prog := compileFor(t, denyPtrace(), abis...)
		var buf bytes.Buffer
		if _, err := prog.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		name := abiList(abis)
		t.Run(name, func(t *testing.T) {
			got, err := seccomp.ReadProgram(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if !sameABIs(got.ABIs(), abis) || got.ByteOrder() != abis[0].ByteOrder() {
				t.Errorf("detected %s, %v; want %s, %v", abiList(got.ABIs()), got.ByteOrder(), name, abis[0].ByteOrder())
			}
			if !slices.Equal(got.Instructions(), prog.Instructions()) {
				t.Error("the instructions differ")
			}
			if _, err := seccomp.ReadProgram(bytes.NewReader(b), abis[len(abis)-1]); err != nil {
				t.Errorf("as %s: %v", abis[len(abis)-1].Name, err)
			}
		})
	}
	// An argument equal to another ABI's AUDIT_ARCH value
	// (personality(PER_LINUX32) is 8, AUDIT_ARCH_MIPS) is not an arch check.
	for _, abi := range []*tables.ABI{tables.PPC64, tables.S390X} {
		p := &seccomp.Policy{ABIs: []*tables.ABI{abi}, Default: seccomp.Allow, Rules: []seccomp.Rule{
			{Syscall: "personality", Action: seccomp.Allow, Args: []seccomp.Cond{{Arg: 0, Op: seccomp.Eq, Value: 8}}},
			{Syscall: "personality", Action: seccomp.ErrnoNamed("EPERM")},
		}}
		prog, err := p.Compile()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		prog.WriteTo(&b)
		got, err := seccomp.ReadProgram(&b)
		if err != nil || !sameABIs(got.ABIs(), []*tables.ABI{abi}) {
			t.Errorf("%s program with a comparison with 8: read as %v, %v", abi.Name, got.ABIs(), err)
		}
	}
	var buf bytes.Buffer
	compileFor(t, denyPtrace(), tables.X86_64).WriteTo(&buf)
	for _, wrong := range []*tables.ABI{tables.X32, tables.AArch64, tables.I386, tables.S390X} {
		_, err := seccomp.ReadProgram(bytes.NewReader(buf.Bytes()), wrong)
		if !errors.Is(err, seccomp.ErrInvalidPolicy) || !strings.Contains(err.Error(), "x86_64") {
			t.Errorf("x86_64 program read as %s: %v, want ErrInvalidPolicy naming x86_64", wrong.Name, err)
		}
	}
	if _, err := seccomp.ReadProgram(bytes.NewReader(make([]byte, 12))); !errors.Is(err, filter.ErrInvalid) {
		t.Errorf("12 bytes: %v, want filter.ErrInvalid", err)
	}
	if _, err := seccomp.ReadProgram(io.LimitReader(&endless{}, 0)); !errors.Is(err, filter.ErrInvalid) {
		t.Errorf("no bytes: %v, want filter.ErrInvalid", err)
	}
}

func abiList(abis []*tables.ABI) string {
	var names []string
	for _, abi := range abis {
		names = append(names, abi.Name)
	}
	return strings.Join(names, "+")
}

func sameABIs(a, b []*tables.ABI) bool {
	sa, sb := strings.Split(abiList(a), "+"), strings.Split(abiList(b), "+")
	slices.Sort(sa)
	slices.Sort(sb)
	return slices.Equal(sa, sb)
}
