package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

// TestFresh renders every generated file in memory and compares it with
// the committed one.
func TestFresh(t *testing.T) {
	p, source, err := load("")
	if err != nil {
		t.Skip(err) // moby builds its default profile on Linux only
	}
	for _, abi := range tables.All() {
		for _, goarch := range abi.GOARCH {
			var b bytes.Buffer
			if err := render(&b, p, source, abi, goarch); err != nil {
				t.Fatal(err)
			}
			name := filepath.Join("..", "zprofile_linux_"+goarch+".go")
			old, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(old, b.Bytes()) {
				t.Errorf("%s is stale: run go generate ./examples/precompile", name)
			}
		}
	}
}
