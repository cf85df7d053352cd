package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
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
