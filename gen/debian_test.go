package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// debianPackage is where a Debian package installs the headers of an ABI.
type debianPackage struct{ abi, pkg, include string }

// debianHeaders says where Debian's linux-libc-dev packages put the uapi
// headers of each ABI on an amd64 machine: linux-libc-dev in /usr/include
// (asm/ in the multiarch directory x86_64-linux-gnu), the
// architecture-independent linux-libc-dev-*-cross packages in
// /usr/<triplet>/include. Every mips package has the headers of all mips
// ABIs; n32 little-endian reads mips64el's. s390x's has 31-bit s390's
// numbers too (asm/unistd_32.h), hppa's parisc64's (asm/unistd_64.h), and
// big-endian sh reads the little-endian sh4 headers: the numbers are
// the same.
var debianHeaders = []debianPackage{
	{"x86_64", "linux-libc-dev", "/usr/include"},
	{"x86", "linux-libc-dev-i386-cross", "/usr/i686-linux-gnu/include"},
	{"x32", "linux-libc-dev-x32-cross", "/usr/x86_64-linux-gnux32/include"},
	{"aarch64", "linux-libc-dev-arm64-cross", "/usr/aarch64-linux-gnu/include"},
	{"arm", "linux-libc-dev-armhf-cross", "/usr/arm-linux-gnueabihf/include"},
	{"riscv64", "linux-libc-dev-riscv64-cross", "/usr/riscv64-linux-gnu/include"},
	{"ppc64", "linux-libc-dev-ppc64-cross", "/usr/powerpc64-linux-gnu/include"},
	{"ppc64le", "linux-libc-dev-ppc64el-cross", "/usr/powerpc64le-linux-gnu/include"},
	{"s390x", "linux-libc-dev-s390x-cross", "/usr/s390x-linux-gnu/include"},
	{"mips", "linux-libc-dev-mips-cross", "/usr/mips-linux-gnu/include"},
	{"mipsel", "linux-libc-dev-mipsel-cross", "/usr/mipsel-linux-gnu/include"},
	{"mips64", "linux-libc-dev-mips64-cross", "/usr/mips64-linux-gnuabi64/include"},
	{"mips64el", "linux-libc-dev-mips64el-cross", "/usr/mips64el-linux-gnuabi64/include"},
	{"mips64n32", "linux-libc-dev-mipsn32-cross", "/usr/mips64-linux-gnuabin32/include"},
	{"mips64n32el", "linux-libc-dev-mips64el-cross", "/usr/mips64el-linux-gnuabi64/include"},
	{"ppc", "linux-libc-dev-powerpc-cross", "/usr/powerpc-linux-gnu/include"},
	{"s390", "linux-libc-dev-s390x-cross", "/usr/s390x-linux-gnu/include"},
	{"m68k", "linux-libc-dev-m68k-cross", "/usr/m68k-linux-gnu/include"},
	{"sh", "linux-libc-dev-sh4-cross", "/usr/sh4-linux-gnu/include"},
	{"sheb", "linux-libc-dev-sh4-cross", "/usr/sh4-linux-gnu/include"},
	{"parisc", "linux-libc-dev-hppa-cross", "/usr/hppa-linux-gnu/include"},
	{"parisc64", "linux-libc-dev-hppa-cross", "/usr/hppa-linux-gnu/include"},
}

// noDebianHeaders are the ABIs that TestDebianHeaders cannot check, and
// why; what checks them instead.
var noDebianHeaders = map[string]string{
	"loongarch64": "Debian 12 has no linux-libc-dev-loong64-cross; " +
		"TestReadLinuxFixtures, TestAliasesMatchFixture and TestCanariesInXSys check it against the Linux 7.2 fixture",
}

// TestDebianHeadersCoverTargets makes every ABI gen writes either checked
// against Debian's headers or listed, with a reason, in noDebianHeaders.
func TestDebianHeadersCoverTargets(t *testing.T) {
	for _, tg := range targets {
		checked := slices.ContainsFunc(debianHeaders, func(d debianPackage) bool { return d.abi == tg.name })
		_, excused := noDebianHeaders[tg.name]
		if checked == excused {
			t.Errorf("%s: in debianHeaders %v, in noDebianHeaders %v; want exactly one", tg.name, checked, excused)
		}
	}
	for name, why := range noDebianHeaders {
		t.Logf("%s is not compared with Debian's headers: %s", name, why)
	}
}

// TestDebianHeaders compares the tables gen builds from golang.org/x/sys
// with the ones readLinux builds from Debian 12's uapi headers (Linux 6.1),
// for every ABI of debianHeaders: all but loongarch64 (noDebianHeaders).
// Every system call and alias the headers know must be in the x/sys table
// with the same number, and every error number both know must agree. Calls
// only x/sys knows are newer than the headers' kernel, and fine.
func TestDebianHeaders(t *testing.T) {
	xsysTables := sync.OnceValues(func() (map[string]*table, error) {
		tabs, err := buildTables("")
		byName := make(map[string]*table, len(tabs))
		for _, tab := range tabs {
			byName[tab.t.name] = tab
		}
		return byName, err
	})
	for _, d := range debianHeaders {
		t.Run(d.abi, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(d.include, "asm-generic")); err != nil {
				skipWithoutDebianHeaders(t, d.pkg, err)
			}
			xsys, err := xsysTables()
			if err != nil {
				t.Fatalf("tables from x/sys: %v", err)
			}
			want, ok := xsys[d.abi]
			if !ok {
				t.Fatalf("gen has no table for %s", d.abi)
			}
			got, err := readLinux(d.include, want.t)
			if err != nil {
				t.Fatalf("%s (%s): %v", d.include, d.pkg, err)
			}
			if removed := removedSince[d.abi]; len(removed) > 0 {
				// Calls a later kernel took away (gen/facts.go).
				got.syscalls = slices.DeleteFunc(got.syscalls, func(e entry) bool { return slices.Contains(removed, e.name) })
				t.Logf("%s: %v not compared: removed since the %s", d.abi, removed, got.source)
			}
			compareWithHeaders(t, want, got)
		})
	}
}

func compareWithHeaders(t *testing.T, xsys, headers *table) {
	t.Helper()
	problems, onlyXSys, errnos := headerMismatches(xsys, headers)
	for _, p := range problems {
		t.Errorf("%s: %s", xsys.t.name, p)
	}
	if errnos == 0 {
		t.Errorf("%s: no error number in both %s and the %s", xsys.t.name, xsys.source, headers.source)
	}
	t.Logf("%s: %d system calls, %d aliases and %d error numbers compared; %d calls only in %s (newer than the %s)",
		xsys.t.name, len(headers.syscalls), len(headers.aliases), errnos, onlyXSys, xsys.source, headers.source)
}

// headerMismatches lists the calls of headers that xsys lacks or numbers
// otherwise, the aliases the two disagree on (aliasMismatches), and the
// error numbers both know but number differently. It also counts the calls
// only xsys has and the error numbers both have.
func headerMismatches(xsys, headers *table) (problems []string, onlyXSys, errnos int) {
	xsysNr := make(map[string]uint32, len(xsys.syscalls))
	for _, e := range xsys.syscalls {
		xsysNr[e.name] = e.nr
	}
	for _, e := range headers.syscalls {
		nr, ok := xsysNr[e.name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s = %#x in the %s, missing from %s", e.name, e.nr, headers.source, xsys.source))
		case nr != e.nr:
			problems = append(problems, fmt.Sprintf("%s = %#x in the %s, %#x in %s", e.name, e.nr, headers.source, nr, xsys.source))
		}
		delete(xsysNr, e.name)
	}
	problems = append(problems, aliasMismatches(xsys, headers)...)
	xsysErrno := make(map[string]uint16, len(xsys.errnos))
	for _, e := range xsys.errnos {
		xsysErrno[e.name] = e.num
	}
	for _, e := range headers.errnos {
		n, ok := xsysErrno[e.name]
		if !ok {
			continue
		}
		errnos++
		if n != e.num {
			problems = append(problems, fmt.Sprintf("%s = %d in the %s, %d in %s", e.name, e.num, headers.source, n, xsys.source))
		}
	}
	return problems, len(xsysNr), errnos
}

// aliasMismatches lists the aliases of headers that xsys (that is,
// gen/aliases.txt) lacks or numbers otherwise, and those xsys has for a
// call the headers know but the headers do not define: an alias of a call
// newer than the headers is fine.
func aliasMismatches(xsys, headers *table) (problems []string) {
	known := make(map[uint32]bool, len(headers.syscalls))
	for _, e := range headers.syscalls {
		known[e.nr] = true
	}
	xsysNr := make(map[string]uint32, len(xsys.aliases))
	for _, e := range xsys.aliases {
		xsysNr[e.name] = e.nr
	}
	for _, e := range headers.aliases {
		nr, ok := xsysNr[e.name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("alias %s = %#x in the %s, missing from gen/aliases.txt", e.name, e.nr, headers.source))
		case nr != e.nr:
			problems = append(problems, fmt.Sprintf("alias %s = %#x in the %s, %#x in %s", e.name, e.nr, headers.source, nr, xsys.source))
		}
		delete(xsysNr, e.name)
	}
	for _, e := range xsys.aliases {
		if nr, ok := xsysNr[e.name]; ok && known[nr] {
			problems = append(problems, fmt.Sprintf("alias %s = %#x in gen/aliases.txt, not in the %s", e.name, nr, headers.source))
		}
	}
	return problems
}

// TestHeaderMismatches checks that the comparison of TestDebianHeaders
// catches what it should.
func TestHeaderMismatches(t *testing.T) {
	xsys := &table{
		syscalls: []entry{{"read", 0}, {"write", 1}, {"open", 2}, {"newer", 500}},
		aliases:  []entry{{"newer2", 500}, {"open2", 2}, {"read2", 0}, {"write2", 1}},
		errnos:   []errnoEntry{{"EPERM", 1}, {"EAGAIN", 11}, {"ENOTSUP", 95}},
		source:   "x/sys",
	}
	headers := &table{
		syscalls: []entry{{"read", 0}, {"write", 4}, {"open", 2}, {"missing", 3}},
		aliases:  []entry{{"missing2", 3}, {"read2", 0}, {"write2", 4}},
		errnos:   []errnoEntry{{"EPERM", 1}, {"EAGAIN", 35}, {"EDEADLOCK", 35}},
		source:   "headers",
	}
	problems, onlyXSys, errnos := headerMismatches(xsys, headers)
	want := []string{
		"write = 0x4 in the headers, 0x1 in x/sys",
		"missing = 0x3 in the headers, missing from x/sys",
		"alias missing2 = 0x3 in the headers, missing from gen/aliases.txt",
		"alias write2 = 0x4 in the headers, 0x1 in x/sys",
		"alias open2 = 0x2 in gen/aliases.txt, not in the headers",
		"EAGAIN = 35 in the headers, 11 in x/sys",
	}
	if !slices.Equal(problems, want) || onlyXSys != 1 || errnos != 2 {
		t.Errorf("headerMismatches = %q, %d, %d; want %q, 1, 2", problems, onlyXSys, errnos, want)
	}
}

// skipWithoutDebianHeaders skips the test for want of a Debian package, or
// fails it in CI (CI=true), where the package must be installed.
func skipWithoutDebianHeaders(t *testing.T, pkg string, err error) {
	t.Helper()
	msg := "Debian uapi headers missing (apt-get install " + pkg + "): " + err.Error()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// TestS390Derivation checks the 31-bit s390 table that deriveS390 builds
// from x/sys's s390x one against Debian 12's Linux 6.1 asm/unistd_32.h
// exactly, both ways, for every number the headers reach: a call of
// s390x's that 31-bit s390 lacks (s390xOnly) would show here, where
// TestDebianHeaders sees only calls missing from the derived table. Above
// the headers' last number it checks that the derived table stops at
// Linux 6.18.
func TestS390Derivation(t *testing.T) {
	const pkg, include = "linux-libc-dev-s390x-cross", "/usr/s390x-linux-gnu/include"
	if _, err := os.Stat(filepath.Join(include, "asm-generic")); err != nil {
		skipWithoutDebianHeaders(t, pkg, err)
	}
	tabs, err := buildTables("")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tabs, func(tab *table) bool { return tab.t.name == "s390" })
	if i < 0 {
		t.Fatal("gen has no s390 table")
	}
	derived := tabs[i]
	headers, err := readLinux(include, derived.t)
	if err != nil {
		t.Fatal(err)
	}
	last := headers.syscalls[len(headers.syscalls)-1].nr
	inHeaders := make(map[entry]bool, len(headers.syscalls))
	for _, e := range headers.syscalls {
		inHeaders[e] = true
	}
	inDerived := make(map[entry]bool, len(derived.syscalls))
	for _, e := range derived.syscalls {
		inDerived[e] = true
		switch {
		case e.nr <= last && !inHeaders[e]:
			t.Errorf("%s = %d is in the derived table, not in the %s", e.name, e.nr, headers.source)
		case e.nr >= s390End:
			t.Errorf("%s = %d is in the derived table, but s390 ended before it (Linux %s)", e.name, e.nr, s390Last)
		}
	}
	for _, e := range headers.syscalls {
		if !inDerived[e] {
			t.Errorf("%s = %d is in the %s, not in the derived table", e.name, e.nr, headers.source)
		}
	}
	if derived.kernel != s390Last {
		t.Errorf("derived table reflects Linux %s, want %s", derived.kernel, s390Last)
	}
}
