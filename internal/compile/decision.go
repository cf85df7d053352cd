package compile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/filter/analysis"
	"github.com/sysfence/seccomp/tables"
)

// Decision returns the policy's meaning as a decision diagram in s: the
// function Evaluate computes, for every seccomp_data at once. It is built
// from the policy alone, as Evaluate is, never from a program; a program
// decides exactly as the policy says when s.Analyze of it gives the same
// Node (see Prove).
func (p *Policy) Decision(s *analysis.Space) analysis.Node {
	foreign := s.Leaf(uint32(p.Foreign))
	// Only the audit values of covered ABIs lead anywhere but Foreign.
	var audits []uint32
	for _, ap := range p.ABIs {
		audits = append(audits, ap.ABI.Audit)
	}
	slices.Sort(audits)
	audits = slices.Compact(audits)
	vals := make([]analysis.Node, len(audits))
	for i, audit := range audits {
		vals[i] = p.auditDecision(s, audit)
	}
	return s.Table(analysis.FieldArch, audits, vals, foreign)
}

// auditDecision is Evaluate for calls whose arch is audit, one of the
// covered ABIs': each number goes to its owner, as tables.ByCall says
// (the ABI with an NrBit when the number has it and bit 31 clear, else
// the first ABI of the audit value without one).
func (p *Policy) auditDecision(s *analysis.Space, audit uint32) analysis.Node {
	nr := s.Bits(analysis.FieldNr)
	var base *tables.ABI
	var bits []*tables.ABI // ABIs told apart by a bit, in tables.All order
	for _, a := range tables.All() {
		switch {
		case a.Audit != audit:
		case a.NrBit != 0:
			bits = append(bits, a)
		case base == nil:
			base = a
		}
	}
	r := s.Leaf(uint32(p.Foreign)) // no owner
	if base != nil {
		r = p.ownerDecision(s, base)
	}
	// The first matching ABI with a bit wins: build from the last.
	for i := len(bits) - 1; i >= 0; i-- {
		a := bits[i]
		has := s.Not(s.Equal(nr, uint64(a.NrBit), 0))
		cond := s.And(has, s.Not(nr[31]))
		r = s.ITE(cond, p.ownerDecision(s, a), r)
	}
	return r
}

// ownerDecision is Evaluate for numbers that abi owns.
func (p *Policy) ownerDecision(s *analysis.Space, abi *tables.ABI) analysis.Node {
	ap := p.covered(abi.Name)
	if ap == nil {
		return s.Leaf(uint32(p.uncovered(abi)))
	}
	// Rules first (at most one per number), then the table's numbers.
	byNr := make(map[uint32]analysis.Node, abi.Len())
	dflt := s.Leaf(uint32(ap.Default))
	for i := range abi.Len() {
		byNr[abi.At(i).Nr] = dflt
	}
	for i := len(ap.Rules) - 1; i >= 0; i-- {
		byNr[ap.Rules[i].Nr] = ap.Rules[i].decision(s, abi.WordSize)
	}
	keys := make([]uint32, 0, len(byNr))
	for nr := range byNr {
		keys = append(keys, nr)
	}
	slices.Sort(keys)
	vals := make([]analysis.Node, len(keys))
	for i, nr := range keys {
		vals[i] = byNr[nr]
	}
	return s.Table(analysis.FieldNr, keys, vals, s.Leaf(uint32(ap.Unknown)))
}

// decision is Rule.evaluate as a diagram.
func (r *Rule) decision(s *analysis.Space, wordSize int) analysis.Node {
	f := s.Leaf(uint32(r.Action))
	for i := len(r.Args) - 1; i >= 0; i-- {
		ar := r.Args[i]
		all := analysis.True
		for _, c := range ar.Conds {
			all = s.And(all, c.decision(s, wordSize))
		}
		f = s.ITE(all, s.Leaf(uint32(ar.Action)), f)
	}
	return f
}

// decision is Cond.holds as a diagram.
func (c Cond) decision(s *analysis.Space, wordSize int) analysis.Node {
	if c.Arg < 0 || c.Arg > 5 {
		return analysis.False
	}
	v := s.Bits(analysis.ArgHi(c.Arg), analysis.ArgLo(c.Arg))
	if wordSize == 4 || c.Narrow {
		v = s.Bits(analysis.ArgLo(c.Arg))
	}
	const all = 1<<64 - 1
	switch c.Op {
	case OpEq:
		return s.Equal(v, all, c.Value)
	case OpNe:
		return s.Not(s.Equal(v, all, c.Value))
	case OpLt:
		return s.Less(v, c.Value)
	case OpLe:
		if c.Value == all {
			return analysis.True
		}
		return s.Less(v, c.Value+1)
	case OpGt:
		if c.Value == all {
			return analysis.False
		}
		return s.Not(s.Less(v, c.Value+1))
	case OpGe:
		return s.Not(s.Less(v, c.Value))
	case OpMaskedEq:
		return s.Equal(v, c.Mask, c.Value)
	}
	return analysis.False
}

// Counterexample is an input on which a program and its policy disagree.
type Counterexample struct {
	Data    filter.SeccompData
	Program filter.Action // what the program returns
	Policy  filter.Action // what Evaluate says
}

// auditLE is __AUDIT_ARCH_LE of include/uapi/linux/audit.h: every
// AUDIT_ARCH_* value of a little-endian ABI has it, and only those.
const auditLE = 0x40000000

// Prove reports whether prog decides every seccomp_data exactly as
// Evaluate says: for each byte order of the policy's ABIs, every input
// whose arch value is of that byte order (its __AUDIT_ARCH_LE bit), laid
// out in it. If not, it returns an input where they differ, with both
// answers; the answers are computed again by filter.Run and Evaluate, so a
// counterexample is never an artefact of the analysis.
func (p *Policy) Prove(prog []filter.Instruction) (*Counterexample, error) {
	if len(p.ABIs) == 0 {
		return nil, errors.New("compile: Prove: the policy covers no ABI")
	}
	s := analysis.NewSpace()
	want := p.Decision(s)
	arch := s.Bits(analysis.FieldArch)
	for _, big := range []bool{false, true} {
		if !slices.ContainsFunc(p.ABIs, func(ap ABIPolicy) bool { return ap.ABI.BigEndian == big }) {
			continue
		}
		order := binary.ByteOrder(binary.LittleEndian)
		domain := arch[30]
		if big {
			order, domain = binary.BigEndian, s.Not(arch[30])
		}
		got, err := s.Analyze(prog, order)
		if err != nil {
			return nil, err
		}
		in, differ := s.Any(s.And(domain, s.Differ(got, want)))
		if !differ {
			continue
		}
		d := in.Data()
		res, err := filter.Run(prog, &d, order)
		if err != nil {
			return nil, err
		}
		ce := &Counterexample{Data: d, Program: res.Ret, Policy: p.Evaluate(&d)}
		if ce.Program == ce.Policy {
			panic(fmt.Sprintf("compile: the analysis and the simulator disagree on %+v", d))
		}
		return ce, nil
	}
	return nil, nil
}
