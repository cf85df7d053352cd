package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// inspectProgram allows read on x86_64 and s390x, fails their other
// calls with EPERM and kills other arches.
var inspectProgram = []filter.Instruction{
	filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetArch),
	filter.Jump(filter.BPF_JMP|filter.BPF_JEQ|filter.BPF_K, 0xc000003e, 0, 2), // AUDIT_ARCH_X86_64
	filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetNr),
	filter.Jump(filter.BPF_JMP|filter.BPF_JEQ|filter.BPF_K, 0, 4, 3),          // read on x86_64
	filter.Jump(filter.BPF_JMP|filter.BPF_JEQ|filter.BPF_K, 0x80000016, 0, 4), // AUDIT_ARCH_S390X
	filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetNr),
	filter.Jump(filter.BPF_JMP|filter.BPF_JEQ|filter.BPF_K, 3, 1, 0), // read on s390x
	filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Errno(1))),
	filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow)),
	filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.KillProcess)),
}

const inspectProgramText = `    ld [4]               ; arch
    jne #0xc000003e, L4  ; x86_64
    ld [0]               ; nr
    jeq #0x0, L8, L7     ; read
L4: jne #0x80000016, L9  ; s390x
    ld [0]               ; nr
    jeq #0x3, L8         ; read
L7: ret #0x50001         ; errno:1 (EPERM)
L8: ret #0x7fff0000      ; allow
L9: ret #0x80000000      ; kill-process
`

// writeProgram writes prog for abi to a temporary file and returns its name.
func writeProgram(t *testing.T, prog []filter.Instruction, abi *tables.ABI) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), abi.Name+".bpf")
	if err := os.WriteFile(name, filter.Encode(prog, abi.ByteOrder()), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// nativeOrSkip returns the native ABI, or stops the test where there is
// none.
func nativeOrSkip(t *testing.T) *tables.ABI {
	t.Helper()
	for _, abi := range tables.All() {
		if slices.Contains(abi.GOARCH, runtime.GOARCH) {
			return abi
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no ABI is native to GOARCH %s", runtime.GOARCH)
	}
	t.Skipf("no ABI is native to GOARCH %s", runtime.GOARCH)
	return nil
}

func TestDisasmCommand(t *testing.T) {
	le := writeProgram(t, inspectProgram, tables.X86_64)
	be := writeProgram(t, inspectProgram, tables.S390X)
	tests := []struct {
		name string
		args []string
	}{
		{"flag after FILE", []string{le, "--arch", "x86_64"}},
		{"flag before FILE", []string{"-arch=amd64", le}},
		{"big-endian ABI", []string{be, "--arch", "s390x"}},
		{"FILE after --", []string{"--arch", "s390x", "--", be}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := runDisasm(tt.args, &stdout, &stderr); err != nil {
				t.Fatalf("disasm %q: %v\nstderr: %s", tt.args, err, &stderr)
			}
			if got := stdout.String(); got != inspectProgramText {
				t.Errorf("disasm %q printed\n%s\nwant\n%s", tt.args, got, inspectProgramText)
			}
		})
	}
}

func TestDisasmStdin(t *testing.T) {
	abi := nativeOrSkip(t)
	old := inspectStdin
	t.Cleanup(func() { inspectStdin = old })
	inspectStdin = bytes.NewReader(filter.Encode(inspectProgram, abi.ByteOrder()))
	var stdout, stderr bytes.Buffer
	if err := runDisasm([]string{"-"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "ret #0x7fff0000      ; allow") {
		t.Errorf("disasm - printed\n%s", &stdout)
	}
}

// TestInspectErrors checks the errors of both commands that read a
// program: usage errors exit with status 2, the others with 1.
func TestInspectErrors(t *testing.T) {
	le := writeProgram(t, inspectProgram, tables.X86_64)
	odd := filepath.Join(t.TempDir(), "odd.bpf")
	if err := os.WriteFile(odd, make([]byte, 12), 0o644); err != nil {
		t.Fatal(err)
	}
	invalid := writeProgram(t, []filter.Instruction{
		filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, 64),
		filter.Stmt(filter.BPF_RET|filter.BPF_A, 0),
	}, tables.X86_64)
	tests := []struct {
		name  string
		args  []string
		usage bool
		want  string
		is    error
	}{
		{"no FILE", []string{"--arch", "x86_64"}, true, "want one FILE", nil},
		{"two FILEs", []string{le, le}, true, "got 2 arguments", nil},
		{"unknown ABI", []string{le, "--arch", "vax"}, true, `unknown ABI "vax"`, nil},
		{"unknown flag", []string{"--bogus", le}, true, "flag provided but not defined", nil},
		{"missing file", []string{filepath.Join(t.TempDir(), "none"), "--arch", "x86_64"}, false, "no such file", os.ErrNotExist},
		{"partial record", []string{odd, "--arch", "x86_64"}, false, "odd.bpf (x86_64): filter: invalid program: 12 bytes", filter.ErrInvalid},
		{"invalid program", []string{invalid, "--arch", "x86_64"}, false, "instruction 0 (ld [64]): load beyond", filter.ErrInvalid},
		{"wrong byte order", []string{le, "--arch", "s390x"}, false, "unknown opcode 0x2000", filter.ErrInvalid},
	}
	for _, cmd := range []string{"disasm", "stats"} {
		for _, tt := range tests {
			t.Run(cmd+" "+tt.name, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				err := commands[cmd].run(tt.args, &stdout, &stderr)
				if err == nil {
					t.Fatalf("%s %q succeeded:\n%s", cmd, tt.args, &stdout)
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q does not contain %q", err, tt.want)
				}
				var u usageError
				if errors.As(err, &u) != tt.usage {
					t.Errorf("error %v: usage error %v, want %v", err, !tt.usage, tt.usage)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("error %v does not wrap %v", err, tt.is)
				}
				if stdout.Len() != 0 {
					t.Errorf("printed %q on error", &stdout)
				}
			})
		}
	}
}
