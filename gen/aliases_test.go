package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestResolveAliases(t *testing.T) {
	syscalls := []entry{{"read", 0}, {"arm_sync_file_range", 341}, {"pread64", 180}}
	got, err := resolveAliases(syscalls, []alias{
		{"sync_file_range2", "arm_sync_file_range"},
		{"pread", "pread64"},
		{"pread2", "pread"}, // an alias of an alias
	})
	want := []entry{{"pread", 180}, {"pread2", 180}, {"sync_file_range2", 341}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("resolveAliases = %v, %v; want %v", got, err, want)
	}
	for _, c := range []struct {
		name    string
		aliases []alias
		want    string
	}{
		{"no such call", []alias{{"write2", "write"}}, "alias write2 names write, which is no system call"},
		{"a cycle", []alias{{"a", "b"}, {"b", "a"}}, "alias a names b, which is no system call"},
		{"alias is a call", []alias{{"pread64", "read"}}, "alias pread64 is also a system call of its own"},
		{"twice", []alias{{"r", "read"}, {"r", "read"}}, "alias r is defined twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := resolveAliases(syscalls, c.aliases)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

// TestAliasesFile reads aliases.txt for every ABI: it must parse, and every
// alias must name a call of the ABI's x/sys table (addFileAliases, which
// buildTables runs, checks that).
func TestAliasesFile(t *testing.T) {
	n := 0
	for _, tg := range targets {
		aliases, err := fileAliases(tg.name)
		if err != nil {
			t.Fatal(err)
		}
		n += len(aliases)
	}
	if n == 0 {
		t.Error("aliases.txt lists no alias; arm's sync_file_range2 at least is one")
	}
	saved := aliasesFile
	defer func() { aliasesFile = saved }()
	for _, bad := range []string{"arm sync_file_range2\n", "vax a b\n", "arm A b\n"} {
		aliasesFile = []byte("# comment\n\n" + bad)
		if _, err := fileAliases("arm"); err == nil || !strings.Contains(err.Error(), "aliases.txt:3: want") {
			t.Errorf("%q: error %v, want one for line 3", bad, err)
		}
	}
}

// TestAliasesMatchFixture compares the aliases of aliases.txt with those
// the Linux 7.2 fixture tree (testdata/linux/v7.2/tree) defines, for every
// ABI: loongarch64 included, which Debian 12 has no headers of. When x/sys
// moves to a newer kernel, the fixture's uapi asm/unistd.h files follow.
func TestAliasesMatchFixture(t *testing.T) {
	tree := filepath.Join("testdata", "linux", "v7.2", "tree")
	for i := range targets {
		tg := &targets[i]
		t.Run(tg.name, func(t *testing.T) {
			fixture, err := readLinux(tree, tg)
			if err != nil {
				t.Fatal(err)
			}
			aliases, err := fileAliases(tg.name)
			if err != nil {
				t.Fatal(err)
			}
			file, err := resolveAliases(fixture.syscalls, aliases)
			if err != nil {
				t.Fatalf("aliases.txt against the fixture's table: %v", err)
			}
			if !slices.Equal(file, fixture.aliases) {
				t.Errorf("aliases.txt gives %v, the Linux %s fixture %v", file, fixture.kernel, fixture.aliases)
			}
		})
	}
}
