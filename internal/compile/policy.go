package compile

import (
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// Op is a comparison of a system-call argument with a constant, as in the
// OCI runtime specification's seccomp operators.
type Op uint8

const (
	OpEq       Op = iota + 1 // arg == Value
	OpNe                     // arg != Value
	OpLt                     // arg < Value (unsigned)
	OpLe                     // arg <= Value (unsigned)
	OpGt                     // arg > Value (unsigned)
	OpGe                     // arg >= Value (unsigned)
	OpMaskedEq               // arg & Mask == Value
)

// Cond is one condition on an argument of a system call.
//
// Arguments are compared as unsigned 64-bit values, as two 32-bit words
// placed by the ABI's byte order. On an ABI whose WordSize is 4 only the
// low word is compared, and Value and Mask must fit in 32 bits; Narrow
// asks for the same on any ABI, for parameters the kernel truncates to 32
// bits.
type Cond struct {
	Arg    int // 0..5
	Op     Op
	Value  uint64
	Mask   uint64 // for OpMaskedEq
	Narrow bool   // compare the low 32 bits only
}

// wide reports whether the condition compares 64 bits on an ABI whose
// arguments are 64-bit (abiWide) or 32-bit.
func (c Cond) wide(abiWide bool) bool { return abiWide && !c.Narrow }

// ArgRule gives Action to a call whose arguments satisfy every one of Conds.
type ArgRule struct {
	Conds  []Cond
	Action filter.Action
	// Origin says where the rule came from, for explanations: 1 + the
	// index of the caller's rule, 0 when unknown. The compiler ignores it.
	Origin int
}

// Rule is what a policy does with one system call: the first ArgRule whose
// conditions all hold decides; when none does (or there are none), Action.
type Rule struct {
	Nr     uint32
	Args   []ArgRule
	Action filter.Action
	// Origin is Action's origin, as ArgRule.Origin; 0 also when Action
	// is the ABI's Default.
	Origin int
}

// ABIPolicy is a policy for one ABI.
type ABIPolicy struct {
	ABI *tables.ABI
	// Rules, in any order; at most one per number. An Nr outside the
	// ABI's table (syscall(-1), a call newer than the table) must still
	// be the ABI's: under its audit value, tables.ByCall gives it.
	Rules []Rule
	// Default is the action for numbers in the ABI's table without a rule.
	Default filter.Action
	// Unknown is the action for numbers that are not in the ABI's table,
	// such as system calls newer than the table.
	Unknown filter.Action
	// Weights, when not nil, are how often a workload made each call, by
	// number: the search over the numbers puts the calls made most the
	// fewest comparisons away. Numbers it lacks weigh as without it.
	// Weights change the program's shape, never a decision.
	Weights map[uint32]uint64
}

// Policy is the input of Compile: per-ABI policies and what to do with
// everything they do not cover.
type Policy struct {
	ABIs []ABIPolicy
	// Foreign is the action for a seccomp_data.arch that no ABI covers.
	Foreign filter.Action
	// X32 is the action, when x86_64 is covered and x32 is not, for
	// numbers with the x32 bit (0x40000000) set. Ignored otherwise.
	X32 filter.Action
}
