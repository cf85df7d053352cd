package profile

import (
	"github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// archABIs maps the runtime-spec's architectures to this module's ABIs
// (libseccomp's SCMP_ARCH_* names, tables' names): every architecture
// libseccomp knows. A nil ABI would be one package tables has no table
// for.
var archABIs = map[specs.Arch]*tables.ABI{
	specs.ArchX86:         tables.I386,
	specs.ArchX86_64:      tables.X86_64,
	specs.ArchX32:         tables.X32,
	specs.ArchARM:         tables.ARM,
	specs.ArchAARCH64:     tables.AArch64,
	specs.ArchMIPS:        tables.MIPS,
	specs.ArchMIPS64:      tables.MIPS64,
	specs.ArchMIPS64N32:   tables.MIPS64N32,
	specs.ArchMIPSEL:      tables.MIPSEL,
	specs.ArchMIPSEL64:    tables.MIPS64EL,
	specs.ArchMIPSEL64N32: tables.MIPS64N32EL,
	specs.ArchPPC:         tables.PPC,
	specs.ArchPPC64:       tables.PPC64,
	specs.ArchPPC64LE:     tables.PPC64LE,
	specs.ArchS390:        tables.S390,
	specs.ArchS390X:       tables.S390X,
	specs.ArchPARISC:      tables.PARISC,
	specs.ArchPARISC64:    tables.PARISC64,
	specs.ArchRISCV64:     tables.RISCV64,
	specs.ArchLOONGARCH64: tables.LoongArch64,
	specs.ArchM68K:        tables.M68K,
	specs.ArchSH:          tables.SH,
	specs.ArchSHEB:        tables.SHEB,
}

// ArchOf returns the runtime-spec architecture of an ABI.
func ArchOf(abi *tables.ABI) (specs.Arch, bool) {
	for a, b := range archABIs {
		if b != nil && b.Name == abi.Name {
			return a, true
		}
	}
	return "", false
}

// ABIOf returns the ABI of a runtime-spec architecture; ok is false for
// an architecture libseccomp does not know.
func ABIOf(a specs.Arch) (*tables.ABI, bool) {
	abi, ok := archABIs[a]
	return abi, ok
}

// mobyArch is the architecture name moby's includes and excludes
// "arches" compare with (moby's goToNative: the libseccomp-golang names),
// by ABI name.
var mobyArch = map[string]string{
	"x86":         "x86",
	"x86_64":      "amd64",
	"arm":         "arm",
	"aarch64":     "arm64",
	"loongarch64": "loongarch64",
	"mips64":      "mips64",
	"mips64n32":   "mips64n32",
	"mips64el":    "mipsel64",
	"mips64n32el": "mips3l64n32", // sic, as in moby
	"mipsel":      "mipsel",
	"ppc":         "ppc",
	"ppc64":       "ppc64",
	"ppc64le":     "ppc64le",
	"riscv64":     "riscv64",
	"s390":        "s390",
	"s390x":       "s390x",
}

// actionKinds are the runtime-spec's actions; SCMP_ACT_KILL is
// libseccomp's name for kill-thread.
var actionKinds = map[specs.LinuxSeccompAction]seccomp.Action{
	specs.ActKill:        seccomp.KillThread,
	specs.ActKillThread:  seccomp.KillThread,
	specs.ActKillProcess: seccomp.KillProcess,
	specs.ActTrap:        seccomp.Trap,
	specs.ActErrno:       "errno",
	specs.ActTrace:       "trace",
	specs.ActAllow:       seccomp.Allow,
	specs.ActLog:         seccomp.Log,
	specs.ActNotify:      seccomp.Notify,
}

// opValues are the runtime-spec's operators.
var opValues = map[specs.LinuxSeccompOperator]seccomp.Comparison{
	specs.OpNotEqual:     seccomp.Ne,
	specs.OpLessThan:     seccomp.Lt,
	specs.OpLessEqual:    seccomp.Le,
	specs.OpEqualTo:      seccomp.Eq,
	specs.OpGreaterEqual: seccomp.Ge,
	specs.OpGreaterThan:  seccomp.Gt,
	specs.OpMaskedEqual:  seccomp.MaskedEq,
}

// flagValues are the runtime-spec's seccomp(2) flags. TSYNC is what
// Program.Install always does.
var flagValues = map[specs.LinuxSeccompFlag]seccomp.Flags{
	"SECCOMP_FILTER_FLAG_TSYNC":            seccomp.FlagTSync,
	specs.LinuxSeccompFlagLog:              seccomp.FlagLog,
	specs.LinuxSeccompFlagSpecAllow:        seccomp.FlagSpecAllow,
	specs.LinuxSeccompFlagWaitKillableRecv: seccomp.FlagWaitKillableRecv,
}
