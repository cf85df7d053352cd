package compile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/golden"

	"github.com/sysfence/seccomp/tables"
)

// goldenPolicies are compiled and disassembled by TestCompileGolden.
var goldenPolicies = []struct {
	name   string
	policy func(testing.TB) *Policy
}{
	{"allow_all", func(testing.TB) *Policy {
		return &Policy{ABIs: []ABIPolicy{{ABI: tables.AArch64, Default: filter.Allow, Unknown: filter.Allow}}, Foreign: filter.KillProcess}
	}},
	{"denylist_x86_64", denylistPolicy},
	{"allowlist_x86_64", allowlistPolicy},
	{"multi_abi", multiABIPolicy},
	{"ops_s390x", opsPolicy(tables.S390X)},
	{"ops_x86_64", opsPolicy(tables.X86_64)},
	{"ops_arm", opsPolicy(tables.ARM)},
	{"mips_enosys", func(tb testing.TB) *Policy {
		abi := tables.MIPS
		enosys, _ := abi.Errno("ENOSYS")
		return &Policy{
			ABIs: []ABIPolicy{{ABI: abi, Default: filter.Allow, Unknown: filter.Errno(enosys), Rules: []Rule{
				{Nr: nr(tb, abi, "ptrace"), Action: filter.KillProcess},
				{Nr: nr(tb, abi, "clone3"), Action: filter.Errno(enosys)},
			}}},
			Foreign: filter.KillThread,
		}
	}},
}

// multiABIPolicy covers x86_64, x32 and i386 (in that order of dispatch),
// with argument rules that x86_64 and x32 share.
func multiABIPolicy(tb testing.TB) *Policy {
	ioctlArgs := []ArgRule{{Conds: []Cond{{Arg: 1, Op: OpEq, Value: 0x5401}}, Action: filter.Allow}} // TCGETS
	abiPolicy := func(abi *tables.ABI) ABIPolicy {
		return ABIPolicy{ABI: abi, Default: filter.Allow, Unknown: filter.Errno(enosys), Rules: []Rule{
			{Nr: nr(tb, abi, "ptrace"), Action: filter.KillProcess},
			{Nr: nr(tb, abi, "ioctl"), Action: filter.Errno(eperm), Args: ioctlArgs},
		}}
	}
	return &Policy{
		ABIs:    []ABIPolicy{abiPolicy(tables.X86_64), abiPolicy(tables.X32), abiPolicy(tables.I386)},
		Foreign: filter.KillProcess,
	}
}

// opsPolicy returns a policy that uses every operator, with values whose
// high and low words differ on 64-bit ABIs.
func opsPolicy(abi *tables.ABI) func(testing.TB) *Policy {
	return func(tb testing.TB) *Policy {
		v := uint64(0x1_00000005)
		mask := uint64(0xf0_000000f0)
		if abi.WordSize == 4 {
			v, mask = 5, 0xf0
		}
		calls := []string{"read", "write", "close", "dup", "dup3", "lseek", "fcntl"}
		var rules []Rule
		for i, op := range []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpMaskedEq} {
			value := v
			if op == OpMaskedEq {
				value = mask & (v << 4)
			}
			rules = append(rules, Rule{Nr: nr(tb, abi, calls[i]), Action: filter.Errno(eperm), Args: []ArgRule{
				{Conds: []Cond{{Arg: i % 6, Op: op, Value: value, Mask: mask}}, Action: filter.Allow},
			}})
		}
		return &Policy{
			ABIs:    []ABIPolicy{{ABI: abi, Rules: rules, Default: filter.KillProcess, Unknown: filter.KillProcess}},
			Foreign: filter.KillProcess,
		}
	}
}

func TestCompileGolden(t *testing.T) {
	for _, tc := range goldenPolicies {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.policy(t)
			prog, err := Compile(p)
			if err != nil {
				t.Fatal(err)
			}
			var abis []*tables.ABI
			for _, ap := range p.ABIs {
				abis = append(abis, ap.ABI)
			}
			got := filter.Disassemble(prog, abis...)
			path := filepath.Join("testdata", "compile", tc.name+".golden")
			golden.Check(t, path, []byte(got))
			checkRets(t, p, prog)
			checkPolicy(t, p, prog, probes(p))
		})
	}
}

// checkRets fails if an action is returned by more instructions than
// the program has regions: the dispatch and one per arch group, each with
// its own returns.
func checkRets(t *testing.T, p *Policy, prog []filter.Instruction) {
	t.Helper()
	audits := make(map[uint32]bool)
	for _, ap := range p.ABIs {
		audits[ap.ABI.Audit] = true
	}
	limit := 1 + len(audits) // the dispatch's, and one per group
	seen := make(map[uint32][]int)
	for pc, ins := range prog {
		if ins.Code != filter.BPF_RET|filter.BPF_K {
			continue
		}
		seen[ins.K] = append(seen[ins.K], pc)
		if len(seen[ins.K]) > limit {
			t.Errorf("instructions %v all return %v; want at most %d", seen[ins.K], filter.Action(ins.K), limit)
		}
	}
}

// checkPolicy runs every probe through prog, which must pass Verify, and
// compares the result with p.Evaluate.
func checkPolicy(t testing.TB, p *Policy, prog []filter.Instruction, probes []filter.SeccompData) {
	t.Helper()
	if err := filter.Verify(prog); err != nil {
		t.Fatalf("Verify: %v\n%s", err, filter.Disassemble(prog))
	}
	failures := 0
	for _, d := range probes {
		res, err := filter.Run(prog, &d, orderOf(d.Arch))
		if err != nil {
			t.Fatal(err)
		}
		if want := p.Evaluate(&d); res.Ret != want {
			t.Errorf("arch %#x nr %d (%#x) args %#x: program returns %v, policy says %v", d.Arch, d.Nr, uint32(d.Nr), d.Args, res.Ret, want)
			if failures++; failures == 10 {
				break
			}
		}
	}
	if failures > 0 {
		t.Logf("program:\n%s", filter.Disassemble(prog))
	}
}

// orderOf returns the byte order of the ABIs of an audit value (they all
// agree), little-endian for values tables does not know.
func orderOf(audit uint32) binary.ByteOrder {
	if abi := owner(audit, 0); abi != nil {
		return abi.ByteOrder()
	}
	return tables.X86_64.ByteOrder()
}

// probes returns seccomp_data worth running through the program of p: for
// every audit value tables knows and a few it does not, the edges of the
// number space and of the x32 bit; for every covered ABI, each number of
// its table and its neighbours, with the x32 bit too; and for every
// condition, arguments at and around its value while the other
// conditions of its rule hold.
func probes(p *Policy) []filter.SeccompData {
	var out []filter.SeccompData
	edges := []uint32{0, 1, 0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000, 0xbfffffff, 0xc0000000, math.MaxUint32}
	arches := []uint32{0, math.MaxUint32, 0x40000000}
	for _, abi := range tables.All() {
		arches = append(arches, abi.Audit, abi.Audit^1)
	}
	for _, arch := range arches {
		for _, e := range edges {
			out = append(out, filter.SeccompData{Arch: arch, Nr: int32(e)})
		}
	}
	for _, ap := range p.ABIs {
		abi := ap.ABI
		for i := range abi.Len() {
			n := abi.At(i).Nr
			for _, x := range []uint32{n - 1, n, n + 1, n | 0x40000000, n &^ 0x40000000} {
				out = append(out, filter.SeccompData{Arch: abi.Audit, Nr: int32(x)})
			}
		}
		for _, r := range ap.Rules {
			for _, x := range []uint32{r.Nr - 1, r.Nr + 1} { // a rule outside the table has neighbours outside it
				out = append(out, filter.SeccompData{Arch: abi.Audit, Nr: int32(x)})
			}
			for _, args := range argProbes(r.Args) {
				out = append(out, filter.SeccompData{Arch: abi.Audit, Nr: int32(r.Nr), Args: args})
			}
		}
	}
	return out
}

// argProbes returns arguments that make each argument rule's conditions
// hold, and the same with each condition's argument moved around its
// value.
func argProbes(rules []ArgRule) [][6]uint64 {
	var out [][6]uint64
	for _, r := range rules {
		var base [6]uint64
		for _, c := range r.Conds {
			base[c.Arg] = satisfying(c)
		}
		out = append(out, base)
		for _, c := range r.Conds {
			for _, v := range nearValues(c) {
				args := base
				args[c.Arg] = v
				out = append(out, args)
			}
		}
	}
	return out
}

// satisfying returns an argument for which c holds, when there is one.
func satisfying(c Cond) uint64 {
	switch c.Op {
	case OpNe, OpGt:
		return c.Value + 1
	case OpLt:
		return c.Value - 1
	}
	return c.Value
}

// nearValues returns arguments at the edges of c: its value and the
// numbers around it, with the high word changed, and with bits in and out
// of the mask flipped.
func nearValues(c Cond) []uint64 {
	v := c.Value
	out := []uint64{0, math.MaxUint64, math.MaxUint32, 1 << 32, v, v - 1, v + 1,
		v ^ 1<<32, v ^ 0xffffffff_00000000, v & math.MaxUint32, v | 1<<63, v ^ 1, v + 1<<32, v - 1<<32}
	if c.Op == OpMaskedEq {
		out = append(out, v|^c.Mask, v^(c.Mask&-c.Mask), v^(c.Mask&^(c.Mask>>1)))
	}
	return out
}

func TestEvaluate(t *testing.T) {
	x86, x32 := tables.X86_64, tables.X32
	ptrace := nr(t, x86, "ptrace")
	onlyX86 := &Policy{
		ABIs: []ABIPolicy{{ABI: x86, Default: filter.Allow, Unknown: filter.Errno(enosys), Rules: []Rule{
			{Nr: ptrace, Action: filter.KillProcess},
			{Nr: nr(t, x86, "socket"), Action: filter.Errno(eafnosupport), Args: []ArgRule{
				{Conds: []Cond{{Arg: 0, Op: OpEq, Value: afUnix}}, Action: filter.Allow},
				{Conds: []Cond{{Arg: 0, Op: OpGe, Value: afInet}, {Arg: 0, Op: OpLe, Value: afInet6}}, Action: filter.Log},
			}},
		}}},
		Foreign: filter.KillThread,
		X32:     filter.Errno(7),
	}
	onlyX32 := &Policy{ABIs: []ABIPolicy{{ABI: x32, Default: filter.Allow, Unknown: filter.Trap}}, Foreign: filter.KillThread, X32: filter.Errno(7)}
	socket := int32(nr(t, x86, "socket"))
	tests := []struct {
		name string
		p    *Policy
		d    filter.SeccompData
		want filter.Action
	}{
		{"rule", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: int32(ptrace)}, filter.KillProcess},
		{"default", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: 0}, filter.Allow},
		{"unknown", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: 400}, filter.Errno(enosys)},
		// syscall(-1), how a debugger skips a call: an unknown number of
		// x86_64, as on every other ABI, not an x32 call.
		{"negative", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: -1}, filter.Errno(enosys)},
		{"x32 bit and bit 31", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: int32(ptrace) | -0x40000000}, filter.Errno(enosys)},
		{"last x32 number", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: 0x7fffffff}, filter.Errno(7)},
		{"x32 bit", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: int32(ptrace) | 0x40000000}, filter.Errno(7)},
		{"bit 31 only", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: math.MinInt32}, filter.Errno(enosys)},
		{"foreign", onlyX86, filter.SeccompData{Arch: tables.I386.Audit, Nr: 0}, filter.KillThread},
		{"first arg rule", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: socket, Args: [6]uint64{afUnix}}, filter.Allow},
		{"second arg rule", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: socket, Args: [6]uint64{afInet6}}, filter.Log},
		{"no arg rule", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: socket, Args: [6]uint64{afInet6 + 1}}, filter.Errno(eafnosupport)},
		{"high word", onlyX86, filter.SeccompData{Arch: x86.Audit, Nr: socket, Args: [6]uint64{1<<32 | afUnix}}, filter.Errno(eafnosupport)},
		{"x32 alone", onlyX32, filter.SeccompData{Arch: x32.Audit, Nr: 0x40000000}, filter.Allow},
		{"x32 unknown", onlyX32, filter.SeccompData{Arch: x32.Audit, Nr: 0x7fffffff}, filter.Trap},
		{"x86_64 under x32 alone", onlyX32, filter.SeccompData{Arch: x32.Audit, Nr: 0}, filter.KillThread},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Evaluate(&tt.d); got != tt.want {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
			prog, err := Compile(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			checkPolicy(t, tt.p, prog, []filter.SeccompData{tt.d})
		})
	}
}

// TestCompileNumbersOutsideTable is issue 15 point 4 in the compiler: a
// rule may name a number the ABI's table does not have (syscall(-1),
// which tracers use to skip a call, a call newer than the table), and
// decides exactly that number; its neighbours stay Unknown.
func TestCompileNumbersOutsideTable(t *testing.T) {
	x86 := tables.X86_64
	p := &Policy{ABIs: []ABIPolicy{{ABI: x86, Default: filter.Allow, Unknown: filter.Errno(enosys), Rules: []Rule{
		{Nr: 0xffffffff, Action: filter.Errno(1)},
		{Nr: 1000, Action: filter.KillProcess, Args: []ArgRule{{Conds: []Cond{{Arg: 0, Op: OpEq, Value: 7}}, Action: filter.Allow}}},
		{Nr: 0x80000005, Action: filter.Trap},
	}}}, Foreign: filter.KillThread, X32: filter.KillThread}
	prog, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		nr   uint32
		arg  uint64
		want filter.Action
	}{
		{0xffffffff, 0, filter.Errno(1)}, {0xfffffffe, 0, filter.Errno(enosys)},
		{1000, 0, filter.KillProcess}, {1000, 7, filter.Allow}, {999, 0, filter.Errno(enosys)}, {1001, 7, filter.Errno(enosys)},
		{0x80000005, 0, filter.Trap}, {0x80000004, 0, filter.Errno(enosys)}, {0x40000005, 0, filter.KillThread},
	} {
		d := filter.SeccompData{Arch: x86.Audit, Nr: int32(tt.nr), Args: [6]uint64{tt.arg}}
		r, err := filter.Run(prog, &d, x86.ByteOrder())
		if err != nil {
			t.Fatal(err)
		}
		if r.Ret != tt.want || p.Evaluate(&d) != tt.want {
			t.Errorf("nr %#x arg %d: program %v, Evaluate %v, want %v", tt.nr, tt.arg, r.Ret, p.Evaluate(&d), tt.want)
		}
	}
	checkPolicy(t, p, prog, probes(p))
}

// TestEvaluateNarrow checks that ABIs with 32-bit arguments compare only
// the low word.
func TestEvaluateNarrow(t *testing.T) {
	arm := tables.ARM
	p := &Policy{ABIs: []ABIPolicy{{ABI: arm, Default: filter.Allow, Unknown: filter.Allow, Rules: []Rule{
		{Nr: nr(t, arm, "socket"), Action: filter.Errno(eperm), Args: []ArgRule{
			{Conds: []Cond{{Arg: 0, Op: OpEq, Value: afUnix}}, Action: filter.Allow},
		}},
	}}}}
	d := filter.SeccompData{Arch: arm.Audit, Nr: int32(nr(t, arm, "socket")), Args: [6]uint64{0xdead_0000_0000 | afUnix}}
	if got := p.Evaluate(&d); got != filter.Allow {
		t.Errorf("Evaluate = %v, want allow", got)
	}
}

func TestCompileErrors(t *testing.T) {
	x86 := tables.X86_64
	socket := nr(t, x86, "socket")
	one := func(abi *tables.ABI, rules ...Rule) *Policy {
		return &Policy{ABIs: []ABIPolicy{{ABI: abi, Rules: rules}}}
	}
	cond := func(c Cond) Rule {
		return Rule{Nr: socket, Args: []ArgRule{{Conds: []Cond{c}, Action: filter.Allow}}}
	}
	armSocket := nr(t, tables.ARM, "socket")
	tests := []struct {
		name string
		p    *Policy
		want error
		text string
	}{
		{"no ABIs", &Policy{}, ErrNoABI, ""},
		{"nil ABI", &Policy{ABIs: []ABIPolicy{{ABI: x86}, {}}}, ErrNilABI, "ABIs[1]"},
		{"copied ABI", &Policy{ABIs: []ABIPolicy{{ABI: narrowCopy(x86)}}}, ErrNilABI, "ABIs[0] (x86_64) is not one of package tables' ABIs"},
		{"ABI twice", &Policy{ABIs: []ABIPolicy{{ABI: x86}, {ABI: tables.I386}, {ABI: x86}}}, ErrDuplicateABI, "x86_64 is ABIs[0] and ABIs[2]"},
		{"number twice", one(x86, Rule{Nr: 101}, Rule{Nr: 0}, Rule{Nr: 101}), ErrDuplicateRule, "x86_64: ptrace (101)"},
		{"number outside table twice", one(x86, Rule{Nr: 0xffffffff}, Rule{Nr: 0xffffffff}), ErrDuplicateRule, "x86_64: number 4294967295 (0xffffffff)"},
		{"x32 number on x86_64", one(x86, Rule{Nr: 0x40000000}), ErrForeignNumber, "x86_64: Rules[0] has number 1073741824 (0x40000000), which is x32's"},
		{"x32 number without bit", one(tables.X32, Rule{Nr: 0}), ErrForeignNumber, "x32: Rules[0] has number 0 (0x0), which is x86_64's"},
		{"arg 6", one(x86, cond(Cond{Arg: 6, Op: OpEq})), ErrArgIndex, "x86_64: socket (41): Args[0].Conds[0]: argument 6"},
		{"arg -1", one(x86, cond(Cond{Arg: -1, Op: OpEq})), ErrArgIndex, "argument -1"},
		{"op 0", one(x86, cond(Cond{Op: 0})), ErrOp, "socket (41): Args[0].Conds[0]: operator 0"},
		{"op 8", one(x86, cond(Cond{Op: OpMaskedEq + 1})), ErrOp, "operator 8"},
		{"wide value on arm", one(tables.ARM, Rule{Nr: armSocket, Args: []ArgRule{{Conds: []Cond{{Op: OpGt, Value: 1 << 32}}}}}),
			ErrValueRange, "arm: socket (281): Args[0].Conds[0]: value 0x100000000 does not fit the 32 bits compared on arm"},
		{"wide mask on arm", one(tables.ARM, Rule{Nr: armSocket, Args: []ArgRule{{Conds: []Cond{{Op: OpMaskedEq, Mask: 1 << 40}}}}}),
			ErrValueRange, "mask 0x10000000000"},
		{"bad action", one(x86, Rule{Nr: socket, Action: 0x12340000}), ErrAction, "socket (41): 0x12340000"},
		{"bad default", &Policy{ABIs: []ABIPolicy{{ABI: x86, Default: 0x00010000}}}, ErrAction, "x86_64 Default"},
		{"bad foreign", &Policy{ABIs: []ABIPolicy{{ABI: x86}}, Foreign: 0x00010000}, ErrAction, "Foreign"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog, err := Compile(tt.p)
			if !errors.Is(err, tt.want) || !strings.Contains(fmt.Sprint(err), tt.text) {
				t.Fatalf("Compile = %d instructions, %v; want an error wrapping %q that says %q", len(prog), err, tt.want, tt.text)
			}
		})
	}
}

// distinctArgsPolicy gives every system call of each ABI its own argument
// rule: conds conditions on distinct arguments, so no two blocks are
// alike.
func distinctArgsPolicy(conds int, abis ...*tables.ABI) *Policy {
	p := &Policy{Foreign: filter.KillProcess, X32: filter.KillThread}
	for _, abi := range abis {
		ap := ABIPolicy{ABI: abi, Default: filter.Allow, Unknown: filter.Errno(enosys)}
		for i, sc := range abi.Syscalls() {
			r := ArgRule{Action: filter.Allow}
			for c := range conds {
				r.Conds = append(r.Conds, Cond{Arg: c, Op: OpEq, Value: uint64(1000*i + c)})
			}
			ap.Rules = append(ap.Rules, Rule{Nr: sc.Nr, Action: filter.Errno(eperm), Args: []ArgRule{r}})
		}
		p.ABIs = append(p.ABIs, ap)
	}
	return p
}

// TestCompileFarJumps compiles a policy whose search jumps to argument
// blocks more than 255 instructions away.
func TestCompileFarJumps(t *testing.T) {
	p := distinctArgsPolicy(1, tables.X86_64)
	prog, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	trampolines := 0
	for _, ins := range prog {
		if ins.Code == filter.BPF_JMP|filter.BPF_JA {
			trampolines++
		}
	}
	t.Logf("%d instructions, %d trampolines", len(prog), trampolines)
	if trampolines == 0 {
		t.Errorf("no trampolines in a program of %d instructions", len(prog))
	}
	if err := filter.Verify(prog); err != nil {
		t.Fatal(err)
	}
	checkPolicy(t, p, prog, probes(p))
}

// TestCompileTooLong checks that a policy that cannot fit is refused with
// the length it would have.
func TestCompileTooLong(t *testing.T) {
	p := distinctArgsPolicy(3, tables.X86_64, tables.I386)
	prog, err := Compile(p)
	if !errors.Is(err, filter.ErrTooLong) || !strings.Contains(err.Error(), "instructions, the limit is 4096") {
		t.Fatalf("Compile = %d instructions, %v; want filter.ErrTooLong", len(prog), err)
	}
	t.Log(err)
}

// TestCompileSharesBlocks checks that identical argument checks, even of
// different ABIs, are emitted once.
func TestCompileSharesBlocks(t *testing.T) {
	p := multiABIPolicy(t)
	for i := range p.ABIs[:2] { // x86_64 and x32 have the same layout
		ap := &p.ABIs[i]
		ap.Rules = append(ap.Rules, Rule{Nr: nr(t, ap.ABI, "fcntl"), Action: filter.Errno(eperm), Args: ap.Rules[1].Args})
	}
	prog, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	loads := make(map[uint32]int)
	for _, ins := range prog {
		if ins.Code == filter.BPF_LD|filter.BPF_W|filter.BPF_ABS && ins.K >= filter.OffsetArgs {
			loads[ins.K]++
		}
	}
	// One block for x86_64 and x32 (both words of args[1]), one for
	// i386 (low word only).
	want := map[uint32]int{filter.OffsetArgs + 8: 2, filter.OffsetArgs + 12: 1}
	if fmt.Sprint(loads) != fmt.Sprint(want) {
		t.Errorf("argument loads by offset: %v, want %v\n%s", loads, want, filter.Disassemble(prog))
	}
	checkPolicy(t, p, prog, probes(p))
}

// TestCompileKeepsActionData checks that argument blocks differing only in
// the data of an action that Action.String does not spell (trap's) stay
// apart.
func TestCompileKeepsActionData(t *testing.T) {
	open, _ := tables.X86_64.Number("open")
	openat, _ := tables.X86_64.Number("openat")
	arg1 := []Cond{{Arg: 0, Op: OpEq, Value: 1}}
	p := &Policy{
		ABIs: []ABIPolicy{{ABI: tables.X86_64, Default: filter.Allow, Unknown: filter.Errno(38), Rules: []Rule{
			{Nr: open, Args: []ArgRule{{Conds: arg1, Action: filter.Trap | 1}}, Action: filter.Trap | 7},
			{Nr: openat, Args: []ArgRule{{Conds: arg1, Action: filter.Trap | 2}}, Action: filter.Trap | 9},
		}}},
		Foreign: filter.KillProcess,
	}
	prog, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []filter.SeccompData{
		{Nr: int32(open), Args: [6]uint64{1}}, {Nr: int32(open)},
		{Nr: int32(openat), Args: [6]uint64{1}}, {Nr: int32(openat)},
	} {
		d.Arch = tables.X86_64.Audit
		got, err := filter.Run(prog, &d, tables.X86_64.ByteOrder())
		if err != nil {
			t.Fatal(err)
		}
		if want := p.Evaluate(&d); got.Ret != want {
			t.Errorf("nr %d arg0 %d: %#x, want %#x", d.Nr, d.Args[0], uint32(got.Ret), uint32(want))
		}
	}
}

// narrowCopy returns a copy of abi that claims 32-bit arguments.
func narrowCopy(abi *tables.ABI) *tables.ABI {
	c := *abi
	c.WordSize = 4
	return &c
}
