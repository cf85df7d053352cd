package filter

import (
	"encoding/binary"
	"errors"
	"slices"
)

// SeccompData is what the kernel hands a seccomp filter about a system
// call: struct seccomp_data of include/uapi/linux/seccomp.h.
type SeccompData struct {
	// Nr is the system-call number, as the calling ABI numbers it
	// (int nr).
	Nr int32
	// Arch is the AUDIT_ARCH_* value of the calling ABI, from
	// include/uapi/linux/audit.h (__u32 arch).
	Arch uint32
	// InstructionPointer is the address of the system-call instruction
	// (__u64 instruction_pointer).
	InstructionPointer uint64
	// Args are the system call's six arguments (__u64 args[6]).
	Args [6]uint64
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
// Read back in the order they were laid out in, nr and arch are
// themselves; each 64-bit field is two words, its low half first on a
// little-endian ABI and its high half first on a big-endian one.
func (d *SeccompData) words(order binary.ByteOrder) [SeccompDataSize / 4]uint32 {
	var w [SeccompDataSize / 4]uint32
	var big bool
	switch order {
	case binary.ByteOrder(binary.LittleEndian):
	case binary.ByteOrder(binary.BigEndian):
		big = true
	default: // NativeEndian or another: lay the bytes out as it says
		b := d.Bytes(order)
		for i := range w {
			w[i] = order.Uint32(b[4*i:])
		}
		return w
	}
	put64 := func(off int, v uint64) {
		hi, lo := uint32(v>>32), uint32(v)
		if big {
			w[off/4], w[off/4+1] = hi, lo
		} else {
			w[off/4], w[off/4+1] = lo, hi
		}
	}
	w[OffsetNr/4] = uint32(d.Nr)
	w[OffsetArch/4] = d.Arch
	put64(OffsetIP, d.InstructionPointer)
	for i, arg := range d.Args {
		put64(OffsetArgs+8*i, arg)
	}
	return w
}

// Result is the outcome of Run: what the kernel's run of the filter
// (bpf_prog_run_pin_on_cpu in seccomp_run_filters, kernel/seccomp.c) would
// return, and at what cost.
type Result struct {
	// Ret is the filter's 32-bit return value: an action and its data,
	// as in include/uapi/linux/seccomp.h.
	Ret Action
	// Steps is the number of instructions executed, the return included.
	Steps int
}

// Run executes prog on data as seccomp does, after checking with Verify
// that the kernel would accept it (a refused program is reported with
// Verify's error). Absolute loads read 32-bit words of data laid out in
// order, the byte order of the ABI that makes the call. Verify costs
// time in proportion to the program's length on every call: to run one
// program on many calls, verify it once with NewVM.
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

// VM runs one verified program on any number of calls. Its methods may
// be called from several goroutines.
type VM struct {
	prog []Instruction
}

// NewVM verifies prog with Verify and returns a VM that runs it; it
// keeps a copy, so later changes to prog do not reach it.
func NewVM(prog []Instruction) (*VM, error) {
	if err := Verify(prog); err != nil {
		return nil, err
	}
	return &VM{prog: slices.Clone(prog)}, nil
}

// Run executes the program on data laid out in order, as the package
// function Run does, in time proportional to the instructions it
// executes.
func (vm *VM) Run(data *SeccompData, order binary.ByteOrder) Result {
	m := interpreter{prog: vm.prog, data: data.words(order)}
	return m.run()
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
	case ClassLD:
		m.a = m.load(ins)
	case ClassLDX:
		m.x = m.load(ins)
	case ClassST:
		m.mem[k] = m.a
	case ClassSTX:
		m.mem[k] = m.x
	case ClassALU:
		v := m.operand(ins)
		op := ins.Op().ALUOp()
		if op == ALUDiv && v == 0 {
			return 0, true // only X can be 0: Verify refuses div #0
		}
		m.a = aluOp(op, m.a, v)
	case ClassJMP:
		m.jump(ins)
	case ClassRET:
		if ins.Op().Source() == SourceA {
			return m.a, true
		}
		return k, true
	case ClassMISC:
		if ins.Op().MiscOp() == MiscTAX {
			m.x = m.a
		} else {
			m.a = m.x
		}
	}
	return 0, false
}

// load returns the value a verified load instruction reads.
func (m *interpreter) load(ins Instruction) uint32 {
	switch ins.Op().Mode() {
	case ModeABS: // 32 bits wide in a verified program
		return m.data[ins.K/4]
	case ModeLEN:
		return SeccompDataSize
	case ModeMEM:
		return m.mem[ins.K]
	}
	return ins.K // ModeIMM
}

// operand returns the operand of an ALU operation or a conditional jump.
func (m *interpreter) operand(ins Instruction) uint32 {
	if ins.Op().Source() == SourceX {
		return m.x
	}
	return ins.K
}

// jump moves m.pc past a verified jump instruction.
func (m *interpreter) jump(ins Instruction) {
	op := ins.Op().JumpOp()
	if op == JumpAlways {
		m.pc += int(ins.K)
		return
	}
	if condHolds(op, m.a, m.operand(ins)) {
		m.pc += int(ins.Jt)
	} else {
		m.pc += int(ins.Jf)
	}
}

// condHolds reports whether the condition of a jump operation holds for A
// and the operand v.
func condHolds(op JumpOp, a, v uint32) bool {
	switch op {
	case JumpEq:
		return a == v
	case JumpGT:
		return a > v
	case JumpGE:
		return a >= v
	}
	return a&v != 0 // JumpSet
}

// aluOp applies a seccomp ALU operation to a and v. Shifts use the low 5
// bits of v, as the kernel's interpreter does for a shift by X (a shift by
// a constant is below 32 in a verified program).
func aluOp(op ALUOp, a, v uint32) uint32 {
	switch op {
	case ALUAdd:
		return a + v
	case ALUSub:
		return a - v
	case ALUMul:
		return a * v
	case ALUDiv:
		return a / v
	case ALUAnd:
		return a & v
	case ALUOr:
		return a | v
	case ALUXor:
		return a ^ v
	case ALULsh:
		return a << (v & 31)
	case ALURsh:
		return a >> (v & 31)
	case ALUNeg:
		return -a
	}
	panic("filter: ALU operation that Verify refuses") // ALUMod
}
