package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/golden"
	"github.com/sysfence/seccomp/internal/testenv"
)

// docBlock is a fenced block of a Markdown file of the repository that
// a comment marks for TestREADMEExamples:
//
//   - "<!-- README test: run -->" before a ```sh block runs it as a
//     script, which must succeed;
//   - "<!-- README test: transcript -->" before a ```sh block runs each
//     "$ " line and compares what it prints with the lines that follow;
//   - "<!-- README test: go -->" before a ```go block builds it as the
//     main package of a module that requires this one, runs it, and
//     compares its standard output with the "// Output:" comment at the
//     end of main, as go test does for an Example.
//
// "on GOARCH" after the kind ("transcript on amd64") checks the block
// only on that GOARCH, for output that differs between architectures.
type docBlock struct {
	file   string // relative to the repository root
	kind   string
	goarch string // "" for every GOARCH
	line   int    // of the fence
	text   string
}

func (b docBlock) String() string { return b.file + ":" + strconv.Itoa(b.line) }

// repoRoot is the repository root, from this package's directory.
var repoRoot = filepath.Join("..", "..")

// docFiles returns the Markdown files of the repository (README.md
// first, then the others in lexical order), relative to its root.
func docFiles(t *testing.T) []string {
	files := []string{"README.md"}
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != repoRoot && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(repoRoot, path)
		if !d.IsDir() && strings.HasSuffix(rel, ".md") && rel != "README.md" {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// docBlocks returns the marked blocks of a Markdown file, in order.
func docBlocks(t *testing.T, file string) []docBlock {
	b, err := os.ReadFile(filepath.Join(repoRoot, file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		mark, ok := strings.CutPrefix(lines[i], "<!-- README test: ")
		if !ok {
			continue
		}
		mark = strings.TrimSuffix(mark, " -->")
		kind, goarch, _ := strings.Cut(mark, " on ")
		if goarch != "" && !slices.Contains(linuxGOARCHes(), goarch) {
			t.Fatalf("%s:%d: %q is not a GOARCH of Linux: the block would never be checked", file, i+1, goarch)
		}
		fence := "```sh"
		if kind == "go" {
			fence = "```go"
		}
		if i+1 >= len(lines) || lines[i+1] != fence {
			t.Fatalf("%s:%d: the mark is not followed by a %s fence", file, i+1, fence)
		}
		start := i + 2
		end := start
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		blocks = append(blocks, docBlock{file, kind, goarch, i + 2, strings.Join(lines[start:end], "\n") + "\n"})
		i = end
	}
	return blocks
}

// TestREADMEExamples checks that the examples of README.md and of the
// other Markdown files work when pasted in order (each file in an empty
// directory of its own), with sysfence installed as the README says.
func TestREADMEExamples(t *testing.T) {
	requireLinux(t)
	var missing []string
	for _, tool := range []string{"go", "bash", "sh", "bwrap", "unshare", "head"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	testenv.Require(t, len(missing) == 0, "the README's examples need "+strings.Join(missing, ", ")+" in PATH")
	if blocks := docBlocks(t, "README.md"); len(blocks) < 2 {
		t.Fatalf("README.md marks %d blocks for this test", len(blocks))
	}

	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "sysfence"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, file := range docFiles(t) {
		dir := t.TempDir()
		shell := func(script string) (string, error) {
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
			cmd.Dir, cmd.Env = dir, env
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			return out.String(), err
		}
		for _, b := range docBlocks(t, file) {
			if b.goarch != "" && b.goarch != runtime.GOARCH {
				t.Logf("%s: not checked: its output is %s's, this is %s", b, b.goarch, runtime.GOARCH)
				continue
			}
			switch b.kind {
			case "run":
				if out, err := shell(b.text); err != nil {
					t.Errorf("%s: the block fails: %v\n%s", b, err, out)
				}
			case "transcript":
				steps := strings.Split(b.text, "$ ")[1:]
				for _, step := range steps {
					command, want, _ := strings.Cut(step, "\n")
					got, _ := shell(command)
					if d := golden.Diff(got, want); d != "" {
						t.Errorf("%s: $ %s\n%s", b, command, d)
					}
				}
			case "go":
				checkGoBlock(t, b)
			default:
				t.Errorf("%s: unknown mark %q", b, b.kind)
			}
		}
	}
}

// checkGoBlock builds a ```go block as a program of a module that
// requires this one (replaced by this checkout), runs it in an empty
// directory and compares its standard output with the block's
// "// Output:" comment.
func checkGoBlock(t *testing.T, b docBlock) {
	t.Helper()
	want, ok := goBlockOutput(b.text)
	if !ok {
		t.Errorf("%s: the Go block has no \"// Output:\" comment to compare with", b)
		return
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	src := testenv.WriteTree(t, map[string]string{
		"go.mod":  "module readmeexample\n\ngo 1.26\n\nrequire github.com/sysfence/seccomp v0.0.0\n\nreplace github.com/sysfence/seccomp => " + root + "\n",
		"go.sum":  string(sum),
		"main.go": b.text,
	})
	exe := filepath.Join(t.TempDir(), "example")
	build := exec.Command("go", "build", "-o", exe, ".")
	// Offline: -mod=mod lets go add to go.mod the requirements that come
	// through seccomp, which go.sum lists and the module cache holds once
	// this module's tests are built.
	build.Dir, build.Env = src, append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Errorf("%s: the Go block does not build: %v\n%s", b, err, out)
		return
	}
	run := exec.Command(exe)
	run.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Errorf("%s: the Go block's program fails: %v\n%s%s", b, err, stdout.String(), stderr.String())
		return
	}
	if d := golden.Diff(stdout.String(), want); d != "" {
		t.Errorf("%s: the Go block's output differs from its // Output: comment\n%s", b, d)
	}
}

// goBlockOutput returns the lines of the "// Output:" comment of a Go
// block, without the comment marks.
func goBlockOutput(src string) (string, bool) {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "// Output:" {
			continue
		}
		var out strings.Builder
		for _, l := range lines[i+1:] {
			text, ok := strings.CutPrefix(strings.TrimSpace(l), "//")
			if !ok {
				break
			}
			out.WriteString(strings.TrimPrefix(text, " ") + "\n")
		}
		return out.String(), true
	}
	return "", false
}

// TestREADMEShape checks that the README leads with what a user does
// and leaves what maintainers need to the files made for it: the
// benchmark's details to bench/README.md (whose Docker table the README
// repeats exactly), table refreshing to gen's package doc, the test
// machinery to CONTRIBUTING.md.
func TestREADMEShape(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	readme := read("README.md")

	// The first block: the two commands.
	_, rest, _ := strings.Cut(readme, "```sh\n")
	first, _, _ := strings.Cut(rest, "```")
	for _, cmd := range []string{"\ngo run ./cmd/sysfence run -- sh -c '", "\nbash .ci/test\n"} {
		if !strings.Contains("\n"+first, cmd) {
			t.Errorf("README.md's first block lacks %q:\n%s", strings.TrimSpace(cmd), first)
		}
	}

	var headings []string
	for _, l := range strings.Split(readme, "\n") {
		if h, ok := strings.CutPrefix(l, "## "); ok {
			headings = append(headings, h)
		}
	}
	lead := []string{"Install the command", "Run a command under a filter", "From Go",
		"Seccomp profiles (Docker and OCI JSON)", "With bubblewrap", "What a sandbox really blocks"}
	if len(headings) < len(lead) || !slices.Equal(headings[:len(lead)], lead) {
		t.Errorf("README.md's sections begin %q, want %q", headings, lead)
	}
	for _, h := range []string{"Tests", "Refreshing the tables", "Benchmark"} {
		if slices.Contains(headings, h) {
			t.Errorf("README.md has a section %q for maintainers", h)
		}
	}
	if strings.Contains(readme, "<!-- bench:begin -->") {
		t.Error("README.md holds the benchmark's full output; it belongs in bench/README.md")
	}

	bench := read("bench/README.md")
	if !strings.Contains(bench, "<!-- bench:begin -->") || !strings.Contains(bench, "<!-- bench:end -->") {
		t.Error("bench/README.md lacks the benchmark's output between its marks")
	}
	var docker []string
	for _, l := range strings.Split(readme, "\n") {
		if strings.HasPrefix(l, "| ") && strings.Count(l, "|") == 14 {
			docker = append(docker, l)
		}
	}
	if len(docker) < 3 {
		t.Errorf("README.md has no Docker headline table (%d rows)", len(docker))
	}
	for _, row := range docker {
		if !strings.Contains(bench, "\n"+row+"\n") {
			t.Errorf("README.md's headline row is not bench/README.md's: %s", row)
		}
	}
	if !strings.Contains(readme, "](bench/sweep.svg)") {
		t.Error("README.md lacks the sweep plot")
	}
	if !strings.Contains(read("gen/main.go"), "\n// # Refreshing the tables\n") {
		t.Error("gen's package doc has no section on refreshing the tables")
	}
	if !strings.Contains(read("CONTRIBUTING.md"), "go test -v -run '^TestKernels$' ./internal/vmtest") {
		t.Error("CONTRIBUTING.md does not say how to boot the qemu kernels")
	}
}
