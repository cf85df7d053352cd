package seccomp_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// TestProveBuiltins proves that every built-in policy's program, compiled
// for every ABI, decides exactly as the policy says.
func TestProveBuiltins(t *testing.T) {
	for _, name := range seccomp.BuiltinNames() {
		for _, abi := range tables.All() {
			p, err := seccomp.BuiltinPolicy(name)
			if err != nil {
				t.Fatal(err)
			}
			p.ABIs = []*tables.ABI{abi}
			prog, err := p.Compile()
			if err != nil {
				t.Fatalf("%s for %s: %v", name, abi.Name, err)
			}
			ce, err := p.Prove(prog)
			if err != nil {
				t.Fatalf("%s for %s: Prove: %v", name, abi.Name, err)
			}
			if ce != nil {
				t.Errorf("%s for %s: %v: the program gives %s, the policy %s", name, abi.Name, ce, ce.A, ce.B)
			}
		}
	}
}

// TestProveFindsFlippedJump breaks the sandbox program for x86_64 and
// i386 by flipping each conditional jump in turn: every flip must be
// refuted with a call on which the broken program, run by filter.Run,
// and the policy differ.
func TestProveFindsFlippedJump(t *testing.T) {
	p, _ := seccomp.BuiltinPolicy("sandbox")
	p.ABIs = []*tables.ABI{tables.X86_64, tables.I386}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	insns := prog.Instructions()
	refuted := 0
	for i, ins := range insns {
		if !ins.IsConditionalJump() || ins.Jt == ins.Jf {
			continue
		}
		bad := slices.Clone(insns)
		bad[i].Jt, bad[i].Jf = ins.Jf, ins.Jt
		bp, err := seccomp.NewProgram(bad, p.ABIs...)
		if err != nil {
			continue // a flip of the arch check: no longer covers an ABI
		}
		ce, err := p.Prove(bp)
		if err != nil {
			t.Fatal(err)
		}
		if ce == nil {
			t.Errorf("instruction %d (%v) flipped: Prove finds no difference", i, ins)
			continue
		}
		// The broken program and the right one really answer so.
		var got, want seccomp.Action
		var err1, err2 error
		if ce.ABI != nil {
			got, err1 = bp.EvaluateNr(ce.ABI, uint32(ce.Data.Nr), ce.Data.Args[:]...)
			want, err2 = prog.EvaluateNr(ce.ABI, uint32(ce.Data.Nr), ce.Data.Args[:]...)
		} else { // an arch value no ABI has
			r1, _ := filter.Run(bad, &ce.Data, prog.ByteOrder())
			r2, _ := filter.Run(insns, &ce.Data, prog.ByteOrder())
			got, want = seccomp.ActionOf(r1.Ret), seccomp.ActionOf(r2.Ret)
		}
		if err1 != nil || err2 != nil || got != ce.A || want != ce.B || got == want {
			t.Errorf("instruction %d flipped: counterexample %v: Prove says %s and %s, EvaluateNr %s and %s (%v, %v)", i, ce, ce.A, ce.B, got, want, err1, err2)
		}
		refuted++
	}
	if refuted < 10 {
		t.Fatalf("%d flipped programs refuted", refuted)
	}
	t.Logf("%d flipped programs refuted", refuted)
}

// TestCompareDenyLists compares a --deny ptrace program with a --deny
// ptrace,mount one: they differ in exactly mount, on each covered ABI,
// and the second is stricter.
func TestCompareDenyLists(t *testing.T) {
	abis := []*tables.ABI{tables.X86_64, tables.I386}
	compile := func(names ...string) *seccomp.Program {
		p := &seccomp.Policy{Default: seccomp.Allow, ABIs: abis, Rules: seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), names...)}
		prog, err := p.Compile()
		if err != nil {
			t.Fatal(err)
		}
		return prog
	}
	c, err := seccomp.Compare(compile("ptrace"), compile("ptrace", "mount"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range c.Differences {
		if d.Args != "" || d.Mask != 0 || d.Nr != d.NrLast {
			t.Errorf("difference %+v: want one whole call", d)
		}
		got = append(got, d.ABI.Name+" "+d.Syscall+" "+string(d.Example.A)+" "+string(d.Example.B))
	}
	want := []string{"x86 mount allow errno:EPERM", "x86_64 mount allow errno:EPERM"}
	if !slices.Equal(got, want) {
		t.Errorf("differences %q, want %q", got, want)
	}
	if c.Looser || !c.Stricter {
		t.Errorf("Looser %v, Stricter %v; want the second stricter only", c.Looser, c.Stricter)
	}
}

// BenchmarkProveLong proves a program of about 4,000 instructions: an
// allowlist whose calls each allow a few argument values. "x-compile" is
// the cost of the proof over the cost of compiling, in the same run.
func BenchmarkProveLong(b *testing.B) {
	p := &seccomp.Policy{ABIs: []*tables.ABI{tables.X86_64}}
	abi := tables.X86_64
	for i := 0; i < abi.Len(); i++ {
		name := abi.At(i).Name
		for v := range 2 {
			p.Rules = append(p.Rules, seccomp.Rule{Syscall: name, Action: seccomp.Allow,
				Args: []seccomp.Cond{{Arg: v % 6, Op: seccomp.Eq, Value: uint64(i*7 + v)}}})
		}
	}
	prog, err := p.Compile()
	if err != nil {
		b.Fatal(err)
	}
	if prog.Len() < 3500 {
		b.Fatalf("%d instructions, want about 4,000", prog.Len())
	}
	start := time.Now()
	const compiles = 5
	for range compiles {
		if _, err := p.Compile(); err != nil {
			b.Fatal(err)
		}
	}
	compile := time.Since(start) / compiles
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if ce, err := p.Prove(prog); err != nil || ce != nil {
			b.Fatal(ce, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(compile), "x-compile")
	b.ReportMetric(float64(prog.Len()), "insns")
}

// TestExplain names the rule that decides each call of the strict
// sandbox, on x86_64 and through i386's socketcall, and agrees with the
// compiled program on every one.
func TestExplain(t *testing.T) {
	p, _ := seccomp.BuiltinPolicy("sandbox-strict")
	ruleOf := func(name string, action seccomp.Action) int {
		for i, r := range p.Rules {
			if r.Syscall == name && r.Action == action && len(r.Args) == 0 {
				return i
			}
		}
		t.Fatalf("no rule %s %s", name, action)
		return -1
	}
	for _, tc := range []struct {
		abi  *tables.ABI
		call string
		args []uint64
		rule int
		by   string
	}{
		{tables.X86_64, "mount", nil, ruleOf("mount", seccomp.ErrnoNamed("EPERM")), ""},
		{tables.X86_64, "read", nil, -1, "Default"},
		{tables.X86_64, "unshare", []uint64{0x10000000}, ruleOf("unshare", seccomp.ErrnoNamed("EPERM")), ""},
		{tables.X86_64, "clone3", nil, ruleOf("clone3", seccomp.ErrnoNamed("ENOSYS")), ""},
		{tables.I386, "mount", nil, ruleOf("mount", seccomp.ErrnoNamed("EPERM")), ""},
	} {
		nr, _ := tc.abi.Number(tc.call)
		d, err := p.Explain(tc.abi, nr, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		if d.Rule != tc.rule || d.By != tc.by {
			t.Errorf("%s %s: rule %d by %q, want rule %d by %q", tc.abi.Name, tc.call, d.Rule, d.By, tc.rule, tc.by)
		}
		q := *p
		q.ABIs = []*tables.ABI{tc.abi}
		prog, err := q.Compile()
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := prog.EvaluateNr(tc.abi, nr, tc.args...); got != d.Action {
			t.Errorf("%s %s: Explain says %s, the program %s", tc.abi.Name, tc.call, d.Action, got)
		}
	}
	// A number no table has, and an ABI the policy does not cover.
	if d, _ := p.Explain(tables.X86_64, 999); d.By != "Unknown" || d.Action != seccomp.ErrnoNamed("ENOSYS") {
		t.Errorf("nr 999: %+v, want Unknown ENOSYS", d)
	}
}
