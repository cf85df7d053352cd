package compile

import (
	"errors"
	"fmt"
	"github.com/sysfence/seccomp/filter"
	"slices"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// Errors of Compile, wrapped with the ABI, the system call and the rule
// they concern.
var (
	ErrNoABI         = errors.New("compile: policy covers no ABI")
	ErrNilABI        = errors.New("compile: nil or unknown ABI")
	ErrDuplicateABI  = errors.New("compile: ABI covered twice")
	ErrDuplicateRule = errors.New("compile: two rules for one system call")
	ErrForeignNumber = errors.New("compile: number belongs to another ABI")
	ErrArgIndex      = errors.New("compile: argument index outside 0..5")
	ErrOp            = errors.New("compile: unknown comparison operator")
	ErrValueRange    = errors.New("compile: value wider than the ABI's arguments")
	ErrAction        = errors.New("compile: unknown action")
)

// Compile turns p into one verified program for all the ABIs it covers.
//
// The program loads seccomp_data.arch and compares it with the
// AUDIT_ARCH_* value of each covered ABI, in the order of p.ABIs; any other
// value returns p.Foreign. Each ABI's block loads seccomp_data.nr and finds
// its action by a binary search over ranges of numbers that share an
// action, shaped so that the numbers of the ABI's table need few
// comparisons. Numbers whose rule has argument rules lead to a block that
// checks the arguments; identical blocks of an arch group are emitted
// once, after its search, and followed by the group's returns, one BPF_RET
// per action (doc.go shows the shape). A path whose
// action does not depend on arguments uses only the instructions that the
// kernel's seccomp action cache emulates (seccomp_is_const_allow in
// kernel/seccomp.c), so the kernel skips the filter for allowed numbers.
//
// Where ABIs share an audit value (x86_64 and x32), tables.ByCall says
// which owns a number. When x86_64 is covered and x32 is not, x32 numbers
// get p.X32; when x32 is covered and x86_64 is not, the others get
// p.Foreign.
//
// Compile reports an invalid policy with one of the Err… errors of this
// package, and a program over MaxInstructions with ErrTooLong.
func Compile(p *Policy) ([]filter.Instruction, error) {
	indexes, err := p.validate()
	if err != nil {
		return nil, err
	}
	c := &compiler{
		rets:       make(map[retKey]filter.Label),
		retOrder:   make(map[int][]filter.Action),
		blockIndex: make(map[string]int),
		indexes:    indexes,
		targets:    make([][]target, len(p.ABIs)),
	}
	groups := c.groups(p)
	// Each group's search is followed by its argument blocks and then
	// by its own returns, so that a leaf is near the code it jumps to:
	// a return duplicated per group costs one instruction of length,
	// where a trampoline past another group's code would cost every
	// call that takes it one more instruction run.
	c.region = 0
	c.emitDispatch(groups, p.Foreign)
	c.emitRets()
	for i, g := range groups {
		c.region = i + 1
		c.emitGroup(g)
		for _, b := range c.blocks {
			if b.region == c.region {
				c.emitBlock(b)
			}
		}
		c.emitRets()
	}
	prog, err := c.asm.Assemble()
	if err != nil {
		return nil, fmt.Errorf("%w (policy for %s)", err, p.abiNames())
	}
	if err := filter.Verify(prog); err != nil {
		return nil, fmt.Errorf("compile: compiled program for %s fails verification, a compiler bug: %w", p.abiNames(), err)
	}
	return prog, nil
}

// abiNames lists the names of the covered ABIs, for error messages.
func (p *Policy) abiNames() string {
	names := make([]string, len(p.ABIs))
	for i, ap := range p.ABIs {
		names[i] = ap.ABI.Name
	}
	return strings.Join(names, ", ")
}

// compiler holds the state of one Compile.
type compiler struct {
	asm        filter.Assembler
	region     int                     // 0 for the dispatch, 1+i for group i
	rets       map[retKey]filter.Label // the BPF_RET of each action in each region
	retOrder   map[int][]filter.Action // actions of each region in order of first use
	blocks     []*argBlock
	blockIndex map[string]int // blocks by key
	indexes    []ruleIndex    // of each ABI of the policy (validate)
	targets    [][]target     // of each rule of each ABI, once needed
	planCost   []int64        // scratch of planSearch
	planRoots  []int16
}

// target is where a syscall number leads: to the argument checks of
// blocks[blk], or, when blk is -1, to returning act.
type target struct {
	act filter.Action
	blk int
}

// argBlock checks the arguments of the system calls that lead to it.
type argBlock struct {
	bigEndian bool          // byte order of seccomp_data
	wide      bool          // 64-bit arguments: compare the high words too
	rules     []ArgRule     // simplified: no constant conditions
	dflt      filter.Action // when no rule matches
	label     filter.Label
	region    int // the group whose search leads here
}

// lo and hi return the offsets in seccomp_data of the words that hold bits
// 0..31 and 32..63 of args[arg].
func (b *argBlock) lo(arg int) uint32 { return b.hi(arg) ^ 4 }

func (b *argBlock) hi(arg int) uint32 {
	off := uint32(filter.OffsetArgs + 8*arg)
	if b.bigEndian {
		return off
	}
	return off + 4
}

// retKey names the BPF_RET of an action in a region of the program.
type retKey struct {
	region int
	act    filter.Action
}

// ret returns the label of the BPF_RET of act in the current region.
func (c *compiler) ret(act filter.Action) filter.Label {
	k := retKey{c.region, act}
	l, ok := c.rets[k]
	if !ok {
		l = c.asm.NewLabel()
		c.rets[k] = l
		c.retOrder[c.region] = append(c.retOrder[c.region], act)
	}
	return l
}

// emitRets emits the returns of the current region.
func (c *compiler) emitRets() {
	for _, act := range c.retOrder[c.region] {
		c.asm.Bind(c.rets[retKey{c.region, act}])
		c.asm.Ret(act)
	}
}

// label returns the label where t's code starts.
func (c *compiler) label(t target) filter.Label {
	if t.blk >= 0 {
		return c.blocks[t.blk].label
	}
	return c.ret(t.act)
}

// blockKey identifies an argument block by everything its code depends
// on. Actions enter as numbers: Action.String leaves out the data of trap
// and other actions, and blocks that differ only there must not merge.
func blockKey(bigEndian, wide bool, rules []ArgRule, dflt filter.Action) string {
	b := make([]byte, 0, 64)
	flag := func(v bool) byte {
		if v {
			return 't'
		}
		return 'f'
	}
	b = append(b, flag(bigEndian), flag(wide), '/')
	b = strconv.AppendUint(b, uint64(dflt), 16)
	for _, r := range rules {
		b = append(b, '/')
		b = strconv.AppendUint(b, uint64(r.Action), 16)
		b = append(b, ':')
		for _, c := range r.Conds {
			b = strconv.AppendInt(b, int64(c.Arg), 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, uint64(c.Op), 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, c.Value, 16)
			b = append(b, ',')
			b = strconv.AppendUint(b, c.Mask, 16)
			b = append(b, ',', flag(c.Narrow), ';')
		}
	}
	return string(b)
}

// ruleTarget returns where rule r of an ABI leads, creating or sharing its
// argument block.
func (c *compiler) ruleTarget(abi *tables.ABI, r Rule) target {
	wide := abi.WordSize == 8
	rules, dflt := simplifyArgs(r.Args, r.Action, wide)
	if len(rules) == 0 {
		return target{act: dflt, blk: -1}
	}
	key := strconv.Itoa(c.region) + "/" + blockKey(abi.BigEndian, wide, rules, dflt)
	if i, ok := c.blockIndex[key]; ok {
		return target{act: dflt, blk: i}
	}
	b := &argBlock{bigEndian: abi.BigEndian, wide: wide, rules: rules, dflt: dflt, label: c.asm.NewLabel(), region: c.region}
	c.blockIndex[key] = len(c.blocks)
	c.blocks = append(c.blocks, b)
	return target{act: dflt, blk: len(c.blocks) - 1}
}

// group is the code for one AUDIT_ARCH_* value: the partition of the
// 32-bit number space into spans, and the label its dispatch jumps to.
type group struct {
	audit uint32
	spans []span
	entry filter.Label
}

// groups partitions the number space of every audit value that p covers,
// in the order of p.ABIs.
func (c *compiler) groups(p *Policy) []*group {
	var out []*group
	seen := make(map[uint32]bool)
	for _, ap := range p.ABIs {
		audit := ap.ABI.Audit
		if seen[audit] {
			continue
		}
		seen[audit] = true
		c.region = len(out) + 1
		g := &group{audit: audit}
		for _, seg := range segments(audit) {
			c.addSegment(g, p, seg)
		}
		if len(g.spans) == 1 {
			g.entry = c.label(g.spans[0].to)
		} else {
			g.entry = c.asm.NewLabel()
		}
		out = append(out, g)
	}
	return out
}

// segment is a range of numbers that one ABI owns under an audit value.
type segment struct{ lo, hi uint32 }

// segments splits the number space of audit where the ABIs sharing it
// (x86_64 and x32) change: numbers with an ABI's NrBit set are that ABI's.
func segments(audit uint32) []segment {
	cuts := []uint64{0, 1 << 32}
	for _, a := range tables.All() {
		if a.Audit != audit || a.NrBit == 0 {
			continue
		}
		if a.NrBit&(a.NrBit-1) != 0 || a.NrBit < 1<<16 {
			panic(fmt.Sprintf("compile: ABI %s has NrBit %#x; want a single high bit", a.Name, a.NrBit))
		}
		for m := uint64(a.NrBit); m < 1<<32; m += uint64(a.NrBit) {
			cuts = append(cuts, m)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	segs := make([]segment, len(cuts)-1)
	for i := range segs {
		segs[i] = segment{uint32(cuts[i]), uint32(cuts[i+1] - 1)}
	}
	return segs
}

// owner returns the ABI that a call with this arch value and number
// belongs to, or nil.
func owner(audit, nr uint32) *tables.ABI {
	abi, _ := tables.ByCall(audit, nr)
	return abi
}

// covered returns the policy of the ABI named name, or nil.
func (p *Policy) covered(name string) *ABIPolicy {
	for i := range p.ABIs {
		if p.ABIs[i].ABI.Name == name {
			return &p.ABIs[i]
		}
	}
	return nil
}

// uncovered returns the action for a number under a covered audit value
// whose owner abi (nil if none) the policy does not cover.
func (p *Policy) uncovered(abi *tables.ABI) filter.Action {
	if abi != nil && abi.NrBit != 0 {
		return p.X32
	}
	return p.Foreign
}

// addSegment appends the spans of seg to g: one span when its owner is not
// covered, else one per table entry and one per gap between them.
func (c *compiler) addSegment(g *group, p *Policy, seg segment) {
	abi := owner(g.audit, seg.lo)
	var ap *ABIPolicy
	if abi != nil {
		ap = p.covered(abi.Name)
	}
	if ap == nil {
		g.add(span{lo: seg.lo, hi: seg.hi, to: target{act: p.uncovered(abi), blk: -1}})
		return
	}
	idx, rules := c.ruleTargets(p, ap)
	unknown := target{act: ap.Unknown, blk: -1}
	dflt := target{act: ap.Default, blk: -1}
	// The search weighs each number of the table, so that the calls
	// programs make take few comparisons; x32 is rarely used, and its
	// calls must not cost the native ones a comparison.
	weight := int64(1)
	if ap.ABI.NrBit != 0 {
		weight = 0
	}
	last := ap.ABI.At(ap.ABI.Len() - 1).Nr
	next := uint64(seg.lo) // first number not yet in a span
	extra := idx.extra     // rules for numbers outside the table, by number
	for i := 0; i < ap.ABI.Len() || len(extra) > 0; {
		// The next number of the table or of extra, whichever is less.
		var nr uint32
		to := dflt
		if len(extra) > 0 && (i == ap.ABI.Len() || extra[0].nr < ap.ABI.At(i).Nr) {
			nr, to = extra[0].nr, rules[extra[0].rule-1]
			extra = extra[1:]
		} else {
			nr = ap.ABI.At(i).Nr
			i++
			if k := idx.slot(ap.ABI, nr); k > 0 {
				to = rules[k-1]
			}
		}
		if nr < seg.lo || nr > seg.hi {
			continue
		}
		if uint64(nr) > next {
			// Holes weigh as the numbers they hold up to the end of
			// the table; past it, none, as after the last rule.
			n := max(0, int64(min(uint64(nr), uint64(last)+1))-int64(next))
			g.add(span{lo: uint32(next), hi: nr - 1, to: unknown, n: weight * n})
		}
		w := weight
		if to.blk >= 0 {
			w *= argWeight
		}
		g.add(span{lo: nr, hi: nr, to: to, n: weighNumber(ap, nr, w)})
		next = uint64(nr) + 1
	}
	if next <= uint64(seg.hi) {
		g.add(span{lo: uint32(next), hi: seg.hi, to: unknown})
	}
}

// add appends s, the span that follows the last of g, joining the two
// when they lead to the same place.
func (g *group) add(s span) {
	if last := len(g.spans) - 1; last >= 0 && g.spans[last].to == s.to {
		g.spans[last].hi = s.hi
		g.spans[last].n += s.n
		return
	}
	g.spans = append(g.spans, s)
}

// ruleTargets returns the rule index of ap (one of p.ABIs) and where
// each of its rules leads.
func (c *compiler) ruleTargets(p *Policy, ap *ABIPolicy) (ruleIndex, []target) {
	i := 0
	for &p.ABIs[i] != ap {
		i++
	}
	if c.targets[i] == nil {
		c.targets[i] = make([]target, len(ap.Rules))
		for j, r := range ap.Rules {
			c.targets[i][j] = c.ruleTarget(ap.ABI, r)
		}
	}
	return c.indexes[i], c.targets[i]
}

// emitDispatch emits the load of seccomp_data.arch and the jumps to each
// group; other values return foreign.
func (c *compiler) emitDispatch(groups []*group, foreign filter.Action) {
	c.asm.LoadAbs(filter.OffsetArch)
	for i, g := range groups {
		jf := filter.Next
		if i == len(groups)-1 {
			jf = c.ret(foreign)
		}
		c.asm.JumpIf(filter.JumpEq, g.audit, g.entry, jf)
	}
}

// emitGroup emits the load of seccomp_data.nr and the search over a
// group's spans, unless a single span covers every number.
func (c *compiler) emitGroup(g *group) {
	if len(g.spans) == 1 {
		return
	}
	c.asm.Bind(g.entry)
	c.asm.LoadAbs(filter.OffsetNr)
	c.emitSearch(g.spans, prefixWeights(g.spans))
}

// emitSearch emits a binary search over two or more spans, with the number
// in A; pre holds the prefix sums of their weights. Up to planLimit spans
// the tree is the best one (planSearch); above, the weights are bisected
// until a part is that small.
func (c *compiler) emitSearch(spans []span, pre []int64) {
	if len(spans) <= planLimit {
		if c.planCost == nil {
			c.planCost = make([]int64, planLimit*planLimit)
			c.planRoots = make([]int16, planLimit*planLimit)
		}
		plan := planSearch(spans, pre, c.planCost, c.planRoots)
		var rec func(off, n int)
		rec = func(off, n int) {
			k := plan.split(off, off+n-1)
			if k < 0 {
				c.emitIsolated(spans[off : off+n])
				return
			}
			c.emitSplit(spans[off:off+n], pre[off:off+n+1], k-off, func(part int, first bool) {
				if part == 0 {
					rec(off, k-off)
				} else {
					rec(k, off+n-k)
				}
			})
		}
		rec(0, len(spans))
		return
	}
	k := splitPoint(pre)
	c.emitSplit(spans, pre, k, func(part int, _ bool) {
		if part == 0 {
			c.emitSearch(spans[:k], pre[:k+1])
		} else {
			c.emitSearch(spans[k:], pre[k:])
		}
	})
}

// emitIsolated emits the search over three spans whose middle is one
// number between two of one destination: a single BPF_JEQ.
func (c *compiler) emitIsolated(spans []span) {
	c.asm.JumpIf(filter.JumpEq, spans[1].lo, c.label(spans[1].to), c.label(spans[0].to))
}

// emitSplit emits "nr >= spans[k].lo" and then, through sub, the search
// over each side of more than one span (part 0 left, 1 right). Of the
// two sides the lighter is emitted first, so that the leaves of the
// heavy one, taken most, lie nearest the blocks and returns that follow
// the search and reach them without a trampoline.
func (c *compiler) emitSplit(spans []span, pre []int64, k int, sub func(part int, first bool)) {
	left, right := spans[:k], spans[k:]
	leftFirst := pre[k]-pre[0] <= pre[len(pre)-1]-pre[k]
	lt, rt := filter.Next, filter.Next
	switch {
	case len(left) == 1:
		lt = c.label(left[0].to)
	case !leftFirst || len(right) == 1:
		lt = c.asm.NewLabel()
	}
	switch {
	case len(right) == 1:
		rt = c.label(right[0].to)
	case leftFirst && len(left) > 1:
		rt = c.asm.NewLabel()
	}
	c.asm.JumpIf(filter.JumpGE, right[0].lo, rt, lt)
	emit := func(part int, n int, l filter.Label, first bool) {
		if n == 1 {
			return
		}
		if l != filter.Next {
			c.asm.Bind(l)
		}
		sub(part, first)
	}
	if leftFirst {
		emit(0, len(left), lt, true)
		emit(1, len(right), rt, false)
	} else {
		emit(1, len(right), rt, true)
		emit(0, len(left), lt, false)
	}
}

// emitBlock emits the argument checks of b: its rules in order, each
// falling to the next when a condition fails.
func (c *compiler) emitBlock(b *argBlock) {
	c.asm.Bind(b.label)
	if segs, top, ok := valueSearch(b); ok && c.emitValueSearch(b, b.rules[0].Conds[0].Arg, segs, top) {
		return
	}
	for i, r := range b.rules {
		fail := c.ret(b.dflt)
		if i < len(b.rules)-1 {
			fail = c.asm.NewLabel()
		}
		for j, cond := range r.Conds {
			pass := c.ret(r.Action)
			if j < len(r.Conds)-1 {
				pass = c.asm.NewLabel()
			}
			c.emitCond(b, cond, pass, fail)
			if j < len(r.Conds)-1 {
				c.asm.Bind(pass)
			}
		}
		if i < len(b.rules)-1 {
			c.asm.Bind(fail)
		}
	}
}

// emitCond emits code that jumps to pass when cond holds and to fail
// otherwise. Conditions that hold or fail for every argument have been
// removed (simplifyArgs), which the word tests below rely on.
func (c *compiler) emitCond(b *argBlock, cond Cond, pass, fail filter.Label) {
	switch cond.Op {
	case OpEq, OpMaskedEq:
		c.emitEqual(b, cond, pass, fail)
	case OpNe:
		c.emitEqual(b, cond, fail, pass)
	case OpGt:
		c.emitGreater(b, cond, filter.JumpGT, pass, fail)
	case OpGe:
		c.emitGreater(b, cond, filter.JumpGE, pass, fail)
	case OpLt: // not >=
		c.emitGreater(b, cond, filter.JumpGE, fail, pass)
	case OpLe: // not >
		c.emitGreater(b, cond, filter.JumpGT, fail, pass)
	default:
		panic(fmt.Sprintf("compile: emitCond: unvalidated operator %d", cond.Op))
	}
}

// wordTest is "(word at off) & mask == value".
type wordTest struct{ off, mask, value uint32 }

// emitEqual emits "arg & mask == value" (mask is all ones but for
// OpMaskedEq), low word first, jumping to eq or ne.
func (c *compiler) emitEqual(b *argBlock, cond Cond, eq, ne filter.Label) {
	mask := ^uint64(0)
	if cond.Op == OpMaskedEq {
		mask = cond.Mask
	}
	tests := []wordTest{{b.lo(cond.Arg), uint32(mask), uint32(cond.Value)}}
	if cond.wide(b.wide) {
		tests = append(tests, wordTest{b.hi(cond.Arg), uint32(mask >> 32), uint32(cond.Value >> 32)})
	}
	var kept []wordTest
	for _, t := range tests {
		if t.mask != 0 { // a zero mask tests nothing: value is 0 too
			kept = append(kept, t)
		}
	}
	for i, t := range kept {
		c.asm.LoadAbs(t.off)
		if t.mask != ^uint32(0) {
			c.asm.And(t.mask)
		}
		jt := filter.Next
		if i == len(kept)-1 {
			jt = eq
		}
		c.asm.JumpIf(filter.JumpEq, t.value, jt, ne)
	}
}

// emitGreater emits "arg > value" (op BPF_JGT) or "arg >= value"
// (BPF_JGE), unsigned, jumping to yes or no. On 64-bit arguments the high
// words decide unless they are equal.
func (c *compiler) emitGreater(b *argBlock, cond Cond, op filter.JumpOp, yes, no filter.Label) {
	vhi, vlo := uint32(cond.Value>>32), uint32(cond.Value)
	if cond.wide(b.wide) {
		lowDecides := !(op == filter.JumpGT && vlo == ^uint32(0)) && !(op == filter.JumpGE && vlo == 0)
		c.asm.LoadAbs(b.hi(cond.Arg))
		if !lowDecides { // the low words cannot change the outcome
			c.asm.JumpIf(op, vhi, yes, no)
			return
		}
		if vhi != ^uint32(0) {
			c.asm.JumpIf(filter.JumpGT, vhi, yes, filter.Next)
		}
		if vhi != 0 { // hi <= vhi here; with vhi == 0, hi == vhi
			c.asm.JumpIf(filter.JumpEq, vhi, filter.Next, no)
		}
	}
	c.asm.LoadAbs(b.lo(cond.Arg))
	c.asm.JumpIf(op, vlo, yes, no)
}
