package filter

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

// statsProgram allows read and write(1, …) on x86_64, fails other x86_64
// calls with EPERM and kills x32 and other arches.
var statsProgram = []Instruction{
	insLd(OffsetArch),                              // 0
	insJeq(auditX86_64, 0, 8),                      // 1
	insLd(OffsetNr),                                // 2
	Jump(BPF_JMP|BPF_JSET|BPF_K, 0x40000000, 6, 0), // 3
	insJeq(0, 3, 0),                                // 4: read
	insJeq(1, 0, 3),                                // 5: write
	insLd(OffsetArgs),                              // 6
	insJeq(1, 0, 1),                                // 7
	insRet(uint32(Allow)),                          // 8
	insRet(uint32(Errno(1))),                       // 9
	insRet(uint32(KillProcess)),                    // 10
}

func TestAnalyze(t *testing.T) {
	n := func(abi *tables.ABI) int { return abi.Len() }
	first := func(abi *tables.ABI) string { return abi.At(0).Name }
	tests := []struct {
		abi  *tables.ABI
		want Stats
	}{
		{tables.X86_64, Stats{
			Len:               len(statsProgram),
			Syscalls:          n(tables.X86_64),
			MeanSteps:         float64(6+9+7*(n(tables.X86_64)-2)) / float64(n(tables.X86_64)),
			MaxSteps:          9,
			MaxStepsSyscall:   "write",
			CacheAllowed:      3,
			CacheAllowedNames: []string{"read", "uretprobe", "uprobe"},
		}},
		{tables.I386, Stats{
			Len:             len(statsProgram),
			Syscalls:        n(tables.I386),
			MeanSteps:       3,
			MaxSteps:        3,
			MaxStepsSyscall: first(tables.I386),
		}},
		{tables.X32, Stats{
			Len:             len(statsProgram),
			Syscalls:        n(tables.X32),
			MeanSteps:       5,
			MaxSteps:        5,
			MaxStepsSyscall: first(tables.X32),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.abi.Name, func(t *testing.T) {
			got, err := Analyze(statsProgram, tt.abi)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len != tt.want.Len || got.Syscalls != tt.want.Syscalls || got.MeanSteps != tt.want.MeanSteps ||
				got.MaxSteps != tt.want.MaxSteps || got.MaxStepsSyscall != tt.want.MaxStepsSyscall ||
				got.CacheAllowed != tt.want.CacheAllowed || !slices.Equal(got.CacheAllowedNames, tt.want.CacheAllowedNames) {
				t.Errorf("Analyze =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestAnalyzeInvalid(t *testing.T) {
	_, err := Analyze([]Instruction{insLd(OffsetNr)}, tables.X86_64)
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("Analyze of an invalid program: error %v, want ErrInvalid", err)
	}
}

// TestAnalyzeCacheAllowAll checks that a program that allows everything
// has every system call of a plain ABI cached.
func TestAnalyzeCacheAllowAll(t *testing.T) {
	for _, abi := range tables.All() {
		t.Run(abi.Name, func(t *testing.T) {
			st, err := Analyze([]Instruction{insRet(uint32(Allow))}, abi)
			if err != nil {
				t.Fatal(err)
			}
			want := abi.Len()
			if abi.NrBit != 0 {
				want = 0
			}
			if st.CacheAllowed != want || len(st.CacheAllowedNames) != want || st.MeanSteps != 1 || st.MaxSteps != 1 {
				t.Errorf("Analyze = %+v, want %d cached and 1 step", st, want)
			}
		})
	}
}

// TestConstAllow checks the emulation of seccomp_is_const_allow rule by
// rule, for nr 0x13 and arch x86_64.
func TestConstAllow(t *testing.T) {
	allow, deny := insRet(uint32(Allow)), insRet(uint32(Errno(1)))
	tests := []struct {
		name string
		prog []Instruction
		want bool
	}{
		{"ret allow", []Instruction{allow}, true},
		{"ret log", []Instruction{insRet(uint32(Log))}, false},
		{"ret allow with data", []Instruction{insRet(uint32(Allow) | 1)}, false},
		{"ret a", []Instruction{insLd(OffsetNr), insRetA()}, false},
		{"load of nr", []Instruction{insLd(OffsetNr), insJeq(0x13, 0, 1), allow, deny}, true},
		{"load of nr, other number", []Instruction{insLd(OffsetNr), insJeq(0x14, 0, 1), allow, deny}, false},
		{"load of arch", []Instruction{insLd(OffsetArch), insJeq(auditX86_64, 0, 1), allow, deny}, true},
		{"load of an argument", []Instruction{insLd(OffsetArgs), insJeq(0, 0, 1), allow, deny}, false},
		{"load of an argument after the decision", []Instruction{insLd(OffsetNr), insJeq(0x13, 1, 0), insLd(OffsetArgs), allow}, true},
		{"and #k", []Instruction{insLd(OffsetNr), Stmt(BPF_ALU|BPF_AND|BPF_K, 0xf0), insJeq(0x10, 0, 1), allow, deny}, true},
		{"jgt", []Instruction{insLd(OffsetNr), Jump(BPF_JMP|BPF_JGT|BPF_K, 0x12, 0, 1), allow, deny}, true},
		{"jgt, equal", []Instruction{insLd(OffsetNr), Jump(BPF_JMP|BPF_JGT|BPF_K, 0x13, 0, 1), allow, deny}, false},
		{"jge, equal", []Instruction{insLd(OffsetNr), Jump(BPF_JMP|BPF_JGE|BPF_K, 0x13, 0, 1), allow, deny}, true},
		{"jset", []Instruction{insLd(OffsetNr), Jump(BPF_JMP|BPF_JSET|BPF_K, 0x2, 0, 1), allow, deny}, true},
		{"jset, no common bit", []Instruction{insLd(OffsetNr), Jump(BPF_JMP|BPF_JSET|BPF_K, 0x4, 0, 1), allow, deny}, false},
		{"ja", []Instruction{Stmt(BPF_JMP|BPF_JA, 1), deny, allow}, true},
		{"A starts at 0", []Instruction{insJeq(0, 0, 1), allow, deny}, true},
		// Constant, but not among the instructions the kernel emulates.
		{"ld #k", []Instruction{Stmt(BPF_LD|BPF_IMM, 0x13), allow}, false},
		{"ld #len", []Instruction{Stmt(BPF_LD|BPF_W|BPF_LEN, 0), allow}, false},
		{"or #k", []Instruction{insLd(OffsetNr), Stmt(BPF_ALU|BPF_OR|BPF_K, 0), allow}, false},
		{"tax", []Instruction{Stmt(BPF_MISC|BPF_TAX, 0), allow}, false},
		{"st", []Instruction{Stmt(BPF_ST, 0), allow}, false},
		{"jeq x", []Instruction{Jump(BPF_JMP|BPF_JEQ|BPF_X, 0, 0, 0), allow}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Verify(tt.prog); err != nil {
				t.Fatal(err)
			}
			if got := constAllow(tt.prog, 0x13, auditX86_64); got != tt.want {
				t.Errorf("constAllow = %v, want %v\n%s", got, tt.want, Disassemble(tt.prog))
			}
		})
	}
}

// TestConstAllowSound checks on random programs that what the emulation of
// the action cache allows, the program allows whatever the other fields of
// seccomp_data hold.
func TestConstAllowSound(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cached := 0
	for range 20000 {
		prog := randValidProgram(r, 24)
		if r.IntN(2) == 0 {
			prog = randCacheableProgram(r, 24)
		}
		data := randData(r, prog)
		if !constAllow(prog, uint32(data.Nr), data.Arch) {
			continue
		}
		cached++
		res, err := Run(prog, &data, binary.LittleEndian)
		if err != nil || res.Ret != Allow {
			t.Fatalf("constAllow(nr %#x, arch %#x) but Run = %v, %v\n%s", data.Nr, data.Arch, res.Ret, err, Disassemble(prog))
		}
	}
	t.Logf("%d random programs were cacheable", cached)
	if cached < 100 {
		t.Errorf("only %d of the random programs were cacheable; the test says little", cached)
	}
}

// randCacheableProgram returns a random valid program made mostly of the
// instructions seccomp_is_const_allow follows.
func randCacheableProgram(r *rand.Rand, maxLen int) []Instruction {
	for {
		n := 1 + r.IntN(maxLen)
		prog := make([]Instruction, n)
		for pc := range n - 1 {
			left := n - pc - 1
			far := func() uint8 { return uint8(r.IntN(min(left, 256))) }
			switch r.IntN(8) {
			case 0:
				prog[pc] = insLd([]uint32{OffsetNr, OffsetArch}[r.IntN(2)])
			case 1:
				prog[pc] = Stmt(BPF_ALU|BPF_AND|BPF_K, randK(r))
			case 2:
				prog[pc] = insRet([]uint32{uint32(Allow), randK(r)}[r.IntN(2)])
			case 3:
				prog[pc] = randInstruction(r, left)
			default:
				ops := []uint16{BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET}
				prog[pc] = Jump(BPF_JMP|ops[r.IntN(len(ops))]|BPF_K, randK(r), far(), far())
			}
		}
		prog[n-1] = insRet([]uint32{uint32(Allow), randK(r)}[r.IntN(2)])
		if Verify(prog) == nil {
			return prog
		}
	}
}
