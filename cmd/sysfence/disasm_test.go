package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
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
	t.Parallel()
	le := writeProgram(t, inspectProgram, tables.X86_64)
	be := writeProgram(t, inspectProgram, tables.S390X)
	x86 := "; x86_64: 10 instructions\n; x32 calls (numbers with bit 0x40000000 set) get the foreign action, errno:EPERM\n"
	tests := []struct {
		name   string
		args   []string
		header string
	}{
		{"flag after FILE", []string{le, "--arch", "x86_64"}, x86},
		{"flag before FILE", []string{"-arch=amd64", le}, x86},
		{"big-endian ABI", []string{be, "--arch", "s390x"}, "; s390x: 10 instructions\n"},
		{"FILE after --", []string{"--arch", "s390x", "--", be}, "; s390x: 10 instructions\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, got, stderr := sysfence(append([]string{"disasm"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("disasm %q: exit %d: %s", tt.args, code, stderr)
			}
			if want := tt.header + inspectProgramText; got != want {
				t.Errorf("disasm %q printed\n%s\nwant\n%s", tt.args, got, want)
			}
		})
	}
}

func TestDisasmStdin(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// disasm FILE and compile --format disasm start with the same header,
// which names every ABI the program covers.
func TestDisasmHeader(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--deny", "ptrace", "--arch", "x86_64"}, "; x86_64: 14 instructions\n; x32 calls (numbers with bit 0x40000000 set) get the foreign action, kill-process\n"},
		{[]string{"--deny", "ptrace", "--arch", "aarch64"}, "; aarch64: "},
		{[]string{"--profile", smallProfile, "--arch", "x86_64"}, "; x86_64, x86, x32: "},
	} {
		_, text, stderr := sysfence(append([]string{"compile", "--format", "disasm", "--quiet"}, tt.args...)...)
		file := compileFile(t, append([]string{"--quiet"}, tt.args...)...)
		code, out, _ := sysfence("disasm", file)
		if !strings.HasPrefix(text, tt.want) {
			t.Errorf("compile %q --format disasm: stderr %q, output starts\n%s\nwant\n%s", tt.args, stderr, firstLines(text, 2), tt.want)
		}
		if code != 0 || out != text {
			t.Errorf("disasm of compile %q: exit %d, output starts\n%s\nwant what compile --format disasm writes:\n%s", tt.args, code, firstLines(out, 2), firstLines(text, 2))
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "")
}

// A comparison of nr with a call's number names the call alone only when
// it tests equality; an order test says it compares, so that "jlt #0x66"
// does not read as if it were about getuid.
func TestDisasmCommentsSayWhatIsCompared(t *testing.T) {
	t.Parallel()
	_, text, _ := sysfence("compile", "--format", "disasm", "--arch", "x86_64", "--allow", "read,write,getuid,exit_group,execve,futex")
	order := regexp.MustCompile(`^\s*(L\d+:)?\s*(jlt|jle|jgt|jge|jset) #0x[0-9a-f]+[^;]*; (.*)$`)
	equal := regexp.MustCompile(`^\s*(L\d+:)?\s*(jeq|jne) #0x[0-9a-f]+[^;]*; ([a-z_0-9]+)$`)
	var orders, equals int
	for _, line := range strings.Split(text, "\n") {
		if m := order.FindStringSubmatch(line); m != nil {
			orders++
			if !regexp.MustCompile(`^nr (<|<=|>|>=|&) (\d+|0x[0-9a-f]+) \([A-Za-z_0-9]+\)$`).MatchString(m[3]) {
				t.Errorf("%q: the comment names a call without saying it compares", line)
			}
		}
		if equal.MatchString(line) {
			equals++
		}
	}
	if orders == 0 || equals == 0 {
		t.Errorf("no commented order or equality tests of nr in\n%s", text)
	}
}
