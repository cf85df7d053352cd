package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp/gen/internal/cpp"
)

// This file is gen's second source of numbers: a Linux source tree, or the
// uapi headers a distribution installs (linux-libc-dev). Both feed the model
// that x/sys feeds (table), so the same kernel gives the same tables.
//
// In a source tree the syscall tables are the authority: t.tbl, or for the
// asm-generic arches scripts/syscall.tbl (Linux 6.11 on) and before that
// include/uapi/asm-generic/unistd.h. Installed headers hold the numbers as
// #define __NR_<name> lines, read with the small preprocessor of
// gen/internal/cpp the way a compiler for the ABI would read them. Error
// numbers come from asm/errno.h in both, and aliases ("#define __NR_<alias>
// __NR_<call>") from the arch's uapi asm/unistd.h in both.

var (
	// errLinuxLayout reports a directory that is not what readLinux
	// expects, or lacks a file it needs.
	errLinuxLayout = errors.New("not a Linux source tree or uapi include directory")
	// errLinuxSyntax reports a kernel file that cannot be read.
	errLinuxSyntax = errors.New("malformed input")
)

const (
	nrPrefix         = "__NR_"     // __NR_<name> numbers a system call
	armPrivatePrefix = "__ARM_NR_" // __ARM_NR_<name>: arm's private calls
)

// uapiABI says how a C compiler for one ABI sees the uapi headers, and how
// to tell its numbers from another architecture's.
type uapiABI struct {
	// defines are the macros the compiler predefines (gcc -dM -E) that the
	// headers test to choose the ABI's numbers: "NAME" or "NAME=VALUE".
	defines []string
	// triplets are the Debian multiarch directories under an include
	// directory (/usr/include/<triplet>/asm) that may hold the ABI's asm/,
	// its own first: an architecture's uapi headers are the same for all
	// its ABIs.
	triplets []string
	// canary is a system call the ABI numbers as no other architecture's
	// ABI does, and lacks lists calls it does not have that its nearest
	// relatives do: a table that fails either was read from the files of
	// another architecture (syscall numbers never change, so this holds
	// for every kernel).
	canary entry
	lacks  []string
}

// ilp32 and lp64 return the data-model macros of 32- and 64-bit ABIs
// (asm-generic/bitsperlong.h derives __BITS_PER_LONG from them), then more.
func ilp32(more ...string) []string {
	return append([]string{"__CHAR_BIT__=8", "__SIZEOF_LONG__=4", "__SIZEOF_POINTER__=4"}, more...)
}

func lp64(more ...string) []string {
	return append([]string{"__CHAR_BIT__=8", "__SIZEOF_LONG__=8", "__SIZEOF_POINTER__=8", "__LP64__", "_LP64"}, more...)
}

// mips returns the macros with which arch/mips/include/uapi/asm/unistd.h
// picks an ABI: _MIPS_SIM is one of gcc's _ABIO32, _ABIN32, _ABI64, which
// equal asm/sgidefs.h's _MIPS_SIM_ABI32, _MIPS_SIM_NABI32, _MIPS_SIM_ABI64.
func mips(sim string) []string {
	return []string{"__mips__", "_ABIO32=1", "_ABIN32=2", "_ABI64=3", "_MIPS_SIM=" + sim}
}

func x86Triplets(own string) []string {
	return ownFirst(own, "x86_64-linux-gnu", "i386-linux-gnu", "x86_64-linux-gnux32")
}

func powerpcTriplets(own string) []string {
	return ownFirst(own, "powerpc64le-linux-gnu", "powerpc64-linux-gnu", "powerpc-linux-gnu")
}

func mipsTriplets(own string) []string {
	return ownFirst(own, "mips64el-linux-gnuabi64", "mips64-linux-gnuabi64", "mipsel-linux-gnu",
		"mips-linux-gnu", "mips64el-linux-gnuabin32", "mips64-linux-gnuabin32")
}

// ownFirst returns own, then the others but own.
func ownFirst(own string, all ...string) []string {
	out := []string{own}
	for _, t := range all {
		if t != own {
			out = append(out, t)
		}
	}
	return out
}

func uapiFor(t *target) (uapiABI, error) {
	if len(t.uapi.defines) == 0 {
		return uapiABI{}, fmt.Errorf("%s: its target has no uapi description (gen/targets.go)", t.name)
	}
	return t.uapi, nil
}

// readLinux reads t's system calls and error numbers from dir: a Linux
// source tree (it has Makefile and arch/) or a directory of installed uapi
// headers (it has asm-generic/, and asm/ either in it or in a Debian
// multiarch directory such as x86_64-linux-gnu/asm).
func readLinux(dir string, t *target) (*table, error) {
	switch {
	case isLinuxTree(dir):
		return readLinuxTree(dir, t)
	case isDir(filepath.Join(dir, "asm-generic")):
		asm, err := findASM(dir, t)
		if err != nil {
			return nil, err
		}
		return readLinuxHeaders(dir, asm, t)
	}
	return nil, fmt.Errorf("%s: %w: want Makefile and arch/, or asm-generic/", dir, errLinuxLayout)
}

// isLinuxTree reports whether dir looks like a Linux source tree: it has
// Makefile and arch/.
func isLinuxTree(dir string) bool {
	return isFile(filepath.Join(dir, "Makefile")) && isDir(filepath.Join(dir, "arch"))
}

// findASM returns the asm/ directory of t's headers under includeDir.
func findASM(includeDir string, t *target) (string, error) {
	abi, err := uapiFor(t)
	if err != nil {
		return "", err
	}
	tries := []string{filepath.Join(includeDir, "asm")}
	for _, triplet := range abi.triplets {
		tries = append(tries, filepath.Join(includeDir, triplet, "asm"))
	}
	for _, dir := range tries {
		if isDir(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w: no asm/ headers for %s: tried %s", errLinuxLayout, t.name, strings.Join(tries, ", "))
}

// readLinuxTree reads t's numbers from the Linux source tree at dir.
func readLinuxTree(dir string, t *target) (*table, error) {
	abi, err := uapiFor(t)
	if err != nil {
		return nil, err
	}
	kernel, err := treeVersion(dir)
	if err != nil {
		return nil, err
	}
	resolve := treeResolver(dir, t.arch)
	p := cpp.New(abi.defines, resolve)
	if err := p.Include("asm/unistd.h"); err != nil {
		return nil, err
	}
	syscalls, err := treeSyscalls(dir, t, p)
	if err != nil {
		return nil, err
	}
	private, err := headerSyscalls(p, armPrivatePrefix)
	if err != nil {
		return nil, err
	}
	errnos, err := uapiErrnos(abi.defines, resolve)
	if err != nil {
		return nil, err
	}
	return newLinuxTable(t, append(syscalls, private...), headerAliases(p), errnos, kernel, "Linux "+kernel+" source tree")
}

// readLinuxHeaders reads t's numbers from installed uapi headers:
// includeDir holds asm-generic/ and linux/, asmDir is the asm/ directory of
// t's architecture (includeDir/asm, or a multiarch one such as
// /usr/include/x86_64-linux-gnu/asm).
func readLinuxHeaders(includeDir, asmDir string, t *target) (*table, error) {
	abi, err := uapiFor(t)
	if err != nil {
		return nil, err
	}
	resolve := headerResolver(includeDir, asmDir)
	kernel, err := headerVersion(resolve)
	if err != nil {
		return nil, err
	}
	p := cpp.New(abi.defines, resolve)
	if err := p.Include("asm/unistd.h"); err != nil {
		return nil, err
	}
	if !p.Included("asm/" + t.header) {
		return nil, fmt.Errorf("%s: %w: asm/unistd.h does not include asm/%s for %s; is this %s's asm directory?",
			asmDir, errLinuxLayout, t.header, t.name, t.arch)
	}
	var syscalls []entry
	for _, prefix := range []string{nrPrefix, armPrivatePrefix} {
		e, err := headerSyscalls(p, prefix)
		if err != nil {
			return nil, err
		}
		syscalls = append(syscalls, e...)
	}
	errnos, err := uapiErrnos(abi.defines, resolve)
	if err != nil {
		return nil, err
	}
	return newLinuxTable(t, syscalls, headerAliases(p), errnos, kernel, "Linux "+kernel+" uapi headers")
}

// newLinuxTable sorts what a reader found into a table.
func newLinuxTable(t *target, syscalls []entry, aliases []alias, errnos []errnoEntry, kernel, source string) (*table, error) {
	if len(syscalls) == 0 {
		return nil, fmt.Errorf("%s: %w: no system calls found", t.name, errLinuxLayout)
	}
	if len(errnos) == 0 {
		return nil, fmt.Errorf("%s: %w: no error numbers found", t.name, errLinuxLayout)
	}
	slices.SortFunc(syscalls, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.nr, b.nr), cmp.Compare(a.name, b.name))
	})
	seen := make(map[string]uint32, len(syscalls))
	for _, e := range syscalls {
		if nr, dup := seen[e.name]; dup {
			return nil, fmt.Errorf("%s: %w: system call %s is both %d and %d", t.name, errLinuxSyntax, e.name, nr, e.nr)
		}
		seen[e.name] = e.nr
	}
	if err := checkCanary(t, syscalls, source); err != nil {
		return nil, err
	}
	named, err := resolveAliases(syscalls, aliases)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: the %s: %w", t.name, errLinuxSyntax, source, err)
	}
	slices.SortFunc(errnos, func(a, b errnoEntry) int { return cmp.Compare(a.name, b.name) })
	return &table{t: t, syscalls: syscalls, aliases: named, errnos: errnos, kernel: kernel, source: source}, nil
}

// checkCanary reports system calls that are not t's: read from another
// architecture's headers, or with the wrong compiler macros.
func checkCanary(t *target, syscalls []entry, source string) error {
	abi, err := uapiFor(t)
	if err != nil {
		return err
	}
	if !slices.Contains(syscalls, abi.canary) {
		return fmt.Errorf("%s: %w: the %s have no system call %s = %d; are they %s's?",
			t.name, errLinuxLayout, source, abi.canary.name, abi.canary.nr, t.arch)
	}
	for _, e := range syscalls {
		if slices.Contains(abi.lacks, e.name) {
			return fmt.Errorf("%s: %w: the %s have system call %s, which %s lacks; are they %s's?",
				t.name, errLinuxLayout, source, e.name, t.name, t.arch)
		}
	}
	return nil
}

// treeSyscalls reads t's system calls from the tree's syscall table.
// p has read the arch's uapi asm/unistd.h, which before Linux 6.11 is where
// the asm-generic arches number their calls.
func treeSyscalls(dir string, t *target, p *cpp.Preprocessor) ([]entry, error) {
	if t.tbl != "" {
		return readTbl(filepath.Join(dir, t.tbl), t.tblABIs, t)
	}
	abis, tbl, err := genericTable(dir, t)
	if err != nil {
		return nil, err
	}
	if isFile(tbl) {
		return readTbl(tbl, abis, t)
	}
	if !p.Included("asm-generic/unistd.h") {
		return nil, fmt.Errorf("%s: %w: no %s, and arch/%s/include/uapi/asm/unistd.h does not include asm-generic/unistd.h",
			dir, errLinuxLayout, tbl, t.arch)
	}
	return headerSyscalls(p, nrPrefix)
}

// genericTable returns the syscall table of an asm-generic arch and the ABIs
// it takes from it, as scripts/Makefile.asm-headers computes them (Linux
// 6.11 on): t.tblABIs ("common" and "64"), plus what
// arch/<arch>/kernel/Makefile.syscalls adds to syscall_abis_64
// ("syscall_abis_64 += renameat rlimit memfd_secret"), from the table its
// syscalltbl names or else scripts/syscall.tbl.
func genericTable(dir string, t *target) (abis []string, tbl string, err error) {
	bits := strconv.Itoa(8 * t.wordSize)
	abis = slices.Clone(t.tblABIs)
	tbl = "scripts/syscall.tbl"
	path := filepath.Join(dir, "arch", t.arch, "kernel", "Makefile.syscalls")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return abis, filepath.Join(dir, tbl), nil
	}
	if err != nil {
		return nil, "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		name, op, value, ok := makeAssignment(line)
		switch {
		case !ok:
		case name == "syscall_abis_"+bits:
			values := strings.FieldsFunc(value, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
			if op != "+=" {
				abis = abis[:0]
			}
			abis = append(abis, values...)
		case name == "syscalltbl":
			tbl = strings.ReplaceAll(strings.TrimPrefix(value, "$(srctree)/"), "%", bits)
		}
	}
	return abis, filepath.Join(dir, tbl), nil
}

// makeAssignment splits a make variable assignment "NAME op value", op
// being =, :=, ?= or +=.
func makeAssignment(line string) (name, op, value string, ok bool) {
	i := strings.IndexByte(line, '=')
	if i < 0 {
		return "", "", "", false
	}
	name, op = line[:i], "="
	if i > 0 && strings.ContainsRune("+:?", rune(line[i-1])) {
		name, op = line[:i-1], line[i-1:i+1]
	}
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, " \t$()") {
		return "", "", "", false
	}
	return name, op, strings.TrimSpace(line[i+1:]), true
}

// readTbl reads the rows of a syscall table whose ABI column is in abis,
// adding t.base to each number and setting t.nrBit. A row is
// "<number> <abi> <name> [<entry point> [<compat entry point>]]",
// blank-separated; '#' starts a comment (the format the tables'
// own headers and scripts/syscallhdr.sh describe).
func readTbl(path string, abis []string, t *target) ([]entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []entry
	for i, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pos := fmt.Sprintf("%s:%d", path, i+1)
		if len(f) < 3 {
			return nil, fmt.Errorf("%s: %w: want number, ABI and name: %q", pos, errLinuxSyntax, line)
		}
		n, err := strconv.ParseUint(f[0], 10, 32)
		if err != nil || n+uint64(t.base) > math.MaxUint32 {
			return nil, fmt.Errorf("%s: %w: bad number %q", pos, errLinuxSyntax, f[0])
		}
		if !isSyscallName(f[2]) {
			return nil, fmt.Errorf("%s: %w: bad system call name %q", pos, errLinuxSyntax, f[2])
		}
		if slices.Contains(abis, f[1]) {
			out = append(out, entry{name: f[2], nr: (uint32(n) + t.base) | t.nrBit})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w: no rows for ABIs %s", path, errLinuxLayout, strings.Join(abis, ", "))
	}
	return out, nil
}

// isSyscallName reports whether the text after __NR_ names a system call:
// the kernel's names are lower case ("_llseek" keeps its underscore), while
// __NR_Linux, __NR_SYSCALL_BASE, __NR_SYSCALL_MASK and the like are not
// calls. __NR_syscalls counts them and __NR_arch_specific_syscall is where
// the asm-generic arches' own calls start.
func isSyscallName(name string) bool {
	if name == "" || name == "syscalls" || name == "arch_specific_syscall" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// headerSyscalls returns the calls that p's macros prefix+name number.
// A macro that only names another call's macro is an alias (headerAliases),
// not a call of its own.
func headerSyscalls(p *cpp.Preprocessor, prefix string) ([]entry, error) {
	var out []entry
	for _, macro := range p.Names(prefix) {
		name := strings.TrimPrefix(macro, prefix)
		if _, isAlias := syscallAlias(p, macro); !isSyscallName(name) || isAlias {
			continue
		}
		v, err := p.Value(macro)
		if err != nil {
			return nil, err
		}
		if v < 0 || v > math.MaxUint32 {
			return nil, fmt.Errorf("%s: %w: %s is %d, not a 32-bit number", p.Pos(macro), errLinuxSyntax, macro, v)
		}
		out = append(out, entry{name: name, nr: uint32(v)})
	}
	return out, nil
}

// headerAliases returns the aliases among p's macros: a system call's macro
// defined as another's, such as arm's "#define __NR_sync_file_range2
// __NR_arm_sync_file_range" (arch/arm/include/uapi/asm/unistd.h).
func headerAliases(p *cpp.Preprocessor) []alias {
	var out []alias
	for _, prefix := range []string{nrPrefix, armPrivatePrefix} {
		for _, macro := range p.Names(prefix) {
			name := strings.TrimPrefix(macro, prefix)
			if call, ok := syscallAlias(p, macro); ok && isSyscallName(name) {
				out = append(out, alias{name: name, call: call})
			}
		}
	}
	return out
}

// syscallAlias reports whether macro is defined as another system call's
// macro, and returns that call's name.
func syscallAlias(p *cpp.Preprocessor, macro string) (string, bool) {
	target, ok := p.Target(macro)
	if !ok {
		return "", false
	}
	for _, prefix := range []string{nrPrefix, armPrivatePrefix} {
		if call, ok := strings.CutPrefix(target, prefix); ok && isSyscallName(call) {
			return call, true
		}
	}
	return "", false
}

// uapiErrnos reads the error numbers of asm/errno.h, which includes
// asm-generic/errno.h and asm-generic/errno-base.h, or, on mips, has its
// own numbering; aliases such as "#define EWOULDBLOCK EAGAIN" resolve.
func uapiErrnos(defines []string, resolve cpp.Resolver) ([]errnoEntry, error) {
	p := cpp.New(defines, resolve)
	if err := p.Include("asm/errno.h"); err != nil {
		return nil, err
	}
	var out []errnoEntry
	for _, name := range p.Names("E") {
		if !isErrnoName(name) {
			continue
		}
		v, err := p.Value(name)
		if err != nil {
			return nil, err
		}
		if v <= 0 || v > math.MaxUint16 {
			return nil, fmt.Errorf("%s: %w: %s is %d, not an error number", p.Pos(name), errLinuxSyntax, name, v)
		}
		out = append(out, errnoEntry{name: name, num: uint16(v)})
	}
	return out, nil
}

func isErrnoName(name string) bool {
	if len(name) < 2 || name[0] != 'E' {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// treeResolver finds the headers of a source tree as a build for arch sees
// them: asm/ is arch/<arch>/include/uapi/asm, falling back to
// include/uapi/asm-generic (the build's generic-y wrappers); other names
// are under include/uapi. An asm/ header in neither is one the build
// generates (unistd_64.h and the like) and is skipped.
func treeResolver(dir, arch string) cpp.Resolver {
	uapi := filepath.Join(dir, "include", "uapi")
	archUAPI := filepath.Join(dir, "arch", arch, "include", "uapi")
	return func(name string) (string, error) {
		if rest, ok := strings.CutPrefix(name, "asm/"); ok {
			for _, path := range []string{filepath.Join(archUAPI, "asm", rest), filepath.Join(uapi, "asm-generic", rest)} {
				if isFile(path) {
					return path, nil
				}
			}
			return "", nil
		}
		path := filepath.Join(uapi, name)
		if !isFile(path) {
			return "", fmt.Errorf("%w: no %s", errLinuxLayout, path)
		}
		return path, nil
	}
}

// headerResolver finds installed headers: asm/ names in asmDir first, then
// everything under includeDir.
func headerResolver(includeDir, asmDir string) cpp.Resolver {
	return func(name string) (string, error) {
		var tries []string
		if rest, ok := strings.CutPrefix(name, "asm/"); ok {
			tries = append(tries, filepath.Join(asmDir, rest))
		}
		tries = append(tries, filepath.Join(includeDir, name))
		for _, path := range tries {
			if isFile(path) {
				return path, nil
			}
		}
		return "", fmt.Errorf("%w: no %s", errLinuxLayout, strings.Join(tries, " or "))
	}
}

// treeVersion returns "VERSION.PATCHLEVEL" from the tree's top Makefile.
func treeVersion(dir string) (string, error) {
	path := filepath.Join(dir, "Makefile")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var version, patchlevel string
	for i, line := range strings.Split(string(data), "\n") {
		name, op, value, ok := makeAssignment(line)
		if !ok || op != "=" || name != "VERSION" && name != "PATCHLEVEL" {
			continue
		}
		if _, err := strconv.ParseUint(value, 10, 16); err != nil {
			return "", fmt.Errorf("%s:%d: %w: %s = %q", path, i+1, errLinuxSyntax, name, value)
		}
		if name == "VERSION" {
			version = value
		} else {
			patchlevel = value
		}
		if version != "" && patchlevel != "" {
			return version + "." + patchlevel, nil
		}
	}
	return "", fmt.Errorf("%s: %w: no VERSION and PATCHLEVEL", path, errLinuxLayout)
}

// headerVersion returns "MAJOR.PATCHLEVEL" from linux/version.h:
// LINUX_VERSION_CODE is KERNEL_VERSION(major, patchlevel, sublevel) =
// major<<16 + patchlevel<<8 + min(sublevel, 255); headers since Linux 5.13
// also define LINUX_VERSION_MAJOR and LINUX_VERSION_PATCHLEVEL.
func headerVersion(resolve cpp.Resolver) (string, error) {
	p := cpp.New(nil, resolve)
	if err := p.Include("linux/version.h"); err != nil {
		return "", err
	}
	code, err := p.Value("LINUX_VERSION_CODE")
	if err != nil {
		return "", fmt.Errorf("linux/version.h: %w", err)
	}
	major, patchlevel := code>>16, code>>8&0xff
	if p.Defined("LINUX_VERSION_MAJOR") {
		m, err := p.Value("LINUX_VERSION_MAJOR")
		if err != nil {
			return "", err
		}
		pl, err := p.Value("LINUX_VERSION_PATCHLEVEL")
		if err != nil {
			return "", err
		}
		if m != major || pl != patchlevel {
			return "", fmt.Errorf("%s: %w: LINUX_VERSION_CODE %d is not %d.%d",
				p.Pos("LINUX_VERSION_CODE"), errLinuxSyntax, code, m, pl)
		}
	}
	return fmt.Sprintf("%d.%d", major, patchlevel), nil
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
