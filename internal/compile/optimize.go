package compile

import (
	"github.com/sysfence/seccomp/filter"
	"math"
	"sort"
)

// This file holds the compiler's two optimizations: folding argument
// conditions whose outcome is known without looking at the argument, and
// shaping the binary search over syscall numbers so that the numbers of the
// table are found in few comparisons.

// condConst reports whether c holds (or fails) for every argument, on an ABI
// whose arguments are 64-bit (wide) or 32-bit.
func condConst(c Cond, wide bool) (holds, known bool) {
	top := uint64(math.MaxUint32)
	if c.wide(wide) {
		top = math.MaxUint64
	}
	switch c.Op {
	case OpGt:
		return false, c.Value >= top
	case OpGe:
		return true, c.Value == 0
	case OpLt:
		return false, c.Value == 0
	case OpLe:
		return true, c.Value >= top
	case OpMaskedEq:
		if c.Value&^(c.Mask&top) != 0 {
			return false, true
		}
		return true, c.Mask&top == 0
	}
	return false, false
}

// simplifyArgs returns argument rules equivalent to rules followed by the
// fallback action dflt, without conditions that always hold, without rules
// that never match or that follow one that always matches, and without
// trailing rules whose action is the fallback. An empty result means the
// action does not depend on the arguments.
func simplifyArgs(rules []ArgRule, dflt filter.Action, wide bool) ([]ArgRule, filter.Action) {
	var out []ArgRule
	for _, r := range rules {
		conds, never := simplifyConds(r.Conds, wide)
		if never {
			continue
		}
		if len(conds) == 0 {
			dflt = r.Action
			break
		}
		out = append(out, ArgRule{Conds: conds, Action: r.Action})
	}
	for len(out) > 0 && out[len(out)-1].Action == dflt {
		out = out[:len(out)-1]
	}
	return out, dflt
}

// simplifyConds drops the conditions that always hold and reports whether
// one never holds.
func simplifyConds(conds []Cond, wide bool) (kept []Cond, never bool) {
	kept = conds[:0:0]
	for i, c := range conds {
		holds, known := condConst(c, wide)
		switch {
		case !known:
			if len(kept) == i {
				kept = conds[: i+1 : i+1] // nothing dropped yet: no copy
			} else {
				kept = append(kept, c)
			}
		case !holds:
			return nil, true
		}
	}
	return kept, false
}

// span is a range lo..hi (inclusive) of syscall numbers, or of argument
// values in a value search, with one destination; n is its weight in
// the search: 1 for each number of the ABI's table it holds, argWeight
// for one whose action depends on the arguments, 0 for x32's numbers
// (addSegment), plus countScale for each call ABIPolicy.Weights records
// (weighNumber), and 1 for a value a rule names (emitValueSearch).
type span struct {
	lo, hi uint32
	to     target
	n      int64
}

// spanWeight is the weight of a span in the search: its table entries, plus
// a little so that numbers outside the table are found in few comparisons
// too.
func spanWeight(s span) int64 { return 8*s.n + 1 }

// countScale is what one recorded call (ABIPolicy.Weights) weighs in the
// search, against 1 for a number of the table and argWeight for one with
// argument rules: more than all of those together on any table (a few
// hundred numbers), so that the recorded counts decide the shape and
// the default weights only order what the workload did not call.
const countScale = 1 << 14

// maxCount caps a recorded count, so that the sums of the weights of a
// table fit in an int64.
const maxCount = 1 << 36

// weighNumber returns the weight in the search of number nr of ap's
// table: base (1, argWeight for a call with argument rules, 0 on x32),
// plus countScale for each call of it ap.Weights records.
func weighNumber(ap *ABIPolicy, nr uint32, base int64) int64 {
	if ap.Weights == nil {
		return base
	}
	return base + countScale*int64(min(ap.Weights[nr], maxCount))
}

// isolated reports whether spans (three of them) are one number between
// two spans with the same destination, which a single BPF_JEQ tells apart.
func isolated(spans []span) bool {
	return len(spans) == 3 && spans[1].lo == spans[1].hi && spans[0].to == spans[2].to
}

// splitPoint returns k, 0 < k < len(spans), such that the search over
// spans tests "nr >= spans[k].lo" first. It balances the weights of the two
// sides (the bisection rule for alphabetic trees, whose cost is within two
// comparisons of the entropy bound); pre holds the prefix sums of the
// weights of spans.
func splitPoint(pre []int64) int {
	n := len(pre) - 1
	total := pre[n] - pre[0]
	k := sort.Search(n, func(k int) bool { return 2*(pre[k]-pre[0]) >= total })
	k = min(max(k, 1), n-1)
	if k > 1 && imbalance(pre, k-1) <= imbalance(pre, k) {
		k--
	}
	return k
}

// imbalance is the difference of the weights on the two sides of split k.
func imbalance(pre []int64, k int) int64 {
	left, right := pre[k]-pre[0], pre[len(pre)-1]-pre[k]
	if left > right {
		return left - right
	}
	return right - left
}

// prefixWeights returns the prefix sums of the weights of spans.
func prefixWeights(spans []span) []int64 {
	pre := make([]int64, len(spans)+1)
	for i, s := range spans {
		pre[i+1] = pre[i] + spanWeight(s)
	}
	return pre
}

// argWeight is the weight in the search of a number whose action depends
// on the arguments, against 1 for any other number of the table: the
// kernel's action cache (5.11+) skips the filter for the calls allowed
// whatever their arguments, so the calls with argument rules are those
// that run it every time.
const argWeight = 8

// planLimit is the most spans planSearch plans at once: its table grows
// with the square of their number.
const planLimit = 16

// searchPlan is the cheapest search tree over a few spans: for spans i..j
// (i < j), split(i, j) is the k of its first comparison, nr >= spans[k].lo,
// or -1 when the three spans are one number between two of the same
// destination, told apart by one BPF_JEQ.
type searchPlan struct {
	n     int
	roots []int16
}

func (p *searchPlan) split(i, j int) int { return int(p.roots[i*p.n+j]) }

// planSearch returns the tree over spans (at most planLimit, two or more)
// of least weighted depth, weights as in pre: the dynamic program for
// optimal alphabetic trees, with a jeq for an isolated number. It tries
// every split (cubic in the spans: Knuth's bound on where the best split
// lies does not hold once isolated numbers cost one test), which is why
// planLimit is small.
//
// scratch, of planLimit² entries, holds the costs; roots, as long, the
// plan's splits, valid until the next call with the same slices.
func planSearch(spans []span, pre []int64, scratch []int64, roots []int16) searchPlan {
	n := len(spans)
	cost := scratch[:n*n]
	p := searchPlan{n: n, roots: roots[:n*n]}
	for i := range n {
		cost[i*n+i], p.roots[i*n+i] = 0, int16(i)
	}
	for l := 2; l <= n; l++ {
		for i := 0; i+l-1 < n; i++ {
			j := i + l - 1
			w := pre[j+1] - pre[i]
			if l == 3 && isolated(spans[i:j+1]) {
				cost[i*n+j], p.roots[i*n+j] = w, -1
				continue
			}
			lo, hi := i+1, j
			best, arg := int64(math.MaxInt64), lo
			for k := lo; k <= hi; k++ {
				if c := cost[i*n+k-1] + cost[k*n+j]; c < best {
					best, arg = c, k
				}
			}
			cost[i*n+j], p.roots[i*n+j] = best+w, int16(arg)
		}
	}
	return p
}
