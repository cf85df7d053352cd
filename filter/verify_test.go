package filter

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// Shorthands for hand-written programs in tests.
func insLd(k uint32) Instruction  { return Stmt(BPF_LD|BPF_W|BPF_ABS, k) }
func insRet(k uint32) Instruction { return Stmt(BPF_RET|BPF_K, k) }
func insRetA() Instruction        { return Stmt(BPF_RET|BPF_A, 0) }
func insJeq(k uint32, jt, jf uint8) Instruction {
	return Jump(BPF_JMP|BPF_JEQ|BPF_K, k, jt, jf)
}

// repeat returns n copies of ins.
func insRepeat(n int, ins Instruction) []Instruction {
	prog := make([]Instruction, n)
	for i := range prog {
		prog[i] = ins
	}
	return prog
}

// verifyAllOpcodes is a program that uses every opcode seccomp accepts and
// passes Verify.
var verifyAllOpcodes = []Instruction{
	insLd(OffsetNr),                       // 0
	Stmt(BPF_LD|BPF_W|BPF_LEN, 0),         // 1
	Stmt(BPF_LDX|BPF_W|BPF_LEN, 0),        // 2
	Stmt(BPF_LD|BPF_IMM, 7),               // 3
	Stmt(BPF_LDX|BPF_IMM, 3),              // 4
	Stmt(BPF_ST, 0),                       // 5
	Stmt(BPF_STX, 15),                     // 6
	Stmt(BPF_LD|BPF_MEM, 15),              // 7
	Stmt(BPF_LDX|BPF_MEM, 0),              // 8
	Stmt(BPF_ALU|BPF_ADD|BPF_K, 1),        // 9
	Stmt(BPF_ALU|BPF_ADD|BPF_X, 0),        // 10
	Stmt(BPF_ALU|BPF_SUB|BPF_K, 1),        // 11
	Stmt(BPF_ALU|BPF_SUB|BPF_X, 0),        // 12
	Stmt(BPF_ALU|BPF_MUL|BPF_K, 3),        // 13
	Stmt(BPF_ALU|BPF_MUL|BPF_X, 0),        // 14
	Stmt(BPF_ALU|BPF_DIV|BPF_K, 2),        // 15
	Stmt(BPF_ALU|BPF_DIV|BPF_X, 0),        // 16
	Stmt(BPF_ALU|BPF_AND|BPF_K, 0xff),     // 17
	Stmt(BPF_ALU|BPF_AND|BPF_X, 0),        // 18
	Stmt(BPF_ALU|BPF_OR|BPF_K, 0x100),     // 19
	Stmt(BPF_ALU|BPF_OR|BPF_X, 0),         // 20
	Stmt(BPF_ALU|BPF_XOR|BPF_K, 0x5),      // 21
	Stmt(BPF_ALU|BPF_XOR|BPF_X, 0),        // 22
	Stmt(BPF_ALU|BPF_LSH|BPF_K, 31),       // 23
	Stmt(BPF_ALU|BPF_LSH|BPF_X, 0),        // 24
	Stmt(BPF_ALU|BPF_RSH|BPF_K, 4),        // 25
	Stmt(BPF_ALU|BPF_RSH|BPF_X, 0),        // 26
	Stmt(BPF_ALU|BPF_NEG, 0),              // 27
	Stmt(BPF_MISC|BPF_TAX, 0),             // 28
	Stmt(BPF_MISC|BPF_TXA, 0),             // 29
	Stmt(BPF_JMP|BPF_JA, 0),               // 30
	Jump(BPF_JMP|BPF_JEQ|BPF_K, 1, 0, 0),  // 31
	Jump(BPF_JMP|BPF_JEQ|BPF_X, 0, 0, 0),  // 32
	Jump(BPF_JMP|BPF_JGE|BPF_K, 1, 0, 0),  // 33
	Jump(BPF_JMP|BPF_JGE|BPF_X, 0, 0, 0),  // 34
	Jump(BPF_JMP|BPF_JGT|BPF_K, 1, 0, 0),  // 35
	Jump(BPF_JMP|BPF_JGT|BPF_X, 0, 0, 0),  // 36
	Jump(BPF_JMP|BPF_JSET|BPF_K, 1, 0, 1), // 37
	Jump(BPF_JMP|BPF_JSET|BPF_X, 0, 0, 0), // 38
	insLd(SeccompDataSize - 4),            // 39
	insRetA(),                             // 40
	insRet(uint32(Allow)),                 // 41
}

func TestVerifyAccepts(t *testing.T) {
	tests := []struct {
		name string
		prog []Instruction
	}{
		{"single return", []Instruction{insRet(uint32(Allow))}},
		{"return A", []Instruction{insLd(OffsetArch), insRetA()}},
		{"every seccomp opcode", verifyAllOpcodes},
		{"MaxInstructions long", append(insRepeat(MaxInstructions-1, insLd(0)), insRetA())},
		{"ja to the last instruction", []Instruction{Stmt(BPF_JMP|BPF_JA, 1), insRet(1), insRet(2)}},
		{"branches to the last instruction", []Instruction{insLd(0), insJeq(1, 1, 1), insRet(1), insRet(2)}},
		{"every field of seccomp_data", []Instruction{
			insLd(0), insLd(4), insLd(8), insLd(12), insLd(16), insLd(20), insLd(24), insLd(28),
			insLd(32), insLd(36), insLd(40), insLd(44), insLd(48), insLd(52), insLd(56), insLd(60), insRetA(),
		}},
		{"scratch written on both branches", []Instruction{
			insLd(0),
			insJeq(1, 0, 2),
			Stmt(BPF_ST, 3),
			Stmt(BPF_JMP|BPF_JA, 1),
			Stmt(BPF_STX, 3),
			Stmt(BPF_LD|BPF_MEM, 3),
			insRetA(),
		}},
		{"scratch written before a branch", []Instruction{
			Stmt(BPF_ST, 9),
			insLd(0),
			insJeq(1, 1, 0),
			insRet(0),
			Stmt(BPF_LDX|BPF_MEM, 9),
			insRetA(),
		}},
		{"shift by 31", []Instruction{Stmt(BPF_ALU|BPF_RSH|BPF_K, 31), insRetA()}},
		{"division by X", []Instruction{Stmt(BPF_ALU|BPF_DIV|BPF_X, 0), insRetA()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Verify(tt.prog); err != nil {
				t.Fatalf("Verify: %v\n%s", err, Disassemble(tt.prog))
			}
		})
	}
}

// verifyRejects lists programs that each break exactly one rule of the
// kernel's checks, with the instruction and the reason Verify must report
// and a part of its message.
var verifyRejects = []struct {
	name   string
	prog   []Instruction
	pc     int
	reason VerifyReason
	text   string // in the message
}{
	// seccomp_prepare_filter, bpf_check_basics_ok: the length.
	{"empty", nil, -1, ReasonLength, "0 instructions"},
	{"too long", append(insRepeat(MaxInstructions, insLd(0)), insRetA()), -1, ReasonLength, "4097 instructions"},

	// bpf_check_classic, chk_code_allowed: opcodes classic BPF defines.
	{"unknown opcode", []Instruction{Stmt(0xff, 0), insRetA()}, 0, ReasonUnknownOpcode, "unknown opcode 0xff"},
	{"opcode above 8 bits", []Instruction{Stmt(0x100|BPF_RET|BPF_K, 0), insRetA()}, 0, ReasonUnknownOpcode, "unknown opcode 0x106"},
	{"ret x", []Instruction{Stmt(BPF_RET|BPF_X, 0)}, 0, ReasonUnknownOpcode, "unknown opcode 0x0e"},
	{"neg x", []Instruction{Stmt(BPF_ALU|BPF_NEG|BPF_X, 0), insRetA()}, 0, ReasonUnknownOpcode, "unknown opcode 0x8c"},
	{"ja x", []Instruction{Stmt(BPF_JMP|BPF_JA|BPF_X, 0), insRetA()}, 0, ReasonUnknownOpcode, "unknown opcode 0x0d"},
	{"ld imm of 2 bytes", []Instruction{Stmt(BPF_LD|BPF_H|BPF_IMM, 0), insRetA()}, 0, ReasonUnknownOpcode, "unknown opcode 0x08"},
	{"ldx abs", []Instruction{Stmt(BPF_LDX|BPF_W|BPF_ABS, 0), insRetA()}, 0, ReasonUnknownOpcode, "unknown opcode 0x21"},
	{"st with a size", []Instruction{Stmt(BPF_ST|BPF_B, 0), insRetA()}, 0, ReasonUnknownOpcode, "unknown opcode 0x12"},

	// bpf_check_classic: constant operands.
	{"div #0", []Instruction{insLd(0), Stmt(BPF_ALU|BPF_DIV|BPF_K, 0), insRetA()}, 1, ReasonDivisionByZero, "division by the constant 0"},
	{"mod #0", []Instruction{insLd(0), Stmt(BPF_ALU|BPF_MOD|BPF_K, 0), insRetA()}, 1, ReasonDivisionByZero, "division by the constant 0"},
	{"lsh #32", []Instruction{Stmt(BPF_ALU|BPF_LSH|BPF_K, 32), insRetA()}, 0, ReasonShiftTooFar, "shift by a constant of 32 or more"},
	{"rsh #0xffffffff", []Instruction{Stmt(BPF_ALU|BPF_RSH|BPF_K, 0xffffffff), insRetA()}, 0, ReasonShiftTooFar, "shift by a constant of 32 or more"},

	// bpf_check_classic: scratch memory indexes.
	{"ld M[16]", []Instruction{Stmt(BPF_ST, 0), Stmt(BPF_LD|BPF_MEM, 16), insRetA()}, 1, ReasonScratchIndex, "M[0] to M[15]"},
	{"ldx M[16]", []Instruction{Stmt(BPF_ST, 0), Stmt(BPF_LDX|BPF_MEM, 16), insRetA()}, 1, ReasonScratchIndex, "M[0] to M[15]"},
	{"st M[16]", []Instruction{Stmt(BPF_ST, 16), insRetA()}, 0, ReasonScratchIndex, "M[0] to M[15]"},
	{"stx M[0x80000000]", []Instruction{Stmt(BPF_STX, 0x80000000), insRetA()}, 0, ReasonScratchIndex, "M[0] to M[15]"},

	// bpf_check_classic: jumps stay inside the program.
	{"ja past the end", []Instruction{Stmt(BPF_JMP|BPF_JA, 1), insRetA()}, 0, ReasonJumpRange, "jump past the end"},
	{"ja with a 32-bit offset", []Instruction{Stmt(BPF_JMP|BPF_JA, 0xffffffff), insRetA()}, 0, ReasonJumpRange, "jump past the end"},
	{"ja as the last instruction", []Instruction{insRetA(), Stmt(BPF_JMP|BPF_JA, 0)}, 1, ReasonJumpRange, "jump past the end"},
	{"true branch past the end", []Instruction{insLd(0), insJeq(1, 2, 0), insRetA(), insRetA()}, 1, ReasonJumpRange, "true branch jumps past the end"},
	{"false branch past the end", []Instruction{insLd(0), Jump(BPF_JMP|BPF_JSET|BPF_X, 0, 0, 255), insRetA()}, 1, ReasonJumpRange, "false branch jumps past the end"},
	{"conditional jump last", []Instruction{insRetA(), Jump(BPF_JMP|BPF_JGT|BPF_K, 0, 0, 0)}, 1, ReasonJumpRange, "true branch jumps past the end"},

	// bpf_check_classic: ancillary loads.
	{"ancillary load past SKF_AD_MAX", []Instruction{insLd(skfADOff + skfADMax), insRetA()}, 0, ReasonAncillaryLoad, "unknown ancillary load"},
	{"misaligned ancillary load", []Instruction{Stmt(BPF_LD|BPF_B|BPF_ABS, skfADOff+2), insRetA()}, 0, ReasonAncillaryLoad, "unknown ancillary load"},

	// bpf_check_classic: the last instruction.
	{"no return", []Instruction{insLd(0)}, 0, ReasonNoReturn, "the last instruction is not a return"},
	{"ends in a jump that falls through", []Instruction{insLd(0), insRetA(), insLd(4)}, 2, ReasonNoReturn, "the last instruction is not a return"},

	// check_load_and_stores.
	{"scratch never written", []Instruction{Stmt(BPF_LD|BPF_MEM, 0), insRetA()}, 0, ReasonScratchUnwritten, "M[0] is read on a path that may not have written it"},
	{"scratch written on one branch", []Instruction{
		insLd(0),
		insJeq(1, 0, 1),
		Stmt(BPF_ST, 3),
		Stmt(BPF_LDX|BPF_MEM, 3),
		insRetA(),
	}, 3, ReasonScratchUnwritten, "M[3] is read"},
	{"other scratch word written", []Instruction{Stmt(BPF_STX, 1), Stmt(BPF_LD|BPF_MEM, 2), insRetA()}, 1, ReasonScratchUnwritten, "M[2] is read"},
	// The kernel carries the words written before a return into the
	// instruction after it, though only jumps reach that instruction: here
	// the one path to instruction 6 wrote M[0], yet it is refused.
	{"written words flow across a return", []Instruction{
		insLd(0),
		insJeq(1, 0, 3),
		Stmt(BPF_ST, 0),
		insJeq(2, 2, 0),
		insRet(1),
		insRet(2),
		Stmt(BPF_LD|BPF_MEM, 0),
		insRetA(),
	}, 6, ReasonScratchUnwritten, "M[0] is read"},

	// seccomp_check_filter: opcodes.
	{"ldh", []Instruction{Stmt(BPF_LD|BPF_H|BPF_ABS, 0), insRetA()}, 0, ReasonSeccompOpcode, "opcode not allowed in a seccomp filter"},
	{"ldb", []Instruction{Stmt(BPF_LD|BPF_B|BPF_ABS, 0), insRetA()}, 0, ReasonSeccompOpcode, "opcode not allowed"},
	{"ld [x + k]", []Instruction{Stmt(BPF_LD|BPF_W|BPF_IND, 0), insRetA()}, 0, ReasonSeccompOpcode, "opcode not allowed"},
	{"ldh [x + k]", []Instruction{Stmt(BPF_LD|BPF_H|BPF_IND, 0), insRetA()}, 0, ReasonSeccompOpcode, "opcode not allowed"},
	{"ldb [x + k]", []Instruction{Stmt(BPF_LD|BPF_B|BPF_IND, 0), insRetA()}, 0, ReasonSeccompOpcode, "opcode not allowed"},
	{"ldxb msh", []Instruction{Stmt(BPF_LDX|BPF_B|BPF_MSH, 0), insRetA()}, 0, ReasonSeccompOpcode, "opcode not allowed"},
	{"mod #k", []Instruction{insLd(0), Stmt(BPF_ALU|BPF_MOD|BPF_K, 3), insRetA()}, 1, ReasonSeccompOpcode, "opcode not allowed"},
	{"mod x", []Instruction{insLd(0), Stmt(BPF_ALU|BPF_MOD|BPF_X, 0), insRetA()}, 1, ReasonSeccompOpcode, "opcode not allowed"},
	{"known ancillary load", []Instruction{insLd(skfADOff), insRetA()}, 0, ReasonLoadOutside, "beyond the 64 bytes of seccomp_data"},

	// seccomp_check_filter: absolute loads inside seccomp_data, aligned.
	{"load past seccomp_data", []Instruction{insLd(SeccompDataSize), insRetA()}, 0, ReasonLoadOutside, "beyond the 64 bytes of seccomp_data"},
	{"load overlapping the end", []Instruction{insLd(SeccompDataSize - 2), insRetA()}, 0, ReasonLoadMisaligned, "not a multiple of 4"},
	{"misaligned load", []Instruction{insLd(OffsetArch + 1), insRetA()}, 0, ReasonLoadMisaligned, "not a multiple of 4"},
}

func TestVerifyRejects(t *testing.T) {
	for _, tt := range verifyRejects {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.prog)
			if err == nil {
				t.Fatalf("Verify accepted\n%s", Disassemble(tt.prog))
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is a %T, not a *VerifyError", err, err)
			}
			if ve.PC != tt.pc || ve.Reason != tt.reason || ve.Len != len(tt.prog) {
				t.Errorf("got PC %d, reason %v, Len %d; want PC %d, reason %v, Len %d", ve.PC, ve.Reason, ve.Len, tt.pc, tt.reason, len(tt.prog))
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("message %q does not say %q", err, tt.text)
			}
			var want Instruction
			if tt.pc >= 0 {
				want = tt.prog[tt.pc]
			}
			if ve.Insn != want {
				t.Errorf("Insn = %v, want %v", ve.Insn, want)
			}
		})
	}
}

// TestVerifyReasons checks that verifyRejects breaks every rule, and
// that every rule has a description.
func TestVerifyReasons(t *testing.T) {
	tested := make(map[VerifyReason]bool)
	for _, tt := range verifyRejects {
		tested[tt.reason] = true
	}
	for r := ReasonLength; r <= ReasonLoadMisaligned; r++ {
		if !tested[r] {
			t.Errorf("no program of verifyRejects breaks %v", r)
		}
		if s := r.String(); strings.HasPrefix(s, "VerifyReason(") {
			t.Errorf("reason %d has no description", int(r))
		}
	}
	if s := VerifyReason(0).String(); s != "VerifyReason(0)" {
		t.Errorf("VerifyReason(0) = %q", s)
	}
}

func TestVerifyErrorMessage(t *testing.T) {
	tests := []struct {
		prog []Instruction
		want string
	}{
		{nil, "filter: invalid program: 0 instructions; the kernel accepts 1 to 4096"},
		{
			[]Instruction{insLd(0), Stmt(BPF_ALU|BPF_DIV|BPF_K, 0), insRetA()},
			"filter: invalid program: instruction 1 (div #0x0): division by the constant 0",
		},
		{
			[]Instruction{insLd(0), insJeq(0x3b, 0, 9), insRetA()},
			"filter: invalid program: instruction 1 (jeq #0x3b, +0, +9): false branch jumps past the end of the program",
		},
		{
			[]Instruction{insLd(66), insRetA()},
			"filter: invalid program: instruction 0 (ld [66]): load beyond the 64 bytes of seccomp_data",
		},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			err := Verify(tt.prog)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Verify error = %v, want %s", err, tt.want)
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	prog := benchProgram()
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(prog); err != nil {
			b.Fatal(err)
		}
	}
}

// benchProgram returns an allow-list filter of a realistic size: an arch
// check and a linear chain of 200 syscall-number comparisons.
func benchProgram() []Instruction {
	const n = 200
	prog := []Instruction{insLd(OffsetArch), insJeq(0xc000003e, 1, 0), insRet(uint32(KillProcess)), insLd(OffsetNr)}
	for nr := range uint32(n) {
		prog = append(prog, insJeq(nr*2, uint8(n-nr), 0))
	}
	return append(prog, insRet(uint32(Errno(1))), insRet(uint32(Allow)))
}

// FuzzVerify checks that Verify never panics, reports an instruction of the
// program, and accepts only programs that run: Run succeeds on them within
// one step per instruction, and the disassembler and the cache emulation
// handle them.
func FuzzVerify(f *testing.F) {
	for _, prog := range [][]Instruction{verifyAllOpcodes, simAllowList, disasmTwoArches, statsProgram} {
		f.Add(Encode(prog, binary.LittleEndian), int32(0), uint64(0))
	}
	for _, tt := range verifyRejects {
		f.Add(Encode(tt.prog, binary.LittleEndian), int32(1), uint64(0x100000001))
	}
	f.Fuzz(func(t *testing.T, b []byte, nr int32, arg uint64) {
		prog, err := Decode(b[:len(b)/InstructionSize*InstructionSize], binary.LittleEndian)
		if err != nil {
			prog = nil
		}
		err = Verify(prog)
		var ve *VerifyError
		if err != nil {
			if !errors.As(err, &ve) || ve.PC < -1 || ve.PC >= len(prog) {
				t.Fatalf("Verify error %#v", err)
			}
			return
		}
		data := SeccompData{Nr: nr, Arch: uint32(arg >> 32), Args: [6]uint64{arg, ^arg, 0, 1, arg << 7, 3}}
		res, err := Run(prog, &data, binary.LittleEndian)
		if err != nil || res.Steps < 1 || res.Steps > len(prog) {
			t.Fatalf("Run = %+v, %v", res, err)
		}
		constAllow(prog, uint32(nr), data.Arch)
		_ = Disassemble(prog)
	})
}
