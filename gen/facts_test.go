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
