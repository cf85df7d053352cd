package filter

import (
	"errors"
	"fmt"
	"slices"
)

// Errors of the assembler.
var (
	// ErrTooLong reports a program longer than MaxInstructions.
	ErrTooLong = errors.New("filter: program too long")
	// ErrLabel reports a label that is used but never bound, bound twice,
	// bound past the last instruction, or jumped to backwards.
	ErrLabel = errors.New("filter: bad label")
	// ErrJump reports a jump instruction handed to Assembler.Emit, or a
	// JumpOp that is no condition handed to Assembler.JumpIf or JumpIfX.
	ErrJump = errors.New("filter: bad jump")
)

// Label names a position in a program under assembly. Labels come from
// Assembler.NewLabel; the zero Label is Next.
type Label uint32

// Next is the label of the instruction that follows a jump: a conditional
// jump to Next falls through.
const Next Label = 0

// maxJump is the farthest a conditional jump reaches (its offsets are
// 8-bit).
const maxJump = 0xff

// An Assembler builds a program whose jumps name labels instead of offsets.
// Classic BPF only jumps forward, so every label must be bound after the
// jumps that use it. A conditional jump farther than 255 instructions goes
// through a BPF_JA to its label: one already placed after it and within
// reach (another jump's trampoline, or a JA of the program) when there is
// one, else a new trampoline placed right after the jump.
//
// Misuse (a label bound twice, a jump passed to Emit) is remembered and
// reported by Assemble, so a sequence of calls needs no error checks. The
// zero Assembler is ready to use.
type Assembler struct {
	items  []item
	labels []int // item index bound to label i+1; -1 while unbound
	err    error
}

// item is one instruction as emitted: its jump targets are labels.
type item struct {
	ins    Instruction
	jt, jf Label // conditional jumps; jt is the target of BPF_JA
}

// NewLabel returns a fresh, unbound label.
func (a *Assembler) NewLabel() Label {
	a.labels = append(a.labels, -1)
	return Label(len(a.labels))
}

// Bind makes l name the next instruction emitted.
func (a *Assembler) Bind(l Label) {
	switch {
	case l == Next || int(l) > len(a.labels):
		a.fail(fmt.Errorf("%w: bind of label %d, which NewLabel did not return", ErrLabel, l))
	case a.labels[l-1] >= 0:
		a.fail(fmt.Errorf("%w: label %d bound twice (instructions %d and %d)", ErrLabel, l, a.labels[l-1], len(a.items)))
	default:
		a.labels[l-1] = len(a.items)
	}
}

// Emit appends an instruction that is not a jump.
func (a *Assembler) Emit(ins Instruction) {
	if ins.IsJump() {
		a.fail(fmt.Errorf("%w: Emit of jump %#04x at instruction %d; use JumpIf or JA", ErrJump, ins.Code, len(a.items)))
		return
	}
	a.items = append(a.items, item{ins: ins})
}

// LoadAbs appends "ld [off]", which loads the 32-bit word of seccomp_data
// at byte offset off into A.
func (a *Assembler) LoadAbs(off uint32) { a.Emit(Stmt(BPF_LD|BPF_W|BPF_ABS, off)) }

// And appends "and #k".
func (a *Assembler) And(k uint32) { a.Emit(Stmt(BPF_ALU|BPF_AND|BPF_K, k)) }

// Ret appends "ret #act".
func (a *Assembler) Ret(act Action) { a.Emit(Stmt(BPF_RET|BPF_K, uint32(act))) }

// JumpIf appends a conditional jump that compares A with the constant k:
// op is JumpEq, JumpGT, JumpGE or JumpSet. The jump goes to jt when the
// condition holds and to jf otherwise; either may be Next. JumpAlways is
// not a condition: use JA.
func (a *Assembler) JumpIf(op JumpOp, k uint32, jt, jf Label) {
	a.jumpIf(op, Jump(BPF_JMP|uint16(op)|BPF_K, k, 0, 0), jt, jf)
}

// JumpIfX appends a conditional jump that compares A with X, as JumpIf
// compares it with a constant.
func (a *Assembler) JumpIfX(op JumpOp, jt, jf Label) {
	a.jumpIf(op, Jump(BPF_JMP|uint16(op)|BPF_X, 0, 0, 0), jt, jf)
}

// jumpIf appends ins, the conditional jump of op, or records that op is
// not a condition.
func (a *Assembler) jumpIf(op JumpOp, ins Instruction, jt, jf Label) {
	if !ins.IsConditionalJump() || ins.Op().JumpOp() != op {
		a.fail(fmt.Errorf("%w: JumpIf with jump operation %v at instruction %d", ErrJump, op, len(a.items)))
		return
	}
	a.items = append(a.items, item{ins: ins, jt: jt, jf: jf})
}

// JA appends an unconditional jump to l.
func (a *Assembler) JA(l Label) {
	a.items = append(a.items, item{ins: Stmt(BPF_JMP|BPF_JA, 0), jt: l})
}

// Len returns the number of instructions emitted so far, not counting
// trampolines that Assemble may add.
func (a *Assembler) Len() int { return len(a.items) }

func (a *Assembler) fail(err error) {
	if a.err == nil {
		a.err = err
	}
}

// Assemble resolves the labels and returns the program. It fails, wrapping
// ErrLabel, ErrJump or ErrTooLong, when a label is misused or the program
// (trampolines included) exceeds MaxInstructions.
//
// Layout runs once, from the last instruction to the first. Classic BPF
// jumps only forward, so the offsets of a jump depend only on what follows
// it, which is final by the time the jump is placed: that single pass is
// the fixpoint. A branch out of reach goes through the nearest BPF_JA to
// its label that follows the jump (a trampoline of a later jump, or a JA
// of the program) when that one is in reach, else through a new trampoline
// placed right after the jump.
func (a *Assembler) Assemble() ([]Instruction, error) {
	if a.err != nil {
		return nil, a.err
	}
	if err := a.checkLabels(); err != nil {
		return nil, err
	}
	l := layout{
		a:     a,
		start: make([]int, len(a.items)+1),
		ja:    make(map[Label]int),
	}
	for i := len(a.items) - 1; i >= 0; i-- {
		l.place(i)
	}
	if n := len(l.rev); n > MaxInstructions {
		return nil, fmt.Errorf("%w: %d instructions, the limit is %d", ErrTooLong, n, MaxInstructions)
	}
	slices.Reverse(l.rev)
	return l.rev, nil
}

// layout builds a program backwards. Positions are end offsets: the number
// of instructions from one (inclusive) to the end of the program, which do
// not change as instructions are added in front.
type layout struct {
	a     *Assembler
	rev   []Instruction // the program so far, last instruction first
	start []int         // end offset of each placed item
	ja    map[Label]int // end offset of the nearest placed "ja label"
}

// dest returns the end offset of the instruction that label l, used by
// item i, names.
func (l *layout) dest(i int, lb Label) int {
	if lb == Next {
		return l.start[i+1]
	}
	return l.start[l.a.labels[lb-1]]
}

// place adds item i, and its trampolines, in front of the program.
func (l *layout) place(i int) {
	it := l.a.items[i]
	e := len(l.rev) // end offset of what follows item i
	ins := it.ins
	switch {
	case ins.Code == BPF_JMP|BPF_JA:
		ins.K = uint32(e - l.dest(i, it.jt))
		l.ja[it.jt] = e + 1
	case ins.IsJump():
		ins.Jt, ins.Jf = l.branches(i, it, e)
	}
	l.rev = append(l.rev, ins)
	l.start[i] = len(l.rev)
}

// branches places the trampolines that item i, a conditional jump whose
// successor has end offset e, needs, and returns its offsets.
func (l *layout) branches(i int, it item, e int) (jt, jf uint8) {
	labels := [2]Label{it.jt, it.jf}
	var via [2]int // end offset each branch jumps to
	var own []Label
	// A trampoline of this jump lengthens its other branch by one: decide
	// again until no branch changes (at most twice).
	for changed := true; changed; {
		changed = false
		for b, lb := range labels {
			if slices.Contains(own, lb) {
				continue
			}
			reach := e + len(own) - maxJump // smallest end offset in reach
			if d := l.dest(i, lb); d >= reach {
				via[b] = d
			} else if t, ok := l.ja[lb]; ok && t >= reach {
				via[b] = t
			} else {
				own = append(own, lb)
				changed = true
			}
		}
	}
	for k, lb := range own { // trampoline k lands at end offset e+k+1
		l.rev = append(l.rev, Stmt(BPF_JMP|BPF_JA, uint32(e+k-l.dest(i, lb))))
		l.ja[lb] = e + k + 1
	}
	for b, lb := range labels {
		if k := slices.Index(own, lb); k >= 0 {
			via[b] = e + k + 1
		}
	}
	return uint8(e + len(own) - via[0]), uint8(e + len(own) - via[1])
}

// checkLabels reports labels that jumps use but that are unbound, bound
// past the end, or bound at or before the jump.
func (a *Assembler) checkLabels() error {
	check := func(i int, l Label) error {
		if l == Next {
			if a.items[i].ins.Code == BPF_JMP|BPF_JA {
				return fmt.Errorf("%w: JA at instruction %d to Next", ErrLabel, i)
			}
			if i+1 == len(a.items) {
				return fmt.Errorf("%w: jump at instruction %d falls through past the last instruction", ErrLabel, i)
			}
			return nil
		}
		if int(l) > len(a.labels) {
			return fmt.Errorf("%w: jump at instruction %d to label %d, which NewLabel did not return", ErrLabel, i, l)
		}
		switch at := a.labels[l-1]; {
		case at < 0:
			return fmt.Errorf("%w: jump at instruction %d to label %d, which is never bound", ErrLabel, i, l)
		case at == len(a.items):
			return fmt.Errorf("%w: jump at instruction %d to label %d, which is bound past the last instruction", ErrLabel, i, l)
		case at <= i:
			return fmt.Errorf("%w: jump at instruction %d to label %d at instruction %d: classic BPF jumps only forward", ErrLabel, i, l, at)
		}
		return nil
	}
	for i, it := range a.items {
		if !it.ins.IsJump() {
			continue
		}
		if err := check(i, it.jt); err != nil {
			return err
		}
		if it.ins.Code != BPF_JMP|BPF_JA {
			if err := check(i, it.jf); err != nil {
				return err
			}
		}
	}
	return nil
}
