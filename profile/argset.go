package profile

import (
	"math/bits"

	seccomp "github.com/sysfence/seccomp"
)

// argSets holds sets of argument vectors (the six 64-bit words of
// seccomp_data.args) as reduced ordered binary decision diagrams, the
// form in which FromPolicy turns a system call's first-match rules into
// the disjoint masked comparisons a profile can say. A variable is one
// bit of one argument, argument 0 first and the high bit of each first,
// so a set of prefixes of one argument (x < v) takes one node a bit and
// a condition on one argument never grows with the others.
//
// Node 0 is the empty set and node 1 every vector; equal sets are the
// same node, so sets are compared by their node.
type argSets struct {
	nodes []setNode
	uniq  map[setNode]int32
	memo  map[setOp]int32
}

// A setNode tests variable v: lo is the set where the bit is 0, hi where
// it is 1.
type setNode struct {
	v      int16
	lo, hi int32
}

type setOp struct {
	op   uint8
	a, b int32
}

const (
	setEmpty int32 = 0
	setAll   int32 = 1
	numVars        = 6 * 64 // the terminals' variable: below every bit
)

const (
	opAnd uint8 = iota
	opOr
	opDiff
)

func newArgSets() *argSets {
	return &argSets{
		nodes: []setNode{{v: numVars}, {v: numVars}},
		uniq:  make(map[setNode]int32),
		memo:  make(map[setOp]int32),
	}
}

// variable returns the variable of bit b (0 the lowest) of argument arg.
func variable(arg, b int) int16 { return int16(arg*64 + 63 - b) }

// node returns the set that is lo where variable v is 0 and hi where it
// is 1.
func (s *argSets) node(v int16, lo, hi int32) int32 {
	if lo == hi {
		return lo
	}
	n := setNode{v, lo, hi}
	if id, ok := s.uniq[n]; ok {
		return id
	}
	id := int32(len(s.nodes))
	s.nodes = append(s.nodes, n)
	s.uniq[n] = id
	return id
}

func (s *argSets) and(a, b int32) int32  { return s.apply(opAnd, a, b) }
func (s *argSets) or(a, b int32) int32   { return s.apply(opOr, a, b) }
func (s *argSets) diff(a, b int32) int32 { return s.apply(opDiff, a, b) }
func (s *argSets) not(a int32) int32     { return s.apply(opDiff, setAll, a) }

func (s *argSets) apply(op uint8, a, b int32) int32 {
	switch op {
	case opAnd:
		switch {
		case a == setEmpty || b == setEmpty:
			return setEmpty
		case a == setAll:
			return b
		case b == setAll || a == b:
			return a
		}
		if a > b {
			a, b = b, a
		}
	case opOr:
		switch {
		case a == setAll || b == setAll:
			return setAll
		case a == setEmpty:
			return b
		case b == setEmpty || a == b:
			return a
		}
		if a > b {
			a, b = b, a
		}
	case opDiff:
		switch {
		case a == setEmpty || b == setAll || a == b:
			return setEmpty
		case b == setEmpty:
			return a
		}
	}
	key := setOp{op, a, b}
	if r, ok := s.memo[key]; ok {
		return r
	}
	na, nb := s.nodes[a], s.nodes[b]
	v := min(na.v, nb.v)
	alo, ahi, blo, bhi := a, a, b, b
	if na.v == v {
		alo, ahi = na.lo, na.hi
	}
	if nb.v == v {
		blo, bhi = nb.lo, nb.hi
	}
	r := s.node(v, s.apply(op, alo, blo), s.apply(op, ahi, bhi))
	s.memo[key] = r
	return r
}

// masked returns the set where arg & mask == value; empty when value
// has bits outside mask.
func (s *argSets) masked(arg int, mask, value uint64) int32 {
	if value&^mask != 0 {
		return setEmpty
	}
	r := setAll
	for b := 0; b < 64; b++ { // the low bits are the deepest variables
		if mask&(1<<b) == 0 {
			continue
		}
		if value&(1<<b) != 0 {
			r = s.node(variable(arg, b), setEmpty, r)
		} else {
			r = s.node(variable(arg, b), r, setEmpty)
		}
	}
	return r
}

// less returns the set where the low width bits of arg, as an unsigned
// number, are below v.
func (s *argSets) less(arg, width int, v uint64) int32 {
	r := setEmpty // the empty suffix is not below the empty suffix
	for b := 0; b < width; b++ {
		if v&(1<<b) != 0 {
			r = s.node(variable(arg, b), setAll, r)
		} else {
			r = s.node(variable(arg, b), r, setEmpty)
		}
	}
	return r
}

// cond returns the set of argument vectors where c holds, comparing the
// low width bits of the argument (64, or 32 for Cond.Width 32 and for
// an ABI whose arguments are 32-bit words).
func (s *argSets) cond(c seccomp.Cond, width int) int32 {
	if c.Width == 32 {
		width = 32
	}
	full := ^uint64(0) >> (64 - width)
	eq := func() int32 { return s.masked(c.Arg, full, c.Value) }
	switch c.Op {
	case seccomp.Eq:
		return eq()
	case seccomp.Ne:
		return s.not(eq())
	case seccomp.Lt:
		return s.less(c.Arg, width, c.Value)
	case seccomp.Le:
		return s.or(s.less(c.Arg, width, c.Value), eq())
	case seccomp.Gt:
		return s.not(s.or(s.less(c.Arg, width, c.Value), eq()))
	case seccomp.Ge:
		return s.not(s.less(c.Arg, width, c.Value))
	case seccomp.MaskedEq:
		return s.masked(c.Arg, c.Mask&full, c.Value)
	}
	return setEmpty
}

// conds returns the set where all of cs hold.
func (s *argSets) conds(cs []seccomp.Cond, width int) int32 {
	r := setAll
	for _, c := range cs {
		r = s.and(r, s.cond(c, width))
	}
	return r
}

// A box is a set of argument vectors that a profile rule can say: for
// each argument, the bits of mask equal those of value.
type box struct {
	mask, value [6]uint64
}

// boxes returns boxes whose union is the set, or ok false when there
// would be more than limit. Boxes of one set may overlap, as rules of
// one action may in a profile. It is the irredundant cover of Minato
// and Morreale: at each variable, the boxes that need it 0, those that
// need it 1, and those that need neither, so that a set such as "some
// bit of the mask differs" is one box a bit rather than one a path.
func (s *argSets) boxes(set int32, limit int) (out []box, ok bool) {
	type key struct{ l, u int32 }
	type cover struct {
		boxes []box
		set   int32
	}
	memo := make(map[key]cover)
	total := 0
	var isop func(l, u int32) (cover, bool)
	isop = func(l, u int32) (cover, bool) {
		if l == setEmpty {
			return cover{set: setEmpty}, true
		}
		if u == setAll {
			return cover{boxes: []box{{}}, set: setAll}, true
		}
		if c, ok := memo[key{l, u}]; ok {
			return c, true
		}
		nl, nu := s.nodes[l], s.nodes[u]
		v := min(nl.v, nu.v)
		l0, l1, u0, u1 := l, l, u, u
		if nl.v == v {
			l0, l1 = nl.lo, nl.hi
		}
		if nu.v == v {
			u0, u1 = nu.lo, nu.hi
		}
		c0, ok0 := isop(s.diff(l0, u1), u0)
		c1, ok1 := isop(s.diff(l1, u0), u1)
		if !ok0 || !ok1 {
			return cover{}, false
		}
		rest := s.or(s.diff(l0, c0.set), s.diff(l1, c1.set))
		cd, ok := isop(rest, s.and(u0, u1))
		if !ok {
			return cover{}, false
		}
		arg, bit := int(v)/64, 63-int(v)%64
		m := uint64(1) << bit
		var c cover
		for _, b := range c0.boxes {
			b.mask[arg] |= m
			c.boxes = append(c.boxes, b)
		}
		for _, b := range c1.boxes {
			b.mask[arg] |= m
			b.value[arg] |= m
			c.boxes = append(c.boxes, b)
		}
		c.boxes = append(c.boxes, cd.boxes...)
		total += len(c.boxes)
		if len(c.boxes) > limit || total > 64*limit {
			return cover{}, false
		}
		c.set = s.or(s.node(v, c0.set, c1.set), cd.set)
		memo[key{l, u}] = c
		return c, true
	}
	c, ok := isop(set, set)
	return c.boxes, ok
}

// highBits reports whether the set depends on bits above the low 32 of
// any argument.
func (s *argSets) highBits(set int32) bool {
	seen := make(map[int32]bool)
	var walk func(id int32) bool
	walk = func(id int32) bool {
		if id <= setAll || seen[id] {
			return false
		}
		seen[id] = true
		n := s.nodes[id]
		if 63-int(n.v)%64 >= 32 {
			return true
		}
		return walk(n.lo) || walk(n.hi)
	}
	return walk(set)
}

// boxSet returns the set of a box, as a reader comparing the low width
// bits of each argument reads it.
func (s *argSets) boxSet(b box, width int) int32 {
	full := ^uint64(0) >> (64 - width)
	r := setAll
	for arg := 5; arg >= 0; arg-- {
		r = s.and(r, s.masked(arg, b.mask[arg]&full, b.value[arg]&full))
	}
	return r
}

// wide reports whether a box's value has bits above the low 32, which
// libseccomp drops on an ABI whose arguments it compares on 32 bits, and
// Translate keeps (the condition never holds).
func (b box) wide() bool {
	for _, m := range b.value {
		if bits.Len64(m) > 32 {
			return true
		}
	}
	return false
}
