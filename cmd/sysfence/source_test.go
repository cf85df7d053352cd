package main

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// The tests of compile --format go and --format c, named for the points
// of the profile issue's command-line part.

var generatedHeader = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)

// goPolicies are the policies the --format go tests generate, each with
// a file prefix.
func goPolicies(t *testing.T) map[string][]string {
	p := map[string][]string{"zdeny": {"--deny", "ptrace,mount,iopl"}}
	if runtime.GOOS == "linux" {
		p["zdocker"] = []string{"--profile", "docker-default", "--kernel", "6.1"}
	}
	return p
}

// generateGo runs compile --format go into dir and returns the files by
// name.
func generateGo(t *testing.T, dir, prefix string, policy []string) map[string][]byte {
	t.Helper()
	args := append([]string{"compile", "--format", "go", "--package", "main", "-o", filepath.Join(dir, prefix)}, policy...)
	if code, _, stderr := sysfence(args...); code != 0 {
		t.Fatalf("%q: exit %d: %s", args, code, stderr)
	}
	files := make(map[string][]byte)
	for _, goarch := range append(linuxGOARCHes(), "") {
		name := prefix + "_linux_" + goarch + ".go"
		if goarch == "" {
			name = prefix + "_other.go"
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	return files
}

// goProgram reads the ABIs and instructions out of a generated file.
func goProgram(t *testing.T, name string, src []byte) ([]*tables.ABI, []filter.Instruction) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var abis []*tables.ABI
	var insns []filter.Instruction
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if len(vs.Values) == 0 {
				continue
			}
			lit := vs.Values[0].(*ast.CompositeLit)
			switch vs.Names[0].Name {
			case "programABIs":
				for _, e := range lit.Elts {
					v := e.(*ast.SelectorExpr).Sel.Name
					for abi, name := range abiVars {
						if name == v {
							abis = append(abis, abi)
						}
					}
				}
			case "programInsns":
				for _, e := range lit.Elts {
					var in filter.Instruction
					for _, kv := range e.(*ast.CompositeLit).Elts {
						kv := kv.(*ast.KeyValueExpr)
						n, err := strconv.ParseUint(kv.Value.(*ast.BasicLit).Value, 0, 32)
						if err != nil {
							t.Fatal(err)
						}
						switch kv.Key.(*ast.Ident).Name {
						case "Code":
							in.Code = uint16(n)
						case "Jt":
							in.Jt = uint8(n)
						case "Jf":
							in.Jf = uint8(n)
						case "K":
							in.K = uint32(n)
						}
					}
					insns = append(insns, in)
				}
			}
		}
	}
	return abis, insns
}

// --format go writes a gofmt-clean file for every GOARCH, whose first line
// names the command, holding a program byte-identical to --format bpf for
// the GOARCH's native ABI, with the ABIs it covers.
func TestCompileGoMatchesBPF(t *testing.T) {
	t.Parallel()
	for prefix, policy := range goPolicies(t) {
		t.Run(prefix, func(t *testing.T) {
			dir := t.TempDir()
			files := generateGo(t, dir, prefix, policy)
			for name, src := range files {
				first, _, _ := strings.Cut(string(src), "\n")
				if !generatedHeader.MatchString(first) || !strings.Contains(first, `"sysfence compile --format go --package main -o `) {
					t.Errorf("%s: first line %q", name, first)
				}
				if clean, err := format.Source(src); err != nil || !bytes.Equal(clean, src) {
					t.Errorf("%s is not gofmt-clean (%v)", name, err)
				}
			}
			for _, goarch := range linuxGOARCHes() {
				name := prefix + "_linux_" + goarch + ".go"
				src := files[name]
				if !strings.Contains(string(src), "\n//go:build linux && "+goarch+"\n") {
					t.Errorf("%s: no build constraint for linux/%s", name, goarch)
				}
				abis, insns := goProgram(t, name, src)
				abi := goarchABI(goarch)
				bpf := compileBytes(t, append([]string{"--arch", abi.Name}, policy...)...)
				if got := filter.Encode(insns, abi.ByteOrder()); !bytes.Equal(got, bpf) {
					t.Errorf("%s: the program differs from compile --format bpf --arch %s", name, abi.Name)
				}
				prog, err := seccomp.NewProgram(insns, abis...)
				if err != nil {
					t.Fatalf("%s: NewProgram: %v", name, err)
				}
				// The native ABI first, and the bpf covers each of them.
				if len(abis) == 0 || abis[0] != abi || !sameABIs(prog.ABIs(), abis) {
					t.Errorf("%s: ABIs %v, want %s first", name, abis, abi.Name)
				}
				if _, err := seccomp.ReadProgram(bytes.NewReader(bpf), abis...); err != nil {
					t.Errorf("%s: ABIs %v: %v", name, abis, err)
				}
			}
			if abis, insns := goProgram(t, prefix+"_other.go", files[prefix+"_other.go"]); abis != nil || insns != nil {
				t.Errorf("the other platforms' file holds a program")
			}
		})
	}
}

func sameABIs(a, b []*tables.ABI) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The files --format go writes compile in a user's module, for every Linux
// GOARCH and elsewhere, and on this machine NewProgram turns them into the
// program --format bpf writes.
func TestCompileGoBuilds(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	_, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs the go command")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	testenv.RequireSource(t, filepath.Join(root, "go.sum"))
	dir := t.TempDir()
	gomod := "module example.com/user\n\ngo 1.26\n\nrequire github.com/sysfence/seccomp v0.0.0\n\nreplace github.com/sysfence/seccomp => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	main := `package main

import (
	"os"

	"github.com/sysfence/seccomp"
)

func main() {
	prog, err := seccomp.NewProgram(programInsns, programABIs...)
	if err != nil {
		panic(err)
	}
	prog.WriteTo(os.Stdout)
}
`
	for name, data := range map[string]string{"go.mod": gomod, "go.sum": string(sum), "main.go": main} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	policy := []string{"--deny", "ptrace,mount,iopl"}
	generateGo(t, dir, "zseccomp", policy)
	goCmd := func(t *testing.T, env []string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), append([]string{"GOFLAGS=-mod=mod", "GOPROXY=off", "CGO_ENABLED=0"}, env...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s %v: %v\n%s", strings.Join(args, " "), env, err, stderr.String())
		}
		return out
	}
	got := goCmd(t, nil, "run", ".")
	if want := compileBytes(t, policy...); !bytes.Equal(got, want) {
		t.Errorf("the program NewProgram made of the generated file differs from compile --format bpf")
	}
	targets := [][]string{{"GOOS=darwin", "GOARCH=arm64"}}
	for _, goarch := range linuxGOARCHes() {
		if !testing.Short() || goarch == runtime.GOARCH {
			targets = append(targets, []string{"GOOS=linux", "GOARCH=" + goarch})
		}
	}
	// The builds share the module's directory and cache, nothing else.
	for _, env := range targets {
		t.Run(strings.Join(env, " "), func(t *testing.T) {
			t.Parallel()
			goCmd(t, env, "build", "-o", os.DevNull, ".")
		})
	}
}

func TestCompileGoUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--format", "go", "-o", filepath.Join(dir, "z")},
		{"--format", "go", "--package", "main"},
		{"--format", "go", "--package", "main", "-o", dir},
		{"--format", "go", "--package", "main", "-o", filepath.Join(dir, "z"), "--arch", "x86_64"},
		{"--format", "go", "--package", "not-go", "-o", filepath.Join(dir, "z")},
		{"--format", "go", "--package", "main", "--name", "1st", "-o", filepath.Join(dir, "z")},
		{"--format", "c", "--name", "a-b"},
		{"--format", "c", "--package", "main"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if code, _, stderr := sysfence(append([]string{"compile", "--deny", "ptrace"}, args...)...); code != exitUsage {
				t.Errorf("exit %d (stderr %q), want %d", code, stderr, exitUsage)
			}
		})
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
		t.Errorf("a refused command wrote %q", names)
	}
}

// Every ABI of package tables has its variable in the generated files.
func TestCompileGoNamesEveryABI(t *testing.T) {
	t.Parallel()
	for _, abi := range tables.All() {
		if abiVars[abi] == "" {
			t.Errorf("no variable of package tables known for %s", abi.Name)
		}
	}
}

// --format c compiles with gcc, and the array holds the bytes --format bpf
// writes.
func TestCompileCMatchesBPF(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	gcc, err := exec.LookPath("gcc")
	testenv.Require(t, err == nil, "needs gcc")
	policies := [][]string{{"--deny", "ptrace,mount"}, {"--allow", "read,write,exit_group", "--default", "trap"}, {"--profile", smallProfile}}
	if runtime.GOOS == "linux" {
		policies = append(policies, []string{"--profile", "docker-default"})
	}
	for _, policy := range policies {
		t.Run(strings.Join(policy, " "), func(t *testing.T) {
			dir := t.TempDir()
			csrc := filepath.Join(dir, "filter.c")
			if code, _, stderr := sysfence(append([]string{"compile", "--format", "c", "--name", "sandbox", "-o", csrc}, policy...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			main := `#include <stdio.h>
#include <linux/filter.h>

extern struct sock_fprog sandbox_fprog;

int main(void) {
	return fwrite(sandbox_fprog.filter, sizeof(struct sock_filter), sandbox_fprog.len, stdout) == sandbox_fprog.len ? 0 : 1;
}
`
			if err := os.WriteFile(filepath.Join(dir, "main.c"), []byte(main), 0o644); err != nil {
				t.Fatal(err)
			}
			exe := filepath.Join(dir, "dump")
			if out, err := exec.Command(gcc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-o", exe, filepath.Join(dir, "main.c"), csrc).CombinedOutput(); err != nil {
				t.Fatalf("gcc: %v\n%s", err, out)
			}
			got, err := exec.Command(exe).Output()
			if err != nil {
				t.Fatal(err)
			}
			if want := compileBytes(t, policy...); !bytes.Equal(got, want) {
				t.Errorf("the C array holds %d bytes that differ from the %d of compile --format bpf", len(got), len(want))
			}
		})
	}
}

// cOpcode spells every opcode as names that add up to it.
func TestCOpcodeNames(t *testing.T) {
	t.Parallel()
	for code := 0; code <= 0xff; code++ {
		s := cOpcode(uint16(code))
		var sum uint64
		for _, part := range strings.Split(s, " | ") {
			v, ok := cValue[part]
			if !ok {
				n, err := strconv.ParseUint(part, 0, 16)
				if err != nil {
					t.Fatalf("%#x: %q", code, s)
				}
				v = uint16(n)
			}
			sum |= uint64(v)
		}
		if sum != uint64(code) {
			t.Errorf("%#x spelt %q, which is %#x", code, s, sum)
		}
	}
	for code, want := range map[uint16]string{
		filter.BPF_LD | filter.BPF_W | filter.BPF_ABS:   "BPF_LD | BPF_W | BPF_ABS",
		filter.BPF_JMP | filter.BPF_JSET | filter.BPF_K: "BPF_JMP | BPF_JSET | BPF_K",
		filter.BPF_RET | filter.BPF_K:                   "BPF_RET | BPF_K",
		filter.BPF_ALU | filter.BPF_AND | filter.BPF_K:  "BPF_ALU | BPF_AND | BPF_K",
		filter.BPF_MISC | filter.BPF_TAX:                "BPF_MISC | BPF_TAX",
	} {
		if got := cOpcode(code); got != want {
			t.Errorf("%#x: %q, want %q", code, got, want)
		}
	}
}
