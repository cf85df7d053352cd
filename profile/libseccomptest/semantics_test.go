//go:build libseccomp && cgo && linux

package libseccomptest

import (
	"errors"
	"syscall"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

func errnoRet(n uint) *uint { return &n }

func getpidRule(errno uint, op specs.LinuxSeccompOperator, v uint64) specs.LinuxSyscall {
	return specs.LinuxSyscall{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: errnoRet(errno),
		Args: []specs.LinuxSeccompArg{{Index: 0, Value: v, Op: op}}}
}

func decide(t *testing.T, insns []filter.Instruction, arg uint64) filter.Action {
	t.Helper()
	nr, _ := tables.X86_64.Number("getpid")
	r, err := filter.Run(insns, &filter.SeccompData{Nr: int32(nr), Arch: tables.X86_64.Audit, Args: [6]uint64{arg}}, tables.X86_64.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	return r.Ret
}

// TestOverlapIsNotOrder is the evidence for ErrOverlap: with two rules
// for one call whose conditions overlap and whose actions differ,
// libseccomp's choice does not follow the profile's order (arg0 == 5
// wins over arg0 > 3 whichever comes first), and identical conditions
// with different actions make libseccomp fail (EEXIST), so Translate
// refuses such rules; with FirstMatch the profile's order decides.
func TestOverlapIsNotOrder(t *testing.T) {
	gt, eq := getpidRule(5, specs.OpGreaterThan, 3), getpidRule(7, specs.OpEqualTo, 5)
	for _, rules := range [][]specs.LinuxSyscall{{gt, eq}, {eq, gt}} {
		s := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: rules}
		lib, err := Compile(s, specs.ArchX86_64)
		if err != nil {
			t.Fatal(err)
		}
		if got := decide(t, lib.Insns, 5); got != filter.Errno(7) {
			t.Errorf("libseccomp gives %v to arg0 = 5, want errno:7 in either order", got)
		}
		if _, err := profile.Translate(s, &profile.Options{ABI: tables.X86_64}); !errors.Is(err, profile.ErrOverlap) {
			t.Errorf("Translate: %v, want ErrOverlap", err)
		}
		res, err := profile.Translate(s, &profile.Options{ABI: tables.X86_64, FirstMatch: true})
		if err != nil {
			t.Fatal(err)
		}
		prog, err := res.Compile()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := decide(t, prog.Instructions(), 5), filter.Errno(uint16(*rules[0].ErrnoRet)); got != want {
			t.Errorf("FirstMatch gives %v to arg0 = 5, want the first rule's %v", got, want)
		}
	}
	same := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{gt, getpidRule(9, specs.OpGreaterThan, 3)}}
	if _, err := Compile(same, specs.ArchX86_64); err == nil || !errors.Is(err, syscall.EEXIST) {
		t.Errorf("libseccomp with identical conditions: %v, want EEXIST", err)
	}
}

// TestUnconditionalWins is the evidence for the order Translate gives an
// unconditional rule: libseccomp lets the first unconditional rule for a
// call decide, before or after conditional ones.
func TestUnconditionalWins(t *testing.T) {
	cond := getpidRule(5, specs.OpGreaterThan, 3)
	first := specs.LinuxSyscall{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: errnoRet(7)}
	second := specs.LinuxSyscall{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: errnoRet(9)}
	for _, rules := range [][]specs.LinuxSyscall{{cond, first, second}, {first, cond, second}, {first, second, cond}} {
		s := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: rules}
		lib, err := Compile(s, specs.ArchX86_64)
		if err != nil {
			t.Fatal(err)
		}
		res, err := profile.Translate(s, &profile.Options{ABI: tables.X86_64})
		if err != nil {
			t.Fatal(err)
		}
		prog, err := res.Compile()
		if err != nil {
			t.Fatal(err)
		}
		for _, arg := range []uint64{0, 5} {
			if a, b := decide(t, lib.Insns, arg), decide(t, prog.Instructions(), arg); a != filter.Errno(7) || b != a {
				t.Errorf("arg0 = %d: libseccomp %v, ours %v, want errno:7", arg, a, b)
			}
		}
	}
}

// TestMultiplexedOverlap is the evidence that two rules for one call
// whose conditions are on arg0 only collide through socketcall: libseccomp
// drops the conditions there, and two rules with the same condition and
// different actions make it refuse the filter (EEXIST: runc fails to
// start the container), so Translate refuses them with ErrOverlap; with
// FirstMatch the profile's order decides.
func TestMultiplexedOverlap(t *testing.T) {
	s := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Architectures: []specs.Arch{specs.ArchX86}, Syscalls: []specs.LinuxSyscall{
		{Names: []string{"socket"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}}},
		{Names: []string{"socket"}, Action: specs.ActTrap, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 2, Op: specs.OpEqualTo}}},
	}}
	if _, err := Compile(s, specs.ArchX86_64); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("libseccomp: %v, want EEXIST", err)
	}
	if _, err := profile.Translate(s, &profile.Options{ABI: tables.X86_64}); !errors.Is(err, profile.ErrOverlap) {
		t.Errorf("Translate: %v, want ErrOverlap", err)
	}
	// Without x86 there is no socketcall, and both agree.
	s.Architectures = nil
	if _, err := Compile(s, specs.ArchX86_64); err != nil {
		t.Errorf("libseccomp without x86: %v", err)
	}
	if _, err := profile.Translate(s, &profile.Options{ABI: tables.X86_64}); err != nil {
		t.Errorf("Translate without x86: %v", err)
	}
}
