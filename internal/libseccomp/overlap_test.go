package libseccomp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	seccomp "github.com/sysfence/seccomp"
)

// TestCheckOverlapAsPairs checks the sweep of checkOverlap against
// comparing every pair, on random rules with few values so that they
// often meet.
func TestCheckOverlapAsPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 20))
	ops := []seccomp.Comparison{seccomp.Eq, seccomp.Ne, seccomp.Lt, seccomp.Le, seccomp.Gt, seccomp.Ge, seccomp.MaskedEq}
	for iter := range 3000 {
		max := uint64(math.MaxUint64)
		if iter%2 == 1 {
			max = math.MaxUint32
		}
		var as []alt
		for i := range 1 + r.IntN(6) {
			var conds []seccomp.Cond
			for range r.IntN(3) {
				c := seccomp.Cond{Arg: r.IntN(2), Op: ops[r.IntN(len(ops))], Value: uint64(r.IntN(8))}
				if c.Op == seccomp.MaskedEq {
					c.Mask = uint64(r.IntN(8))
					c.Value &= c.Mask | uint64(r.IntN(2))
				}
				conds = append(conds, c)
			}
			as = append(as, alt{conds: conds, action: seccomp.Errno(uint16(r.IntN(3))), path: fmt.Sprintf("syscalls[%d]", i)})
		}
		want := false
		for i, a := range as {
			for _, b := range as[:i] {
				if a.action != b.action && satisfiable(append(append([]seccomp.Cond{}, a.conds...), b.conds...), max) {
					want = true
				}
			}
		}
		if got := checkOverlap("ioctl", as, max) != nil; got != want {
			t.Fatalf("rules %+v (max %#x): overlap found %v, by pairs %v", as, max, got, want)
		}
	}
}
