package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestGeneratedFilesAreFresh renders every generated file in memory and
// compares it with the committed one.
func TestGeneratedFilesAreFresh(t *testing.T) {
	tabs, err := buildTables("")
	if err != nil {
		t.Fatal(err)
	}
	files, err := renderTables(tabs)
	if err != nil {
		t.Fatal(err)
	}
	progs, err := renderPrograms()
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, progs...)
	marker := regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)
	for _, f := range files {
		first, _, _ := bytes.Cut(f.data, []byte("\n"))
		if !marker.Match(first) {
			t.Errorf("%s: first line %q is not a generated-code marker", f.path, first)
		}
		old, err := os.ReadFile(filepath.Join("..", f.path))
		if err != nil {
			t.Errorf("%s: %v; run go generate ./...", f.path, err)
			continue
		}
		if !bytes.Equal(old, f.data) {
			t.Errorf("%s is stale; run go generate ./...", f.path)
		}
	}
}

// TestNoArchConstraintInTables checks that no file in tables/ is named so
// that Go would build it for one GOARCH only.
func TestNoArchConstraintInTables(t *testing.T) {
	goarches := []string{"386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64", "ppc64le", "riscv64", "s390x"}
	names, err := filepath.Glob(filepath.Join("..", "tables", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		base := filepath.Base(name)
		for _, a := range goarches {
			if regexp.MustCompile(`_` + a + `(_test)?\.go$`).MatchString(base) {
				t.Errorf("%s would build only for GOARCH=%s", base, a)
			}
		}
	}
}

// TestRenderFixtures runs the generator over the small Linux 7.2 tree in
// testdata/linux and compares the Go it writes with testdata/golden.
func TestRenderFixtures(t *testing.T) {
	tabs, err := buildTables(filepath.Join("testdata", "linux", "v7.2", "tree"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := renderTables(tabs)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(targets)+1 {
		t.Errorf("%d files for %d targets", len(files), len(targets))
	}
	for _, f := range files {
		checkGolden(t, filepath.Join("testdata", "golden", filepath.Base(f.path)+".golden"), string(f.data))
	}
}
