package seccomp

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/filter/analysis"
	"github.com/sysfence/seccomp/internal/compile"
	"github.com/sysfence/seccomp/tables"
)

// Counterexample is one system call on which a program and a policy (or
// two programs) decide differently.
type Counterexample struct {
	// Data is the call as the kernel hands it to seccomp.
	Data filter.SeccompData
	// ABI is the ABI the call belongs to (tables.ByCall), or nil when no
	// ABI has its arch value.
	ABI *tables.ABI
	// Syscall names the call in ABI's table; empty when the table does
	// not know the number.
	Syscall string
	// A and B are the two answers: the program's and the policy's for
	// Prove, the first and the second program's for Compare.
	A, B Action
}

func (c *Counterexample) String() string {
	call := fmt.Sprintf("arch %#x nr %d", c.Data.Arch, c.Data.Nr)
	if c.ABI != nil {
		call = fmt.Sprintf("%s nr %d", c.ABI.Name, c.Data.Nr)
		if c.Syscall != "" {
			call = fmt.Sprintf("%s %s (nr %d)", c.ABI.Name, c.Syscall, c.Data.Nr)
		}
	}
	return fmt.Sprintf("%s args %#x", call, c.Data.Args)
}

func newCounterexample(d filter.SeccompData, a, b filter.Action) *Counterexample {
	ce := &Counterexample{Data: d, A: ActionOf(a), B: ActionOf(b)}
	if abi, ok := tables.ByCall(d.Arch, uint32(d.Nr)); ok {
		ce.ABI = abi
		ce.Syscall, _ = abi.SyscallName(uint32(d.Nr))
		ce.A, ce.B = actionOn(a, abi), actionOn(b, abi)
	}
	return ce
}

// Prove reports whether prog decides every system call exactly as the
// policy says: every arch value, number, instruction pointer and argument
// word, not a sample. The policy's meaning is the one its compiler is
// tested against (each rule's conditions in order, Default, Unknown,
// Foreign), built for the ABIs prog covers when the policy names none.
// It returns nil when they agree, and otherwise one call where they do
// not, with prog's answer as A and the policy's as B; both answers are
// computed again by running prog and evaluating the policy on that call,
// so a counterexample is never an artefact of the proof.
//
// Prove works on any program filter.Verify accepts, however it was made,
// and fails with analysis.ErrNotAnalysable for the rare program whose
// decision it cannot compute exactly (arithmetic on two input words).
func (p *Policy) Prove(prog *Program) (*Counterexample, error) {
	fp, err := p.lowered(prog.abis)
	if err != nil {
		return nil, err
	}
	ce, err := fp.Prove(prog.insns)
	if err != nil || ce == nil {
		return nil, err
	}
	return newCounterexample(ce.Data, ce.Program, ce.Policy), nil
}

// lowered checks the policy and returns it in the compiler's terms, for
// abis when it names no ABIs of its own (nil: the native ABI).
func (p *Policy) lowered(abis []*tables.ABI) (*compile.Policy, error) {
	q := *p
	if q.ABIs == nil && abis != nil {
		q.ABIs = abis
	}
	abis, err := q.abis()
	if err != nil {
		return nil, err
	}
	if err := q.checkRules(abis); err != nil {
		return nil, err
	}
	if err := q.checkNames(abis); err != nil {
		return nil, err
	}
	fp, _, _, err := q.lower(abis)
	return fp, err
}

// Decision is what decided one call: Explain's answer.
type Decision struct {
	// Action is the policy's action for the call, with an errno named
	// for the call's ABI.
	Action Action
	// Rule is the index in Policy.Rules of the rule that decided, or -1
	// when none did. For a call through socketcall or ipc, it is the
	// rule on the multiplexed call whose action the route took.
	Rule int
	// By is "Default", "Unknown" (a number the ABI's table lacks) or
	// "Foreign" (an ABI the policy does not cover) when no rule decided.
	By string
}

// Explain returns what the policy gives a call of number nr with
// arguments args made through abi, and which rule decided: the meaning
// Prove proves a program has. A policy that names no ABIs covers abi.
func (p *Policy) Explain(abi *tables.ABI, nr uint32, args ...uint64) (*Decision, error) {
	if abi == nil {
		return nil, fmt.Errorf("%w: nil ABI", ErrInvalidCall)
	}
	e, err := p.Explainer(abi)
	if err != nil {
		return nil, err
	}
	return e.Explain(abi, nr, args...)
}

// Explainer is Explain for many calls: the policy is checked and lowered
// once. It is safe for concurrent use.
type Explainer struct {
	fp *compile.Policy
}

// Explainer returns an Explainer of the policy, for abis when it names
// none (nil: the native ABI).
func (p *Policy) Explainer(abis ...*tables.ABI) (*Explainer, error) {
	if len(abis) == 0 {
		abis = nil
	}
	fp, err := p.lowered(abis)
	if err != nil {
		return nil, err
	}
	return &Explainer{fp: fp}, nil
}

// Explain is Policy.Explain.
func (e *Explainer) Explain(abi *tables.ABI, nr uint32, args ...uint64) (*Decision, error) {
	if abi == nil {
		return nil, fmt.Errorf("%w: nil ABI", ErrInvalidCall)
	}
	if len(args) > 6 {
		return nil, fmt.Errorf("%w: %d arguments; a system call has at most 6", ErrInvalidCall, len(args))
	}
	d := filter.SeccompData{Arch: abi.Audit, Nr: int32(nr)}
	copy(d.Args[:], args)
	act, by := e.fp.Decide(&d)
	dec := &Decision{Action: actionOn(act, abi), Rule: -1}
	switch {
	case by > 0:
		dec.Rule = int(by) - 1
	case by == compile.ByUnknown:
		dec.By = "Unknown"
	case by == compile.ByForeign:
		dec.By = "Foreign"
	default:
		dec.By = "Default"
	}
	return dec, nil
}

// Diff is what Compare finds: where two programs decide
// differently, and in which direction.
type Diff struct {
	// Differences lists the calls they decide differently, grouped by
	// ABI and system call, in order of arch value and number.
	Differences []Difference
	// Looser reports that B allows (ALLOW or LOG) some call that A does
	// not; Stricter that A allows some call that B does not. Both false
	// with Differences means they differ only in how they refuse.
	Looser, Stricter bool
	// LooserExample and StricterExample are such calls.
	LooserExample, StricterExample *Counterexample
}

// Difference is a set of calls two programs decide differently: the
// numbers Nr to NrLast of one arch value, restricted by Args when the
// difference depends on the arguments.
type Difference struct {
	// Arch is the arch value.
	Arch uint32
	// Archs is 1, or, for arch values no ABI has, the number of them
	// that decide alike, of which Arch is one.
	Archs uint64
	// ABI is the ABI that owns Nr under Arch, nil when none does.
	ABI *tables.ABI
	// Nr and NrLast are the first and last number. Mask, when not zero,
	// says the numbers are instead those with nr & Mask == Nr.
	Nr, NrLast, Mask uint32
	// Syscall names Nr when Nr == NrLast and the ABI's table knows it.
	Syscall string
	// Args is empty when every call of these numbers differs, and
	// otherwise describes the arguments that do, as
	// "arg1 & 0xffffffff == 0x5412" (one of several regions, with "…"
	// when there are more).
	Args string
	// Example is one call of the set, with both answers.
	Example *Counterexample
	// Kind says, when it can, why the programs differ there, in a
	// phrase: see Compare.
	Kind string
}

// The kinds of difference Compare recognises.
const (
	// KindBit31: the numbers have bit 31 set (syscall(-1) and the
	// like), which no table has and x86_64 does not read as x32 calls.
	KindBit31 = "numbers with bit 31 set"
	// KindHighWord: the programs differ only when the high word of an
	// argument is not zero (one compares 32 bits, the other 64).
	KindHighWord = "only when an argument's high word is not zero"
	// KindUnknownToA and KindUnknownToB: one program decides the call
	// as it decides numbers past its ABI's table, as a filter whose
	// table is older than the call does.
	KindUnknownToA = "A decides the call as a number it does not know: a call newer than its table"
	KindUnknownToB = "B decides the call as a number it does not know: a call newer than its table"
)

// kind classifies a difference (see Difference.Kind).
func (c *Diff) kind(s *analysis.Space, fa, fb analysis.Node, av, nr, mask uint32, where analysis.Node, abi *tables.ABI) string {
	if mask == 0 && nr >= 1<<31 {
		return KindBit31
	}
	low := where
	for i := range 6 {
		low = s.Fix(low, analysis.ArgHi(i), 0)
	}
	if low == analysis.False {
		return KindHighWord
	}
	if abi == nil || mask != 0 || where != analysis.True {
		return "" // a call newer than a table differs whatever its arguments
	}
	// A number just past the table, which neither program can know.
	past := abi.At(abi.Len()-1).Nr + 1
	if _, known := abi.SyscallName(nr); !known {
		return ""
	}
	at := func(f analysis.Node, n uint32) analysis.Node {
		return s.Fix(s.Fix(f, analysis.FieldArch, av), analysis.FieldNr, n)
	}
	switch {
	case at(fa, nr) == at(fa, past) && at(fb, nr) != at(fb, past):
		return KindUnknownToA
	case at(fb, nr) == at(fb, past) && at(fa, nr) != at(fa, past):
		return KindUnknownToB
	}
	return ""
}

// allows reports whether a return value lets the call run unhindered.
func allows(ret uint32) bool {
	k := filter.Action(ret).Kind()
	return k == filter.Allow || k == filter.Log
}

// Compare computes where programs a and b decide differently, exactly:
// every arch value of their byte order (the __AUDIT_ARCH_LE bit of
// include/uapi/linux/audit.h says which arch values a kernel of that
// order can produce), number and argument. The programs must share a byte
// order: no kernel runs both.
func Compare(a, b *Program) (*Diff, error) {
	order := a.ByteOrder()
	if b.ByteOrder() != order {
		return nil, fmt.Errorf("%w: the programs differ in byte order; no kernel runs both", ErrInvalidCall)
	}
	s := analysis.NewSpace()
	fa, err := s.Analyze(a.insns, order)
	if err != nil {
		return nil, fmt.Errorf("seccomp: Compare: the first program: %w", err)
	}
	fb, err := s.Analyze(b.insns, order)
	if err != nil {
		return nil, fmt.Errorf("seccomp: Compare: the second program: %w", err)
	}
	arch := s.Bits(analysis.FieldArch)
	domain := arch[30]
	if order == binary.BigEndian {
		domain = s.Not(domain)
	}
	c := &Diff{}
	example := func(f analysis.Node) *Counterexample {
		in, ok := s.Any(f)
		if !ok {
			return nil
		}
		return newCounterexample(in.Data(), filter.Action(s.Eval(fa, &in)), filter.Action(s.Eval(fb, &in)))
	}
	allowA, allowB := s.Where(fa, allows), s.Where(fb, allows)
	c.LooserExample = example(s.And(domain, s.And(allowB, s.Not(allowA))))
	c.StricterExample = example(s.And(domain, s.And(allowA, s.Not(allowB))))
	c.Looser, c.Stricter = c.LooserExample != nil, c.StricterExample != nil

	// One leaf per pair of answers that differ (0 where they agree), so
	// that a Difference has one pair of answers throughout.
	type pair struct{ a, b uint32 }
	var pairs []pair
	ids := make(map[pair]uint32)
	both := s.Combine(fa, fb, func(a, b uint32) uint32 {
		if a == b {
			return 0
		}
		p := pair{a, b}
		if id, ok := ids[p]; ok {
			return id
		}
		pairs = append(pairs, p)
		ids[p] = uint32(len(pairs))
		return ids[p]
	})
	both = s.ITE(domain, both, s.Leaf(0))
	for _, ap := range s.Split(both, analysis.FieldArch) {
		if ap.Sub == s.Leaf(0) {
			continue
		}
		// The arch values of known ABIs one by one, the rest of the
		// piece (which all decide alike) once.
		var known []uint32
		for _, abi := range tables.All() {
			if inPiece(&ap, abi.Audit) && !slices.Contains(known, abi.Audit) {
				known = append(known, abi.Audit)
			}
		}
		slices.Sort(known)
		for _, av := range known {
			c.Differences = append(c.Differences, c.split(s, fa, fb, av, 1, ap.Sub)...)
		}
		if n := pieceSize(&ap) - uint64(len(known)); n > 0 {
			av, _ := otherArch(&ap, known)
			c.Differences = append(c.Differences, c.split(s, fa, fb, av, n, ap.Sub)...)
		}
	}
	return c, nil
}

// inPiece reports whether v is one of the piece's values.
func inPiece(p *analysis.Piece, v uint32) bool {
	for _, r := range p.Ranges {
		if r.Lo <= v && v <= r.Hi {
			return true
		}
	}
	for _, m := range p.Masked {
		if v&m.Mask == m.Value {
			return true
		}
	}
	return false
}

// pieceSize returns the number of values in the piece.
func pieceSize(p *analysis.Piece) uint64 {
	var n uint64
	for _, r := range p.Ranges {
		n += uint64(r.Hi-r.Lo) + 1
	}
	for _, m := range p.Masked {
		n += 1 << bits.OnesCount32(^m.Mask)
	}
	return n
}

// otherArch returns a value of the piece that is not in known.
func otherArch(p *analysis.Piece, known []uint32) (uint32, bool) {
	for _, r := range p.Ranges {
		for v := uint64(r.Lo); v <= uint64(r.Hi); v++ {
			if !slices.Contains(known, uint32(v)) {
				return uint32(v), true
			}
		}
	}
	for _, m := range p.Masked {
		free := ^m.Mask
		for sub := free; ; sub = (sub - 1) & free {
			if v := m.Value | sub; !slices.Contains(known, v) {
				return v, true
			}
			if sub == 0 {
				break
			}
		}
	}
	return 0, false
}

// split lists the differences under arch value av, where sub, a function
// of the number and the arguments, is not 0.
func (c *Diff) split(s *analysis.Space, fa, fb analysis.Node, av uint32, archs uint64, sub analysis.Node) []Difference {
	var out []Difference
	same := s.Leaf(0)
	add := func(nr, last, mask uint32, rest analysis.Node) {
		d := Difference{Arch: av, Archs: archs, Nr: nr, NrLast: last, Mask: mask}
		d.ABI, _ = tables.ByCall(av, nr)
		if d.ABI != nil && nr == last && mask == 0 {
			d.Syscall, _ = d.ABI.SyscallName(nr)
		}
		where := s.Where(rest, func(v uint32) bool { return v != 0 })
		if where != analysis.True {
			const most = 1000 // paths can be many; counting them is enough
			n := 0
			s.Cubes(where, func(cb *analysis.Cube, v uint32) bool {
				if v == 0 {
					return true
				}
				if n++; n == 1 {
					d.Args = cb.String()
				}
				return n <= most
			})
			switch {
			case n > most:
				d.Args += fmt.Sprintf(" (and more than %d more regions)", most-1)
			case n > 1:
				d.Args += fmt.Sprintf(" (and %d more regions)", n-1)
			}
		}
		d.Kind = c.kind(s, fa, fb, av, nr, mask, where, d.ABI)
		in, _ := s.Any(where)
		in[analysis.FieldArch], in[analysis.FieldNr] = av, nr
		d.Example = newCounterexample(in.Data(), filter.Action(s.Eval(fa, &in)), filter.Action(s.Eval(fb, &in)))
		out = append(out, d)
	}
	for _, np := range s.Split(sub, analysis.FieldNr) {
		if np.Sub == same {
			continue
		}
		for _, r := range np.Ranges {
			for _, r := range ownerRanges(av, r) {
				if r.Hi-r.Lo >= 64 {
					add(r.Lo, r.Hi, 0, np.Sub)
					continue
				}
				for v := r.Lo; ; v++ {
					add(v, v, 0, np.Sub)
					if v == r.Hi {
						break
					}
				}
			}
		}
		for _, m := range np.Masked {
			add(m.Value, m.Value, m.Mask, np.Sub)
		}
	}
	return out
}

// ownerRanges cuts r where the ABI that owns a number under arch value
// av changes, as tables.ByCall says: x32's numbers under
// AUDIT_ARCH_X86_64 are not x86_64's.
func ownerRanges(av uint32, r analysis.Range) []analysis.Range {
	var cuts []uint64
	for _, a := range tables.All() {
		if a.Audit == av && a.NrBit != 0 {
			for m := uint64(a.NrBit); m < 1<<32; m += uint64(a.NrBit) {
				cuts = append(cuts, m)
			}
			cuts = append(cuts, 1<<31)
		}
	}
	slices.Sort(cuts)
	owner := func(nr uint64) *tables.ABI {
		abi, _ := tables.ByCall(av, uint32(nr))
		return abi
	}
	var out []analysis.Range
	lo := uint64(r.Lo)
	for _, c := range cuts {
		if c > lo && c <= uint64(r.Hi) && owner(c) != owner(lo) {
			out = append(out, analysis.Range{Lo: uint32(lo), Hi: uint32(c - 1)})
			lo = c
		}
	}
	return append(out, analysis.Range{Lo: uint32(lo), Hi: r.Hi})
}
