package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sysfence/seccomp/internal/testenv"
)

// Issue 17 point 3: run and learn exit as env(1) does for a command that
// is not found (127) or cannot be executed (126), 125 when sysfence
// itself fails, and otherwise with the command's status, so that a
// command that exits 1, 2 or 3 is told from sysfence's own failures.
func TestRunExitStatusLikeEnv(t *testing.T) {
	requireNotify(t)
	dir := t.TempDir()
	badExe := filepath.Join(dir, "bad")
	if err := os.WriteFile(badExe, []byte("\x00\x01"), 0o755); err != nil {
		t.Fatal(err)
	}
	noInterp := filepath.Join(dir, "nointerp")
	if err := os.WriteFile(noInterp, []byte("#!/no/such/interpreter\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// What env itself returns is the reference for what cannot run.
	envStatus := func(args ...string) int {
		err := exec.Command("env", args...).Run()
		if err == nil {
			return 0
		}
		if e, ok := err.(*exec.ExitError); ok {
			return e.ExitCode()
		}
		t.Fatalf("env %q: %v", args, err)
		return 0
	}
	for _, tt := range []struct {
		cmd   []string
		want  int
		asEnv bool // env's execvp runs a file without #! through sh
	}{
		{[]string{"no-such-command-here"}, exitNotFound, true},
		{[]string{filepath.Join(dir, "missing")}, exitNotFound, true},
		{[]string{"/etc/passwd"}, exitCannotExec, true},
		{[]string{dir}, exitCannotExec, true},
		{[]string{badExe}, exitCannotExec, false},
		{[]string{noInterp}, exitNotFound, true},
		{[]string{"sh", "-c", "exit 3"}, 3, true},
		{[]string{"sh", "-c", "exit 125"}, 125, true},
	} {
		if got := envStatus(tt.cmd...); tt.asEnv && got != tt.want {
			t.Fatalf("env %q exits %d, not %d", tt.cmd, got, tt.want)
		}
		for _, prefix := range [][]string{
			{"run", "--deny", "ptrace", "--"},
			{"run", "--supervise", "exec=log", "--"},
			{"learn", "-o", filepath.Join(t.TempDir(), "calls.txt"), "--"},
		} {
			args := append(slices.Clip(prefix), tt.cmd...)
			c := child(t, nil, args...)
			if got := c.State.ExitCode(); got != tt.want {
				t.Errorf("%q: exit %d (%v), want %d as env; stderr %q", args, got, c.State, tt.want, c.Stderr)
			}
		}
	}
	// sysfence's own failures: usage, input, a policy it cannot start
	// under, the supervisor refusing a policy.
	for _, args := range [][]string{
		{"run", "--bogus", "--", "true"},
		{"run", "--deny", "nosuchcall", "--", "true"},
		{"run", "--allow", "read", "--", "true"},
		{"run", "--deny", "connect", "--supervise", "connect=none", "--", "true"},
		{"run"},
		{"learn", "--format", "xml", "--", "true"},
		{"learn"},
	} {
		c := child(t, nil, args...)
		if got := c.State.ExitCode(); got != exitOwnFailure || strings.Count(string(c.Stderr), "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want %d and one line", args, got, c.Stderr, exitOwnFailure)
		}
	}
}

// Issue 17 point 7: learn -o checks that it can write its output before
// it runs the command; a file it created for a command that could not
// be executed is removed, and one that was there is left as it was.
func TestLearnChecksOutputFirst(t *testing.T) {
	requireNotify(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	cmd := []string{"sh", "-c", "touch " + marker}
	c := child(t, nil, append([]string{"learn", "-o", filepath.Join(dir, "no", "such", "dir", "calls.txt"), "--"}, cmd...)...)
	if c.State.ExitCode() != exitOwnFailure || !strings.Contains(string(c.Stderr), "-o: ") {
		t.Errorf("exit %d, stderr %q; want %d naming -o", c.State.ExitCode(), c.Stderr, exitOwnFailure)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the command ran although its policy could not be written")
	}

	created := filepath.Join(dir, "created.txt")
	child(t, nil, "learn", "-o", created, "--", "no-such-command-here")
	if _, err := os.Stat(created); err == nil {
		t.Errorf("learn left %s behind for a command that was not found", created)
	}
	kept := filepath.Join(dir, "kept.txt")
	if err := os.WriteFile(kept, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	child(t, nil, "learn", "-o", kept, "--", "no-such-command-here")
	if b, err := os.ReadFile(kept); err != nil || string(b) != "old\n" {
		t.Errorf("%s: %q, %v; want it unchanged", kept, b, err)
	}
	// And written when the command ran: the whole list, replacing a
	// longer old content.
	if err := os.WriteFile(kept, []byte(strings.Repeat("x", 10000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := child(t, nil, "learn", "-o", kept, "--", "true"); !c.State.Success() {
		t.Fatalf("learn -- true: %v, %s", c.State, c.Stderr)
	}
	if b, err := os.ReadFile(kept); err != nil || !strings.HasPrefix(string(b), "access,") && !strings.Contains(string(b), ",execve,") || strings.Contains(string(b), "xx") {
		t.Errorf("%s: %q, %v; want the list alone", kept, b, err)
	}
}

// learnList learns the allowlist of cmd.
func learnList(t *testing.T, cmd ...string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "calls.txt")
	c := child(t, nil, append([]string{"learn", "-o", file, "--"}, cmd...)...)
	if !c.State.Success() {
		t.Fatalf("learn %q: %v\n%s", cmd, c.State, c.Stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// Issue 16 point 11: a learned "sleep 1", stopped with SIGSTOP in its
// sleep and continued, lives under run --allow: the kernel resumes the
// sleep with restart_syscall, which learn adds.
func TestLearnedSleepSurvivesStop(t *testing.T) {
	requireNotify(t)
	sleep, err := exec.LookPath("sleep")
	testenv.Require(t, err == nil, "needs sleep")
	list := learnList(t, sleep, "0.1")
	if !slices.Contains(strings.Split(list, ","), "restart_syscall") {
		t.Errorf("learned %s: no restart_syscall", list)
	}
	b, err := json.Marshal([]string{"run", "--allow", list, "--", sleep, "1"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := testenv.Self(t)
	cmd.Env = append(os.Environ(), testenv.ChildEnv+"=sysfence", argsEnv+"="+string(b))
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // sysfence has executed sleep, which sleeps
	cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGCONT)
	err = cmd.Wait()
	if err != nil {
		b, _ := os.ReadFile(stderr.Name())
		t.Errorf("run --allow <learned> -- sleep 1, stopped and continued: %v; stderr %q", err, b)
	}
}

// Issue 16 point 11: the list learned for a trivial program holds its
// own calls (those strace sees it make) and restart_syscall, nothing of
// sysfence's (the Go runtime's futex, clone, sigaltstack, ...), and
// run --allow takes it as it is, with --supervise too.
func TestLearnedListHoldsOnlyTheProgramsCalls(t *testing.T) {
	requireNotify(t)
	strace, err := exec.LookPath("strace")
	testenv.Require(t, err == nil, "needs strace")
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	list := strings.Split(learnList(t, truePath), ",")

	log := filepath.Join(t.TempDir(), "strace.log")
	if out, err := exec.Command(strace, "-f", "-qq", "-o", log, truePath).CombinedOutput(); err != nil {
		t.Fatalf("strace true: %v, %s", err, out)
	}
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	made := map[string]bool{"restart_syscall": true}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := straceLine.FindStringSubmatch(sc.Text()); m != nil {
			made[m[2]] = true
		}
	}
	for _, entry := range list {
		name, _, _ := strings.Cut(entry, ":") // the name, less its learned arguments
		if !made[name] {
			t.Errorf("learned %s, which true does not make (strace: %v)", name, made)
		}
	}
	if slices.Contains(list, "clone") {
		t.Errorf("learned clone, without a flag condition: %v", list)
	}
	for _, args := range [][]string{
		{"run", "--allow", strings.Join(list, ","), "--", truePath},
		{"run", "--supervise", "log=getppid", "--allow", strings.Join(list, ","), "--", truePath},
	} {
		if c := child(t, nil, args...); !c.State.Success() {
			t.Errorf("%q: %v, stderr %q", args, c.State, c.Stderr)
		}
	}
}

// Issue 17 point 8: when the filter kills the command, sysfence says
// which call it was (name, number, ABI), from the kernel's audit line,
// and the command sees no change: no extra child, its own exit.
func TestRunSaysWhichCallKilled(t *testing.T) {
	requireLinux(t)
	kmsg, err := os.Open("/dev/kmsg")
	testenv.Require(t, err == nil, fmt.Sprintf("needs to read the kernel's log: %v", err))
	kmsg.Close()
	abi, err := nativeABI()
	if err != nil {
		t.Fatal(err)
	}
	nr, ok := abi.Number("getppid")
	testenv.Require(t, ok, "needs getppid on "+abi.Name)
	prof := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(prof, []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":"SCMP_ACT_KILL_PROCESS"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("was killed by the filter at system call getppid (%d on %s)\n", nr, abi.Name)
	// The kernel rate-limits its audit lines (kauditd_printk_skb), and
	// other tests kill processes too: a run whose line was suppressed
	// gets the other message, and is tried again.
	for _, supervised := range []bool{false, true} {
		args := []string{"run", "--profile", prof, "--", "sh", "-c", "echo $PPID"}
		if supervised {
			args = append([]string{"run", "--supervise", "exec=log"}, args[1:]...)
		}
		checkKillReport(t, want, args)
	}

	// Not killed: no line, and the shell has one child, the cat.
	c := child(t, nil, "run", "--deny", "ptrace", "--", "sh", "-c", "cat /proc/$$/task/*/children")
	if !c.State.Success() || len(strings.Fields(string(c.Stdout))) != 1 || len(c.Stderr) != 0 {
		t.Errorf("%v, stdout %q (the shell's children), stderr %q; want one child and no line", c.State, c.Stdout, c.Stderr)
	}
}

func checkKillReport(t *testing.T, want string, args []string) {
	for try := 1; ; try++ {
		c := child(t, nil, args...)
		if sig := c.Signaled(); sig != syscall.SIGSYS && c.State.ExitCode() != 128+int(syscall.SIGSYS) {
			t.Fatalf("%q: %v, stderr %q; want death by SIGSYS", args, c.State, c.Stderr)
		}
		stderr := string(c.Stderr)
		if strings.Contains(stderr, want) {
			break
		}
		if try == 10 || !strings.Contains(stderr, "the kernel's log has no audit line for it") {
			t.Fatalf("%q, try %d: stderr %q; want %q", args, try, stderr, want)
		}
		time.Sleep(time.Second)
	}
}
