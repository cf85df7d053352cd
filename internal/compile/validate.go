package compile

import (
	"fmt"
	"math"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// validate checks p and returns the first problem found.
func (p *Policy) validate() error {
	if len(p.ABIs) == 0 {
		return ErrNoABI
	}
	if !knownAction(p.Foreign) {
		return fmt.Errorf("%w: Foreign: %#x", ErrAction, uint32(p.Foreign))
	}
	if !knownAction(p.X32) {
		return fmt.Errorf("%w: X32: %#x", ErrAction, uint32(p.X32))
	}
	seen := make(map[string]int)
	for i := range p.ABIs {
		abi := p.ABIs[i].ABI
		if abi == nil {
			return fmt.Errorf("%w: ABIs[%d]", ErrNilABI, i)
		}
		if j, dup := seen[abi.Name]; dup {
			return fmt.Errorf("%w: %s is ABIs[%d] and ABIs[%d]", ErrDuplicateABI, abi.Name, j, i)
		}
		seen[abi.Name] = i
		if own := owner(abi.Audit, abi.NrBit); own != abi {
			return fmt.Errorf("%w: ABIs[%d] (%s) is not one of package tables' ABIs (a modified copy?)", ErrNilABI, i, abi.Name)
		}
		if err := p.ABIs[i].validate(); err != nil {
			return err
		}
	}
	return nil
}

// validate checks the rules of one ABI.
func (ap *ABIPolicy) validate() error {
	name := ap.ABI.Name
	if !knownAction(ap.Default) {
		return fmt.Errorf("%w: %s Default: %#x", ErrAction, name, uint32(ap.Default))
	}
	if !knownAction(ap.Unknown) {
		return fmt.Errorf("%w: %s Unknown: %#x", ErrAction, name, uint32(ap.Unknown))
	}
	seen := make(map[uint32]bool, len(ap.Rules))
	for i, r := range ap.Rules {
		sys, ok := ap.ABI.SyscallName(r.Nr)
		if !ok {
			return fmt.Errorf("%w: %s: Rules[%d] has number %d (%#x)", ErrUnknownSyscall, name, i, r.Nr, r.Nr)
		}
		if seen[r.Nr] {
			return fmt.Errorf("%w: %s: %s (%d)", ErrDuplicateRule, name, sys, r.Nr)
		}
		seen[r.Nr] = true
		if !knownAction(r.Action) {
			return fmt.Errorf("%w: %s: %s (%d): %#x", ErrAction, name, sys, r.Nr, uint32(r.Action))
		}
		for j, ar := range r.Args {
			if !knownAction(ar.Action) {
				return fmt.Errorf("%w: %s: %s (%d): Args[%d]: %#x", ErrAction, name, sys, r.Nr, j, uint32(ar.Action))
			}
			for k, cond := range ar.Conds {
				if why, err := cond.problem(ap.ABI); err != nil {
					return fmt.Errorf("%w: %s: %s (%d): Args[%d].Conds[%d]: %s", err, name, sys, r.Nr, j, k, why)
				}
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
