package libseccomp

import (
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// archABIs maps the runtime-spec's architectures to this module's ABIs
// (libseccomp's SCMP_ARCH_* names, tables' names): every architecture
// libseccomp knows. A nil ABI would be one package tables has no table
// for.
var archABIs = map[Arch]*tables.ABI{
	ArchX86:         tables.I386,
	ArchX86_64:      tables.X86_64,
	ArchX32:         tables.X32,
	ArchARM:         tables.ARM,
	ArchAARCH64:     tables.AArch64,
	ArchMIPS:        tables.MIPS,
	ArchMIPS64:      tables.MIPS64,
	ArchMIPS64N32:   tables.MIPS64N32,
	ArchMIPSEL:      tables.MIPSEL,
	ArchMIPSEL64:    tables.MIPS64EL,
	ArchMIPSEL64N32: tables.MIPS64N32EL,
	ArchPPC:         tables.PPC,
	ArchPPC64:       tables.PPC64,
	ArchPPC64LE:     tables.PPC64LE,
	ArchS390:        tables.S390,
	ArchS390X:       tables.S390X,
	ArchPARISC:      tables.PARISC,
	ArchPARISC64:    tables.PARISC64,
	ArchRISCV64:     tables.RISCV64,
	ArchLOONGARCH64: tables.LoongArch64,
	ArchM68K:        tables.M68K,
	ArchSH:          tables.SH,
	ArchSHEB:        tables.SHEB,
}

// ArchOf returns the runtime-spec architecture of an ABI.
func ArchOf(abi *tables.ABI) (Arch, bool) {
	for a, b := range archABIs {
		if b != nil && b.Name == abi.Name {
			return a, true
		}
	}
	return "", false
}

// ABIOf returns the ABI of a runtime-spec architecture; ok is false for
// an architecture libseccomp does not know.
func ABIOf(a Arch) (*tables.ABI, bool) {
	abi, ok := archABIs[a]
	return abi, ok
}

// ActionKinds are the runtime-spec's actions; SCMP_ACT_KILL is
// libseccomp's name for kill-thread.
var ActionKinds = map[LinuxSeccompAction]seccomp.Action{
	ActKill:        seccomp.KillThread,
	ActKillThread:  seccomp.KillThread,
	ActKillProcess: seccomp.KillProcess,
	ActTrap:        seccomp.Trap,
	ActErrno:       "errno",
	ActTrace:       "trace",
	ActAllow:       seccomp.Allow,
	ActLog:         seccomp.Log,
	ActNotify:      seccomp.Notify,
}

// OpValues are the runtime-spec's operators.
var OpValues = map[LinuxSeccompOperator]seccomp.Comparison{
	OpNotEqual:     seccomp.Ne,
	OpLessThan:     seccomp.Lt,
	OpLessEqual:    seccomp.Le,
	OpEqualTo:      seccomp.Eq,
	OpGreaterEqual: seccomp.Ge,
	OpGreaterThan:  seccomp.Gt,
	OpMaskedEqual:  seccomp.MaskedEq,
}

// FlagValues are the runtime-spec's seccomp(2) flags. TSYNC is what
// Program.Install always does.
var FlagValues = map[LinuxSeccompFlag]seccomp.Flags{
	"SECCOMP_FILTER_FLAG_TSYNC":      seccomp.FlagTSync,
	LinuxSeccompFlagLog:              seccomp.FlagLog,
	LinuxSeccompFlagSpecAllow:        seccomp.FlagSpecAllow,
	LinuxSeccompFlagWaitKillableRecv: seccomp.FlagWaitKillableRecv,
}
