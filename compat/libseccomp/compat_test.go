package seccomp

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"

	sysfence "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func TestArchNames(t *testing.T) {
	for a := ArchX86; a <= ArchSHEB; a++ {
		got, err := GetArchFromString(a.String())
		if err != nil || got != a {
			t.Errorf("GetArchFromString(%q) = %v, %v; want %v", a.String(), got, err, a)
		}
	}
	for s, want := range map[string]ScmpArch{"x86_64": ArchAMD64, "AARCH64": ArchARM64, "loongarch64": ArchLOONGARCH64, "x64": ArchAMD64} {
		if got, err := GetArchFromString(s); err != nil || got != want {
			t.Errorf("GetArchFromString(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := GetArchFromString("vax"); err == nil {
		t.Error("GetArchFromString(vax) succeeded")
	}
}

// TestNamesAcrossArches: a name the native ABI lacks gets a negative
// number that names it back and that rules translate per architecture.
func TestNamesAcrossArches(t *testing.T) {
	native, err := GetNativeArch()
	if err != nil {
		t.Skip(err)
	}
	for _, name := range []string{"socketcall", "ipc", "iopl", "getpid", "fstat64"} {
		nr, err := GetSyscallFromName(name)
		if err != nil {
			t.Fatalf("GetSyscallFromName(%s): %v", name, err)
		}
		_, onNative := arches[native].abi.Number(name)
		if onNative != (nr >= 0) {
			t.Errorf("%s: number %d, native ABI has it: %t", name, nr, onNative)
		}
		if got, err := nr.GetName(); err != nil || got != name {
			t.Errorf("ScmpSyscall(%d).GetName() = %q, %v; want %s", nr, got, err, name)
		}
	}
	if nr, err := GetSyscallFromNameByArch("socketcall", ArchX86); err != nil || nr != 102 {
		t.Errorf("socketcall on x86 = %d, %v; want 102", nr, err)
	}
	if nr, err := GetSyscallFromNameByArch("setns", ArchPPC); err != nil || nr != 350 {
		t.Errorf("setns on ppc = %d, %v; want 350 (ppc64's)", nr, err)
	}
	if _, err := GetSyscallFromName("no_such_call"); !errors.Is(err, ErrSyscallDoesNotExist) {
		t.Errorf("GetSyscallFromName(no_such_call): %v", err)
	}
}

func TestAddArchRefusals(t *testing.T) {
	native, err := GetNativeArch()
	if err != nil {
		t.Skip(err)
	}
	f, err := NewFilter(ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	other := ArchS390X // big-endian
	if arches[native].abi.BigEndian {
		other = ArchAMD64
	}
	if err := f.AddArch(other); !errors.Is(err, syscall.EDOM) {
		t.Errorf("AddArch(%s): %v, want EDOM", other, err)
	}
	if err := f.AddArch(ArchPARISC); err == nil {
		t.Errorf("AddArch(parisc) succeeded without a table")
	}
	if err := f.AddArch(ScmpArch(99)); err == nil {
		t.Errorf("AddArch(99) succeeded")
	}
}

// export returns the filter's exported program.
func export(t *testing.T, f *ScmpFilter) *sysfence.Program {
	t.Helper()
	file, err := os.CreateTemp(t.TempDir(), "bpf")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := f.ExportBPF(file); err != nil {
		t.Fatal(err)
	}
	if _, err := file.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	prog, err := sysfence.ReadProgram(file, tables.X86_64, tables.I386)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// TestExportDecides follows calls through the exported program: the
// rule's call on each covered ABI, its socketcall form on i386, a call
// through an ABI the filter does not cover, and a rule added before an
// architecture, which does not reach it.
func TestExportDecides(t *testing.T) {
	if native, err := GetNativeArch(); err != nil || native != ArchAMD64 {
		t.Skip("the decisions checked are x86_64's")
	}
	f, err := NewFilter(ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	bad := ActErrno.SetReturnCode(13)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetBadArchAction(bad))
	getppid, _ := GetSyscallFromName("getppid")
	must(f.AddRule(getppid, ActErrno.SetReturnCode(1)))
	must(f.AddArch(ArchX86))
	socket, _ := GetSyscallFromName("socket")
	must(f.AddRule(socket, ActErrno.SetReturnCode(97)))
	prog := export(t, f)
	run := func(abi *tables.ABI, nr uint32, args ...uint64) filter.Action {
		var d filter.SeccompData
		d.Nr, d.Arch = int32(nr), abi.Audit
		copy(d.Args[:], args)
		r, err := filter.Run(prog.Instructions(), &d, abi.ByteOrder())
		if err != nil {
			t.Fatal(err)
		}
		return r.Ret
	}
	for _, tc := range []struct {
		abi  *tables.ABI
		name string
		args []uint64
		want filter.Action
	}{
		{tables.X86_64, "getppid", nil, filter.Errno(1)},
		{tables.I386, "getppid", nil, filter.Allow}, // added before x86
		{tables.X86_64, "socket", nil, filter.Errno(97)},
		{tables.I386, "socket", nil, filter.Errno(97)},
		{tables.I386, "socketcall", []uint64{1}, filter.Errno(97)}, // SYS_SOCKET
		{tables.I386, "socketcall", []uint64{3}, filter.Allow},     // SYS_CONNECT
		{tables.X32, "getppid", nil, filter.Errno(13)},             // bad arch
		{tables.ARM, "getppid", nil, filter.Errno(13)},
	} {
		nr, ok := tc.abi.Number(tc.name)
		if !ok {
			t.Fatalf("%s has no %s", tc.abi.Name, tc.name)
		}
		if got := run(tc.abi, nr, tc.args...); got != tc.want {
			t.Errorf("%s %s%v: %v, want %v", tc.abi.Name, tc.name, tc.args, got, tc.want)
		}
	}
}

func TestFilterLifecycle(t *testing.T) {
	var zero ScmpFilter
	if err := zero.SetLogBit(true); !errors.Is(err, errBadFilter) {
		t.Errorf("zero filter SetLogBit: %v", err)
	}
	if _, err := NewFilter(ActInvalid); err == nil {
		t.Error("NewFilter(ActInvalid) succeeded")
	}
	if _, err := NewFilter(ActAllow | 1<<16); err == nil {
		t.Error("NewFilter with data on allow succeeded")
	}
	f, err := NewFilter(ActAllow)
	if err != nil {
		t.Skip(err)
	}
	if err := f.SetWaitKill(true); !errors.As(err, new(*VersionError)) {
		t.Errorf("SetWaitKill: %v, want a *VersionError (2.6.0)", err)
	}
	if err := f.SetOptimize(3); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("SetOptimize(3): %v", err)
	}
	g, _ := NewFilter(ActAllow)
	if err := f.Merge(g); err == nil {
		t.Error("merging filters of one architecture succeeded")
	}
	f.Release()
	if f.IsValid() {
		t.Error("valid after Release")
	}
}

// TestExportPFC: the program in bpf_asm syntax, with the names of the
// calls it decides.
func TestExportPFC(t *testing.T) {
	f, err := NewFilter(ActAllow)
	if err != nil {
		t.Skip(err)
	}
	nr, _ := GetSyscallFromName("getppid")
	if err := f.AddRule(nr, ActErrno.SetReturnCode(1)); err != nil {
		t.Fatal(err)
	}
	file, err := os.CreateTemp(t.TempDir(), "pfc")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := f.ExportPFC(file); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(file.Name())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"getppid", "ret #"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("ExportPFC output lacks %q:\n%s", want, text)
		}
	}
}
