package tables_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

func TestTablesAreSortedAndUnique(t *testing.T) {
	for _, abi := range tables.All() {
		t.Run(abi.Name, func(t *testing.T) {
			if abi.Len() < 250 {
				t.Fatalf("only %d syscalls", abi.Len())
			}
			seen := map[string]bool{}
			for i := range abi.Len() {
				s := abi.At(i)
				if i > 0 && abi.At(i-1).Nr >= s.Nr {
					t.Errorf("not sorted by number at %d: %v then %v", i, abi.At(i-1), s)
				}
				if seen[s.Name] {
					t.Errorf("%s twice", s.Name)
				}
				seen[s.Name] = true
				if s.Name != strings.ToLower(s.Name) {
					t.Errorf("%s is not lower case", s.Name)
				}
				if s.Nr&abi.NrBit != abi.NrBit {
					t.Errorf("%s (%#x) lacks the ABI's bit %#x", s.Name, s.Nr, abi.NrBit)
				}
				if nr, ok := abi.Number(s.Name); !ok || nr != s.Nr {
					t.Errorf("Number(%q) = %d, %v; want %d", s.Name, nr, ok, s.Nr)
				}
				if name, ok := abi.SyscallName(s.Nr); !ok || name != s.Name {
					t.Errorf("SyscallName(%d) = %q, %v; want %q", s.Nr, name, ok, s.Name)
				}
			}
			if _, ok := abi.Number("no_such_call"); ok {
				t.Error("Number found a call that does not exist")
			}
			if abi.Kernel == "" || abi.Source == "" {
				t.Errorf("Kernel %q, Source %q: provenance missing", abi.Kernel, abi.Source)
			}
			if abi.WordSize != 4 && abi.WordSize != 8 {
				t.Errorf("WordSize %d", abi.WordSize)
			}
		})
	}
}

// TestKnownNumbers checks numbers that filters depend on against the
// kernel's tables (arch/*/entry/syscalls/*.tbl, scripts/syscall.tbl,
// arch/mips/kernel/syscalls/*.tbl).
func TestKnownNumbers(t *testing.T) {
	tests := []struct {
		abi  *tables.ABI
		name string
		nr   uint32
	}{
		{tables.X86_64, "read", 0},
		{tables.X86_64, "ptrace", 101},
		{tables.X86_64, "clone3", 435},
		{tables.I386, "_llseek", 140},
		{tables.I386, "_newselect", 142},
		{tables.I386, "socketcall", 102},
		{tables.X32, "read", 0x40000000},
		{tables.X32, "ptrace", 0x40000000 + 521},
		{tables.X32, "execve", 0x40000000 + 520},
		{tables.X32, "clone3", 0x40000000 + 435},
		{tables.X32, "uretprobe", 0x40000000 + 335},
		{tables.X32, "map_shadow_stack", 0x40000000 + 453},
		{tables.AArch64, "openat", 56},
		{tables.AArch64, "fstat", 80},
		{tables.ARM, "restart_syscall", 0},
		{tables.ARM, "arm_fadvise64_64", 270},
		{tables.ARM, "breakpoint", 0x0f0001},
		{tables.ARM, "set_tls", 0x0f0005},
		{tables.RISCV64, "riscv_flush_icache", 259},
		{tables.RISCV64, "openat", 56},
		{tables.PPC64LE, "ptrace", 26},
		{tables.S390X, "ptrace", 26},
		{tables.MIPS, "syscall", 4000},
		{tables.MIPSEL, "ptrace", 4026},
		{tables.MIPS64, "read", 5000},
		{tables.MIPS64N32, "read", 6000},
		{tables.MIPS64N32, "fcntl64", 6212},
		{tables.MIPS64N32, "set_tid_address", 6213},
		{tables.MIPS64N32, "clock_gettime64", 6403},
		{tables.MIPS64N32EL, "pidfd_send_signal", 6424},
		{tables.LoongArch64, "openat", 56},
	}
	for _, tt := range tests {
		t.Run(tt.abi.Name+"/"+tt.name, func(t *testing.T) {
			if nr, ok := tt.abi.Number(tt.name); !ok || nr != tt.nr {
				t.Errorf("Number(%q) = %d, %v; want %d", tt.name, nr, ok, tt.nr)
			}
		})
	}
}

// TestNotSyscalls checks that x/sys's artefacts and other ABIs' calls are
// not in the tables.
func TestNotSyscalls(t *testing.T) {
	tests := []struct {
		abi  *tables.ABI
		name string
	}{
		{tables.AArch64, "arch_specific_syscall"},
		{tables.RISCV64, "arch_specific_syscall"},
		{tables.ARM, "syscall_mask"},
		{tables.AArch64, "iopl"},
		{tables.AArch64, "open"},
		{tables.X32, "uselib"},             // 64-bit only
		{tables.X86_64, "socketcall"},      // i386 only
		{tables.MIPS64, "clock_gettime64"}, // 32-bit ABIs only
	}
	for _, tt := range tests {
		if nr, ok := tt.abi.Number(tt.name); ok {
			t.Errorf("%s has %s = %d", tt.abi.Name, tt.name, nr)
		}
	}
}

// TestX32 checks the derivation of x32: x86_64's calls less the 64-bit
// ones, with the x32 bit, plus 512–547.
func TestX32(t *testing.T) {
	for i := range tables.X86_64.Len() {
		s := tables.X86_64.At(i)
		nr, ok := tables.X32.Number(s.Name)
		if ok && nr != s.Nr|0x40000000 && (nr < 0x40000000+512 || nr > 0x40000000+547) {
			t.Errorf("%s: x32 %#x, x86_64 %d", s.Name, nr, s.Nr)
		}
	}
	n := 0
	for i := range tables.X32.Len() {
		if nr := tables.X32.At(i).Nr &^ 0x40000000; nr >= 512 && nr <= 547 {
			n++
		}
	}
	if n != 36 {
		t.Errorf("%d calls in 512..547, want 36", n)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct{ in, want string }{
		{"x86_64", "x86_64"}, {"amd64", "x86_64"}, {"X86_64", "x86_64"},
		{"x86", "x86"}, {"i386", "x86"}, {"386", "x86"},
		{"arm64", "aarch64"}, {"aarch64", "aarch64"},
		{"mipsle", "mipsel"}, {"mips64le", "mips64el"}, {"loong64", "loongarch64"},
		{"mips64n32el", "mips64n32el"}, {"ppc64le", "ppc64le"},
		// Debian's architecture names and the GNU triplets' CPUs.
		{"ppc64el", "ppc64le"}, {"powerpc64le", "ppc64le"}, {"powerpc64", "ppc64"},
		{"mipsn32", "mips64n32"}, {"mipsn32el", "mips64n32el"},
		// libseccomp's own names and its SCMP_ARCH_ constants.
		{"mipsel64", "mips64el"}, {"mipsel64n32", "mips64n32el"},
		{"SCMP_ARCH_X86_64", "x86_64"}, {"scmp_arch_x86", "x86"}, {"SCMP_ARCH_X32", "x32"},
		{"SCMP_ARCH_AARCH64", "aarch64"}, {"SCMP_ARCH_MIPSEL64N32", "mips64n32el"},
		{"SCMP_ARCH_PPC64LE", "ppc64le"}, {"SCMP_ARCH_LOONGARCH64", "loongarch64"},
		{"ppc", "ppc"}, {"powerpc", "ppc"}, {"s390", "s390"}, {"m68k", "m68k"},
		{"sh", "sh"}, {"sh4", "sh"}, {"sheb", "sheb"}, {"hppa", "parisc"},
		{"parisc64", "parisc64"},
	}
	for _, tt := range tests {
		abi, ok := tables.Lookup(tt.in)
		if !ok || abi.Name != tt.want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", tt.in, abi, ok, tt.want)
		}
	}
	for _, bad := range []string{"vax", "", "SCMP_ARCH_", "SCMP_ARCH_VAX", "SCMP_ARCH_SCMP_ARCH_X86"} {
		if abi, ok := tables.Lookup(bad); ok {
			t.Errorf("Lookup(%q) = %v", bad, abi)
		}
	}
	if abi, ok := tables.ByAudit(0xc000003e); !ok || abi != tables.X86_64 {
		t.Errorf("ByAudit(AUDIT_ARCH_X86_64) = %v, %v", abi, ok)
	}
	if abi, ok := tables.ByAudit(0x40000003); !ok || abi != tables.I386 {
		t.Errorf("ByAudit(AUDIT_ARCH_I386) = %v, %v", abi, ok)
	}
	// include/uapi/linux/audit.h: AUDIT_ARCH_PPC, S390, M68K, SHEL, SH,
	// PARISC and PARISC64.
	for audit, want := range map[uint32]*tables.ABI{
		0x14: tables.PPC, 0x16: tables.S390, 0x4: tables.M68K, 0x4000002a: tables.SH,
		0x2a: tables.SHEB, 0xf: tables.PARISC, 0x8000000f: tables.PARISC64,
	} {
		if abi, ok := tables.ByAudit(audit); !ok || abi != want {
			t.Errorf("ByAudit(%#x) = %v, %v; want %s", audit, abi, ok, want.Name)
		}
	}
}

// TestAuditValues checks that every ABI but x32 has its own audit value,
// and that the byte order and 64-bit flags of AUDIT_ARCH_* agree with the
// ABI's description.
func TestAuditValues(t *testing.T) {
	seen := map[uint32]string{}
	for _, abi := range tables.All() {
		if abi.NrBit == 0 {
			if other, dup := seen[abi.Audit]; dup {
				t.Errorf("%s and %s share %#x", abi.Name, other, abi.Audit)
			}
			seen[abi.Audit] = abi.Name
		}
		if le := abi.Audit&0x40000000 != 0; le == abi.BigEndian {
			t.Errorf("%s: audit %#x disagrees with BigEndian=%v", abi.Name, abi.Audit, abi.BigEndian)
		}
		if is64 := abi.Audit&0x80000000 != 0; is64 != (abi.WordSize == 8) {
			t.Errorf("%s: audit %#x disagrees with WordSize=%d", abi.Name, abi.Audit, abi.WordSize)
		}
	}
}

func TestErrno(t *testing.T) {
	tests := []struct {
		abi  *tables.ABI
		name string
		num  uint16
	}{
		{tables.X86_64, "EPERM", 1}, {tables.X86_64, "ENOSYS", 38},
		{tables.AArch64, "ENOSYS", 38}, {tables.MIPS, "ENOSYS", 89},
		{tables.MIPS64N32EL, "ENOSYS", 89}, {tables.X32, "EACCES", 13},
	}
	for _, tt := range tests {
		if n, ok := tt.abi.Errno(tt.name); !ok || n != tt.num {
			t.Errorf("%s: Errno(%s) = %d, %v; want %d", tt.abi.Name, tt.name, n, ok, tt.num)
		}
	}
	if name, ok := tables.MIPS.ErrnoName(89); !ok || name != "ENOSYS" {
		t.Errorf("MIPS.ErrnoName(89) = %q, %v", name, ok)
	}
}

func TestSuggest(t *testing.T) {
	got := tables.Suggest("opnat", 3)
	if !slices.Contains(got, "openat") {
		t.Errorf("Suggest(opnat) = %v, want openat among them", got)
	}
	if got := tables.Suggest("zzzzzzzzzzzzzzzzzz", 3); len(got) != 0 {
		t.Errorf("Suggest(zzz…) = %v, want none", got)
	}
	if !tables.Known("iopl") || tables.Known("iopll") {
		t.Error("Known is wrong about iopl / iopll")
	}
}

func TestByCall(t *testing.T) {
	tests := []struct {
		audit, nr uint32
		want      *tables.ABI
	}{
		{0xc000003e, 0, tables.X86_64},
		{0xc000003e, 0x40000000 | 1, tables.X32},
		{0xc000003e, 0x7fffffff, tables.X32},
		{0xc000003e, 0xffffffff, tables.X86_64}, // -1: never x32
		{0xc000003e, 0xc0000001, tables.X86_64},
		{0xc000003e, 0x80000000, tables.X86_64},
		{0x40000003, 0x40000000, tables.I386},
		{0xc00000b7, 56, tables.AArch64},
	}
	for _, tt := range tests {
		if got, ok := tables.ByCall(tt.audit, tt.nr); !ok || got != tt.want {
			t.Errorf("ByCall(%#x, %#x) = %v, %v; want %v", tt.audit, tt.nr, got, ok, tt.want)
		}
	}
	if got, ok := tables.ByCall(0x1234, 0); ok {
		t.Errorf("ByCall(unknown arch) = %v", got)
	}
}

// wantAliases is every alias of every ABI: the names the uapi headers
// define as another call's number ("#define __NR_<alias> __NR_<call>"),
// with that number. An ABI not listed has none.
var wantAliases = map[string][]tables.Syscall{
	// arch/arm/include/uapi/asm/unistd.h:
	// #define __NR_sync_file_range2 __NR_arm_sync_file_range
	"arm": {{Name: "sync_file_range2", Nr: 341}},
}

// TestSyscallAliases checks each ABI's aliases against wantAliases, and
// that the lookups treat them as documented: Number and Known accept them,
// everything that lists or names calls by number gives the call's own name.
func TestSyscallAliases(t *testing.T) {
	for _, abi := range tables.All() {
		t.Run(abi.Name, func(t *testing.T) {
			got := abi.SyscallAliases()
			if want := wantAliases[abi.Name]; !slices.Equal(got, want) {
				t.Errorf("SyscallAliases() = %v, want %v", got, want)
			}
			for _, a := range got {
				if nr, ok := abi.Number(a.Name); !ok || nr != a.Nr {
					t.Errorf("Number(%q) = %d, %v; want %d", a.Name, nr, ok, a.Nr)
				}
				name, ok := abi.SyscallName(a.Nr)
				if !ok || name == a.Name {
					t.Errorf("SyscallName(%d) = %q, %v; want the call's own name", a.Nr, name, ok)
				}
				if slices.ContainsFunc(abi.Syscalls(), func(s tables.Syscall) bool { return s.Name == a.Name }) {
					t.Errorf("Syscalls() lists the alias %s", a.Name)
				}
				if !tables.Known(a.Name) {
					t.Errorf("Known(%q) = false", a.Name)
				}
			}
		})
	}
	for name := range wantAliases {
		if _, ok := tables.Lookup(name); !ok {
			t.Errorf("wantAliases names ABI %s, which tables does not have", name)
		}
	}
	if nr, ok := tables.ARM.Number("sync_file_range2"); !ok || nr != 341 {
		t.Errorf("ARM.Number(sync_file_range2) = %d, %v; want 341", nr, ok)
	}
	if name, _ := tables.ARM.SyscallName(341); name != "arm_sync_file_range" {
		t.Errorf("ARM.SyscallName(341) = %q, want arm_sync_file_range", name)
	}
	if got := tables.Suggest("sync_fle_range2", 1); !slices.Equal(got, []string{"sync_file_range2"}) {
		t.Errorf("Suggest(sync_fle_range2) = %v, want the alias sync_file_range2", got)
	}
}
