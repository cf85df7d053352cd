package main

import (
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
)

// prepareSysfence builds a seccomp.Policy through the module's public
// API; the timed step is Policy.Compile.
func prepareSysfence(p *Policy) (func() ([]filter.Instruction, error), string, error) {
	return prepareWeighted(p, nil)
}

// prepareWeighted is prepareSysfence with Policy.Weights.
func prepareWeighted(p *Policy, weights map[string]uint64) (func() ([]filter.Instruction, error), string, error) {
	sp := &seccomp.Policy{
		Default: seccomp.ActionOf(p.Default),
		Unknown: seccomp.ActionOf(p.Default),
		Foreign: seccomp.KillProcess,
		ABIs:    p.ABIs,
		Weights: weights,
	}
	for _, r := range p.Rules {
		rule := seccomp.Rule{Syscall: r.Name, Action: seccomp.ActionOf(r.Action)}
		for _, c := range r.Args {
			rule.Args = append(rule.Args, seccomp.Cond{Arg: c.Arg, Op: seccomp.Comparison(c.Op), Value: c.Value, Mask: c.Mask})
		}
		sp.Rules = append(sp.Rules, rule)
	}
	return func() ([]filter.Instruction, error) {
		prog, err := sp.Compile()
		if err != nil {
			return nil, err
		}
		return prog.Instructions(), nil
	}, "", nil
}
