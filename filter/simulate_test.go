package filter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

const auditX86_64 = 0xc000003e // AUDIT_ARCH_X86_64

func TestSeccompDataBytes(t *testing.T) {
	d := SeccompData{
		Nr:                 -2,
		Arch:               0xc000003e,
		InstructionPointer: 0x0102030405060708,
		Args:               [6]uint64{0x1112131415161718, 2, 3, 4, 5, 0xf1f2f3f4f5f6f7f8},
	}
	le := []byte{
		0xfe, 0xff, 0xff, 0xff, 0x3e, 0x00, 0x00, 0xc0,
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11,
		2, 0, 0, 0, 0, 0, 0, 0,
		3, 0, 0, 0, 0, 0, 0, 0,
		4, 0, 0, 0, 0, 0, 0, 0,
		5, 0, 0, 0, 0, 0, 0, 0,
		0xf8, 0xf7, 0xf6, 0xf5, 0xf4, 0xf3, 0xf2, 0xf1,
	}
	be := []byte{
		0xff, 0xff, 0xff, 0xfe, 0xc0, 0x00, 0x00, 0x3e,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		0, 0, 0, 0, 0, 0, 0, 2,
		0, 0, 0, 0, 0, 0, 0, 3,
		0, 0, 0, 0, 0, 0, 0, 4,
		0, 0, 0, 0, 0, 0, 0, 5,
		0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
	}
	for _, tt := range []struct {
		order binary.ByteOrder
		want  []byte
	}{{binary.LittleEndian, le}, {binary.BigEndian, be}} {
		t.Run(tt.order.String(), func(t *testing.T) {
			if got := d.Bytes(tt.order); !bytes.Equal(got, tt.want) {
				t.Errorf("Bytes =\n% x\nwant\n% x", got, tt.want)
			}
		})
	}
}

// simAllowList allows everything on x86_64 but execve, which fails with
// EPERM, and kills other arches.
var simAllowList = []Instruction{
	insLd(OffsetArch),           // 0
	insJeq(auditX86_64, 0, 4),   // 1
	insLd(OffsetNr),             // 2
	insJeq(59, 1, 0),            // 3
	insRet(uint32(Allow)),       // 4
	insRet(uint32(Errno(1))),    // 5
	insRet(uint32(KillProcess)), // 6
}

// simArgCheck returns errno 2 when the low word of args[0] is 0x1234 on a
// little-endian ABI (the word at offset 16), allow otherwise.
var simArgCheck = []Instruction{
	insLd(OffsetArgs),
	insJeq(0x1234, 0, 1),
	insRet(uint32(Errno(2))),
	insRet(uint32(Allow)),
}

// simRet returns a program that runs body and returns A.
func simRet(body ...Instruction) []Instruction { return append(body, insRetA()) }

func TestRun(t *testing.T) {
	alu := func(op uint16, k uint32) Instruction { return Stmt(BPF_ALU|op|BPF_K, k) }
	aluX := func(op uint16) Instruction { return Stmt(BPF_ALU|op|BPF_X, 0) }
	ld := func(k uint32) Instruction { return Stmt(BPF_LD|BPF_IMM, k) }
	ldx := func(k uint32) Instruction { return Stmt(BPF_LDX|BPF_IMM, k) }
	x86 := SeccompData{Arch: auditX86_64}
	tests := []struct {
		name  string
		prog  []Instruction
		data  SeccompData
		order binary.ByteOrder
		want  Result
	}{
		{"allow-list, read", simAllowList, SeccompData{Arch: auditX86_64, Nr: 0}, binary.LittleEndian, Result{Allow, 5}},
		{"allow-list, execve", simAllowList, SeccompData{Arch: auditX86_64, Nr: 59}, binary.LittleEndian, Result{Errno(1), 5}},
		{"allow-list, other arch", simAllowList, SeccompData{Arch: 0x40000003, Nr: 59}, binary.LittleEndian, Result{KillProcess, 3}},
		{"allow-list, big-endian", simAllowList, SeccompData{Arch: auditX86_64, Nr: 59}, binary.BigEndian, Result{Errno(1), 5}},
		{"arg low word, little-endian", simArgCheck, SeccompData{Args: [6]uint64{0x1234}}, binary.LittleEndian, Result{Errno(2), 3}},
		{"arg low word, big-endian", simArgCheck, SeccompData{Args: [6]uint64{0x1234}}, binary.BigEndian, Result{Allow, 3}},
		{"arg high word, big-endian", simArgCheck, SeccompData{Args: [6]uint64{0x1234 << 32}}, binary.BigEndian, Result{Errno(2), 3}},
		{"negative nr", simRet(insLd(OffsetNr)), SeccompData{Nr: -1}, binary.LittleEndian, Result{0xffffffff, 2}},
		{"instruction pointer", simRet(insLd(OffsetIP + 4)), SeccompData{InstructionPointer: 0xaabbccdd_11223344}, binary.LittleEndian, Result{0xaabbccdd, 2}},
		{"last arg word", simRet(insLd(60)), SeccompData{Args: [6]uint64{5: 0x99}}, binary.BigEndian, Result{0x99, 2}},

		{"add wraps", simRet(ld(0xffffffff), alu(BPF_ADD, 2)), x86, nil, Result{1, 3}},
		{"sub wraps", simRet(ld(0), alu(BPF_SUB, 1)), x86, nil, Result{0xffffffff, 3}},
		{"mul wraps", simRet(ld(0x80000001), alu(BPF_MUL, 2)), x86, nil, Result{2, 3}},
		{"div", simRet(ld(7), alu(BPF_DIV, 2)), x86, nil, Result{3, 3}},
		{"div is unsigned", simRet(ld(0xfffffffe), alu(BPF_DIV, 2)), x86, nil, Result{0x7fffffff, 3}},
		{"and", simRet(ld(0xf0f0), alu(BPF_AND, 0xff)), x86, nil, Result{0xf0, 3}},
		{"or", simRet(ld(0xf000), alu(BPF_OR, 0xf)), x86, nil, Result{0xf00f, 3}},
		{"xor", simRet(ld(0xff), alu(BPF_XOR, 0x0f)), x86, nil, Result{0xf0, 3}},
		{"lsh", simRet(ld(3), alu(BPF_LSH, 31)), x86, nil, Result{0x80000000, 3}},
		{"rsh is logical", simRet(ld(0x80000000), alu(BPF_RSH, 31)), x86, nil, Result{1, 3}},
		{"neg", simRet(ld(1), Stmt(BPF_ALU|BPF_NEG, 0)), x86, nil, Result{0xffffffff, 3}},
		{"add x", simRet(ld(5), ldx(6), aluX(BPF_ADD)), x86, nil, Result{11, 4}},
		{"sub x", simRet(ld(5), ldx(6), aluX(BPF_SUB)), x86, nil, Result{0xffffffff, 4}},
		{"mul x", simRet(ld(5), ldx(6), aluX(BPF_MUL)), x86, nil, Result{30, 4}},
		{"div x", simRet(ld(50), ldx(6), aluX(BPF_DIV)), x86, nil, Result{8, 4}},
		{"div by X = 0 returns 0", simRet(ld(50), ldx(0), aluX(BPF_DIV), insRet(5)), x86, nil, Result{0, 3}},
		{"and x", simRet(ld(6), ldx(3), aluX(BPF_AND)), x86, nil, Result{2, 4}},
		{"or x", simRet(ld(6), ldx(3), aluX(BPF_OR)), x86, nil, Result{7, 4}},
		{"xor x", simRet(ld(6), ldx(3), aluX(BPF_XOR)), x86, nil, Result{5, 4}},
		{"lsh x", simRet(ld(1), ldx(4), aluX(BPF_LSH)), x86, nil, Result{16, 4}},
		{"lsh x uses the low 5 bits", simRet(ld(1), ldx(33), aluX(BPF_LSH)), x86, nil, Result{2, 4}},
		{"rsh x uses the low 5 bits", simRet(ld(0x80000000), ldx(32), aluX(BPF_RSH)), x86, nil, Result{0x80000000, 4}},
		{"tax and txa", simRet(ld(9), Stmt(BPF_MISC|BPF_TAX, 0), ld(1), Stmt(BPF_MISC|BPF_TXA, 0)), x86, nil, Result{9, 5}},
		{"ld #len", simRet(Stmt(BPF_LD|BPF_W|BPF_LEN, 0)), x86, nil, Result{64, 2}},
		{"ldx #len", simRet(Stmt(BPF_LDX|BPF_W|BPF_LEN, 0), Stmt(BPF_MISC|BPF_TXA, 0)), x86, nil, Result{64, 3}},
		{"scratch", simRet(
			ld(1), Stmt(BPF_ST, 15), ldx(2), Stmt(BPF_STX, 0),
			Stmt(BPF_LD|BPF_MEM, 0), Stmt(BPF_LDX|BPF_MEM, 15), aluX(BPF_ADD),
		), x86, nil, Result{3, 8}},
		{"ja", []Instruction{Stmt(BPF_JMP|BPF_JA, 1), insRet(1), insRet(2)}, x86, nil, Result{2, 2}},
		{"jgt true", []Instruction{ld(5), Jump(BPF_JMP|BPF_JGT|BPF_K, 4, 1, 0), insRet(1), insRet(2)}, x86, nil, Result{2, 3}},
		{"jgt false when equal", []Instruction{ld(5), Jump(BPF_JMP|BPF_JGT|BPF_K, 5, 1, 0), insRet(1), insRet(2)}, x86, nil, Result{1, 3}},
		{"jge true when equal", []Instruction{ld(5), Jump(BPF_JMP|BPF_JGE|BPF_K, 5, 1, 0), insRet(1), insRet(2)}, x86, nil, Result{2, 3}},
		{"jge is unsigned", []Instruction{ld(0x80000000), Jump(BPF_JMP|BPF_JGE|BPF_K, 1, 1, 0), insRet(1), insRet(2)}, x86, nil, Result{2, 3}},
		{"jset true", []Instruction{ld(6), Jump(BPF_JMP|BPF_JSET|BPF_K, 2, 1, 0), insRet(1), insRet(2)}, x86, nil, Result{2, 3}},
		{"jset false", []Instruction{ld(6), Jump(BPF_JMP|BPF_JSET|BPF_K, 9, 1, 0), insRet(1), insRet(2)}, x86, nil, Result{1, 3}},
		{"jeq x", []Instruction{ld(6), ldx(6), Jump(BPF_JMP|BPF_JEQ|BPF_X, 0, 0, 1), insRet(1), insRet(2)}, x86, nil, Result{1, 4}},
		{"jgt x", []Instruction{ld(6), ldx(7), Jump(BPF_JMP|BPF_JGT|BPF_X, 0, 0, 1), insRet(1), insRet(2)}, x86, nil, Result{2, 4}},
		{"jge x", []Instruction{ld(7), ldx(7), Jump(BPF_JMP|BPF_JGE|BPF_X, 0, 0, 1), insRet(1), insRet(2)}, x86, nil, Result{1, 4}},
		{"jset x", []Instruction{ld(4), ldx(3), Jump(BPF_JMP|BPF_JSET|BPF_X, 0, 0, 1), insRet(1), insRet(2)}, x86, nil, Result{2, 4}},
		{"ret k", []Instruction{insRet(uint32(Trace(7)))}, x86, nil, Result{Trace(7), 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order := tt.order
			if order == nil {
				order = binary.LittleEndian
			}
			got, err := Run(tt.prog, &tt.data, order)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Run = {%v %d}, want {%v %d}\n%s", got.Ret, got.Steps, tt.want.Ret, tt.want.Steps, Disassemble(tt.prog))
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	var d SeccompData
	tests := []struct {
		name  string
		prog  []Instruction
		data  *SeccompData
		order binary.ByteOrder
		want  error
	}{
		{"invalid program", []Instruction{insLd(2), insRetA()}, &d, binary.LittleEndian, ErrInvalid},
		{"empty program", nil, &d, binary.LittleEndian, ErrInvalid},
		{"nil data", simAllowList, nil, binary.LittleEndian, nil},
		{"nil order", simAllowList, &d, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(tt.prog, tt.data, tt.order)
			if err == nil {
				t.Fatal("Run succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Run error %v, want %v", err, tt.want)
			}
		})
	}
}

// TestRunRandom runs random verified programs and checks what holds for
// every run: no error, and at most one step per instruction (jumps only go
// forward).
func TestRunRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		prog := randValidProgram(r, 64)
		data := randData(r, prog)
		res, err := Run(prog, &data, binary.LittleEndian)
		if err != nil {
			t.Fatalf("Run: %v\n%s", err, Disassemble(prog))
		}
		if res.Steps < 1 || res.Steps > len(prog) {
			t.Fatalf("Steps = %d for a program of %d instructions\n%s", res.Steps, len(prog), Disassemble(prog))
		}
	}
}

func FuzzRun(f *testing.F) {
	f.Add(Encode(simAllowList, binary.LittleEndian), int32(59), uint32(auditX86_64), uint64(0), uint64(0), uint64(0))
	f.Add(Encode(verifyAllOpcodes, binary.LittleEndian), int32(-1), uint32(0), uint64(1), uint64(1<<40), uint64(7))
	f.Fuzz(func(t *testing.T, b []byte, nr int32, arch uint32, ip, a0, a5 uint64) {
		prog, err := Decode(b, binary.LittleEndian)
		if err != nil {
			return
		}
		data := SeccompData{Nr: nr, Arch: arch, InstructionPointer: ip, Args: [6]uint64{a0, a5 >> 3, a0 ^ a5, 1, 2, a5}}
		res, err := Run(prog, &data, binary.BigEndian)
		if verr := Verify(prog); (err == nil) != (verr == nil) {
			t.Fatalf("Run error %v, Verify error %v", err, verr)
		}
		if err == nil && (res.Steps < 1 || res.Steps > len(prog)) {
			t.Fatalf("Steps = %d for a program of %d instructions", res.Steps, len(prog))
		}
	})
}

func BenchmarkRun(b *testing.B) {
	prog := benchProgram()
	data := SeccompData{Nr: 399, Arch: auditX86_64} // the last comparison
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(prog, &data, binary.LittleEndian); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunVerified measures the interpreter alone, without Verify.
func BenchmarkRunVerified(b *testing.B) {
	prog := benchProgram()
	data := SeccompData{Nr: 399, Arch: auditX86_64}
	words := data.words(binary.LittleEndian)
	b.ReportAllocs()
	for b.Loop() {
		in := interpreter{prog: prog, data: words}
		in.run()
	}
}

// Random programs for property and differential tests.

// randK returns a constant: often one that programs and data share.
func randK(r *rand.Rand) uint32 {
	switch r.IntN(6) {
	case 0:
		return uint32(r.IntN(8))
	case 1:
		return []uint32{0xffffffff, 0x80000000, 0x7fffffff, auditX86_64, 0x40000000, uint32(Allow)}[r.IntN(6)]
	case 2:
		return uint32(r.IntN(512))
	}
	return r.Uint32()
}

// randInstruction returns an instruction that seccomp accepts at a place
// followed by left more instructions, except that loads of scratch memory
// may read words not yet written.
func randInstruction(r *rand.Rand, left int) Instruction {
	far := func() uint8 { return uint8(r.IntN(min(left, 256))) }
	switch r.IntN(12) {
	case 0, 1:
		return insLd(4 * uint32(r.IntN(SeccompDataSize/4)))
	case 2:
		return Stmt([]uint16{BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM, BPF_LD | BPF_W | BPF_LEN, BPF_LDX | BPF_W | BPF_LEN}[r.IntN(4)], randK(r))
	case 3:
		return Stmt([]uint16{BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX}[r.IntN(4)], uint32(r.IntN(BPF_MEMWORDS)))
	case 4, 5:
		ops := []uint16{BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH, BPF_NEG}
		op := ops[r.IntN(len(ops))]
		switch {
		case op == BPF_NEG:
			return Stmt(BPF_ALU|BPF_NEG, 0)
		case r.IntN(2) == 0:
			return Stmt(BPF_ALU|op|BPF_X, 0)
		case op == BPF_LSH || op == BPF_RSH:
			return Stmt(BPF_ALU|op|BPF_K, uint32(r.IntN(32)))
		case op == BPF_DIV:
			return Stmt(BPF_ALU|op|BPF_K, 1+uint32(r.IntN(100)))
		}
		return Stmt(BPF_ALU|op|BPF_K, randK(r))
	case 6:
		return Stmt([]uint16{BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA}[r.IntN(2)], 0)
	case 7, 8, 9:
		ops := []uint16{BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET}
		src := []uint16{BPF_K, BPF_X}[r.IntN(2)]
		return Jump(BPF_JMP|ops[r.IntN(len(ops))]|src, randK(r), far(), far())
	case 10:
		return Stmt(BPF_JMP|BPF_JA, uint32(r.IntN(left)))
	}
	return randReturn(r)
}

func randReturn(r *rand.Rand) Instruction {
	if r.IntN(3) == 0 {
		return insRetA()
	}
	return insRet(randK(r))
}

// randProgram returns a program of 1 to maxLen instructions built from
// randInstruction and ending in a return.
func randProgram(r *rand.Rand, maxLen int) []Instruction {
	n := 1 + r.IntN(maxLen)
	prog := make([]Instruction, n)
	for pc := range n - 1 {
		prog[pc] = randInstruction(r, n-pc-1)
	}
	prog[n-1] = randReturn(r)
	return prog
}

// randValidProgram returns a random program that passes Verify.
func randValidProgram(r *rand.Rand, maxLen int) []Instruction {
	for {
		if prog := randProgram(r, maxLen); Verify(prog) == nil {
			return prog
		}
	}
}

// randData returns seccomp data whose fields often equal constants of prog,
// so that comparisons go both ways.
func randData(r *rand.Rand, prog []Instruction) SeccompData {
	word := func() uint32 {
		if r.IntN(2) == 0 {
			return prog[r.IntN(len(prog))].K
		}
		return randK(r)
	}
	d := SeccompData{Nr: int32(word()), Arch: word(), InstructionPointer: uint64(word())<<32 | uint64(word())}
	for i := range d.Args {
		d.Args[i] = uint64(word())<<32 | uint64(word())
	}
	return d
}

func ExampleRun() {
	prog := []Instruction{
		Stmt(BPF_LD|BPF_W|BPF_ABS, OffsetArch),
		Jump(BPF_JMP|BPF_JEQ|BPF_K, 0xc000003e, 0, 4), // AUDIT_ARCH_X86_64
		Stmt(BPF_LD|BPF_W|BPF_ABS, OffsetNr),
		Jump(BPF_JMP|BPF_JEQ|BPF_K, 59, 0, 1), // execve
		Stmt(BPF_RET|BPF_K, uint32(Errno(1))),
		Stmt(BPF_RET|BPF_K, uint32(Allow)),
		Stmt(BPF_RET|BPF_K, uint32(KillProcess)),
	}
	for _, nr := range []int32{0, 59} {
		res, err := Run(prog, &SeccompData{Nr: nr, Arch: 0xc000003e}, binary.LittleEndian)
		if err != nil {
			panic(err)
		}
		fmt.Printf("nr %d: %v after %d instructions\n", nr, res.Ret, res.Steps)
	}
	_, err := Run(prog[:4], &SeccompData{}, binary.LittleEndian)
	fmt.Println(err)
	// Output:
	// nr 0: allow after 5 instructions
	// nr 59: errno:1 after 5 instructions
	// filter: invalid program: instruction 1 (jeq #0xc000003e, +0, +4): false branch jumps past the end of the program
}

// TestRunPathFollowsRun checks that RunPath returns Run's result and a path
// that starts at 0, ends at a return, and follows each jump.
func TestRunPathFollowsRun(t *testing.T) {
	prog := []Instruction{
		Stmt(BPF_LD|BPF_W|BPF_ABS, OffsetNr),
		Jump(BPF_JMP|BPF_JEQ|BPF_K, 101, 0, 1),
		Stmt(BPF_RET|BPF_K, uint32(Errno(1))),
		Stmt(BPF_RET|BPF_K, uint32(Allow)),
	}
	for nr, want := range map[int32][]int{101: {0, 1, 2}, 102: {0, 1, 3}} {
		d := SeccompData{Nr: nr}
		res, path, err := RunPath(prog, &d, binary.LittleEndian)
		run, _ := Run(prog, &d, binary.LittleEndian)
		if err != nil || res != run || !slices.Equal(path, want) {
			t.Errorf("nr %d: RunPath %v %v %v, want %v and path %v", nr, res, path, err, run, want)
		}
	}
}
