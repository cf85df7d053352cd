package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSimulate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	deny := filepath.Join(dir, "deny.bpf")
	if code, _, errs := sysfence("compile", "--deny", "ptrace", "--arch", "x86_64", "-o", deny); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, errs)
	}
	sandbox := filepath.Join(dir, "sandbox.bpf")
	if code, _, errs := sysfence("compile", "--arch", "aarch64", "-o", sandbox); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, errs)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--arch", "x86_64", deny, "ptrace"}, "action: errno:EPERM\n"},
		{[]string{"--arch", "x86_64", deny, "getpid"}, "action: allow\n"},
		{[]string{"--arch", "x86_64", deny, "101"}, "nr:     101 (ptrace)\n"},
		{[]string{"--arch", "x86_64", deny, "0x40000027"}, "action: kill-process\n"},
		{[]string{"--arch", "x86_64", deny, "999"}, "action: errno:ENOSYS\n"},
		{[]string{"--arch", "x86_64", "--call-arch", "i386", deny, "getpid"}, "action: kill-process\n"},
		{[]string{"--arch", "aarch64", sandbox, "personality", "0"}, "action: allow\n"},
		{[]string{"--arch", "aarch64", sandbox, "personality", "0x1"}, "action: errno:EPERM\n"},
		{[]string{"--arch", "aarch64", sandbox, "mount"}, "action: errno:EPERM\n"},
		{[]string{deny, "ptrace"}, "action: errno:EPERM\n"}, // the ABI from the program
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[2:], " "), func(t *testing.T) {
			code, out, errs := sysfence(append([]string{"simulate"}, tt.args...)...)
			if code != 0 || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want a line %q", code, out, errs, tt.want)
			}
		})
	}
	for _, bad := range [][]string{
		{deny},
		{"--arch", "x86_64", deny, "opnat"},
		{"--arch", "x86_64", deny, "read", "x"},
		{"--arch", "x86_64", deny, "read", "1", "2", "3", "4", "5", "6", "7"},
		{"--call-arch", "vax", deny, "read"},
	} {
		if code, _, errs := sysfence(append([]string{"simulate"}, bad...)...); code == 0 || errs == "" {
			t.Errorf("simulate %q: exit %d, stderr %q; want an error", bad, code, errs)
		}
	}
}

func TestCompileBuiltin(t *testing.T) {
	t.Parallel()
	code, out, errs := sysfence("compile", "--builtin", "sandbox-strict", "--arch", "x86_64", "--format", "disasm")
	if code != 0 || !strings.Contains(out, "; unshare") {
		t.Errorf("--builtin sandbox-strict: exit %d, stderr %q; want unshare in the program", code, errs)
	}
	code, out, _ = sysfence("compile", "--arch", "x86_64", "--format", "disasm")
	if code != 0 || strings.Contains(out, "; unshare") {
		t.Errorf("default built-in: exit %d; want sandbox, without unshare", code)
	}
	for _, bad := range [][]string{
		{"--builtin", "nope"},
		{"--builtin", "sandbox", "--deny", "ptrace"},
	} {
		if code, _, errs := sysfence(append([]string{"compile", "--format", "disasm"}, bad...)...); code != 2 {
			t.Errorf("compile %q: exit %d, stderr %q; want 2", bad, code, errs)
		}
	}
}
