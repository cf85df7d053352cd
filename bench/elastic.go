package main

import (
	"fmt"

	elastic "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// prepareElastic builds an elastic/go-seccomp-bpf Policy: one
// SyscallGroup per action, in order of first use. It compiles for the
// native ABI only, and its conditions cannot say "arg & mask == value"
// but for value 0 (BitsNotSet); such rules are left out, and said so.
// The timed step is Policy.Assemble.
func prepareElastic(p *Policy) (func() ([]filter.Instruction, error), string, error) {
	info, err := arch.GetInfo("amd64")
	if err != nil {
		return nil, "", err
	}
	note := ""
	if len(p.ABIs) > 1 {
		note = "x86_64 only: i386 calls get the default action, x32 calls ENOSYS"
	} else {
		note = "foreign-ABI calls get the default action, x32 calls ENOSYS"
	}
	var groups []elastic.SyscallGroup
	index := make(map[filter.Action]int)
	var unknown, dropped []string
	for _, r := range p.Rules {
		if _, ok := info.SyscallNames[r.Name]; !ok {
			if _, ok := tables.X86_64.Number(r.Name); ok {
				unknown = append(unknown, r.Name)
			}
			continue
		}
		i, ok := index[r.Action]
		if !ok {
			i = len(groups)
			index[r.Action] = i
			groups = append(groups, elastic.SyscallGroup{Action: elasticAction(r.Action)})
		}
		if len(r.Args) == 0 {
			groups[i].Names = append(groups[i].Names, r.Name)
			continue
		}
		var conds elastic.ArgumentConditions
		ok = true
		for _, c := range r.Args {
			ec := elastic.Condition{Argument: uint32(c.Arg), Value: c.Value}
			switch c.Op {
			case Eq:
				ec.Operation = elastic.Equal
			case Ne:
				ec.Operation = elastic.NotEqual
			case Lt:
				ec.Operation = elastic.LessThan
			case Le:
				ec.Operation = elastic.LessOrEqual
			case Gt:
				ec.Operation = elastic.GreaterThan
			case Ge:
				ec.Operation = elastic.GreaterOrEqual
			case MaskedEq:
				ec.Operation, ec.Value = elastic.BitsNotSet, c.Mask
				ok = c.Value == 0
			}
			conds = append(conds, ec)
		}
		if !ok {
			dropped = append(dropped, r.Name)
			continue
		}
		groups[i].NamesWithCondtions = append(groups[i].NamesWithCondtions, elastic.NameWithConditions{Name: r.Name, Conditions: conds})
	}
	if len(unknown) > 0 {
		note += fmt.Sprintf("; %d names not in its x86_64 table: %v", len(unknown), unknown)
	}
	if len(dropped) > 0 {
		note += fmt.Sprintf("; masked comparisons it cannot express dropped: %v", dropped)
	}
	for _, r := range p.Rules {
		if r.Action.Kind() == filter.ErrnoBase && r.Action.Data() != eperm {
			note += fmt.Sprintf("; its errno is always EPERM (%s: %v)", r.Name, r.Action)
		}
	}
	pol := &elastic.Policy{DefaultAction: elasticAction(p.Default), Syscalls: groups}
	return func() ([]filter.Instruction, error) {
		insns, err := pol.Assemble()
		if err != nil {
			return nil, err
		}
		raw, err := bpf.Assemble(insns)
		if err != nil {
			return nil, err
		}
		out := make([]filter.Instruction, len(raw))
		for i, in := range raw {
			out[i] = filter.Instruction{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
		}
		return out, nil
	}, note, nil
}

// elasticAction returns a's action in elastic's terms, whose errno is
// always EPERM.
func elasticAction(a filter.Action) elastic.Action {
	if a.Kind() == filter.ErrnoBase {
		return elastic.ActionErrno
	}
	return elastic.Action(uint32(a))
}
