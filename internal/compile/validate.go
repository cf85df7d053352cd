package compile

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// validate checks p and returns the first problem found, or for each ABI
// of p the index of its rules by number.
func (p *Policy) validate() ([]ruleIndex, error) {
	if len(p.ABIs) == 0 {
		return nil, ErrNoABI
	}
	if !knownAction(p.Foreign) {
		return nil, fmt.Errorf("%w: Foreign: %#x", ErrAction, uint32(p.Foreign))
	}
	if !knownAction(p.X32) {
		return nil, fmt.Errorf("%w: X32: %#x", ErrAction, uint32(p.X32))
	}
	seen := make(map[string]int)
	indexes := make([]ruleIndex, len(p.ABIs))
	for i := range p.ABIs {
		abi := p.ABIs[i].ABI
		if abi == nil {
			return nil, fmt.Errorf("%w: ABIs[%d]", ErrNilABI, i)
		}
		if j, dup := seen[abi.Name]; dup {
			return nil, fmt.Errorf("%w: %s is ABIs[%d] and ABIs[%d]", ErrDuplicateABI, abi.Name, j, i)
		}
		seen[abi.Name] = i
		if own := owner(abi.Audit, abi.NrBit); own != abi {
			return nil, fmt.Errorf("%w: ABIs[%d] (%s) is not one of package tables' ABIs (a modified copy?)", ErrNilABI, i, abi.Name)
		}
		idx, err := p.ABIs[i].validate()
		if err != nil {
			return nil, err
		}
		indexes[i] = idx
	}
	return indexes, nil
}

// ruleIndex maps the numbers of an ABI's table, less its NrBit, to
// notInTable, noRule, or 1 + the index of their rule; extra holds the
// rules for numbers outside the table, sorted by number.
type ruleIndex struct {
	table []int32
	extra []extraRule
}

// extraRule is a rule for a number the ABI's table does not have.
type extraRule struct {
	nr   uint32
	rule int32 // 1 + the index of the rule
}

const (
	notInTable int32 = 0
	noRule     int32 = -1
)

// newRuleIndex returns the index of abi's table, without rules.
func newRuleIndex(abi *tables.ABI) ruleIndex {
	idx := make([]int32, abi.At(abi.Len()-1).Nr-abi.NrBit+1)
	for i := range abi.Len() {
		idx[abi.At(i).Nr-abi.NrBit] = noRule
	}
	return ruleIndex{table: idx}
}

// slot returns the entry of nr, or notInTable outside the table's range.
func (idx ruleIndex) slot(abi *tables.ABI, nr uint32) int32 {
	if nr < abi.NrBit || nr-abi.NrBit >= uint32(len(idx.table)) {
		return notInTable
	}
	return idx.table[nr-abi.NrBit]
}

// validate checks the rules of one ABI and returns their index.
func (ap *ABIPolicy) validate() (ruleIndex, error) {
	name := ap.ABI.Name
	if !knownAction(ap.Default) {
		return ruleIndex{}, fmt.Errorf("%w: %s Default: %#x", ErrAction, name, uint32(ap.Default))
	}
	if !knownAction(ap.Unknown) {
		return ruleIndex{}, fmt.Errorf("%w: %s Unknown: %#x", ErrAction, name, uint32(ap.Unknown))
	}
	idx := newRuleIndex(ap.ABI)
	for i, r := range ap.Rules {
		switch idx.slot(ap.ABI, r.Nr) {
		case notInTable:
			if own := owner(ap.ABI.Audit, r.Nr); own != ap.ABI {
				return ruleIndex{}, fmt.Errorf("%w: %s: Rules[%d] has number %d (%#x), which is %s's", ErrForeignNumber, name, i, r.Nr, r.Nr, own)
			}
			idx.extra = append(idx.extra, extraRule{r.Nr, int32(i) + 1})
		case noRule:
			idx.table[r.Nr-ap.ABI.NrBit] = int32(i) + 1
		default:
			sys, _ := ap.ABI.SyscallName(r.Nr)
			return ruleIndex{}, fmt.Errorf("%w: %s: %s (%d)", ErrDuplicateRule, name, sys, r.Nr)
		}
		if err := r.validate(ap.ABI); err != nil {
			return ruleIndex{}, err
		}
	}
	slices.SortFunc(idx.extra, func(a, b extraRule) int { return cmp.Compare(a.nr, b.nr) })
	for i := 1; i < len(idx.extra); i++ {
		if idx.extra[i].nr == idx.extra[i-1].nr {
			return ruleIndex{}, fmt.Errorf("%w: %s: number %d (%#x)", ErrDuplicateRule, name, idx.extra[i].nr, idx.extra[i].nr)
		}
	}
	return idx, nil
}

// validate checks the actions and conditions of a rule whose number is
// in abi's table. The name of the call is looked up for an error only.
func (r *Rule) validate(abi *tables.ABI) error {
	where := func() string {
		sys, _ := abi.SyscallName(r.Nr)
		return fmt.Sprintf("%s: %s (%d)", abi.Name, sys, r.Nr)
	}
	if !knownAction(r.Action) {
		return fmt.Errorf("%w: %s: %#x", ErrAction, where(), uint32(r.Action))
	}
	for j, ar := range r.Args {
		if !knownAction(ar.Action) {
			return fmt.Errorf("%w: %s: Args[%d]: %#x", ErrAction, where(), j, uint32(ar.Action))
		}
		for k, cond := range ar.Conds {
			if why, err := cond.problem(abi); err != nil {
				return fmt.Errorf("%w: %s: Args[%d].Conds[%d]: %s", err, where(), j, k, why)
			}
		}
	}
	return nil
}

// problem returns what is wrong with a condition of a rule for abi, and
// the error it is; a nil error if nothing is.
func (cond Cond) problem(abi *tables.ABI) (string, error) {
	switch {
	case cond.Arg < 0 || cond.Arg > 5:
		return fmt.Sprintf("argument %d", cond.Arg), ErrArgIndex
	case cond.Op < OpEq || cond.Op > OpMaskedEq:
		return fmt.Sprintf("operator %d", cond.Op), ErrOp
	case cond.wide(abi.WordSize == 8):
		return "", nil
	case cond.Value > math.MaxUint32:
		return fmt.Sprintf("value %#x does not fit the 32 bits compared on %s", cond.Value, abi.Name), ErrValueRange
	case cond.Op == OpMaskedEq && cond.Mask > math.MaxUint32:
		return fmt.Sprintf("mask %#x does not fit the 32 bits compared on %s", cond.Mask, abi.Name), ErrValueRange
	}
	return "", nil
}

// knownAction reports whether seccomp defines the kind of act.
func knownAction(act filter.Action) bool {
	switch act.Kind() {
	case filter.KillProcess, filter.KillThread, filter.Trap, filter.ErrnoBase, filter.Notify, filter.TraceBase, filter.Log, filter.Allow:
		return true
	}
	return false
}
