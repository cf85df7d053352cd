package seccomp

import (
	"errors"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// workloadMean is the mean of the instructions prog runs for the calls
// of counts, each as often as counts says, arguments zero.
func workloadMean(t *testing.T, prog *Program, abi *tables.ABI, counts map[string]uint64) float64 {
	t.Helper()
	var sum, total uint64
	for name, n := range counts {
		nr, ok := abi.Number(name)
		if !ok {
			t.Fatalf("no %s on %s", name, abi.Name)
		}
		res, err := filter.Run(prog.Instructions(), &filter.SeccompData{Nr: int32(nr), Arch: abi.Audit}, abi.ByteOrder())
		if err != nil {
			t.Fatal(err)
		}
		sum += n * uint64(res.Steps)
		total += n
	}
	return float64(sum) / float64(total)
}

// TestWeightsShortenRecordedWorkload: with a workload's own counts as
// Weights, its calls run fewer instructions on average than under the
// default weights, and every decision stays the same.
func TestWeightsShortenRecordedWorkload(t *testing.T) {
	abi := tables.X86_64
	// The Docker-like shape: a denylist with argument rules, and a
	// workload that calls a few high numbers most.
	counts := map[string]uint64{"epoll_pwait": 5000, "futex": 3000, "read": 800, "write": 700, "getrandom": 400, "pwritev2": 300, "accept4": 200, "openat": 50}
	base := &Policy{Default: Allow, ABIs: []*tables.ABI{abi}, Rules: []Rule{
		{Syscall: "personality", Action: Allow, Args: []Cond{{Arg: 0, Op: Eq, Value: 0, Width: 32}}},
		{Syscall: "personality", Action: ErrnoNamed("EPERM")},
	}}
	base.Rules = append(base.Rules, RulesFor(ErrnoNamed("EPERM"), sandboxDenied()...)...)
	plain, err := base.Compile()
	if err != nil {
		t.Fatal(err)
	}
	weighted := *base
	weighted.Weights = counts
	own, err := weighted.Compile()
	if err != nil {
		t.Fatal(err)
	}
	before, after := workloadMean(t, plain, abi, counts), workloadMean(t, own, abi, counts)
	t.Logf("workload mean: %.2f instructions with default weights, %.2f with its own", before, after)
	if after >= before {
		t.Errorf("the workload's own weights give a mean of %.2f instructions, the default %.2f: want fewer", after, before)
	}
	for i := range abi.Len() {
		sc := abi.At(i)
		for _, arg := range []uint64{0, 1, 8} {
			a, err := plain.Evaluate(abi, sc.Name, arg)
			if err != nil {
				t.Fatal(err)
			}
			b, err := own.Evaluate(abi, sc.Name, arg)
			if err != nil {
				t.Fatal(err)
			}
			if a != b {
				t.Fatalf("%s(%d): %s with weights, %s without", sc.Name, arg, b, a)
			}
		}
	}
}

func TestWeightsUnknownName(t *testing.T) {
	p := &Policy{Default: Allow, ABIs: []*tables.ABI{tables.X86_64}, Weights: map[string]uint64{"read": 1, "raed": 2, "iopl": 3}}
	_, err := p.Compile()
	var pe *PolicyError
	var ue *UnknownSyscallError
	if !errors.As(err, &pe) || pe.Field != `Weights["raed"]` || !errors.As(err, &ue) {
		t.Fatalf("Weights naming raed: %v", err)
	}
	// A name only another ABI has is no error.
	p = &Policy{Default: Allow, ABIs: []*tables.ABI{tables.AArch64}, Weights: map[string]uint64{"iopl": 3}}
	if _, err := p.Compile(); err != nil {
		t.Fatal(err)
	}
}
