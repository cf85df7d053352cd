package profile_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// TestProveDockerDefault proves the program of moby's default profile,
// for x86_64 with its compat ABIs, decides every call as the translated
// policy says.
func TestProveDockerDefault(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("moby builds its default profile on Linux only")
	}
	for _, abi := range []*tables.ABI{tables.X86_64, tables.AArch64, tables.S390X} {
		res := translateDefault(t, abi)
		prog, err := res.Compile()
		if err != nil {
			t.Fatal(err)
		}
		ce, err := res.Policy.Prove(prog)
		if err != nil {
			t.Fatal(err)
		}
		if ce != nil {
			t.Errorf("%s: %v: the program gives %s, the policy %s", abi.Name, ce, ce.A, ce.B)
		}
	}
}

func translateDefault(t testing.TB, abi *tables.ABI) *profile.Result {
	t.Helper()
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Translate(&profile.Options{ABI: abi, Kernel: "6.8"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// BenchmarkProveDockerDefault proves the Docker default for x86_64, x86
// and x32 (three ABIs). Its "x-compile" metric is the cost of one proof
// over the cost of compiling the same policy, measured in the same run.
func BenchmarkProveDockerDefault(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("moby builds its default profile on Linux only")
	}
	res := translateDefault(b, tables.X86_64)
	if len(res.Policy.ABIs) != 3 {
		b.Fatalf("the profile covers %d ABIs, want 3", len(res.Policy.ABIs))
	}
	prog, err := res.Compile()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	const compiles = 20
	for range compiles {
		if _, err := res.Compile(); err != nil {
			b.Fatal(err)
		}
	}
	compile := time.Since(start) / compiles
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if ce, err := res.Policy.Prove(prog); err != nil || ce != nil {
			b.Fatal(ce, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(compile), "x-compile")
	b.ReportMetric(float64(prog.Len()), "insns")
}

// TestRulePaths: each rule of the translated policy names the profile
// entry it came from, across ABIs that compare arguments differently.
func TestRulePaths(t *testing.T) {
	p, err := profile.Parse([]byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
		{"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Translate(&profile.Options{ABI: tables.X86_64, Kernel: "6.8"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"read": "syscalls[0]", "write": "syscalls[0]", "personality": "syscalls[1]", "ptrace": "syscalls[2]"}
	if len(res.RulePaths) != len(res.Policy.Rules) {
		t.Fatalf("%d rule paths for %d rules", len(res.RulePaths), len(res.Policy.Rules))
	}
	for i, r := range res.Policy.Rules {
		if res.RulePaths[i] != want[r.Syscall] {
			t.Errorf("Rules[%d] (%s) comes from %q, want %q", i, r.Syscall, res.RulePaths[i], want[r.Syscall])
		}
	}
}
