package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/golden"
	"github.com/sysfence/seccomp/internal/testenv"
)

// readmeBlock is a fenced sh block of the README that a comment marks
// for this test: "<!-- README test: run -->" runs it as a script,
// "<!-- README test: transcript -->" runs each "$ " line and compares
// what it prints with the lines that follow.
type readmeBlock struct {
	kind string
	line int // of the fence
	text string
}

// readmeBlocks returns the marked blocks of README.md, in order.
func readmeBlocks(t *testing.T) []readmeBlock {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var blocks []readmeBlock
	for i := 0; i < len(lines); i++ {
		kind, ok := strings.CutPrefix(lines[i], "<!-- README test: ")
		if !ok {
			continue
		}
		kind = strings.TrimSuffix(kind, " -->")
		if i+1 >= len(lines) || lines[i+1] != "```sh" {
			t.Fatalf("README.md:%d: the mark is not followed by a ```sh fence", i+1)
		}
		start := i + 2
		end := start
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		blocks = append(blocks, readmeBlock{kind, i + 2, strings.Join(lines[start:end], "\n") + "\n"})
		i = end
	}
	return blocks
}

// Point 12: the README's examples work when pasted in order, with
// sysfence installed as it says.
func TestREADMEExamples(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	var missing []string
	for _, tool := range []string{"go", "bash", "sh", "bwrap", "unshare", "head"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	testenv.Require(t, len(missing) == 0, "the README's examples need "+strings.Join(missing, ", ")+" in PATH")
	blocks := readmeBlocks(t)
	if len(blocks) < 2 {
		t.Fatalf("README.md marks %d blocks for this test", len(blocks))
	}

	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "sysfence"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	shell := func(script string) (string, error) {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	for _, b := range blocks {
		switch b.kind {
		case "run":
			if out, err := shell(b.text); err != nil {
				t.Errorf("README.md:%d: the block fails: %v\n%s", b.line, err, out)
			}
		case "transcript":
			steps := strings.Split(b.text, "$ ")[1:]
			for _, step := range steps {
				command, want, _ := strings.Cut(step, "\n")
				got, _ := shell(command)
				if d := golden.Diff(got, want); d != "" {
					t.Errorf("README.md:%d: $ %s\n%s", b.line, command, d)
				}
			}
		default:
			t.Errorf("README.md:%d: unknown mark %q", b.line, b.kind)
		}
	}
}
