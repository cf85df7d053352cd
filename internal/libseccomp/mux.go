package libseccomp

import (
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// Multiplexed reports whether libseccomp puts a rule on call name also on
// a multiplexer, socketcall or ipc, in a filter for abis: it does so on
// every ABI whose table has the multiplexer (x86, s390x, ppc64, ppc64le,
// mips, mipsel among this module's), whether or not the ABI has a direct
// number for the call (its arch rule_add code; seccomp_export_pfc shows
// both rules).
func Multiplexed(abis []*tables.ABI, name string) (tables.Multiplexed, bool) {
	for _, abi := range abis {
		if via, ok := abi.Multiplexed(name); ok {
			return via, true
		}
	}
	return tables.Multiplexed{}, false
}

// MuxConds returns the conditions of the rule libseccomp puts on the
// multiplexer via for a rule on the call with conds: a0 == the operation,
// compared on all the bits libseccomp compares on the ABI (64 on s390x
// and ppc64; ipc's version included, where the kernel reads the low 16
// bits of the low 32), in place of every condition on arg0, and the other
// conditions unchanged, though they compare the multiplexer's own
// arguments there. The rule keeps its action. The pseudo-number rule
// seccomp_export_pfc also shows (-105 for accept on x86) is not in any
// program: libseccomp's BPF generator leaves negative numbers out.
func MuxConds(via tables.Multiplexed, conds []seccomp.Cond) []seccomp.Cond {
	out := []seccomp.Cond{{Arg: 0, Op: seccomp.Eq, Value: uint64(via.Op)}}
	for _, c := range conds {
		if c.Arg != 0 {
			out = append(out, c)
		}
	}
	return out
}
