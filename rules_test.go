package seccomp_test

import (
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// TestTerminalInjection is point 15 of issue 17: the built-ins' ioctl
// rules are rules any policy can add, right on every ABI (mips numbers
// the requests apart) and not walked past by high bits.
func TestTerminalInjection(t *testing.T) {
	eperm := seccomp.ErrnoNamed("EPERM")
	p := &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.TerminalInjection(eperm)}
	for _, abis := range [][]*tables.ABI{{tables.X86_64, tables.I386}, {tables.MIPS}, {tables.MIPS64EL}, {tables.AArch64, tables.ARM}, {tables.S390X}} {
		prog := compileFor(t, p, abis...)
		for _, abi := range abis {
			tiocsti, tioclinux := uint64(0x5412), uint64(0x541c)
			if abi.Audit&0xffff == 8 { // EM_MIPS
				tiocsti, tioclinux = 0x5472, 0x5483
			}
			for _, c := range []struct {
				req  uint64
				want seccomp.Action
			}{
				{tiocsti, eperm}, {tioclinux, eperm}, {1<<32 | tiocsti, eperm},
				{tiocsti + 1, seccomp.Allow}, {0x5401 /* TCGETS */, seccomp.Allow},
			} {
				if got, err := prog.Evaluate(abi, "ioctl", 0, c.req); got != c.want || err != nil {
					t.Errorf("ioctl(0, %#x) on %s: %q, %v; want %q", c.req, abi.Name, got, err, c.want)
				}
			}
		}
	}
}

// TestCloneWithoutNamespaces is point 15 of issue 17: the strict
// built-in's clone rules, with s390's argument order, for any policy.
func TestCloneWithoutNamespaces(t *testing.T) {
	eperm := seccomp.ErrnoNamed("EPERM")
	p := &seccomp.Policy{Default: seccomp.Allow,
		Rules: append(seccomp.CloneWithoutNamespaces(seccomp.Allow), seccomp.Rule{Syscall: "clone", Action: eperm})}
	const thread, newuser = 0x3d0f00, 0x10000000
	for _, abi := range []*tables.ABI{tables.X86_64, tables.AArch64, tables.S390X, tables.RISCV64, tables.MIPS} {
		prog := compileFor(t, p, abi)
		flags, stack := 0, 1
		if abi == tables.S390X {
			flags, stack = 1, 0
		}
		for _, c := range []struct {
			flags uint64
			want  seccomp.Action
		}{{thread, seccomp.Allow}, {thread | newuser, eperm}, {0x20000, eperm}} {
			args := make([]uint64, 2)
			args[flags], args[stack] = c.flags, 0x7e020000 // a stack that looks like every namespace flag
			if got, err := prog.Evaluate(abi, "clone", args...); got != c.want || err != nil {
				t.Errorf("clone(flags %#x) on %s: %q, %v; want %q", c.flags, abi.Name, got, err, c.want)
			}
		}
	}
}

// TestBuiltinUsesExportedRules checks that the built-in policies are
// made of the exported rules, so the two cannot drift apart.
func TestBuiltinUsesExportedRules(t *testing.T) {
	strict, err := seccomp.BuiltinPolicy("sandbox-strict")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]seccomp.Rule{seccomp.TerminalInjection(seccomp.ErrnoNamed("EPERM")), seccomp.CloneWithoutNamespaces(seccomp.Allow)} {
		for _, r := range want {
			if !slices.ContainsFunc(strict.Rules, func(b seccomp.Rule) bool {
				return b.Syscall == r.Syscall && b.Action == r.Action && slices.Equal(b.Args, r.Args) && slices.Equal(b.ABIs, r.ABIs)
			}) {
				t.Errorf("sandbox-strict lacks the exported rule %+v", r)
			}
		}
	}
	if c := seccomp.Cond32(1, seccomp.Eq, 0x5412); c != (seccomp.Cond{Arg: 1, Op: seccomp.Eq, Value: 0x5412, Width: 32}) {
		t.Errorf("Cond32 = %+v", c)
	}
}

// TestDropOverride is point 15 of issue 17: a policy starts from a
// built-in and drops or overrides its rules, not only adds in front.
func TestDropOverride(t *testing.T) {
	eperm := seccomp.ErrnoNamed("EPERM")
	p, err := seccomp.BuiltinPolicy("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Drop("ptrace", "ptarce", "nosuch"); err == nil {
		t.Error("Drop of names no rule has succeeded")
	} else if !errors.Is(err, seccomp.ErrInvalidRule) {
		t.Errorf("Drop of names no rule has: %v, want ErrInvalidRule", err)
	}
	if prog := compileFor(t, p, tables.X86_64); mustEvaluate(t, prog, "ptrace") != eperm {
		t.Error("a failed Drop removed ptrace's rule")
	}
	if err := p.Drop("ptrace", "mount"); err != nil {
		t.Fatal(err)
	}
	const readImpliesExec = 0x400000
	p.Override(seccomp.Rule{Syscall: "personality", Action: seccomp.Allow})
	p.Override(seccomp.Rule{Syscall: "getpid", Action: seccomp.ErrnoNamed("EACCES")})
	prog := compileFor(t, p, tables.X86_64)
	for _, c := range []struct {
		call string
		args []uint64
		want seccomp.Action
	}{
		{"ptrace", nil, seccomp.Allow},
		{"mount", nil, seccomp.Allow},
		{"umount2", nil, eperm}, // not dropped
		{"personality", []uint64{readImpliesExec}, seccomp.Allow},
		{"getpid", nil, seccomp.ErrnoNamed("EACCES")},
		{"ioctl", []uint64{0, 0x5412}, eperm},
	} {
		if got := mustEvaluate(t, prog, c.call, c.args...); got != c.want {
			t.Errorf("%s%#x after Drop and Override: %q, want %q", c.call, c.args, got, c.want)
		}
	}
}

func mustEvaluate(t *testing.T, prog *seccomp.Program, call string, args ...uint64) seccomp.Action {
	t.Helper()
	act, err := prog.Evaluate(tables.X86_64, call, args...)
	if err != nil {
		t.Fatal(err)
	}
	return act
}

// A launcher that runs a debugger in its sandbox starts from the
// built-in policy, lets ptrace through, and adds the built-ins' rule
// against terminal injection to its own ioctl rules.
func ExamplePolicy_Drop() {
	p, err := seccomp.BuiltinPolicy("sandbox")
	if err != nil {
		log.Fatal(err)
	}
	if err := p.Drop("ptrace"); err != nil {
		log.Fatal(err)
	}
	p.Override(append(seccomp.TerminalInjection(seccomp.KillProcess),
		seccomp.Rule{Syscall: "ioctl", Action: seccomp.ErrnoNamed("ENOTTY"),
			Args: []seccomp.Cond{seccomp.Cond32(1, seccomp.Eq, 0x5409 /* TCSBRK */)}})...)
	p.ABIs = []*tables.ABI{tables.X86_64, tables.I386} // or seccomp.NativeABIs()
	prog, err := p.Compile()
	if err != nil {
		log.Fatal(err)
	}
	for _, call := range []struct {
		name string
		args []uint64
	}{{"ptrace", nil}, {"mount", nil}, {"ioctl", []uint64{0, 0x5412}}, {"ioctl", []uint64{0, 0x5409}}} {
		act, _ := prog.Evaluate(tables.I386, call.name, call.args...)
		fmt.Printf("%s%#x: %s\n", call.name, call.args, act)
	}
	// Output:
	// ptrace[]: allow
	// mount[]: errno:EPERM
	// ioctl[0x0 0x5412]: kill-process
	// ioctl[0x0 0x5409]: errno:ENOTTY
}

// TestTooManyArgRules is point 20 of issue 17: a policy of more rules
// than a program can hold is refused with ErrTooLong, naming the call
// with the most of them, in time proportional to the rules (see
// BenchmarkCompileEqRules).
func TestTooManyArgRules(t *testing.T) {
	p := &seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.X86_64}}
	for i := range 20000 {
		p.Rules = append(p.Rules, seccomp.Rule{Syscall: "ioctl", Action: seccomp.Errno(uint16(1 + i%2)),
			Args: []seccomp.Cond{seccomp.Cond32(1, seccomp.Eq, uint64(3*i))}})
	}
	p.Rules = append(p.Rules, seccomp.Rule{Syscall: "personality", Action: seccomp.Allow, Args: []seccomp.Cond{seccomp.Cond32(0, seccomp.Eq, 8)}})
	_, err := p.Compile()
	if !errors.Is(err, filter.ErrTooLong) || !strings.Contains(err.Error(), "ioctl has the most rules with conditions, 20000 on x86_64") {
		t.Errorf("20,000 rules for ioctl: %v, want ErrTooLong naming ioctl", err)
	}
}
