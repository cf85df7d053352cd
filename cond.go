package seccomp

import (
	"fmt"
	"math"

	"github.com/sysfence/seccomp/internal/compile"
	"github.com/sysfence/seccomp/tables"
)

// Comparison is how a Cond compares an argument with its Value: the
// operators of the OCI runtime specification's seccomp rules
// (SCMP_CMP_EQ and the rest), all unsigned.
type Comparison uint8

// The comparisons. The numbers are not those of libseccomp's scmp_compare.
const (
	Eq       Comparison = iota + 1 // arg == Value
	Ne                             // arg != Value
	Lt                             // arg < Value
	Le                             // arg <= Value
	Gt                             // arg > Value
	Ge                             // arg >= Value
	MaskedEq                       // arg & Mask == Value
)

var comparisonNames = [...]string{Eq: "==", Ne: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">=", MaskedEq: "&=="}

// String returns the comparison as an operator: "==", "!=", "<", "<=",
// ">", ">=", or "&==" for MaskedEq.
func (c Comparison) String() string {
	if c >= Eq && c <= MaskedEq {
		return comparisonNames[c]
	}
	return fmt.Sprintf("Comparison(%d)", uint8(c))
}

// Cond is a condition on one argument of a system call: the argument
// compared with Value by Op, or for MaskedEq the argument ANDed with Mask
// and compared with Value.
//
// The kernel hands seccomp each argument as a 64-bit value (struct
// seccomp_data in include/uapi/linux/seccomp.h); a condition compares all
// of it as an unsigned number, as two 32-bit words in the ABI's byte
// order. On an ABI whose WordSize is 4 (i386, arm, mips o32) a condition
// compares the low word only, and Value and Mask must fit in 32 bits. The
// high word is not always zero there: a 32-bit process leaves it so, but
// a 64-bit process that calls through int 0x80 hands seccomp its whole
// 64-bit registers. The call itself reads the low 32 bits only (the
// compat entry truncates each register, SC_IA32_REGS_TO_ARGS in
// arch/x86/include/asm/syscall_wrapper.h), so the low word is all that
// decides what it does, and all that a condition should compare.
//
// A parameter the kernel declares int or unsigned int (ioctl's request,
// personality's persona, socket's domain, type and protocol, prctl's
// option, fcntl's command, …) is truncated to 32 bits before the system
// call reads it, but seccomp sees the whole register. A condition on one
// must set Width to 32: otherwise ioctl(fd, TIOCSTI|1<<32) passes as
// TIOCSTI to the kernel yet fails "arg1 == TIOCSTI", and walks past a rule
// that was meant to stop it. (libseccomp's SCMP_A1_32 does not do this: it
// casts the datum, and still compares 64 bits.)
type Cond struct {
	// Arg is the index of the argument, 0 to 5, in the order of the
	// system call's C prototype (seccomp_data.args[Arg]).
	Arg int
	// Op is the comparison.
	Op Comparison
	// Value is the constant the argument (after Mask, for MaskedEq) is
	// compared with, as an unsigned number.
	Value uint64
	// Mask is ANDed with the argument before a MaskedEq comparison; the
	// other comparisons ignore it.
	Mask uint64
	// Width is how many low bits of the argument are compared: 0 or 64
	// for all of them, 32 for the low word only, for parameters of C type
	// int or unsigned int. With Width 32, Value and Mask must fit in 32
	// bits.
	Width int
}

// String writes the condition as "arg1 == 0x5412",
// "arg0 & 0x7e020000 == 0x0", or "(u32)arg1 == 0x5412" for Width 32.
func (c Cond) String() string {
	arg := fmt.Sprintf("arg%d", c.Arg)
	if c.Width == 32 {
		arg = "(u32)" + arg
	}
	if c.Op == MaskedEq {
		return fmt.Sprintf("%s & %#x == %#x", arg, c.Mask, c.Value)
	}
	return fmt.Sprintf("%s %v %#x", arg, c.Op, c.Value)
}

// problem returns what is wrong with the condition on abi, naming the
// field at fault, or "" when nothing is.
func (c Cond) problem(abi *tables.ABI) (field, why string) {
	switch {
	case c.Arg < 0 || c.Arg > 5:
		return "Arg", fmt.Sprintf("%d is not an argument index (0..5)", c.Arg)
	case c.Op < Eq || c.Op > MaskedEq:
		return "Op", fmt.Sprintf("%d is not a Comparison", c.Op)
	case c.Width != 0 && c.Width != 32 && c.Width != 64:
		return "Width", fmt.Sprintf("%d is not 0, 32 or 64", c.Width)
	case abi.WordSize == 8 && c.Width != 32:
		return "", ""
	}
	bits := func() string { // only for an error: most conditions have none
		if c.Width == 32 {
			return "the 32 bits that Width 32 compares"
		}
		return "the 32-bit arguments of " + abi.Name
	}
	switch {
	case c.Value > math.MaxUint32:
		return "Value", fmt.Sprintf("%#x does not fit %s", c.Value, bits())
	case c.Op == MaskedEq && c.Mask > math.MaxUint32:
		return "Mask", fmt.Sprintf("%#x does not fit %s", c.Mask, bits())
	}
	return "", ""
}

// lower returns the compiler's form of a checked condition.
func (c Cond) lower() compile.Cond {
	return compile.Cond{Arg: c.Arg, Op: c.Op.lower(), Value: c.Value, Mask: c.Mask, Narrow: c.Width == 32}
}

// lower returns the compiler's operator of a checked comparison. The two
// enumerations are apart (this one is API, the compiler's is not), so
// they are mapped by name, not by number.
func (c Comparison) lower() compile.Op {
	switch c {
	case Eq:
		return compile.OpEq
	case Ne:
		return compile.OpNe
	case Lt:
		return compile.OpLt
	case Le:
		return compile.OpLe
	case Gt:
		return compile.OpGt
	case Ge:
		return compile.OpGe
	case MaskedEq:
		return compile.OpMaskedEq
	}
	panic(fmt.Sprintf("seccomp: unchecked Comparison %d", uint8(c)))
}
