package compile

import "github.com/sysfence/seccomp/filter"

// Evaluate returns the action that p gives the system call d, computed
// directly from the policy: the meaning that Compile's program must have,
// and what the tests compare it with. The result is meaningful only for a
// policy that Compile accepts.
func (p *Policy) Evaluate(d *filter.SeccompData) filter.Action {
	nr := uint32(d.Nr)
	abi := owner(d.Arch, nr)
	if abi == nil {
		return p.Foreign
	}
	if ap := p.covered(abi.Name); ap != nil {
		return ap.evaluate(nr, &d.Args)
	}
	for _, ap := range p.ABIs {
		if ap.ABI.Audit == d.Arch {
			return p.uncovered(abi)
		}
	}
	return p.Foreign
}

// evaluate returns the action for number nr with arguments args.
func (ap *ABIPolicy) evaluate(nr uint32, args *[6]uint64) filter.Action {
	for _, r := range ap.Rules {
		if r.Nr == nr {
			return r.evaluate(ap.ABI.WordSize, args)
		}
	}
	if _, ok := ap.ABI.SyscallName(nr); ok {
		return ap.Default
	}
	return ap.Unknown
}

// evaluate returns the action of the first argument rule whose conditions
// all hold, else r.Action.
func (r *Rule) evaluate(wordSize int, args *[6]uint64) filter.Action {
	for _, ar := range r.Args {
		if allHold(ar.Conds, wordSize, args) {
			return ar.Action
		}
	}
	return r.Action
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
	return cond.holdsValue(v)
}
