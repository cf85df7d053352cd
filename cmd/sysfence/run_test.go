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
		{[]string{"--deny", "ptrace", "--default", "errno:EPERM"}, "execve would get errno:EPERM"},
		{[]string{"--deny", "execve"}, "execve would get errno:EPERM"},
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
			if c.State.ExitCode() != exitOwnFailure || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want %d and one line naming %q", c.State.ExitCode(), stderr, exitOwnFailure, tt.want)
			}
		})
	}
	// What it can start under, it starts under: sysfence needs nothing
	// but execve under the filter (the Go runtime's futex included).
	for _, deny := range []string{"write,ptrace", "futex,rt_sigprocmask,sigaltstack,clone,gettid,sched_getaffinity,nanosleep,tgkill"} {
		c := child(t, nil, "run", "--deny", deny, "--", "true")
		if !c.State.Success() {
			t.Errorf("run --deny %s -- true: %v, stderr %q", deny, c.State, c.Stderr)
		}
	}
}

// Issue 16 point 11: the thread that installs run's filter calls execve
// next, and nothing else (so an allowlist needs nothing of sysfence's
// but execve), without TSYNC; so does the notify helper's filtered
// thread under run --supervise. It traces the command as go build makes it
// with the default settings, not this test binary, whose tests link
// packages (net) that the command does not.
func TestRunInstallsRightBeforeExec(t *testing.T) {
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
	trace := func(args ...string) []string {
		log := filepath.Join(t.TempDir(), "strace.log")
		cmd := exec.Command(strace, append([]string{"-f", "-qq", "-o", log, bin}, args...)...)
		out, err := cmd.CombinedOutput()
		var exitErr *exec.ExitError
		if err != nil && (!errors.As(err, &exitErr) || exitErr.ProcessState.Sys().(syscall.WaitStatus).Signaled()) {
			t.Fatalf("%q under strace: %v, output %q", args, err, out)
		}
		names, install := callsAfterInstall(t, log)
		testenv.Require(t, install != "", "strace saw no seccomp(2) call (is ptrace allowed here?)")
		if strings.Contains(install, "TSYNC") {
			t.Errorf("%q: the filter is installed on every thread: %s", args, install)
		}
		return names
	}
	for range 3 {
		if names := trace("run", "--deny", "ptrace", "--", "true"); len(names) > 0 {
			t.Errorf("run: the filtered thread calls %v between install and execve", names)
		}
	}
	requireNotify(t)
	for range 3 {
		if names := trace("run", "--supervise", "log=getppid", "--", "true"); len(names) > 0 {
			t.Errorf("run --supervise: the helper's filtered thread calls %v between install and execve", names)
		}
	}
}

// callsAfterInstall returns the system calls the installing thread makes
// in an strace -f log, from the seccomp(2) call that installs the filter
// to its execve, and the line of the install ("" if there is none).
var straceLine = regexp.MustCompile(`^(\d+)\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]`)

func callsAfterInstall(t *testing.T, log string) (names []string, install string) {
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
			if name == "seccomp" && strings.Contains(line, "SECCOMP_SET_MODE_FILTER") && strings.Contains(line, "{len=") {
				installer, install = pid, line
			}
			continue
		}
		if pid != installer || name == "seccomp" {
			continue
		}
		if name == "execve" {
			break
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names, install
}
