package filter

// Instruction is one classic-BPF instruction, laid out as struct sock_filter
// in include/uapi/linux/filter.h: a 16-bit opcode, two 8-bit conditional
// jump offsets and a 32-bit constant.
type Instruction struct {
	Code uint16
	Jt   uint8
	Jf   uint8
	K    uint32
}

// Instruction classes, sizes, modes and operations, as defined in
// include/uapi/linux/bpf_common.h and include/uapi/linux/filter.h.
const (
	// Classes (code & 0x07).
	BPF_LD   = 0x00
	BPF_LDX  = 0x01
	BPF_ST   = 0x02
	BPF_STX  = 0x03
	BPF_ALU  = 0x04
	BPF_JMP  = 0x05
	BPF_RET  = 0x06
	BPF_MISC = 0x07

	// Load sizes (code & 0x18).
	BPF_W = 0x00
	BPF_H = 0x08
	BPF_B = 0x10

	// Load modes (code & 0xe0).
	BPF_IMM = 0x00
	BPF_ABS = 0x20
	BPF_IND = 0x40
	BPF_MEM = 0x60
	BPF_LEN = 0x80
	BPF_MSH = 0xa0

	// ALU operations (code & 0xf0).
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

	// Jump operations (code & 0xf0).
	BPF_JA   = 0x00
	BPF_JEQ  = 0x10
	BPF_JGT  = 0x20
	BPF_JGE  = 0x30
	BPF_JSET = 0x40

	// Operand sources (code & 0x08).
	BPF_K = 0x00
	BPF_X = 0x08

	// Return value source (code & 0x18) of BPF_RET.
	BPF_A = 0x10

	// BPF_MISC operations (code & 0xf8).
	BPF_TAX = 0x00
	BPF_TXA = 0x80
)

// BPF_MEMWORDS is the number of scratch memory words (M[0]..M[15]).
const BPF_MEMWORDS = 16

// MaxInstructions is the largest program the kernel accepts (BPF_MAXINSNS).
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

// Stmt returns a non-jump instruction.
func Stmt(code uint16, k uint32) Instruction { return Instruction{Code: code, K: k} }

// Jump returns a jump instruction with explicit offsets.
func Jump(code uint16, k uint32, jt, jf uint8) Instruction {
	return Instruction{Code: code, Jt: jt, Jf: jf, K: k}
}

// Class returns the instruction class (BPF_LD … BPF_MISC).
func (i Instruction) Class() uint16 { return i.Code & 0x07 }

// IsJump reports whether the instruction is in class BPF_JMP.
func (i Instruction) IsJump() bool { return i.Class() == BPF_JMP }

// IsReturn reports whether the instruction is in class BPF_RET.
func (i Instruction) IsReturn() bool { return i.Class() == BPF_RET }
