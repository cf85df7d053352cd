package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/compile"
	"github.com/sysfence/seccomp/tables"
)

// Policy says what a filter does with every system call. A zero field
// takes the default its comment documents.
//
// Rules name system calls (or numbers, see Rule.Syscall); Compile looks
// each name up in the table of every ABI the policy covers. A name that
// some ABI in package tables knows but a covered ABI does not (iopl on
// aarch64) is skipped on that ABI and listed by Program.Skipped, unless
// the ABI reaches it through socketcall or ipc (accept on i386), which
// Program.Routed lists with every other multiplexed route; a name no ABI
// knows is an error.
// Several rules for one system call are concatenated in order and the
// first that matches decides, so a rule without conditions ends the list
// for its call: a later rule for the same call could never match, and
// Compile reports it as an error (on each ABI that has the call), unless
// it repeats the same action without conditions, as a list that names a
// call and its alias does. To change a built-in policy (BuiltinPolicy),
// Drop the rules of calls to let through, Override those to decide
// anew, or put rules before its own to decide first.
type Policy struct {
	// Default is the action for system calls the table knows and no
	// rule matches. Zero means KillProcess: a forgotten Default makes an
	// allowlist kill on its first unlisted call rather than silently
	// allow everything; a denylist states Default: Allow.
	Default Action
	// Rules, tried in order for each system call.
	Rules []Rule
	// ABIs the program covers. Nil means the native ABI of the GOARCH
	// the program is built for (NativeABI); NativeABIs() adds its compat
	// ABIs but x32, to judge their calls by the same rules. All must
	// share one byte order: a kernel loads a program of its own.
	ABIs []*tables.ABI
	// Foreign is the action for a call made through an ABI the policy
	// does not cover: i386 int 0x80 and x32 numbers on x86_64, 32-bit arm
	// on aarch64. Zero means KillProcess: such calls are a classic way
	// around a filter written for the native numbers, and a program that
	// makes them by mistake should fail loudly. Cover tables.X32 (or
	// tables.I386) in ABIs to give its calls rules of their own. A named
	// errno takes the number the covered ABIs give the name, the same on
	// every ABI of one kernel architecture; ABIs that number it
	// differently make an error, as the foreign call's own ABI is unknown.
	Foreign Action
	// Unknown is the action for a number a covered ABI's table does not
	// know, such as a system call newer than the table. Zero means
	// ErrnoNamed("ENOSYS"), resolved per ABI: it is what an older kernel
	// answers, so libc falls back (clone3 to clone, statx to fstatat),
	// and it lets no unreviewed system call run, in an allowlist or a
	// denylist alike.
	Unknown Action
	// Multiplexers says whether a rule on a call also decides the call's
	// form through socketcall or ipc, on the ABIs whose tables have them.
	// Zero means MultiplexDerive: it does, never more loosely than the
	// direct call (see the package documentation, Multiplexers).
	Multiplexers MultiplexMode
	// Weights, when not nil, say how often a program makes each system
	// call, by name, as "sysfence learn --counts" records them: the
	// search over syscall numbers puts the calls made most the fewest
	// instructions away (minijail's @frequency). They change the
	// program's length and speed, never a decision. A name no ABI knows
	// is an error; one a covered ABI lacks is ignored on it.
	Weights map[string]uint64
}

// Rule gives Action to calls of the system call named Syscall (as in the
// kernel's tables: "openat", "umount2") whose arguments satisfy every one
// of Args. With no Args it matches every call.
type Rule struct {
	// Syscall is the system call's name in the kernel's tables
	// ("openat", "umount2"), or an alias the uapi headers define; or a
	// syscall group ("@file-system", see Groups), which stands for each
	// of its calls that a covered ABI has, sorted by name; or a
	// number as seccomp_data.nr holds it ("451", "0x1c3", "-1"), for a
	// call newer than the tables or syscall(-1), which tracers use to
	// skip a call. A number means the same on every ABI the rule applies
	// to, so restrict it with ABIs unless that is meant; one the ABI's
	// table has is that call, by its name. Numbers with bit 30 set are
	// x32's only, and x32's all have it.
	Syscall string
	// Action is what a matching call gets.
	Action Action
	// Args are conditions on the arguments; all must hold.
	Args []Cond
	// ABIs, when not nil, restricts the rule to these of the policy's
	// ABIs (compared by name), for arguments whose meaning differs: on
	// s390x the flags of clone are its second argument, not its first.
	// A system call all of whose rules name only ABIs the policy does not
	// cover is an error: the rules would vanish.
	ABIs []*tables.ABI
}

// RulesFor returns one rule giving action to each named system call.
func RulesFor(action Action, names ...string) []Rule {
	rules := make([]Rule, len(names))
	for i, name := range names {
		rules[i] = Rule{Syscall: name, Action: action}
	}
	return rules
}

// Skipped is a rule's system call that one ABI the policy covers does
// not have.
type Skipped struct {
	// ABI is the covered ABI whose table lacks the call.
	ABI *tables.ABI
	// Syscall is the name as the rule wrote it.
	Syscall string
}

func (s Skipped) String() string {
	return fmt.Sprintf("%s (not on %s)", s.Syscall, s.ABI.Name)
}

// Compile compiles the policy into a verified program for the ABIs it
// covers. Syscall numbers come from package tables, never from the host,
// so any host can compile for any ABI.
//
// Every name that no ABI knows is reported, each as an
// *UnknownSyscallError, the first few with the nearest known names. Any
// other field that cannot be used is reported as a *PolicyError naming it
// as written (Rules[3].Args[0].Arg), with the rule's system call.
func (p *Policy) Compile() (*Program, error) {
	abis, err := p.abis()
	if err != nil {
		return nil, err
	}
	p, origin, err := p.withGroups(abis)
	if err != nil {
		return nil, err
	}
	if err := p.checkRules(abis); err != nil {
		return nil, ruleOrigin(err, origin)
	}
	if err := p.checkNames(abis); err != nil {
		return nil, err
	}
	if err := p.checkWeights(); err != nil {
		return nil, err
	}
	fp, skipped, routed, err := p.lower(abis)
	if err != nil {
		return nil, ruleOrigin(err, origin)
	}
	insns, err := compile.Compile(fp)
	if err != nil {
		return nil, fmt.Errorf("seccomp: compiling for %s: %w%s", abiNames(abis), err, mostArgRules(fp, err))
	}
	return &Program{insns: insns, abis: abis, skipped: skipped, routed: routed}, nil
}

// mostArgRules says, for a program too long, which system call has the
// most argument rules, the usual cause; "" for another error.
func mostArgRules(fp *compile.Policy, err error) string {
	if !errors.Is(err, filter.ErrTooLong) {
		return ""
	}
	var most int
	var name, abi string
	for _, ap := range fp.ABIs {
		for _, r := range ap.Rules {
			if len(r.Args) > most {
				most, abi = len(r.Args), ap.ABI.Name
				name, _ = ap.ABI.SyscallName(r.Nr)
			}
		}
	}
	if most < 2 {
		return ""
	}
	return fmt.Sprintf("; %s has the most rules with conditions, %d on %s", name, most, abi)
}

// abis returns the ABIs the policy covers, checked.
func (p *Policy) abis() ([]*tables.ABI, error) {
	if p.ABIs == nil {
		abi := nativeABI()
		if abi == nil {
			return nil, fmt.Errorf("seccomp: no native ABI on %s/%s (set Policy.ABIs): %w", runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)
		}
		return []*tables.ABI{abi}, nil
	}
	if len(p.ABIs) == 0 {
		return nil, &PolicyError{Field: "ABIs", Err: fmt.Errorf("%w: empty (nil means the native ABI)", ErrInvalidPolicy)}
	}
	for i, abi := range p.ABIs {
		field := fmt.Sprintf("ABIs[%d]", i)
		if abi == nil {
			return nil, &PolicyError{Field: field, Err: fmt.Errorf("%w: nil", ErrInvalidPolicy)}
		}
		if !isTablesABI(abi) {
			return nil, &PolicyError{Field: field, Err: fmt.Errorf("%w: %s is not one of package tables' ABIs (a copy?): name tables.%s or the result of tables.Lookup", ErrInvalidPolicy, abi.Name, abi.Name)}
		}
		if j := slices.IndexFunc(p.ABIs[:i], func(b *tables.ABI) bool { return b.Name == abi.Name }); j >= 0 {
			return nil, &PolicyError{Field: field, Err: fmt.Errorf("%w: %s is ABIs[%d] too", ErrInvalidPolicy, abi.Name, j)}
		}
		if abi.BigEndian != p.ABIs[0].BigEndian {
			return nil, &PolicyError{Field: field, Err: fmt.Errorf("%w: %s and %s differ in byte order; no kernel loads both", ErrInvalidPolicy, p.ABIs[0].Name, abi.Name)}
		}
	}
	return slices.Clone(p.ABIs), nil
}

// checkRules reports a rule whose ABIs list is empty, which would apply to
// no ABI and vanish (nil means every ABI), or holds a nil ABI; a malformed
// condition, on any of the ABIs the rule applies to; and a system call
// all of whose rules are restricted to ABIs the policy does not cover.
func (p *Policy) checkRules(abis []*tables.ABI) error {
	for i, r := range p.Rules {
		ruleErr := func(field, format string, args ...any) error {
			return &PolicyError{Field: fmt.Sprintf("Rules[%d]%s", i, field), Syscall: r.Syscall, Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalidRule}, args...)...)}
		}
		if r.ABIs != nil && len(r.ABIs) == 0 {
			return ruleErr(".ABIs", "empty, so the rule applies nowhere (nil means every ABI)")
		}
		if j := slices.Index(r.ABIs, nil); j >= 0 {
			return ruleErr(fmt.Sprintf(".ABIs[%d]", j), "nil")
		}
		for _, abi := range abis {
			if !r.appliesTo(abi) {
				continue
			}
			for j, c := range r.Args {
				if field, why := c.problem(abi); why != "" {
					return ruleErr(fmt.Sprintf(".Args[%d].%s", j, field), "%s", why)
				}
			}
		}
	}
	return p.checkVanishing(abis)
}

// checkVanishing reports the first rule of a system call whose rules are
// all restricted to ABIs the policy does not cover (ptrace for i386 only,
// in a policy for x86_64): they would vanish and leave the call to
// Default, though the policy names it. A rule restricted to other ABIs
// beside one that applies is how a policy written for many ABIs (a
// built-in) gives each its own arguments, and is not an error.
func (p *Policy) checkVanishing(abis []*tables.ABI) error {
	if !slices.ContainsFunc(p.Rules, func(r Rule) bool { return r.ABIs != nil }) {
		return nil // every rule applies to every ABI
	}
	applies := make(map[string]bool)
	for _, r := range p.Rules {
		if slices.ContainsFunc(abis, r.appliesTo) {
			applies[r.Syscall] = true
		}
	}
	for i, r := range p.Rules {
		if !applies[r.Syscall] {
			return &PolicyError{Field: fmt.Sprintf("Rules[%d].ABIs", i), Syscall: r.Syscall,
				Err: fmt.Errorf("%w: %s, none of which the policy covers (%s), and no rule for %s applies to those: it would be left to Default", ErrInvalidRule, abiNames(r.ABIs), abiNames(abis), r.Syscall)}
		}
	}
	return nil
}

// checkNames reports every rule name that no ABI knows. The covered ABIs
// are asked first: they know nearly every name of a policy, and the
// lowering looks the same names up in them again.
func (p *Policy) checkNames(abis []*tables.ABI) error {
	var errs []error
	var seen map[string]bool
	indexes := make([]map[string]uint32, len(abis))
	for i, abi := range abis {
		indexes[i] = nameIndex(abi)
	}
	for _, r := range p.Rules {
		if slices.ContainsFunc(indexes, func(idx map[string]uint32) bool { _, ok := idx[r.Syscall]; return ok }) {
			continue
		}
		if _, isNum, _ := parseNumber(r.Syscall); isNum {
			continue // checked on each ABI by lowerABI
		}
		if seen[r.Syscall] || tables.Known(r.Syscall) {
			continue
		}
		if seen == nil {
			seen = make(map[string]bool)
		}
		seen[r.Syscall] = true
		var near []string
		if len(errs) < maxSuggested {
			near = tables.Suggest(r.Syscall, 3)
		}
		errs = append(errs, &UnknownSyscallError{Name: r.Syscall, Suggestions: near})
	}
	return errors.Join(errs...)
}

// maxSuggested is how many unknown names of one policy get suggestions:
// each costs a comparison with every known name, and past a few the
// policy is not a misspelling but some other list.
const maxSuggested = 16

// lower translates the policy into the compiler's input, one ABIPolicy
// per ABI, and lists the names skipped.
func (p *Policy) lower(abis []*tables.ABI) (*compile.Policy, []Skipped, []Routed, error) {
	foreign, err := p.foreign(abis)
	if err != nil {
		return nil, nil, nil, err
	}
	fp := &compile.Policy{Foreign: foreign, X32: foreign}
	var skipped []Skipped
	var routed []Routed
	for _, abi := range abis {
		ap, skip, rt, err := p.lowerABI(abi)
		if err != nil {
			return nil, nil, nil, err
		}
		fp.ABIs = append(fp.ABIs, *ap)
		skipped = append(skipped, skip...)
		routed = append(routed, rt...)
	}
	return fp, skipped, routed, nil
}

// foreign resolves Foreign. A call it decides comes through an ABI the
// program does not know, so an error name cannot take that ABI's number:
// it is resolved with the covered ABIs' numbers, which are those of the
// other ABIs of the same kernel (i386 and x32 number their errors as
// x86_64 does, arm as aarch64, mips o32 as mips n64), and refused where
// the covered ABIs disagree (a program for x86_64 and little-endian
// mips): name a number then.
func (p *Policy) foreign(abis []*tables.ABI) (filter.Action, error) {
	a := orDefault(p.Foreign, KillProcess)
	act, err := a.Resolve(abis[0])
	if err != nil {
		return 0, &PolicyError{Field: "Foreign", Err: err}
	}
	for _, abi := range abis[1:] {
		other, err := a.Resolve(abi)
		if err != nil {
			return 0, &PolicyError{Field: "Foreign", ABI: abi.Name, Err: err}
		}
		if other != act {
			return 0, &PolicyError{Field: "Foreign", Err: fmt.Errorf("%w: %s is %d on %s and %d on %s, and a foreign call's ABI is unknown: give the number", ErrInvalidPolicy, a, act.Data(), abis[0].Name, other.Data(), abi.Name)}
		}
	}
	return act, nil
}

func orDefault(a, def Action) Action {
	if a == "" {
		return def
	}
	return a
}

// lowerABI builds the ABIPolicy of one ABI. Rules are grouped by syscall
// number, in the order each number first appears, so that two names of
// one number on this ABI share one chain of rules; the rules a
// multiplexer gets from the calls it performs come first on its number
// (multiplexed).
func (p *Policy) lowerABI(abi *tables.ABI) (*compile.ABIPolicy, []Skipped, []Routed, error) {
	def, err := orDefault(p.Default, KillProcess).Resolve(abi)
	if err != nil {
		return nil, nil, nil, &PolicyError{Field: "Default", ABI: abi.Name, Err: err}
	}
	unknown, err := orDefault(p.Unknown, ErrnoNamed("ENOSYS")).Resolve(abi)
	if err != nil {
		return nil, nil, nil, &PolicyError{Field: "Unknown", ABI: abi.Name, Err: err}
	}
	var resolved actionCache
	names := nameIndex(abi)
	routes := make([]route, len(p.Rules))
	for i := range p.Rules {
		if routes[i], err = p.routeOf(&p.Rules[i], abi, names); err != nil {
			return nil, nil, nil, &PolicyError{Field: fmt.Sprintf("Rules[%d].Syscall", i), Syscall: p.Rules[i].Syscall, ABI: abi.Name, Err: err}
		}
	}
	muxRules, routed, err := p.multiplexed(abi, routes, def, &resolved)
	if err != nil {
		return nil, nil, nil, err
	}
	ap := &compile.ABIPolicy{ABI: abi, Default: def, Unknown: unknown, Rules: make([]compile.Rule, 0, len(p.Rules)+len(muxRules))}
	if p.Weights != nil {
		ap.Weights = make(map[uint32]uint64, len(p.Weights))
		for name, n := range p.Weights {
			if nr, ok := names[name]; ok {
				ap.Weights[nr] += n
			}
		}
	}
	var skipped []Skipped
	// For each number of the table (less NrBit), and each number outside
	// it that a rule names: 1 + the index of its rule in ap.Rules, and
	// 1 + the index in p.Rules of the rule without conditions that
	// closed it.
	type entry struct{ slot, closed int32 }
	table := make([]entry, abi.At(abi.Len()-1).Nr-abi.NrBit+1)
	var outside map[uint32]*entry
	entryOf := func(nr uint32) *entry {
		if nr >= abi.NrBit && nr-abi.NrBit < uint32(len(table)) {
			return &table[nr-abi.NrBit]
		}
		if outside == nil {
			outside = make(map[uint32]*entry)
		}
		e, ok := outside[nr]
		if !ok {
			e = new(entry)
			outside[nr] = e
		}
		return e
	}
	for _, r := range muxRules {
		ap.Rules = append(ap.Rules, r)
		entryOf(r.Nr).slot = int32(len(ap.Rules))
	}
	for i, r := range p.Rules {
		rt := routes[i]
		if !r.appliesTo(abi) {
			continue
		}
		if !rt.ok {
			if !slices.Contains(skipped, Skipped{abi, r.Syscall}) {
				skipped = append(skipped, Skipped{abi, r.Syscall})
			}
			continue
		}
		if !rt.direct {
			continue // only through a multiplexer: multiplexed decided it
		}
		nr := rt.nr
		act, err := resolved.get(r.Action, abi)
		if err != nil {
			return nil, nil, nil, &PolicyError{Field: fmt.Sprintf("Rules[%d].Action", i), Syscall: r.Syscall, ABI: abi.Name, Err: err}
		}
		e := entryOf(nr)
		if c := e.closed; c > 0 {
			// The same decision again, as when a list names a call
			// and its alias (arm's sync_file_range2), changes nothing.
			if len(r.Args) == 0 && ap.Rules[e.slot-1].Action == act {
				continue
			}
			return nil, nil, nil, &PolicyError{Field: fmt.Sprintf("Rules[%d]", i), Syscall: r.Syscall, ABI: abi.Name,
				Err: fmt.Errorf("%w: it follows Rules[%d] (%s), which has no conditions for the same call, and can never match", ErrInvalidRule, c-1, p.Rules[c-1].Syscall)}
		}
		if e.slot == 0 {
			ap.Rules = append(ap.Rules, compile.Rule{Nr: nr, Action: def})
			e.slot = int32(len(ap.Rules))
		}
		j := e.slot - 1
		if len(r.Args) == 0 {
			ap.Rules[j].Action = act
			ap.Rules[j].Origin = i + 1
			e.closed = int32(i) + 1
			continue
		}
		conds := make([]compile.Cond, len(r.Args))
		for k, c := range r.Args {
			conds[k] = c.lower()
		}
		ap.Rules[j].Args = append(ap.Rules[j].Args, compile.ArgRule{Conds: conds, Action: act, Origin: i + 1})
	}
	return ap, skipped, routed, nil
}

// appliesTo reports whether the rule applies to abi: it is restricted to
// no ABIs, or to some that include abi.
func (r *Rule) appliesTo(abi *tables.ABI) bool {
	return r.ABIs == nil || slices.ContainsFunc(r.ABIs, func(b *tables.ABI) bool { return b.Name == abi.Name })
}

// abiNames lists the names of abis, for error messages.
func abiNames(abis []*tables.ABI) string {
	names := make([]string, len(abis))
	for i, abi := range abis {
		names[i] = abi.Name
	}
	return strings.Join(names, ", ")
}

// actionCache remembers the few distinct actions of a policy's rules as
// resolved for one ABI, so that each is parsed once.
type actionCache struct {
	from []Action
	to   []filter.Action
}

func (c *actionCache) get(a Action, abi *tables.ABI) (filter.Action, error) {
	for i, f := range c.from {
		if f == a {
			return c.to[i], nil
		}
	}
	act, err := a.Resolve(abi)
	if err == nil {
		c.from = append(c.from, a)
		c.to = append(c.to, act)
	}
	return act, err
}

// nameIndexes holds, per ABI of package tables, a map from the names of
// its system calls (aliases included) to their numbers, built the first
// time a policy for the ABI is compiled: a compile looks up every rule's
// name in every covered ABI (and again to tell unknown names apart), and
// a binary search over names costs more than the rest of the compile.
// Nothing is built at init, and only package tables' own ABIs are kept
// (Compile refuses others), so the cache is bounded by their number.
var nameIndexes sync.Map // *tables.ABI -> map[string]uint32

// isTablesABI reports whether abi is one of package tables' ABIs, not a
// copy.
func isTablesABI(abi *tables.ABI) bool {
	own, ok := tables.ByCall(abi.Audit, abi.NrBit) // the ABI of its own numbers
	return ok && own == abi
}

// nameIndex returns the name index of abi.
func nameIndex(abi *tables.ABI) map[string]uint32 {
	if m, ok := nameIndexes.Load(abi); ok {
		return m.(map[string]uint32)
	}
	aliases := abi.SyscallAliases()
	idx := make(map[string]uint32, abi.Len()+len(aliases))
	for _, sc := range aliases {
		idx[sc.Name] = sc.Nr
	}
	for i := range abi.Len() {
		sc := abi.At(i)
		idx[sc.Name] = sc.Nr
	}
	if !isTablesABI(abi) {
		return idx // not kept: a copy could be made for every call
	}
	m, _ := nameIndexes.LoadOrStore(abi, idx)
	return m.(map[string]uint32)
}

// checkWeights reports a name in Weights that no ABI knows, the first in
// alphabetical order.
func (p *Policy) checkWeights() error {
	var bad []string
	for name := range p.Weights {
		if !tables.Known(name) {
			bad = append(bad, name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	return &PolicyError{Field: fmt.Sprintf("Weights[%q]", bad[0]), Syscall: bad[0], Err: &UnknownSyscallError{Name: bad[0], Suggestions: tables.Suggest(bad[0], 3)}}
}
