package analysis

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/sysfence/seccomp/filter"
)

// Input is one seccomp_data in the analysis's terms: its fields as
// numbers, independent of byte order.
type Input [NumFields]uint32

// InputOf returns the fields of d.
func InputOf(d *filter.SeccompData) Input {
	var in Input
	in[FieldArch] = d.Arch
	in[FieldNr] = uint32(d.Nr)
	in[FieldIPHi] = uint32(d.InstructionPointer >> 32)
	in[FieldIPLo] = uint32(d.InstructionPointer)
	for i, a := range d.Args {
		in[ArgHi(i)] = uint32(a >> 32)
		in[ArgLo(i)] = uint32(a)
	}
	return in
}

// Data returns the seccomp_data with fields in.
func (in *Input) Data() filter.SeccompData {
	d := filter.SeccompData{
		Arch:               in[FieldArch],
		Nr:                 int32(in[FieldNr]),
		InstructionPointer: uint64(in[FieldIPHi])<<32 | uint64(in[FieldIPLo]),
	}
	for i := range d.Args {
		d.Args[i] = uint64(in[ArgHi(i)])<<32 | uint64(in[ArgLo(i)])
	}
	return d
}

// Eval returns the value of the valued function f (or 0 and 1 for a
// Boolean one) on in.
func (s *Space) Eval(f Node, in *Input) uint32 {
	for {
		nd := s.nodes[f]
		if nd.v == leafVar {
			return nd.lo
		}
		fld, b := fieldOf(nd.v)
		if in[fld]>>b&1 == 1 {
			f = Node(nd.hi)
		} else {
			f = Node(nd.lo)
		}
	}
}

// Cube is a set of inputs that fixes some bits of each field and leaves
// the others free: the inputs whose field i satisfies
// field & Mask[i] == Value[i].
type Cube struct {
	Mask, Value [NumFields]uint32
}

// Contains reports whether in lies in c.
func (c *Cube) Contains(in *Input) bool {
	for i := range in {
		if in[i]&c.Mask[i] != c.Value[i] {
			return false
		}
	}
	return true
}

// Witness returns the smallest input in c: its free bits cleared.
func (c *Cube) Witness() Input { return Input(c.Value) }

// String writes the cube's constraints, field by field, as
// "nr == 0x27, args[1] & 0xffffffff == 0x5412"; the empty constraint is
// "any".
func (c *Cube) String() string {
	var parts []string
	for f := Field(0); f < FieldArg0Hi; f++ {
		if p := constraint(f.String(), uint64(c.Mask[f]), uint64(c.Value[f]), 0xffffffff); p != "" {
			parts = append(parts, p)
		}
	}
	for i := 0; i < 6; i++ {
		m := uint64(c.Mask[ArgHi(i)])<<32 | uint64(c.Mask[ArgLo(i)])
		v := uint64(c.Value[ArgHi(i)])<<32 | uint64(c.Value[ArgLo(i)])
		if p := constraint(fmt.Sprintf("arg%d", i), m, v, 1<<64-1); p != "" {
			parts = append(parts, p)
		}
	}
	m := uint64(c.Mask[FieldIPHi])<<32 | uint64(c.Mask[FieldIPLo])
	v := uint64(c.Value[FieldIPHi])<<32 | uint64(c.Value[FieldIPLo])
	if p := constraint("instruction_pointer", m, v, 1<<64-1); p != "" {
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, ", ")
}

func constraint(name string, mask, value, full uint64) string {
	switch mask {
	case 0:
		return ""
	case full:
		return fmt.Sprintf("%s == %#x", name, value)
	}
	return fmt.Sprintf("%s & %#x == %#x", name, mask, value)
}

// Cubes calls yield with each path of f from its root to a leaf: disjoint
// cubes that together cover every input, each with the value f gives all
// of it (for a Boolean f, 0 or 1). It stops when yield returns false.
// Paths are visited with clear bits before set bits, most significant
// variable first, so the order is deterministic.
func (s *Space) Cubes(f Node, yield func(c *Cube, value uint32) bool) {
	var c Cube
	s.cubes(f, &c, yield)
}

func (s *Space) cubes(f Node, c *Cube, yield func(*Cube, uint32) bool) bool {
	nd := s.nodes[f]
	if nd.v == leafVar {
		return yield(c, nd.lo)
	}
	fld, b := fieldOf(nd.v)
	bit := uint32(1) << b
	c.Mask[fld] |= bit
	ok := s.cubes(Node(nd.lo), c, yield)
	if ok {
		c.Value[fld] |= bit
		ok = s.cubes(Node(nd.hi), c, yield)
		c.Value[fld] &^= bit
	}
	c.Mask[fld] &^= bit
	return ok
}

// Differ returns the Boolean function that holds where the valued
// functions f and g give different values.
func (s *Space) Differ(f, g Node) Node {
	return s.apply2(f, g, func(a, b uint32) Node {
		if a != b {
			return True
		}
		return False
	}, make(map[[2]Node]Node))
}

// Where returns the Boolean function that holds where the valued function
// f gives a value for which keep is true.
func (s *Space) Where(f Node, keep func(uint32) bool) Node {
	memo := make(map[Node]Node)
	var walk func(Node) Node
	walk = func(n Node) Node {
		nd := s.nodes[n]
		if nd.v == leafVar {
			if keep(nd.lo) {
				return True
			}
			return False
		}
		if r, ok := memo[n]; ok {
			return r
		}
		r := s.variable(nd.v, walk(Node(nd.lo)), walk(Node(nd.hi)))
		memo[n] = r
		return r
	}
	return walk(f)
}

// Any returns an input where the Boolean function f holds, or false if f
// never holds. In a reduced diagram every node but False leads to True, so
// one descent finds it.
func (s *Space) Any(f Node) (Input, bool) {
	var in Input
	if f == False {
		return in, false
	}
	for f != True {
		nd := s.nodes[f]
		fld, b := fieldOf(nd.v)
		if Node(nd.lo) != False {
			f = Node(nd.lo)
		} else {
			in[fld] |= 1 << b
			f = Node(nd.hi)
		}
	}
	return in, true
}

// Fix returns f with field fld fixed to value.
func (s *Space) Fix(f Node, fld Field, value uint32) Node {
	for b := 31; b >= 0; b-- {
		f = s.restrict(f, varOf(fld, b), value>>b&1 == 1, make(map[Node]Node))
	}
	return f
}

// Range is the numbers Lo to Hi of a field, both included.
type Range struct{ Lo, Hi uint32 }

// Piece is a set of values of one field on which a function continues
// alike: every value in Ranges, and every value v with v & Mask == Value
// for each of Masked, leads to Sub, a function of the later fields.
type Piece struct {
	Ranges []Range
	Masked []MaskedValue
	Sub    Node
}

// MaskedValue is the set of numbers v with v & Mask == Value.
type MaskedValue struct{ Mask, Value uint32 }

// Split partitions the values of field fld by what f does after it: one
// Piece per distinct function of the fields after fld (a Node), its values
// as merged ranges where the diagram's paths fix leading bits, and as
// masked values where free bits are many and scattered (with at most
// eight scattered free bits, the values are listed as ranges). f must not
// test fields before fld. Pieces are ordered by their smallest value.
func (s *Space) Split(f Node, fld Field) []Piece {
	type path struct{ mask, value uint32 }
	bySub := make(map[Node][]path)
	var order []Node
	var walk func(n Node, mask, value uint32)
	walk = func(n Node, mask, value uint32) {
		nd := s.nodes[n]
		if nd.v == leafVar || Field(nd.v/32) != fld {
			if Field(nd.v/32) < fld && nd.v != leafVar {
				panic("analysis: Split on a function of an earlier field")
			}
			if _, ok := bySub[n]; !ok {
				order = append(order, n)
			}
			bySub[n] = append(bySub[n], path{mask, value})
			return
		}
		_, b := fieldOf(nd.v)
		walk(Node(nd.lo), mask|1<<b, value)
		walk(Node(nd.hi), mask|1<<b, value|1<<b)
	}
	walk(f, 0, 0)
	pieces := make([]Piece, 0, len(order))
	for _, sub := range order {
		p := Piece{Sub: sub}
		var ranges []Range
		for _, c := range bySub[sub] {
			free := ^c.mask
			switch {
			case free&(free+1) == 0: // the free bits are the low ones
				ranges = append(ranges, Range{c.value, c.value | free})
			case bits.OnesCount32(free) <= maxExpand:
				// A few scattered free bits: list the values.
				for sub := free; ; sub = (sub - 1) & free {
					v := c.value | sub
					ranges = append(ranges, Range{v, v})
					if sub == 0 {
						break
					}
				}
			default:
				p.Masked = append(p.Masked, MaskedValue{c.mask, c.value})
			}
		}
		slices.SortFunc(ranges, func(a, b Range) int { return cmp.Compare(a.Lo, b.Lo) })
		for _, r := range ranges {
			if n := len(p.Ranges); n > 0 && p.Ranges[n-1].Hi != math.MaxUint32 && p.Ranges[n-1].Hi+1 == r.Lo {
				p.Ranges[n-1].Hi = r.Hi
				continue
			}
			p.Ranges = append(p.Ranges, r)
		}
		pieces = append(pieces, p)
	}
	return pieces
}

// maxExpand is the most free bits a cube that is not a range may have for
// Split to list its values: 256 of them.
const maxExpand = 8

// Bits returns the number made of the given fields, most significant
// first, as Boolean functions of the input, least significant bit first:
// Bits(ArgHi(1), ArgLo(1)) is argument 1 as 64 bits.
func (s *Space) Bits(fields ...Field) []Node {
	bits := make([]Node, 0, 32*len(fields))
	for i := len(fields) - 1; i >= 0; i-- {
		for b := range 32 {
			bits = append(bits, s.bit(varOf(fields[i], b)))
		}
	}
	return bits
}

// Equal returns the Boolean function "bits & mask == k" for a number of up
// to 64 bits from Bits (bits past its width count as zero).
func (s *Space) Equal(bits []Node, mask, k uint64) Node {
	if k&^mask != 0 {
		return False
	}
	if vars, ok := s.literals(bits); ok {
		// Straight from the least significant bit, which comes last in
		// the order, up: no operation on diagrams.
		r := True
		for i := range 64 {
			if mask>>i&1 == 0 {
				continue
			}
			if i >= len(bits) {
				if k>>i&1 == 1 {
					return False
				}
				continue
			}
			if k>>i&1 == 1 {
				r = s.variable(vars[i], False, r)
			} else {
				r = s.variable(vars[i], r, False)
			}
		}
		return r
	}
	r := True
	for i := 63; i >= 0; i-- {
		if mask>>i&1 == 0 {
			continue
		}
		b := False
		if i < len(bits) {
			b = bits[i]
		}
		if k>>i&1 == 1 {
			r = s.And(r, b)
		} else {
			r = s.And(r, s.Not(b))
		}
	}
	return r
}

// literals returns the variables of bits when each is a single variable
// and they come in the order of the diagram, least significant last.
func (s *Space) literals(bits []Node) ([]uint16, bool) {
	vars := make([]uint16, len(bits))
	for i, b := range bits {
		nd := s.nodes[b]
		if nd.v == leafVar || Node(nd.lo) != False || Node(nd.hi) != True {
			return nil, false
		}
		vars[i] = nd.v
		if i > 0 && vars[i] >= vars[i-1] {
			return nil, false
		}
	}
	return vars, true
}

// Less returns the Boolean function "bits < k", unsigned.
func (s *Space) Less(bits []Node, k uint64) Node {
	if k >= 1<<len(bits) && len(bits) < 64 {
		return True
	}
	if vars, ok := s.literals(bits); ok {
		// Less on bits 0..i is !b_i & k_i, or b_i == k_i and less on
		// bits 0..i-1: built from the least significant bit up.
		r := False
		for i := range bits {
			if k>>i&1 == 1 {
				r = s.variable(vars[i], True, r)
			} else {
				r = s.variable(vars[i], r, False)
			}
		}
		return r
	}
	r := False
	for i := range 64 {
		b := False
		if i < len(bits) {
			b = bits[i]
		}
		if k>>i&1 == 1 {
			r = s.Or(s.Not(b), r)
		} else {
			r = s.And(s.Not(b), r)
		}
	}
	return r
}

// Table returns the function of field fld that is vals[i] where the field
// equals keys[i] and dflt elsewhere. keys must be sorted and distinct, and
// vals and dflt functions of fields after fld only.
func (s *Space) Table(fld Field, keys []uint32, vals []Node, dflt Node) Node {
	var build func(b int, keys []uint32, vals []Node) Node
	build = func(b int, keys []uint32, vals []Node) Node {
		if len(keys) == 0 {
			return dflt
		}
		if b < 0 {
			return vals[0]
		}
		k := 0
		for k < len(keys) && keys[k]>>b&1 == 0 {
			k++
		}
		return s.variable(varOf(fld, b), build(b-1, keys[:k], vals[:k]), build(b-1, keys[k:], vals[k:]))
	}
	return build(31, keys, vals)
}

// Combine returns the valued function whose value on every input is
// op(f's value, g's value), for valued functions f and g. op is called
// once for each pair of leaves that meet.
func (s *Space) Combine(f, g Node, op func(a, b uint32) uint32) Node {
	leaves := make(map[[2]uint32]Node)
	return s.apply2(f, g, func(a, b uint32) Node {
		if n, ok := leaves[[2]uint32{a, b}]; ok {
			return n
		}
		n := s.Leaf(op(a, b))
		leaves[[2]uint32{a, b}] = n
		return n
	}, make(map[[2]Node]Node))
}

// Tests reports whether f depends on field fld: whether some node of its
// diagram tests one of the field's bits.
func (s *Space) Tests(f Node, fld Field) bool {
	seen := make(map[Node]bool)
	var walk func(Node) bool
	walk = func(n Node) bool {
		nd := s.nodes[n]
		if nd.v == leafVar || seen[n] {
			return false
		}
		seen[n] = true
		if v, _ := fieldOf(nd.v); v == fld {
			return true
		}
		if v, _ := fieldOf(nd.v); v > fld {
			return false // variables below come later still
		}
		return walk(Node(nd.lo)) || walk(Node(nd.hi))
	}
	return walk(f)
}
