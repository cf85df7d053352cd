package filter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// jumpInverse returns the mnemonic of the jump whose condition is the
// negation of op's ("jne #k, L" is jeq with only a false branch), or "".
func jumpInverse(op JumpOp) string {
	switch op {
	case JumpEq:
		return "jne"
	case JumpGT:
		return "jle"
	case JumpGE:
		return "jlt"
	}
	return ""
}

// String returns the instruction in the syntax of the kernel's bpf_asm
// (Documentation/networking/filter.rst): "ld [4]", "jeq #0x3b, +0, +2",
// "ret #0x7fff0000". Outside a program a jump's targets have no labels,
// so String writes the number of instructions each branch skips as +n,
// which bpf_asm does not read; Disassemble writes labels.
func (i Instruction) String() string {
	return i.asm(func(skip uint32) string { return fmt.Sprintf("+%d", skip) }, false)
}

// asm formats the instruction, naming the instruction a jump lands on,
// skip instructions past the next one, with target. When compact is set, a
// conditional jump with a branch that falls through names only the other
// branch ("jeq #1, L5", "jne #1, L5") where bpf_asm has a form for it.
func (i Instruction) asm(target func(skip uint32) string, compact bool) string {
	k := i.K
	switch i.Code {
	case BPF_LD | BPF_W | BPF_ABS:
		return fmt.Sprintf("ld [%d]", k)
	case BPF_LD | BPF_H | BPF_ABS:
		return fmt.Sprintf("ldh [%d]", k)
	case BPF_LD | BPF_B | BPF_ABS:
		return fmt.Sprintf("ldb [%d]", k)
	case BPF_LD | BPF_W | BPF_IND:
		return fmt.Sprintf("ld [x + %d]", k)
	case BPF_LD | BPF_H | BPF_IND:
		return fmt.Sprintf("ldh [x + %d]", k)
	case BPF_LD | BPF_B | BPF_IND:
		return fmt.Sprintf("ldb [x + %d]", k)
	case BPF_LD | BPF_W | BPF_LEN:
		return "ld #len"
	case BPF_LD | BPF_IMM:
		return fmt.Sprintf("ld #%#x", k)
	case BPF_LD | BPF_MEM:
		return fmt.Sprintf("ld M[%d]", k)
	case BPF_LDX | BPF_W | BPF_LEN:
		return "ldx #len"
	case BPF_LDX | BPF_IMM:
		return fmt.Sprintf("ldx #%#x", k)
	case BPF_LDX | BPF_MEM:
		return fmt.Sprintf("ldx M[%d]", k)
	case BPF_LDX | BPF_B | BPF_MSH:
		return fmt.Sprintf("ldxb 4*([%d]&0xf)", k)
	case BPF_ST:
		return fmt.Sprintf("st M[%d]", k)
	case BPF_STX:
		return fmt.Sprintf("stx M[%d]", k)
	case BPF_ALU | BPF_NEG:
		return "neg"
	case BPF_JMP | BPF_JA:
		return "ja " + target(k)
	case BPF_RET | BPF_K:
		return fmt.Sprintf("ret #%#x", k)
	case BPF_RET | BPF_A:
		return "ret a"
	case BPF_RET | BPF_X:
		return "ret x"
	case BPF_MISC | BPF_TAX:
		return "tax"
	case BPF_MISC | BPF_TXA:
		return "txa"
	}
	o := i.Op()
	if !o.fits8() {
		return i.asmUnknown()
	}
	operand := fmt.Sprintf("#%#x", k)
	if o.Source() == SourceX {
		operand = "x"
	}
	switch o.Class() {
	case ClassALU:
		if name := o.ALUOp().mnemonic(); name != "" && o.ALUOp() != ALUNeg {
			return name + " " + operand
		}
	case ClassJMP:
		op := o.JumpOp()
		if name := op.mnemonic(); name != "" && op != JumpAlways {
			inverse := jumpInverse(op)
			switch {
			case compact && i.Jf == 0:
				return fmt.Sprintf("%s %s, %s", name, operand, target(uint32(i.Jt)))
			case compact && i.Jt == 0 && inverse != "":
				return fmt.Sprintf("%s %s, %s", inverse, operand, target(uint32(i.Jf)))
			}
			return fmt.Sprintf("%s %s, %s, %s", name, operand, target(uint32(i.Jt)), target(uint32(i.Jf)))
		}
	}
	return i.asmUnknown()
}

// asmUnknown formats an instruction that has no bpf_asm syntax.
func (i Instruction) asmUnknown() string {
	return fmt.Sprintf("unknown(code=0x%02x jt=%d jf=%d k=%#x)", i.Code, i.Jt, i.Jf, i.K)
}

// Disassemble returns prog in bpf_asm syntax, one instruction a line, with
// a label "L<index>:" on every instruction some jump lands on and a
// comment, after ";", that spells out what the instruction means for
// seccomp: the seccomp_data field a load reads, the ABI an arch value
// names, the system call a number names and the action a return value
// stands for.
//
// To name system calls and errors Disassemble follows the program's
// forward-only control flow from the arch checks: where "ld [4]" and
// "jeq #<AUDIT_ARCH_…>" have told which arches can reach an instruction,
// the numbers compared with seccomp_data.nr belong to those arches' ABIs
// (x32, which shares x86_64's arch value, when the number carries its
// 0x40000000 bit), and a name is given where those ABIs agree. Where the
// flow does not tell, the ABIs given are used: the first one that numbers
// a call, and for errno names and the byte order all of them.
//
// The kernel's bpf_asm (tools/bpf/bpf_asm), whose lexer skips ";"
// comments, assembles the text back into prog, but for the K field of
// instructions that ignore it ("add x", "ld #len", "ret a", …), which the
// syntax cannot express. Disassemble prints any program, valid or not;
// jump targets past the end of prog are named but have no label line.
func Disassemble(prog []Instruction, abis ...*tables.ABI) string {
	d := &disassembler{prog: prog, abis: abis, facts: flowFacts(prog)}
	return d.text()
}

// disassembler holds a program and what the flow tells about it.
type disassembler struct {
	prog  []Instruction
	abis  []*tables.ABI
	facts []flowFact
}

// text lays the program out in three columns: label, instruction, comment.
func (d *disassembler) text() string {
	n := len(d.prog)
	labelled := make([]bool, n)
	insns := make([]string, n)
	comments := make([]string, n)
	labelWidth, insnWidth := 0, 0
	for pc, ins := range d.prog {
		insns[pc] = ins.asm(func(skip uint32) string {
			to := int64(pc) + 1 + int64(skip)
			if to < int64(n) {
				labelled[to] = true
			}
			return fmt.Sprintf("L%d", to)
		}, true)
		comments[pc] = d.comment(pc)
		if comments[pc] != "" {
			insnWidth = max(insnWidth, len(insns[pc]))
		}
	}
	for pc := range labelled {
		if labelled[pc] {
			labelWidth = len(fmt.Sprintf("L%d:", pc))
		}
	}
	var b strings.Builder
	for pc := range d.prog {
		if labelWidth > 0 {
			label := ""
			if labelled[pc] {
				label = fmt.Sprintf("L%d:", pc)
			}
			fmt.Fprintf(&b, "%-*s ", labelWidth, label)
		}
		if comments[pc] == "" {
			b.WriteString(insns[pc] + "\n")
			continue
		}
		fmt.Fprintf(&b, "%-*s  ; %s\n", insnWidth, insns[pc], comments[pc])
	}
	return b.String()
}

// comment explains the instruction at pc, or returns "".
func (d *disassembler) comment(pc int) string {
	ins := d.prog[pc]
	switch {
	case ins.Code == BPF_LD|BPF_W|BPF_ABS:
		return d.field(pc, ins.K)
	case ins.Code == BPF_LD|BPF_W|BPF_LEN, ins.Code == BPF_LDX|BPF_W|BPF_LEN:
		return fmt.Sprintf("%d, sizeof(struct seccomp_data)", SeccompDataSize)
	case ins.Code == BPF_RET|BPF_K:
		return d.action(pc, Action(ins.K))
	case ins.IsConditionalJump() && ins.Op().Source() == SourceK:
		switch d.facts[pc].a {
		case holdsArch:
			if a, ok := tables.ByAudit(ins.K); ok && ins.Code == BPF_JMP|BPF_JEQ|BPF_K {
				return a.Name
			}
		case holdsNr:
			return d.syscall(pc, ins)
		}
	}
	return ""
}

// field names the 32-bit word of seccomp_data at byte offset off.
func (d *disassembler) field(pc int, off uint32) string {
	switch {
	case off == OffsetNr:
		return "nr"
	case off == OffsetArch:
		return "arch"
	case off >= SeccompDataSize || off%4 != 0:
		return ""
	}
	name := "instruction_pointer"
	if off >= OffsetArgs {
		name = fmt.Sprintf("args[%d]", (off-OffsetArgs)/8)
	}
	big, ok := d.bigEndian(pc)
	switch {
	case !ok:
		return fmt.Sprintf("%s bytes %d-%d", name, off%8, off%8+3)
	case (off%8 == 0) != big:
		return name + " low"
	}
	return name + " high"
}

// syscall names the system call a comparison with seccomp_data.nr tests.
// An equality names the call alone ("ptrace"); an order or bit test is
// about a range of numbers, not the call whose number bounds it, and says
// so: "nr < 102 (getuid)".
func (d *disassembler) syscall(pc int, ins Instruction) string {
	abis := d.abisAt(pc, ins.K)
	if abis == nil && len(d.abis) > 0 {
		abis = []*tables.ABI{pickABI(d.abis, ins.K)}
	}
	var name string
	for _, abi := range abis {
		if abi.NrBit != 0 && ins.K == abi.NrBit && ins.Code != BPF_JMP|BPF_JEQ|BPF_K {
			name = "__X32_SYSCALL_BIT"
		}
	}
	if name == "" {
		name = agree(abis, func(abi *tables.ABI) string {
			name, _ := abi.SyscallName(ins.K)
			return name
		})
	}
	if name == "" {
		return ""
	}
	mnemonic, _, _ := strings.Cut(ins.asm(func(uint32) string { return "" }, true), " ")
	op := map[string]string{"jlt": "<", "jle": "<=", "jgt": ">", "jge": ">=", "jset": "&"}[mnemonic]
	if op == "" {
		return name // jeq, jne
	}
	k := fmt.Sprint(ins.K)
	if ins.K >= 0x10000 {
		k = fmt.Sprintf("%#x", ins.K)
	}
	return fmt.Sprintf("nr %s %s (%s)", op, k, name)
}

// action spells out a return value, with the name of its errno where the
// ABIs agree on it.
func (d *disassembler) action(pc int, act Action) string {
	name := ""
	if act.Kind() == ErrnoBase {
		name = agree(d.abisOr(pc), func(abi *tables.ABI) string {
			name, _ := abi.ErrnoName(act.Data())
			return name
		})
	}
	if name == "" {
		return act.String()
	}
	return fmt.Sprintf("%v (%s)", act, name)
}

// bigEndian reports the byte order of seccomp_data at pc, if the ABIs
// agree on it.
func (d *disassembler) bigEndian(pc int) (big, ok bool) {
	switch agree(d.abisOr(pc), func(abi *tables.ABI) string { return abi.ByteOrder().String() }) {
	case "BigEndian":
		return true, true
	case "LittleEndian":
		return false, true
	}
	return false, false
}

// abisAt returns, for every value of seccomp_data.arch the flow allows at
// pc, the ABI that numbers system call nr, or nil when the flow allows any
// value or one that package tables does not know.
func (d *disassembler) abisAt(pc int, nr uint32) []*tables.ABI {
	arches := d.facts[pc].arches
	if arches == nil {
		return nil
	}
	all := tables.All()
	var abis []*tables.ABI
	for _, arch := range arches {
		var cands []*tables.ABI
		for _, abi := range all {
			if abi.Audit == arch {
				cands = append(cands, abi)
			}
		}
		abi := pickABI(cands, nr)
		if abi == nil {
			return nil
		}
		abis = append(abis, abi)
	}
	return abis
}

// abisOr returns the ABIs the flow allows at pc, or else the ABIs given.
func (d *disassembler) abisOr(pc int) []*tables.ABI {
	if abis := d.abisAt(pc, 0); abis != nil {
		return abis
	}
	return d.abis
}

// pickABI returns the ABI of cands that numbers system call nr: the first
// whose NrBit nr carries, else the first without an NrBit, else the first.
func pickABI(cands []*tables.ABI, nr uint32) *tables.ABI {
	var plain *tables.ABI
	for _, abi := range cands {
		if abi.NrBit != 0 && nr&abi.NrBit == abi.NrBit {
			return abi
		}
		if abi.NrBit == 0 && plain == nil {
			plain = abi
		}
	}
	if plain == nil && len(cands) > 0 {
		return cands[0]
	}
	return plain
}

// agree returns what f returns for every ABI of abis, or "" when they
// differ or abis is empty.
func agree(abis []*tables.ABI, f func(*tables.ABI) string) string {
	if len(abis) == 0 {
		return ""
	}
	v := f(abis[0])
	for _, abi := range abis[1:] {
		if f(abi) != v {
			return ""
		}
	}
	return v
}

// regContent is what the disassembler knows register A holds.
type regContent uint8

const (
	holdsOther regContent = iota
	holdsNr               // seccomp_data.nr
	holdsArch             // seccomp_data.arch
)

// flowFact is what holds on every path that reaches an instruction.
type flowFact struct {
	reached bool
	a       regContent
	// arches lists the values seccomp_data.arch can have, when every
	// path has compared it with constants; nil means any value.
	arches []uint32
}

// merge combines the facts of two paths into one instruction.
func (f *flowFact) merge(g flowFact) {
	if !f.reached {
		*f = g
		return
	}
	if f.a != g.a {
		f.a = holdsOther
	}
	if f.arches == nil || g.arches == nil {
		f.arches = nil
		return
	}
	union := slices.Clone(f.arches)
	for _, arch := range g.arches {
		if !slices.Contains(union, arch) {
			union = append(union, arch)
		}
	}
	f.arches = union
}

// flowFacts propagates facts along prog's jumps. Jumps only go forward, so
// one pass in order sees every path into an instruction before the
// instruction itself.
func flowFacts(prog []Instruction) []flowFact {
	facts := make([]flowFact, len(prog))
	if len(prog) > 0 {
		facts[0].reached = true
	}
	for pc, ins := range prog {
		in := facts[pc]
		if !in.reached {
			continue
		}
		out := in
		out.a = regAfter(ins, in.a)
		flow := func(skip uint32, f flowFact) {
			if to := int64(pc) + 1 + int64(skip); to < int64(len(prog)) {
				facts[to].merge(f)
			}
		}
		switch {
		case ins.IsReturn():
		case ins.Code == BPF_JMP|BPF_JA:
			flow(ins.K, out)
		case ins.IsJump():
			taken := out
			if ins.Code == BPF_JMP|BPF_JEQ|BPF_K && in.a == holdsArch {
				taken.arches = []uint32{ins.K}
			}
			flow(uint32(ins.Jt), taken)
			flow(uint32(ins.Jf), out)
		default:
			flow(0, out)
		}
	}
	return facts
}

// regAfter returns what A holds after ins when it held a before.
func regAfter(ins Instruction, a regContent) regContent {
	switch {
	case ins.Code == BPF_LD|BPF_W|BPF_ABS && ins.K == OffsetNr:
		return holdsNr
	case ins.Code == BPF_LD|BPF_W|BPF_ABS && ins.K == OffsetArch:
		return holdsArch
	case ins.Class() == BPF_LD, ins.Class() == BPF_ALU, ins.Code == BPF_MISC|BPF_TXA:
		return holdsOther
	}
	return a
}
