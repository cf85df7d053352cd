package main

import (
	"bytes"
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
			code, got, stderr := sysfence(append([]string{"disasm"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("disasm %q: exit %d: %s", tt.args, code, stderr)
			}
			if got != inspectProgramText {
				t.Errorf("disasm %q printed\n%s\nwant\n%s", tt.args, got, inspectProgramText)
			}
		})
	}
}

func TestDisasmStdin(t *testing.T) {
	abi := nativeOrSkip(t)
	code, stdout, stderr := sysfenceIn(bytes.NewReader(filter.Encode(inspectProgram, abi.ByteOrder())), "disasm", "-")
	if code != 0 || !strings.Contains(stdout, "ret #0x7fff0000      ; allow") {
		t.Errorf("disasm -: exit %d, stderr %q, printed\n%s", code, stderr, stdout)
	}
}

// TestInspectErrors checks the errors of the commands that read a
// program: usage errors exit with status 2, bad input with 1, a file that
// cannot be read with 3.
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
		name string
		args []string
		code int
		want string
	}{
		{"no FILE", []string{"--arch", "x86_64"}, exitUsage, "want one FILE"},
		{"two FILEs", []string{le, le}, exitUsage, "got 2 arguments"},
		{"unknown ABI", []string{le, "--arch", "vax"}, exitUsage, `--arch vax: unknown ABI "vax"`},
		{"unknown flag", []string{"--bogus", le}, exitUsage, "unknown flag --bogus"},
		{"missing file", []string{filepath.Join(t.TempDir(), "none"), "--arch", "x86_64"}, exitRuntime, "no such file"},
		{"partial record", []string{odd, "--arch", "x86_64"}, exitInput, "odd.bpf: not a program in either byte order: invalid program: 12 bytes"},
		{"invalid program", []string{invalid, "--arch", "x86_64"}, exitInput, "instruction 0 (ld [64]): load beyond"},
		{"wrong byte order", []string{le, "--arch", "s390x"}, exitInput, "the program is for x86_64, x32 (little-endian), not s390x (big-endian)"},
		{"wrong ABI", []string{le, "--arch", "aarch64"}, exitInput, "the program is for x86_64, x32, not aarch64"},
	}
	for _, cmd := range []string{"disasm", "stats"} {
		for _, tt := range tests {
			t.Run(cmd+" "+tt.name, func(t *testing.T) {
				code, stdout, stderr := sysfence(append([]string{cmd}, tt.args...)...)
				if code != tt.code {
					t.Errorf("exit %d, want %d", code, tt.code)
				}
				if !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
					t.Errorf("stderr %q: want one line containing %q", stderr, tt.want)
				}
				if stdout != "" {
					t.Errorf("printed %q on error", stdout)
				}
			})
		}
	}
}
