package main

import (
	"testing"

	"github.com/sysfence/seccomp/filter"
)

// TestLongestPath checks the path analysis on programs whose longest
// feasible path is known.
func TestLongestPath(t *testing.T) {
	ld := func(off uint32) filter.Instruction {
		return filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, off)
	}
	ret := filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow))
	jump := func(op uint16, k uint32, jt, jf uint8) filter.Instruction {
		return filter.Jump(filter.BPF_JMP|op, k, jt, jf)
	}
	for _, tc := range []struct {
		name string
		prog []filter.Instruction
		want int
	}{
		{"ret", []filter.Instruction{ret}, 1},
		{"two ways", []filter.Instruction{ld(0), jump(filter.BPF_JEQ, 1, 0, 1), ret, ld(4), ret}, 4},
		// nr >= 10, then nr < 5 cannot hold: the way of 7 is dead.
		{"infeasible", []filter.Instruction{
			ld(0), jump(filter.BPF_JGE, 10, 0, 4),
			ld(0), jump(filter.BPF_JGE, 5, 1, 0),
			ld(4), ld(4), ret, ret,
		}, 6},
		// A reload of the same word keeps what was learnt.
		{"reload", []filter.Instruction{
			ld(0), jump(filter.BPF_JEQ, 7, 0, 3),
			ld(0), jump(filter.BPF_JEQ, 7, 1, 0),
			ld(4), ret,
		}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := filter.Verify(tc.prog); err != nil {
				t.Fatal(err)
			}
			got, complete := longestPath(tc.prog)
			if got != tc.want || !complete {
				t.Errorf("longestPath = %d, %t; want %d, true", got, complete, tc.want)
			}
		})
	}
}

func TestOptimalAlphabetic(t *testing.T) {
	for _, tc := range []struct {
		w    []int
		want int
	}{
		{[]int{5}, 0},
		{[]int{1, 1}, 2},
		{[]int{1, 1, 1, 1}, 8},
		{[]int{10, 1, 1}, 10 + 2 + 2},
		{[]int{0, 0, 9}, 9},
	} {
		if got := optimalAlphabetic(tc.w); got != tc.want {
			t.Errorf("optimalAlphabetic(%v) = %d, want %d", tc.w, got, tc.want)
		}
	}
}

// TestPolicies compiles every benchmark policy with every contender: this
// module's programs must agree with the policy everywhere and leave every
// call allowed whatever its arguments to the kernel's cache.
func TestPolicies(t *testing.T) {
	docker, err := dockerPolicy()
	if err != nil {
		t.Fatal(err)
	}
	policies := []*Policy{denylistPolicy(), docker, allowlistPolicy("allowlist (60)", serverAllowlist), allowlistPolicy("allowlist (10)", tinyAllowlist)}
	for _, n := range sweepSizes {
		policies = append(policies, randomAllowlist(n))
	}
	for _, p := range policies {
		for _, c := range contenders {
			t.Run(p.Name+"/"+c.Name, func(t *testing.T) {
				r := measure(c, p, dockerProbes, 1)
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				if c.Name != "sysfence" {
					return
				}
				if r.Diffs != 0 {
					t.Errorf("%d of %d decisions differ from the policy; first %s", r.Diffs, r.Probes, r.FirstDiff)
				}
				if r.Cached != r.CacheWant {
					t.Errorf("cache allows %d calls, want %d", r.Cached, r.CacheWant)
				}
				if !r.Complete {
					t.Errorf("longest-path search did not finish")
				}
			})
		}
	}
}
