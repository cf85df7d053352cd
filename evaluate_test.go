package seccomp_test

import (
	"errors"
	"fmt"
	"log"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// compileFor compiles p for abis, failing the test on an error.
func compileFor(t *testing.T, p *seccomp.Policy, abis ...*tables.ABI) *seccomp.Program {
	t.Helper()
	p.ABIs = abis
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// TestProgramEvaluate is point 15 of the hardening issue: a Program says
// what a call meets, by name or number, with the errno named for the ABI.
func TestProgramEvaluate(t *testing.T) {
	p := &seccomp.Policy{
		Default: seccomp.Allow,
		Rules: append(seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), "ptrace"),
			seccomp.Rule{Syscall: "lseek", Action: seccomp.ErrnoNamed("EACCES"),
				Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: 0xffffff9c}}},
			seccomp.Rule{Syscall: "getpid", Action: seccomp.Errno(0)}),
	}
	x86 := compileFor(t, p, tables.X86_64, tables.X32)
	i386 := compileFor(t, p, tables.I386)
	mips := compileFor(t, p, tables.MIPS)
	minus100 := uint64(0xffffffffffffff9c) // -100 as a 64-bit register holds it
	tests := []struct {
		name string
		prog *seccomp.Program
		abi  *tables.ABI
		call string
		args []uint64
		want seccomp.Action
	}{
		{"native", x86, tables.X86_64, "ptrace", nil, seccomp.ErrnoNamed("EPERM")},
		{"allowed", x86, tables.X86_64, "read", nil, seccomp.Allow},
		{"errno 0", x86, tables.X86_64, "getpid", nil, "errno:0"},
		{"x32 by name", x86, tables.X32, "ptrace", nil, seccomp.ErrnoNamed("EPERM")},
		{"int 0x80 on x86_64", x86, tables.I386, "getpid", nil, seccomp.KillProcess},
		// A 64-bit -100 does not match a 32-bit condition value on
		// x86_64, but on i386 the kernel passes 32 bits.
		{"64-bit word", x86, tables.X86_64, "lseek", []uint64{3, minus100}, seccomp.Allow},
		{"32-bit word", i386, tables.I386, "lseek", []uint64{3, minus100}, seccomp.ErrnoNamed("EACCES")},
		{"big-endian errno names", mips, tables.MIPS, "ptrace", nil, seccomp.ErrnoNamed("EPERM")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.prog.Evaluate(tt.abi, tt.call, tt.args...)
			if err != nil || got != tt.want {
				t.Errorf("Evaluate(%s, %s, %#x) = %q, %v; want %q", tt.abi.Name, tt.call, tt.args, got, err, tt.want)
			}
		})
	}
	if got, err := x86.EvaluateNr(tables.X86_64, 101); got != seccomp.ErrnoNamed("EPERM") || err != nil {
		t.Errorf("EvaluateNr(x86_64, 101) = %q, %v; want errno:EPERM", got, err)
	}
	if got, err := x86.EvaluateNr(tables.X32, 0x40000000|521); got != seccomp.ErrnoNamed("EPERM") || err != nil {
		t.Errorf("EvaluateNr(x32, ptrace = 0x40000000|521) = %q, %v; want the x32 rule's errno:EPERM", got, err)
	}
	if got, err := x86.EvaluateNr(tables.X86_64, 999); got != seccomp.ErrnoNamed("ENOSYS") || err != nil {
		t.Errorf("EvaluateNr(x86_64, 999) = %q, %v; want the Unknown action", got, err)
	}
	for _, bad := range []struct {
		abi  *tables.ABI
		call string
		nr   uint32
		args []uint64
	}{
		{tables.X32, "", 39, nil},         // an x32 number needs bit 0x40000000
		{tables.X32, "", 0xffffffff, nil}, // and bit 31 clear: syscall(-1) is no x32 call
		{tables.X86_64, "", 0, make([]uint64, 7)},
		{tables.S390X, "", 1, nil}, // no kernel runs a little-endian program for s390x
		{tables.AArch64, "iopl", 0, nil},
		{tables.X86_64, "opnat", 0, nil},
	} {
		var err error
		if bad.call != "" {
			_, err = x86.Evaluate(bad.abi, bad.call)
		} else {
			_, err = x86.EvaluateNr(bad.abi, bad.nr, bad.args...)
		}
		if err == nil {
			t.Errorf("Evaluate(%s, %q / %d, %d args) succeeded", bad.abi.Name, bad.call, bad.nr, len(bad.args))
		}
	}
	if _, err := x86.Evaluate(tables.X86_64, "opnat"); !errors.Is(err, seccomp.ErrUnknownSyscall) {
		t.Errorf("Evaluate of an unknown name: %v, want ErrUnknownSyscall", err)
	}
	if _, err := x86.EvaluateNr(tables.X32, 39); !errors.Is(err, seccomp.ErrInvalidCall) {
		t.Errorf("EvaluateNr(x32, 39): %v, want ErrInvalidCall", err)
	}
}

// Evaluate answers "what does this program do with that call", for any
// ABI, without the simulator's types.
func ExampleProgram_Evaluate() {
	p := &seccomp.Policy{
		Default: seccomp.Allow,
		Rules:   seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), "ptrace", "mount"),
		ABIs:    []*tables.ABI{tables.X86_64},
	}
	prog, err := p.Compile()
	if err != nil {
		log.Fatal(err)
	}
	for _, call := range []struct {
		abi  *tables.ABI
		name string
	}{{tables.X86_64, "ptrace"}, {tables.X86_64, "openat"}, {tables.I386, "openat"}, {tables.X32, "openat"}} {
		act, err := prog.Evaluate(call.abi, call.name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s on %s: %s\n", call.name, call.abi.Name, act)
	}
	act, _ := prog.Evaluate(tables.X86_64, "mount")
	fmt.Println(act == seccomp.ErrnoNamed("EPERM"))
	// Output:
	// ptrace on x86_64: errno:EPERM
	// openat on x86_64: allow
	// openat on x86: kill-process
	// openat on x32: kill-process
	// true
}
