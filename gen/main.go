// Command gen writes the syscall tables of package tables and the
// per-GOARCH files of package seccomp (zsyscalls_linux_<goarch>.go).
//
// It runs from the module root, as "go generate ./..." does:
//
//	go run ./gen              # tables from golang.org/x/sys/unix (go.mod's version)
//	go run ./gen -linux DIR   # tables from a Linux source tree
//	go run ./gen -programs    # zsyscalls_linux_<goarch>.go (see stage.go)
//
// The output is deterministic: the same inputs give the same bytes, and
// each file's first line names the command that wrote it.
//
// # Refreshing the tables
//
// The generated files are committed, and CI fails when they differ from
// what "go generate ./..." writes. Two sources feed one model:
//
//	go generate ./...                # from golang.org/x/sys/unix at the version in go.mod
//	go run ./gen -linux ~/src/linux  # from a Linux source tree (for system calls newer than x/sys)
//	go run ./gen -programs           # then recompile the built-in programs
//
// To take newer system calls from x/sys, raise golang.org/x/sys in go.mod
// and run go generate. -linux needs a source tree (a directory with
// Makefile and arch/) because gen writes the table of every ABI at once:
// an installed uapi include directory such as /usr/include holds the
// asm/ headers of one architecture only (Debian puts the other
// architectures' in /usr/<triplet>/include, one package each), so gen
// refuses it and says so. The tests read such directories one ABI at a
// time (debian_test.go).
//
// From x/sys, the tables reflect the kernel x/sys was generated from (its
// unix/linux/Dockerfile). x/sys has no x32 and no MIPS n32 tables; gen
// derives them by the kernel's rules (derive.go): x32 is x86_64's table
// less the calls marked 64 in syscall_64.tbl, plus x32's own calls at
// 512–547, all with __X32_SYSCALL_BIT (0x40000000) set; n32 keeps the
// numbers below 424, frozen since Linux 5.1 (n32.txt), and takes every
// later call at n64's offset, since new calls get one number on every
// ABI. x/sys lists each number once, so the aliases the uapi headers
// define come from aliases.txt, and arm's private calls from derive.go.
//
// The tests compare every table but loongarch64's, and the aliases, with
// Debian 12's uapi headers (Linux 6.1, the linux-libc-dev*-cross packages
// that .ci/test installs); Debian 12 has no loong64 cross headers, so
// loongarch64 is checked against the committed Linux 7.2 fixture in
// testdata/ instead.
package main

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	files, out, err := generate(args)
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(out, f.path)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, f.data) {
			continue
		}
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generate renders the files that "go run ./gen args..." writes, and
// returns them with the module root to write them under. Their headers
// name that command.
func generate(args []string) (files []genFile, out string, err error) {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	linux := fs.String("linux", "", "read the numbers from this Linux source `tree` instead of golang.org/x/sys/unix")
	programs := fs.Bool("programs", false, "stage 2: write zsyscalls_linux_<goarch>.go from the tables of stage 1")
	fs.StringVar(&out, "o", ".", "module root to write the files under")
	if err := fs.Parse(args); err != nil {
		return nil, "", err
	}
	if fs.NArg() > 0 {
		return nil, "", fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	command := commandLine(args)
	if *programs {
		files, err = renderPrograms(command)
	} else {
		var tabs []*table
		if tabs, err = buildTables(*linux); err == nil {
			files, err = renderTables(tabs, command)
		}
	}
	return files, out, err
}

// commandLine returns the shell command that runs gen with args from the
// module root, quoting the arguments that need it.
func commandLine(args []string) string {
	words := []string{"go", "run", "./gen"}
	for _, a := range args {
		if a == "" || strings.ContainsFunc(a, func(r rune) bool { return !safeInShell(r) }) {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}

func safeInShell(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r)
}

// buildTables reads every target's table, from x/sys when linuxDir is
// empty and from the Linux tree at linuxDir otherwise.
func buildTables(linuxDir string) ([]*table, error) {
	if linuxDir != "" && !isLinuxTree(linuxDir) && isDir(filepath.Join(linuxDir, "asm-generic")) {
		// readLinux reads one ABI from installed headers (the tests compare
		// the tables with Debian's that way), but an include directory
		// holds one architecture's asm/, and gen writes every table.
		return nil, fmt.Errorf("%s: installed uapi headers hold one architecture's numbers, and gen writes the table of every ABI: give a Linux source tree (a directory with Makefile and arch/), or raise golang.org/x/sys in go.mod and run go generate", linuxDir)
	}
	var pkgs map[string]*xsysPackage
	if linuxDir == "" {
		var err error
		if pkgs, err = loadXSys(goarchesOf(targets)); err != nil {
			return nil, err
		}
	}
	byName := make(map[string]*table, len(targets))
	var tabs []*table
	// Derived tables come after the ones they derive from.
	for pass := 0; pass < 2; pass++ {
		for i := range targets {
			t := &targets[i]
			derived := linuxDir == "" && t.derive != nil
			if derived != (pass == 1) {
				continue
			}
			var tab *table
			var err error
			switch {
			case linuxDir != "":
				tab, err = readLinux(linuxDir, t)
			case derived:
				tab, err = t.derive(byName[t.from], t)
			default:
				tab, err = readXSys(pkgs[t.xsys], t)
				if err == nil && t.name == "arm" {
					tab.syscalls = append(tab.syscalls, armPrivate...)
				}
			}
			if err == nil && linuxDir == "" {
				err = addFileAliases(tab)
			}
			if err == nil {
				err = normalize(tab)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", t.name, err)
			}
			byName[t.name] = tab
			tabs = append(tabs, tab)
		}
	}
	slices.SortStableFunc(tabs, func(a, b *table) int {
		return cmp.Compare(targetIndex(a.t.name), targetIndex(b.t.name))
	})
	return tabs, nil
}

// addFileAliases gives a table read from x/sys the aliases that
// aliases.txt lists for its ABI.
func addFileAliases(tab *table) error {
	aliases, err := fileAliases(tab.t.name)
	if err != nil {
		return err
	}
	tab.aliases, err = resolveAliases(tab.syscalls, aliases)
	if err != nil {
		return fmt.Errorf("aliases.txt: %w", err)
	}
	return nil
}

func targetIndex(name string) int {
	return slices.IndexFunc(targets, func(t target) bool { return t.name == name })
}

// normalize sorts a table and checks that names and numbers are unique.
func normalize(tab *table) error {
	slices.SortFunc(tab.syscalls, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.nr, b.nr), cmp.Compare(a.name, b.name))
	})
	names := make(map[string]uint32, len(tab.syscalls))
	for i, e := range tab.syscalls {
		if i > 0 && tab.syscalls[i-1].nr == e.nr {
			return fmt.Errorf("number %d is both %s and %s", e.nr, tab.syscalls[i-1].name, e.name)
		}
		if nr, dup := names[e.name]; dup {
			return fmt.Errorf("%s is both %d and %d", e.name, nr, e.nr)
		}
		names[e.name] = e.nr
	}
	errnos := slices.Clone(tab.errnos)
	slices.SortFunc(errnos, func(a, b errnoEntry) int { return cmp.Compare(a.name, b.name) })
	errnos = slices.Compact(errnos)
	for i := 1; i < len(errnos); i++ {
		if errnos[i].name == errnos[i-1].name {
			return fmt.Errorf("errno %s is both %d and %d", errnos[i].name, errnos[i-1].num, errnos[i].num)
		}
	}
	tab.errnos = errnos
	if len(tab.syscalls) > 0xffff {
		return fmt.Errorf("%d syscalls do not fit the uint16 index", len(tab.syscalls))
	}
	return nil
}
