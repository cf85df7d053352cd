package seccomp

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/golden"

	"github.com/sysfence/seccomp/tables"
)

// TestProgramsUnchanged compiles a few hundred random policies through the
// public API and compares a digest of each program (or the error) with
// testdata/programs.golden, recorded when the file was last rewritten. A
// refactoring of the compiler must leave it untouched; a change of a
// program's shape or decisions rewrites it on purpose (-update)
// and says why in its commit.
func TestProgramsUnchanged(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 2026))
	var b strings.Builder
	for i := range 300 {
		p := randomPolicy(r)
		prog, err := p.Compile()
		if err != nil {
			fmt.Fprintf(&b, "%d error\n", i) // the wording may change; the refusal may not
			continue
		}
		var raw bytes.Buffer
		if _, err := prog.WriteTo(&raw); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %d %x\n", i, prog.Len(), sha256.Sum256(raw.Bytes()))
	}
	golden.Check(t, filepath.Join("testdata", "programs.golden"), []byte(b.String()))
}

// abiSets are the ABI combinations random policies cover: each one alone,
// and the native-plus-compat sets a launcher uses.
var abiSets = func() [][]*tables.ABI {
	var sets [][]*tables.ABI
	for _, abi := range tables.All() {
		sets = append(sets, []*tables.ABI{abi})
	}
	return append(sets,
		[]*tables.ABI{tables.X86_64, tables.I386},
		[]*tables.ABI{tables.X86_64, tables.I386, tables.X32},
		[]*tables.ABI{tables.X32, tables.X86_64},
		[]*tables.ABI{tables.AArch64, tables.ARM},
		[]*tables.ABI{tables.MIPS64, tables.MIPS64N32, tables.MIPS},
	)
}()

// randomPolicy returns a policy with up to 40 rules over names of its
// first ABI, conditions of every operator, and every kind of action.
func randomPolicy(r *rand.Rand) *Policy {
	abis := abiSets[r.IntN(len(abiSets))]
	p := &Policy{ABIs: abis, Default: randomAction(r), Foreign: randomAction(r), Unknown: randomAction(r)}
	if r.IntN(4) == 0 {
		p.Unknown = ""
	}
	first := abis[0]
	closed := make(map[string]bool)
	for range r.IntN(40) {
		name := first.At(r.IntN(first.Len())).Name
		if closed[name] {
			continue
		}
		rule := Rule{Syscall: name, Action: randomAction(r)}
		if len(abis) > 1 && r.IntN(5) == 0 {
			rule.ABIs = abis[:1+r.IntN(len(abis)-1)]
		}
		if r.IntN(3) > 0 {
			for range 1 + r.IntN(3) {
				rule.Args = append(rule.Args, randomCond(r, narrowest(abis)))
			}
		} else if rule.ABIs == nil {
			closed[name] = true
		}
		p.Rules = append(p.Rules, rule)
	}
	return p
}

// narrowest returns the smallest word size among abis.
func narrowest(abis []*tables.ABI) int {
	w := 8
	for _, abi := range abis {
		w = min(w, abi.WordSize)
	}
	return w
}

func randomAction(r *rand.Rand) Action {
	switch r.IntN(9) {
	case 0:
		return KillProcess
	case 1:
		return KillThread
	case 2:
		return Trap
	case 3:
		return Errno(uint16(r.IntN(4096)))
	case 4:
		return ErrnoNamed([]string{"EPERM", "ENOSYS", "EACCES", "EINVAL"}[r.IntN(4)])
	case 5:
		return Trace(uint16(r.IntN(1 << 16)))
	case 6:
		return Log
	case 7:
		return Notify
	}
	return Allow
}

// randomCond returns a condition whose values fit words of wordSize bytes,
// drawn near the edges where comparisons change outcome.
func randomCond(r *rand.Rand, wordSize int) Cond {
	value := func() uint64 {
		v := []uint64{0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 0xffffffff00000000, ^uint64(0), r.Uint64()}[r.IntN(10)]
		if wordSize == 4 {
			v = uint64(uint32(v))
		}
		return v
	}
	c := Cond{Arg: r.IntN(6), Op: Eq + Comparison(r.IntN(7)), Value: value()}
	if c.Op == MaskedEq {
		c.Mask = value()
	}
	return c
}

// TestProveRandomPolicies proves the program of each random policy of
// TestProgramsUnchanged decides every input as the policy says.
func TestProveRandomPolicies(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 2026))
	proved, n := 0, 300
	if testing.Short() {
		n = 30 // the qemu guests run -short, under emulation
	}
	for range n {
		p := randomPolicy(r)
		prog, err := p.Compile()
		if err != nil {
			continue
		}
		ce, err := p.Prove(prog)
		if err != nil {
			t.Fatal(err)
		}
		if ce != nil {
			t.Fatalf("%v: the program gives %s, the policy %s", ce, ce.A, ce.B)
		}
		proved++
	}
	if proved < n/3 {
		t.Errorf("only %d of %d random policies compiled", proved, n)
	}
}
