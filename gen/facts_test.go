package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/golden"
)

// TestFactsMatchDebianHeaders reads each gen/facts file's ABI from the
// Debian headers it was written from and compares the two exactly: every
// system call and error number, both ways. With -update it rewrites the
// file from the installed headers, naming the package version.
func TestFactsMatchDebianHeaders(t *testing.T) {
	done := map[string]bool{}
	for i := range targets {
		tg := &targets[i]
		if tg.facts == "" || done[tg.facts] {
			continue
		}
		done[tg.facts] = true
		t.Run(tg.facts, func(t *testing.T) {
			i := slices.IndexFunc(debianHeaders, func(d debianPackage) bool { return d.abi == tg.name })
			if i < 0 {
				t.Fatalf("%s: no Debian package in debianHeaders", tg.name)
			}
			d := debianHeaders[i]
			if _, err := os.Stat(filepath.Join(d.include, "asm-generic")); err != nil {
				skipWithoutDebianHeaders(t, d.pkg, err)
			}
			headers, err := readLinux(d.include, tg)
			if err != nil {
				t.Fatalf("%s (%s): %v", d.include, d.pkg, err)
			}
			if len(headers.aliases) > 0 {
				t.Errorf("the headers define aliases %v; gen/facts has no alias lines: add them to aliases.txt", headers.aliases)
			}
			path := filepath.Join("facts", tg.facts+".txt")
			if golden.Updating() {
				version, err := exec.Command("dpkg-query", "-W", "-f=${Version}", d.pkg).Output()
				if err != nil {
					t.Fatalf("dpkg-query %s: %v", d.pkg, err)
				}
				headers.source = "Debian 12 " + d.pkg + " " + string(version) + " (Linux " + headers.kernel + " uapi headers)"
			} else {
				fixture, err := readFacts(tg)
				if err != nil {
					t.Fatal(err)
				}
				headers.source = fixture.source
				if !strings.Contains(fixture.source, d.pkg) {
					t.Errorf("source %q does not name %s", fixture.source, d.pkg)
				}
			}
			asm, err := findASM(d.include, tg)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(d.include, filepath.Join(asm, tg.header))
			golden.Check(t, path, formatFacts(headers, []string{
				tg.name + " system calls and error numbers, as a C compiler for it reads",
				d.include + "/" + rel + " and asm/errno.h of",
				d.pkg + ". Written by: go test ./gen -run TestFactsMatchDebianHeaders -update",
			}))
		})
	}
}

// TestParseFacts checks that malformed facts files are refused, with the
// line.
func TestParseFacts(t *testing.T) {
	tg := &targets[0]
	good := "kernel 6.1\nsource here\nsyscall 1 exit # c\nerrno 1 EPERM\n"
	tab, err := parseFacts([]byte(good), tg)
	if err != nil || tab.kernel != "6.1" || tab.source != "here" ||
		!slices.Equal(tab.syscalls, []entry{{"exit", 1}}) || !slices.Equal(tab.errnos, []errnoEntry{{"EPERM", 1}}) {
		t.Fatalf("parseFacts(good) = %+v, %v", tab, err)
	}
	for _, c := range []struct{ text, want string }{
		{good + "syscall x exit\n", ":5: want \"syscall <number> <name>\""},
		{good + "syscall 2 Exit\n", ":5: want \"syscall <number> <name>\""},
		{good + "errno 0 EPERM\n", ":5: want \"errno <number> <name>\""},
		{good + "errno 70000 EPERM\n", ":5: want \"errno <number> <name>\""},
		{good + "alias a b\n", ":5: want \"kernel, source, syscall or errno line\""},
		{"source s\nsyscall 1 exit\nerrno 1 EPERM\n", ": no kernel or source line"},
		{"kernel 6.1\nsource s\nerrno 1 EPERM\n", ": no syscall or errno lines"},
	} {
		if _, err := parseFacts([]byte(c.text), tg); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("parseFacts(%q) = %v, want %q", c.text, err, c.want)
		}
	}
}

// TestGenericTail checks the calls gen adds to the tables of gen/facts:
// those newer than Linux 6.1 that every x/sys table numbers alike
// (cachestat, 451, on), none that some ABI lacks (clone3, which sh has
// not, is older; memfd_secret, 447, too), and the removals of
// removedSince.
func TestGenericTail(t *testing.T) {
	tabs, err := buildTables("")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*table{}
	for _, tab := range tabs {
		byName[tab.t.name] = tab
	}
	has := func(tab *table, name string) (uint32, bool) {
		for _, e := range tab.syscalls {
			if e.name == name {
				return e.nr, true
			}
		}
		return 0, false
	}
	for _, name := range []string{"m68k", "sh", "sheb", "parisc", "parisc64"} {
		tab := byName[name]
		if tab == nil {
			t.Fatalf("no %s table", name)
		}
		for _, c := range []struct {
			call string
			nr   uint32
		}{{"cachestat", 451}, {"mseal", 462}, {"file_setattr", 469}} {
			if nr, ok := has(tab, c.call); !ok || nr != c.nr {
				t.Errorf("%s: %s = %d, %v; want %d", name, c.call, nr, ok, c.nr)
			}
		}
		if nr, ok := has(tab, "memfd_secret"); ok {
			t.Errorf("%s: memfd_secret = %d; no such call there", name, nr)
		}
		if tab.kernel != byName["x86_64"].kernel {
			t.Errorf("%s reflects Linux %s, want x/sys's %s", name, tab.kernel, byName["x86_64"].kernel)
		}
		// Every added call is in every x/sys table at its number.
		for _, e := range tab.syscalls {
			if e.nr < genericStart {
				continue
			}
			for _, x := range tabs {
				if x.t.xsys == "" {
					continue
				}
				if nr, ok := has(x, e.name); (!ok || nr != x.t.base+e.nr) && e.nr > 450 {
					t.Errorf("%s: %s = %d, but %s has %d, %v", name, e.name, e.nr, x.t.name, nr, ok)
				}
			}
		}
	}
	for _, name := range []string{"sh", "sheb"} {
		if _, ok := has(byName[name], "clone3"); ok {
			t.Errorf("%s has clone3; its kernel does not", name)
		}
	}
	if _, ok := has(byName["parisc64"], "_llseek"); ok {
		t.Error("parisc64 has _llseek; Linux took it away (removedSince)")
	}
	if nr, ok := has(byName["parisc"], "_llseek"); !ok || nr != 140 {
		t.Errorf("parisc: _llseek = %d, %v; want 140", nr, ok)
	}
}
