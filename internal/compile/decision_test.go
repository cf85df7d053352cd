package compile

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/filter/analysis"
)

// checkAnalysis fails unless the exact decision of prog gives every input
// what filter.Run gives it, in the byte order of the input's arch value.
func checkAnalysis(t *testing.T, prog []filter.Instruction, inputs []filter.SeccompData) {
	t.Helper()
	s := analysis.NewSpace()
	fs := map[bool]analysis.Node{}
	for _, big := range []bool{false, true} {
		order := binary.ByteOrder(binary.LittleEndian)
		if big {
			order = binary.BigEndian
		}
		f, err := s.Analyze(prog, order)
		if err != nil {
			t.Fatalf("Analyze: %v", err)
		}
		fs[big] = f
	}
	for _, d := range inputs {
		big := d.Arch&auditLE == 0
		order := binary.ByteOrder(binary.LittleEndian)
		if big {
			order = binary.BigEndian
		}
		want, err := filter.Run(prog, &d, order)
		if err != nil {
			t.Fatal(err)
		}
		in := analysis.InputOf(&d)
		if got := s.Eval(fs[big], &in); got != uint32(want.Ret) {
			t.Fatalf("on %+v the analysis gives %#x, filter.Run %#x", d, got, uint32(want.Ret))
		}
	}
}

// checkProof fails unless Prove finds prog exactly p's program.
func checkProof(t *testing.T, p *Policy, prog []filter.Instruction) {
	t.Helper()
	ce, err := p.Prove(prog)
	if err != nil {
		t.Fatalf("Prove: %v", err)
	}
	if ce != nil {
		t.Fatalf("Prove: the program gives %v, the policy %v, on %+v", ce.Program, ce.Policy, ce.Data)
	}
}

// TestProveRandomPolicies proves the compiler's program of random
// policies, drawn as FuzzCompile draws them, and then breaks each program
// by flipping one conditional jump: Prove must find an input where the
// broken program and the policy disagree, unless the flip changes nothing
// (both branches lead to one decision), which the analysis shows too.
func TestProveRandomPolicies(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	proved, broken, harmless := 0, 0, 0
	for range 400 {
		data := make([]byte, 64+r.IntN(512))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		p := (&fuzzSource{b: data}).policy()
		prog, err := Compile(p)
		if errors.Is(err, filter.ErrTooLong) {
			continue
		}
		if err != nil {
			t.Fatalf("Compile: %v", err)
		}
		checkProof(t, p, prog)
		proved++

		var jumps []int
		for i, ins := range prog {
			if ins.IsConditionalJump() && ins.Jt != ins.Jf {
				jumps = append(jumps, i)
			}
		}
		if len(jumps) == 0 {
			continue
		}
		bad := append([]filter.Instruction(nil), prog...)
		i := jumps[r.IntN(len(jumps))]
		bad[i].Jt, bad[i].Jf = bad[i].Jf, bad[i].Jt
		ce, err := p.Prove(bad)
		if err != nil {
			t.Fatalf("Prove: %v", err)
		}
		if ce == nil {
			harmless++
			continue
		}
		broken++
		// Prove's answers come from filter.Run and Evaluate themselves.
		order := binary.ByteOrder(binary.BigEndian)
		if ce.Data.Arch&auditLE != 0 {
			order = binary.LittleEndian
		}
		res, _ := filter.Run(bad, &ce.Data, order)
		if res.Ret != ce.Program || p.Evaluate(&ce.Data) != ce.Policy || ce.Program == ce.Policy {
			t.Fatalf("counterexample %+v does not show a difference", ce)
		}
	}
	t.Logf("%d programs proved; %d with one jump flipped refuted, %d flips changed nothing", proved, broken, harmless)
	if broken < proved/2 {
		t.Errorf("only %d of %d flipped programs refuted", broken, proved)
	}
}
