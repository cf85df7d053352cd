package analysis

import "github.com/sysfence/seccomp/filter"

// alu applies a seccomp ALU operation to a and v bit by bit, with the
// kernel's 32-bit unsigned semantics (filter.Run's). It returns why it
// cannot when the result is not a small function of the input.
func (an *analyser) alu(op filter.ALUOp, a, v *word) (word, string) {
	s := an.s
	var r word
	switch op {
	case filter.ALUAnd:
		for i := range r {
			r[i] = s.And(a[i], v[i])
		}
	case filter.ALUOr:
		for i := range r {
			r[i] = s.Or(a[i], v[i])
		}
	case filter.ALUXor:
		for i := range r {
			r[i] = s.Xor(a[i], v[i])
		}
	case filter.ALUAdd:
		r = an.add(a, v, False)
	case filter.ALUSub:
		var nv word
		for i := range nv {
			nv[i] = s.Not(v[i])
		}
		r = an.add(a, &nv, True)
	case filter.ALUNeg:
		var na word
		for i := range na {
			na[i] = s.Not(a[i])
		}
		zero := an.constant(0)
		r = an.add(&na, &zero, True)
	case filter.ALULsh, filter.ALURsh:
		n, ok := isConst(v)
		if !ok {
			return r, "shift by a value computed from the input"
		}
		n &= 31 // as filter.Run and the kernel's interpreter
		for i := range r {
			j := i - int(n)
			if op == filter.ALURsh {
				j = i + int(n)
			}
			if j >= 0 && j < 32 {
				r[i] = a[j]
			}
		}
	case filter.ALUMul:
		k, ok := isConst(v)
		x := a
		if !ok {
			if k, ok = isConst(a); !ok {
				return r, "multiplication of two values computed from the input"
			}
			x = v
		}
		// Shift and add: x*k is the sum of x<<i over the set bits i of k.
		r = an.constant(0)
		for i := 0; i < 32; i++ {
			if k>>i&1 == 0 {
				continue
			}
			var sh word
			for j := i; j < 32; j++ {
				sh[j] = x[j-i]
			}
			r = an.add(&r, &sh, False)
		}
	case filter.ALUDiv:
		d, ok := isConst(v)
		switch {
		case !ok:
			return r, "division by a value computed from the input"
		case d&(d-1) == 0: // a power of two; 0 is handled by the caller
			n := 0
			for d>>n != 1 {
				n++
			}
			for i := range r {
				if i+n < 32 {
					r[i] = a[i+n]
				}
			}
		default:
			if x, ok := isConst(a); ok {
				return an.constant(x / d), ""
			}
			return r, "division of a value computed from the input by a constant that is not a power of two"
		}
	default:
		return r, "ALU operation seccomp refuses"
	}
	return r, ""
}

// add returns a + b + carry, modulo 2^32, by ripple carry.
func (an *analyser) add(a, b *word, carry Node) word {
	s := an.s
	var r word
	c := carry
	for i := range r {
		axb := s.Xor(a[i], b[i])
		r[i] = s.Xor(axb, c)
		// carry out: a&b | c&(a^b)
		c = s.Or(s.And(a[i], b[i]), s.And(c, axb))
	}
	return r
}

// compare returns the Boolean function "the jump's condition holds".
func (an *analyser) compare(op filter.JumpOp, a, v *word) Node {
	s := an.s
	switch op {
	case filter.JumpEq:
		r := True
		for i := 31; i >= 0 && r != False; i-- {
			r = s.And(r, s.Not(s.Xor(a[i], v[i])))
		}
		return r
	case filter.JumpSet:
		r := False
		for i := range a {
			r = s.Or(r, s.And(a[i], v[i]))
		}
		return r
	case filter.JumpGT, filter.JumpGE:
		// From the least significant bit up: greater on bits 0..i is
		// a_i & !v_i, or a_i == v_i and greater on bits 0..i-1.
		r := False
		if op == filter.JumpGE {
			r = True
		}
		for i := range a {
			gt := s.And(a[i], s.Not(v[i]))
			eq := s.Not(s.Xor(a[i], v[i]))
			r = s.Or(gt, s.And(eq, r))
		}
		return r
	}
	panic("analysis: jump operation that Verify refuses")
}
