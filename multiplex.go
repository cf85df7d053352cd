package seccomp

import (
	"fmt"
	"math"
	"strconv"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/compile"
	"github.com/sysfence/seccomp/tables"
)

// MultiplexMode says how rules reach the forms of their system calls
// that go through a multiplexer: socketcall(2) and ipc(2), which i386,
// s390x, ppc64 and mips o32 (every ABI whose table has them) offer beside
// or instead of the direct calls.
type MultiplexMode uint8

const (
	// MultiplexDerive, the zero value, makes a rule on a call decide its
	// multiplexed form too, never more loosely: see the package
	// documentation, Multiplexers.
	MultiplexDerive MultiplexMode = iota
	// MultiplexAsWritten derives nothing: rules on socketcall and ipc
	// decide them as written, and a name an ABI has only through a
	// multiplexer is skipped on it. It is for translators that write the
	// multiplexed rules of another library themselves (package profile,
	// which reproduces libseccomp's); a policy of its own should not use
	// it, since a process then reaches socket() through socketcall(1)
	// whatever the rules on socket say.
	MultiplexAsWritten
)

// Routed is a rule's system call that an ABI the program covers also
// reaches, or only reaches, through a multiplexer, and how the program
// decides that route.
type Routed struct {
	// ABI is the covered ABI.
	ABI *tables.ABI
	// Syscall is the name as the first rule for it wrote it.
	Syscall string
	// Via is the multiplexer, "socketcall" or "ipc".
	Via string
	// Op is the operation: the multiplexer's first argument (for ipc,
	// its low 16 bits).
	Op uint32
	// Only is set when the ABI has no direct number for the call (accept,
	// send, recv, semop and semtimedop on i386).
	Only bool
	// Unchecked is set when the rules' conditions cannot be checked
	// through the multiplexer: socketcall's arguments lie in memory, and
	// so do some of ipc's. The multiplexed form then gets Action, the
	// most restrictive of the actions the rules can give the direct call
	// (see filter.Action.Precedes).
	Unchecked bool
	// Action is what the multiplexed form gets when Unchecked, else "".
	Action Action
}

func (r Routed) String() string {
	s := fmt.Sprintf("%s on %s: also through %s(%d)", r.Syscall, r.ABI.Name, r.Via, r.Op)
	if r.Only {
		s = fmt.Sprintf("%s on %s: only through %s(%d)", r.Syscall, r.ABI.Name, r.Via, r.Op)
	}
	if r.Unchecked {
		s += fmt.Sprintf(", where its conditions cannot be checked (the arguments are in memory): it gets %s, the most restrictive of its outcomes", r.Action)
	}
	return s
}

// route is where a rule leads on one ABI.
type route struct {
	ok     bool   // the rule applies to the ABI and leads somewhere
	nr     uint32 // the direct number, if direct
	direct bool
	name   string // the call's own name on the ABI, "" for a number outside its table
	muxed  bool
	via    tables.Multiplexed
}

// parseNumber reads a rule's Syscall written as a number: decimal,
// 0x-prefixed hexadecimal, or negative down to -2^31 (-1 is 0xffffffff),
// as seccomp_data.nr holds it. ok is false when s does not start as a
// number does; no system call's name starts with a digit or '-'.
func parseNumber(s string) (nr uint32, ok bool, err error) {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, false, nil
	}
	n, perr := strconv.ParseInt(s, 0, 64)
	if perr != nil || n < math.MinInt32 || n > math.MaxUint32 {
		return 0, true, fmt.Errorf("%w: %q is not a system-call number (-2147483648 to 4294967295, decimal or 0x…)", ErrInvalidRule, s)
	}
	return uint32(n), true, nil
}

// checkNumber reports a number that cannot be one of abi's calls as
// seccomp_data.nr holds them. x32 numbers have bit 30 (0x40000000) set,
// and no other ABI's do: on x86_64 such a number is x32's, decided by
// x32's rules, and elsewhere it is a mistake. Numbers with bit 31 set are
// allowed on every ABI but x32: the kernel's nr is an int, so they are
// unknown numbers of the ABI, -1 among them (how tracers skip a call);
// a rule on one changes nothing a call can do.
func checkNumber(abi *tables.ABI, nr uint32) error {
	const x32Bit = 0x40000000
	switch {
	case abi.NrBit != 0 && (nr&abi.NrBit == 0 || int32(nr) < 0):
		return fmt.Errorf("%w: %#x is not an %s number: they are %#x to %#x (the kernel gives numbers with bit 31 set, -1 among them, to the ABI without the bit)", ErrInvalidRule, nr, abi.Name, abi.NrBit, abi.NrBit<<1-1)
	case abi.NrBit == 0 && nr&x32Bit != 0 && int32(nr) >= 0:
		return fmt.Errorf("%w: %#x has bit 30 (0x40000000) set, which only x32's numbers have: on x86_64 the kernel runs it as x32 call %d (cover x32 and restrict the rule to it)", ErrInvalidRule, nr, nr&^x32Bit)
	}
	return nil
}

// routeOf returns where rule r leads on abi.
func (p *Policy) routeOf(r *Rule, abi *tables.ABI, names map[string]uint32) (route, error) {
	if !r.appliesTo(abi) {
		return route{}, nil
	}
	rt := route{name: r.Syscall}
	if nr, ok := names[r.Syscall]; ok {
		rt.nr, rt.direct = nr, true
	} else if nr, isNum, err := parseNumber(r.Syscall); isNum {
		if err != nil {
			return route{}, err
		}
		if err := checkNumber(abi, nr); err != nil {
			return route{}, err
		}
		rt.nr, rt.direct, rt.name = nr, true, ""
	}
	if rt.direct {
		if own, ok := abi.SyscallName(rt.nr); ok {
			rt.name = own
		}
	}
	if p.Multiplexers == MultiplexDerive && rt.name != "" {
		rt.via, rt.muxed = abi.Multiplexed(rt.name)
	}
	rt.ok = rt.direct || rt.muxed
	return rt, nil
}

// muxGroup is the rules of one multiplexed call on one ABI.
type muxGroup struct {
	name   string
	via    tables.Multiplexed
	direct bool
	rules  []int // indexes in Policy.Rules
}

// multiplexed gives the multiplexer's rule of each multiplexed call in
// routes: ArgRules on socketcall's or ipc's number, before any rule on
// the multiplexer itself, so that the route is never looser than the
// direct call. It returns them for ABIPolicy.Rules and what it did.
//
// The operation is the low 32 bits of the first argument (both
// parameters are C ints; for ipc its low 16 bits, the rest being the
// version). Where every condition of the call's rules is on an argument
// the multiplexer passes in a register (most of ipc's), the rules are
// translated to those registers, followed by the call's own fallback;
// where one is not (socketcall, whose arguments lie in memory), the
// operation gets the most restrictive action the call's rules can give.
func (p *Policy) multiplexed(abi *tables.ABI, routes []route, def filter.Action, resolved *actionCache) ([]compile.Rule, []Routed, error) {
	var groups []muxGroup
	index := make(map[string]int)
	for i, rt := range routes {
		if !rt.muxed {
			continue
		}
		k, ok := index[rt.name]
		if !ok {
			k = len(groups)
			index[rt.name] = k
			groups = append(groups, muxGroup{name: rt.name, via: rt.via, direct: rt.direct})
		}
		groups[k].rules = append(groups[k].rules, i)
	}
	var out []compile.Rule
	var routed []Routed
	at := make(map[uint32]int) // the multiplexer's rule in out
	for _, g := range groups {
		var chain []compile.ArgRule
		final, closedBy := def, -1
		for _, i := range g.rules {
			r := &p.Rules[i]
			act, err := resolved.get(r.Action, abi)
			if err != nil {
				return nil, nil, &PolicyError{Field: fmt.Sprintf("Rules[%d].Action", i), Syscall: r.Syscall, ABI: abi.Name, Err: err}
			}
			if closedBy >= 0 {
				if len(r.Args) == 0 && act == final || g.direct {
					continue // the same again; or the direct call's rules report it
				}
				return nil, nil, &PolicyError{Field: fmt.Sprintf("Rules[%d]", i), Syscall: r.Syscall, ABI: abi.Name,
					Err: fmt.Errorf("%w: it follows Rules[%d] (%s), which has no conditions for the same call, and can never match", ErrInvalidRule, closedBy, p.Rules[closedBy].Syscall)}
			}
			if len(r.Args) == 0 {
				final, closedBy = act, i
				continue
			}
			conds := make([]compile.Cond, len(r.Args))
			for k, c := range r.Args {
				conds[k] = c.lower()
			}
			chain = append(chain, compile.ArgRule{Conds: conds, Action: act, Origin: i + 1})
		}
		finalOrigin := closedBy + 1 // 0: the default
		op := compile.Cond{Arg: 0, Op: compile.OpEq, Value: uint64(g.via.Op), Narrow: true}
		if g.via.Via == "ipc" {
			op.Op, op.Mask = compile.OpMaskedEq, tables.OpMask
		}
		var derived []compile.ArgRule
		unchecked := !inRegisters(chain, g.via.Args)
		if unchecked {
			strictest, origin := final, finalOrigin
			for k := len(chain) - 1; k >= 0; k-- { // the first of equals wins
				if !strictest.Precedes(chain[k].Action) {
					strictest, origin = chain[k].Action, chain[k].Origin
				}
			}
			derived = []compile.ArgRule{{Conds: []compile.Cond{op}, Action: strictest, Origin: origin}}
			final = strictest
		} else {
			for _, ar := range chain {
				conds := []compile.Cond{op}
				for _, c := range ar.Conds {
					c.Arg = int(g.via.Args[c.Arg])
					conds = append(conds, c)
				}
				derived = append(derived, compile.ArgRule{Conds: conds, Action: ar.Action, Origin: ar.Origin})
			}
			derived = append(derived, compile.ArgRule{Conds: []compile.Cond{op}, Action: final, Origin: finalOrigin})
		}
		k, ok := at[g.via.Nr]
		if !ok {
			k = len(out)
			at[g.via.Nr] = k
			out = append(out, compile.Rule{Nr: g.via.Nr, Action: def})
		}
		out[k].Args = append(out[k].Args, derived...)
		rt := Routed{ABI: abi, Syscall: p.Rules[g.rules[0]].Syscall, Via: g.via.Via, Op: g.via.Op, Only: !g.direct, Unchecked: unchecked}
		if unchecked {
			rt.Action = ActionOf(final)
		}
		routed = append(routed, rt)
	}
	return out, routed, nil
}

// inRegisters reports whether every condition of chain is on an argument
// that the multiplexer passes in a register (args maps them).
func inRegisters(chain []compile.ArgRule, args [6]int8) bool {
	for _, ar := range chain {
		for _, c := range ar.Conds {
			if args[c.Arg] < 0 {
				return false
			}
		}
	}
	return true
}
