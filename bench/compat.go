package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	compat "github.com/sysfence/seccomp/compat/libseccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// compatAction is an action in compat/libseccomp's (libseccomp-golang's)
// terms.
func compatAction(a filter.Action) (compat.ScmpAction, error) {
	switch a.Kind() {
	case filter.KillProcess:
		return compat.ActKillProcess, nil
	case filter.KillThread:
		return compat.ActKillThread, nil
	case filter.Trap:
		return compat.ActTrap, nil
	case filter.ErrnoBase:
		return compat.ActErrno.SetReturnCode(int16(a.Data())), nil
	case filter.TraceBase:
		return compat.ActTrace.SetReturnCode(int16(a.Data())), nil
	case filter.Notify:
		return compat.ActNotify, nil
	case filter.Log:
		return compat.ActLog, nil
	case filter.Allow:
		return compat.ActAllow, nil
	}
	return compat.ActInvalid, fmt.Errorf("compat adapter: action %v", a)
}

var compatOps = map[Op]compat.ScmpCompareOp{
	Eq: compat.CompareEqual, Ne: compat.CompareNotEqual, Lt: compat.CompareLess, Le: compat.CompareLessOrEqual,
	Gt: compat.CompareGreater, Ge: compat.CompareGreaterEqual, MaskedEq: compat.CompareMaskedEqual,
}

// prepareCompat resolves the names as runc does (GetSyscallFromName);
// the timed step is what runc's InitSeccomp does with
// libseccomp-golang, with package compat/libseccomp in its place:
// NewFilter, the attributes and architectures, a rule a call, and
// ExportBPF (which compiles).
func prepareCompat(p *Policy) (func() ([]filter.Instruction, error), string, error) {
	def, err := compatAction(p.Default)
	if err != nil {
		return nil, "", err
	}
	var arches []compat.ScmpArch
	for _, abi := range p.ABIs {
		switch abi {
		case tables.X86_64:
		case tables.I386:
			arches = append(arches, compat.ArchX86)
		case tables.X32:
			arches = append(arches, compat.ArchX32)
		default:
			return nil, "", fmt.Errorf("compat adapter: ABI %s", abi.Name)
		}
	}
	type rule struct {
		nr    compat.ScmpSyscall
		act   compat.ScmpAction
		conds []compat.ScmpCondition
	}
	var rules []rule
	for _, r := range p.Rules {
		nr, err := compat.GetSyscallFromName(r.Name)
		if err != nil {
			return nil, "", fmt.Errorf("compat adapter: %s: %w", r.Name, err)
		}
		act, err := compatAction(r.Action)
		if err != nil {
			return nil, "", err
		}
		out := rule{nr: nr, act: act}
		for _, c := range r.Args {
			v := []uint64{c.Value}
			if c.Op == MaskedEq {
				v = []uint64{c.Mask, c.Value}
			}
			cond, err := compat.MakeCondition(uint(c.Arg), compatOps[c.Op], v...)
			if err != nil {
				return nil, "", err
			}
			out.conds = append(out.conds, cond)
		}
		rules = append(rules, out)
	}
	return func() ([]filter.Instruction, error) {
		f, err := compat.NewFilter(def)
		if err != nil {
			return nil, err
		}
		defer f.Release()
		if err := f.SetBadArchAction(compat.ActKillProcess); err != nil {
			return nil, err
		}
		for _, a := range arches {
			if err := f.AddArch(a); err != nil {
				return nil, err
			}
		}
		for _, r := range rules {
			if err := f.AddRuleConditional(r.nr, r.act, r.conds); err != nil {
				return nil, fmt.Errorf("compat adapter: rule for %d: %w", r.nr, err)
			}
		}
		rd, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		defer rd.Close()
		done := make(chan []byte)
		go func() {
			b, _ := io.ReadAll(rd)
			done <- b
		}()
		err = f.ExportBPF(w)
		w.Close()
		raw := <-done
		if err != nil {
			return nil, err
		}
		return filter.Decode(raw, binary.LittleEndian)
	}, "", nil
}
