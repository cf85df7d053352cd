package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// TestVerify proves compiled programs against the flags they were
// compiled from, on every ABI's built-ins, and refutes them against other
// flags with a call that shows the difference.
func TestVerify(t *testing.T) {
	t.Parallel()
	for _, arch := range []string{"x86_64", "x86", "aarch64", "s390x", "mips", "x32"} {
		for _, builtin := range []string{"sandbox", "sandbox-strict"} {
			prog := compileFile(t, "--arch", arch, "--builtin", builtin)
			code, stdout, stderr := sysfence("verify", prog, "--builtin", builtin)
			if code != 0 || !strings.HasPrefix(stdout, "proved: ") {
				t.Errorf("verify %s %s: exit %d\n%s%s", arch, builtin, code, stdout, stderr)
			}
		}
	}
	prog := compileFile(t, "--arch", "x86_64", "--deny", "ptrace")
	code, stdout, _ := sysfence("verify", prog, "--deny", "ptrace,mount")
	want := "counterexample: x86_64 mount (nr 165) args [0x0 0x0 0x0 0x0 0x0 0x0]\n  program: allow\n  policy:  errno:EPERM\n"
	if code != exitInput || stdout != want {
		t.Errorf("verify against a longer denylist: exit %d\n%s\nwant exit %d\n%s", code, stdout, exitInput, want)
	}
	if code, _, stderr := sysfence("verify", prog); code != exitInput {
		t.Errorf("verify a denylist against the built-in sandbox: exit %d, want %d: %s", code, exitInput, stderr)
	}
}

// TestVerifyFlippedJump breaks one jump of a compiled program by hand:
// verify must find the call the broken program decides wrongly.
func TestVerifyFlippedJump(t *testing.T) {
	t.Parallel()
	prog := compileFile(t, "--arch", "x86_64", "--deny", "ptrace,mount,unshare")
	raw, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	// The last conditional jump (jeq or jge on the number): swap its
	// jt and jf bytes (struct sock_filter: code u16, jt u8, jf u8, k u32).
	flipped := false
	for i := len(raw) - 8; i >= 0; i -= 8 {
		code := uint16(raw[i]) | uint16(raw[i+1])<<8
		if code&0x07 == 0x05 && code&0xf0 != 0x00 && raw[i+2] != raw[i+3] {
			raw[i+2], raw[i+3] = raw[i+3], raw[i+2]
			flipped = true
			break
		}
	}
	if !flipped {
		t.Fatal("no conditional jump to flip")
	}
	bad := filepath.Join(t.TempDir(), "bad.bpf")
	if err := os.WriteFile(bad, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := sysfence("verify", bad, "--deny", "ptrace,mount,unshare")
	if code != exitInput || !strings.HasPrefix(stdout, "counterexample: x86_64 ") {
		t.Errorf("verify of a flipped program: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestDiff compares a --deny ptrace program with a --deny ptrace,mount
// one: exactly mount differs, B is stricter, and --subset holds one way
// and fails the other.
func TestDiff(t *testing.T) {
	t.Parallel()
	a := compileFile(t, "--arch", "x86_64", "--deny", "ptrace")
	b := compileFile(t, "--arch", "x86_64", "--deny", "ptrace,mount")
	code, stdout, stderr := sysfence("diff", a, b)
	want := "x86_64 mount (nr 165): A allow, B errno:EPERM\nB is stricter than A\n"
	if code != 0 || stdout != want {
		t.Errorf("diff: exit %d\n%s%s\nwant\n%s", code, stdout, stderr, want)
	}
	if code, _, _ := sysfence("diff", "--subset", a, b); code != 0 {
		t.Errorf("diff --subset A B: exit %d, want 0 (B allows nothing A denies)", code)
	}
	code, stdout, _ = sysfence("diff", "--subset", b, a)
	if code != exitInput || !strings.HasSuffix(stdout, "B is looser than A\n") {
		t.Errorf("diff --subset B A: exit %d\n%s\nwant exit %d and B looser", code, stdout, exitInput)
	}
	// A policy spelt inline and a program compiled from it: alike.
	code, stdout, _ = sysfence("diff", a, "deny:ptrace", "--arch", "x86_64")
	if code != 0 || stdout != "A and B decide every call alike\n" {
		t.Errorf("diff of a program and its own policy: exit %d\n%s", code, stdout)
	}
}

// TestLint lints a hand-written filter that checks only the number (the
// kind this module replaces), in text and JSON, and the strict built-in.
func TestLint(t *testing.T) {
	t.Parallel()
	// ld [0]; jeq #101, 0, 1; ret ERRNO(1); ret ALLOW, little-endian.
	raw := []byte{
		0x20, 0, 0, 0, 0, 0, 0, 0,
		0x15, 0, 0, 1, 101, 0, 0, 0,
		0x06, 0, 0, 0, 1, 0, 5, 0,
		0x06, 0, 0, 0, 0, 0, 0xff, 0x7f,
	}
	file := filepath.Join(t.TempDir(), "nr-only.bpf")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := sysfence("lint", "--arch", "x86_64", file)
	if code != exitInput || !strings.HasPrefix(stdout, "error: no-arch-check: ") {
		t.Errorf("lint of a number-only filter: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = sysfence("lint", "--arch", "x86_64", "--format", "json", file)
	var findings []lintFinding
	if err := json.Unmarshal([]byte(stdout), &findings); err != nil || code != exitInput || len(findings) == 0 {
		t.Fatalf("lint --format json: exit %d, %v\n%s", code, err, stdout)
	}
	if f := findings[0]; f.Check != "no-arch-check" || f.Severity != "error" || f.Example == nil || f.Example.Action != "allow" {
		t.Errorf("first JSON finding %+v", f)
	}
	if code, stdout, _ := sysfence("lint", "builtin:sandbox-strict"); code != 0 || stdout != "no findings\n" {
		t.Errorf("lint builtin:sandbox-strict: exit %d\n%s", code, stdout)
	}
}

// TestExplain names the rule that decides a call, with the path, and
// resolves a real audit record: a command killed under sysfence run
// --allow with a list that lacks getppid, found in the kernel log, is
// explained against the program and the list.
func TestExplain(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := sysfence("explain", "builtin:sandbox-strict", "--arch", "x86_64", "mount")
	for _, want := range []string{"call:   x86_64 nr 165 (mount)", "action: errno:EPERM", "rule:   Rules[", ": mount errno:EPERM\n", "path:   "} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("explain mount: exit %d, want %q in\n%s%s", code, want, stdout, stderr)
		}
	}

	requireLinux(t)
	testenv.Require(t, os.Geteuid() == 0, "needs root to read the kernel log")
	dmesg, err := exec.LookPath("dmesg")
	testenv.Require(t, err == nil, "needs dmesg")
	// An allowlist of every call of the table but getppid: sh dies at
	// its first getppid, of the allowlist's default kill-process.
	abi, _ := nativeABI()
	var names []string
	for i := range abi.Len() {
		if n := abi.At(i).Name; n != "getppid" {
			names = append(names, n)
		}
	}
	list := strings.Join(names, ",")
	before, _ := exec.Command(dmesg).Output()
	c := child(t, nil, "run", "--allow", list, "--", "sh", "-c", "echo $PPID")
	if c.State.Success() {
		t.Fatalf("sh survived an allowlist without getppid: %s", c.Stdout)
	}
	after, err := exec.Command(dmesg).Output()
	if err != nil {
		t.Fatal(err)
	}
	nr, _ := abi.Number("getppid")
	var line string
	for _, l := range strings.Split(strings.TrimPrefix(string(after), string(before)), "\n") {
		if strings.Contains(l, "type=1326") && strings.Contains(l, fmt.Sprintf(" syscall=%d ", nr)) && strings.Contains(l, fmt.Sprintf("arch=%x", abi.Audit)) {
			line = l
		}
	}
	testenv.Require(t, line != "", "the kernel logged no audit record of the kill (kernel.seccomp.actions_logged, printk rate limit)")
	// Against the program compiled from the same list, and the list as
	// a policy, which names the rule: none, the default.
	prog := compileFile(t, "--allow", list)
	for _, filter := range []string{prog, "allow:" + list} {
		code, stdout, stderr = sysfence("explain", filter, "--audit", line)
		wants := []string{"record: the kernel's action was kill-process", fmt.Sprintf("call:   %s nr %d (getppid)", abi.Name, nr), "action: kill-process"}
		if filter != prog {
			wants = append(wants, "rule:   none: Default")
		}
		for _, want := range wants {
			if code != 0 || !strings.Contains(stdout, want) {
				t.Errorf("explain %.20s… --audit %q: exit %d, want %q in\n%s%s", filter, line, code, want, stdout, stderr)
			}
		}
	}
}

// TestRunExplainRefused: under --supervise explain=refused the command
// sees exactly what it sees without it (the supervisor answers each
// refused call with the policy's errno), and sysfence logs each refused
// call with its arguments, its ABI and the rule that decided.
func TestRunExplainRefused(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	requireNotify(t)
	script := `mkdir /nonexistent-dir-x; echo "mkdir $?"; exec 3</dev/null; echo done`
	plain := child(t, nil, "run", "--deny", "mkdir", "--", "sh", "-c", script)
	explained := child(t, nil, "run", "--deny", "mkdir", "--supervise", "explain=refused", "--", "sh", "-c", script)
	// What the command printed, on stdout and stderr, sysfence's lines
	// left out: mkdir's message names the errno it got.
	own := func(c *testenv.Child) string {
		var lines []string
		for _, l := range strings.Split(string(c.Stderr), "\n") {
			if !strings.HasPrefix(l, "sysfence: ") {
				lines = append(lines, l)
			}
		}
		return string(c.Stdout) + strings.Join(lines, "\n")
	}
	if own(plain) != own(explained) || plain.State.ExitCode() != explained.State.ExitCode() {
		t.Errorf("the command saw another world: plain %q exit %d, explained %q exit %d", own(plain), plain.State.ExitCode(), own(explained), explained.State.ExitCode())
	}
	if !strings.Contains(own(plain), "Operation not permitted") {
		t.Errorf("mkdir did not get EPERM: %q", own(plain))
	}
	if !strings.Contains(string(plain.Stdout), "mkdir 1\n") {
		t.Errorf("mkdir was not refused: %q", plain.Stdout)
	}
	stderr := string(explained.Stderr)
	if !strings.Contains(stderr, "refused mkdir(0x") || !strings.Contains(stderr, "on x86_64: errno:EPERM (rule mkdir errno:EPERM)") && !strings.Contains(stderr, ": errno:EPERM (rule mkdir errno:EPERM)") {
		t.Errorf("no line for the refused mkdir in stderr:\n%s", stderr)
	}
	if strings.Contains(string(plain.Stderr), "refused mkdir") {
		t.Errorf("a refused call logged without explain=refused:\n%s", plain.Stderr)
	}
}
