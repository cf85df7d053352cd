// Package testenv is what the module's tests share: one way to run a
// scenario in a re-executed test binary (filters are installed only there,
// never in a test process), and one rule for a missing prerequisite.
package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ChildEnv names the scenario a re-executed test binary runs instead of
// its tests.
const ChildEnv = "SYSFENCE_TEST_CHILD"

// A Scenario runs in a child process. Its report is written to stdout as
// JSON; an error makes the child exit with status 1.
type Scenario func() (report any, err error)

// Main runs the scenario that the environment names, if any, and exits
// with its status; otherwise it runs the tests. Call it from TestMain.
func Main(m *testing.M, scenarios map[string]Scenario) {
	name := os.Getenv(ChildEnv)
	if name == "" {
		os.Exit(m.Run())
	}
	// A child killed by SIGSYS must not leave a core dump behind.
	syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	f, ok := scenarios[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown scenario %q\n", name)
		os.Exit(3)
	}
	report, err := f()
	if err != nil {
		fmt.Fprintf(os.Stderr, "scenario %s: %v\n", name, err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(report); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Self returns a command that re-executes the test binary, running no
// test, after the given command prefix (such as "bwrap … --").
func Self(t testing.TB, prefix ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := append(prefix, exe, "-test.run=^$")
	return exec.Command(args[0], args[1:]...)
}

// Child is the outcome of a child process.
type Child struct {
	Stdout, Stderr []byte
	State          *os.ProcessState
}

// Run runs cmd, which ends in the re-executed test binary (Self), with
// scenario and env added to its environment. Only a failure to start is
// fatal: a child that exits non-zero or dies is an outcome to examine.
func Run(t testing.TB, cmd *exec.Cmd, scenario string, env ...string) *Child {
	t.Helper()
	cmd.Env = append(append(os.Environ(), ChildEnv+"="+scenario), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("running %s: %v", strings.Join(cmd.Args, " "), err)
	}
	return &Child{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), State: cmd.ProcessState}
}

// Signaled returns the signal that killed the child, or 0.
func (c *Child) Signaled() syscall.Signal {
	ws, ok := c.State.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0
	}
	return ws.Signal()
}

// Decode reads the child's JSON report into v, failing the test if the
// child did not exit cleanly.
func (c *Child) Decode(t testing.TB, v any) {
	t.Helper()
	if !c.State.Success() {
		t.Fatalf("child: %v\nstderr:\n%s", c.State, c.Stderr)
	}
	if err := json.Unmarshal(c.Stdout, v); err != nil {
		t.Fatalf("child report: %v\nstdout:\n%s\nstderr:\n%s", err, c.Stdout, c.Stderr)
	}
}

// Require skips the test for want of what reason describes, or fails it
// in CI (CI=true), where every prerequisite must be present.
func Require(t testing.TB, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(reason)
	}
	t.Skip(reason)
}

// RequireSource makes sure the source file at path is there, for a test
// that reads the module's sources or testdata. A test binary run where the
// sources are not (the qemu guests run the root package's tests with
// -short and no source tree) skips under -short; elsewhere a missing file
// fails the test.
func RequireSource(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if testing.Short() {
			t.Skipf("%v: no source tree here (-short)", err)
		}
		t.Fatal(err)
	}
}

// WriteTree writes files (path → content) under a new temporary
// directory and returns it.
func WriteTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for path, content := range files {
		path = filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// DialAll connects to each of the space-separated addresses in list
// ("tcp:127.0.0.1:80", "tcp:[::1]:53", "unix:/path"), for a scenario under
// a filter or supervisor, and reports for each "" when it connected, else
// the errno (or error) it failed with.
func DialAll(list string) map[string]string {
	out := map[string]string{}
	for _, a := range strings.Fields(list) {
		network, addr, _ := strings.Cut(a, ":")
		c, err := net.DialTimeout(network, addr, 5*time.Second)
		var errno syscall.Errno
		switch {
		case err == nil:
			c.Close()
			out[a] = ""
		case errors.As(err, &errno):
			out[a] = errno.Error()
		default:
			out[a] = err.Error()
		}
	}
	return out
}
