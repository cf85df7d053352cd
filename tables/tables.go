package tables

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Syscall is one entry of an ABI's system-call table.
type Syscall struct {
	// Name is the kernel's name for the call, as after __NR_ in the uapi
	// headers (lower case, "_llseek" with its underscore).
	Name string
	// Nr is the number that appears in seccomp_data.nr when a process of
	// the ABI makes the call, with the ABI's base and NrBit included.
	Nr uint32
}

// ABI describes one Linux system-call ABI: the value the kernel stores in
// seccomp_data.arch for it and the numbers of its system calls.
//
// Several ABIs can share one audit value: x32 shares AUDIT_ARCH_X86_64 with
// x86_64 and is told apart by the X32 bit in the syscall number
// (NrBit). The values are read-only; do not modify them.
type ABI struct {
	// Name is libseccomp's name for the ABI ("x86_64", "x86", "aarch64",
	// "mips64n32el", …).
	Name string
	// Aliases are other names of the ABI that Lookup accepts, such as
	// "i386" for "x86" and the GOARCH of a native ABI. (Other names of
	// system calls are SyscallAliases.)
	Aliases []string
	// Audit is the AUDIT_ARCH_* constant of include/uapi/linux/audit.h
	// that the kernel puts in seccomp_data.arch.
	Audit uint32
	// GOARCH lists the Go architectures for which this is the native ABI.
	GOARCH []string
	// BigEndian reports the byte order of seccomp_data on this ABI.
	BigEndian bool
	// WordSize is the width in bytes of a system-call argument as the
	// ABI's system calls read it: 8 for 64-bit registers, 4 for ABIs
	// whose arguments are 32-bit words (i386, arm, mips o32). seccomp_data
	// holds 64 bits of each argument on every ABI; on a WordSize 4 ABI the
	// high word is zero for a 32-bit process, but a 64-bit process calling
	// through a compat gate (int 0x80 on x86_64) hands seccomp its whole
	// registers, which the call then truncates to 32 bits.
	WordSize int
	// NrBit is set in every syscall number of the ABI (0x40000000, the
	// __X32_SYSCALL_BIT, for x32; zero elsewhere).
	NrBit uint32
	// Kernel is the Linux version the table reflects.
	Kernel string
	// Source says where the table was read from.
	Source string

	syscalls []Syscall // sorted by Nr
	byName   []uint16  // indexes into syscalls, sorted by name
	aliases  []Syscall // sorted by Name; see SyscallAliases
	errnos   []Errno   // sorted by Name
}

// Errno is one error number of an ABI, as in its uapi asm/errno.h (the
// numbers differ between architectures: ENOSYS is 38 on x86 and 89 on
// mips).
type Errno struct {
	// Name is the macro's name, "EPERM".
	Name string
	// Num is its value on the ABI.
	Num uint16
}

// ByteOrder returns the byte order of seccomp_data on the ABI.
func (a *ABI) ByteOrder() binary.ByteOrder {
	if a.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// String returns the ABI's name.
func (a *ABI) String() string { return a.Name }

// Len returns the number of system calls in the table. Every number counts
// once: aliases are not calls of their own.
func (a *ABI) Len() int { return len(a.syscalls) }

// At returns the i'th system call in order of number, 0 <= i < Len(),
// under its own name, never an alias.
func (a *ABI) At(i int) Syscall { return a.syscalls[i] }

// Syscalls returns a copy of the table, sorted by number, with each call
// under its own name (no aliases).
func (a *ABI) Syscalls() []Syscall {
	return append([]Syscall(nil), a.syscalls...)
}

// SyscallAliases returns a copy of the ABI's aliases, sorted by name: the
// other names its uapi headers give some of its calls ("#define
// __NR_<alias> __NR_<call>"), each with the number of the call it names.
// On arm, sync_file_range2 is arm_sync_file_range, 341
// (arch/arm/include/uapi/asm/unistd.h). Number accepts them; SyscallName,
// At and Syscalls give the call's own name.
func (a *ABI) SyscallAliases() []Syscall {
	return append([]Syscall(nil), a.aliases...)
}

// Number returns the number of the named system call on the ABI. The name
// may be one of the ABI's SyscallAliases.
func (a *ABI) Number(name string) (uint32, bool) {
	i := sort.Search(len(a.byName), func(i int) bool {
		return a.syscalls[a.byName[i]].Name >= name
	})
	if i < len(a.byName) && a.syscalls[a.byName[i]].Name == name {
		return a.syscalls[a.byName[i]].Nr, true
	}
	i = sort.Search(len(a.aliases), func(i int) bool { return a.aliases[i].Name >= name })
	if i < len(a.aliases) && a.aliases[i].Name == name {
		return a.aliases[i].Nr, true
	}
	return 0, false
}

// SyscallName returns the name of the system call with number nr: its own
// name, never an alias.
func (a *ABI) SyscallName(nr uint32) (string, bool) {
	i := sort.Search(len(a.syscalls), func(i int) bool { return a.syscalls[i].Nr >= nr })
	if i < len(a.syscalls) && a.syscalls[i].Nr == nr {
		return a.syscalls[i].Name, true
	}
	return "", false
}

// Errno returns the number of the named error ("EPERM", "ENOSYS") on the
// ABI.
func (a *ABI) Errno(name string) (uint16, bool) {
	i := sort.Search(len(a.errnos), func(i int) bool { return a.errnos[i].Name >= name })
	if i < len(a.errnos) && a.errnos[i].Name == name {
		return a.errnos[i].Num, true
	}
	return 0, false
}

// Errnos returns a copy of the ABI's error numbers, sorted by name.
func (a *ABI) Errnos() []Errno {
	return append([]Errno(nil), a.errnos...)
}

// ErrnoName returns the name of error number num on the ABI. Where several
// names share a number (EWOULDBLOCK and EAGAIN) it returns the first in
// alphabetical order.
func (a *ABI) ErrnoName(num uint16) (string, bool) {
	for _, e := range a.errnos {
		if e.Num == num {
			return e.Name, true
		}
	}
	return "", false
}

// All returns every ABI this package knows, in a fixed order.
func All() []*ABI {
	return append([]*ABI(nil), all...)
}

// Lookup finds an ABI by its name or one of its aliases, ignoring case
// and libseccomp's prefix "SCMP_ARCH_" (SCMP_ARCH_X86_64 is x86_64).
func Lookup(name string) (*ABI, bool) {
	if len(name) > len(scmpArch) && strings.EqualFold(name[:len(scmpArch)], scmpArch) {
		name = name[len(scmpArch):]
	}
	for _, a := range all {
		if strings.EqualFold(a.Name, name) {
			return a, true
		}
		for _, alias := range a.Aliases {
			if strings.EqualFold(alias, name) {
				return a, true
			}
		}
	}
	return nil, false
}

// scmpArch prefixes libseccomp's names of architectures in its C and Go
// constants and in runtime-spec profiles.
const scmpArch = "SCMP_ARCH_"

// ByAudit returns the ABI whose AUDIT_ARCH_* value is audit and whose
// syscall numbers carry no extra bit (x86_64, not x32, for
// AUDIT_ARCH_X86_64).
func ByAudit(audit uint32) (*ABI, bool) {
	for _, a := range all {
		if a.Audit == audit && a.NrBit == 0 {
			return a, true
		}
	}
	return nil, false
}

// ByCall returns the ABI that a system call with seccomp_data.arch audit
// and seccomp_data.nr nr belongs to: among the ABIs with that audit value,
// the one whose NrBit the number carries (x32 for 0x40000000..0x7fffffff
// under AUDIT_ARCH_X86_64), else the one without an NrBit.
//
// A number with bit 31 set is negative as the kernel's int nr, and never
// an x32 call: arch/x86/entry/syscall_64.c runs x32 only for nr -
// __X32_SYSCALL_BIT below X32_NR_syscalls, and nr -1 is how a tracer
// skips a call (seccomp sees it again after the tracer). Such numbers
// belong to the ABI without an NrBit, as numbers its table does not know.
func ByCall(audit, nr uint32) (*ABI, bool) {
	var base *ABI
	for _, a := range all {
		switch {
		case a.Audit != audit:
		case a.NrBit != 0 && nr&a.NrBit != 0 && int32(nr) >= 0:
			return a, true
		case a.NrBit == 0 && base == nil:
			base = a
		}
	}
	return base, base != nil
}

// Names returns the names of every ABI, for error messages and help text.
func Names() []string {
	names := make([]string, len(all))
	for i, a := range all {
		names[i] = a.Name
	}
	return names
}

// Known reports whether any ABI has a system call of that name, or an
// alias of that name (see ABI.SyscallAliases).
func Known(name string) bool {
	return knownNames()[name]
}

// knownNames returns the set of every ABI's names and aliases, built on
// first use (nothing is built at init): Known is asked once for every
// name of a profile, which may list many, and one lookup beats a search
// of every table.
var (
	knownOnce sync.Once
	known     map[string]bool
)

func knownNames() map[string]bool {
	knownOnce.Do(func() {
		known = make(map[string]bool)
		for _, a := range all {
			for _, list := range [][]Syscall{a.syscalls, a.aliases} {
				for _, s := range list {
					known[s.Name] = true
				}
			}
		}
	})
	return known
}

// Suggest returns up to n system-call names, known on some ABI, that are
// nearest to name by edit distance, nearest first. It is meant for error
// messages about misspelt names. Aliases are among the candidates, since
// Known accepts them.
func Suggest(name string, n int) []string {
	type cand struct {
		name string
		dist int
	}
	limit := max(2, len(name)/2)
	var cands []cand
	for k := range knownNames() {
		// The lengths bound the distance from below: a name much
		// longer than every known one (a hostile megabyte) costs a
		// comparison of lengths, not an edit distance.
		if d := len(name) - len(k); d > limit || -d > limit {
			continue
		}
		if dist := EditDistance(name, k); dist <= limit {
			cands = append(cands, cand{k, dist})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].dist != cands[j].dist {
			return cands[i].dist < cands[j].dist
		}
		return cands[i].name < cands[j].name
	})
	var out []string
	for _, c := range cands[:min(n, len(cands))] {
		out = append(out, c.name)
	}
	return out
}

// EditDistance is the Levenshtein distance between a and b: the fewest
// insertions, deletions and substitutions of bytes that turn one into
// the other. Suggest ranks names by it.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// UnknownABIError reports an ABI name that Lookup does not know.
type UnknownABIError struct{ Name string }

func (e *UnknownABIError) Error() string {
	return fmt.Sprintf("unknown ABI %q (known: %s)", e.Name, strings.Join(Names(), ", "))
}
