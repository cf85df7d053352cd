package seccomp_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestImportAllocatesNothing builds a program that imports the package and
// checks, with GODEBUG=inittrace=1, that no package of this module does
// work or allocates at init: the tables and the precompiled programs are
// static data.
func TestImportAllocatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	prog := `package main

import "github.com/sysfence/seccomp"

func main() {
	if _, err := seccomp.Builtin("sandbox"); err != nil {
		panic(err)
	}
}
`
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "importer")
	if out, err := exec.Command("go", "build", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^init os @`).Match(out) {
		t.Fatalf("no inittrace output to check:\n%s", out)
	}
	if m := regexp.MustCompile(`(?m)^init github\.com/sysfence/seccomp.*$`).FindAll(out, -1); len(m) > 0 {
		for _, line := range m {
			t.Errorf("%s", line)
		}
	}
}
