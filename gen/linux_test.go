package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"

	"github.com/sysfence/seccomp/internal/golden"

	"github.com/sysfence/seccomp/gen/internal/cpp"
)

// linuxFixtures are the small kernels of testdata/linux: each has a source
// tree (tree/) and the uapi headers it installs (include/, with asm/ in
// Debian multiarch directories), and want/ holds the tables they describe.
// v7.2 has every ABI, with the asm-generic arches on scripts/syscall.tbl;
// v6.1 has the asm-generic arches as they were before Linux 6.11, numbered
// in include/uapi/asm-generic/unistd.h.
var linuxFixtures = []struct {
	version string
	abis    []string // nil: every target
}{
	{"7.2", nil},
	{"6.1", []string{"aarch64", "riscv64"}},
}

// TestReadLinuxFixtures reads each fixture kernel's tree and its headers:
// the same kernel must give the same tables, and those the golden ones.
func TestReadLinuxFixtures(t *testing.T) {
	for _, fx := range linuxFixtures {
		dir := filepath.Join("testdata", "linux", "v"+fx.version)
		for i := range targets {
			tg := &targets[i]
			if fx.abis != nil && !slices.Contains(fx.abis, tg.name) {
				continue
			}
			t.Run(fx.version+"/"+tg.name, func(t *testing.T) {
				tree, err := readLinux(filepath.Join(dir, "tree"), tg)
				if err != nil {
					t.Fatalf("source tree: %v", err)
				}
				headers, err := readLinux(filepath.Join(dir, "include"), tg)
				if err != nil {
					t.Fatalf("uapi headers: %v", err)
				}
				for _, c := range []struct{ got, want string }{
					{tree.source, "Linux " + fx.version + " source tree"},
					{headers.source, "Linux " + fx.version + " uapi headers"},
				} {
					if tg.until != "" && newerLinux(fx.version, tg.until) {
						c.want += ", derived from its " + tg.from + " table as of Linux " + tg.until
					}
					if c.got != c.want {
						t.Errorf("source %q, want %q", c.got, c.want)
					}
				}
				got := dumpLinuxTable(tree)
				if h := dumpLinuxTable(headers); h != got {
					t.Errorf("source tree and uapi headers disagree (-tree +headers):\n%s", diffLines(got, h))
				}
				golden.Check(t, filepath.Join(dir, "want", tg.name+".txt"), []byte(got))
			})
		}
	}
}

// dumpLinuxTable writes a table as text: the kernel, then a line per system
// call, per alias and per error number. The source is left out, so that a tree and
// its headers give the same text.
func dumpLinuxTable(tab *table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s from Linux %s\n", tab.t.name, tab.kernel)
	for _, e := range tab.syscalls {
		fmt.Fprintf(&b, "syscall %-20s %10d %#x\n", e.name, e.nr, e.nr)
	}
	for _, e := range tab.aliases {
		fmt.Fprintf(&b, "alias   %-20s %10d %#x\n", e.name, e.nr, e.nr)
	}
	for _, e := range tab.errnos {
		fmt.Fprintf(&b, "errno   %-20s %10d\n", e.name, e.num)
	}
	return b.String()
}

// diffLines lists the lines only in a (-) and only in b (+).
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

func lookupTarget(t *testing.T, name string) *target {
	t.Helper()
	for i := range targets {
		if targets[i].name == name {
			return &targets[i]
		}
	}
	t.Fatalf("no target %s", name)
	return nil
}

// with returns base with the files of over added or replaced.
func with(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// TestReadLinuxErrors feeds readLinux malformed files: the error must say
// which file and line, and wrap the right sentinel.
func TestReadLinuxErrors(t *testing.T) {
	headers := map[string]string{
		"linux/version.h":     "#define LINUX_VERSION_CODE 459264\n",
		"asm-generic/errno.h": "#define EPERM 1\n",
		"asm/errno.h":         "#include <asm-generic/errno.h>\n",
		"asm/unistd.h":        "#include <asm/unistd_64.h>\n",
		"asm/unistd_64.h":     "#define __NR_read 0\n",
	}
	tree := map[string]string{
		"Makefile":                               "VERSION = 7\nPATCHLEVEL = 2\n",
		"arch/x86/entry/syscalls/syscall_64.tbl": "0 common read sys_read\n",
		"include/uapi/asm-generic/errno.h":       "#define EPERM 1\n",
	}
	for _, c := range []struct {
		name   string
		abi    string // default x86_64
		files  map[string]string
		want   string // in the error
		target error
	}{
		{"header/bad expression", "", with(headers, map[string]string{
			"asm/unistd_64.h": "#define __NR_read 0\n#define __NR_write (1 +)\n",
		}), "asm/unistd_64.h:2: #define __NR_write (1 +): preprocessor: unexpected \")\"", cpp.ErrSyntax},
		{"header/undefined macro", "", with(headers, map[string]string{
			"asm/unistd_64.h": "#define __NR_read (__base + 0)\n",
		}), "asm/unistd_64.h:1: #define __NR_read (__base + 0): preprocessor: __base is not defined", cpp.ErrSyntax},
		{"header/#if without #endif", "", with(headers, map[string]string{
			"asm/unistd.h": "#include <asm/unistd_64.h>\n\n#ifdef __x86_64__\n",
		}), "asm/unistd.h:3: preprocessor: #if without #endif", cpp.ErrSyntax},
		{"header/#else without #if", "", with(headers, map[string]string{
			"asm/unistd.h": "#include <asm/unistd_64.h>\n#else\n",
		}), "asm/unistd.h:2: preprocessor: #else without #if", cpp.ErrSyntax},
		{"header/#elif after #else", "", with(headers, map[string]string{
			"asm/unistd.h": "#if 0\n#else\n#elif 1\n#endif\n",
		}), "asm/unistd.h:3: preprocessor: #elif after #else", cpp.ErrSyntax},
		{"header/unknown directive", "", with(headers, map[string]string{
			"asm/unistd.h": "#include <asm/unistd_64.h>\n#frobnicate\n",
		}), "asm/unistd.h:2: preprocessor: unknown directive #frobnicate", cpp.ErrSyntax},
		{"header/#error", "", with(headers, map[string]string{
			"asm/unistd.h": "#ifdef __x86_64__\n#error wrong ABI\n#endif\n",
		}), "asm/unistd.h:2: preprocessor: #error wrong ABI", cpp.ErrSyntax},
		{"header/bad #include", "", with(headers, map[string]string{
			"asm/unistd.h": "#include asm/unistd_64.h\n",
		}), "asm/unistd.h:1: preprocessor: #include asm/unistd_64.h", cpp.ErrSyntax},
		{"header/bad #define", "", with(headers, map[string]string{
			"asm/unistd_64.h": "#define __NR_read 0\n#define 64bit 1\n",
		}), "asm/unistd_64.h:2: preprocessor: #define \"64bit 1\"", cpp.ErrSyntax},
		{"header/missing include", "", with(headers, map[string]string{
			"asm/unistd.h": "#include <asm/unistd_64.h>\n#include <asm/unistd_99.h>\n",
		}), "asm/unistd.h:2: #include <asm/unistd_99.h>", errLinuxLayout},
		{"header/unterminated comment", "", with(headers, map[string]string{
			"asm/unistd_64.h": "#define __NR_read 0\n/* no end\n",
		}), "asm/unistd_64.h:2: preprocessor: unterminated comment", cpp.ErrSyntax},
		{"header/wrong asm directory", "", with(headers, map[string]string{
			"asm/unistd.h":    "#include <asm/unistd_32.h>\n",
			"asm/unistd_32.h": "#define __NR_read 3\n",
		}), "asm/unistd.h does not include asm/unistd_64.h", errLinuxLayout},
		{"header/version mismatch", "", with(headers, map[string]string{
			"linux/version.h": "#define LINUX_VERSION_CODE 459264\n#define LINUX_VERSION_MAJOR 6\n#define LINUX_VERSION_PATCHLEVEL 1\n",
		}), "linux/version.h:1: malformed input: LINUX_VERSION_CODE 459264 is not 6.1", errLinuxSyntax},
		{"header/bad errno", "", with(headers, map[string]string{
			"asm-generic/errno.h": "#define EPERM 1\n#define ENOENT (-2)\n",
		}), "asm-generic/errno.h:2: malformed input: ENOENT is -2", errLinuxSyntax},
		{"header/alias of nothing", "", with(headers, map[string]string{
			"asm/unistd_64.h": "#define __NR_read 0\n#define __NR_arch_prctl 158\n#define __NR_pread (__NR_nope)\n",
		}), "malformed input: the Linux 7.2 uapi headers: alias pread names nope, which is no system call of the table", errLinuxSyntax},
		{"header/no system calls", "", with(headers, map[string]string{
			"asm/unistd_64.h": "#define __NR_syscalls 0\n",
		}), "no system calls", errLinuxLayout},

		{"tree/bad number", "", with(tree, map[string]string{
			"arch/x86/entry/syscalls/syscall_64.tbl": "# comment\n0 common read sys_read\nx common write sys_write\n",
		}), "syscall_64.tbl:3: malformed input: bad number \"x\"", errLinuxSyntax},
		{"tree/number too big", "", with(tree, map[string]string{
			"arch/x86/entry/syscalls/syscall_64.tbl": "4294967296 common big sys_big\n",
		}), "syscall_64.tbl:1: malformed input: bad number", errLinuxSyntax},
		{"tree/short row", "", with(tree, map[string]string{
			"arch/x86/entry/syscalls/syscall_64.tbl": "0 common read sys_read\n1 common\n",
		}), "syscall_64.tbl:2: malformed input: want number, ABI and name", errLinuxSyntax},
		{"tree/bad name", "", with(tree, map[string]string{
			"arch/x86/entry/syscalls/syscall_64.tbl": "0 common Read sys_read\n",
		}), "syscall_64.tbl:1: malformed input: bad system call name \"Read\"", errLinuxSyntax},
		{"tree/no rows for the ABI", "", with(tree, map[string]string{
			"arch/x86/entry/syscalls/syscall_64.tbl": "0 i386 read sys_read\n",
		}), "syscall_64.tbl: not a Linux source tree or uapi include directory: no rows for ABIs common, 64", errLinuxLayout},
		{"tree/duplicate name", "", with(tree, map[string]string{
			"arch/x86/entry/syscalls/syscall_64.tbl": "0 common read sys_read\n1 64 read sys_read\n",
		}), "malformed input: system call read is both 0 and 1", errLinuxSyntax},
		{"tree/bad VERSION", "", with(tree, map[string]string{
			"Makefile": "# top\nVERSION = seven\nPATCHLEVEL = 2\n",
		}), "Makefile:2: malformed input: VERSION = \"seven\"", errLinuxSyntax},
		{"tree/no PATCHLEVEL", "", with(tree, map[string]string{
			"Makefile": "VERSION = 7\n",
		}), "Makefile: not a Linux source tree or uapi include directory: no VERSION and PATCHLEVEL", errLinuxLayout},
		{"tree/no asm-generic table", "aarch64", with(tree, map[string]string{
			"arch/arm64/kernel/Makefile.syscalls": "syscalltbl = arch/arm64/tools/syscall_%.tbl\n",
		}), "arch/arm64/tools/syscall_64.tbl, and arch/arm64/include/uapi/asm/unistd.h does not include asm-generic/unistd.h", errLinuxLayout},
		{"neither", "", map[string]string{"README": "hello\n"},
			"want Makefile and arch/, or asm-generic/", errLinuxLayout},
	} {
		t.Run(c.name, func(t *testing.T) {
			abi := c.abi
			if abi == "" {
				abi = "x86_64"
			}
			dir := testenv.WriteTree(t, c.files)
			_, err := readLinux(dir, lookupTarget(t, abi))
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""); !strings.Contains(msg, c.want) {
				t.Errorf("error %q\ndoes not contain %q", msg, c.want)
			}
			if c.target != nil && !errors.Is(err, c.target) {
				t.Errorf("error %q does not wrap %q", err, c.target)
			}
		})
	}
}

// TestReadLinuxWrongArchitecture reads the fixture headers of one
// architecture as another's: readLinux must refuse, not return the wrong
// numbers.
func TestReadLinuxWrongArchitecture(t *testing.T) {
	include := filepath.Join("testdata", "linux", "v7.2", "include")
	for _, c := range []struct{ abi, triplet, want string }{
		{"riscv64", "aarch64-linux-gnu", "no system call riscv_flush_icache = 259; are they riscv's?"},
		{"aarch64", "riscv64-linux-gnu", "no system call renameat = 38; are they arm64's?"},
		{"loongarch64", "aarch64-linux-gnu", "have system call renameat, which loongarch64 lacks"},
		{"loongarch64", "riscv64-linux-gnu", "have system call riscv_flush_icache, which loongarch64 lacks"},
		{"ppc64", "x86_64-linux-gnu", "no system call spu_run = 278; are they powerpc's?"},
		{"s390x", "x86_64-linux-gnu", "no system call s390_runtime_instr = 342; are they s390's?"},
		{"aarch64", "x86_64-linux-gnu", "no system call renameat = 38"},
		{"x86_64", "arm-linux-gnueabihf", "asm/unistd.h does not include asm/unistd_64.h for x86_64"},
		{"x86", "mips-linux-gnu", "asm/unistd.h does not include asm/unistd_32.h for x86"},
		{"ppc64", "s390x-linux-gnu", "asm/unistd.h does not include asm/unistd_64.h for ppc64"},
		{"ppc", "s390x-linux-gnu", "no system call spu_run = 278; are they powerpc's?"},
		{"s390", "powerpc64-linux-gnu", "no system call s390_runtime_instr = 342; are they s390's?"},
		{"m68k", "sh4-linux-gnu", "no system call atomic_cmpxchg_32 = 335; are they m68k's?"},
		{"sh", "m68k-linux-gnu", "no system call shutdown = 352; are they sh's?"},
		{"sheb", "hppa-linux-gnu", "no system call shutdown = 352; are they sh's?"},
		{"parisc", "sh4-linux-gnu", "no system call shutdown = 117; are they parisc's?"},
		{"parisc64", "m68k-linux-gnu", "asm/unistd.h does not include asm/unistd_64.h for parisc64"},
		{"arm", "aarch64-linux-gnu", "asm/unistd.h does not include asm/unistd-eabi.h for arm"},
		{"mips", "x86_64-linux-gnu", "asm/unistd.h does not include asm/unistd_o32.h for mips"},
	} {
		t.Run(c.abi+"/"+c.triplet, func(t *testing.T) {
			_, err := readLinuxHeaders(include, filepath.Join(include, c.triplet, "asm"), lookupTarget(t, c.abi))
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, errLinuxLayout) {
				t.Errorf("error %v, want %q wrapping errLinuxLayout", err, c.want)
			}
		})
	}
}

// TestCanariesInXSys checks each ABI's canary and lacks against the table
// gen builds from golang.org/x/sys.
func TestCanariesInXSys(t *testing.T) {
	tabs, err := buildTables("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tab := range tabs {
		if err := checkCanary(tab.t, tab.syscalls, tab.source); err != nil {
			t.Error(err)
		}
	}
}

// TestGenericTable reads the ABIs and the table an asm-generic arch's
// Makefile.syscalls chooses.
func TestGenericTable(t *testing.T) {
	for _, c := range []struct {
		name     string
		makefile string // "" for none
		abis     []string
		tbl      string
	}{
		{"no Makefile.syscalls", "", []string{"common", "64"}, "scripts/syscall.tbl"},
		{"added ABIs", "# comment\nsyscall_abis_32 += time32\nsyscall_abis_64 += renameat rlimit # more\n",
			[]string{"common", "64", "renameat", "rlimit"}, "scripts/syscall.tbl"},
		{"nothing added", "syscall_abis_64 +=\n", []string{"common", "64"}, "scripts/syscall.tbl"},
		{"replaced ABIs", "syscall_abis_64 := common,64,memfd_secret\n",
			[]string{"common", "64", "memfd_secret"}, "scripts/syscall.tbl"},
		{"own table", "syscalltbl = $(srctree)/arch/arm64/tools/syscall_%.tbl\n",
			[]string{"common", "64"}, "arch/arm64/tools/syscall_64.tbl"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			if c.makefile != "" {
				files["arch/arm64/kernel/Makefile.syscalls"] = c.makefile
			}
			dir := testenv.WriteTree(t, files)
			abis, tbl, err := genericTable(dir, lookupTarget(t, "aarch64"))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(abis, c.abis) {
				t.Errorf("ABIs %q, want %q", abis, c.abis)
			}
			if want := filepath.Join(dir, c.tbl); tbl != want {
				t.Errorf("table %s, want %s", tbl, want)
			}
		})
	}
}

// TestUAPIABIs checks that each target's predefined macros (uapi.defines)
// make its architecture's asm/unistd.h read the target's own numbers and
// no other ABI's: a wrong _MIPS_SIM, a missing __ILP32__ (x32) or
// __ARM_EABI__, or a 32-bit data model for a 64-bit asm-generic arch would
// each read another ABI's numbers. It reads the Linux 7.2 fixture headers
// and, where installed, Debian's.
func TestUAPIABIs(t *testing.T) {
	for i := range targets {
		tg := &targets[i]
		includes := []string{filepath.Join("testdata", "linux", "v7.2", "include")}
		for _, d := range debianHeaders {
			if d.abi == tg.name && isDir(filepath.Join(d.include, "asm")) {
				includes = append(includes, d.include)
			}
		}
		for _, include := range includes {
			t.Run(tg.name+"/"+include, func(t *testing.T) {
				asm, err := findASM(include, tg)
				if err != nil {
					t.Fatal(err)
				}
				p := cpp.New(tg.uapi.defines, headerResolver(include, asm))
				if err := p.Include("asm/unistd.h"); err != nil {
					t.Fatal(err)
				}
				files, err := filepath.Glob(filepath.Join(asm, "unistd?*.h"))
				if err != nil {
					t.Fatal(err)
				}
				var read []string
				for _, f := range files {
					if name := "asm/" + filepath.Base(f); p.Included(name) {
						read = append(read, name)
					}
				}
				// The asm-generic arches' unistd.h is their header; it
				// includes the numbers Kbuild generates for its word size
				// (Linux 6.11 on), or asm-generic/unistd.h.
				want := []string{"asm/" + tg.header}
				if tg.header == "unistd.h" {
					own := fmt.Sprintf("unistd_%d.h", 8*tg.wordSize)
					want = nil
					if isFile(filepath.Join(asm, own)) {
						want = []string{"asm/" + own}
					}
					// Where the headers choose by __BITS_PER_LONG (Debian
					// 12's, through asm-generic/unistd.h), it must be the
					// ABI's word size.
					if p.Defined("__BITS_PER_LONG") {
						if bits, err := p.Value("__BITS_PER_LONG"); err != nil || bits != int64(8*tg.wordSize) {
							t.Errorf("__BITS_PER_LONG = %d, %v; want %d", bits, err, 8*tg.wordSize)
						}
					}
				}
				if !slices.Equal(read, want) {
					t.Errorf("asm/unistd.h read %q of %q, want %q", read, files, want)
				}
			})
		}
	}
}

// TestReadLinuxAfterS390 reads 31-bit s390 from a Linux newer than 6.18,
// which has no such ABI: gen derives it from the tree's s390x table, as it
// does from x/sys's, and from a Linux 6.18 tree it reads the "32" rows.
func TestReadLinuxAfterS390(t *testing.T) {
	tbl := "arch/s390/kernel/syscalls/syscall.tbl"
	rows := "1\tcommon\texit\tsys_exit\tsys_exit\n13\t32\ttime\t-\tsys_time32\n191\t64\tgetrlimit\tsys_getrlimit\t-\n" +
		"342\tcommon\ts390_runtime_instr\tsys_s390_runtime_instr\tsys_s390_runtime_instr\n" +
		"469\tcommon\tfile_setattr\tsys_file_setattr\tsys_file_setattr\n470\tcommon\tlistns\tsys_listns\tsys_listns\n"
	errno := "#define EPERM 1\n"
	for _, c := range []struct {
		version string
		want    []entry // some of the calls
		absent  []entry
	}{
		{"6.18", []entry{{"exit", 1}, {"time", 13}, {"file_setattr", 469}, {"listns", 470}}, []entry{{"getrlimit", 191}}},
		{"6.19", []entry{{"exit", 1}, {"time", 13}, {"_newselect", 142}, {"getrlimit", 76}, {"file_setattr", 469}}, []entry{{"getrlimit", 191}, {"listns", 470}}},
	} {
		t.Run(c.version, func(t *testing.T) {
			major, minor, _ := strings.Cut(c.version, ".")
			dir := testenv.WriteTree(t, map[string]string{
				"Makefile":                              "VERSION = " + major + "\nPATCHLEVEL = " + minor + "\n",
				tbl:                                     rows,
				"arch/s390/include/uapi/asm/unistd.h":   "#ifdef __s390x__\n#include <asm/unistd_64.h>\n#else\n#include <asm/unistd_32.h>\n#endif\n",
				"include/uapi/asm-generic/errno.h":      errno,
				"include/uapi/asm-generic/errno-base.h": errno,
			})
			tab, err := readLinux(dir, lookupTarget(t, "s390"))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range c.want {
				if !slices.Contains(tab.syscalls, e) {
					t.Errorf("no %s = %d in %v", e.name, e.nr, tab.syscalls)
				}
			}
			for _, e := range c.absent {
				if slices.Contains(tab.syscalls, e) {
					t.Errorf("%s = %d in the table", e.name, e.nr)
				}
			}
		})
	}
}
