package filter

import (
	"encoding/binary"
	"errors"
)

// SeccompData is what the kernel hands a seccomp filter about a system
// call: struct seccomp_data of include/uapi/linux/seccomp.h.
type SeccompData struct {
	Nr                 int32  // system-call number, as the ABI numbers it
	Arch               uint32 // AUDIT_ARCH_* value of the calling ABI
	InstructionPointer uint64
	Args               [6]uint64
}

// Bytes returns the 64 bytes of struct seccomp_data as the kernel lays
// them out for an ABI of the given byte order.
func (d *SeccompData) Bytes(order binary.ByteOrder) []byte {
	b := make([]byte, SeccompDataSize)
	order.PutUint32(b[OffsetNr:], uint32(d.Nr))
	order.PutUint32(b[OffsetArch:], d.Arch)
	order.PutUint64(b[OffsetIP:], d.InstructionPointer)
	for i, arg := range d.Args {
		order.PutUint64(b[OffsetArgs+8*i:], arg)
	}
	return b
}

// words returns seccomp_data as the 16 32-bit words an absolute load reads.
func (d *SeccompData) words(order binary.ByteOrder) [SeccompDataSize / 4]uint32 {
	b := d.Bytes(order)
	var w [SeccompDataSize / 4]uint32
	for i := range w {
		w[i] = order.Uint32(b[4*i:])
	}
	return w
}

// Result is the outcome of running a filter.
type Result struct {
	// Ret is the filter's return value: an action and its data.
	Ret Action
	// Steps is the number of instructions executed, the return included.
	Steps int
}

// Run executes prog on data as seccomp does, after checking with Verify
// that the kernel would accept it (a refused program is reported with
// Verify's error). Absolute loads read 32-bit words of data laid out in
// order, the byte order of the ABI that makes the call.
//
// The semantics are those of the kernel's classic-BPF conversion
// (bpf_convert_filter in net/core/filter.c) and interpreter
// (kernel/bpf/core.c): 32-bit unsigned arithmetic; a division by X when X
// is 0 ends the program with return value 0 (SECCOMP_RET_KILL_THREAD); a
// shift by X uses the low 5 bits of X, as the interpreter and the x86-64
// and arm64 JITs do (the kernel calls larger shifts arch-defined); "ld
// #len" and "ldx #len" load 64. Run fails only on nil arguments and on
// programs Verify refuses.
func Run(prog []Instruction, data *SeccompData, order binary.ByteOrder) (Result, error) {
	if data == nil || order == nil {
		return Result{}, errors.New("filter: Run needs seccomp data and a byte order")
	}
	if err := Verify(prog); err != nil {
		return Result{}, err
	}
	m := interpreter{prog: prog, data: data.words(order)}
	return m.run(), nil
}

// interpreter runs a verified program.
type interpreter struct {
	prog  []Instruction
	data  [SeccompDataSize / 4]uint32
	a, x  uint32
	mem   [BPF_MEMWORDS]uint32
	pc    int
	steps int
}

// run executes the program to its return.
func (m *interpreter) run() Result {
	for {
		if ret, done := m.step(); done {
			return Result{Ret: Action(ret), Steps: m.steps}
		}
	}
}

// step executes the instruction at m.pc. It reports whether the program
// returned, and with what value.
func (m *interpreter) step() (ret uint32, done bool) {
	ins := m.prog[m.pc]
	m.steps++
	m.pc++
	k := ins.K
	switch ins.Class() {
	case BPF_LD:
		m.a = m.load(ins)
	case BPF_LDX:
		m.x = m.load(ins)
	case BPF_ST:
		m.mem[k] = m.a
	case BPF_STX:
		m.mem[k] = m.x
	case BPF_ALU:
		v := k
		if ins.Code&BPF_X != 0 {
			v = m.x
		}
		if ins.Code&0xf0 == BPF_DIV && v == 0 {
			return 0, true // only X can be 0: Verify refuses div #0
		}
		m.a = aluOp(ins.Code&0xf0, m.a, v)
	case BPF_JMP:
		m.jump(ins)
	case BPF_RET:
		if ins.Code == BPF_RET|BPF_A {
			return m.a, true
		}
		return k, true
	case BPF_MISC:
		if ins.Code == BPF_MISC|BPF_TAX {
			m.x = m.a
		} else {
			m.a = m.x
		}
	}
	return 0, false
}

// load returns the value a verified load instruction reads.
func (m *interpreter) load(ins Instruction) uint32 {
	switch ins.Code &^ 0x07 {
	case BPF_W | BPF_ABS:
		return m.data[ins.K/4]
	case BPF_W | BPF_LEN:
		return SeccompDataSize
	case BPF_MEM:
		return m.mem[ins.K]
	}
	return ins.K // BPF_IMM
}

// jump moves m.pc past a verified jump instruction.
func (m *interpreter) jump(ins Instruction) {
	if ins.Code == BPF_JMP|BPF_JA {
		m.pc += int(ins.K)
		return
	}
	v := ins.K
	if ins.Code&BPF_X != 0 {
		v = m.x
	}
	if condHolds(ins.Code&0xf0, m.a, v) {
		m.pc += int(ins.Jt)
	} else {
		m.pc += int(ins.Jf)
	}
}

// condHolds reports whether the condition of a jump operation holds for A
// and the operand v.
func condHolds(op uint16, a, v uint32) bool {
	switch op {
	case BPF_JEQ:
		return a == v
	case BPF_JGT:
		return a > v
	case BPF_JGE:
		return a >= v
	}
	return a&v != 0 // BPF_JSET
}

// aluOp applies a seccomp ALU operation to a and v. Shifts use the low 5
// bits of v, as the kernel's interpreter does for a shift by X (a shift by
// a constant is below 32 in a verified program).
func aluOp(op uint16, a, v uint32) uint32 {
	switch op {
	case BPF_ADD:
		return a + v
	case BPF_SUB:
		return a - v
	case BPF_MUL:
		return a * v
	case BPF_DIV:
		return a / v
	case BPF_AND:
		return a & v
	case BPF_OR:
		return a | v
	case BPF_XOR:
		return a ^ v
	case BPF_LSH:
		return a << (v & 31)
	case BPF_RSH:
		return a >> (v & 31)
	case BPF_NEG:
		return -a
	}
	panic("filter: ALU operation that Verify refuses") // BPF_MOD
}
