//go:build linux

package main

import (
	"math/rand/v2"
	"slices"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// argRules are argument rules for getpid, which ignores its arguments and
// never fails, so every error it returns is the filter's: error n (1..6)
// for the n'th rule that holds first. Together they use every operator,
// both halves of 64-bit arguments (wide, for ABIs whose WordSize is 8) and
// the 32-bit words of the others (narrow).
func argRules(wide bool) [][]seccomp.Cond {
	c := func(arg int, op seccomp.Comparison, v uint64) seccomp.Cond {
		return seccomp.Cond{Arg: arg, Op: op, Value: v}
	}
	masked := func(arg int, mask, v uint64) seccomp.Cond {
		return seccomp.Cond{Arg: arg, Op: seccomp.MaskedEq, Mask: mask, Value: v}
	}
	if wide {
		return [][]seccomp.Cond{
			{c(0, seccomp.Eq, 0x1_0000_0002)},
			{c(1, seccomp.Gt, 0xffff_ffff)},
			{masked(2, 0xf0f0_0000_0000_00ff, 0x1010_0000_0000_0001)},
			{c(3, seccomp.Ge, 3), c(3, seccomp.Lt, 9), c(4, seccomp.Ne, 7)},
			{c(5, seccomp.Ge, 0x8000_0000_0000_0000)},
			{c(0, seccomp.Ge, 0x1_0000_0000), c(0, seccomp.Le, 0xffff_fffe_0000_0000)},
		}
	}
	return [][]seccomp.Cond{
		{c(0, seccomp.Eq, 2)},
		{c(1, seccomp.Gt, 0x7fff_ffff)},
		{masked(2, 0xf0f0_00ff, 0x1010_0001)},
		{c(3, seccomp.Ge, 3), c(3, seccomp.Lt, 9), c(4, seccomp.Ne, 7)},
		{c(5, seccomp.Ge, 0xffff_0000)},
		{c(0, seccomp.Ge, 0x1000), c(0, seccomp.Le, 0xfffe_0000)},
	}
}

// argsPolicy gives getpid the errors of argRules, on each ABI the rules
// of its word size, and allows everything else.
func argsPolicy() *seccomp.Policy {
	var wide, narrow []*tables.ABI
	for _, abi := range tables.All() {
		if abi.WordSize == 8 {
			wide = append(wide, abi)
		} else {
			narrow = append(narrow, abi)
		}
	}
	p := &seccomp.Policy{Default: seccomp.Allow}
	for _, set := range []struct {
		abis []*tables.ABI
		wide bool
	}{{wide, true}, {narrow, false}} {
		for i, conds := range argRules(set.wide) {
			p.Rules = append(p.Rules, seccomp.Rule{
				Syscall: "getpid", Action: seccomp.Errno(uint16(i + 1)), Args: conds, ABIs: set.abis,
			})
		}
	}
	return p
}

// argValues are the values the argument vectors are made of: those at and
// around the rules' constants, in both halves of a word.
var argValues = []uint64{
	0, 1, 2, 3, 5, 7, 8, 9, 0xdead, 0x1000, 0xfff, 0x7fff_ffff, 0x8000_0000,
	0x1010_0001, 0x1010_00ff, 0xf0f0_0001, 0xfffe_0000, 0xfffe_0001, 0xffff_0000, 0xffff_ffff,
	0x1_0000_0000, 0x1_0000_0001, 0x1_0000_0002, 0x2_0000_0002,
	0x1010_0000_0000_0001, 0x1010_0000_0000_00ff, 0xf0f0_0000_0000_0001,
	0xffff_fffe_0000_0000, 0xffff_fffe_0000_0001,
	0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff,
}

// argVectors returns the argument vectors of an args check: each value
// alone in each argument, each rule's constants together, and random
// combinations (from a fixed seed, so every run asks the same). With
// bits 32 every value is cut to its low word and the list deduplicated.
func argVectors(bits int) [][6]uint64 {
	values := argValues
	if bits == 32 {
		values = nil
		for _, v := range argValues {
			if !slices.Contains(values, v&0xffff_ffff) {
				values = append(values, v&0xffff_ffff)
			}
		}
	}
	var vecs [][6]uint64
	for arg := range 6 {
		for _, v := range values {
			var vec [6]uint64
			vec[arg] = v
			vecs = append(vecs, vec)
		}
	}
	for _, conds := range argRules(bits == 64) {
		var vec [6]uint64
		for _, c := range conds {
			vec[c.Arg] = c.Value
		}
		vecs = append(vecs, vec)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		var vec [6]uint64
		for i := range vec {
			vec[i] = values[rng.IntN(len(values))]
		}
		vecs = append(vecs, vec)
	}
	return vecs
}
