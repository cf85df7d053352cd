package libseccomp

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"

	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// Result is a profile translated into a Policy, with what the
// translation noticed.
type Result struct {
	// Policy decides as libseccomp decides with the profile, as runc
	// builds its filter: see the package documentation.
	Policy *seccomp.Policy
	// Flags are the profile's flags; FlagNewListener is added when a
	// rule's action is SCMP_ACT_NOTIFY, as runc does.
	Flags seccomp.Flags
	// ListenerPath and ListenerMetadata are the profile's, for the
	// caller that runs the notification supervisor.
	ListenerPath, ListenerMetadata string
	// Missing lists every rule's system call that an ABI the policy
	// covers does not have (ABI nil: no ABI of package tables has it).
	// libseccomp leaves them out too; nothing is dropped silently.
	Missing []Missing
	// Warnings are what Options.Strict turns into errors: each Missing
	// entry, architectures without a table, unknown fields, errnoRet on
	// an action that ignores it. Each is a *PathError.
	Warnings []error
	// Folded are the profile's keys spelt otherwise than the format's
	// field names, which Docker applies as those fields, and so does
	// the Policy (Profile.Folded).
	Folded []Folded
	// RulePaths says where each rule of Policy came from: RulePaths[i] is
	// the JSON path of the profile's entry behind Policy.Rules[i]
	// ("syscalls[12]"), for explanations.
	RulePaths []string
	// Notes are rules left out because they cannot change a decision,
	// as libseccomp leaves them out: a rule whose action is the default
	// action, and rules for a system call after which an unconditional
	// rule for it wins.
	Notes []string

	noted map[string]bool // the Notes, to add each once
}

// Missing is a system call named in the profile that an ABI lacks.
type Missing struct {
	Path    string // of the name: "syscalls[3].names[5]"
	Syscall string
	ABI     *tables.ABI // nil when no ABI has it
}

func (m Missing) String() string {
	if m.ABI == nil {
		return fmt.Sprintf("%s: %s is not a system call of any ABI", m.Path, m.Syscall)
	}
	return fmt.Sprintf("%s: %s is not a system call of %s", m.Path, m.Syscall, m.ABI.Name)
}

// Compile compiles the result's policy.
func (r *Result) Compile() (*seccomp.Program, error) { return r.Policy.Compile() }

// alt is one way a rule of the profile matches a system call: a
// conjunction of conditions (runc splits a rule with two conditions on
// one argument into one alt a condition).
type alt struct {
	conds  []seccomp.Cond
	action seccomp.Action
	path   string
	// derived is set on the alternatives of socketcall and ipc that
	// libseccomp derives from a rule on the call they perform.
	derived bool
}

// Translate translates s, whose rules paths name, into a Policy that
// decides as libseccomp does; warnings are reported before its own.
func Translate(s *LinuxSeccomp, paths []string, warnings []error, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	if s.DefaultAction == "" && len(s.Syscalls) == 0 {
		return nil, ErrUnconfined
	}
	res := &Result{Warnings: warnings, ListenerPath: s.ListenerPath, ListenerMetadata: s.ListenerMetadata}
	warn := func(err *PathError) { res.Warnings = append(res.Warnings, err) }
	def, err := convertAction("defaultAction", s.DefaultAction, s.DefaultErrnoRet, warn)
	if err != nil {
		return nil, err
	}
	if s.DefaultAction == ActNotify {
		return nil, PathErr("defaultAction", string(s.DefaultAction), ErrInvalid, "runc refuses")
	}
	abis, err := coveredABIs(s, opts, warn)
	if err != nil {
		return nil, err
	}
	for i, f := range s.Flags {
		fl, ok := FlagValues[f]
		if !ok {
			return nil, PathErr(fmt.Sprintf("flags[%d]", i), strconv.Quote(string(f)), ErrInvalid, "unknown flag")
		}
		res.Flags |= fl
	}
	defAct, _ := def.Resolve(nil)

	// The alternatives of each system call, in order of first mention.
	var order []string
	alts := make(map[string][]alt)
	add := func(name string, as []alt) {
		if _, ok := alts[name]; !ok {
			order = append(order, name)
		}
		alts[name] = append(alts[name], as...)
	}
	mux := newLibseccompMux(abis)
	for i := range s.Syscalls {
		call := &s.Syscalls[i]
		path := paths[i]
		if err := CheckSyscall(path, call, ""); err != nil {
			return nil, err
		}
		act, err := convertAction(path+".action", call.Action, call.ErrnoRet, warn)
		if err != nil {
			return nil, err
		}
		if call.Action == ActNotify {
			res.Flags |= seccomp.FlagNewListener
			if s.ListenerPath == "" {
				warn(PathErr(path+".action", "", ErrInvalid, "SCMP_ACT_NOTIFY without a listenerPath"))
			}
		}
		if a, _ := act.Resolve(nil); a == defAct {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: left out, its action is the default action (runc skips it, libseccomp refuses it)", path))
			continue
		}
		var count [6]int
		conds := make([]seccomp.Cond, len(call.Args))
		for j, a := range call.Args {
			count[a.Index]++
			conds[j] = convertArg(a)
			if a.Op == OpMaskedEqual && a.ValueTwo&^a.Value != 0 {
				warn(PathErr(fmt.Sprintf("%s.args[%d].valueTwo", path, j), fmt.Sprintf("%#x", a.ValueTwo), ErrMaskedDatum,
					"has bits outside the mask %#x (value): libseccomp compares arg & %#x with %#x, and so does this translation (were value and valueTwo swapped?):", a.Value, a.Value, a.ValueTwo&a.Value))
			}
		}
		var as []alt
		if slices.ContainsFunc(count[:], func(n int) bool { return n > 1 }) {
			// runc's OR semantics: one rule a condition.
			for _, c := range conds {
				as = append(as, alt{conds: []seccomp.Cond{c}, action: act, path: path})
			}
		} else {
			as = []alt{{conds: conds, action: act, path: path}}
		}
		for j, name := range call.Names {
			npath := fmt.Sprintf("%s.names[%d]", path, j)
			if !tables.Known(name) {
				res.Missing = append(res.Missing, Missing{Path: npath, Syscall: name})
				warn(PathErr(npath, strconv.Quote(name), ErrMissingSyscall, "no ABI has the system call"))
				continue
			}
			for _, abi := range abis {
				if _, ok := abi.Number(name); !ok {
					if _, muxed := abi.Multiplexed(name); muxed {
						continue // through socketcall or ipc, as libseccomp does
					}
					res.Missing = append(res.Missing, Missing{Path: npath, Syscall: name, ABI: abi})
					warn(PathErr(npath, strconv.Quote(name), ErrMissingSyscall, "%s has no system call", abi.Name))
				}
			}
			add(name, as)
			mux.add(name, as, add)
		}
	}
	mux.warn(alts, def, warn)
	if opts.Strict && len(res.Warnings) > 0 {
		return nil, errors.Join(res.Warnings...)
	}

	// ABIs grouped by how libseccomp compares their arguments.
	var classes []argClass
	byClass := map[argClass][]*tables.ABI{}
	for _, abi := range abis {
		c := ClassOf(abi)
		if byClass[c] == nil {
			classes = append(classes, c)
		}
		byClass[c] = append(byClass[c], abi)
	}
	var rules []seccomp.Rule
	for _, name := range order {
		perClass := make([][]seccomp.Rule, len(classes))
		pathsOf := make([][]string, len(classes))
		same := true
		for i, c := range classes {
			if perClass[i], pathsOf[i], err = res.rulesFor(name, alts[name], c, opts.FirstMatch); err != nil {
				return nil, err
			}
			same = same && equalRules(perClass[i], perClass[0])
		}
		if same {
			rules = append(rules, perClass[0]...)
			res.RulePaths = append(res.RulePaths, pathsOf[0]...)
			continue
		}
		for i, c := range classes {
			for j, r := range perClass[i] {
				r.ABIs = byClass[c]
				rules = append(rules, r)
				res.RulePaths = append(res.RulePaths, pathsOf[i][j])
			}
		}
	}
	foreign := opts.Foreign
	if foreign == "" {
		foreign = seccomp.KillThread
	}
	unknown := opts.Unknown
	if unknown == "" {
		unknown = def
	}
	// libseccomp's multiplexed rules are not the root's: the
	// translation writes them itself.
	res.Policy = &seccomp.Policy{Default: def, Rules: rules, ABIs: abis, Foreign: foreign, Unknown: unknown, Multiplexers: seccomp.MultiplexAsWritten}
	return res, nil
}

// coveredABIs returns the native ABI and the profile's architectures.
func coveredABIs(s *LinuxSeccomp, opts *Options, warn func(*PathError)) ([]*tables.ABI, error) {
	native, err := opts.abi()
	if err != nil {
		return nil, err
	}
	abis := []*tables.ABI{native}
	for i, a := range s.Architectures {
		path := fmt.Sprintf("architectures[%d]", i)
		abi, ok := archABIs[a]
		if !ok {
			return nil, PathErr(path, strconv.Quote(string(a)), ErrInvalid, "unknown architecture")
		}
		if abi == nil {
			warn(PathErr(path, string(a), ErrUncoveredArch, "no table for architecture, its calls get the bad-architecture action:"))
			continue
		}
		if slices.Contains(abis, abi) {
			continue
		}
		if abi.BigEndian != native.BigEndian {
			return nil, PathErr(path, string(a), ErrByteOrder, "%s and %s differ in byte order; libseccomp refuses (EDOM):", native.Name, abi.Name)
		}
		abis = append(abis, abi)
	}
	return abis, nil
}

// convertAction returns the Action of a runtime-spec action, as runc's
// getAction: SCMP_ACT_KILL is kill-thread; ERRNO and TRACE take errnoRet,
// or EPERM (1) without one.
func convertAction(path string, a LinuxSeccompAction, errnoRet *uint, warn func(*PathError)) (seccomp.Action, error) {
	kind, ok := ActionKinds[a]
	if !ok {
		return "", PathErr(path, strconv.Quote(string(a)), ErrInvalid, "unknown action")
	}
	rpath := path[:len(path)-len("action")] + "errnoRet"
	if path == "defaultAction" {
		rpath = "defaultErrnoRet"
	}
	n := uint(1) // EPERM, runc's default data for ERRNO and TRACE
	if errnoRet != nil {
		n = *errnoRet
		if kind != "errno" && kind != "trace" {
			warn(PathErr(rpath, strconv.FormatUint(uint64(n), 10), ErrInvalid, "ignored: %s takes no data, runc drops it:", a))
		}
	}
	switch kind {
	case "errno":
		if n > 4095 {
			return "", PathErr(rpath, strconv.FormatUint(uint64(n), 10), ErrInvalid, "not an error number (0..4095):")
		}
		return seccomp.Errno(uint16(n)), nil
	case "trace":
		if n > math.MaxUint16 {
			return "", PathErr(rpath, strconv.FormatUint(uint64(n), 10), ErrInvalid, "not a trace message (0..65535):")
		}
		return seccomp.Trace(uint16(n)), nil
	}
	return kind, nil
}

// convertArg returns the Cond of a runtime-spec argument: libseccomp's
// SCMP_CMP_MASKED_EQ is (arg & value) == (valueTwo & value): it masks
// the datum too (libseccomp 2.5.4 compiles mask 0xf0 with datum 0x1f as
// arg & 0xf0 == 0x10); the other operators ignore valueTwo. All compare
// the whole 64-bit argument (Width 0), as libseccomp does, even for
// parameters the kernel reads as int.
func convertArg(a LinuxSeccompArg) seccomp.Cond {
	c := seccomp.Cond{Arg: int(a.Index), Op: OpValues[a.Op], Value: a.Value}
	if c.Op == seccomp.MaskedEq {
		c.Mask, c.Value = a.Value, a.ValueTwo&a.Value
	}
	return c
}

// rulesFor returns the rules of one system call on ABIs whose arguments
// have the given bits, in the order that makes the Policy's first match
// decide as libseccomp does: an unconditional rule wins over every
// other rule for the call (libseccomp keeps the first and drops the
// rest), and conditional rules with different actions must not overlap.
func (res *Result) rulesFor(name string, as []alt, class argClass, firstMatch bool) ([]seccomp.Rule, []string, error) {
	argBits := class.Bits
	var kept []alt
	for _, a := range as {
		conds, ok := fold(a.conds, argBits)
		if !ok {
			continue // can never match on these ABIs
		}
		for i := range conds {
			conds[i].Width = class.width
		}
		kept = append(kept, alt{conds: conds, action: a.action, path: a.path})
	}
	if i := slices.IndexFunc(kept, func(a alt) bool { return len(a.conds) == 0 }); i >= 0 {
		for j, a := range kept {
			if j != i {
				res.note(fmt.Sprintf("%s: left out for %s, where the unconditional rule %s decides", a.path, name, kept[i].path))
			}
		}
		return []seccomp.Rule{{Syscall: name, Action: kept[i].action}}, []string{kept[i].path}, nil
	}
	if !firstMatch {
		max := uint64(math.MaxUint64)
		if argBits == 32 {
			max = math.MaxUint32
		}
		if err := checkOverlap(name, kept, max); err != nil {
			return nil, nil, err
		}
	}
	rules := make([]seccomp.Rule, len(kept))
	paths := make([]string, len(kept))
	for i, a := range kept {
		rules[i] = seccomp.Rule{Syscall: name, Action: a.action, Args: a.conds}
		paths[i] = a.path
	}
	return rules, paths, nil
}

func (res *Result) note(s string) {
	if res.noted == nil {
		res.noted = make(map[string]bool)
	}
	if !res.noted[s] {
		res.noted[s] = true
		res.Notes = append(res.Notes, s)
	}
}

// overlapBudget bounds the pairs of rules checkOverlap looks at for one
// system call: enough for any profile people write (moby's has a few
// dozen rules a call), and few enough that a hostile one of thousands of
// overlapping rules costs milliseconds, not minutes.
const overlapBudget = 1 << 22

// checkOverlap reports two rules of kept, for the system call name, that
// give different actions to some argument vector (each argument at most
// max), which libseccomp would order by its decision tree.
//
// Rules are compared only where they can meet: each is bounded on every
// argument by an interval (from ==, <, <=, >, >= and the fixed bits of a
// masked ==), and the rules are swept in order of their interval on the
// argument that bounds the most of them, so that disjoint rules, the
// common case (one rule per ioctl request or socket family), cost
// n log n in all. Past overlapBudget pairs it gives up with an error.
func checkOverlap(name string, kept []alt, max uint64) error {
	type boxed struct {
		alt
		lo, hi [6]uint64
	}
	var rules []boxed
	bounded := [6]int{}
	for _, a := range kept {
		b := boxed{alt: a}
		for arg := range 6 {
			b.lo[arg], b.hi[arg] = 0, max
		}
		for _, c := range a.conds {
			lo, hi := &b.lo[c.Arg], &b.hi[c.Arg]
			v := c.Value
			switch c.Op {
			case seccomp.Eq:
				*lo, *hi = maxU(*lo, v), minU(*hi, v)
			case seccomp.Lt:
				if v == 0 {
					*lo, *hi = 1, 0
				} else {
					*hi = minU(*hi, v-1)
				}
			case seccomp.Le:
				*hi = minU(*hi, v)
			case seccomp.Gt:
				if v == math.MaxUint64 {
					*lo, *hi = 1, 0
				} else {
					*lo = maxU(*lo, v+1)
				}
			case seccomp.Ge:
				*lo = maxU(*lo, v)
			case seccomp.MaskedEq:
				// x & mask == v: x is at least v, at most v with
				// every free bit set.
				*lo, *hi = maxU(*lo, v), minU(*hi, v|^c.Mask)
			}
		}
		empty := false
		for arg := range 6 {
			if b.lo[arg] > b.hi[arg] {
				empty = true // never matches, overlaps nothing
			}
		}
		if empty {
			continue
		}
		for arg := range 6 {
			if b.lo[arg] > 0 || b.hi[arg] < max {
				bounded[arg]++
			}
		}
		rules = append(rules, b)
	}
	k := 0
	for arg := range 6 {
		if bounded[arg] > bounded[k] {
			k = arg
		}
	}
	// Sorted by start on argument k, each rule meets the earlier ones
	// whose interval there has not ended: the active ones.
	order := make([]int, len(rules))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		switch {
		case rules[i].lo[k] < rules[j].lo[k]:
			return -1
		case rules[i].lo[k] > rules[j].lo[k]:
			return 1
		}
		return i - j
	})
	var active []int
	var both []seccomp.Cond
	budget := overlapBudget
	for _, i := range order {
		a := &rules[i]
		kept := active[:0]
		for _, j := range active {
			b := &rules[j]
			if b.hi[k] < a.lo[k] {
				continue // ended before a starts, and before any later rule
			}
			kept = append(kept, j)
			if budget--; budget < 0 {
				return &PathError{Path: a.path, Err: fmt.Errorf("%w: %s has too many rules whose arguments overlap (%d) to check that they agree; make them disjoint, or set Options.FirstMatch", ErrOverlap, name, len(rules))}
			}
			if a.action == b.action || !boxesMeet(&a.lo, &a.hi, &b.lo, &b.hi) {
				continue
			}
			both = append(append(both[:0], a.conds...), b.conds...)
			if satisfiable(both, max) {
				first, second := b, a // report in the profile's order
				if i < j {
					first, second = a, b
				}
				return &PathError{Path: second.path, Value: "", Err: fmt.Errorf("%w: for %s it gives %s and %s gives %s to arguments both match; libseccomp picks one by its decision tree's order, which no rule order reproduces (make the conditions disjoint, or set Options.FirstMatch)", ErrOverlap, name, second.action, first.path, first.action)}
			}
		}
		active = append(kept, i)
	}
	return nil
}

// boxesMeet reports whether two boxes of argument intervals intersect.
func boxesMeet(alo, ahi, blo, bhi *[6]uint64) bool {
	for arg := range 6 {
		if alo[arg] > bhi[arg] || blo[arg] > ahi[arg] {
			return false
		}
	}
	return true
}

// argClass is how libseccomp compares the arguments of an ABI: bits of
// them, and the Cond.Width that compares as many.
type argClass struct{ Bits, width int }

// classOf returns the argClass of an ABI. libseccomp compares 64 bits on
// 64-bit ABIs, and 32 on the ABIs it deems 32-bit (ARCH_SIZE_32): those
// whose arguments are 32-bit words, and x32 and mips n32, whose
// registers are 64-bit but whose C longs and pointers are 32-bit: there
// it compares the low word only, which Width 32 does.
func ClassOf(abi *tables.ABI) argClass {
	switch {
	case abi.WordSize == 4:
		return argClass{32, 0}
	case abi.Name == "x32" || abi.Name == "mips64n32" || abi.Name == "mips64n32el":
		return argClass{32, 32}
	}
	return argClass{64, 0}
}

// fold returns conds for arguments of argBits bits: on a 32-bit ABI the
// program compares the low 32 bits of an argument, all the system call
// reads (seccomp_data may hold high bits from a 64-bit process calling
// through int 0x80, which the compat call truncates), so a condition
// whose value needs more bits holds always (!=, <, <=) or never (==, >,
// >=); libseccomp compares the low words of a masked condition, mask and
// datum, so one whose mask has no low bits holds always. ok is false when
// a condition never holds.
func fold(conds []seccomp.Cond, argBits int) (out []seccomp.Cond, ok bool) {
	if argBits == 64 {
		return slices.Clone(conds), true
	}
	out = []seccomp.Cond{}
	for _, c := range conds {
		if c.Op == seccomp.MaskedEq {
			// libseccomp compares the low words, datum masked: a
			// mask with no low bits holds always.
			c.Mask &= math.MaxUint32
			c.Value &= c.Mask
			if c.Mask != 0 {
				out = append(out, c)
			}
			continue
		}
		if c.Value <= math.MaxUint32 {
			out = append(out, c)
			continue
		}
		switch c.Op {
		case seccomp.Ne, seccomp.Lt, seccomp.Le:
			// always holds
		default:
			return nil, false
		}
	}
	return out, true
}

// satisfiable reports whether some argument vector, each argument at
// most max, satisfies every condition.
func satisfiable(conds []seccomp.Cond, max uint64) bool {
	for arg := 0; arg < 6; arg++ {
		lo, hi := uint64(0), max
		var mask, val uint64
		var ne []uint64
		for _, c := range conds {
			if c.Arg != arg {
				continue
			}
			v := c.Value
			switch c.Op {
			case seccomp.Eq:
				lo, hi = maxU(lo, v), minU(hi, v)
			case seccomp.Ne:
				ne = append(ne, v)
			case seccomp.Lt:
				if v == 0 {
					return false
				}
				hi = minU(hi, v-1)
			case seccomp.Le:
				hi = minU(hi, v)
			case seccomp.Gt:
				if v == math.MaxUint64 {
					return false
				}
				lo = maxU(lo, v+1)
			case seccomp.Ge:
				lo = maxU(lo, v)
			case seccomp.MaskedEq:
				if v&^c.Mask != 0 || (val^v)&mask&c.Mask != 0 {
					return false
				}
				mask |= c.Mask
				val |= v
			}
		}
		if !someValue(lo, hi, mask, val, ne) {
			return false
		}
	}
	return true
}

// someValue reports whether a value x in [lo, hi] has x&mask == val and
// is none of ne.
func someValue(lo, hi, mask, val uint64, ne []uint64) bool {
	for lo <= hi {
		x, ok := nextMasked(lo, mask, val)
		if !ok || x > hi {
			return false
		}
		if !slices.Contains(ne, x) {
			return true
		}
		if x == math.MaxUint64 {
			return false
		}
		lo = x + 1
	}
	return false
}

// nextMasked returns the least x >= lo with x&mask == val (val within
// mask). The values with fixed bits val are val plus the free bits
// ^mask set to the bits of a counter, increasing with the counter, so
// a binary search over the counter finds it.
func nextMasked(lo, mask, val uint64) (uint64, bool) {
	free := ^mask
	k := bits.OnesCount64(free)
	at := func(c uint64) uint64 { return val | deposit(c, free) }
	if k == 64 {
		return lo, true
	}
	last := uint64(1)<<k - 1
	if at(last) < lo {
		return 0, false
	}
	a, b := uint64(0), last
	for a < b {
		m := a + (b-a)/2
		if at(m) >= lo {
			b = m
		} else {
			a = m + 1
		}
	}
	return at(a), true
}

// deposit spreads the low bits of c over the set bits of mask, lowest
// first (the PDEP instruction).
func deposit(c, mask uint64) uint64 {
	var out uint64
	for m := mask; m != 0; m &= m - 1 {
		bit := m & -m
		if c&1 != 0 {
			out |= bit
		}
		c >>= 1
	}
	return out
}

func maxU(a, b uint64) uint64 { return max(a, b) }
func minU(a, b uint64) uint64 { return min(a, b) }

func equalRules(a, b []seccomp.Rule) bool {
	return slices.EqualFunc(a, b, func(x, y seccomp.Rule) bool {
		return x.Syscall == y.Syscall && x.Action == y.Action && slices.Equal(x.Args, y.Args)
	})
}

// CheckSyscall checks one rule of a resolved or parsed profile.
func CheckSyscall(path string, s *LinuxSyscall, name string) error {
	if len(s.Names) == 0 && name == "" {
		return PathErr(path+".names", "", ErrInvalid, "no system call named")
	}
	for j, n := range s.Names {
		if n == "" {
			return PathErr(fmt.Sprintf("%s.names[%d]", path, j), `""`, ErrInvalid, "empty system-call name")
		}
	}
	if err := CheckAction(path+".action", s.Action); err != nil {
		return err
	}
	for j, a := range s.Args {
		apath := fmt.Sprintf("%s.args[%d]", path, j)
		if a.Index > 5 {
			return PathErr(apath+".index", strconv.FormatUint(uint64(a.Index), 10), ErrInvalid, "argument index over 5:")
		}
		if _, ok := OpValues[LinuxSeccompOperator(a.Op)]; !ok {
			return PathErr(apath+".op", strconv.Quote(string(a.Op)), ErrInvalid, "unknown operator")
		}
	}
	return nil
}

func CheckAction(path string, a LinuxSeccompAction) error {
	if _, ok := ActionKinds[LinuxSeccompAction(a)]; !ok {
		return PathErr(path, strconv.Quote(string(a)), ErrInvalid, "unknown action")
	}
	return nil
}
