package main

import (
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

func TestSyscallsResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--arch", "aarch64", "openat"}, "56\n"},
		{[]string{"--arch", "x86_64", "101"}, "ptrace\n"},
		{[]string{"--arch", "x86_64", "0x65"}, "ptrace\n"},
		{[]string{"--arch", "arm64", "openat", "63"}, "56\nread\n"},
		{[]string{"--arch", "x32", "ptrace"}, "1073742345\n"},
		{[]string{"--arch", "i386", "_llseek"}, "140\n"},
		{[]string{"--arch", "mips64n32el", "read"}, "6000\n"},
		{[]string{"--arch", "all", "riscv_flush_icache"}, "arch,name,nr\nriscv64,riscv_flush_icache,259\n"},
		{[]string{"--arch", "ppc", "mmap2", "socketcall", "ipc"}, "192\n102\n117\n"},
		{[]string{"--arch", "powerpc", "fstatat64"}, "291\n"},
		{[]string{"--arch", "s390", "_newselect", "142", "socketcall"}, "142\n_newselect\n102\n"},
		{[]string{"--arch", "m68k", "atomic_cmpxchg_32", "ipc"}, "335\n117\n"},
		{[]string{"--arch", "sh", "shutdown", "socketcall"}, "352\n102\n"},
		{[]string{"--arch", "sheb", "352"}, "shutdown\n"},
		{[]string{"--arch", "hppa", "shutdown"}, "117\n"},
		{[]string{"--arch", "parisc64", "fstatat64"}, "280\n"},
		{[]string{"--arch", "all", "atomic_cmpxchg_32"}, "arch,name,nr\nm68k,atomic_cmpxchg_32,335\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := sysfence(append([]string{"syscalls"}, tt.args...)...)
			if code != 0 || out != tt.want {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0, %q", code, out, errs, tt.want)
			}
		})
	}
}

func TestSyscallsTable(t *testing.T) {
	t.Parallel()
	code, out, errs := sysfence("syscalls", "--arch", "riscv64")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "arch,name,nr" || len(lines) < 300 {
		t.Fatalf("header %q, %d lines", lines[0], len(lines))
	}
	if lines[1] != "riscv64,io_setup,0" {
		t.Errorf("first row %q", lines[1])
	}
	code, out, _ = sysfence("syscalls", "--arch", "all")
	if code != 0 || !strings.Contains(out, "\nx32,read,1073741824\n") || !strings.Contains(out, "\nmips,syscall,4000\n") {
		t.Errorf("--arch all: exit %d, missing rows", code)
	}
}

// TestSyscallsNative checks the default ABI's numbers against the
// standard library's syscall package, an independent source of the host's
// numbers (zsysnum_linux_<goarch>.go).
// TestSyscallsArchAllListsEveryABI checks that --arch all lists every ABI
// of package tables, in their order and at least 21 (libseccomp knows 23, every
// one of them here), each with its whole table.
func TestSyscallsArchAllListsEveryABI(t *testing.T) {
	code, out, errs := sysfence("syscalls", "--arch", "all")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows := map[string]int{}
	var order []string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n")[1:] {
		arch, _, _ := strings.Cut(line, ",")
		if rows[arch] == 0 {
			order = append(order, arch)
		}
		rows[arch]++
	}
	var want []string
	for _, abi := range tables.All() {
		want = append(want, abi.Name)
	}
	if !slices.Equal(order, want) {
		t.Errorf("ABIs listed %q, want %q", order, want)
	}
	if len(order) < 21 {
		t.Errorf("%d ABIs listed, want at least 21", len(order))
	}
	for _, name := range []string{"ppc", "s390", "m68k", "sh", "sheb", "parisc", "parisc64"} {
		if rows[name] < 300 {
			t.Errorf("%s: %d calls listed, want a whole table", name, rows[name])
		}
	}
}

func TestSyscallsNative(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]int{"getpid": syscall.SYS_GETPID, "openat": syscall.SYS_OPENAT, "ptrace": syscall.SYS_PTRACE, "exit_group": syscall.SYS_EXIT_GROUP} {
		code, out, errs := sysfence("syscalls", name)
		if code != 0 || out != strconv.Itoa(want)+"\n" {
			t.Errorf("syscalls %s: exit %d, stdout %q, stderr %q; want %d", name, code, out, errs, want)
		}
		code, out, errs = sysfence("syscalls", strconv.Itoa(want))
		if code != 0 || out != name+"\n" {
			t.Errorf("syscalls %d: exit %d, stdout %q, stderr %q; want %s", want, code, out, errs, name)
		}
	}
}

func TestSyscallsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args     []string
		code     int
		contains []string
	}{
		{[]string{"--arch", "aarch64", "iopl"}, 1, []string{`"iopl"`, "aarch64", "x86_64"}},
		{[]string{"--arch", "x86_64", "opnat"}, 1, []string{`"opnat"`, "did you mean", "openat"}},
		{[]string{"--arch", "x86_64", "99999"}, 1, []string{"99999", "x86_64"}},
		{[]string{"--arch", "all", "nosuchcall"}, 1, []string{"nosuchcall", "any ABI"}},
		{[]string{"--arch", "vax", "read"}, 2, []string{`"vax"`, "x86_64", "aarch64"}},
		{[]string{"--bogus"}, 2, []string{"bogus"}},
		// The good name is still printed; the bad one fails the command.
		{[]string{"--arch", "x86_64", "read", "nope"}, 1, []string{`"nope"`}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errs := sysfence(append([]string{"syscalls"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errs)
			}
			for _, s := range tt.contains {
				if !strings.Contains(errs, s) {
					t.Errorf("stderr %q lacks %q", errs, s)
				}
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	if code, _, errs := sysfence("frobnicate"); code != 2 || !strings.Contains(errs, "frobnicate") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
