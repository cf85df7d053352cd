package compile

import (
	"errors"
	"github.com/sysfence/seccomp/filter"
	"math"
	"slices"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

// fuzzSource hands out the fuzzer's bytes as small decisions; once they
// run out every decision is zero.
type fuzzSource struct{ b []byte }

func (s *fuzzSource) byte() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

// intn returns a number in 0..n-1, for n <= 256.
func (s *fuzzSource) intn(n int) int { return int(s.byte()) % n }

func (s *fuzzSource) uint64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(s.byte())
	}
	return v
}

// fuzzActions are the actions policies draw from; a few stand for many so
// that neighbours often share one and spans merge.
var fuzzActions = []filter.Action{filter.Allow, filter.Allow, filter.KillProcess, filter.Errno(1), filter.Errno(38), filter.KillThread, filter.Trap, filter.Trap | 1, filter.Trap | 2, filter.Log, filter.Trace(3), filter.Notify}

func (s *fuzzSource) action() filter.Action {
	if i := s.intn(len(fuzzActions) + 1); i < len(fuzzActions) {
		return fuzzActions[i]
	}
	return filter.Errno(uint16(s.byte()))
}

// value returns an argument constant, often one at an edge of a word.
func (s *fuzzSource) value(wide bool) uint64 {
	edges := []uint64{0, 1, 2, 0x7fffffff, 0x80000000, math.MaxUint32, 1 << 32, 1<<32 + 1, 1 << 63, math.MaxUint64}
	var v uint64
	switch i := s.intn(len(edges) + 2); {
	case i < len(edges):
		v = edges[i]
	case i == len(edges):
		v = uint64(s.byte())
	default:
		v = s.uint64()
	}
	if !wide {
		v &= math.MaxUint32
	}
	return v
}

// policy builds a valid policy over one to three ABIs of tables.All.
func (s *fuzzSource) policy() *Policy {
	all := tables.All()
	p := &Policy{Foreign: s.action(), X32: s.action()}
	for range 1 + s.intn(3) {
		abi := all[s.intn(len(all))]
		if p.covered(abi.Name) != nil {
			continue
		}
		p.ABIs = append(p.ABIs, s.abiPolicy(abi))
	}
	return p
}

func (s *fuzzSource) abiPolicy(abi *tables.ABI) ABIPolicy {
	ap := ABIPolicy{ABI: abi, Default: s.action(), Unknown: s.action()}
	seen := make(map[uint32]bool)
	i := 0
	for range s.intn(48) {
		if s.intn(2) == 0 { // often the next number, to make runs
			i++
		} else {
			i = s.intn(256) * abi.Len() / 256
		}
		i %= abi.Len()
		nr := abi.At(i).Nr
		if s.intn(8) == 0 {
			// Now and then a number the table does not have, as a
			// rule by number (syscall(-1), a call newer than the
			// table) gives.
			if out := outsideTable(abi, s.intn(256)); out != 0 {
				nr = out
			}
		}
		if seen[nr] {
			continue
		}
		seen[nr] = true
		ap.Rules = append(ap.Rules, s.rule(nr, abi.WordSize == 8))
	}
	return ap
}

// outsideTable returns the k'th of a few numbers of abi that its table
// does not have, or 0 if it has none such (k is taken modulo their count).
func outsideTable(abi *tables.ABI, k int) uint32 {
	last := abi.At(abi.Len() - 1).Nr
	var cands []uint32
	for _, nr := range []uint32{abi.NrBit, last + 1, last + 2, last + 100, abi.NrBit | 0x3fffffff, 0x80000000, 0x80000005, 0xfffffffe, 0xffffffff} {
		if _, in := abi.SyscallName(nr); !in && owner(abi.Audit, nr) == abi {
			cands = append(cands, nr)
		}
	}
	if len(cands) == 0 {
		return 0
	}
	return cands[k%len(cands)]
}

func (s *fuzzSource) rule(nr uint32, wide bool) Rule {
	r := Rule{Nr: nr, Action: s.action()}
	if s.intn(3) != 0 {
		return r
	}
	for range s.intn(4) {
		ar := ArgRule{Action: s.action()}
		for range s.intn(4) {
			// One byte picks the argument and whether the condition
			// is narrow (compares the low 32 bits only).
			b := s.byte()
			c := Cond{Arg: int(b&0x7f) % 6, Narrow: b&0x80 != 0, Op: OpEq + Op(s.intn(int(OpMaskedEq)))}
			c.Value, c.Mask = s.value(c.wide(wide)), s.value(c.wide(wide))
			ar.Conds = append(ar.Conds, c)
		}
		r.Args = append(r.Args, ar)
	}
	return r
}

// FuzzCompile compiles random policies and checks that the program passes
// Verify, returns each action once per region, leaves every system call allowed
// whatever its arguments to the kernel's action cache, and returns what
// Policy.Evaluate says for system calls around every edge of the policy and
// for random ones; and that Prove, which decides every input at once,
// agrees: the fuzzer checks the prover as well as the compiler.
func FuzzCompile(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x01\x02\x00\x03\x04\x30\x00\x05\x06\x07\x08\x09\x0a\x0b\x0c"))
	f.Add([]byte("\x00\x00\x02\x02\x00\x01\x02\x00\x06\x20\x01\x00\x02\x01\x03\x02\x00\x03\x05\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\x01\x02\x03\x04\x05"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &fuzzSource{b: data}
		p := s.policy()
		prog, err := Compile(p)
		if errors.Is(err, filter.ErrTooLong) {
			return
		}
		if err != nil {
			t.Fatalf("Compile: %v", err)
		}
		if err := filter.Verify(prog); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		checkRets(t, p, prog)
		checkCache(t, p, prog)
		inputs := append(probes(p), s.randomProbes(p)...)
		checkPolicy(t, p, prog, inputs)
		checkAnalysis(t, prog, inputs)
		checkProof(t, p, prog)
	})
}

// randomProbes returns seccomp_data from the fuzzer's remaining bytes.
func (s *fuzzSource) randomProbes(p *Policy) []filter.SeccompData {
	var out []filter.SeccompData
	for len(s.b) > 0 {
		ap := p.ABIs[s.intn(len(p.ABIs))]
		d := filter.SeccompData{Arch: ap.ABI.Audit, Nr: int32(s.uint64())}
		if len(ap.Rules) > 0 && s.intn(2) == 0 {
			d.Nr = int32(ap.Rules[s.intn(len(ap.Rules))].Nr)
		}
		for i := range d.Args {
			d.Args[i] = s.value(true)
		}
		out = append(out, d)
	}
	return out
}

// checkCache fails unless the kernel's action cache marks allowed every
// system call that a covered ABI allows without argument rules, and only
// calls that the policy allows (with all arguments zero, as Analyze runs
// them) or that the kernel exempts.
func checkCache(t *testing.T, p *Policy, prog []filter.Instruction) {
	t.Helper()
	for i := range p.ABIs {
		ap := &p.ABIs[i]
		st, err := filter.Analyze(prog, ap.ABI)
		if err != nil {
			t.Fatalf("Analyze: %v", err)
		}
		if ap.ABI.NrBit != 0 {
			continue // the kernel caches no x32 numbers
		}
		for _, name := range cacheableAllowed(p, ap) {
			if !slices.Contains(st.CacheAllowedNames, name) {
				t.Errorf("%s: %s is allowed without argument rules but not cache-allowed\n%s", ap.ABI.Name, name, filter.Disassemble(prog, ap.ABI))
			}
		}
		for _, name := range st.CacheAllowedNames {
			n, _ := ap.ABI.Number(name)
			d := filter.SeccompData{Arch: ap.ABI.Audit, Nr: int32(n)}
			if p.Evaluate(&d) != filter.Allow && !filter.CacheExempt(ap.ABI, name) {
				t.Errorf("%s: %s is cache-allowed but the policy gives it %v", ap.ABI.Name, name, p.Evaluate(&d))
			}
		}
	}
}

// TestFuzzSourceCoversABIs checks that the fuzzer can reach every ABI
// and both widths of argument.
func TestFuzzSourceCoversABIs(t *testing.T) {
	seen := make(map[string]bool)
	for i := range 256 {
		s := &fuzzSource{b: []byte{0, 0, 0, byte(i)}} // Foreign, X32, one ABI, which
		for _, ap := range s.policy().ABIs {
			seen[ap.ABI.Name] = true
		}
	}
	for _, abi := range tables.All() {
		if !seen[abi.Name] {
			t.Errorf("fuzzSource never picks %s", abi.Name)
		}
	}
}
