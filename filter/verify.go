package filter

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error that reports a program the kernel
// would refuse to install as a seccomp filter.
var ErrInvalid = errors.New("filter: invalid program")

// VerifyReason names the rule of the kernel's checks that a program breaks,
// for a caller to switch on. The rules are those of bpf_check_classic and
// check_load_and_stores in net/core/filter.c and of seccomp_prepare_filter
// and seccomp_check_filter in kernel/seccomp.c.
type VerifyReason int

// The rules Verify applies, in the order it applies them.
const (
	// ReasonLength: the program has no instructions or more than
	// MaxInstructions (seccomp_prepare_filter; bpf_check_basics_ok).
	ReasonLength VerifyReason = iota + 1
	// ReasonUnknownOpcode: an opcode classic BPF does not define
	// (chk_code_allowed, from bpf_check_classic).
	ReasonUnknownOpcode
	// ReasonDivisionByZero: BPF_DIV or BPF_MOD by the constant 0
	// (bpf_check_classic).
	ReasonDivisionByZero
	// ReasonShiftTooFar: BPF_LSH or BPF_RSH by a constant of 32 or more
	// (bpf_check_classic).
	ReasonShiftTooFar
	// ReasonScratchIndex: a scratch-memory index of BPF_MEMWORDS or more
	// (bpf_check_classic).
	ReasonScratchIndex
	// ReasonJumpRange: a jump, or one branch of a conditional jump, that
	// lands past the last instruction (bpf_check_classic).
	ReasonJumpRange
	// ReasonAncillaryLoad: an absolute load from SKF_AD_OFF on that names
	// no ancillary field (bpf_check_classic, bpf_anc_helper).
	ReasonAncillaryLoad
	// ReasonNoReturn: the last instruction is neither BPF_RET|BPF_K nor
	// BPF_RET|BPF_A (bpf_check_classic).
	ReasonNoReturn
	// ReasonScratchUnwritten: a load from a scratch word that some path
	// reaches without storing to it (check_load_and_stores).
	ReasonScratchUnwritten
	// ReasonSeccompOpcode: an opcode classic BPF defines but seccomp
	// refuses: packet loads other than BPF_LD|BPF_W|BPF_ABS, BPF_MOD,
	// BPF_LDX|BPF_B|BPF_MSH (seccomp_check_filter).
	ReasonSeccompOpcode
	// ReasonLoadOutside: an absolute load at an offset of
	// SeccompDataSize or more (seccomp_check_filter).
	ReasonLoadOutside
	// ReasonLoadMisaligned: an absolute load at an offset that is not a
	// multiple of 4 (seccomp_check_filter).
	ReasonLoadMisaligned
)

// String describes the rule in a few words.
func (r VerifyReason) String() string {
	switch r {
	case ReasonLength:
		return fmt.Sprintf("the kernel accepts 1 to %d instructions", MaxInstructions)
	case ReasonUnknownOpcode:
		return "unknown opcode"
	case ReasonDivisionByZero:
		return "division by the constant 0"
	case ReasonShiftTooFar:
		return "shift by a constant of 32 or more"
	case ReasonScratchIndex:
		return fmt.Sprintf("scratch memory has only M[0] to M[%d]", BPF_MEMWORDS-1)
	case ReasonJumpRange:
		return "jump past the end of the program"
	case ReasonAncillaryLoad:
		return "unknown ancillary load"
	case ReasonNoReturn:
		return "the last instruction is not a return"
	case ReasonScratchUnwritten:
		return "scratch memory read on a path that may not have written it"
	case ReasonSeccompOpcode:
		return "opcode not allowed in a seccomp filter"
	case ReasonLoadOutside:
		return fmt.Sprintf("load beyond the %d bytes of seccomp_data", SeccompDataSize)
	case ReasonLoadMisaligned:
		return "load at an offset that is not a multiple of 4"
	}
	return fmt.Sprintf("VerifyReason(%d)", int(r))
}

// VerifyError reports the first rule of the kernel's checks that a program
// breaks. It wraps ErrInvalid.
type VerifyError struct {
	// Reason is the rule broken.
	Reason VerifyReason
	// PC is the index of the offending instruction, or -1 when the rule
	// concerns the program as a whole (ReasonLength).
	PC int
	// Insn is the offending instruction (the zero Instruction when PC is -1).
	Insn Instruction
	// Len is the number of instructions in the program.
	Len int
}

// Error says, in one sentence, where the program breaks which rule:
// "filter: invalid program: instruction 1 (div #0x0): division by the
// constant 0".
func (e *VerifyError) Error() string {
	if e.PC < 0 {
		return fmt.Sprintf("%v: %s", ErrInvalid, e.detail())
	}
	return fmt.Sprintf("%v: instruction %d (%v): %s", ErrInvalid, e.PC, e.Insn, e.detail())
}

// detail describes the rule broken with what the instruction adds to it.
func (e *VerifyError) detail() string {
	switch e.Reason {
	case ReasonLength:
		return fmt.Sprintf("%d instructions; the kernel accepts 1 to %d", e.Len, MaxInstructions)
	case ReasonUnknownOpcode:
		return fmt.Sprintf("unknown opcode %#02x", e.Insn.Code)
	case ReasonScratchUnwritten:
		return fmt.Sprintf("M[%d] is read on a path that may not have written it", e.Insn.K)
	case ReasonJumpRange:
		if e.Insn.IsConditionalJump() {
			branch := "false"
			if e.PC+int(e.Insn.Jt)+1 >= e.Len {
				branch = "true"
			}
			return branch + " branch jumps past the end of the program"
		}
	}
	return e.Reason.String()
}

// Unwrap returns ErrInvalid.
func (e *VerifyError) Unwrap() error { return ErrInvalid }

// Verify reports whether the kernel would accept prog as a seccomp filter,
// applying the checks of seccomp_prepare_filter in kernel/seccomp.c in the
// kernel's order:
//
//   - bpf_check_classic (net/core/filter.c): 1 to MaxInstructions
//     instructions; only opcodes classic BPF defines; no division or
//     modulo by the constant 0; no shift by a constant of 32 or more;
//     scratch memory indexes below BPF_MEMWORDS; every jump forward and
//     inside the program (the 32-bit K of BPF_JA included); no unknown
//     ancillary load; the last instruction a return of K or A;
//   - check_load_and_stores (net/core/filter.c): no M[k] read on a path
//     where it may not have been written;
//   - seccomp_check_filter (kernel/seccomp.c): only the opcodes seccomp
//     allows, and 32-bit loads only at a 4-aligned offset inside struct
//     seccomp_data. BPF_LD|BPF_W|BPF_LEN and BPF_LDX|BPF_W|BPF_LEN are
//     accepted: the kernel rewrites them to load the constant 64.
//
// The error, when not nil, is a *VerifyError for the first rule broken.
func Verify(prog []Instruction) error {
	n := len(prog)
	fail := func(r VerifyReason, pc int) error {
		e := &VerifyError{Reason: r, PC: pc, Len: n}
		if pc >= 0 {
			e.Insn = prog[pc]
		}
		return e
	}
	if n == 0 || n > MaxInstructions {
		return fail(ReasonLength, -1)
	}
	for pc, ins := range prog {
		if r := checkClassic(ins, pc, n); r != 0 {
			return fail(r, pc)
		}
	}
	if last := prog[n-1]; last.Code != BPF_RET|BPF_K && last.Code != BPF_RET|BPF_A {
		return fail(ReasonNoReturn, n-1)
	}
	if pc := firstUnwrittenLoad(prog); pc >= 0 {
		return fail(ReasonScratchUnwritten, pc)
	}
	for pc, ins := range prog {
		if r := checkSeccomp(ins); r != 0 {
			return fail(r, pc)
		}
	}
	return nil
}

// opcodeRule says which of the kernel's checks let an opcode through.
type opcodeRule uint8

const (
	unknownOpcode opcodeRule = iota // refused by chk_code_allowed
	classicOnly                     // refused by seccomp_check_filter
	seccompOpcode                   // accepted by both
)

// opcodes holds every opcode of chk_code_allowed in net/core/filter.c,
// the instructions classic BPF defines, and marks those that
// seccomp_check_filter in kernel/seccomp.c lets through: no packet loads
// other than the 32-bit absolute load, no BPF_MOD, no BPF_LDX|BPF_B|BPF_MSH.
var opcodes = [256]opcodeRule{
	BPF_ALU | BPF_ADD | BPF_K:  seccompOpcode,
	BPF_ALU | BPF_ADD | BPF_X:  seccompOpcode,
	BPF_ALU | BPF_SUB | BPF_K:  seccompOpcode,
	BPF_ALU | BPF_SUB | BPF_X:  seccompOpcode,
	BPF_ALU | BPF_MUL | BPF_K:  seccompOpcode,
	BPF_ALU | BPF_MUL | BPF_X:  seccompOpcode,
	BPF_ALU | BPF_DIV | BPF_K:  seccompOpcode,
	BPF_ALU | BPF_DIV | BPF_X:  seccompOpcode,
	BPF_ALU | BPF_MOD | BPF_K:  classicOnly,
	BPF_ALU | BPF_MOD | BPF_X:  classicOnly,
	BPF_ALU | BPF_AND | BPF_K:  seccompOpcode,
	BPF_ALU | BPF_AND | BPF_X:  seccompOpcode,
	BPF_ALU | BPF_OR | BPF_K:   seccompOpcode,
	BPF_ALU | BPF_OR | BPF_X:   seccompOpcode,
	BPF_ALU | BPF_XOR | BPF_K:  seccompOpcode,
	BPF_ALU | BPF_XOR | BPF_X:  seccompOpcode,
	BPF_ALU | BPF_LSH | BPF_K:  seccompOpcode,
	BPF_ALU | BPF_LSH | BPF_X:  seccompOpcode,
	BPF_ALU | BPF_RSH | BPF_K:  seccompOpcode,
	BPF_ALU | BPF_RSH | BPF_X:  seccompOpcode,
	BPF_ALU | BPF_NEG:          seccompOpcode,
	BPF_LD | BPF_W | BPF_ABS:   seccompOpcode, // offset checked separately
	BPF_LD | BPF_H | BPF_ABS:   classicOnly,
	BPF_LD | BPF_B | BPF_ABS:   classicOnly,
	BPF_LD | BPF_W | BPF_LEN:   seccompOpcode, // rewritten to ld #64
	BPF_LD | BPF_W | BPF_IND:   classicOnly,
	BPF_LD | BPF_H | BPF_IND:   classicOnly,
	BPF_LD | BPF_B | BPF_IND:   classicOnly,
	BPF_LD | BPF_IMM:           seccompOpcode,
	BPF_LD | BPF_MEM:           seccompOpcode,
	BPF_LDX | BPF_W | BPF_LEN:  seccompOpcode, // rewritten to ldx #64
	BPF_LDX | BPF_B | BPF_MSH:  classicOnly,
	BPF_LDX | BPF_IMM:          seccompOpcode,
	BPF_LDX | BPF_MEM:          seccompOpcode,
	BPF_ST:                     seccompOpcode,
	BPF_STX:                    seccompOpcode,
	BPF_MISC | BPF_TAX:         seccompOpcode,
	BPF_MISC | BPF_TXA:         seccompOpcode,
	BPF_RET | BPF_K:            seccompOpcode,
	BPF_RET | BPF_A:            seccompOpcode,
	BPF_JMP | BPF_JA:           seccompOpcode,
	BPF_JMP | BPF_JEQ | BPF_K:  seccompOpcode,
	BPF_JMP | BPF_JEQ | BPF_X:  seccompOpcode,
	BPF_JMP | BPF_JGE | BPF_K:  seccompOpcode,
	BPF_JMP | BPF_JGE | BPF_X:  seccompOpcode,
	BPF_JMP | BPF_JGT | BPF_K:  seccompOpcode,
	BPF_JMP | BPF_JGT | BPF_X:  seccompOpcode,
	BPF_JMP | BPF_JSET | BPF_K: seccompOpcode,
	BPF_JMP | BPF_JSET | BPF_X: seccompOpcode,
}

// rule returns what the kernel's checks make of an opcode.
func rule(code uint16) opcodeRule {
	if int(code) >= len(opcodes) {
		return unknownOpcode
	}
	return opcodes[code]
}

// Ancillary loads (include/uapi/linux/filter.h): an absolute load at
// SKF_AD_OFF + n reads packet metadata. bpf_anc_helper knows every n that
// is a multiple of 4 below SKF_AD_MAX.
const (
	skfADOff = 0xfffff000 // SKF_AD_OFF, -0x1000 as a u32
	skfADMax = 64         // SKF_AD_MAX
)

// checkClassic applies the per-instruction rules of bpf_check_classic to
// the instruction at pc of a program of n instructions. It returns the
// rule the instruction breaks, or 0.
func checkClassic(ins Instruction, pc, n int) VerifyReason {
	switch {
	case rule(ins.Code) == unknownOpcode:
		return ReasonUnknownOpcode
	case ins.IsConditionalJump():
		if pc+int(ins.Jt)+1 >= n || pc+int(ins.Jf)+1 >= n {
			return ReasonJumpRange
		}
	}
	switch ins.Code {
	case BPF_ALU | BPF_DIV | BPF_K, BPF_ALU | BPF_MOD | BPF_K:
		if ins.K == 0 {
			return ReasonDivisionByZero
		}
	case BPF_ALU | BPF_LSH | BPF_K, BPF_ALU | BPF_RSH | BPF_K:
		if ins.K >= 32 {
			return ReasonShiftTooFar
		}
	case BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX:
		if ins.K >= BPF_MEMWORDS {
			return ReasonScratchIndex
		}
	case BPF_JMP | BPF_JA:
		if uint64(ins.K) >= uint64(n-pc-1) {
			return ReasonJumpRange
		}
	case BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS:
		if ins.K >= skfADOff && (ins.K-skfADOff >= skfADMax || ins.K%4 != 0) {
			return ReasonAncillaryLoad
		}
	}
	return 0
}

// firstUnwrittenLoad mirrors check_load_and_stores in net/core/filter.c:
// walking the program in order, it tracks which scratch words are written
// on every path to each instruction, and returns the index of the first
// BPF_LD|BPF_MEM or BPF_LDX|BPF_MEM of a word that may be unwritten, or -1.
// Like the kernel it carries the set of written words across a return into
// the next instruction, which only jumps can reach.
func firstUnwrittenLoad(prog []Instruction) int {
	const all = 1<<BPF_MEMWORDS - 1
	written := make([]uint16, len(prog)) // words written on every jump to pc
	for i := range written {
		written[i] = all
	}
	var valid uint16
	for pc, ins := range prog {
		valid &= written[pc]
		switch ins.Code {
		case BPF_ST, BPF_STX:
			valid |= 1 << ins.K
		case BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM:
			if valid&(1<<ins.K) == 0 {
				return pc
			}
		case BPF_JMP | BPF_JA:
			written[pc+1+int(ins.K)] &= valid
			valid = all
		}
		if ins.IsConditionalJump() {
			written[pc+1+int(ins.Jt)] &= valid
			written[pc+1+int(ins.Jf)] &= valid
			valid = all
		}
	}
	return -1
}

// checkSeccomp applies seccomp_check_filter to an instruction that passed
// bpf_check_classic. It returns the rule the instruction breaks, or 0.
func checkSeccomp(ins Instruction) VerifyReason {
	if rule(ins.Code) != seccompOpcode {
		return ReasonSeccompOpcode
	}
	if ins.Code == BPF_LD|BPF_W|BPF_ABS {
		switch {
		case ins.K >= SeccompDataSize:
			return ReasonLoadOutside
		case ins.K%4 != 0:
			return ReasonLoadMisaligned
		}
	}
	return 0
}
