package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/profile"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// learn --merge: two programs' runs make one list under which both run,
// which neither run's list alone is; merging a run already in it
// changes nothing, byte for byte; the counts add up.
func TestLearnMerge(t *testing.T) {
	requireNotify(t)
	bash, err := exec.LookPath("bash")
	testenv.Require(t, err == nil, "needs bash")
	dir := t.TempDir()
	merged, counts := filepath.Join(dir, "calls.txt"), filepath.Join(dir, "counts.txt")
	cmds := [][]string{
		{bash, "-c", `printf 'b\na\n' | sort | head -n 1`},
		{bash, "-c", `ls -la / >/dev/null && echo a`},
	}
	var alone []string
	for _, cmd := range cmds {
		one := filepath.Join(dir, "one.txt")
		for _, args := range [][]string{{"-o", one}, {"--merge", merged, "-o", merged, "--counts", counts}} {
			c := child(t, nil, append(append([]string{"learn"}, args...), append([]string{"--"}, cmd...)...)...)
			if !c.State.Success() || string(c.Stdout) != "a\n" {
				t.Fatalf("learn %v %v: %v, stdout %q, stderr %q", args, cmd, c.State, c.Stdout, c.Stderr)
			}
		}
		alone = append(alone, strings.TrimSpace(readFile(t, one)))
	}
	list := strings.TrimSpace(readFile(t, merged))
	entries := strings.Split(list, ",")
	if !slices.IsSortedFunc(entries, compareEntries) {
		t.Errorf("the merged list is not sorted: %s", list)
	}
	for i, one := range alone {
		for _, e := range strings.Split(one, ",") {
			if !slices.Contains(entries, e) {
				t.Errorf("run %d learned %s, the merged list lacks it", i, e)
			}
		}
	}
	for i, cmd := range cmds {
		if c := child(t, nil, append([]string{"run", "--allow", list, "--"}, cmd...)...); !c.State.Success() || string(c.Stdout) != "a\n" {
			t.Errorf("%v under the merged list: %v, stdout %q, stderr %q", cmd, c.State, c.Stdout, c.Stderr)
		}
		// The other run's list alone does not run it: the merge added
		// what it needs.
		other := alone[1-i]
		if c := child(t, nil, append([]string{"run", "--allow", other, "--"}, cmd...)...); c.State.Success() && string(c.Stdout) == "a\n" {
			t.Errorf("%v runs under the other program's list alone: the test shows nothing", cmd)
		}
	}
	before := readFile(t, merged)
	if c := child(t, nil, append([]string{"learn", "--merge", merged, "-o", merged, "--"}, cmds[0]...)...); !c.State.Success() {
		t.Fatalf("learn --merge again: %v, stderr %q", c.State, c.Stderr)
	}
	if after := readFile(t, merged); after != before {
		t.Errorf("merging a run already in the list changed it:\n%s\n%s", before, after)
	}
	w, err := readWeights(counts)
	if err != nil {
		t.Fatal(err)
	}
	if w["execve"] < 2 || w["read"] == 0 {
		t.Errorf("merged counts: execve %d, read %d", w["execve"], w["read"])
	}
	code, _, errs := sysfence("learn", "--merge", merged, "--base", merged, "--", "true")
	if code != exitOwnFailure || !strings.Contains(errs, "not both") {
		t.Errorf("--merge with --base: exit %d, stderr %q", code, errs)
	}
}

// learn --base: a list written in groups is widened by what the program
// needs beyond it, and only that, reported on stderr; the result runs
// the program. A base profile keeps its own rules (ptrace's EPERM) and
// gains what the program did.
func TestLearnBase(t *testing.T) {
	requireNotify(t)
	bash, err := exec.LookPath("bash")
	testenv.Require(t, err == nil, "needs bash")
	dir := t.TempDir()
	cmd := []string{bash, "-c", `sleep 0.01; uname >/dev/null; echo a`}
	base, out := filepath.Join(dir, "base.txt"), filepath.Join(dir, "out.txt")
	groups := "@basic-io,@file-system,@memory,@process,@signal"
	os.WriteFile(base, []byte(groups+"\n"), 0o644)
	c := child(t, nil, append([]string{"learn", "--base", base, "-o", out, "--"}, cmd...)...)
	if !c.State.Success() {
		t.Fatalf("learn --base: %v, stderr %q", c.State, c.Stderr)
	}
	widened := strings.TrimSpace(readFile(t, out))
	if !strings.HasPrefix(widened, groups+",") {
		t.Fatalf("the widened list does not keep the base: %s", widened)
	}
	added := strings.Split(strings.TrimPrefix(widened, groups+","), ",")
	for _, want := range []string{"clock_nanosleep", "uname"} {
		if !slices.Contains(added, want) {
			t.Errorf("%s not added: %s", want, widened)
		}
	}
	if !strings.Contains(string(c.Stderr), "added to "+base+": "+strings.Join(added, ", ")) {
		t.Errorf("stderr does not name the additions %v: %q", added, c.Stderr)
	}
	if c := child(t, nil, append([]string{"run", "--allow", widened, "--"}, cmd...)...); !c.State.Success() || string(c.Stdout) != "a\n" {
		t.Fatalf("under the widened list: %v, stdout %q, stderr %q", c.State, c.Stdout, c.Stderr)
	}
	// Widening what allows everything adds nothing.
	os.WriteFile(base, []byte(widened+"\n"), 0o644)
	c = child(t, nil, append([]string{"learn", "--base", base, "-o", out, "--"}, cmd...)...)
	if !c.State.Success() || !strings.Contains(string(c.Stderr), "added nothing") || strings.TrimSpace(readFile(t, out)) != widened {
		t.Errorf("learn --base <widened>: %v, stderr %q, list %s", c.State, c.Stderr, readFile(t, out))
	}

	native, err := nativeABI()
	if err != nil {
		t.Fatal(err)
	}
	bp := &seccomp.Policy{Default: seccomp.KillProcess, Rules: []seccomp.Rule{{Syscall: "ptrace", Action: seccomp.ErrnoNamed("EPERM")}, {Syscall: "read", Action: seccomp.Allow}}}
	b, _, err := profile.MarshalPolicy(bp, &profile.ExportOptions{Lossy: true})
	if err != nil {
		t.Fatal(err)
	}
	baseJSON, outJSON := filepath.Join(dir, "base.json"), filepath.Join(dir, "out.json")
	os.WriteFile(baseJSON, b, 0o644)
	c = child(t, nil, append([]string{"learn", "--format", "profile", "--base", baseJSON, "-o", outJSON, "--"}, cmd...)...)
	if !c.State.Success() || !strings.Contains(string(c.Stderr), "added to "+baseJSON+": ") {
		t.Fatalf("learn --format profile --base: %v, stderr %q", c.State, c.Stderr)
	}
	res, err := profile.Load([]byte(readFile(t, outJSON)), nil)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := res.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]seccomp.Action{"ptrace": seccomp.ErrnoNamed("EPERM"), "read": seccomp.Allow, "uname": seccomp.Allow, "execve": seccomp.Allow, "kexec_load": seccomp.KillProcess} {
		got, err := prog.Evaluate(native, name)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("the widened profile gives %s %s, want %s", name, got, want)
		}
	}
}
