package compile

import (
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// eqRulesPolicy is an x86_64 policy with n single-condition rules for
// ioctl, "arg1 == v" for n values spread so that no two are adjacent, with
// alternating actions: the argument-value search of the largest block.
func eqRulesPolicy(n int) *Policy {
	nr, _ := tables.X86_64.Number("ioctl")
	args := make([]ArgRule, n)
	for i := range args {
		act := filter.Errno(1)
		if i%2 == 1 {
			act = filter.Errno(2)
		}
		args[i] = ArgRule{Conds: []Cond{{Arg: 1, Op: OpEq, Value: uint64(3 * i)}}, Action: act}
	}
	return &Policy{
		ABIs:    []ABIPolicy{{ABI: tables.X86_64, Default: filter.Allow, Unknown: filter.Errno(38), Rules: []Rule{{Nr: nr, Args: args, Action: filter.Allow}}}},
		Foreign: filter.KillProcess, X32: filter.KillProcess,
	}
}

// BenchmarkCompileEqRules compiles policies of n Eq rules on one
// argument (1,000 to 100,000); the programs of the larger are too long,
// which Compile must find in time about proportional to n: the metrics
// give t(10n)/t(n) and t(100n)/t(n) (go test -bench CompileEqRules -run '^$').
// A scan of the rules for every cut of the value search made them about
// 100 and 10,000.
func BenchmarkCompileEqRules(b *testing.B) {
	testenv.Growth(b, 1000, 3, func(n int) func() {
		p := eqRulesPolicy(n)
		return func() { Compile(p) }
	})
}
