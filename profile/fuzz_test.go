package profile_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// FuzzParse feeds Parse and Translate arbitrary input: no panics, and
// every error names a JSON path.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := profile.Parse(data)
		if err != nil {
			var pe *profile.PathError
			if !errors.As(err, &pe) || pe.Path == "" {
				t.Fatalf("error without a JSON path: %v", err)
			}
			return
		}
		for _, abi := range []*tables.ABI{tables.X86_64, tables.AArch64} {
			res, err := p.Translate(&profile.Options{ABI: abi, Kernel: "6.1"})
			if err != nil {
				var pe *profile.PathError
				if !errors.As(err, &pe) && !errors.Is(err, profile.ErrUnconfined) {
					t.Fatalf("error without a JSON path: %v", err)
				}
				continue
			}
			if _, err := res.Compile(); err != nil {
				t.Logf("compile: %v", err) // the root reports these in its own terms
			}
		}
	})
}
