package main

import (
	"fmt"

	gseccomp "gvisor.dev/gvisor/pkg/seccomp"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// prepareGVisor builds RuleSets for gVisor's pkg/seccomp, which compiles
// for the native ABI only: one RuleSet per action, in order of first
// use, each call's rules an Or of per-argument matchers. The timed step
// is Program.Build, with its optimizations on and no hot-call hints.
func prepareGVisor(p *Policy) (func() ([]filter.Instruction, error), string, error) {
	note := ""
	if len(p.ABIs) > 1 {
		note = "x86_64 only: i386 calls are killed as a bad arch, x32 calls get the default action"
	}
	var sets []gseccomp.RuleSet
	index := make(map[filter.Action]int)
	for _, r := range p.Rules {
		nr, ok := tables.X86_64.Number(r.Name)
		if !ok {
			continue
		}
		i, ok := index[r.Action]
		if !ok {
			i = len(sets)
			index[r.Action] = i
			sets = append(sets, gseccomp.RuleSet{Rules: gseccomp.NewSyscallRules(), Action: gvisorAction(r.Action)})
		}
		rule, err := gvisorRule(r.Args)
		if err != nil {
			return nil, "", err
		}
		sets[i].Rules.Add(uintptr(nr), rule)
	}
	prog := &gseccomp.Program{
		RuleSets: sets,
		Options: gseccomp.ProgramOptions{
			DefaultAction: gvisorAction(p.Default),
			BadArchAction: gseccomp.KillProcess,
		},
	}
	return func() ([]filter.Instruction, error) {
		insns, _, err := prog.Build()
		if err != nil {
			return nil, err
		}
		out := make([]filter.Instruction, len(insns))
		for i, in := range insns {
			out[i] = filter.Instruction{Code: in.OpCode, Jt: in.JumpIfTrue, Jf: in.JumpIfFalse, K: in.K}
		}
		return out, nil
	}, note, nil
}

func gvisorAction(a filter.Action) gseccomp.Action {
	switch a.Kind() {
	case filter.Allow:
		return gseccomp.Allow
	case filter.KillProcess:
		return gseccomp.KillProcess
	case filter.KillThread:
		return gseccomp.KillThread
	case filter.ErrnoBase:
		return gseccomp.ReturnError.Code(a.Data())
	}
	panic(fmt.Sprintf("gvisor adapter: action %v", a))
}

// gvisorRule returns the rule matching calls whose arguments satisfy all
// of conds; MatchAll for none.
func gvisorRule(conds []Cond) (gseccomp.SyscallRule, error) {
	if len(conds) == 0 {
		return gseccomp.MatchAll{}, nil
	}
	var and gseccomp.And
	for _, c := range conds {
		var pa gseccomp.PerArg
		for i := range pa {
			pa[i] = gseccomp.AnyValue{}
		}
		v := uintptr(c.Value)
		switch c.Op {
		case Eq:
			pa[c.Arg] = gseccomp.EqualTo(v)
		case Ne:
			pa[c.Arg] = gseccomp.NotEqual(v)
		case Lt:
			pa[c.Arg] = gseccomp.LessThan(v)
		case Le:
			pa[c.Arg] = gseccomp.LessThanOrEqual(v)
		case Gt:
			pa[c.Arg] = gseccomp.GreaterThan(v)
		case Ge:
			pa[c.Arg] = gseccomp.GreaterThanOrEqual(v)
		case MaskedEq:
			pa[c.Arg] = gseccomp.MaskedEqual(uintptr(c.Mask), v)
		default:
			return nil, fmt.Errorf("gvisor adapter: op %d", c.Op)
		}
		and = append(and, pa)
	}
	if len(and) == 1 {
		return and[0], nil
	}
	return and, nil
}
