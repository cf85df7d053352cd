package seccomp_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// checks returns "severity check ABI syscall" for each finding.
func checks(fs []seccomp.Finding) []string {
	var out []string
	for _, f := range fs {
		abi := "-"
		if f.ABI != nil {
			abi = f.ABI.Name
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", f.Severity, f.Check, abi, f.Syscall))
	}
	return out
}

// TestLintNoArchCheck lints the filter this module replaces: it checks
// the number only, so every ABI's calls meet it.
func TestLintNoArchCheck(t *testing.T) {
	prog, err := seccomp.NewProgram([]filter.Instruction{
		filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetNr),
		filter.Jump(filter.BPF_JMP|filter.BPF_JEQ|filter.BPF_K, 101, 0, 1), // ptrace on x86_64
		filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Errno(1))),
		filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow)),
	}, tables.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := prog.Lint()
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) == 0 || fs[0].Check != "no-arch-check" || fs[0].Severity != seccomp.Error || fs[0].Example == nil {
		t.Fatalf("findings %q: want no-arch-check first, with an example", checks(fs))
	}
}

// TestLintBuiltins: the built-ins have no finding of severity error on
// any ABI; the plain sandbox warns that it allows namespaces, and the
// strict one has no finding at all.
func TestLintBuiltins(t *testing.T) {
	for _, abi := range tables.All() {
		for _, name := range seccomp.BuiltinNames() {
			p, _ := seccomp.BuiltinPolicy(name)
			p.ABIs = []*tables.ABI{abi}
			prog, err := p.Compile()
			if err != nil {
				t.Fatal(err)
			}
			fs, err := prog.Lint()
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				if f.Severity == seccomp.Error || (name == "sandbox-strict" && f.Check != "dead-code") {
					t.Errorf("%s for %s: %s", name, abi.Name, f.String())
				}
			}
			if name == "sandbox" && abi.Name == "x86_64" {
				if got := checks(fs); !slices.Contains(got, "warning dangerous x86_64 unshare") || !slices.Contains(got, "warning dangerous x86_64 clone") {
					t.Errorf("sandbox for x86_64: findings %q, want warnings for unshare and clone with CLONE_NEWUSER", got)
				}
			}
		}
	}
}

// TestLintFindings builds programs with one weakness each and checks
// that lint names it, with an example the program really decides so.
func TestLintFindings(t *testing.T) {
	eperm := seccomp.ErrnoNamed("EPERM")
	for _, tc := range []struct {
		name string
		p    seccomp.Policy
		want string
	}{
		{"x32 allowed", seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.X86_64}, Foreign: seccomp.Allow}, "error x32 x32 "},
		{"i386 allowed", seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.X86_64}, Foreign: seccomp.Allow}, "error foreign-abi x86 "},
		{"socket refused, socketcall allowed", seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.S390X}, Multiplexers: seccomp.MultiplexAsWritten, Rules: seccomp.RulesFor(eperm, "socket")}, "error multiplexer s390x socket"},
		{"ptrace allowed", seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.AArch64}}, "error dangerous aarch64 ptrace"},
		{"TIOCSTI allowed on mips", seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.MIPS}, Rules: []seccomp.Rule{{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: 0x5412}}}}}, "error dangerous mips ioctl"},
		{"64-bit compare of ioctl's request", seccomp.Policy{Default: eperm, ABIs: []*tables.ABI{tables.X86_64}, Rules: []seccomp.Rule{{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: 0x5412}}}, {Syscall: "ioctl", Action: seccomp.Allow}}}, "error wide-compare x86_64 ioctl"},
		{"clone3 EPERM", seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.RISCV64}, Rules: seccomp.RulesFor(eperm, "clone3")}, "warning enosys riscv64 clone3"},
		{"unknown EPERM", seccomp.Policy{Default: seccomp.Allow, Unknown: eperm, ABIs: []*tables.ABI{tables.S390X}}, "warning enosys s390x "},
		{"kill-thread", seccomp.Policy{Default: seccomp.KillThread, ABIs: []*tables.ABI{tables.X86_64}, Rules: seccomp.RulesFor(seccomp.Allow, "read")}, "warning kill-thread - "},
	} {
		prog, err := tc.p.Compile()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		fs, err := prog.Lint()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.Index(checks(fs), tc.want)
		if i < 0 {
			t.Errorf("%s: findings %q, want %q", tc.name, checks(fs), tc.want)
			continue
		}
		// The example is decided as the finding says.
		ex := fs[i].Example
		if ex == nil {
			t.Errorf("%s: no example", tc.name)
			continue
		}
		var got seccomp.Action
		if ex.ABI != nil {
			got, err = prog.EvaluateNr(ex.ABI, uint32(ex.Data.Nr), ex.Data.Args[:]...)
		} else {
			var res filter.Result
			res, err = filter.Run(prog.Instructions(), &ex.Data, prog.ByteOrder())
			got = seccomp.ActionOf(res.Ret)
		}
		if err != nil || got != ex.A {
			t.Errorf("%s: example %v: the program gives %s (%v), the finding says %s", tc.name, ex, got, err, ex.A)
		}
	}
}
