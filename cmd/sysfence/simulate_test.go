package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSimulate(t *testing.T) {
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

// TestSimulateMultiplexed is issue 15's example: on s390x a denylist of
// socket and msgget denies socketcall(SYS_SOCKET) and ipc(MSGGET) too,
// and on x86 a rule on accept, which i386 has only through socketcall,
// decides socketcall(SYS_ACCEPT) and is not skipped; compile says which
// names went through a multiplexer, and a rule by number decides it.
func TestSimulateMultiplexed(t *testing.T) {
	dir := t.TempDir()
	s390 := filepath.Join(dir, "s.bpf")
	code, _, errs := sysfence("compile", "--deny", "socket,msgget", "--arch", "s390x", "-o", s390)
	if code != 0 || !strings.Contains(errs, "socket on s390x: also through socketcall(1)") || !strings.Contains(errs, "msgget on s390x: also through ipc(13)") {
		t.Fatalf("compile for s390x: exit %d, stderr %q; want the multiplexed routes named", code, errs)
	}
	x86 := filepath.Join(dir, "a.bpf")
	code, _, errs = sysfence("compile", "--deny", "accept", "--arch", "x86", "-o", x86)
	if code != 0 || strings.Contains(errs, "skipped") || !strings.Contains(errs, "accept on x86: only through socketcall(5)") {
		t.Fatalf("compile --deny accept --arch x86: exit %d, stderr %q; want no skip and the route named", code, errs)
	}
	nums := filepath.Join(dir, "n.bpf")
	if code, _, errs = sysfence("compile", "--deny", "-1,0x3e7", "--arch", "x86_64", "-o", nums); code != 0 {
		t.Fatalf("compile --deny -1,0x3e7: exit %d, stderr %q", code, errs)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{s390, "socketcall", "1", "0"}, "action: errno:EPERM\n"},
		{[]string{s390, "socketcall", "0x100000001", "0"}, "action: errno:EPERM\n"},
		{[]string{s390, "socketcall", "2", "0"}, "action: allow\n"},
		{[]string{s390, "ipc", "13", "0"}, "action: errno:EPERM\n"},
		{[]string{s390, "ipc", "0x1000d", "0"}, "action: errno:EPERM\n"},
		{[]string{s390, "ipc", "14", "0"}, "action: allow\n"},
		{[]string{x86, "socketcall", "5"}, "action: errno:EPERM\n"},
		{[]string{x86, "socketcall", "18"}, "action: allow\n"},
		{[]string{nums, "--", "-1"}, "action: errno:EPERM\n"},
		{[]string{nums, "999"}, "action: errno:EPERM\n"},
		{[]string{nums, "998"}, "action: errno:ENOSYS\n"},
	} {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			code, out, errs := sysfence(append([]string{"simulate"}, tt.args...)...)
			if code != 0 || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want a line %q", code, out, errs, tt.want)
			}
		})
	}
	if code, _, errs := sysfence("compile", "--deny", "0x40000001", "--arch", "x86_64", "-o", nums); code == 0 || !strings.Contains(errs, "x32") {
		t.Errorf("--deny 0x40000001 on x86_64: exit %d, stderr %q; want an error about x32", code, errs)
	}
}
