package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/testenv"
)

// Must show: learn --counts records how often a program made each call,
// and compile --weights of those counts gives the program a list under
// which the recorded workload runs no more instructions on average than
// under the default weights (fewer, here).
func TestLearnCountsCompileWeights(t *testing.T) {
	requireNotify(t)
	bash, err := exec.LookPath("bash")
	testenv.Require(t, err == nil, "needs bash")
	dir := t.TempDir()
	list, counts := filepath.Join(dir, "calls.txt"), filepath.Join(dir, "counts.txt")
	c := child(t, nil, "learn", "-o", list, "--counts", counts, "--", bash, "-c", `for i in $(seq 100); do echo $i; done | sort -n | tail -n 1`)
	if !c.State.Success() || string(c.Stdout) != "100\n" {
		t.Fatalf("learn: %v, stdout %q, stderr %q", c.State, c.Stdout, c.Stderr)
	}
	b, err := os.ReadFile(counts)
	if err != nil {
		t.Fatal(err)
	}
	weights, err := readWeights(counts)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
	if len(weights) != len(lines) || weights["read"] == 0 || weights["execve"] == 0 {
		t.Fatalf("counts file:\n%s", b)
	}
	for i := 1; i < len(lines); i++ {
		if lines[i-1] >= lines[i] {
			t.Errorf("counts not in order of name: %q before %q", lines[i-1], lines[i])
		}
	}
	entries, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	native, err := nativeABI()
	if err != nil {
		t.Fatal(err)
	}
	mean := func(extra ...string) float64 {
		out := filepath.Join(dir, "prog.bpf")
		code, _, errs := sysfence(append([]string{"compile", "--allow", strings.TrimSpace(string(entries)), "-o", out}, extra...)...)
		if code != 0 {
			t.Fatalf("compile %v: exit %d: %s", extra, code, errs)
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := seccomp.ReadProgram(bytes.NewReader(raw), native)
		if err != nil {
			t.Fatal(err)
		}
		var sum, total uint64
		for name, n := range weights {
			nr, _ := native.Number(name)
			res, err := filter.Run(prog.Instructions(), &filter.SeccompData{Nr: int32(nr), Arch: native.Audit}, native.ByteOrder())
			if err != nil {
				t.Fatal(err)
			}
			sum += n * uint64(res.Steps)
			total += n
		}
		return float64(sum) / float64(total)
	}
	def, own := mean(), mean("--weights", counts)
	t.Logf("the recorded workload runs %.2f instructions a call on average with the default weights, %.2f with its own", def, own)
	if own > def {
		t.Errorf("with its own weights the workload runs %.2f instructions a call, with the default %.2f", own, def)
	}

	code, _, errs := sysfence("compile", "--weights", list)
	if code != exitUsage || !strings.Contains(errs, "want NAME COUNT") {
		t.Errorf("--weights of a list: exit %d, stderr %q", code, errs)
	}
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("read 3\nraed 4\n"), 0o644)
	code, _, errs = sysfence("compile", "--weights", bad)
	if code == 0 || !strings.Contains(errs, "line 2") || !strings.Contains(errs, `"raed"`) {
		t.Errorf("--weights naming raed: exit %d, stderr %q", code, errs)
	}
}
