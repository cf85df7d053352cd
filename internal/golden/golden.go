// Package golden compares test output with files in testdata, the one way
// the module's tests keep expected output. Run the tests with -update to
// rewrite the files from what the code now produces.
package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Check compares got with the file at path, or writes got there with
// -update. A difference fails the test with the lines that differ.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if testing.Short() {
		testenv.RequireSource(t, path) // no testdata in the qemu guests
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run '%s' -update writes it)", err, t.Name())
	}
	if d := Diff(string(got), string(want)); d != "" {
		t.Errorf("%s differs (go test -run '%s' -update rewrites it):\n%s", path, t.Name(), d)
	}
}

// Diff returns the lines where got and want differ, each as "-want" and
// "+got" with its line number, or "" when they are equal.
func Diff(got, want string) string {
	if got == want {
		return ""
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(g), len(w)) && shown < 20; i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			b.WriteString(lineMark(i, "-", wl, i < len(w)))
			b.WriteString(lineMark(i, "+", gl, i < len(g)))
			shown++
		}
	}
	return b.String()
}

func lineMark(i int, sign, line string, present bool) string {
	if !present {
		return ""
	}
	return fmt.Sprintf("%s %d: %s\n", sign, i+1, line)
}
