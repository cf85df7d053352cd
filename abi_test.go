//go:build linux

package seccomp_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// TestNativeABIs is point 14 of issue 17: one call names the native ABI
// and its compat ABIs but x32, and a policy covering them judges a call
// through a compat ABI by the same rules, while x32 meets Foreign.
func TestNativeABIs(t *testing.T) {
	native, err := seccomp.NativeABI()
	if err != nil {
		t.Fatal(err)
	}
	abis := seccomp.NativeABIs()
	if len(abis) == 0 || abis[0] != native {
		t.Fatalf("NativeABIs() = %v, want the native ABI %s first", abis, native.Name)
	}
	if slices.Contains(abis, tables.X32) {
		t.Errorf("NativeABIs() = %v includes x32, which distributions turn off", abis)
	}
	for _, c := range seccomp.CompatABIs() {
		if c != tables.X32 && !slices.Contains(abis, c) {
			t.Errorf("NativeABIs() = %v leaves out the compat ABI %s", abis, c.Name)
		}
	}
	p := &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), "ptrace"), ABIs: abis}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if got := prog.ABIs(); !slices.Equal(got, abis) {
		t.Errorf("the program covers %v, want %v", got, abis)
	}
	for _, abi := range abis {
		if got, err := prog.Evaluate(abi, "ptrace"); got != seccomp.ErrnoNamed("EPERM") || err != nil {
			t.Errorf("ptrace on %s: %q, %v; want the rule's errno:EPERM", abi.Name, got, err)
		}
		if got, err := prog.Evaluate(abi, "getpid"); got != seccomp.Allow || err != nil {
			t.Errorf("getpid on %s: %q, %v; want allow", abi.Name, got, err)
		}
	}
	if slices.Contains(seccomp.CompatABIs(), tables.X32) {
		if got, _ := prog.Evaluate(tables.X32, "getpid"); got != seccomp.KillProcess {
			t.Errorf("getpid on x32: %q, want Foreign's kill-process", got)
		}
		// x32 on request: it costs instructions, and is then judged by
		// the rules too.
		p.ABIs = append(seccomp.NativeABIs(), tables.X32)
		with, err := p.Compile()
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := with.Evaluate(tables.X32, "ptrace"); got != seccomp.ErrnoNamed("EPERM") {
			t.Errorf("ptrace on x32 when asked for: %q, want errno:EPERM", got)
		}
		t.Logf("with x32: %d instructions, without: %d", with.Len(), prog.Len())
	}
}

// TestNativeNumber is point 18 of issue 17: one lookup of the native
// number of a call, for the root package and notify alike.
func TestNativeNumber(t *testing.T) {
	native, _ := seccomp.NativeABI()
	for _, name := range []string{"seccomp", "pidfd_getfd", "getpid"} {
		want, _ := native.Number(name)
		if got, err := seccomp.NativeNumber(name); got != uintptr(want) || err != nil {
			t.Errorf("NativeNumber(%q) = %d, %v; want %d", name, got, err, want)
		}
	}
	if _, err := seccomp.NativeNumber("no_such_call"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("NativeNumber of an unknown name: %v, want errors.ErrUnsupported", err)
	}
}
