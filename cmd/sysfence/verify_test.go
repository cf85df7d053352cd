package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compileTo compiles with sysfence compile ARGS into a file and returns
// its path.
func compileTo(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "prog.bpf")
	if code, _, stderr := sysfence(append([]string{"compile", "-o", out}, args...)...); code != 0 {
		t.Fatalf("compile %q: exit %d: %s", args, code, stderr)
	}
	return out
}

// TestVerify proves compiled programs against the flags they were
// compiled from, on every ABI's built-ins, and refutes them against other
// flags with a call that shows the difference.
func TestVerify(t *testing.T) {
	t.Parallel()
	for _, arch := range []string{"x86_64", "x86", "aarch64", "s390x", "mips", "x32"} {
		for _, builtin := range []string{"sandbox", "sandbox-strict"} {
			prog := compileTo(t, "--arch", arch, "--builtin", builtin)
			code, stdout, stderr := sysfence("verify", prog, "--builtin", builtin)
			if code != 0 || !strings.HasPrefix(stdout, "proved: ") {
				t.Errorf("verify %s %s: exit %d\n%s%s", arch, builtin, code, stdout, stderr)
			}
		}
	}
	prog := compileTo(t, "--arch", "x86_64", "--deny", "ptrace")
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
	prog := compileTo(t, "--arch", "x86_64", "--deny", "ptrace,mount,unshare")
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
	a := compileTo(t, "--arch", "x86_64", "--deny", "ptrace")
	b := compileTo(t, "--arch", "x86_64", "--deny", "ptrace,mount")
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
