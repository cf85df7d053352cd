package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// Tests of sysfence run that install nothing in the test process: each
// command line that could install a filter runs in a child.

// A policy under which sysfence cannot reach exec is refused
// before anything is installed. Each command line runs in a child: were
// it not refused, it would install a filter.
func TestRunRefusesPolicyItCannotStartUnder(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--deny", "ptrace", "--default", "errno:EPERM"}, "execve, futex"},
		{[]string{"--deny", "futex"}, "futex would get errno:EPERM"},
		{[]string{"--deny", "ptrace", "--default", "trap"}, "would get trap"},
		{[]string{"--allow", "read,write"}, "execve"},
		{[]string{"--allow", "read", "--deny", "write"}, "not both"},
		{[]string{"--deny", "write", "--errno", "EPERM", "--default", "kill-thread"}, "kill-thread"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c := child(t, nil, append(append([]string{"run"}, tt.args...), "--", "true")...)
			if sig := c.Signaled(); sig != 0 {
				t.Fatalf("sysfence died of %v; stderr %q", sig, c.Stderr)
			}
			stderr := errorLines(string(c.Stderr))
			if c.State.ExitCode() != exitUsage || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want %d and one line naming %q", c.State.ExitCode(), stderr, exitUsage, tt.want)
			}
		})
	}
	// What it can start under, it starts under.
	c := child(t, nil, "run", "--deny", "write,ptrace", "--", "true")
	if !c.State.Success() {
		t.Errorf("run --deny write,ptrace -- true: %v, stderr %q", c.State, c.Stderr)
	}
}

// The calls canStart checks are the ones sysfence makes between
// install and exec, as strace sees them. It traces the command as go build
// makes it with the default settings, not this test binary, whose tests
// link packages (net) that the command does not.
func TestRunStartCallsAreListed(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	strace, err := exec.LookPath("strace")
	testenv.Require(t, err == nil, "needs strace")
	gobin, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs the go command in PATH")
	bin := filepath.Join(t.TempDir(), "sysfence")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// An executable file that is no program: exec fails, and sysfence
	// reports it.
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("\x00\x01"), 0o755); err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for i := range 6 {
		target := "true"
		if i%2 == 1 {
			target = bad
		}
		log := filepath.Join(t.TempDir(), "strace.log")
		cmd := exec.Command(strace, "-f", "-qq", "-o", log, bin, "run", "--deny", "ptrace", "--", target)
		out, err := cmd.CombinedOutput()
		var exitErr *exec.ExitError
		if err != nil && (!errors.As(err, &exitErr) || exitErr.ProcessState.Sys().(syscall.WaitStatus).Signaled()) {
			t.Fatalf("run under strace: %v, output %q", err, out)
		}
		for _, name := range callsAfterInstall(t, log) {
			seen[name] = true
		}
	}
	testenv.Require(t, len(seen) > 0, "strace saw no seccomp(2) call (is ptrace allowed here?)")
	for name := range seen {
		if !slices.ContainsFunc(startCalls, func(c startCall) bool { return c.name == name }) {
			t.Errorf("sysfence calls %s between install and exec; startCalls does not list it", name)
		}
	}
}

// callsAfterInstall returns the system calls in an strace -f log from the
// seccomp(2) call that installs the filter to the end of the execve that
// follows it.
var straceLine = regexp.MustCompile(`^(\d+)\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]`)

func callsAfterInstall(t *testing.T, log string) []string {
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	installer := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		m := straceLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pid, name := m[1], m[2]
		if installer == "" {
			if name == "seccomp" && strings.Contains(line, "SECCOMP_SET_MODE_FILTER") {
				installer = pid
			}
			continue
		}
		if name == "seccomp" {
			continue
		}
		if pid == installer && name == "execve" && strings.Contains(line, "= 0") {
			break
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}
