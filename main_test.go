//go:build linux

package seccomp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// childEnv names the scenario a re-executed test binary runs instead of
// the tests. Filters are installed only in such children, never in the
// test process itself.
const childEnv = "SYSFENCE_TEST_CHILD"

// scenarios are what a child can run. The report of each is written as
// JSON to stdout.
var scenarios = map[string]func() (any, error){
	"probe":      scenarioProbe,
	"install":    scenarioInstall,
	"x32":        scenarioX32,
	"allowlist":  scenarioAllowlist,
	"tsync-fail": scenarioTSyncFail,
	"refuse":     scenarioRefuse,
	"exit":       scenarioExit,
	"listener":   scenarioListener,
	"bench":      scenarioBench,
}

func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(runScenario(name))
	}
	os.Exit(m.Run())
}

func runScenario(name string) int {
	// A child killed by SIGSYS must not leave a core dump behind.
	syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	f, ok := scenarios[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown scenario %q\n", name)
		return 3
	}
	report, err := f()
	if err != nil {
		fmt.Fprintf(os.Stderr, "scenario %s: %v\n", name, err)
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(report); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// child is the outcome of a re-executed child.
type child struct {
	stdout, stderr []byte
	state          *os.ProcessState
}

// signaled returns the signal that killed the child, or 0.
func (c *child) signaled() syscall.Signal {
	ws := c.state.Sys().(syscall.WaitStatus)
	if !ws.Signaled() {
		return 0
	}
	return ws.Signal()
}

// decode reads the child's JSON report into v, failing the test if the
// child did not exit cleanly.
func (c *child) decode(t testing.TB, v any) {
	t.Helper()
	if !c.state.Success() {
		t.Fatalf("child: %v\nstderr:\n%s", c.state, c.stderr)
	}
	if err := json.Unmarshal(c.stdout, v); err != nil {
		t.Fatalf("child report: %v\nstdout:\n%s\nstderr:\n%s", err, c.stdout, c.stderr)
	}
}

// runChild runs cmd, a command that ends in the re-executed test binary,
// with scenario and env added to the environment.
func runChild(t testing.TB, cmd *exec.Cmd, scenario string, env ...string) *child {
	t.Helper()
	cmd.Env = append(append(os.Environ(), childEnv+"="+scenario), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("running %s: %v", strings.Join(cmd.Args, " "), err)
	}
	return &child{stdout: stdout.Bytes(), stderr: stderr.Bytes(), state: cmd.ProcessState}
}

// self returns a command that re-executes the test binary, running no
// test, after the given command prefix (such as "bwrap ... --").
func self(t testing.TB, prefix ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := append(prefix, exe, "-test.run=^$")
	return exec.Command(args[0], args[1:]...)
}

// require skips the test for want of what reason describes, or fails it
// in CI (CI=true), where every prerequisite must be present.
func require(t testing.TB, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(reason)
	}
	t.Skip(reason)
}

func requireRoot(t testing.TB) {
	t.Helper()
	require(t, os.Geteuid() == 0, "needs root: the probes tell the filter's EPERM from the kernel's only with every capability")
}

func requireSeccomp(t testing.TB) {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	require(t, err == nil && bytes.Contains(status, []byte("\nSeccomp:")), "needs a kernel with seccomp (no Seccomp: in /proc/self/status)")
}
