//go:build linux

package seccomp

import (
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// Environment of the bench scenario.
const (
	envBenchFilter = "SYSFENCE_BENCH_FILTER" // "", a built-in, or "allowlist"
	envBenchCall   = "SYSFENCE_BENCH_CALL"   // "getpid" or "personality"
)

// BenchmarkSyscall measures system calls under a filter against the same
// calls without one. Each case runs in a child that benchmarks the call,
// installs the filter, and benchmarks it again; ns/op is the filtered
// cost and x-unfiltered the ratio of the two, measured in one process.
//
// getpid is allowed by the sandbox and allowlist policies whatever its
// arguments, so Linux's seccomp action cache (5.11+) allows it without
// running the filter; under "uncached" getpid has an argument rule, and
// personality(0xffffffff) has one in the sandbox policies, so the filter
// runs on every call.
func BenchmarkSyscall(b *testing.B) {
	requireSeccomp(b)
	cases := []struct{ call, filter string }{
		{"getpid", ""},
		{"getpid", "sandbox"},
		{"getpid", "allowlist"},
		{"getpid", "uncached"},
		{"personality", "sandbox"},
	}
	for _, bc := range cases {
		name := bc.call + "/" + bc.filter
		if bc.filter == "" {
			name = bc.call + "/none"
		}
		b.Run(name, func(b *testing.B) {
			var r benchReport
			testenv.Run(b, testenv.Self(b), "bench", envBenchFilter+"="+bc.filter, envBenchCall+"="+bc.call).Decode(b, &r)
			b.ReportMetric(r.After, "ns/op")
			b.ReportMetric(r.Before, "ns/op-unfiltered")
			b.ReportMetric(r.After/r.Before, "x-unfiltered")
		})
	}
}

// benchReport is the cost of one call, in ns, before and after the
// install.
type benchReport struct{ Before, After float64 }

func scenarioBench() (any, error) {
	call, err := benchCall(os.Getenv(envBenchCall))
	if err != nil {
		return nil, err
	}
	loop := func(b *testing.B) {
		for b.Loop() {
			call()
		}
	}
	before := testing.Benchmark(loop)
	if err := installBenchFilter(os.Getenv(envBenchFilter)); err != nil {
		return nil, err
	}
	after := testing.Benchmark(loop)
	return benchReport{Before: nsPerOp(before), After: nsPerOp(after)}, nil
}

func nsPerOp(r testing.BenchmarkResult) float64 {
	return float64(r.T.Nanoseconds()) / float64(r.N)
}

func benchCall(name string) (func(), error) {
	nr, ok := nativeABI().Number(name)
	if !ok {
		return nil, fmt.Errorf("no system call %q", name)
	}
	arg := uintptr(0)
	if name == "personality" {
		arg = 0xffffffff // query
	}
	return func() { syscall.RawSyscall(uintptr(nr), arg, 0, 0) }, nil
}

func installBenchFilter(name string) error {
	var prog *Program
	var err error
	switch name {
	case "":
		return nil
	case "allowlist":
		prog, err = allowlistPolicy(ErrnoNamed("EPERM"), "").Compile()
	case "uncached":
		// getpid's action depends on an argument, so the action cache
		// cannot skip the filter: the baseline the cache is measured by.
		prog, err = (&Policy{
			Default: Allow,
			Rules: []Rule{{Syscall: "getpid", Action: Errno(1), Args: []Cond{
				{Arg: 0, Op: Eq, Value: 0xdead},
			}}},
		}).Compile()
	default:
		prog, err = Builtin(name)
	}
	if err != nil {
		return err
	}
	return prog.Install()
}
