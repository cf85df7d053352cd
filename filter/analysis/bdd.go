package analysis

import "fmt"

// Node is a decision diagram in a Space: a Boolean function of the input
// bits (a BDD, whose leaves are True and False) or a function from input
// bits to 32-bit filter return values (a multi-terminal BDD, whose leaves
// are values). Nodes are hash-consed: two equal functions of one Space are
// the same Node, so comparing functions is comparing Nodes.
type Node uint32

// The Boolean leaves.
const (
	False Node = 0
	True  Node = 1
)

// leafVar marks a leaf in node.v: it sorts after every variable.
const leafVar = 1<<16 - 1

// node is one entry of the unique table. For an inner node, v is the
// variable it tests and lo, hi the nodes for the bit clear and set. For a
// leaf, v is leafVar, lo its value and hi its kind (0 Boolean, 1 value).
type node struct {
	v      uint16
	lo, hi uint32
}

type iteKey struct{ f, g, h Node }

// Space holds the nodes of the functions it builds, their unique table and
// the memo of its operations. A Space is not safe for concurrent use.
type Space struct {
	nodes  []node
	unique map[node]Node
	ite    map[iteKey]Node
	// limit bounds len(nodes); past it, operations fail with ErrTooLarge.
	limit int
}

// NewSpace returns an empty Space.
func NewSpace() *Space {
	s := &Space{unique: make(map[node]Node), ite: make(map[iteKey]Node), limit: defaultNodeLimit}
	s.mk(node{v: leafVar, lo: 0, hi: 0}) // False
	s.mk(node{v: leafVar, lo: 1, hi: 0}) // True
	return s
}

// defaultNodeLimit bounds a Space's size: 8 million nodes take about
// 300 MB with their tables, far more than any program the kernel accepts
// needs (the Docker default for three ABIs needs tens of thousands).
const defaultNodeLimit = 8 << 20

// errTooLarge is raised by panic inside the recursive operations and
// recovered at the package's entry points.
type errTooLarge struct{}

func (s *Space) mk(n node) Node {
	if id, ok := s.unique[n]; ok {
		return id
	}
	if len(s.nodes) >= s.limit {
		panic(errTooLarge{})
	}
	id := Node(len(s.nodes))
	s.nodes = append(s.nodes, n)
	s.unique[n] = id
	return id
}

// SetLimit bounds the Space to n nodes; an operation that would pass it
// fails with ErrTooLarge and leaves the Space usable.
func (s *Space) SetLimit(n int) { s.limit = n }

// Leaf returns the constant function with value v.
func (s *Space) Leaf(v uint32) Node { return s.mk(node{v: leafVar, lo: v, hi: 1}) }

// Size returns the number of nodes the Space holds.
func (s *Space) Size() int { return len(s.nodes) }

// IsLeaf reports whether n is a value leaf, and its value.
func (s *Space) IsLeaf(n Node) (uint32, bool) {
	nd := s.nodes[n]
	return nd.lo, nd.v == leafVar && nd.hi == 1
}

// variable returns the node testing variable v with lo and hi below it.
func (s *Space) variable(v uint16, lo, hi Node) Node {
	if lo == hi {
		return lo
	}
	return s.mk(node{v: v, lo: uint32(lo), hi: uint32(hi)})
}

// bit returns the Boolean function "variable v is set".
func (s *Space) bit(v uint16) Node { return s.variable(v, False, True) }

// top returns the smallest variable tested at the roots of f, g, h.
func (s *Space) top(ns ...Node) uint16 {
	v := uint16(leafVar)
	for _, n := range ns {
		if nv := s.nodes[n].v; nv < v {
			v = nv
		}
	}
	return v
}

// cofactors returns n with variable v fixed to 0 and to 1.
func (s *Space) cofactors(n Node, v uint16) (Node, Node) {
	nd := s.nodes[n]
	if nd.v != v {
		return n, n
	}
	return Node(nd.lo), Node(nd.hi)
}

// ITE returns "if f then g else h": f must be Boolean; g and h may be
// Boolean or valued (both of one kind).
func (s *Space) ITE(f, g, h Node) Node {
	switch {
	case f == True:
		return g
	case f == False:
		return h
	case g == h:
		return g
	case g == True && h == False:
		return f
	}
	key := iteKey{f, g, h}
	if r, ok := s.ite[key]; ok {
		return r
	}
	v := s.top(f, g, h)
	f0, f1 := s.cofactors(f, v)
	g0, g1 := s.cofactors(g, v)
	h0, h1 := s.cofactors(h, v)
	r := s.variable(v, s.ITE(f0, g0, h0), s.ITE(f1, g1, h1))
	s.ite[key] = r
	return r
}

// Not, And, Or and Xor are the Boolean operations.
func (s *Space) Not(f Node) Node    { return s.ITE(f, False, True) }
func (s *Space) And(f, g Node) Node { return s.ITE(f, g, False) }
func (s *Space) Or(f, g Node) Node  { return s.ITE(f, True, g) }
func (s *Space) Xor(f, g Node) Node { return s.ITE(f, s.Not(g), g) }

// apply2 combines two valued functions leaf by leaf with op, memoised on
// the pair. It is how Diff finds where two programs differ.
func (s *Space) apply2(f, g Node, op func(a, b uint32) Node, memo map[[2]Node]Node) Node {
	if a, ok := s.IsLeaf(f); ok {
		if b, ok := s.IsLeaf(g); ok {
			return op(a, b)
		}
	}
	key := [2]Node{f, g}
	if r, ok := memo[key]; ok {
		return r
	}
	v := s.top(f, g)
	f0, f1 := s.cofactors(f, v)
	g0, g1 := s.cofactors(g, v)
	r := s.variable(v, s.apply2(f0, g0, op, memo), s.apply2(f1, g1, op, memo))
	memo[key] = r
	return r
}

// Restrict returns f with variable v fixed to value.
func (s *Space) restrict(f Node, v uint16, value bool, memo map[Node]Node) Node {
	nd := s.nodes[f]
	if nd.v > v {
		return f
	}
	if r, ok := memo[f]; ok {
		return r
	}
	var r Node
	if nd.v == v {
		if value {
			r = Node(nd.hi)
		} else {
			r = Node(nd.lo)
		}
	} else {
		r = s.variable(nd.v, s.restrict(Node(nd.lo), v, value, memo), s.restrict(Node(nd.hi), v, value, memo))
	}
	memo[f] = r
	return r
}

func (s *Space) String() string { return fmt.Sprintf("analysis.Space(%d nodes)", len(s.nodes)) }
