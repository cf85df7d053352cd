package filter

import "fmt"

// Instruction is one classic-BPF instruction, laid out as struct sock_filter
// in include/uapi/linux/filter.h. Read its opcode through Op, which splits
// it into the typed fields of include/uapi/linux/bpf_common.h.
type Instruction struct {
	// Code is the opcode (sock_filter.code): a class or-ed with the fields
	// that class uses, such as BPF_LD|BPF_W|BPF_ABS.
	Code uint16
	// Jt is the number of instructions a conditional jump skips when its
	// condition holds (sock_filter.jt).
	Jt uint8
	// Jf is the number of instructions a conditional jump skips when its
	// condition does not hold (sock_filter.jf).
	Jf uint8
	// K is the constant operand (sock_filter.k): a value, a seccomp_data
	// offset, a scratch-memory index, a BPF_JA offset or a return value.
	K uint32
}

// The opcode fields of include/uapi/linux/bpf_common.h and
// include/uapi/linux/filter.h under their C names. They are untyped, as
// the C macros are, so that they compose into an Instruction's Code:
// Stmt(BPF_LD|BPF_W|BPF_ABS, OffsetNr). The typed constants that follow
// (Class, Size, Mode, Source, ALUOp, JumpOp, MiscOp) name the same values
// for reading an opcode and for the Assembler.
const (
	// Classes, BPF_CLASS(code).
	BPF_LD   = 0x00
	BPF_LDX  = 0x01
	BPF_ST   = 0x02
	BPF_STX  = 0x03
	BPF_ALU  = 0x04
	BPF_JMP  = 0x05
	BPF_RET  = 0x06
	BPF_MISC = 0x07

	// Load sizes, BPF_SIZE(code).
	BPF_W = 0x00
	BPF_H = 0x08
	BPF_B = 0x10

	// Load modes, BPF_MODE(code).
	BPF_IMM = 0x00
	BPF_ABS = 0x20
	BPF_IND = 0x40
	BPF_MEM = 0x60
	BPF_LEN = 0x80
	BPF_MSH = 0xa0

	// ALU operations, BPF_OP(code).
	BPF_ADD = 0x00
	BPF_SUB = 0x10
	BPF_MUL = 0x20
	BPF_DIV = 0x30
	BPF_OR  = 0x40
	BPF_AND = 0x50
	BPF_LSH = 0x60
	BPF_RSH = 0x70
	BPF_NEG = 0x80
	BPF_MOD = 0x90
	BPF_XOR = 0xa0

	// Jump operations, BPF_OP(code).
	BPF_JA   = 0x00
	BPF_JEQ  = 0x10
	BPF_JGT  = 0x20
	BPF_JGE  = 0x30
	BPF_JSET = 0x40

	// Operand sources, BPF_SRC(code), and return-value sources,
	// BPF_RVAL(code), which add BPF_A.
	BPF_K = 0x00
	BPF_X = 0x08
	BPF_A = 0x10

	// BPF_MISC operations, BPF_MISCOP(code).
	BPF_TAX = 0x00
	BPF_TXA = 0x80
)

// BPF_MEMWORDS is the number of scratch memory words, M[0] to M[15]
// (include/uapi/linux/filter.h).
const BPF_MEMWORDS = 16

// MaxInstructions is the largest program the kernel accepts, BPF_MAXINSNS
// of include/uapi/linux/bpf_common.h.
const MaxInstructions = 4096

// Offsets of the fields of struct seccomp_data (include/uapi/linux/seccomp.h).
const (
	OffsetNr   = 0  // int nr
	OffsetArch = 4  // __u32 arch
	OffsetIP   = 8  // __u64 instruction_pointer
	OffsetArgs = 16 // __u64 args[6]
	// SeccompDataSize is sizeof(struct seccomp_data).
	SeccompDataSize = 64
)

// Stmt returns a non-jump instruction, as BPF_STMT of
// include/uapi/linux/filter.h does.
func Stmt(code uint16, k uint32) Instruction { return Instruction{Code: code, K: k} }

// Jump returns a jump instruction with explicit offsets, as BPF_JUMP of
// include/uapi/linux/filter.h does.
func Jump(code uint16, k uint32, jt, jf uint8) Instruction {
	return Instruction{Code: code, Jt: jt, Jf: jf, K: k}
}

// Opcode is an Instruction's Code, typed to be read field by field with the
// macros of include/uapi/linux/bpf_common.h (BPF_CLASS, BPF_SIZE, …) as
// methods.
//
// This file is the one place that knows the bit masks of those fields;
// everything else reads opcodes through these methods.
type Opcode uint16

// Class is the instruction class of an opcode, BPF_CLASS(code).
type Class uint8

// The instruction classes.
const (
	ClassLD   Class = BPF_LD   // load into A
	ClassLDX  Class = BPF_LDX  // load into X
	ClassST   Class = BPF_ST   // store A in scratch memory
	ClassSTX  Class = BPF_STX  // store X in scratch memory
	ClassALU  Class = BPF_ALU  // arithmetic on A
	ClassJMP  Class = BPF_JMP  // jumps
	ClassRET  Class = BPF_RET  // return
	ClassMISC Class = BPF_MISC // register moves
)

// Size is the width of a load, BPF_SIZE(code).
type Size uint8

// The load sizes.
const (
	SizeW Size = BPF_W // 32 bits
	SizeH Size = BPF_H // 16 bits
	SizeB Size = BPF_B // 8 bits
)

// Mode is where a load reads from, BPF_MODE(code).
type Mode uint8

// The load modes.
const (
	ModeIMM Mode = BPF_IMM // the constant K
	ModeABS Mode = BPF_ABS // the packet (seccomp_data) at offset K
	ModeIND Mode = BPF_IND // the packet at offset X+K
	ModeMEM Mode = BPF_MEM // scratch word M[K]
	ModeLEN Mode = BPF_LEN // the packet's length
	ModeMSH Mode = BPF_MSH // 4*(packet[K]&0xf), the IP header length
)

// Source is the operand of an ALU operation or a conditional jump,
// BPF_SRC(code), or the value a return returns, BPF_RVAL(code).
type Source uint8

// The operand and return-value sources.
const (
	SourceK Source = BPF_K // the constant K
	SourceX Source = BPF_X // register X
	SourceA Source = BPF_A // register A, for BPF_RET only
)

// ALUOp is the operation of a BPF_ALU instruction, BPF_OP(code).
type ALUOp uint8

// The ALU operations. BPF_NEG takes no operand.
const (
	ALUAdd ALUOp = BPF_ADD
	ALUSub ALUOp = BPF_SUB
	ALUMul ALUOp = BPF_MUL
	ALUDiv ALUOp = BPF_DIV
	ALUOr  ALUOp = BPF_OR
	ALUAnd ALUOp = BPF_AND
	ALULsh ALUOp = BPF_LSH
	ALURsh ALUOp = BPF_RSH
	ALUNeg ALUOp = BPF_NEG
	ALUMod ALUOp = BPF_MOD
	ALUXor ALUOp = BPF_XOR
)

// JumpOp is the operation of a BPF_JMP instruction, BPF_OP(code).
type JumpOp uint8

// The jump operations: JumpAlways is BPF_JA, which jumps K instructions;
// the others compare A with the operand and jump Jt or Jf instructions.
const (
	JumpAlways JumpOp = BPF_JA   // unconditional
	JumpEq     JumpOp = BPF_JEQ  // A == operand
	JumpGT     JumpOp = BPF_JGT  // A > operand, unsigned
	JumpGE     JumpOp = BPF_JGE  // A >= operand, unsigned
	JumpSet    JumpOp = BPF_JSET // A & operand != 0
)

// MiscOp is the operation of a BPF_MISC instruction, BPF_MISCOP(code).
type MiscOp uint8

// The BPF_MISC operations.
const (
	MiscTAX MiscOp = BPF_TAX // X = A
	MiscTXA MiscOp = BPF_TXA // A = X
)

// Masks of the opcode fields: the BPF_CLASS, BPF_SIZE, BPF_MODE, BPF_OP,
// BPF_SRC, BPF_RVAL and BPF_MISCOP macros of include/uapi/linux/bpf_common.h
// and include/uapi/linux/filter.h.
const (
	maskClass  = 0x07
	maskSize   = 0x18
	maskMode   = 0xe0
	maskOp     = 0xf0
	maskSrc    = 0x08
	maskRVal   = 0x18
	maskMiscOp = 0xf8
)

// Class returns the instruction class.
func (o Opcode) Class() Class { return Class(o & maskClass) }

// Size returns the width of a load (BPF_LD, BPF_LDX).
func (o Opcode) Size() Size { return Size(o & maskSize) }

// Mode returns where a load (BPF_LD, BPF_LDX) reads from.
func (o Opcode) Mode() Mode { return Mode(o & maskMode) }

// ALUOp returns the operation of a BPF_ALU instruction.
func (o Opcode) ALUOp() ALUOp { return ALUOp(o & maskOp) }

// JumpOp returns the operation of a BPF_JMP instruction.
func (o Opcode) JumpOp() JumpOp { return JumpOp(o & maskOp) }

// MiscOp returns the operation of a BPF_MISC instruction.
func (o Opcode) MiscOp() MiscOp { return MiscOp(o & maskMiscOp) }

// Source returns the operand of a BPF_ALU or BPF_JMP instruction
// (SourceK or SourceX) or the return value of a BPF_RET (SourceK,
// SourceX or SourceA).
func (o Opcode) Source() Source {
	if o.Class() == ClassRET {
		return Source(o & maskRVal)
	}
	return Source(o & maskSrc)
}

// fits8 reports whether the opcode fits in the 8 bits that hold every
// classic-BPF opcode; the fields of a larger one do not describe it.
func (o Opcode) fits8() bool { return o <= 0xff }

// Op returns the instruction's opcode.
func (i Instruction) Op() Opcode { return Opcode(i.Code) }

// Class returns the instruction class.
func (i Instruction) Class() Class { return i.Op().Class() }

// IsJump reports whether the instruction is in class BPF_JMP.
func (i Instruction) IsJump() bool { return i.Class() == ClassJMP }

// IsConditionalJump reports whether the instruction is one of the eight
// conditional jumps of classic BPF: BPF_JEQ, BPF_JGT, BPF_JGE or BPF_JSET
// with operand BPF_K or BPF_X.
func (i Instruction) IsConditionalJump() bool {
	switch Opcode(i.Code &^ maskSrc) {
	case BPF_JMP | BPF_JEQ, BPF_JMP | BPF_JGT, BPF_JMP | BPF_JGE, BPF_JMP | BPF_JSET:
		return true
	}
	return false
}

// IsReturn reports whether the instruction is in class BPF_RET.
func (i Instruction) IsReturn() bool { return i.Class() == ClassRET }

// String returns the mnemonic of the operation in the kernel's bpf_asm
// (tools/bpf/bpf_exp.y): "add", "lsh", …; or ALUOp(0x…) for a value that
// is no ALU operation.
func (op ALUOp) String() string {
	if m := op.mnemonic(); m != "" {
		return m
	}
	return fmt.Sprintf("ALUOp(%#02x)", uint8(op))
}

// mnemonic returns the bpf_asm mnemonic of op, or "".
func (op ALUOp) mnemonic() string {
	switch op {
	case ALUAdd:
		return "add"
	case ALUSub:
		return "sub"
	case ALUMul:
		return "mul"
	case ALUDiv:
		return "div"
	case ALUOr:
		return "or"
	case ALUAnd:
		return "and"
	case ALULsh:
		return "lsh"
	case ALURsh:
		return "rsh"
	case ALUNeg:
		return "neg"
	case ALUMod:
		return "mod"
	case ALUXor:
		return "xor"
	}
	return ""
}

// String returns the mnemonic of the operation in the kernel's bpf_asm
// (tools/bpf/bpf_exp.y): "ja", "jeq", …; or JumpOp(0x…) for a value that
// is no jump operation.
func (op JumpOp) String() string {
	if m := op.mnemonic(); m != "" {
		return m
	}
	return fmt.Sprintf("JumpOp(%#02x)", uint8(op))
}

// mnemonic returns the bpf_asm mnemonic of op, or "".
func (op JumpOp) mnemonic() string {
	switch op {
	case JumpAlways:
		return "ja"
	case JumpEq:
		return "jeq"
	case JumpGT:
		return "jgt"
	case JumpGE:
		return "jge"
	case JumpSet:
		return "jset"
	}
	return ""
}
