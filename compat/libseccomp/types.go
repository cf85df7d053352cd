package seccomp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	sysfence "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// ScmpArch is an architecture (an ABI) a filter can cover.
type ScmpArch uint

// ScmpAction is a filter's action: the kind in the low 16 bits and, for
// ActErrno and ActTrace, the data (the error number or the tracer's
// message) in the next 16.
type ScmpAction uint

// ScmpCompareOp is how a condition compares an argument.
type ScmpCompareOp uint

// ScmpCondition is a condition on one argument of a system call; build
// it with MakeCondition.
type ScmpCondition struct {
	// Argument is the argument's index, 0 to 5.
	Argument uint `json:"argument,omitempty"`
	// Op is the comparison.
	Op ScmpCompareOp `json:"operator,omitempty"`
	// Operand1 is the value compared with; for CompareMaskedEqual, the
	// mask.
	Operand1 uint64 `json:"operand_one,omitempty"`
	// Operand2 is, for CompareMaskedEqual, the value the masked argument
	// must equal; the other comparisons ignore it.
	Operand2 uint64 `json:"operand_two,omitempty"`
}

// ScmpSyscall is a system-call number: the number on the native ABI,
// or, for a call the native ABI lacks, a negative number that stands for
// its name (see GetSyscallFromName).
type ScmpSyscall int32

// ScmpFd is a file descriptor: a notification listener.
type ScmpFd int32

// The architectures, numbered as in libseccomp-golang.
const (
	ArchInvalid ScmpArch = iota
	ArchNative
	ArchX86
	ArchAMD64
	ArchX32
	ArchARM
	ArchARM64
	ArchMIPS
	ArchMIPS64
	ArchMIPS64N32
	ArchMIPSEL
	ArchMIPSEL64
	ArchMIPSEL64N32
	ArchPPC
	ArchPPC64
	ArchPPC64LE
	ArchS390
	ArchS390X
	ArchPARISC
	ArchPARISC64
	ArchRISCV64
	ArchLOONGARCH64
	ArchM68K
	ArchSH
	ArchSHEB
)

// The actions. ActKill is ActKillThread, as in libseccomp.
const (
	ActInvalid ScmpAction = iota
	ActKillThread
	ActTrap
	ActNotify
	ActErrno
	ActTrace
	ActAllow
	ActLog
	ActKillProcess
	ActKill = ActKillThread
)

// The comparisons.
const (
	CompareInvalid ScmpCompareOp = iota
	CompareNotEqual
	CompareLess
	CompareLessOrEqual
	CompareEqual
	CompareGreaterEqual
	CompareGreater
	CompareMaskedEqual
)

// ErrSyscallDoesNotExist is returned for a system-call name no table
// knows, or a number the architecture's table does not have.
var ErrSyscallDoesNotExist = errors.New("could not resolve syscall name")

// archInfo is what this package knows of an architecture: its name, the
// names GetArchFromString accepts, and its table (nil: none, for the
// architectures libseccomp knows and package tables does not).
type archInfo struct {
	name    string
	aliases []string
	abi     *tables.ABI
	// names is the table names resolve through when abi is nil: ppc and
	// s390 share the numbers of ppc64 and s390x for the calls both have.
	names *tables.ABI
}

var arches = [...]archInfo{
	ArchX86:         {"x86", nil, tables.I386, nil},
	ArchAMD64:       {"amd64", []string{"x86-64", "x86_64", "x64"}, tables.X86_64, nil},
	ArchX32:         {"x32", nil, tables.X32, nil},
	ArchARM:         {"arm", nil, tables.ARM, nil},
	ArchARM64:       {"arm64", []string{"aarch64"}, tables.AArch64, nil},
	ArchMIPS:        {"mips", nil, tables.MIPS, nil},
	ArchMIPS64:      {"mips64", nil, tables.MIPS64, nil},
	ArchMIPS64N32:   {"mips64n32", nil, tables.MIPS64N32, nil},
	ArchMIPSEL:      {"mipsel", nil, tables.MIPSEL, nil},
	ArchMIPSEL64:    {"mipsel64", nil, tables.MIPS64EL, nil},
	ArchMIPSEL64N32: {"mipsel64n32", nil, tables.MIPS64N32EL, nil},
	ArchPPC:         {"ppc", nil, nil, tables.PPC64},
	ArchPPC64:       {"ppc64", nil, tables.PPC64, nil},
	ArchPPC64LE:     {"ppc64le", nil, tables.PPC64LE, nil},
	ArchS390:        {"s390", nil, nil, tables.S390X},
	ArchS390X:       {"s390x", nil, tables.S390X, nil},
	ArchPARISC:      {"parisc", nil, nil, nil},
	ArchPARISC64:    {"parisc64", nil, nil, nil},
	ArchRISCV64:     {"riscv64", nil, tables.RISCV64, nil},
	ArchLOONGARCH64: {"loong64", []string{"loongarch64"}, tables.LoongArch64, nil},
	ArchM68K:        {"m68k", nil, nil, nil},
	ArchSH:          {"sh", nil, nil, nil},
	ArchSHEB:        {"sheb", nil, nil, nil},
}

// GetArchFromString returns the architecture of a name, as
// ScmpArch.String spells it or one of its aliases (amd64, x86_64, x86-64
// and x64; arm64 and aarch64; loong64 and loongarch64), in any case.
func GetArchFromString(arch string) (ScmpArch, error) {
	s := strings.ToLower(arch)
	for a := ArchX86; a <= ArchSHEB; a++ {
		if arches[a].name == s || slices.Contains(arches[a].aliases, s) {
			return a, nil
		}
	}
	return ArchInvalid, fmt.Errorf("cannot convert unrecognized string %q", arch)
}

// String returns the architecture's name, which GetArchFromString
// accepts.
func (a ScmpArch) String() string {
	switch {
	case a == ArchNative:
		return "native"
	case a == ArchInvalid:
		return "Invalid architecture"
	case a <= ArchSHEB:
		return arches[a].name
	}
	return fmt.Sprintf("Unknown architecture %#x", uint(a))
}

// resolve returns the architecture ArchNative stands for, or a itself,
// after checking it is one.
func (a ScmpArch) resolve() (ScmpArch, error) {
	if a == ArchNative {
		return GetNativeArch()
	}
	if a <= ArchNative || a > ArchSHEB {
		return ArchInvalid, fmt.Errorf("unrecognized architecture %#x", uint(a))
	}
	return a, nil
}

// table returns the architecture's system-call table.
func (a ScmpArch) table() (*tables.ABI, error) {
	r, err := a.resolve()
	if err != nil {
		return nil, err
	}
	if abi := arches[r].abi; abi != nil {
		return abi, nil
	}
	return nil, fmt.Errorf("architecture %s: no system-call table for it in this package: %w", r, errors.ErrUnsupported)
}

// names returns the table an architecture's names resolve through.
func (a ScmpArch) names() (*tables.ABI, error) {
	r, err := a.resolve()
	if err != nil {
		return nil, err
	}
	if arches[r].names != nil {
		return arches[r].names, nil
	}
	return r.table()
}

func archOfABI(abi *tables.ABI) (ScmpArch, bool) {
	for a := ArchX86; a <= ArchSHEB; a++ {
		if arches[a].abi == abi {
			return a, true
		}
	}
	return ArchInvalid, false
}

// GetNativeArch returns the architecture of the running program (its
// GOARCH's native ABI).
func GetNativeArch() (ScmpArch, error) {
	abi, err := sysfence.NativeABI()
	if err != nil {
		return ArchInvalid, err
	}
	if a, ok := archOfABI(abi); ok {
		return a, nil
	}
	return ArchInvalid, fmt.Errorf("native ABI %s has no ScmpArch", abi.Name)
}

// nativeTable returns the native ABI's table; GetNativeArch has
// succeeded before any caller.
func nativeTable() *tables.ABI {
	abi, _ := sysfence.NativeABI()
	if abi == nil {
		return tables.X86_64
	}
	return abi
}

// String describes the comparison.
func (a ScmpCompareOp) String() string {
	switch a {
	case CompareNotEqual:
		return "Not equal"
	case CompareLess:
		return "Less than"
	case CompareLessOrEqual:
		return "Less than or equal to"
	case CompareEqual:
		return "Equal"
	case CompareGreaterEqual:
		return "Greater than or equal to"
	case CompareGreater:
		return "Greater than"
	case CompareMaskedEqual:
		return "Masked equality"
	case CompareInvalid:
		return "Invalid comparison operator"
	}
	return fmt.Sprintf("Unrecognized comparison operator %#x", uint(a))
}

// String describes the action.
func (a ScmpAction) String() string {
	switch a & 0xffff {
	case ActKillThread:
		return "Action: Kill thread"
	case ActKillProcess:
		return "Action: Kill process"
	case ActTrap:
		return "Action: Send SIGSYS"
	case ActErrno:
		return fmt.Sprintf("Action: Return error code %d", a>>16)
	case ActTrace:
		return fmt.Sprintf("Action: Notify tracing processes with code %d", a>>16)
	case ActNotify:
		return "Action: Notify userspace"
	case ActLog:
		return "Action: Log system call"
	case ActAllow:
		return "Action: Allow system call"
	}
	return fmt.Sprintf("Unrecognized Action %#x", uint(a))
}

// SetReturnCode returns ActErrno or ActTrace with code as its data; any
// other action unchanged.
func (a ScmpAction) SetReturnCode(code int16) ScmpAction {
	k := a & 0xffff
	if k != ActErrno && k != ActTrace {
		return a
	}
	return k | ScmpAction(uint16(code))<<16
}

// GetReturnCode returns the action's data.
func (a ScmpAction) GetReturnCode() int16 { return int16(a >> 16) }

// maxErrno is the highest error number an errno action may carry
// (MAX_ERRNO of include/linux/err.h), as libseccomp checks.
const maxErrno = 4095

// check refuses what is not an action, and data on an action that takes
// none.
func (a ScmpAction) check() error {
	k := a & 0xffff
	if k < ActKillThread || k > ActKillProcess {
		return fmt.Errorf("unrecognized action %#x", uint(k))
	}
	if k != ActErrno && k != ActTrace && a>>16 != 0 {
		return errors.New("highest 16 bits must be zeroed except for Trace and Errno")
	}
	if k == ActErrno && a>>16 > maxErrno {
		return fmt.Errorf("error number %d is not 0 to %d", a>>16, maxErrno)
	}
	return nil
}

// MakeCondition returns the condition that argument arg (0 to 5)
// compares by comparison with values[0], or, for CompareMaskedEqual,
// that arg & values[0] == values[1].
func MakeCondition(arg uint, comparison ScmpCompareOp, values ...uint64) (ScmpCondition, error) {
	switch {
	case comparison < CompareNotEqual || comparison > CompareMaskedEqual:
		return ScmpCondition{}, fmt.Errorf("unrecognized comparison operator %#x", uint(comparison))
	case arg > 5:
		return ScmpCondition{}, fmt.Errorf("syscalls only have up to 6 arguments (%d given)", arg)
	case len(values) > 2:
		return ScmpCondition{}, fmt.Errorf("conditions can have at most 2 arguments (%d given)", len(values))
	case len(values) == 0:
		return ScmpCondition{}, errors.New("must provide at least one value to compare against")
	}
	c := ScmpCondition{Argument: arg, Op: comparison, Operand1: values[0]}
	if len(values) == 2 {
		c.Operand2 = values[1]
	}
	return c, nil
}

// pseudoBase is where the numbers of names the native ABI lacks start,
// counting down: name i of allNames is pseudoBase-i. libseccomp's own
// pseudo numbers (__PNR_*) differ: these are handles, valid only in the
// running program.
const pseudoBase = -10001

// allNames is every system-call name of every table, sorted.
var allNames = sync.OnceValue(func() []string {
	var names []string
	for _, abi := range tables.All() {
		for i := range abi.Len() {
			names = append(names, abi.At(i).Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
})

func pseudo(name string) (ScmpSyscall, bool) {
	i, ok := slices.BinarySearch(allNames(), name)
	if !ok {
		return 0, false
	}
	return ScmpSyscall(pseudoBase - i), true
}

// pseudoName returns the name a negative number stands for.
func pseudoName(s ScmpSyscall) (string, bool) {
	i := pseudoBase - int(s)
	if s > pseudoBase || i >= len(allNames()) {
		return "", false
	}
	return allNames()[i], true
}

// GetSyscallFromName returns the native number of a system call, or a
// negative number standing for it when the native ABI lacks it (as
// socketcall on x86_64), to be used in rules for other architectures.
func GetSyscallFromName(name string) (ScmpSyscall, error) {
	return GetSyscallFromNameByArch(name, ArchNative)
}

// GetSyscallFromNameByArch returns the number of a system call on an
// architecture, or a negative number standing for it when that
// architecture lacks it.
func GetSyscallFromNameByArch(name string, arch ScmpArch) (ScmpSyscall, error) {
	abi, err := arch.names()
	if err != nil {
		return 0, err
	}
	if nr, ok := abi.Number(name); ok {
		return ScmpSyscall(nr), nil
	}
	if s, ok := pseudo(name); ok {
		return s, nil
	}
	return 0, ErrSyscallDoesNotExist
}

// GetName returns the name of a native system-call number.
func (s ScmpSyscall) GetName() (string, error) { return s.GetNameByArch(ArchNative) }

// GetNameByArch returns the name of a system-call number on an
// architecture.
func (s ScmpSyscall) GetNameByArch(arch ScmpArch) (string, error) {
	abi, err := arch.names()
	if err != nil {
		return "", err
	}
	if s < 0 {
		if name, ok := pseudoName(s); ok {
			return name, nil
		}
		return "", ErrSyscallDoesNotExist
	}
	if name, ok := abi.SyscallName(uint32(s)); ok {
		return name, nil
	}
	return "", ErrSyscallDoesNotExist
}
