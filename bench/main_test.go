package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunWritesOnlyWhereAsked checks that the benchmark leaves the
// directory it runs in as it was ("go run -C bench ." once rewrote the
// tracked bench/sweep.svg) and writes the plot where -svg says.
func TestRunWritesOnlyWhereAsked(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	args := []string{"-kernel=false", "-runs", "1", "-only", "sysfence"}
	var out bytes.Buffer
	if err := run(args, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| sysfence |") {
		t.Errorf("the tables have no sysfence row:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "over at least 1 compiles") {
		t.Errorf("the header does not say -runs 1:\n%.600s", out.String())
	}
	if ents, err := os.ReadDir(cwd); err != nil || len(ents) != 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("without -svg the run wrote %v into its directory (err %v)", names, err)
	}

	plot := filepath.Join(t.TempDir(), "plot.svg")
	if err := run(append(args, "-svg", plot), &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(plot)
	if err != nil {
		t.Fatalf("-svg %s: %v", plot, err)
	}
	if !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("-svg wrote no SVG: %.80q", b)
	}
	if ents, _ := os.ReadDir(cwd); len(ents) != 0 {
		t.Errorf("with -svg elsewhere the run still wrote into its directory")
	}
}
