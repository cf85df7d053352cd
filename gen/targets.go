package main

// target is one Linux system-call ABI the generator writes a table for. The
// targets table below is the single place that knows about architectures:
// a new ABI is one more row.
type target struct {
	name   string // libseccomp's name, also the table's file name
	goName string // the exported variable in package tables
	// aliases are other names tables.Lookup accepts: the GOARCH, Debian's
	// architecture name (dpkg-architecture -L: ppc64el, mipsn32), the GNU
	// triplet's CPU (powerpc64le) and libseccomp's own where they differ
	// from name (mipsel64, seccomp_arch_resolve_name in src/arch.c).
	aliases []string
	// audit is the AUDIT_ARCH_* value of include/uapi/linux/audit.h:
	// EM_* | __AUDIT_ARCH_64BIT (0x80000000) | __AUDIT_ARCH_LE
	// (0x40000000) | __AUDIT_ARCH_CONVENTION_MIPS64_N32 (0x20000000).
	audit     uint32
	native    []string // GOARCHes whose native ABI this is
	compat    []string // GOARCHes on whose kernels this is a compat ABI
	bigEndian bool
	wordSize  int    // width of a syscall argument in seccomp_data's view
	nrBit     uint32 // bit set in every number (x32's __X32_SYSCALL_BIT)

	// Where x/sys keeps the numbers: the GOARCH of zsysnum_linux_*.go.
	// For ABIs x/sys has no table of, from names the target whose table
	// derive turns into this one (see derive.go).
	xsys   string
	from   string
	derive func(from *table, t *target) (*table, error)
	// facts names the file of gen/facts that holds the table of an ABI
	// neither x/sys nor a derivation gives (see facts.go).
	facts string
	// until is the last Linux with this ABI: reading a newer Linux tree
	// or its headers, gen derives the ABI from from's table as it does
	// from x/sys's.
	until string

	// Where a Linux source tree keeps the numbers.
	arch    string   // directory under arch/
	tbl     string   // syscall table, relative to the tree; "" for asm-generic
	tblABIs []string // values of the table's ABI column this ABI takes
	base    uint32   // added to the table's numbers (__NR_Linux on mips)
	// header is the installed uapi header (under asm/) that lists the
	// numbers, as in a distribution's linux-libc-dev.
	header string
	// uapi says how a C compiler for the ABI reads those headers (see
	// linux.go).
	uapi uapiABI
}

// targets lists every ABI, in the order tables.All returns them: every
// ABI whose kernel supports seccomp filters (HAVE_ARCH_SECCOMP_FILTER) and
// whose numbers golang.org/x/sys or Debian's uapi headers give. Left out
// for want of seccomp filters (Documentation/features/seccomp/
// seccomp-filter/arch-support.txt, "TODO" through Linux 6.12, and no
// "select HAVE_ARCH_SECCOMP_FILTER" in arch/alpha/Kconfig or
// arch/sparc/Kconfig): sparc64 and sparc, which x/sys and Debian have
// numbers of, and alpha, which Debian has.
var targets = []target{
	{
		name: "x86_64", goName: "X86_64", aliases: []string{"amd64", "x86-64"},
		audit: 0xc000003e, native: []string{"amd64"}, wordSize: 8, xsys: "amd64",
		arch: "x86", tbl: "arch/x86/entry/syscalls/syscall_64.tbl", tblABIs: []string{"common", "64"},
		header: "unistd_64.h",
		uapi:   uapiABI{defines: lp64("__x86_64__"), triplets: x86Triplets("x86_64-linux-gnu"), canary: entry{"arch_prctl", 158}},
	},
	{
		name: "x86", goName: "I386", aliases: []string{"i386", "386", "i686"},
		audit: 0x40000003, native: []string{"386"}, compat: []string{"amd64"}, wordSize: 4, xsys: "386",
		arch: "x86", tbl: "arch/x86/entry/syscalls/syscall_32.tbl", tblABIs: []string{"i386"},
		header: "unistd_32.h",
		uapi:   uapiABI{defines: ilp32("__i386__", "__ILP32__"), triplets: x86Triplets("i386-linux-gnu"), canary: entry{"set_thread_area", 243}},
	},
	{
		name: "x32", goName: "X32",
		audit: 0xc000003e, compat: []string{"amd64"}, wordSize: 8, nrBit: 0x40000000,
		from: "x86_64", derive: deriveX32,
		arch: "x86", tbl: "arch/x86/entry/syscalls/syscall_64.tbl", tblABIs: []string{"common", "x32"},
		header: "unistd_x32.h",
		uapi:   uapiABI{defines: ilp32("__x86_64__", "__ILP32__"), triplets: x86Triplets("x86_64-linux-gnux32"), canary: entry{"arch_prctl", 0x40000000 | 158}},
	},
	{
		name: "aarch64", goName: "AArch64", aliases: []string{"arm64"},
		audit: 0xc00000b7, native: []string{"arm64"}, wordSize: 8, xsys: "arm64",
		arch: "arm64", tblABIs: []string{"common", "64"},
		header: "unistd.h",
		uapi:   uapiABI{defines: lp64("__aarch64__"), triplets: []string{"aarch64-linux-gnu"}, canary: entry{"renameat", 38}},
	},
	{
		name: "arm", goName: "ARM", aliases: []string{"armhf", "armel", "eabi"},
		audit: 0x40000028, native: []string{"arm"}, compat: []string{"arm64"}, wordSize: 4, xsys: "arm",
		arch: "arm", tbl: "arch/arm/tools/syscall.tbl", tblABIs: []string{"common", "eabi"},
		header: "unistd-eabi.h",
		uapi:   uapiABI{defines: ilp32("__arm__", "__ARM_EABI__"), triplets: []string{"arm-linux-gnueabihf", "arm-linux-gnueabi"}, canary: entry{"arm_fadvise64_64", 270}},
	},
	{
		name: "riscv64", goName: "RISCV64",
		audit: 0xc00000f3, native: []string{"riscv64"}, wordSize: 8, xsys: "riscv64",
		arch: "riscv", tblABIs: []string{"common", "64"},
		header: "unistd.h",
		uapi:   uapiABI{defines: lp64("__riscv", "__riscv_xlen=64"), triplets: []string{"riscv64-linux-gnu"}, canary: entry{"riscv_flush_icache", 259}},
	},
	{
		name: "ppc64", goName: "PPC64", aliases: []string{"powerpc64"},
		audit: 0x80000015, native: []string{"ppc64"}, bigEndian: true, wordSize: 8, xsys: "ppc64",
		arch: "powerpc", tbl: "arch/powerpc/kernel/syscalls/syscall.tbl", tblABIs: []string{"common", "64", "nospu"},
		header: "unistd_64.h",
		uapi:   uapiABI{defines: lp64("__powerpc__", "__powerpc64__"), triplets: powerpcTriplets("powerpc64-linux-gnu"), canary: entry{"spu_run", 278}},
	},
	{
		name: "ppc64le", goName: "PPC64LE", aliases: []string{"ppc64el", "powerpc64le"},
		audit: 0xc0000015, native: []string{"ppc64le"}, wordSize: 8, xsys: "ppc64le",
		arch: "powerpc", tbl: "arch/powerpc/kernel/syscalls/syscall.tbl", tblABIs: []string{"common", "64", "nospu"},
		header: "unistd_64.h",
		uapi:   uapiABI{defines: lp64("__powerpc__", "__powerpc64__"), triplets: powerpcTriplets("powerpc64le-linux-gnu"), canary: entry{"spu_run", 278}},
	},
	{
		name: "s390x", goName: "S390X",
		audit: 0x80000016, native: []string{"s390x"}, bigEndian: true, wordSize: 8, xsys: "s390x",
		arch: "s390", tbl: "arch/s390/kernel/syscalls/syscall.tbl", tblABIs: []string{"common", "64"},
		header: "unistd_64.h",
		uapi:   uapiABI{defines: lp64("__s390__", "__s390x__"), triplets: []string{"s390x-linux-gnu"}, canary: entry{"s390_runtime_instr", 342}},
	},
	{
		name: "mips", goName: "MIPS", aliases: []string{"mipso32"},
		audit: 0x00000008, native: []string{"mips"}, compat: []string{"mips64"}, bigEndian: true, wordSize: 4, xsys: "mips",
		arch: "mips", tbl: "arch/mips/kernel/syscalls/syscall_o32.tbl", tblABIs: []string{"o32"}, base: 4000,
		header: "unistd_o32.h",
		uapi:   uapiABI{defines: ilp32(mips("_ABIO32")...), triplets: mipsTriplets("mips-linux-gnu"), canary: entry{"read", 4003}},
	},
	{
		name: "mipsel", goName: "MIPSEL", aliases: []string{"mipsle", "mipso32el"},
		audit: 0x40000008, native: []string{"mipsle"}, compat: []string{"mips64le"}, wordSize: 4, xsys: "mipsle",
		arch: "mips", tbl: "arch/mips/kernel/syscalls/syscall_o32.tbl", tblABIs: []string{"o32"}, base: 4000,
		header: "unistd_o32.h",
		uapi:   uapiABI{defines: ilp32(mips("_ABIO32")...), triplets: mipsTriplets("mipsel-linux-gnu"), canary: entry{"read", 4003}},
	},
	{
		name: "mips64", goName: "MIPS64", aliases: []string{"mips64n64"},
		audit: 0x80000008, native: []string{"mips64"}, bigEndian: true, wordSize: 8, xsys: "mips64",
		arch: "mips", tbl: "arch/mips/kernel/syscalls/syscall_n64.tbl", tblABIs: []string{"common", "n64"}, base: 5000,
		header: "unistd_n64.h",
		uapi:   uapiABI{defines: lp64(mips("_ABI64")...), triplets: mipsTriplets("mips64-linux-gnuabi64"), canary: entry{"read", 5000}},
	},
	{
		name: "mips64el", goName: "MIPS64EL", aliases: []string{"mips64le", "mips64n64el", "mipsel64"},
		audit: 0xc0000008, native: []string{"mips64le"}, wordSize: 8, xsys: "mips64le",
		arch: "mips", tbl: "arch/mips/kernel/syscalls/syscall_n64.tbl", tblABIs: []string{"common", "n64"}, base: 5000,
		header: "unistd_n64.h",
		uapi:   uapiABI{defines: lp64(mips("_ABI64")...), triplets: mipsTriplets("mips64el-linux-gnuabi64"), canary: entry{"read", 5000}},
	},
	{
		name: "mips64n32", goName: "MIPS64N32", aliases: []string{"mipsn32"},
		audit: 0xa0000008, compat: []string{"mips64"}, bigEndian: true, wordSize: 8,
		from: "mips64", derive: deriveN32,
		arch: "mips", tbl: "arch/mips/kernel/syscalls/syscall_n32.tbl", tblABIs: []string{"common", "n32"}, base: 6000,
		header: "unistd_n32.h",
		uapi:   uapiABI{defines: ilp32(mips("_ABIN32")...), triplets: mipsTriplets("mips64-linux-gnuabin32"), canary: entry{"read", 6000}},
	},
	{
		name: "mips64n32el", goName: "MIPS64N32EL", aliases: []string{"mipsn32el", "mipsel64n32"},
		audit: 0xe0000008, compat: []string{"mips64le"}, wordSize: 8,
		from: "mips64el", derive: deriveN32,
		arch: "mips", tbl: "arch/mips/kernel/syscalls/syscall_n32.tbl", tblABIs: []string{"common", "n32"}, base: 6000,
		header: "unistd_n32.h",
		uapi:   uapiABI{defines: ilp32(mips("_ABIN32")...), triplets: mipsTriplets("mips64el-linux-gnuabin32"), canary: entry{"read", 6000}},
	},
	{
		name: "loongarch64", goName: "LoongArch64", aliases: []string{"loong64"},
		audit: 0xc0000102, native: []string{"loong64"}, wordSize: 8, xsys: "loong64",
		arch: "loongarch", tblABIs: []string{"common", "64"},
		header: "unistd.h",
		uapi:   uapiABI{defines: lp64("__loongarch__", "__loongarch64", "__loongarch_grlen=64"), triplets: []string{"loongarch64-linux-gnu"}, canary: entry{"io_setup", 0}, lacks: []string{"renameat", "riscv_flush_icache"}},
	},
	{
		name: "ppc", goName: "PPC", aliases: []string{"powerpc"},
		audit: 0x00000014, compat: []string{"ppc64"}, bigEndian: true, wordSize: 4, xsys: "ppc",
		arch: "powerpc", tbl: "arch/powerpc/kernel/syscalls/syscall.tbl", tblABIs: []string{"common", "32", "nospu"},
		header: "unistd_32.h",
		uapi:   uapiABI{defines: ilp32("__powerpc__"), triplets: powerpcTriplets("powerpc-linux-gnu"), canary: entry{"spu_run", 278}, lacks: []string{"newfstatat"}},
	},
	{
		// 31-bit s390, a compat ABI of s390x kernels until Linux 6.19
		// removed it (commit 8e0b986c59c6, "s390: Remove compat
		// support"); see deriveS390.
		name: "s390", goName: "S390",
		audit: 0x00000016, compat: []string{"s390x"}, bigEndian: true, wordSize: 4,
		from: "s390x", derive: deriveS390, until: s390Last,
		arch: "s390", tbl: "arch/s390/kernel/syscalls/syscall.tbl", tblABIs: []string{"common", "32"},
		header: "unistd_32.h",
		uapi:   uapiABI{defines: ilp32("__s390__"), triplets: []string{"s390x-linux-gnu", "s390-linux-gnu"}, canary: entry{"s390_runtime_instr", 342}, lacks: []string{"newfstatat"}},
	},
	{
		name: "m68k", goName: "M68K",
		audit: 0x00000004, bigEndian: true, wordSize: 4, facts: "m68k",
		arch: "m68k", tbl: "arch/m68k/kernel/syscalls/syscall.tbl", tblABIs: []string{"common"},
		header: "unistd_32.h",
		uapi:   uapiABI{defines: ilp32("__m68k__", "__mc68000__"), triplets: []string{"m68k-linux-gnu"}, canary: entry{"atomic_cmpxchg_32", 335}},
	},
	{
		// SuperH, little-endian as Debian's sh4 (AUDIT_ARCH_SHEL);
		// libseccomp calls it "sh" and the big-endian one "sheb".
		name: "sh", goName: "SH", aliases: []string{"sh4", "shel"},
		audit: 0x4000002a, wordSize: 4, facts: "sh",
		arch: "sh", tbl: "arch/sh/kernel/syscalls/syscall.tbl", tblABIs: []string{"common"},
		header: "unistd_32.h",
		uapi:   uapiABI{defines: ilp32("__sh__", "__SH4__"), triplets: []string{"sh4-linux-gnu"}, canary: entry{"shutdown", 352}},
	},
	{
		// Big-endian SuperH (AUDIT_ARCH_SH): the same numbers.
		name: "sheb", goName: "SHEB", aliases: []string{"sh4eb"},
		audit: 0x0000002a, bigEndian: true, wordSize: 4, facts: "sh",
		arch: "sh", tbl: "arch/sh/kernel/syscalls/syscall.tbl", tblABIs: []string{"common"},
		header: "unistd_32.h",
		uapi:   uapiABI{defines: ilp32("__sh__", "__SH4__", "__BIG_ENDIAN__"), triplets: []string{"sh4-linux-gnu"}, canary: entry{"shutdown", 352}},
	},
	{
		name: "parisc", goName: "PARISC", aliases: []string{"hppa"},
		audit: 0x0000000f, bigEndian: true, wordSize: 4, facts: "parisc",
		arch: "parisc", tbl: "arch/parisc/kernel/syscalls/syscall.tbl", tblABIs: []string{"common", "32"},
		header: "unistd_32.h",
		uapi:   uapiABI{defines: ilp32("__hppa__"), triplets: []string{"hppa-linux-gnu"}, canary: entry{"shutdown", 117}},
	},
	{
		name: "parisc64", goName: "PARISC64", aliases: []string{"hppa64"},
		audit: 0x8000000f, bigEndian: true, wordSize: 8, facts: "parisc64",
		arch: "parisc", tbl: "arch/parisc/kernel/syscalls/syscall.tbl", tblABIs: []string{"common", "64"},
		header: "unistd_64.h",
		uapi:   uapiABI{defines: lp64("__hppa__"), triplets: []string{"hppa-linux-gnu"}, canary: entry{"shutdown", 117}, lacks: []string{"clock_gettime64"}},
	},
}

// entry is one system call of a table.
type entry struct {
	name string
	nr   uint32
}

// alias is another name the uapi headers give a system call:
// "#define __NR_<name> __NR_<call>".
type alias struct {
	name string
	call string
}

// errnoEntry is one error number of a table.
type errnoEntry struct {
	name string
	num  uint16
}

// table is the model the generator renders: one ABI's system calls and
// error numbers, and where they came from.
type table struct {
	t        *target
	syscalls []entry // sorted by nr, names unique
	aliases  []entry // other names of numbers in syscalls, sorted by name
	errnos   []errnoEntry
	kernel   string // Linux version the numbers reflect, e.g. "7.2"
	source   string // e.g. "golang.org/x/sys v0.50.0"
}
