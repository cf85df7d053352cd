package filter

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error that reports a program the kernel
// would refuse to install as a seccomp filter.
var ErrInvalid = errors.New("filter: invalid program")

// VerifyError reports the first rule of the kernel's checks that a program
// breaks. It wraps ErrInvalid.
type VerifyError struct {
	// PC is the index of the offending instruction, or -1 when the rule
	// concerns the program as a whole (its length).
	PC int
	// Insn is the offending instruction (the zero Instruction when PC is -1).
	Insn Instruction
	// Reason names the rule broken.
	Reason string
}

func (e *VerifyError) Error() string {
	if e.PC < 0 {
		return fmt.Sprintf("%v: %s", ErrInvalid, e.Reason)
	}
	return fmt.Sprintf("%v: instruction %d (%v): %s", ErrInvalid, e.PC, e.Insn, e.Reason)
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
	if n := len(prog); n == 0 || n > MaxInstructions {
		return &VerifyError{PC: -1, Reason: fmt.Sprintf("%d instructions; the kernel accepts 1 to %d", n, MaxInstructions)}
	}
	for pc, ins := range prog {
		if reason := checkClassic(ins, pc, len(prog)); reason != "" {
			return &VerifyError{PC: pc, Insn: ins, Reason: reason}
		}
	}
	last := len(prog) - 1
	if c := prog[last].Code; c != BPF_RET|BPF_K && c != BPF_RET|BPF_A {
		return &VerifyError{PC: last, Insn: prog[last], Reason: "the last instruction is not a return"}
	}
	if pc := firstUnwrittenLoad(prog); pc >= 0 {
		return &VerifyError{PC: pc, Insn: prog[pc], Reason: fmt.Sprintf("M[%d] is read on a path that may not have written it", prog[pc].K)}
	}
	for pc, ins := range prog {
		if reason := checkSeccomp(ins); reason != "" {
			return &VerifyError{PC: pc, Insn: ins, Reason: reason}
		}
	}
	return nil
}

// classicOpcodes holds the opcodes of chk_code_allowed in net/core/filter.c:
// every instruction classic BPF defines.
var classicOpcodes = [256]bool{
	BPF_ALU | BPF_ADD | BPF_K:  true,
	BPF_ALU | BPF_ADD | BPF_X:  true,
	BPF_ALU | BPF_SUB | BPF_K:  true,
	BPF_ALU | BPF_SUB | BPF_X:  true,
	BPF_ALU | BPF_MUL | BPF_K:  true,
	BPF_ALU | BPF_MUL | BPF_X:  true,
	BPF_ALU | BPF_DIV | BPF_K:  true,
	BPF_ALU | BPF_DIV | BPF_X:  true,
	BPF_ALU | BPF_MOD | BPF_K:  true,
	BPF_ALU | BPF_MOD | BPF_X:  true,
	BPF_ALU | BPF_AND | BPF_K:  true,
	BPF_ALU | BPF_AND | BPF_X:  true,
	BPF_ALU | BPF_OR | BPF_K:   true,
	BPF_ALU | BPF_OR | BPF_X:   true,
	BPF_ALU | BPF_XOR | BPF_K:  true,
	BPF_ALU | BPF_XOR | BPF_X:  true,
	BPF_ALU | BPF_LSH | BPF_K:  true,
	BPF_ALU | BPF_LSH | BPF_X:  true,
	BPF_ALU | BPF_RSH | BPF_K:  true,
	BPF_ALU | BPF_RSH | BPF_X:  true,
	BPF_ALU | BPF_NEG:          true,
	BPF_LD | BPF_W | BPF_ABS:   true,
	BPF_LD | BPF_H | BPF_ABS:   true,
	BPF_LD | BPF_B | BPF_ABS:   true,
	BPF_LD | BPF_W | BPF_LEN:   true,
	BPF_LD | BPF_W | BPF_IND:   true,
	BPF_LD | BPF_H | BPF_IND:   true,
	BPF_LD | BPF_B | BPF_IND:   true,
	BPF_LD | BPF_IMM:           true,
	BPF_LD | BPF_MEM:           true,
	BPF_LDX | BPF_W | BPF_LEN:  true,
	BPF_LDX | BPF_B | BPF_MSH:  true,
	BPF_LDX | BPF_IMM:          true,
	BPF_LDX | BPF_MEM:          true,
	BPF_ST:                     true,
	BPF_STX:                    true,
	BPF_MISC | BPF_TAX:         true,
	BPF_MISC | BPF_TXA:         true,
	BPF_RET | BPF_K:            true,
	BPF_RET | BPF_A:            true,
	BPF_JMP | BPF_JA:           true,
	BPF_JMP | BPF_JEQ | BPF_K:  true,
	BPF_JMP | BPF_JEQ | BPF_X:  true,
	BPF_JMP | BPF_JGE | BPF_K:  true,
	BPF_JMP | BPF_JGE | BPF_X:  true,
	BPF_JMP | BPF_JGT | BPF_K:  true,
	BPF_JMP | BPF_JGT | BPF_X:  true,
	BPF_JMP | BPF_JSET | BPF_K: true,
	BPF_JMP | BPF_JSET | BPF_X: true,
}

// seccompOpcodes holds the opcodes seccomp_check_filter in kernel/seccomp.c
// lets through: no packet loads other than the 32-bit absolute load, no
// BPF_MOD, no BPF_LDX|BPF_B|BPF_MSH.
var seccompOpcodes = [256]bool{
	BPF_LD | BPF_W | BPF_ABS:   true, // offset checked separately
	BPF_LD | BPF_W | BPF_LEN:   true, // rewritten to ld #64
	BPF_LDX | BPF_W | BPF_LEN:  true, // rewritten to ldx #64
	BPF_RET | BPF_K:            true,
	BPF_RET | BPF_A:            true,
	BPF_ALU | BPF_ADD | BPF_K:  true,
	BPF_ALU | BPF_ADD | BPF_X:  true,
	BPF_ALU | BPF_SUB | BPF_K:  true,
	BPF_ALU | BPF_SUB | BPF_X:  true,
	BPF_ALU | BPF_MUL | BPF_K:  true,
	BPF_ALU | BPF_MUL | BPF_X:  true,
	BPF_ALU | BPF_DIV | BPF_K:  true,
	BPF_ALU | BPF_DIV | BPF_X:  true,
	BPF_ALU | BPF_AND | BPF_K:  true,
	BPF_ALU | BPF_AND | BPF_X:  true,
	BPF_ALU | BPF_OR | BPF_K:   true,
	BPF_ALU | BPF_OR | BPF_X:   true,
	BPF_ALU | BPF_XOR | BPF_K:  true,
	BPF_ALU | BPF_XOR | BPF_X:  true,
	BPF_ALU | BPF_LSH | BPF_K:  true,
	BPF_ALU | BPF_LSH | BPF_X:  true,
	BPF_ALU | BPF_RSH | BPF_K:  true,
	BPF_ALU | BPF_RSH | BPF_X:  true,
	BPF_ALU | BPF_NEG:          true,
	BPF_LD | BPF_IMM:           true,
	BPF_LDX | BPF_IMM:          true,
	BPF_MISC | BPF_TAX:         true,
	BPF_MISC | BPF_TXA:         true,
	BPF_LD | BPF_MEM:           true,
	BPF_LDX | BPF_MEM:          true,
	BPF_ST:                     true,
	BPF_STX:                    true,
	BPF_JMP | BPF_JA:           true,
	BPF_JMP | BPF_JEQ | BPF_K:  true,
	BPF_JMP | BPF_JEQ | BPF_X:  true,
	BPF_JMP | BPF_JGE | BPF_K:  true,
	BPF_JMP | BPF_JGE | BPF_X:  true,
	BPF_JMP | BPF_JGT | BPF_K:  true,
	BPF_JMP | BPF_JGT | BPF_X:  true,
	BPF_JMP | BPF_JSET | BPF_K: true,
	BPF_JMP | BPF_JSET | BPF_X: true,
}

// Ancillary loads (include/uapi/linux/filter.h): an absolute load at
// SKF_AD_OFF + n reads packet metadata. bpf_anc_helper knows every n that
// is a multiple of 4 below SKF_AD_MAX.
const (
	skfADOff = 0xfffff000 // SKF_AD_OFF, -0x1000 as a u32
	skfADMax = 64         // SKF_AD_MAX
)

// checkClassic applies the per-instruction rules of bpf_check_classic to
// the instruction at pc of a program of n instructions. It returns why the
// instruction is refused, or "".
func checkClassic(ins Instruction, pc, n int) string {
	if int(ins.Code) >= len(classicOpcodes) || !classicOpcodes[ins.Code] {
		return fmt.Sprintf("unknown opcode 0x%02x", ins.Code)
	}
	switch ins.Code {
	case BPF_ALU | BPF_DIV | BPF_K, BPF_ALU | BPF_MOD | BPF_K:
		if ins.K == 0 {
			return "division by the constant 0"
		}
	case BPF_ALU | BPF_LSH | BPF_K, BPF_ALU | BPF_RSH | BPF_K:
		if ins.K >= 32 {
			return "shift by a constant of 32 or more"
		}
	case BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX:
		if ins.K >= BPF_MEMWORDS {
			return fmt.Sprintf("scratch memory has only M[0] to M[%d]", BPF_MEMWORDS-1)
		}
	case BPF_JMP | BPF_JA:
		if uint64(ins.K) >= uint64(n-pc-1) {
			return "jump past the end of the program"
		}
	case BPF_JMP | BPF_JEQ | BPF_K, BPF_JMP | BPF_JEQ | BPF_X,
		BPF_JMP | BPF_JGE | BPF_K, BPF_JMP | BPF_JGE | BPF_X,
		BPF_JMP | BPF_JGT | BPF_K, BPF_JMP | BPF_JGT | BPF_X,
		BPF_JMP | BPF_JSET | BPF_K, BPF_JMP | BPF_JSET | BPF_X:
		if pc+int(ins.Jt)+1 >= n {
			return "true branch jumps past the end of the program"
		}
		if pc+int(ins.Jf)+1 >= n {
			return "false branch jumps past the end of the program"
		}
	case BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS:
		if ins.K >= skfADOff && (ins.K-skfADOff >= skfADMax || ins.K%4 != 0) {
			return "unknown ancillary load"
		}
	}
	return ""
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
		case BPF_JMP | BPF_JEQ | BPF_K, BPF_JMP | BPF_JEQ | BPF_X,
			BPF_JMP | BPF_JGE | BPF_K, BPF_JMP | BPF_JGE | BPF_X,
			BPF_JMP | BPF_JGT | BPF_K, BPF_JMP | BPF_JGT | BPF_X,
			BPF_JMP | BPF_JSET | BPF_K, BPF_JMP | BPF_JSET | BPF_X:
			written[pc+1+int(ins.Jt)] &= valid
			written[pc+1+int(ins.Jf)] &= valid
			valid = all
		}
	}
	return -1
}

// checkSeccomp applies seccomp_check_filter to an instruction that passed
// bpf_check_classic. It returns why the instruction is refused, or "".
func checkSeccomp(ins Instruction) string {
	if int(ins.Code) >= len(seccompOpcodes) || !seccompOpcodes[ins.Code] {
		return "opcode not allowed in a seccomp filter"
	}
	if ins.Code == BPF_LD|BPF_W|BPF_ABS {
		switch {
		case ins.K >= SeccompDataSize:
			return fmt.Sprintf("load beyond the %d bytes of seccomp_data", SeccompDataSize)
		case ins.K%4 != 0:
			return "load at an offset that is not a multiple of 4"
		}
	}
	return ""
}
