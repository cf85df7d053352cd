package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// simulateBPF decodes a bpf program written for abi and runs a call of
// name through it.
func simulateBPF(t *testing.T, bpf []byte, abi *tables.ABI, name string) string {
	t.Helper()
	prog, err := filter.Decode(bpf, abi.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	nr, ok := abi.Number(name)
	if !ok {
		t.Fatalf("%s has no %s", abi.Name, name)
	}
	res, err := filter.Run(prog, &filter.SeccompData{Nr: int32(nr), Arch: abi.Audit}, abi.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	return res.Ret.String()
}

func TestCompileBPF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		abi   *tables.ABI
		calls map[string]string
	}{
		{[]string{"--deny", "ptrace, mount,ptrace", "--arch", "aarch64"}, tables.AArch64,
			map[string]string{"ptrace": "errno:1", "mount": "errno:1", "read": "allow"}},
		{[]string{"--deny", "ptrace", "--errno", "EACCES", "--arch", "s390x"}, tables.S390X,
			map[string]string{"ptrace": "errno:13", "read": "allow"}},
		{[]string{"--allow", "read,write", "--arch", "riscv64"}, tables.RISCV64,
			map[string]string{"read": "allow", "openat": "kill-process"}},
		{[]string{"--allow", "read", "--default", "errno:ENOSYS", "--arch", "mips"}, tables.MIPS,
			map[string]string{"read": "allow", "openat": "errno:89"}},
		{[]string{"--arch", "x86_64"}, tables.X86_64,
			map[string]string{"ptrace": "errno:1", "read": "allow"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "prog.bpf")
			status, _, stderr := sysfence(append([]string{"compile", "-o", out}, tt.args...)...)
			if status != 0 {
				t.Fatalf("status %d: %s", status, stderr)
			}
			bpf, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.calls {
				if got := simulateBPF(t, bpf, tt.abi, name); got != want {
					t.Errorf("%s: got %s, want %s", name, got, want)
				}
			}
		})
	}
}

func TestCompileReports(t *testing.T) {
	t.Parallel()
	status, stdout, stderr := sysfence("compile", "--format", "disasm", "--arch", "x86_64", "--deny", "ptrace")
	if status != 0 || !strings.Contains(stdout, "; x32 calls (numbers with bit 0x40000000 set) get the foreign action, kill-process") {
		t.Errorf("x86_64 disasm: status %d, stderr %q, no x32 note in:\n%s", status, stderr, stdout)
	}
	status, _, stderr = sysfence("compile", "--arch", "x86_64", "--deny", "ptrace", "-o", filepath.Join(t.TempDir(), "p"))
	if status != 0 || stderr != "" {
		t.Errorf("x86_64 bpf: status %d, stderr %q; want nothing on stderr", status, stderr)
	}
	status, _, stderr = sysfence("compile", "--arch", "aarch64", "--deny", "ptrace,iopl", "-o", filepath.Join(t.TempDir(), "p"))
	if status != 0 || !strings.Contains(stderr, "skipped iopl: no such system call on aarch64") {
		t.Errorf("aarch64 with iopl: status %d, stderr %q; want iopl reported skipped", status, stderr)
	}
}

func TestCompileUsage(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{"--deny", "ptrace", "--allow", "read"},
		{"--allow", "read", "--errno", "EPERM"},
		{"--deny", ","},
		{"--deny", "ptrace", "--errno", "ENOPE"},
		{"--deny", "ptrace", "--default", "permit"},
		{"--foreign", "errno"},
		{"--default", "allow"},
		{"--arch", "vax"},
		{"--format", "elf"},
		{"extra"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			args = append([]string{"compile", "--format", "disasm"}, args...)
			if status, _, stderr := sysfence(args...); status != 2 {
				t.Errorf("status %d (stderr %q), want 2", status, stderr)
			}
		})
	}
}

// TestRunUsage runs only command lines that fail before any install: a
// filter must never be installed into the test process (see filter_test.go
// at the module root for sysfence run itself).
func TestRunUsage(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{},
		{"--arch", "aarch64", "--", "true"},
		{"--deny", "ptrace", "--allow", "read", "--", "true"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if status, _, stderr := sysfence(append([]string{"run"}, args...)...); status != exitOwnFailure {
				t.Errorf("status %d (stderr %q), want %d", status, stderr, exitOwnFailure)
			}
		})
	}
}
