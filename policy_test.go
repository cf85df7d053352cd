package seccomp

import (
	"errors"
	"slices"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func TestActionResolve(t *testing.T) {
	tests := []struct {
		action Action
		abi    *tables.ABI
		want   filter.Action
	}{
		{KillProcess, tables.X86_64, filter.KillProcess},
		{KillThread, tables.X86_64, filter.KillThread},
		{Trap, tables.X86_64, filter.Trap},
		{Notify, tables.X86_64, filter.Notify},
		{Log, tables.X86_64, filter.Log},
		{Allow, tables.X86_64, filter.Allow},
		{Errno(1), tables.MIPS, filter.Errno(1)},
		{ErrnoNamed("ENOSYS"), tables.X86_64, filter.Errno(38)},
		{ErrnoNamed("ENOSYS"), tables.MIPS, filter.Errno(89)},
		{Trace(7), tables.AArch64, filter.Trace(7)},
	}
	for _, tt := range tests {
		t.Run(string(tt.action)+"/"+tt.abi.Name, func(t *testing.T) {
			got, err := tt.action.Resolve(tt.abi)
			if err != nil || got != tt.want {
				t.Errorf("Resolve = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestActionResolveErrors(t *testing.T) {
	for _, a := range []Action{"", "alow", "errno", "errno:5000", "errno:EBOGUS", "trace:70000", "allow:1"} {
		t.Run(string(a), func(t *testing.T) {
			if got, err := a.Resolve(tables.X86_64); !errors.Is(err, ErrInvalidAction) {
				t.Errorf("Resolve = %v, %v; want ErrInvalidAction", got, err)
			}
		})
	}
}

func TestActionOf(t *testing.T) {
	for _, f := range []filter.Action{filter.KillProcess, filter.KillThread, filter.Trap, filter.Errno(13), filter.Notify, filter.Trace(2), filter.Log, filter.Allow} {
		a := ActionOf(f)
		if a == "" {
			t.Errorf("ActionOf(%v) is the zero Action", f)
		}
		if got, err := a.Resolve(tables.X86_64); err != nil || got != f {
			t.Errorf("ActionOf(%#x) = %q, resolving to %#x, %v", uint32(f), a, uint32(got), err)
		}
	}
}

// TestActionData (hardening issue, point 6): the data of trap, errno and
// trace survives ActionOf and Resolve; data the kernel ignores (allow,
// log, notify, the kills) is dropped, so those come back as the same
// decision; and errno is 0..4095 in every spelling.
func TestActionData(t *testing.T) {
	for _, f := range []filter.Action{filter.Trap | 7, filter.Trap | 0xffff, filter.Errno(0), filter.Errno(4095), filter.Trace(65535)} {
		a := ActionOf(f)
		if got, err := a.Resolve(nil); err != nil || got != f {
			t.Errorf("ActionOf(%#x) = %q, resolving to %#x, %v", uint32(f), a, uint32(got), err)
		}
	}
	if a := ActionOf(filter.Trap | 7); a != "trap:7" {
		t.Errorf("ActionOf(trap|7) = %q, want trap:7", a)
	}
	for _, f := range []filter.Action{filter.Allow | 5, filter.Log | 1, filter.Notify | 2, filter.KillProcess | 3, filter.KillThread | 4} {
		a := ActionOf(f)
		if got, err := a.Resolve(nil); err != nil || got != f.Kind() {
			t.Errorf("ActionOf(%#x) = %q, resolving to %#x, %v; want %#x", uint32(f), a, uint32(got), err, uint32(f.Kind()))
		}
	}
	if a := ActionOf(0x12340000); a != "action:0x12340000" {
		t.Errorf("ActionOf(0x12340000) = %q", a)
	} else if _, err := a.Resolve(nil); err == nil {
		t.Errorf("ActionOf(0x12340000) = %q resolves", a)
	}
	for _, a := range []Action{Errno(4096), Errno(5000), "errno:4096", "errno:0x10"} {
		if _, err := a.Resolve(tables.X86_64); !errors.Is(err, ErrInvalidAction) {
			t.Errorf("%q resolves (%v); errno is 0..4095 in decimal or a name", a, err)
		}
	}
	if got, err := Errno(0).Resolve(nil); err != nil || got != filter.Errno(0) {
		t.Errorf("errno:0 = %#x, %v; it is accepted as everywhere (the call returns 0 unrun)", uint32(got), err)
	}
}

// call is one system call to simulate: a name or a raw number on an ABI.
type call struct {
	abi  *tables.ABI
	name string
	nr   uint32 // used when name is ""
	args [6]uint64
}

func (c call) data(t *testing.T) *filter.SeccompData {
	t.Helper()
	nr := c.nr
	if c.name != "" {
		var ok bool
		if nr, ok = c.abi.Number(c.name); !ok {
			t.Fatalf("%s has no %s", c.abi.Name, c.name)
		}
	}
	return &filter.SeccompData{Nr: int32(nr), Arch: c.abi.Audit, Args: c.args}
}

// simulate runs prog on the call and returns the action, spelt with the
// error names of the call's ABI.
func simulate(t *testing.T, prog *Program, c call) Action {
	t.Helper()
	res, err := filter.Run(prog.Instructions(), c.data(t), c.abi.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	a := ActionOf(res.Ret)
	if res.Ret.Kind() == filter.ErrnoBase {
		if name, ok := c.abi.ErrnoName(res.Ret.Data()); ok {
			a = ErrnoNamed(name)
		}
	}
	return a
}

func mustCompile(t *testing.T, p *Policy) *Program {
	t.Helper()
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func TestCompileRules(t *testing.T) {
	eperm, eacces := ErrnoNamed("EPERM"), ErrnoNamed("EACCES")
	p := &Policy{
		Default: Allow,
		ABIs:    []*tables.ABI{tables.X86_64, tables.I386},
		Rules: []Rule{
			{Syscall: "socket", Action: eacces, Args: []Cond{{Arg: 0, Op: Eq, Value: 16}}},
			{Syscall: "socket", Action: eperm, Args: []Cond{{Arg: 0, Op: Ge, Value: 10}}},
			{Syscall: "socket", Action: Log},
			{Syscall: "kill", Action: eperm, Args: []Cond{{Arg: 1, Op: Eq, Value: 9}}},
			{Syscall: "ptrace", Action: eperm, ABIs: []*tables.ABI{tables.I386}},
		},
	}
	prog := mustCompile(t, p)
	tests := []struct {
		name string
		call call
		want Action
	}{
		{"first match wins", call{abi: tables.X86_64, name: "socket", args: [6]uint64{16}}, eacces},
		{"second rule", call{abi: tables.X86_64, name: "socket", args: [6]uint64{10}}, eperm},
		{"unconditional rule", call{abi: tables.X86_64, name: "socket", args: [6]uint64{2}}, Log},
		{"conditions only, then Default", call{abi: tables.X86_64, name: "kill", args: [6]uint64{1, 15}}, Allow},
		{"condition holds", call{abi: tables.X86_64, name: "kill", args: [6]uint64{1, 9}}, eperm},
		{"64-bit compare", call{abi: tables.X86_64, name: "kill", args: [6]uint64{1, 1<<32 | 9}}, Allow},
		{"other ABI", call{abi: tables.I386, name: "socket", args: [6]uint64{16}}, eacces},
		{"rule for one ABI only", call{abi: tables.I386, name: "ptrace"}, eperm},
		{"rule not for this ABI", call{abi: tables.X86_64, name: "ptrace"}, Allow},
		{"unknown number gets ENOSYS", call{abi: tables.X86_64, nr: 4000}, ErrnoNamed("ENOSYS")},
		{"x32 is foreign", call{abi: tables.X32, name: "getpid"}, KillProcess},
		{"uncovered arch is foreign", call{abi: tables.AArch64, name: "getpid"}, KillProcess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := simulate(t, prog, tt.call); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCompileDefaults(t *testing.T) {
	for _, abi := range []*tables.ABI{tables.X86_64, tables.AArch64, tables.RISCV64, tables.MIPS, tables.S390X} {
		t.Run(abi.Name, func(t *testing.T) {
			prog := mustCompile(t, &Policy{ABIs: []*tables.ABI{abi}, Rules: RulesFor(Allow, "read")})
			other := tables.X86_64
			if abi == tables.X86_64 {
				other = tables.AArch64
			}
			for _, tt := range []struct {
				call call
				want Action
			}{
				{call{abi: abi, name: "read"}, Allow},
				{call{abi: abi, name: "write"}, KillProcess},
				{call{abi: abi, nr: 0x3fff}, ErrnoNamed("ENOSYS")},
				{call{abi: other, name: "read"}, KillProcess},
			} {
				if got := simulate(t, prog, tt.call); got != tt.want {
					t.Errorf("%s %s%d: got %s, want %s", tt.call.abi.Name, tt.call.name, tt.call.nr, got, tt.want)
				}
			}
		})
	}
}

func TestCompileX32Covered(t *testing.T) {
	p := &Policy{Default: Allow, ABIs: []*tables.ABI{tables.X86_64, tables.X32}, Rules: RulesFor(ErrnoNamed("EPERM"), "getpid")}
	prog := mustCompile(t, p)
	for _, abi := range []*tables.ABI{tables.X86_64, tables.X32} {
		if got := simulate(t, prog, call{abi: abi, name: "getpid"}); got != ErrnoNamed("EPERM") {
			t.Errorf("%s getpid: got %s, want errno:EPERM", abi.Name, got)
		}
	}
}

func TestCompileSkipped(t *testing.T) {
	p := &Policy{Default: Allow, ABIs: []*tables.ABI{tables.AArch64}, Rules: RulesFor(ErrnoNamed("EPERM"), "iopl", "ptrace", "ioperm")}
	prog := mustCompile(t, p)
	want := []Skipped{{tables.AArch64, "iopl"}, {tables.AArch64, "ioperm"}}
	if got := prog.Skipped(); !slices.Equal(got, want) {
		t.Errorf("Skipped = %v, want %v", got, want)
	}
	p.ABIs = []*tables.ABI{tables.X86_64}
	if got := mustCompile(t, p).Skipped(); got != nil {
		t.Errorf("on x86_64, Skipped = %v, want none", got)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
		want error
		text string // the whole message
	}{
		{"unknown name", Policy{Rules: RulesFor(Allow, "ptrac")}, ErrUnknownSyscall,
			`seccomp: unknown system call "ptrac" (did you mean ptrace?)`},
		{"unreachable", Policy{Rules: []Rule{{Syscall: "read", Action: Allow}, {Syscall: "read", Action: Log}}}, ErrInvalidRule,
			"seccomp: Rules[1] (read) on x86_64: invalid rule: it follows Rules[0] (read), which has no conditions for the same call, and can never match"},
		{"a call and its alias", Policy{ABIs: []*tables.ABI{tables.ARM}, Default: Allow, Rules: RulesFor(Errno(1), "arm_sync_file_range", "sync_file_range2")}, nil, ""},
		{"an alias with another action", Policy{ABIs: []*tables.ABI{tables.ARM}, Default: Allow, Rules: []Rule{{Syscall: "arm_sync_file_range", Action: Errno(1)}, {Syscall: "sync_file_range2", Action: Log}}}, ErrInvalidRule,
			"seccomp: Rules[1] (sync_file_range2) on arm: invalid rule: it follows Rules[0] (arm_sync_file_range), which has no conditions for the same call, and can never match"},
		{"no action", Policy{Rules: []Rule{{Syscall: "read"}}}, ErrInvalidAction,
			`seccomp: Rules[0].Action (read) on x86_64: invalid action "": none given`},
		{"bad default", Policy{Default: "permit"}, ErrInvalidAction,
			`seccomp: Default on x86_64: invalid action "permit": want allow, kill-process, kill-thread, trap, log, notify, errno:N or trace:N`},
		{"bad foreign", Policy{Foreign: "errno:ENOPE"}, ErrInvalidAction,
			`seccomp: Foreign: invalid action "errno:ENOPE": "ENOPE" is not an error name on x86_64`},
		{"empty ABIs", Policy{ABIs: []*tables.ABI{}}, ErrInvalidPolicy,
			"seccomp: ABIs: invalid policy: empty (nil means the native ABI)"},
		{"nil ABI", Policy{ABIs: []*tables.ABI{nil}}, ErrInvalidPolicy, "seccomp: ABIs[0]: invalid policy: nil"},
		{"byte orders", Policy{ABIs: []*tables.ABI{tables.MIPS, tables.MIPSEL}}, ErrInvalidPolicy,
			"seccomp: ABIs[1]: invalid policy: mips and mipsel differ in byte order; no kernel loads both"},
		{"duplicate ABI", Policy{ABIs: []*tables.ABI{tables.ARM, tables.ARM}}, ErrInvalidPolicy,
			"seccomp: ABIs[1]: invalid policy: arm is ABIs[0] too"},
		{"argument index", Policy{Rules: []Rule{{Syscall: "read", Action: Allow, Args: []Cond{{Arg: 6, Op: Eq}}}}}, ErrInvalidRule,
			"seccomp: Rules[0].Args[0].Arg (read): invalid rule: 6 is not an argument index (0..5)"},
		{"comparison", Policy{Rules: RulesFor(Allow, "read", "write"), Default: Allow}, nil, ""},
		{"bad comparison", Policy{Rules: []Rule{{Syscall: "write", Action: Allow}, {Syscall: "read", Action: Allow, Args: []Cond{{Arg: 1, Op: 9}}}}}, ErrInvalidRule,
			"seccomp: Rules[1].Args[0].Op (read): invalid rule: 9 is not a Comparison"},
		{"bad width", Policy{Rules: []Rule{{Syscall: "ioctl", Action: Allow, Args: []Cond{{Arg: 1, Op: Eq, Width: 16}}}}}, ErrInvalidRule,
			"seccomp: Rules[0].Args[0].Width (ioctl): invalid rule: 16 is not 0, 32 or 64"},
		{"wide value, width 32", Policy{Rules: []Rule{{Syscall: "ioctl", Action: Allow, Args: []Cond{{Arg: 1, Op: Eq, Value: 1 << 32, Width: 32}}}}}, ErrInvalidRule,
			"seccomp: Rules[0].Args[0].Value (ioctl): invalid rule: 0x100000000 does not fit the 32 bits that Width 32 compares"},
		{"rule for no ABI", Policy{Rules: []Rule{{Syscall: "ptrace", Action: Errno(1), ABIs: []*tables.ABI{}}}}, ErrInvalidRule,
			"seccomp: Rules[0].ABIs (ptrace): invalid rule: empty, so the rule applies nowhere (nil means every ABI)"},
		{"rule for uncovered ABIs only", Policy{Rules: []Rule{{Syscall: "ptrace", Action: KillProcess, ABIs: []*tables.ABI{tables.I386}}}}, ErrInvalidRule,
			"seccomp: Rules[0].ABIs (ptrace): invalid rule: x86, none of which the policy covers (x86_64), and no rule for ptrace applies to those: it would be left to Default"},
		{"rule for uncovered ABIs beside one that applies", Policy{Default: Allow, Rules: []Rule{
			{Syscall: "ptrace", Action: KillProcess, ABIs: []*tables.ABI{tables.I386}},
			{Syscall: "ptrace", Action: Errno(1), ABIs: []*tables.ABI{tables.X86_64, tables.AArch64}},
		}}, nil, ""},
		{"rule for a nil ABI", Policy{Rules: []Rule{{Syscall: "ptrace", Action: Errno(1), ABIs: []*tables.ABI{nil}}}}, ErrInvalidRule,
			"seccomp: Rules[0].ABIs[0] (ptrace): invalid rule: nil"},
		{"32-bit value", Policy{ABIs: []*tables.ABI{tables.ARM}, Rules: []Rule{{Syscall: "read", Action: Allow, Args: []Cond{{Op: Eq, Value: 1 << 32}}}}}, ErrInvalidRule,
			"seccomp: Rules[0].Args[0].Value (read): invalid rule: 0x100000000 does not fit the 32-bit arguments of arm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.p.ABIs == nil {
				tt.p.ABIs = []*tables.ABI{tables.X86_64}
			}
			_, err := tt.p.Compile()
			if tt.want == nil {
				if err != nil {
					t.Errorf("Compile: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || err.Error() != tt.text {
				t.Errorf("Compile: %v\nwant an error wrapping %v that says\n%s", err, tt.want, tt.text)
			}
		})
	}
}

// TestCondWidth32 (hardening issue, point 4): the kernel truncates an int
// parameter, so a 64-bit "cmd == TIOCSTI" lets TIOCSTI|1<<32 through;
// Width 32 compares what the kernel reads.
func TestCondWidth32(t *testing.T) {
	const tiocsti = 0x5412
	for _, abi := range []*tables.ABI{tables.X86_64, tables.AArch64, tables.S390X, tables.I386} {
		for _, width := range []int{0, 32} {
			p := &Policy{ABIs: []*tables.ABI{abi}, Default: Allow, Rules: []Rule{
				{Syscall: "ioctl", Action: ErrnoNamed("EPERM"), Args: []Cond{{Arg: 1, Op: Eq, Value: tiocsti, Width: width}}},
			}}
			prog := mustCompile(t, p)
			for _, cmd := range []uint64{tiocsti, tiocsti | 1<<32, 0xffffffff_00000000 | tiocsti} {
				got := simulate(t, prog, call{abi: abi, name: "ioctl", args: [6]uint64{0, cmd}})
				want := ErrnoNamed("EPERM")
				if cmd != tiocsti && width == 0 && abi.WordSize == 8 {
					want = Allow // the bypass that Width 32 exists for
				}
				if got != want {
					t.Errorf("%s, width %d: ioctl(0, %#x) = %s, want %s", abi.Name, width, cmd, got, want)
				}
			}
		}
	}
}

func TestCompileUnknownNames(t *testing.T) {
	p := &Policy{ABIs: []*tables.ABI{tables.X86_64}, Rules: RulesFor(Allow, "ptrac", "read", "mmount", "ptrac")}
	_, err := p.Compile()
	nearest := map[string]string{"ptrac": "ptrace", "mmount": "mount"}
	var names []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var u *UnknownSyscallError
		if !errors.As(e, &u) {
			t.Fatalf("%v is not an *UnknownSyscallError", e)
		}
		names = append(names, u.Name)
		if len(u.Suggestions) == 0 || u.Suggestions[0] != nearest[u.Name] {
			t.Errorf("%s: suggestions %v, want %s first", u.Name, u.Suggestions, nearest[u.Name])
		}
	}
	if want := []string{"ptrac", "mmount"}; !slices.Equal(names, want) {
		t.Errorf("unknown names reported: %v, want %v (each once)", names, want)
	}
	t.Log(err)
}

func TestCompileCrossArch(t *testing.T) {
	p, err := BuiltinPolicy("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	for _, abi := range tables.All() {
		t.Run(abi.Name, func(t *testing.T) {
			p.ABIs = []*tables.ABI{abi}
			prog := mustCompile(t, p)
			if prog.ByteOrder() != abi.ByteOrder() {
				t.Errorf("ByteOrder = %v, want %v", prog.ByteOrder(), abi.ByteOrder())
			}
			if got := simulate(t, prog, call{abi: abi, name: "mount"}); got != ErrnoNamed("EPERM") {
				t.Errorf("mount: got %s, want errno:EPERM", got)
			}
		})
	}
}

// TestForeignErrnoPerArch is point 21 of issue 17: a named errno in
// Foreign is resolved with numbers every covered ABI agrees on, and
// refused where they differ, since the foreign call's ABI is unknown.
func TestForeignErrnoPerArch(t *testing.T) {
	p := &Policy{Default: Allow, Foreign: ErrnoNamed("ENOSYS"), ABIs: []*tables.ABI{tables.X86_64, tables.MIPSEL}}
	_, err := p.Compile()
	var pe *PolicyError
	if !errors.As(err, &pe) || pe.Field != "Foreign" || !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("Foreign errno:ENOSYS for x86_64 (38) and mipsel (89): %v, want a PolicyError on Foreign", err)
	}
	p.Foreign = ErrnoNamed("EPERM") // 1 on both
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := prog.Evaluate(tables.AArch64, "getpid"); got != ErrnoNamed("EPERM") || err != nil {
		t.Errorf("a foreign call meets %q, %v; want errno:EPERM", got, err)
	}
	p.ABIs = []*tables.ABI{tables.X86_64, tables.X32}
	p.Foreign = ErrnoNamed("ENOSYS")
	if _, err := p.Compile(); err != nil {
		t.Errorf("x86_64 and x32 number ENOSYS alike: %v", err)
	}
}

// TestCopiedABIRefused is point 20 of issue 17: a copy of a tables.ABI
// is refused before anything is built for it, and leaves nothing behind
// in the name-index cache (which held 16 KB for every copy).
func TestCopiedABIRefused(t *testing.T) {
	count := func() int {
		n := 0
		nameIndexes.Range(func(any, any) bool { n++; return true })
		return n
	}
	p := &Policy{Default: Allow, Rules: RulesFor(ErrnoNamed("EPERM"), "ptrace")}
	for _, abi := range tables.All() {
		p.ABIs = []*tables.ABI{abi}
		if _, err := p.Compile(); err != nil {
			t.Errorf("%s: %v", abi.Name, err)
		}
	}
	p.ABIs = []*tables.ABI{tables.X86_64}
	before := count()
	for range 10 {
		c := *tables.X86_64
		p.ABIs = []*tables.ABI{&c}
		_, err := p.Compile()
		var pe *PolicyError
		if !errors.As(err, &pe) || pe.Field != "ABIs[0]" || !errors.Is(err, ErrInvalidPolicy) {
			t.Fatalf("a copy of tables.X86_64: %v, want a PolicyError on ABIs[0]", err)
		}
	}
	if after := count(); after != before {
		t.Errorf("the name-index cache grew from %d to %d entries for copies of an ABI", before, after)
	}
}
