package compile

import "github.com/sysfence/seccomp/filter"

// Evaluate returns the action that p gives the system call d, computed
// directly from the policy: the meaning that Compile's program must have,
// and what the tests compare it with. The result is meaningful only for a
// policy that Compile accepts.
func (p *Policy) Evaluate(d *filter.SeccompData) filter.Action {
	act, _ := p.Decide(d)
	return act
}

// Decider names what decided a call in Decide.
type Decider int

// The deciders other than a rule, whose Origin is positive.
const (
	ByDefault Decider = -iota // the ABI's Default, or a rule of Origin 0
	ByUnknown                 // the ABI's Unknown: a number its table lacks
	ByForeign                 // Foreign, or X32: an ABI the policy does not cover
)

// Decide is Evaluate that also says what decided: a rule's Origin
// (positive), or ByDefault, ByUnknown or ByForeign.
func (p *Policy) Decide(d *filter.SeccompData) (filter.Action, Decider) {
	nr := uint32(d.Nr)
	abi := owner(d.Arch, nr)
	if abi == nil {
		return p.Foreign, ByForeign
	}
	if ap := p.covered(abi.Name); ap != nil {
		return ap.evaluate(nr, &d.Args)
	}
	for _, ap := range p.ABIs {
		if ap.ABI.Audit == d.Arch {
			return p.uncovered(abi), ByForeign
		}
	}
	return p.Foreign, ByForeign
}

// evaluate returns the action for number nr with arguments args.
func (ap *ABIPolicy) evaluate(nr uint32, args *[6]uint64) (filter.Action, Decider) {
	for _, r := range ap.Rules {
		if r.Nr == nr {
			return r.evaluate(ap.ABI.WordSize, args)
		}
	}
	if _, ok := ap.ABI.SyscallName(nr); ok {
		return ap.Default, ByDefault
	}
	return ap.Unknown, ByUnknown
}

// evaluate returns the action of the first argument rule whose conditions
// all hold, else r.Action.
func (r *Rule) evaluate(wordSize int, args *[6]uint64) (filter.Action, Decider) {
	for _, ar := range r.Args {
		if allHold(ar.Conds, wordSize, args) {
			return ar.Action, Decider(ar.Origin)
		}
	}
	return r.Action, Decider(r.Origin)
}

func allHold(conds []Cond, wordSize int, args *[6]uint64) bool {
	for _, c := range conds {
		if !c.holds(wordSize, args) {
			return false
		}
	}
	return true
}

// holds reports whether the condition holds for args; on an ABI with
// 32-bit arguments, and for a narrow condition, only the low word counts.
func (cond Cond) holds(wordSize int, args *[6]uint64) bool {
	if cond.Arg < 0 || cond.Arg > 5 {
		return false
	}
	v := args[cond.Arg]
	if wordSize == 4 || cond.Narrow {
		v = uint64(uint32(v))
	}
	switch cond.Op {
	case OpEq:
		return v == cond.Value
	case OpNe:
		return v != cond.Value
	case OpLt:
		return v < cond.Value
	case OpLe:
		return v <= cond.Value
	case OpGt:
		return v > cond.Value
	case OpGe:
		return v >= cond.Value
	case OpMaskedEq:
		return v&cond.Mask == cond.Value
	}
	return false
}
