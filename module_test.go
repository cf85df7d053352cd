//go:build unix

// The go command is needed, not seccomp; internal/testenv builds on unix.

package seccomp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// goCommand runs the go command in dir, offline: every module it needs is
// in the module cache once this module's tests are built.
func goCommand(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	gobin, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs the go command in PATH")
	cmd := exec.Command(gobin, args...)
	cmd.Dir = dir
	// The checksum database is not consulted: the modules come from the
	// cache, which this module's go.sum already verified.
	// Only a throwaway module may have its go.mod and go.sum rewritten.
	mod := "-mod=readonly"
	if dir != "." {
		mod = "-mod=mod"
	}
	cmd.Env = append(os.Environ(), "GOFLAGS="+mod, "GOPROXY=off", "GOSUMDB=off", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// goLine returns the version of the go directive of a go.mod file.
func goLine(t *testing.T, gomod string) string {
	t.Helper()
	testenv.RequireSource(t, gomod)
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s has no go directive", gomod)
	return ""
}

// requiredGo returns the highest go version that a module of this
// module's graph declares, and which module declares it.
func requiredGo(t *testing.T) (goVersion, module string) {
	t.Helper()
	out := goCommand(t, ".", "list", "-m", "-json", "all")
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var m struct {
			Path, GoVersion string
			Main            bool
		}
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		if !m.Main && m.GoVersion != "" && version.Compare("go"+m.GoVersion, "go"+goVersion) > 0 {
			goVersion, module = m.GoVersion, m.Path
		}
	}
	return goVersion, module
}

// TestGoLineIsTheDependenciesMinimum checks that the go directive asks
// for no later Go than the module's dependencies do: an importer's go line
// must be at least this module's, so a patch release here (go 1.26.8)
// would force every importer onto that patch release.
func TestGoLineIsTheDependenciesMinimum(t *testing.T) {
	have := goLine(t, "go.mod")
	need, module := requiredGo(t)
	if version.Compare("go"+have, "go"+need) != 0 {
		t.Errorf("go.mod says go %s; the dependencies need go %s (%s): set that, the lowest the module builds with", have, need, module)
	}
}

// TestImporterGains makes a module that imports the root package and
// checks what go mod tidy gives it: a go line no later than this module's,
// one requirement, and no checksums of the modules only gen needs.
func TestImporterGains(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := "module example.com/importer\n\ngo 1.22\n\nreplace github.com/sysfence/seccomp => " + root + "\n"
	src := "package main\n\nimport \"github.com/sysfence/seccomp\"\n\nfunc main() { println(len(seccomp.BuiltinNames())) }\n"
	for name, text := range map[string]string{"go.mod": gomod, "main.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	goCommand(t, dir, "get", "github.com/sysfence/seccomp@v0.0.0-00010101000000-000000000000")
	goCommand(t, dir, "mod", "tidy")

	need, _ := requiredGo(t)
	if got := goLine(t, filepath.Join(dir, "go.mod")); got != need {
		t.Errorf("the importer's go line became %s; the module graph needs no later than %s", got, need)
	}
	var m struct {
		Require []struct{ Path string }
	}
	if err := json.Unmarshal(goCommand(t, dir, "mod", "edit", "-json"), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Require) != 1 || m.Require[0].Path != "github.com/sysfence/seccomp" {
		t.Errorf("the importer requires %v, want github.com/sysfence/seccomp only", m.Require)
	}
	sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	t.Logf("the importer's go.sum:\n%s", sum)
	for _, genOnly := range []string{"github.com/dave/jennifer", "golang.org/x/tools", "golang.org/x/mod", "golang.org/x/sync"} {
		if bytes.Contains(sum, []byte(genOnly+" ")) {
			t.Errorf("the importer's go.sum holds %s, which only gen needs", genOnly)
		}
	}
	deps := goCommand(t, dir, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
	for _, pkg := range strings.Fields(string(deps)) {
		if pkg != "example.com/importer" && !strings.HasPrefix(pkg, "github.com/sysfence/seccomp") {
			t.Errorf("the importer builds %s, outside this module and the standard library", pkg)
		}
	}
}
