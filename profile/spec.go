package profile

import (
	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sysfence/seccomp/internal/libseccomp"
	"github.com/sysfence/seccomp/tables"
)

// ArchOf returns the runtime-spec architecture of an ABI.
func ArchOf(abi *tables.ABI) (specs.Arch, bool) {
	a, ok := libseccomp.ArchOf(abi)
	return specs.Arch(a), ok
}

// ABIOf returns the ABI of a runtime-spec architecture; ok is false for
// an architecture libseccomp does not know.
func ABIOf(a specs.Arch) (*tables.ABI, bool) { return libseccomp.ABIOf(libseccomp.Arch(a)) }

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
