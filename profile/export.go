package profile

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/libseccomp"
	"github.com/sysfence/seccomp/tables"
)

// ExportOptions change what FromPolicy does where a profile cannot say
// the policy exactly. The zero ExportOptions refuse.
type ExportOptions struct {
	// Lossy writes a profile even when it cannot decide every call as
	// the policy does, and lists how it differs. The profile never
	// allows a call the policy refuses: a system call whose rules cannot
	// be said gets the most restrictive action among its decisions,
	// whatever its arguments.
	Lossy bool
}

// MaxExportRules bounds the profile rules FromPolicy writes for one
// system call beyond the policy's own rules for it: first-match rules
// become disjoint masked comparisons, which for adversarial conditions
// can be many. Past it the system call is a Loss of kind LossTooMany.
const MaxExportRules = 1024

// A LossKind says why a profile cannot say part of a policy.
type LossKind int

const (
	// LossForeign: calls through an ABI the policy does not cover get
	// libseccomp's bad-architecture action, kill-thread, in a profile;
	// the policy's Foreign is neither kill-thread nor kill-process.
	LossForeign LossKind = iota + 1
	// LossErrno: an action resolves to different numbers on the ABIs
	// the profile covers (an errno name), and the profile has one.
	LossErrno
	// LossTrapData: SCMP_ACT_TRAP carries no data.
	LossTrapData
	// LossABIs: a system call's decisions differ between the covered
	// ABIs (rules restricted to some of them, or arguments libseccomp
	// compares on 32 bits on some), and a profile's rules apply to all.
	LossABIs
	// LossTooMany: saying the system call's rules exactly takes more
	// than MaxExportRules profile rules more than the policy has rules.
	LossTooMany
	// LossMultiplexed: a covered ABI reaches a call through socketcall
	// or ipc, and the call's rules have conditions. libseccomp derives
	// the multiplexer's rules from them otherwise than the root does
	// (it keeps the action and the conditions, at the indexes they had,
	// see the root's package documentation), so a profile cannot say
	// the policy's decision for both. With Lossy the call gets the most
	// restrictive of its actions, which both derive alike.
	LossMultiplexed
	// LossNumber: a rule names a number no covered ABI's table knows
	// (a call newer than the tables, or -1): a profile names calls, and
	// runc ignores a name libseccomp cannot resolve. A number the table
	// knows is written as the call's name.
	LossNumber
	// LossProof: the profile, read back, decides some call otherwise
	// than the policy (Compare found it): a defect of this package.
	LossProof
)

// A Loss is something of a policy that the profile FromPolicy writes
// does not say.
type Loss struct {
	Kind LossKind
	// Field is the policy's field at fault, as Go spells it: "Foreign",
	// "Default", "Rules[3]", "Rules[3].ABIs".
	Field string
	// Syscall is the system call whose decisions differ; "" when the
	// loss is not about one.
	Syscall string
	// Reason says how the profile differs, in one sentence.
	Reason string
}

func (l Loss) String() string {
	if l.Syscall != "" {
		return fmt.Sprintf("%s (%s): %s", l.Field, l.Syscall, l.Reason)
	}
	return fmt.Sprintf("%s: %s", l.Field, l.Reason)
}

// ErrLossy is wrapped by a *LossError.
var ErrLossy = errors.New("profile: the format cannot say the policy exactly")

// LossError is FromPolicy's error for a policy it cannot write exactly
// without ExportOptions.Lossy.
type LossError struct{ Losses []Loss }

func (e *LossError) Error() string {
	parts := make([]string, len(e.Losses))
	for i, l := range e.Losses {
		parts[i] = l.String()
	}
	return fmt.Sprintf("%v: %s", ErrLossy, strings.Join(parts, "; "))
}

func (e *LossError) Unwrap() error { return ErrLossy }

// FromPolicy writes a Policy as a runtime-spec profile (linux.seccomp),
// the direction of "sysfence profile", which Translate, and runc with
// libseccomp, read back into the same decision for every call through
// every ABI the policy covers:
//
//   - Width 32 conditions are SCMP_CMP_MASKED_EQ with the mask's low 32
//     bits; rules whose first match a profile would decide otherwise
//     (libseccomp lets an unconditional rule win, and picks between
//     overlapping rules by its own order) are written as the disjoint
//     sets of arguments each action gets, in masked comparisons.
//   - Unknown: a profile gives the numbers no rule names its default
//     action. When the policy's Unknown and Default differ, the
//     profile's default action is Unknown, and every system call the
//     covered ABIs' tables know is named with the policy's decision.
//   - Foreign: a profile gives calls through other ABIs kill-thread.
//     A policy whose Foreign kills (the thread or the process) is
//     written as exact: the call is refused and the caller dies either
//     way, though under kill-process its other threads die too.
//
// What the format cannot say is a Loss: then FromPolicy returns a
// *LossError listing them, unless opts.Lossy, with which it returns the
// profile and the losses. The other errors are for a policy that does
// not compile. A nil opts means the zero ExportOptions.
func FromPolicy(p *seccomp.Policy, opts *ExportOptions) (*specs.LinuxSeccomp, []Loss, error) {
	if opts == nil {
		opts = &ExportOptions{}
	}
	want, err := p.Compile()
	if err != nil {
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
	e := &exporter{p: p, abis: abis, sets: newArgSets(), s: &specs.LinuxSeccomp{}, muxed: make(map[string]bool)}
	if err := e.run(); err != nil {
		return nil, nil, err
	}
	if len(e.losses) > 0 && !opts.Lossy {
		return nil, e.losses, &LossError{Losses: e.losses}
	}
	// What this package writes, it reads, every command that takes a
	// profile can use, and it decides as the policy: Compare proves it,
	// exactly, with the profile's program given the policy's Foreign.
	res, err := Translate(e.s, &Options{ABI: abis[0], Foreign: orAction(p.Foreign, seccomp.KillProcess)})
	var got *seccomp.Program
	if err == nil {
		got, err = res.Compile()
	}
	if err != nil {
		return nil, e.losses, fmt.Errorf("profile: the profile written for the policy does not compile: %w", err)
	}
	diff, err := seccomp.Compare(want, got)
	if err != nil {
		return nil, e.losses, err
	}
	if len(e.losses) == 0 && len(diff.Differences) > 0 {
		d := diff.Differences[0]
		e.lose(LossProof, "Rules", d.Syscall, "read back, the profile decides %s otherwise: %v", abiName(d.ABI), d.Example)
		return nil, e.losses, &LossError{Losses: e.losses}
	}
	if diff.Looser {
		return nil, e.losses, fmt.Errorf("profile: %w: even with Lossy, the profile would allow a call the policy refuses: %v", ErrLossy, diff.LooserExample)
	}
	return e.s, e.losses, nil
}

// MarshalPolicy is FromPolicy followed by Marshal.
func MarshalPolicy(p *seccomp.Policy, opts *ExportOptions) ([]byte, []Loss, error) {
	s, lost, err := FromPolicy(p, opts)
	if err != nil {
		return nil, lost, err
	}
	b, err := Marshal(s)
	return b, lost, err
}

// exporter writes one policy.
type exporter struct {
	p      *seccomp.Policy
	abis   []*tables.ABI
	sets   *argSets
	s      *specs.LinuxSeccomp
	losses []Loss
	lost   map[Loss]bool
	// def is the profile's default action: the policy's Default, or
	// its Unknown where they differ.
	def filter.Action
	// byNr lists, per covered ABI, the policy's rules (their indexes)
	// for each system-call number, in order; chains the rules that
	// decide the number, in order: those, after the rules the root
	// derives for a multiplexer's number from the calls it multiplexes.
	byNr   []map[uint32][]int
	chains []map[uint32][]seccomp.Rule
	// done holds, per covered ABI, the numbers written; muxed the
	// names written as LossMultiplexed.
	done  []map[uint32]bool
	muxed map[string]bool
	// budget bounds the profile rules of the call being written:
	// MaxExportRules more than the policy's rules for it.
	budget int
}

func (e *exporter) lose(kind LossKind, field, syscall, format string, args ...any) {
	l := Loss{Kind: kind, Field: field, Syscall: syscall, Reason: fmt.Sprintf(format, args...)}
	if e.lost == nil {
		e.lost = make(map[Loss]bool)
	}
	if !e.lost[l] {
		e.lost[l] = true
		e.losses = append(e.losses, l)
	}
}

func (e *exporter) run() error {
	p, abis := e.p, e.abis
	for _, abi := range abis {
		a, ok := ArchOf(abi)
		if !ok {
			return fmt.Errorf("profile: no runtime-spec architecture for %s", abi.Name)
		}
		e.s.Architectures = append(e.s.Architectures, a)
	}
	def := orAction(p.Default, seccomp.KillProcess)
	unknown := orAction(p.Unknown, seccomp.ErrnoNamed("ENOSYS"))
	listAll := false
	for _, abi := range abis {
		d, _ := def.Resolve(abi)
		u, _ := unknown.Resolve(abi)
		listAll = listAll || d != u
	}
	field := "Default"
	if listAll {
		def, field = unknown, "Unknown"
	}
	var err error
	e.def, err = e.resolve(field, "", def)
	if err != nil {
		return err
	}
	e.s.DefaultAction, e.s.DefaultErrnoRet = e.specAction(field, "", e.def)
	foreign, _ := orAction(p.Foreign, seccomp.KillProcess).Resolve(abis[0])
	if k := foreign.Kind(); k != filter.KillProcess && k != filter.KillThread {
		e.lose(LossForeign, "Foreign", "", "%v: a profile gives calls through other ABIs kill-thread (libseccomp's bad-architecture action)", foreign)
	}

	e.byNr = make([]map[uint32][]int, len(abis))
	e.chains = make([]map[uint32][]seccomp.Rule, len(abis))
	e.done = make([]map[uint32]bool, len(abis))
	for i, abi := range abis {
		e.byNr[i] = make(map[uint32][]int)
		e.chains[i] = e.multiplexed(abi)
		e.done[i] = make(map[uint32]bool)
		for j, r := range p.Rules {
			if nr, ok := callNumber(abi, r.Syscall); ok && appliesTo(&r, abi) {
				e.byNr[i][nr] = append(e.byNr[i][nr], j)
				e.chains[i][nr] = append(e.chains[i][nr], r)
			}
		}
	}
	for j, r := range p.Rules {
		names := []string{r.Syscall}
		if n, ok := parseNumber(r.Syscall); ok {
			// A rule by number: the names of the number on the ABIs
			// whose tables know it.
			names = nil
			for _, abi := range abis {
				if name, known := abi.SyscallName(n); known && appliesTo(&r, abi) && !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
			if len(names) == 0 {
				e.lose(LossNumber, fmt.Sprintf("Rules[%d]", j), r.Syscall, "no covered ABI's table knows the number, and a profile names calls (runc ignores a name libseccomp cannot resolve)")
			}
		}
		for _, name := range names {
			if err := e.syscall(name); err != nil {
				return err
			}
		}
	}
	// The multiplexers, whose rules the calls they multiplex derive.
	for _, abi := range abis {
		for _, name := range abi.Multiplexers() {
			if err := e.syscall(name); err != nil {
				return err
			}
		}
	}
	if listAll {
		for _, abi := range abis {
			for i := range abi.Len() {
				if err := e.syscall(abi.At(i).Name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// multiplexed returns, by multiplexer number, the rules the root derives
// on abi for the calls it multiplexes (Policy.Multiplexers, the package
// documentation of seccomp: Multiplexers), for the chains to start with:
// the operation (socketcall's first argument, ipc's low 16 bits of it)
// with each of the call's rules moved to the registers that carry its
// arguments, then the call's fallback; or, where a condition is on an
// argument in memory, the most restrictive action the call's rules give.
func (e *exporter) multiplexed(abi *tables.ABI) map[uint32][]seccomp.Rule {
	out := make(map[uint32][]seccomp.Rule)
	if e.p.Multiplexers != seccomp.MultiplexDerive || len(abi.Multiplexers()) == 0 {
		return out
	}
	type group struct {
		via   tables.Multiplexed
		rules []seccomp.Rule
	}
	var groups []*group
	byName := make(map[string]*group)
	for _, r := range e.p.Rules {
		name := r.Syscall
		if nr, ok := callNumber(abi, name); ok {
			name, _ = abi.SyscallName(nr)
		}
		via, ok := abi.Multiplexed(name)
		if !ok || !appliesTo(&r, abi) {
			continue
		}
		g := byName[name]
		if g == nil {
			g = &group{via: via}
			byName[name] = g
			groups = append(groups, g)
		}
		g.rules = append(g.rules, r)
	}
	for _, g := range groups {
		op := seccomp.Cond{Arg: 0, Op: seccomp.Eq, Value: uint64(g.via.Op), Width: 32}
		if g.via.Via == "ipc" {
			op.Op, op.Mask = seccomp.MaskedEq, tables.OpMask
		}
		final := orAction(e.p.Default, seccomp.KillProcess)
		var chain []seccomp.Rule
		inRegisters := true
		for _, r := range g.rules {
			if len(r.Args) == 0 {
				final = r.Action
				break
			}
			moved := []seccomp.Cond{op}
			for _, c := range r.Args {
				if g.via.Args[c.Arg] < 0 {
					inRegisters = false
				}
				c.Arg = int(g.via.Args[c.Arg])
				moved = append(moved, c)
			}
			chain = append(chain, seccomp.Rule{Syscall: g.via.Via, Action: r.Action, Args: moved})
		}
		if !inRegisters {
			// As Action.Precedes orders them, the first of equals.
			strictest, _ := final.Resolve(abi)
			for k := len(chain) - 1; k >= 0; k-- {
				if a, _ := chain[k].Action.Resolve(abi); !strictest.Precedes(a) {
					strictest = a
				}
			}
			chain, final = nil, seccomp.ActionOf(strictest)
		}
		chain = append(chain, seccomp.Rule{Syscall: g.via.Via, Action: final, Args: []seccomp.Cond{op}})
		out[g.via.Nr] = append(out[g.via.Nr], chain...)
	}
	return out
}

// parseNumber reads a rule's Syscall written as a number, as the root
// reads it: decimal, 0x… or negative down to -2^31, as seccomp_data.nr.
func parseNumber(s string) (uint32, bool) {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil || n < math.MinInt32 || n > math.MaxUint32 {
		return 0, false
	}
	return uint32(n), true
}

// callNumber returns the number a rule's Syscall, a name or a number,
// gives a call of abi's table.
func callNumber(abi *tables.ABI, s string) (uint32, bool) {
	if n, ok := parseNumber(s); ok {
		_, known := abi.SyscallName(n)
		return n, known
	}
	return abi.Number(s)
}

func orAction(a, def seccomp.Action) seccomp.Action {
	if a == "" {
		return def
	}
	return a
}

func appliesTo(r *seccomp.Rule, abi *tables.ABI) bool {
	return r.ABIs == nil || slices.ContainsFunc(r.ABIs, func(b *tables.ABI) bool { return b.Name == abi.Name })
}

// resolve resolves an action on the first covered ABI, and notes an
// ABI on which it resolves otherwise.
func (e *exporter) resolve(field, syscall string, a seccomp.Action) (filter.Action, error) {
	var first filter.Action
	for i, abi := range e.abis {
		v, err := a.Resolve(abi)
		if err != nil {
			return 0, fmt.Errorf("profile: %s: %w", field, err)
		}
		if i == 0 {
			first = v
		} else if v != first {
			e.lose(LossErrno, field, syscall, "%s is %v on %s but %v on %s; the profile says %v", a, first, e.abis[0].Name, v, abi.Name, first)
		}
	}
	return first, nil
}

// region is the set of arguments one action gets.
type region struct {
	action filter.Action
	set    int32
}

// policyWidth is how many bits of an argument the policy compares on
// abi; readerWidth how many libseccomp compares (libseccomp.ClassOf).
func policyWidth(abi *tables.ABI) int { return 8 * abi.WordSize }
func readerWidth(abi *tables.ABI) int { return libseccomp.ClassOf(abi).Bits }

// decisions returns the disjoint sets of arguments each action gets for
// the chain of rules of one number on abi, by first match, the default
// included.
func (e *exporter) decisions(abi *tables.ABI, rules []seccomp.Rule) ([]region, error) {
	var out []region
	add := func(a filter.Action, set int32) {
		if set == setEmpty {
			return
		}
		if i := slices.IndexFunc(out, func(r region) bool { return r.action == a }); i >= 0 {
			out[i].set = e.sets.or(out[i].set, set)
			return
		}
		out = append(out, region{a, set})
	}
	rest := setAll
	for _, r := range rules {
		a, err := r.Action.Resolve(abi)
		if err != nil {
			return nil, fmt.Errorf("profile: %s's Action: %w", r.Syscall, err)
		}
		c := e.sets.conds(r.Args, policyWidth(abi))
		add(a, e.sets.and(rest, c))
		rest = e.sets.diff(rest, c)
	}
	d, err := orAction(e.p.Default, seccomp.KillProcess).Resolve(abi)
	if err != nil {
		return nil, fmt.Errorf("profile: Default: %w", err)
	}
	add(d, rest)
	return out, nil
}

// entry is one profile rule of a system call: an action for arguments
// that satisfy every one of args.
type entry struct {
	action filter.Action
	args   []specs.LinuxSeccompArg
}

// syscall writes the rules of the system call name, unless its number
// is written already on every covered ABI that has it.
func (e *exporter) syscall(name string) error {
	var emit int = -1
	var rules []int
	decs := make([][]region, len(e.abis)) // nil where the ABI lacks the call
	for i, abi := range e.abis {
		nr, ok := abi.Number(name)
		if !ok || e.done[i][nr] {
			continue
		}
		e.done[i][nr] = true
		var err error
		if decs[i], err = e.decisions(abi, e.chains[i][nr]); err != nil {
			return err
		}
		if emit < 0 {
			emit = i
		}
		for _, j := range e.byNr[i][nr] {
			if !slices.Contains(rules, j) {
				rules = append(rules, j)
			}
		}
	}
	if why := e.multiplexedConditions(name); why != "" && !e.muxed[name] {
		// Said once, for the first name of the call.
		e.muxed[name] = true
		j := slices.IndexFunc(e.p.Rules, func(r seccomp.Rule) bool { return r.Syscall == name })
		e.lose(LossMultiplexed, fmt.Sprintf("Rules[%d]", j), name, "%s", why)
		e.write(name, fmt.Sprintf("Rules[%d]", j), e.strictestOf(name, decs))
		return nil
	}
	if emit < 0 {
		return nil
	}
	slices.Sort(rules)
	e.budget = MaxExportRules + len(rules)
	field := "Rules"
	if len(rules) > 0 {
		field = fmt.Sprintf("Rules[%d]", rules[0])
	}
	// Three ways to say the rules exactly: the rules themselves, each
	// rule less the earlier ones with other actions, or masked
	// comparisons that cover what each action gets. The shortest that
	// every covered ABI reads as the policy decides wins.
	emitRules := e.chains[emit][mustNumber(e.abis[emit], name)]
	var entries []entry
	found := false
	for _, way := range []func() ([]entry, bool){
		func() ([]entry, bool) { return e.direct(e.abis[emit], emitRules) },
		func() ([]entry, bool) { return e.terms(e.abis[emit], emitRules) },
		func() ([]entry, bool) { return e.covered(decs[emit], policyWidth(e.abis[emit])) },
	} {
		cand, ok := way()
		if !ok || found && len(cand) >= len(entries) {
			continue
		}
		if _, kind := e.check(cand, decs, rules); kind == 0 {
			entries, found = cand, true
		}
		if found && len(entries) <= 1 {
			break // none is shorter
		}
	}
	if !found {
		cand, fits := e.covered(decs[emit], policyWidth(e.abis[emit]))
		switch why, kind := e.check(cand, decs, rules); {
		case !fits:
			e.lose(LossTooMany, field, name, "its %d rules take more than %d profile rules to say exactly", e.budget-MaxExportRules, e.budget)
			entries = e.strictest(decs)
		case kind == LossErrno:
			e.lose(kind, field, name, "%s", why) // refused alike, with another number
			entries = cand
		default:
			e.lose(kind, field, name, "%s", why)
			entries = e.lossy(decs, emit)
		}
	}
	e.write(name, field, entries)
	return nil
}

// multiplexedConditions returns why the rules of the call name cannot
// be said for a covered ABI that multiplexes it, or "".
func (e *exporter) multiplexedConditions(name string) string {
	for i, abi := range e.abis {
		own := name
		if nr, ok := abi.Number(name); ok {
			own, _ = abi.SyscallName(nr)
		}
		via, ok := abi.Multiplexed(own)
		if !ok {
			continue
		}
		for _, j := range e.ruleIndexes(i, name) {
			if len(e.p.Rules[j].Args) > 0 {
				return fmt.Sprintf("Rules[%d] has conditions, and %s reaches %s through %s(%d) too, whose rules libseccomp derives from them otherwise", j, abi.Name, own, via.Via, via.Op)
			}
		}
	}
	return ""
}

// ruleIndexes returns the indexes of the policy's rules that apply to
// the i-th covered ABI and name the call name there, by any name.
func (e *exporter) ruleIndexes(i int, name string) []int {
	abi := e.abis[i]
	if nr, ok := abi.Number(name); ok {
		return e.byNr[i][nr]
	}
	var out []int
	for j := range e.p.Rules {
		if e.p.Rules[j].Syscall == name && appliesTo(&e.p.Rules[j], abi) {
			out = append(out, j)
		}
	}
	return out
}

// write adds the entries of the call name to the profile.
func (e *exporter) write(name, field string, entries []entry) {
	for _, en := range entries {
		act, errnoRet := e.specAction(field, name, en.action)
		sc := specs.LinuxSyscall{Names: []string{name}, Action: act, ErrnoRet: errnoRet, Args: en.args}
		if n := len(e.s.Syscalls); n > 0 && sameRule(&e.s.Syscalls[n-1], &sc) {
			e.s.Syscalls[n-1].Names = append(e.s.Syscalls[n-1].Names, name)
			continue
		}
		e.s.Syscalls = append(e.s.Syscalls, sc)
	}
}

func mustNumber(abi *tables.ABI, name string) uint32 {
	nr, _ := abi.Number(name)
	return nr
}

// direct returns the policy's rules of one number on abi as profile
// rules, one each, when that is exact: no two rules with different
// actions match the same arguments (so that the first match is the
// only one), no rule has two conditions on one argument, and each
// condition is one comparison of the format (Width 32 Eq is a masked
// comparison with 0xffffffff). The policy's Default is left to the
// profile's default action when they are the same.
func (e *exporter) direct(abi *tables.ABI, rules []seccomp.Rule) ([]entry, bool) {
	if len(rules) > 256 {
		return nil, false // the overlap check below is quadratic
	}
	def, _ := orAction(e.p.Default, seccomp.KillProcess).Resolve(abi)
	if def != e.def {
		return nil, false
	}
	width := policyWidth(abi)
	var entries []entry
	var sets []int32
	for _, r := range rules {
		a, err := r.Action.Resolve(abi)
		if err != nil {
			return nil, false
		}
		set := e.sets.conds(r.Args, width)
		for k, prev := range sets {
			if entries[k].action != a && e.sets.and(prev, set) != setEmpty {
				return nil, false
			}
		}
		var seen [6]bool
		var args []specs.LinuxSeccompArg
		for _, c := range r.Args {
			if seen[c.Arg] {
				return nil, false
			}
			seen[c.Arg] = true
			sa := specs.LinuxSeccompArg{Index: uint(c.Arg), Value: c.Value, Op: specOp(c.Op)}
			switch {
			case c.Op == seccomp.MaskedEq:
				sa.Value, sa.ValueTwo = c.Mask, c.Value
			case c.Width == 32 && width == 64 && c.Op == seccomp.Eq:
				sa.Op, sa.Value, sa.ValueTwo = specs.OpMaskedEqual, 0xffffffff, c.Value
			case c.Width == 32 && width == 64:
				return nil, false // (u32)arg < v is no one comparison
			}
			args = append(args, sa)
		}
		entries = append(entries, entry{a, args})
		sets = append(sets, set)
	}
	out := entries[:0]
	for _, en := range entries {
		if en.action != e.def {
			out = append(out, en)
		}
	}
	return out, true
}

// A literal is one condition of a profile rule with the arguments it
// matches.
type literal struct {
	arg specs.LinuxSeccompArg
	set int32
}

// literals returns conditions on c's argument whose union is set: one
// comparison of the format when op can say it, else masked comparisons.
func (e *exporter) literals(c seccomp.Cond, op seccomp.Comparison, set int32, width int) ([]literal, bool) {
	switch set {
	case setEmpty:
		return nil, true
	case setAll:
		return []literal{{set: setAll}}, true
	}
	if op != 0 && op != seccomp.MaskedEq && (c.Width != 32 || width == 32) {
		return []literal{{specs.LinuxSeccompArg{Index: uint(c.Arg), Value: c.Value, Op: specOp(op)}, set}}, true
	}
	bs, ok := e.sets.boxes(set, 64)
	if !ok {
		return nil, false
	}
	ls := make([]literal, len(bs))
	for i, b := range bs {
		ls[i] = literal{specArgs(b, width)[0], e.sets.masked(c.Arg, b.mask[c.Arg], b.value[c.Arg])}
	}
	return ls, true
}

// negation returns the comparison that holds where op does not, or 0
// for MaskedEq.
func negation(op seccomp.Comparison) seccomp.Comparison {
	return map[seccomp.Comparison]seccomp.Comparison{
		seccomp.Eq: seccomp.Ne, seccomp.Ne: seccomp.Eq, seccomp.Lt: seccomp.Ge,
		seccomp.Ge: seccomp.Lt, seccomp.Le: seccomp.Gt, seccomp.Gt: seccomp.Le,
	}[op]
}

// terms returns, for each rule of one number on abi, the arguments it
// matches less those an earlier rule with another action matches, each
// as a union of conjunctions of the format's comparisons: what the
// rule decides once the order is gone. The policy's Default is left to
// the profile's default action when they are the same.
func (e *exporter) terms(abi *tables.ABI, rules []seccomp.Rule) ([]entry, bool) {
	def, _ := orAction(e.p.Default, seccomp.KillProcess).Resolve(abi)
	width := policyWidth(abi)
	// A conjunction: at most one literal per argument.
	type conj struct {
		lits [6]*literal
	}
	var out []entry
	var actions []filter.Action
	// The policy's Default, where it is not the profile's, is one more
	// rule, without conditions, after the others.
	all := rules
	if def != e.def {
		all = append(slices.Clip(rules), seccomp.Rule{Action: e.p.Default})
	}
	for n := range all {
		r := &all[n]
		a := def
		if r.Action != "" {
			var err error
			if a, err = r.Action.Resolve(abi); err != nil {
				return nil, false
			}
		}
		actions = append(actions, a)
		// Factors: each a union of literals; the term is their product.
		var factors [][]literal
		for _, c := range r.Args {
			set := e.sets.cond(c, width)
			ls, ok := e.literals(c, c.Op, set, width)
			if !ok {
				return nil, false
			}
			factors = append(factors, ls)
		}
		for k, prev := range all[:n] {
			if actions[k] == a {
				continue
			}
			// Not the earlier rule: some condition of it fails.
			var union []literal
			for _, c := range prev.Args {
				set := e.sets.not(e.sets.cond(c, width))
				ls, ok := e.literals(c, negation(c.Op), set, width)
				if !ok {
					return nil, false
				}
				union = append(union, ls...)
			}
			factors = append(factors, union)
		}
		if a == e.def {
			continue
		}
		conjs := []conj{{}}
		for _, f := range factors {
			var next []conj
			for _, cj := range conjs {
				if len(out)+len(next) > e.budget {
					return nil, false
				}
				for _, l := range f {
					l := l
					if l.set == setAll {
						next = append(next, cj)
						continue
					}
					arg := l.arg.Index
					if old := cj.lits[arg]; old != nil {
						both := e.sets.and(old.set, l.set)
						switch both {
						case setEmpty:
							continue
						case old.set:
						case l.set:
							cj.lits[arg] = &l
						default:
							// Two comparisons on one argument, which a
							// profile rule cannot hold: masked ones
							// that cover what both match.
							bs, ok := e.sets.boxes(both, 64)
							if !ok {
								return nil, false
							}
							for _, b := range bs {
								l := literal{specArgs(b, width)[0], e.sets.masked(int(arg), b.mask[arg], b.value[arg])}
								cj.lits[arg] = &l
								next = append(next, cj)
							}
							cj.lits[arg] = old
							continue
						}
						next = append(next, cj)
						cj.lits[arg] = old
						continue
					}
					cj.lits[arg] = &l
					next = append(next, cj)
					cj.lits[arg] = nil
				}
			}
			conjs = next
			if len(out)+len(conjs) > e.budget {
				return nil, false
			}
		}
		for _, cj := range conjs {
			var args []specs.LinuxSeccompArg
			for _, l := range cj.lits {
				if l != nil {
					args = append(args, l.arg)
				}
			}
			out = append(out, entry{a, args})
		}
	}
	return out, true
}

// covered returns the decisions as masked comparisons: for each action
// but the profile's default, boxes whose union is the arguments it
// gets. fits is false when they would be more than the budget.
func (e *exporter) covered(decs []region, width int) (entries []entry, fits bool) {
	for _, r := range decs {
		if r.action == e.def {
			continue
		}
		bs, ok := e.sets.boxes(r.set, e.budget-len(entries))
		if !ok {
			return nil, false
		}
		for _, b := range bs {
			entries = append(entries, entry{r.action, specArgs(b, width)})
		}
	}
	return entries, true
}

// readSet returns the arguments an entry matches on an ABI whose
// arguments libseccomp compares on width bits, as Translate reads it.
// ok is false for a value with bits above those, which libseccomp
// drops and Translate keeps.
func (e *exporter) readSet(en entry, width int) (set int32, ok bool) {
	set = setAll
	for _, a := range en.args {
		c := seccomp.Cond{Arg: int(a.Index), Op: libseccomp.OpValues[libseccomp.LinuxSeccompOperator(a.Op)], Value: a.Value}
		if c.Op == seccomp.MaskedEq {
			c.Mask, c.Value = a.Value, a.ValueTwo
		}
		if width == 32 && c.Value > 0xffffffff {
			return setEmpty, false
		}
		set = e.sets.and(set, e.sets.cond(c, width))
	}
	return set, true
}

// check reads entries on each covered ABI that has the call as
// libseccomp does, and returns why they decide otherwise than the
// policy, with the kind of loss, or 0.
func (e *exporter) check(entries []entry, decs [][]region, rules []int) (string, LossKind) {
	for i, abi := range e.abis {
		if decs[i] == nil {
			continue
		}
		width := readerWidth(abi)
		read := make(map[filter.Action]int32)
		same := true
		for _, en := range entries {
			set, ok := e.readSet(en, width)
			same = same && ok
			read[en.action] = e.sets.or(read[en.action], set)
		}
		want := make(map[filter.Action]int32)
		for _, r := range decs[i] {
			if r.action != e.def {
				want[r.action] = r.set
			}
		}
		if same && maps.Equal(read, want) {
			continue
		}
		// The same sets under actions of the same kind: errno numbers
		// that differ between ABIs.
		byKind := func(rs map[filter.Action]int32) map[filter.Action]int32 {
			m := make(map[filter.Action]int32)
			for a, s := range rs {
				if a.Kind() != e.def.Kind() {
					m[a.Kind()] = e.sets.or(m[a.Kind()], s)
				}
			}
			return m
		}
		if same && maps.Equal(byKind(read), byKind(want)) {
			return fmt.Sprintf("its actions resolve to other numbers on %s than on %s", abi.Name, e.abis[0].Name), LossErrno
		}
		for _, j := range rules {
			if e.p.Rules[j].ABIs != nil && len(e.abis) > 1 {
				return fmt.Sprintf("Rules[%d] applies to %s only, a profile's rules to every architecture", j, abiList(e.p.Rules[j].ABIs)), LossABIs
			}
		}
		if width == 32 {
			return fmt.Sprintf("libseccomp compares the low 32 bits of arguments on %s, the policy more", abi.Name), LossABIs
		}
		return fmt.Sprintf("its decisions differ between %s and %s", e.abis[0].Name, abi.Name), LossABIs
	}
	return "", 0
}

// lossy returns entries that give each argument vector the most
// restrictive action any covered ABI gives it, when every ABI reads
// them so; otherwise strictest's one entry.
func (e *exporter) lossy(decs [][]region, emit int) []entry {
	var acts []filter.Action
	for _, rs := range decs {
		for _, r := range rs {
			if !slices.Contains(acts, r.action) {
				acts = append(acts, r.action)
			}
		}
	}
	slices.SortStableFunc(acts, func(a, b filter.Action) int { return rank(a) - rank(b) })
	var merged []region
	assigned := setEmpty
	for _, a := range acts {
		set := setEmpty
		for _, rs := range decs {
			for _, r := range rs {
				if r.action == a {
					set = e.sets.or(set, r.set)
				}
			}
		}
		if set = e.sets.diff(set, assigned); set != setEmpty {
			merged = append(merged, region{a, set})
			assigned = e.sets.or(assigned, set)
		}
	}
	entries, fits := e.covered(merged, policyWidth(e.abis[emit]))
	if !fits || !e.refusesAtLeast(entries, decs) {
		return e.strictest(decs)
	}
	return entries
}

// refusesAtLeast reports whether entries, read on every covered ABI
// that has the call, give no argument vector a less restrictive action
// than the policy, and no two actions to one.
func (e *exporter) refusesAtLeast(entries []entry, decs [][]region) bool {
	for i, abi := range e.abis {
		if decs[i] == nil {
			continue
		}
		read := []region{{e.def, setAll}}
		for _, en := range entries {
			set, ok := e.readSet(en, readerWidth(abi))
			if !ok {
				return false
			}
			read[0].set = e.sets.diff(read[0].set, set)
			read = append(read, region{en.action, set})
		}
		for j, a := range read {
			for _, b := range read[j+1:] {
				if a.action != b.action && e.sets.and(a.set, b.set) != setEmpty {
					return false
				}
			}
			for _, r := range decs[i] {
				if rank(a.action) > rank(r.action) && e.sets.and(a.set, r.set) != setEmpty {
					return false
				}
			}
		}
	}
	return true
}

// strictestOf is strictest for the call name, whose rules some covered
// ABIs have only through a multiplexer: their actions, and Default,
// count there.
func (e *exporter) strictestOf(name string, decs [][]region) []entry {
	decs = slices.Clone(decs)
	for i, abi := range e.abis {
		if decs[i] != nil {
			continue
		}
		var rs []region
		for _, j := range e.ruleIndexes(i, name) {
			a, _ := e.p.Rules[j].Action.Resolve(abi)
			rs = append(rs, region{a, setAll})
		}
		if len(rs) > 0 {
			d, _ := orAction(e.p.Default, seccomp.KillProcess).Resolve(abi)
			decs[i] = append(rs, region{d, setAll})
		}
	}
	return e.strictest(decs)
}

// strictest returns one unconditional entry with the most restrictive
// action the call gets on any covered ABI, or none when that is the
// profile's default action.
func (e *exporter) strictest(decs [][]region) []entry {
	best := filter.Allow
	for _, rs := range decs {
		for _, r := range rs {
			if rank(r.action) < rank(best) {
				best = r.action
			}
		}
	}
	if best == e.def {
		return nil
	}
	return []entry{{action: best}}
}

// rank orders actions from the most restrictive (0) to allow, as the
// kernel orders their precedence (kernel/seccomp.c).
func rank(a filter.Action) int {
	switch a.Kind() {
	case filter.KillProcess:
		return 0
	case filter.KillThread:
		return 1
	case filter.Trap:
		return 2
	case filter.ErrnoBase:
		return 3
	case filter.Notify:
		return 4
	case filter.TraceBase:
		return 5
	case filter.Log:
		return 6
	}
	return 7
}

// specArgs writes a box as conditions: SCMP_CMP_EQ where it fixes every
// bit the ABI's arguments have, SCMP_CMP_MASKED_EQ otherwise.
func specOp(op seccomp.Comparison) specs.LinuxSeccompOperator {
	for k, v := range libseccomp.OpValues {
		if v == op {
			return specs.LinuxSeccompOperator(k)
		}
	}
	return ""
}

func specArgs(b box, width int) []specs.LinuxSeccompArg {
	full := ^uint64(0) >> (64 - width)
	var args []specs.LinuxSeccompArg
	for i := range 6 {
		switch m := b.mask[i]; {
		case m == 0:
		case m&full == full:
			args = append(args, specs.LinuxSeccompArg{Index: uint(i), Value: b.value[i], Op: specs.OpEqualTo})
		default:
			args = append(args, specs.LinuxSeccompArg{Index: uint(i), Value: m, ValueTwo: b.value[i], Op: specs.OpMaskedEqual})
		}
	}
	return args
}

func sameRule(a, b *specs.LinuxSyscall) bool {
	return a.Action == b.Action && slices.Equal(a.Args, b.Args) &&
		(a.ErrnoRet == nil) == (b.ErrnoRet == nil) && (a.ErrnoRet == nil || *a.ErrnoRet == *b.ErrnoRet)
}

// specAction returns the runtime-spec action and errnoRet of a.
func (e *exporter) specAction(field, syscall string, a filter.Action) (specs.LinuxSeccompAction, *uint) {
	data := uint(a.Data())
	switch a.Kind() {
	case filter.KillProcess:
		return specs.ActKillProcess, nil
	case filter.KillThread:
		return specs.ActKillThread, nil
	case filter.Trap:
		if data != 0 {
			e.lose(LossTrapData, field, syscall, "trap data %d: a profile's SCMP_ACT_TRAP has none", data)
		}
		return specs.ActTrap, nil
	case filter.ErrnoBase:
		return specs.ActErrno, &data
	case filter.TraceBase:
		return specs.ActTrace, &data
	case filter.Notify:
		return specs.ActNotify, nil
	case filter.Log:
		return specs.ActLog, nil
	}
	return specs.ActAllow, nil
}

func abiName(abi *tables.ABI) string {
	if abi == nil {
		return "a call of another ABI"
	}
	return "a call of " + abi.Name
}

func abiList(abis []*tables.ABI) string {
	names := make([]string, len(abis))
	for i, a := range abis {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}
