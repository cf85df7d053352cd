package analysis

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sysfence/seccomp/filter"
)

// ErrNotAnalysable is wrapped by the error Analyze returns for a program
// whose decision it cannot compute exactly: a return of a value computed
// from the input, an operation or comparison of A with X when both depend
// on the input, a division of an input-dependent value by a constant that
// is not a power of two, or a program whose diagram outgrows the Space's
// bound (ErrTooLarge). Analyze never guesses: it decides exactly or
// refuses. The programs compilers emit (libseccomp's, gVisor's, this
// module's) compare loaded words, masked or not, with constants, and are
// always analysable.
var ErrNotAnalysable = errors.New("analysis: program not analysable")

// ErrTooLarge is wrapped when a Space would grow past its bound.
var ErrTooLarge = errors.New("analysis: decision diagram too large")

// Field is one 32-bit word of struct seccomp_data as the analysis orders
// its variables: arch first, then nr, then the arguments high word before
// low word, then the instruction pointer. The order is semantic, not the
// byte offsets of one byte order.
type Field uint8

// The fields.
const (
	FieldArch Field = iota
	FieldNr
	FieldArg0Hi
	FieldArg0Lo
	// FieldArg0Hi + 2*i is argument i's high word, FieldArg0Lo + 2*i its low word.
	FieldIPHi Field = FieldArg0Hi + 12
	FieldIPLo Field = FieldIPHi + 1
	// NumFields is the number of 32-bit fields of seccomp_data.
	NumFields = 16
)

// ArgHi and ArgLo return the fields of argument i's high and low words.
func ArgHi(i int) Field { return FieldArg0Hi + Field(2*i) }
func ArgLo(i int) Field { return FieldArg0Lo + Field(2*i) }

// String names the field in the simulator's and disassembler's terms.
func (f Field) String() string {
	switch {
	case f == FieldArch:
		return "arch"
	case f == FieldNr:
		return "nr"
	case f >= FieldIPHi:
		return [...]string{"instruction_pointer high", "instruction_pointer low"}[f-FieldIPHi]
	case f >= FieldArg0Hi:
		return fmt.Sprintf("args[%d] %s", (f-FieldArg0Hi)/2, [...]string{"high", "low"}[(f-FieldArg0Hi)%2])
	}
	return fmt.Sprintf("field%d", int(f))
}

// varOf returns the variable of bit b (0 the least significant) of field f:
// the most significant bit of a field comes first, so that comparisons with
// constants build small diagrams.
func varOf(f Field, b int) uint16 { return uint16(int(f)*32 + 31 - b) }

// fieldOf returns the field and bit of variable v.
func fieldOf(v uint16) (Field, int) { return Field(v / 32), 31 - int(v%32) }

// fieldAt returns the field an absolute load at byte offset off reads, for
// seccomp_data laid out in order.
func fieldAt(off uint32, order binary.ByteOrder) Field {
	switch off {
	case filter.OffsetNr:
		return FieldNr
	case filter.OffsetArch:
		return FieldArch
	}
	// The 64-bit fields: the word at the lower offset is the low word on a
	// little-endian ABI.
	hi := (off%8 == 0) == (order == binary.BigEndian)
	if off < filter.OffsetArgs {
		if hi {
			return FieldIPHi
		}
		return FieldIPLo
	}
	i := int(off-filter.OffsetArgs) / 8
	if hi {
		return ArgHi(i)
	}
	return ArgLo(i)
}

// word is a 32-bit value as 32 Boolean functions of the input, bit 0 the
// least significant.
type word [32]Node

// vecID names an interned word in an analysis.
type vecID uint32

type state struct {
	a, x vecID
	m    [filter.BPF_MEMWORDS]vecID
}

type memoKey struct {
	pc int
	st state
}

// analyser runs one program symbolically.
type analyser struct {
	s     *Space
	prog  []filter.Instruction
	order binary.ByteOrder
	vecs  []word
	vecOf map[word]vecID
	memo  map[memoKey]Node
	ran   []bool // instructions some state reaches
}

// Analyze returns the decision function of prog, a program that
// filter.Verify accepts: a valued Node mapping every seccomp_data (every
// arch, nr, instruction pointer and argument word) to the 32-bit value the
// program returns for it, as filter.Run computes it for seccomp_data laid
// out in order.
//
// Every instruction is followed exactly: loads, stores to scratch memory,
// register moves, every ALU operation with a constant operand or an
// operand that does not depend on the input (multiplication, division and
// shifts of two input-dependent values are refused), and the four jumps.
// The cost grows with the number of distinct machine states (register and
// scratch contents as functions of the input) per instruction, not with
// the number of paths, which may be exponential.
func (s *Space) Analyze(prog []filter.Instruction, order binary.ByteOrder) (n Node, err error) {
	n, _, err = s.analyze(prog, order)
	return n, err
}

// Ran is Analyze that also reports instructions no input runs: those with
// ran[pc] false, such as the branch of a jump whose condition the state
// already decides (a compare of a loaded constant) or code no jump
// reaches. ran[pc] true is not a promise that some input runs pc: a
// jump that repeats an earlier check of the same word runs only one way
// for the inputs that reach it, and Ran does not see that.
func (s *Space) Ran(prog []filter.Instruction, order binary.ByteOrder) (n Node, ran []bool, err error) {
	return s.analyze(prog, order)
}

func (s *Space) analyze(prog []filter.Instruction, order binary.ByteOrder) (n Node, ran []bool, err error) {
	if err := filter.Verify(prog); err != nil {
		return 0, nil, err
	}
	if order == nil {
		return 0, nil, errors.New("analysis: Analyze needs a byte order")
	}
	defer func() {
		if r := recover(); r != nil {
			switch r := r.(type) {
			case errTooLarge:
				err = fmt.Errorf("%w: %w: more than %d nodes", ErrNotAnalysable, ErrTooLarge, s.limit)
			case notAnalysable:
				err = fmt.Errorf("%w: instruction %d (%v): %s", ErrNotAnalysable, r.pc, prog[r.pc], r.why)
			default:
				panic(r)
			}
		}
	}()
	an := &analyser{s: s, prog: prog, order: order, vecOf: make(map[word]vecID), memo: make(map[memoKey]Node), ran: make([]bool, len(prog))}
	zero := an.intern(an.constant(0))
	st := state{a: zero, x: zero}
	for i := range st.m {
		st.m[i] = zero
	}
	return an.run(0, st), an.ran, nil
}

type notAnalysable struct {
	pc  int
	why string
}

func (an *analyser) intern(w word) vecID {
	if id, ok := an.vecOf[w]; ok {
		return id
	}
	id := vecID(len(an.vecs))
	an.vecs = append(an.vecs, w)
	an.vecOf[w] = id
	return id
}

func (an *analyser) constant(k uint32) word {
	var w word
	for i := range w {
		if k>>i&1 == 1 {
			w[i] = True
		}
	}
	return w
}

// isConst reports whether w does not depend on the input, and its value.
func isConst(w *word) (uint32, bool) {
	var k uint32
	for i, b := range w {
		switch b {
		case True:
			k |= 1 << i
		case False:
		default:
			return 0, false
		}
	}
	return k, true
}

// dependent reports whether w depends on the input.
func dependent(w *word) bool {
	_, ok := isConst(w)
	return !ok
}

func (an *analyser) field(f Field) word {
	var w word
	for i := range w {
		w[i] = an.s.bit(varOf(f, i))
	}
	return w
}

// run returns the decision function of the program from pc on, in state st.
func (an *analyser) run(pc int, st state) Node {
	key := memoKey{pc, st}
	if r, ok := an.memo[key]; ok {
		return r
	}
	start := pc
	var r Node
	for {
		an.ran[pc] = true
		ins := an.prog[pc]
		k := ins.K
		op := ins.Op()
		switch ins.Class() {
		case filter.ClassLD:
			if op.Mode() == filter.ModeMEM {
				st.a = st.m[k]
			} else {
				st.a = an.intern(an.load(ins))
			}
		case filter.ClassLDX:
			if op.Mode() == filter.ModeMEM {
				st.x = st.m[k]
			} else {
				st.x = an.intern(an.load(ins))
			}
		case filter.ClassST:
			st.m[k] = st.a
		case filter.ClassSTX:
			st.m[k] = st.x
		case filter.ClassMISC:
			if op.MiscOp() == filter.MiscTAX {
				st.x = st.a
			} else {
				st.a = st.x
			}
		case filter.ClassALU:
			a := an.vecs[st.a]
			v := an.constant(k)
			if op.Source() == filter.SourceX {
				v = an.vecs[st.x]
			}
			if op.ALUOp() == filter.ALUDiv {
				if d, ok := isConst(&v); ok && d == 0 {
					r = an.s.Leaf(0) // the kernel ends the program with 0
					goto done
				}
			}
			if op.Source() == filter.SourceX && dependent(&a) && dependent(&v) {
				panic(notAnalysable{pc, "A and X both depend on the input"})
			}
			res, why := an.alu(op.ALUOp(), &a, &v)
			if why != "" {
				panic(notAnalysable{pc, why})
			}
			st.a = an.intern(res)
		case filter.ClassRET:
			if op.Source() != filter.SourceA {
				r = an.s.Leaf(k)
				goto done
			}
			a := an.vecs[st.a]
			v, ok := isConst(&a)
			if !ok {
				panic(notAnalysable{pc, "returns a value computed from the input"})
			}
			r = an.s.Leaf(v)
			goto done
		case filter.ClassJMP:
			jop := op.JumpOp()
			if jop == filter.JumpAlways {
				pc += int(k)
				break
			}
			a := an.vecs[st.a]
			v := an.constant(k)
			if op.Source() == filter.SourceX {
				v = an.vecs[st.x]
			}
			if op.Source() == filter.SourceX && dependent(&a) && dependent(&v) {
				panic(notAnalysable{pc, "compares A with X, both depending on the input"})
			}
			cond := an.compare(jop, &a, &v)
			switch cond {
			case True:
				pc += int(ins.Jt)
			case False:
				pc += int(ins.Jf)
			default:
				yes := an.run(pc+1+int(ins.Jt), st)
				no := an.run(pc+1+int(ins.Jf), st)
				r = an.s.ITE(cond, yes, no)
				goto done
			}
		}
		pc++
	}
done:
	an.memo[memoKey{start, key.st}] = r
	return r
}

// load returns the value a load instruction of a verified seccomp program
// reads.
func (an *analyser) load(ins filter.Instruction) word {
	switch ins.Op().Mode() {
	case filter.ModeABS:
		return an.field(fieldAt(ins.K, an.order))
	case filter.ModeLEN:
		return an.constant(filter.SeccompDataSize)
	}
	return an.constant(ins.K)
}
