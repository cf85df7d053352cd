package main

import (
	"math"

	"github.com/sysfence/seccomp/filter"
)

// longestPath returns the largest number of instructions prog runs for
// any seccomp_data, the return included, and whether the search finished
// within its budget (if not, the result is a lower bound).
//
// It follows every path that some input could take: each word of
// seccomp_data is known to lie in an interval, narrowed by the jumps
// that compare it, and a branch whose condition no value of the interval
// can meet is not taken. Values computed from a word (after "and") keep
// an interval of their own. The analysis is sound (it never misses a
// path an input takes) and exact for the comparisons of words with
// constants that seccomp programs consist of.
func longestPath(prog []filter.Instruction) (int, bool) {
	s := pathSearch{prog: prog, budget: 5_000_000}
	var st absState
	for i := range st.lo {
		st.hi[i] = math.MaxUint32
	}
	st.w = -1
	s.walk(0, 0, st)
	return s.best, s.budget > 0
}

// absState is what a path knows: an interval per word of seccomp_data,
// and A's interval, tied to word w when A holds that word unchanged.
type absState struct {
	lo, hi   [filter.SeccompDataSize / 4]uint32
	w        int
	alo, ahi uint32
}

type pathSearch struct {
	prog   []filter.Instruction
	best   int
	budget int
}

func (s *pathSearch) walk(pc, steps int, st absState) {
	for ; pc < len(s.prog); pc++ {
		if s.budget--; s.budget <= 0 {
			return
		}
		ins := s.prog[pc]
		steps++
		switch {
		case ins.Code == filter.BPF_LD|filter.BPF_W|filter.BPF_ABS:
			w := int(ins.K / 4)
			st.w, st.alo, st.ahi = w, st.lo[w], st.hi[w]
		case ins.Class() == filter.BPF_RET:
			s.best = max(s.best, steps)
			return
		case ins.Code == filter.BPF_JMP|filter.BPF_JA:
			pc += int(ins.K)
		case ins.IsJump() && ins.Code&filter.BPF_X == 0:
			yes, okYes := st.branch(ins.Code&0xf0, ins.K, true)
			no, okNo := st.branch(ins.Code&0xf0, ins.K, false)
			if okYes {
				s.walk(pc+1+int(ins.Jt), steps, yes)
			}
			if okNo {
				s.walk(pc+1+int(ins.Jf), steps, no)
			}
			return
		case ins.IsJump(): // compares with X: both ways
			s.walk(pc+1+int(ins.Jt), steps, st)
			s.walk(pc+1+int(ins.Jf), steps, st)
			return
		case ins.Code == filter.BPF_ALU|filter.BPF_AND|filter.BPF_K:
			if st.alo == st.ahi {
				st.alo &= ins.K
				st.ahi = st.alo
			} else {
				st.alo, st.ahi = 0, min(st.ahi, ins.K)
			}
			st.w = -1
		default: // anything else: A is unknown
			st.w, st.alo, st.ahi = -1, 0, math.MaxUint32
		}
	}
}

// branch returns the state on the side of a jump where "A op k" is
// taken (holds) or not, and whether that side is reachable.
func (st absState) branch(op uint16, k uint32, holds bool) (absState, bool) {
	lo, hi := st.alo, st.ahi
	switch op {
	case filter.BPF_JEQ:
		if holds {
			if k < lo || k > hi {
				return st, false
			}
			lo, hi = k, k
		} else {
			if lo == k && hi == k {
				return st, false
			}
			if lo == k {
				lo++
			} else if hi == k {
				hi--
			}
		}
	case filter.BPF_JGT:
		if holds {
			if hi <= k {
				return st, false
			}
			lo = max(lo, k+1)
		} else {
			if lo > k {
				return st, false
			}
			hi = min(hi, k)
		}
	case filter.BPF_JGE:
		if holds {
			if hi < k {
				return st, false
			}
			lo = max(lo, k)
		} else {
			if lo >= k {
				return st, false
			}
			hi = min(hi, k-1)
		}
	case filter.BPF_JSET:
		if lo == hi && (lo&k != 0) != holds {
			return st, false
		}
		return st, true
	}
	st.alo, st.ahi = lo, hi
	if st.w >= 0 {
		st.lo[st.w], st.hi[st.w] = lo, hi
	}
	return st, true
}
