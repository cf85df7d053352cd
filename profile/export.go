package profile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// FromPolicy writes a Policy as a runtime-spec profile (linux.seccomp),
// the direction of "sysfence profile": Translate of the result decides
// every call as the policy does, except for what the format cannot say,
// which is listed in lost, one sentence each:
//
//   - Foreign and Unknown: a profile has no field for them (libseccomp
//     gives foreign calls kill-thread and unknown numbers the default
//     action); pass them back in Options to restore them;
//   - a rule restricted to some of the policy's ABIs;
//   - a Width 32 condition, which a profile compares on 64 bits;
//   - trap data, and errno names whose numbers differ between the ABIs;
//   - a system call whose rules give different actions to overlapping
//     arguments other than by an unconditional last rule with the
//     default action, whose first-match order libseccomp does not keep.
//
// The error is for a policy that does not compile.
func FromPolicy(p *seccomp.Policy) (s *specs.LinuxSeccomp, lost []string, err error) {
	if _, err := p.Compile(); err != nil {
		return nil, nil, err
	}
	abis := p.ABIs
	if abis == nil {
		abi, err := seccomp.NativeABI()
		if err != nil {
			return nil, nil, err
		}
		abis = []*tables.ABI{abi}
	}
	lose := func(format string, args ...any) { lost = append(lost, fmt.Sprintf(format, args...)) }
	s = &specs.LinuxSeccomp{}
	for _, abi := range abis {
		a, ok := ArchOf(abi)
		if !ok {
			return nil, nil, fmt.Errorf("profile: no runtime-spec architecture for %s", abi.Name)
		}
		s.Architectures = append(s.Architectures, a)
	}
	def := p.Default
	if def == "" {
		def = seccomp.KillProcess
	}
	s.DefaultAction, s.DefaultErrnoRet, err = specAction("Default", def, abis, lose)
	if err != nil {
		return nil, nil, err
	}
	if p.Foreign != seccomp.KillThread {
		lose("Foreign %q: a profile cannot say it (libseccomp gives kill-thread); set Options.Foreign", orStr(p.Foreign, "kill-process"))
	}
	if p.Unknown != def {
		lose("Unknown %q: a profile cannot say it (libseccomp gives the default action); set Options.Unknown", orStr(p.Unknown, "errno:ENOSYS"))
	}
	defAct, _ := def.Resolve(abis[0])

	// Rules by system call, in order of first mention.
	var order []string
	byName := map[string][]int{}
	for i, r := range p.Rules {
		if _, ok := byName[r.Syscall]; !ok {
			order = append(order, r.Syscall)
		}
		byName[r.Syscall] = append(byName[r.Syscall], i)
	}
	for _, name := range order {
		if name != "" && (name[0] == '-' || name[0] >= '0' && name[0] <= '9') {
			lose("%s: a rule by number; a profile names calls, and runc ignores a name libseccomp cannot resolve", name)
			continue
		}
		var rules []seccomp.Rule
		for _, i := range byName[name] {
			r := p.Rules[i]
			if r.ABIs != nil && !slices.ContainsFunc(abis, func(a *tables.ABI) bool {
				return slices.ContainsFunc(r.ABIs, func(b *tables.ABI) bool { return a.Name == b.Name })
			}) {
				continue
			}
			if r.ABIs != nil && len(r.ABIs) < len(abis) {
				lose("Rules[%d] (%s): restricted to %s, a profile's rules apply to every architecture", i, name, abiList(r.ABIs))
			}
			rules = append(rules, r)
		}
		// A last rule without conditions: with the default action it
		// needs no rule; otherwise earlier rules with other actions
		// are lost, as libseccomp lets an unconditional rule win.
		if n := len(rules); n > 0 && len(rules[n-1].Args) == 0 {
			last := rules[n-1]
			if a, err := last.Action.Resolve(abis[0]); err == nil && a == defAct {
				rules = rules[:n-1]
			} else if n > 1 {
				var kept []seccomp.Rule
				for _, r := range rules[:n-1] {
					if r.Action != last.Action {
						lose("%s: %s for %s before the catch-all %s: a profile's unconditional rule wins over every other", name, r.Action, condList(r.Args), last.Action)
					}
				}
				rules = append(kept, last)
			}
		}
		for i, r := range rules {
			for _, prev := range rules[:i] {
				if prev.Action != r.Action && len(r.Args) > 0 && len(prev.Args) > 0 && satisfiable(append(slices.Clone(r.Args), prev.Args...), ^uint64(0)) {
					lose("%s: %s and %s overlap with different actions; libseccomp does not keep the first match", name, condList(prev.Args), condList(r.Args))
				}
			}
			act, errnoRet, err := specAction(name, r.Action, abis, lose)
			if err != nil {
				return nil, nil, err
			}
			sc := specs.LinuxSyscall{Names: []string{name}, Action: act, ErrnoRet: errnoRet}
			var seen [6]bool
			for _, c := range r.Args {
				if seen[c.Arg] {
					lose("%s: %s has two conditions on arg%d, which runc reads as either, not both", name, condList(r.Args), c.Arg)
					break
				}
				seen[c.Arg] = true
			}
			for _, c := range r.Args {
				if c.Width == 32 {
					lose("%s: %v compares the low 32 bits, a profile all 64", name, c)
				}
				a := specs.LinuxSeccompArg{Index: uint(c.Arg), Value: c.Value, Op: specOp(c.Op)}
				if c.Op == seccomp.MaskedEq {
					a.Value, a.ValueTwo = c.Mask, c.Value
				}
				sc.Args = append(sc.Args, a)
			}
			// Merge with the previous entry when only the name differs.
			if n := len(s.Syscalls); n > 0 && sameRule(&s.Syscalls[n-1], &sc) {
				s.Syscalls[n-1].Names = append(s.Syscalls[n-1].Names, name)
				continue
			}
			s.Syscalls = append(s.Syscalls, sc)
		}
	}
	return s, lost, nil
}

// MarshalPolicy is FromPolicy followed by Marshal.
func MarshalPolicy(p *seccomp.Policy) ([]byte, []string, error) {
	s, lost, err := FromPolicy(p)
	if err != nil {
		return nil, nil, err
	}
	b, err := Marshal(s)
	return b, lost, err
}

func sameRule(a, b *specs.LinuxSyscall) bool {
	return a.Action == b.Action && slices.Equal(a.Args, b.Args) &&
		(a.ErrnoRet == nil) == (b.ErrnoRet == nil) && (a.ErrnoRet == nil || *a.ErrnoRet == *b.ErrnoRet)
}

// specAction returns the runtime-spec action and errnoRet of a, which
// must resolve to one value on every ABI.
func specAction(field string, a seccomp.Action, abis []*tables.ABI, lose func(string, ...any)) (specs.LinuxSeccompAction, *uint, error) {
	var first filter.Action
	for i, abi := range abis {
		v, err := a.Resolve(abi)
		if err != nil {
			return "", nil, err
		}
		if i == 0 {
			first = v
		} else if v != first {
			lose("%s: %s is %v on %s but %v on %s; the profile says %v", field, a, first, abis[0].Name, v, abi.Name, first)
		}
	}
	data := uint(first.Data())
	switch first.Kind() {
	case filter.KillProcess:
		return specs.ActKillProcess, nil, nil
	case filter.KillThread:
		return specs.ActKillThread, nil, nil
	case filter.Trap:
		if data != 0 {
			lose("%s: trap data %d: a profile's SCMP_ACT_TRAP has none", field, data)
		}
		return specs.ActTrap, nil, nil
	case filter.ErrnoBase:
		return specs.ActErrno, &data, nil
	case filter.TraceBase:
		return specs.ActTrace, &data, nil
	case filter.Notify:
		return specs.ActNotify, nil, nil
	case filter.Log:
		return specs.ActLog, nil, nil
	case filter.Allow:
		return specs.ActAllow, nil, nil
	}
	return "", nil, fmt.Errorf("profile: %s: action %v has no runtime-spec name", field, first)
}

func specOp(op seccomp.Comparison) specs.LinuxSeccompOperator {
	for k, v := range opValues {
		if v == op {
			return k
		}
	}
	return ""
}

func orStr(a seccomp.Action, def string) string {
	if a == "" {
		return def
	}
	return string(a)
}

func abiList(abis []*tables.ABI) string {
	names := make([]string, len(abis))
	for i, a := range abis {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}

func condList(cs []seccomp.Cond) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strconv.Quote(strings.Join(parts, " && "))
}
