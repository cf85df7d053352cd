package libseccomp

import (
	"fmt"

	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// The runtime-spec's linux.seccomp object, as this package reads it: the
// fields and values of github.com/opencontainers/runtime-spec's
// specs-go (config.go, LinuxSeccomp and the types it uses), mirrored so
// that packages reproducing libseccomp need no module outside this one.
// Package profile converts the runtime-spec's own types to these.

// Arch is an architecture, libseccomp's SCMP_ARCH_* name.
type Arch string

// LinuxSeccompAction is an action, SCMP_ACT_*.
type LinuxSeccompAction string

// LinuxSeccompOperator is a comparison, SCMP_CMP_*.
type LinuxSeccompOperator string

// LinuxSeccompFlag is a seccomp(2) flag, SECCOMP_FILTER_FLAG_*.
type LinuxSeccompFlag string

// LinuxSeccomp is a resolved seccomp profile.
type LinuxSeccomp struct {
	DefaultAction    LinuxSeccompAction
	DefaultErrnoRet  *uint
	Architectures    []Arch
	Flags            []LinuxSeccompFlag
	ListenerPath     string
	ListenerMetadata string
	Syscalls         []LinuxSyscall
}

// LinuxSyscall is a rule: an action for the named calls whose arguments
// satisfy Args.
type LinuxSyscall struct {
	Names    []string
	Action   LinuxSeccompAction
	ErrnoRet *uint
	Args     []LinuxSeccompArg
}

// LinuxSeccompArg is a condition on argument Index.
type LinuxSeccompArg struct {
	Index    uint
	Value    uint64
	ValueTwo uint64
	Op       LinuxSeccompOperator
}

// The actions, operators, flags and architectures, as the runtime-spec
// spells them.
const (
	ActKill        LinuxSeccompAction = "SCMP_ACT_KILL"
	ActKillProcess LinuxSeccompAction = "SCMP_ACT_KILL_PROCESS"
	ActKillThread  LinuxSeccompAction = "SCMP_ACT_KILL_THREAD"
	ActTrap        LinuxSeccompAction = "SCMP_ACT_TRAP"
	ActErrno       LinuxSeccompAction = "SCMP_ACT_ERRNO"
	ActTrace       LinuxSeccompAction = "SCMP_ACT_TRACE"
	ActAllow       LinuxSeccompAction = "SCMP_ACT_ALLOW"
	ActLog         LinuxSeccompAction = "SCMP_ACT_LOG"
	ActNotify      LinuxSeccompAction = "SCMP_ACT_NOTIFY"

	OpNotEqual     LinuxSeccompOperator = "SCMP_CMP_NE"
	OpLessThan     LinuxSeccompOperator = "SCMP_CMP_LT"
	OpLessEqual    LinuxSeccompOperator = "SCMP_CMP_LE"
	OpEqualTo      LinuxSeccompOperator = "SCMP_CMP_EQ"
	OpGreaterEqual LinuxSeccompOperator = "SCMP_CMP_GE"
	OpGreaterThan  LinuxSeccompOperator = "SCMP_CMP_GT"
	OpMaskedEqual  LinuxSeccompOperator = "SCMP_CMP_MASKED_EQ"

	LinuxSeccompFlagLog              LinuxSeccompFlag = "SECCOMP_FILTER_FLAG_LOG"
	LinuxSeccompFlagSpecAllow        LinuxSeccompFlag = "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
	LinuxSeccompFlagWaitKillableRecv LinuxSeccompFlag = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"

	ArchX86         Arch = "SCMP_ARCH_X86"
	ArchX86_64      Arch = "SCMP_ARCH_X86_64"
	ArchX32         Arch = "SCMP_ARCH_X32"
	ArchARM         Arch = "SCMP_ARCH_ARM"
	ArchAARCH64     Arch = "SCMP_ARCH_AARCH64"
	ArchMIPS        Arch = "SCMP_ARCH_MIPS"
	ArchMIPS64      Arch = "SCMP_ARCH_MIPS64"
	ArchMIPS64N32   Arch = "SCMP_ARCH_MIPS64N32"
	ArchMIPSEL      Arch = "SCMP_ARCH_MIPSEL"
	ArchMIPSEL64    Arch = "SCMP_ARCH_MIPSEL64"
	ArchMIPSEL64N32 Arch = "SCMP_ARCH_MIPSEL64N32"
	ArchPPC         Arch = "SCMP_ARCH_PPC"
	ArchPPC64       Arch = "SCMP_ARCH_PPC64"
	ArchPPC64LE     Arch = "SCMP_ARCH_PPC64LE"
	ArchS390        Arch = "SCMP_ARCH_S390"
	ArchS390X       Arch = "SCMP_ARCH_S390X"
	ArchPARISC      Arch = "SCMP_ARCH_PARISC"
	ArchPARISC64    Arch = "SCMP_ARCH_PARISC64"
	ArchRISCV64     Arch = "SCMP_ARCH_RISCV64"
	ArchLOONGARCH64 Arch = "SCMP_ARCH_LOONGARCH64"
	ArchM68K        Arch = "SCMP_ARCH_M68K"
	ArchSH          Arch = "SCMP_ARCH_SH"
	ArchSHEB        Arch = "SCMP_ARCH_SHEB"
)

// Options are what Translate needs of profile.Options.
type Options struct {
	// ABI is the native ABI; nil means seccomp.NativeABI().
	ABI *tables.ABI
	// Strict, FirstMatch, Foreign and Unknown are profile.Options'.
	Strict     bool
	FirstMatch bool
	Foreign    seccomp.Action
	Unknown    seccomp.Action
}

func (o *Options) abi() (*tables.ABI, error) {
	if o != nil && o.ABI != nil {
		return o.ABI, nil
	}
	return seccomp.NativeABI()
}

// Folded is a key of a profile spelt otherwise than the format's, which
// encoding/json (and so Docker) reads as the field it folds to.
type Folded struct {
	Path  string // the key's JSON path, as written: "syscalls[0].Names"
	Field string // the field it sets: "names"
}

func (f Folded) String() string {
	return fmt.Sprintf("%s: Docker reads the key as %q (encoding/json matches keys without regard to case)", f.Path, f.Field)
}
