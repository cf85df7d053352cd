package compile

import (
	"math"
	"slices"

	"github.com/sysfence/seccomp/filter"
)

// An argument block whose rules each compare the same argument with a
// constant (socket's domain against thirty families, personality's persona
// against five values) is a function of that one argument, constant on
// intervals. Such a block is compiled as a search over those intervals,
// like the search over system-call numbers, instead of a chain of rules
// that reloads and retests the high word for every constant: when every
// interval boundary lies in the low 32 bits, the high word is loaded and
// tested once.

// argSegment is an interval lo..hi of argument values with one action.
type argSegment struct {
	lo, hi uint64
	act    filter.Action
	point  bool // a value a rule names (==), weighed more in the search
}

// valueSearch returns the intervals of b's argument, in order, covering
// 0..top, when every rule of b is one comparison of the same argument
// that an interval test can decide; ok is false otherwise.
func valueSearch(b *argBlock) (segs []argSegment, top uint64, ok bool) {
	arg, narrow := -1, false
	for _, r := range b.rules {
		if len(r.Conds) != 1 {
			return nil, 0, false
		}
		c := r.Conds[0]
		switch c.Op {
		case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		default:
			return nil, 0, false
		}
		if arg == -1 {
			arg, narrow = c.Arg, !c.wide(b.wide)
		} else if c.Arg != arg || narrow != !c.wide(b.wide) {
			return nil, 0, false
		}
	}
	if arg < 0 {
		return nil, 0, false
	}
	top = math.MaxUint64
	if narrow {
		top = math.MaxUint32
	}
	// Every rule holds on an interval or two; between consecutive
	// boundaries of those intervals the first rule that holds is the
	// same for every value. Each piece takes the first rule whose
	// interval covers it: the rules are visited in order, and each
	// claims the pieces of its intervals that no earlier rule claimed,
	// skipping claimed runs through next, so that the whole costs
	// n log n in the rules, not a scan of the rules for every piece.
	cuts := make([]uint64, 1, 4*len(b.rules)+1) // starts of pieces
	for _, r := range b.rules {
		for _, iv := range holdsOn(r.Conds[0], top) {
			cuts = append(cuts, iv[0])
			if iv[1] < top {
				cuts = append(cuts, iv[1]+1)
			}
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	owner := make([]int32, len(cuts)) // 1 + the rule of each piece, or 0
	next := make([]int32, len(cuts)+1)
	for i := range next {
		next[i] = int32(i)
	}
	// unclaimed returns the first unclaimed piece at or after i.
	var unclaimed func(i int32) int32
	unclaimed = func(i int32) int32 {
		for next[i] != i {
			next[i] = next[next[i]] // halve the path
			i = next[i]
		}
		return i
	}
	for ri, r := range b.rules {
		for _, iv := range holdsOn(r.Conds[0], top) {
			first, _ := slices.BinarySearch(cuts, iv[0]) // a cut
			last, found := slices.BinarySearch(cuts, iv[1])
			if !found {
				last-- // the piece holding iv[1]
			}
			for i := unclaimed(int32(first)); int(i) <= last; i = unclaimed(i + 1) {
				owner[i] = int32(ri) + 1
				next[i] = i + 1
			}
		}
	}
	for i, lo := range cuts {
		hi := top
		if i+1 < len(cuts) {
			hi = cuts[i+1] - 1
		}
		act, point := b.dflt, false
		if o := owner[i]; o > 0 {
			r := b.rules[o-1]
			act, point = r.Action, r.Conds[0].Op == OpEq
		}
		if n := len(segs); n > 0 && segs[n-1].act == act {
			segs[n-1].hi = hi
			segs[n-1].point = false
			continue
		}
		segs = append(segs, argSegment{lo: lo, hi: hi, act: act, point: point})
	}
	return segs, top, true
}

// holdsValue reports whether c holds for the argument value v, already
// narrowed to the bits c compares. It is the meaning of every operator,
// for Evaluate (Cond.holds narrows and calls it) and for the value
// search alike.
func (c Cond) holdsValue(v uint64) bool {
	switch c.Op {
	case OpEq:
		return v == c.Value
	case OpNe:
		return v != c.Value
	case OpLt:
		return v < c.Value
	case OpLe:
		return v <= c.Value
	case OpGt:
		return v > c.Value
	case OpGe:
		return v >= c.Value
	case OpMaskedEq:
		return v&c.Mask == c.Value
	}
	return false
}

// holdsOn returns the intervals of values (up to top) for which c holds.
func holdsOn(c Cond, top uint64) [][2]uint64 {
	v := c.Value
	switch c.Op {
	case OpEq:
		return [][2]uint64{{v, v}}
	case OpNe:
		var out [][2]uint64
		if v > 0 {
			out = append(out, [2]uint64{0, v - 1})
		}
		if v < top {
			out = append(out, [2]uint64{v + 1, top})
		}
		return out
	case OpLt: // v > 0: simplifyArgs removed "< 0"
		return [][2]uint64{{0, v - 1}}
	case OpLe:
		return [][2]uint64{{0, v}}
	case OpGt:
		return [][2]uint64{{v + 1, top}}
	case OpGe:
		return [][2]uint64{{v, top}}
	}
	panic("compile: holdsOn: unexpected operator")
}

// emitValueSearch emits b as a search over segs, the intervals of its
// argument (up to top), and reports whether it could: a 64-bit argument
// needs every boundary in the low word, so that all values with a
// nonzero high word share one action.
func (c *compiler) emitValueSearch(b *argBlock, arg int, segs []argSegment, top uint64) bool {
	if len(segs) == 1 {
		c.asm.JA(c.ret(segs[0].act))
		return true
	}
	if top > math.MaxUint32 {
		last := segs[len(segs)-1]
		if last.lo > 1<<32 {
			return false
		}
		// Values with a nonzero high word take the last interval's action.
		c.asm.LoadAbs(b.hi(arg))
		c.asm.JumpIf(filter.JumpEq, 0, filter.Next, c.ret(last.act))
		if last.lo == 1<<32 {
			segs = segs[:len(segs)-1]
		} else {
			segs = slices.Clone(segs)
			segs[len(segs)-1].hi = math.MaxUint32
		}
	}
	c.asm.LoadAbs(b.lo(arg))
	if len(segs) == 1 {
		c.asm.JA(c.ret(segs[0].act))
		return true
	}
	spans := make([]span, len(segs))
	for i, s := range segs {
		spans[i] = span{lo: uint32(s.lo), hi: uint32(s.hi), to: target{act: s.act, blk: -1}}
		if s.point {
			spans[i].n = 1
		}
	}
	c.emitSearch(spans, prefixWeights(spans))
	return true
}
