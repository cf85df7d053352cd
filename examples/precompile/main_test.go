package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/profile"
)

func TestMain(m *testing.M) {
	testenv.Main(m, map[string]testenv.Scenario{
		// run executes the command, so the child's output is the
		// command's.
		"run": func() (any, error) { return nil, run(strings.Split(os.Getenv("PRECOMPILE_ARGS"), "\n")) },
	})
}

// TestRun runs a shell pipeline under the precompiled profile; unshare
// is refused, as the profile says.
func TestRun(t *testing.T) {
	for _, tool := range []string{"sh", "tr", "unshare"} {
		_, err := exec.LookPath(tool)
		testenv.Require(t, err == nil, "needs "+tool)
	}
	args := []string{"sh", "-c", "echo precompiled | tr a-z A-Z; unshare -U true || echo denied"}
	c := testenv.Run(t, testenv.Self(t), "run", "PRECOMPILE_ARGS="+strings.Join(args, "\n"))
	if !c.State.Success() {
		t.Fatalf("child: %v\n%s", c.State, c.Stderr)
	}
	if got, want := string(c.Stdout), "PRECOMPILED\ndenied\n"; got != want {
		t.Errorf("stdout %q, want %q (stderr %q)", got, want, c.Stderr)
	}
	if !strings.Contains(string(c.Stderr), "Operation not permitted") {
		t.Errorf("stderr %q: unshare should fail with EPERM", c.Stderr)
	}
}

// Kernel is the --kernel of the go:generate line.
const Kernel = "6.1"

// TestPrecompiledIsFresh compiles Docker's default profile for this
// GOARCH, as the go:generate line does, and compares it with the
// precompiled program.
func TestPrecompiledIsFresh(t *testing.T) {
	p, err := profile.Default()
	if err != nil {
		t.Skip(err) // moby builds its default profile on Linux only
	}
	native, err := seccomp.NativeABI()
	if err != nil {
		t.Skip(err)
	}
	res, err := p.Translate(&profile.Options{ABI: native, Kernel: Kernel})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := res.Compile()
	if err != nil {
		t.Fatal(err)
	}
	pre, err := seccomp.NewProgram(programInsns, programABIs...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filter.Disassemble(pre.Instructions(), pre.ABIs()...), filter.Disassemble(fresh.Instructions(), fresh.ABIs()...); got != want {
		t.Errorf("zprofile_linux_%s.go is stale: run go generate ./examples/precompile", runtime.GOARCH)
	}
	if got, want := fmt.Sprint(programABIs), fmt.Sprint(fresh.ABIs()); got != want {
		t.Errorf("programABIs %s, want %s", got, want)
	}
}

// TestGeneratedFilesAreFresh runs the go:generate line of main.go in a
// temporary directory and compares every file it writes with the
// committed one, for every GOARCH; the line prints nothing.
func TestGeneratedFilesAreFresh(t *testing.T) {
	if _, err := profile.Default(); err != nil {
		t.Skip(err)
	}
	testenv.RequireSource(t, "main.go")
	goCmd, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs the go command")
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^//go:generate go run (\S+) (.*)$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("main.go has no go:generate line that runs a command")
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, "sysfence")
	if out, err := exec.Command(goCmd, "build", "-o", exe, string(m[1])).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", m[1], err, out)
	}
	cmd := exec.Command(exe, strings.Fields(string(m[2]))...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", m[2], err, out)
	}
	// go generate ./... in a fresh clone prints nothing.
	if len(out) > 0 {
		t.Errorf("the go:generate line prints, where go generate ./... should print nothing:\n%s", out)
	}
	fresh, _ := filepath.Glob(filepath.Join(dir, "zprofile_*.go"))
	committed, _ := filepath.Glob("zprofile_*.go")
	if len(fresh) == 0 || len(fresh) != len(committed) {
		t.Fatalf("go generate writes %d files, %d are committed", len(fresh), len(committed))
	}
	for _, f := range fresh {
		name := filepath.Base(f)
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./examples/precompile", name)
		}
	}
}
