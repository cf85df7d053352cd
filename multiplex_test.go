package seccomp

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// muxABIs are the ABIs whose tables have socketcall and ipc.
func muxABIs(t *testing.T) []*tables.ABI {
	t.Helper()
	var out []*tables.ABI
	for _, abi := range tables.All() {
		if len(abi.Multiplexers()) > 0 {
			out = append(out, abi)
		}
	}
	for _, want := range []*tables.ABI{tables.I386, tables.S390X, tables.PPC64, tables.PPC64LE, tables.MIPS, tables.MIPSEL} {
		if !slices.Contains(out, want) {
			t.Errorf("%s has no multiplexer", want.Name)
		}
	}
	return out
}

// run returns the action prog gives the call nr of abi with args.
func run(t *testing.T, prog *Program, abi *tables.ABI, nr uint32, args ...uint64) filter.Action {
	t.Helper()
	d := filter.SeccompData{Arch: abi.Audit, Nr: int32(nr)}
	copy(d.Args[:], args)
	r, err := filter.Run(prog.Instructions(), &d, abi.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	return r.Ret
}

func number(t *testing.T, abi *tables.ABI, name string) uint32 {
	t.Helper()
	nr, ok := abi.Number(name)
	if !ok {
		t.Fatalf("%s has no %s", abi.Name, name)
	}
	return nr
}

// TestMultiplexedDeny is issue 15 point 1: a rule on socket, msgget,
// accept, semop decides socketcall(SYS_*) and ipc(OP) too, on every ABI
// whose table has them, whatever ipc's version bits and the high bits of
// a 64-bit register say; other operations are left alone.
func TestMultiplexedDeny(t *testing.T) {
	for _, abi := range muxABIs(t) {
		t.Run(abi.Name, func(t *testing.T) {
			p := &Policy{Default: Allow, ABIs: []*tables.ABI{abi}, Rules: RulesFor(Errno(1), "socket", "msgget", "accept", "semop")}
			prog, err := p.Compile()
			if err != nil {
				t.Fatal(err)
			}
			deny, allow := filter.Errno(1), filter.Allow
			sc, ipc := number(t, abi, "socketcall"), number(t, abi, "ipc")
			high := uint64(0)
			if abi.WordSize == 8 {
				high = 1 << 32 // the kernel reads the int call only
			}
			for _, tt := range []struct {
				nr   uint32
				a0   uint64
				want filter.Action
			}{
				{sc, 1, deny}, {sc, 1 | high, deny}, {sc, 5, deny}, {sc, 2, allow}, {sc, 18, allow}, {sc, 0, allow},
				{ipc, 13, deny}, {ipc, 1<<16 | 13, deny}, {ipc, 0xffff0000 | 13 | high, deny}, {ipc, 1, deny},
				{ipc, 2, allow}, {ipc, 14, allow}, {ipc, 13 << 16, allow},
			} {
				if got := run(t, prog, abi, tt.nr, tt.a0); got != tt.want {
					t.Errorf("nr %d a0 %#x: %v, want %v", tt.nr, tt.a0, got, tt.want)
				}
			}
			if s := prog.Skipped(); slices.ContainsFunc(s, func(s Skipped) bool { return s.Syscall == "accept" || s.Syscall == "semop" }) {
				t.Errorf("Skipped %v: accept and semop go through the multiplexers", s)
			}
			var routed []string
			for _, r := range prog.Routed() {
				routed = append(routed, fmt.Sprintf("%s/%s/%d", r.Syscall, r.Via, r.Op))
			}
			if want := []string{"socket/socketcall/1", "msgget/ipc/13", "accept/socketcall/5", "semop/ipc/1"}; !slices.Equal(routed, want) {
				t.Errorf("Routed %v, want %v", routed, want)
			}
		})
	}
}

// TestMultiplexedOnlyRoute: on i386, accept, send, recv, semop and
// semtimedop exist only through the multiplexers; a rule on them is
// kept there and reported as the only route, not skipped.
func TestMultiplexedOnlyRoute(t *testing.T) {
	p := &Policy{Default: Allow, ABIs: []*tables.ABI{tables.I386}, Rules: RulesFor(KillProcess, "accept", "send", "recv", "semop", "semtimedop")}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if s := prog.Skipped(); len(s) != 0 {
		t.Errorf("Skipped %v, want none", s)
	}
	for _, r := range prog.Routed() {
		if !r.Only {
			t.Errorf("%v: want Only", r)
		}
	}
	sc, ipc := number(t, tables.I386, "socketcall"), number(t, tables.I386, "ipc")
	for _, c := range []struct{ nr, op uint32 }{{sc, 5}, {sc, 9}, {sc, 10}, {ipc, 1}, {ipc, 4}} {
		if got := run(t, prog, tables.I386, c.nr, uint64(c.op)); got != filter.KillProcess {
			t.Errorf("nr %d op %d: %v, want kill-process", c.nr, c.op, got)
		}
	}
}

// TestMultiplexedConditions: socketcall's arguments are in memory, so a
// rule with conditions gives its route the most restrictive outcome the
// direct call can get (kill > trap > errno > allow), and says so; ipc's
// are in registers, so conditions are checked there, moved to the
// registers ksys_ipc reads them from, and a call that matches none gets
// the call's own fallback, not the rules on ipc.
func TestMultiplexedConditions(t *testing.T) {
	abi := tables.I386
	p := &Policy{Default: Allow, ABIs: []*tables.ABI{abi}, Rules: []Rule{
		{Syscall: "socket", Action: Allow, Args: []Cond{{Arg: 0, Op: Eq, Value: 1}}},    // AF_UNIX
		{Syscall: "socket", Action: Trap, Args: []Cond{{Arg: 0, Op: Eq, Value: 2}}},     // AF_INET
		{Syscall: "socket", Action: Errno(13)},                                          // the rest
		{Syscall: "msgget", Action: Errno(1), Args: []Cond{{Arg: 1, Op: Eq, Value: 7}}}, // msgflg, ipc's a2
		{Syscall: "semctl", Action: Errno(2), Args: []Cond{{Arg: 2, Op: Eq, Value: 2}}}, // cmd: IPC_64 is stripped
		{Syscall: "ipc", Action: KillProcess},
	}}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	sc, ipc, socket := number(t, abi, "socketcall"), number(t, abi, "ipc"), number(t, abi, "socket")
	for _, tt := range []struct {
		name string
		nr   uint32
		args []uint64
		want filter.Action
	}{
		{"socket AF_UNIX direct", socket, []uint64{1}, filter.Allow},
		{"socket AF_INET direct", socket, []uint64{2}, filter.Trap},
		{"socket other direct", socket, []uint64{10}, filter.Errno(13)},
		{"socketcall(SYS_SOCKET)", sc, []uint64{1, 0}, filter.Trap},
		{"msgget flag 7", ipc, []uint64{13, 0, 7}, filter.Errno(1)},
		{"msgget version 1 flag 7", ipc, []uint64{1<<16 | 13, 0, 7}, filter.Errno(1)},
		{"msgget key 7", ipc, []uint64{13, 7, 0}, filter.Allow},
		{"semctl", ipc, []uint64{3, 0, 0, 0x102}, filter.Errno(2)},
		{"semctl other cmd", ipc, []uint64{3, 0, 0, 0}, filter.Errno(2)},
		{"shmget", ipc, []uint64{23}, filter.KillProcess},
	} {
		if got := run(t, prog, abi, tt.nr, tt.args...); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	var unchecked []string
	for _, r := range prog.Routed() {
		if r.Unchecked {
			unchecked = append(unchecked, r.Syscall+" "+string(r.Action))
		}
	}
	if want := []string{"socket trap", "semctl errno:2"}; !slices.Equal(unchecked, want) {
		t.Errorf("Unchecked %v, want %v", unchecked, want)
	}
}

// TestMultiplexedAsWritten: MultiplexAsWritten derives nothing.
func TestMultiplexedAsWritten(t *testing.T) {
	p := &Policy{Default: Allow, ABIs: []*tables.ABI{tables.S390X}, Rules: RulesFor(Errno(1), "socket", "accept"), Multiplexers: MultiplexAsWritten}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, prog, tables.S390X, number(t, tables.S390X, "socketcall"), 1); got != filter.Allow {
		t.Errorf("socketcall(1): %v, want allow", got)
	}
	if s := prog.Skipped(); len(s) != 1 || s[0].Syscall != "accept" {
		t.Errorf("Skipped %v, want accept", s)
	}
}

// TestMultiplexedNeverLooser checks, on random-ish policies, that the
// multiplexed route of each call is never less restrictive than the
// direct call with some arguments: the action through the multiplexer
// is one the direct call can get, or precedes all of them.
func TestMultiplexedNeverLooser(t *testing.T) {
	actions := []Action{Allow, Log, Errno(1), Trap, KillThread, KillProcess}
	for seed := range 200 {
		abi := []*tables.ABI{tables.I386, tables.S390X, tables.PPC64LE, tables.MIPSEL}[seed%4]
		var rules []Rule
		for k := range 3 {
			a := actions[(seed/4+k*5)%len(actions)]
			rules = append(rules, Rule{Syscall: "connect", Action: a, Args: []Cond{{Arg: k % 3, Op: Eq, Value: uint64(k)}}})
		}
		rules = append(rules, Rule{Syscall: "socketcall", Action: actions[seed%len(actions)]})
		p := &Policy{Default: actions[(seed/7)%len(actions)], ABIs: []*tables.ABI{abi}, Rules: rules}
		prog, err := p.Compile()
		if err != nil {
			t.Fatal(err)
		}
		connect := number(t, abi, "connect")
		var direct []filter.Action
		for _, args := range [][]uint64{{0}, {0, 1}, {0, 0, 2}, {9, 9, 9}} {
			direct = append(direct, run(t, prog, abi, connect, args...))
		}
		got := run(t, prog, abi, number(t, abi, "socketcall"), 3)
		for _, d := range direct {
			if d.Precedes(got) {
				t.Fatalf("seed %d (%s): socketcall(SYS_CONNECT) gets %v, looser than %v, which connect gets", seed, abi.Name, got, d)
			}
		}
	}
}

// TestRulesByNumber is issue 15 point 4: a rule may name a number, in
// decimal, hexadecimal or as -1; it decides that number only, or the
// call the table gives it, and numbers that cannot be the ABI's are
// refused.
func TestRulesByNumber(t *testing.T) {
	x86 := tables.X86_64
	p := &Policy{Default: Allow, ABIs: []*tables.ABI{x86}, Rules: []Rule{
		{Syscall: "-1", Action: Errno(1)},
		{Syscall: "0x3e7", Action: Errno(2)}, // 999: newer than the table
		{Syscall: "41", Action: Errno(3)},    // socket
		{Syscall: "0x80000005", Action: Errno(4)},
	}}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		nr   uint32
		want filter.Action
	}{{0xffffffff, filter.Errno(1)}, {0xfffffffe, filter.Errno(38)}, {999, filter.Errno(2)}, {998, filter.Errno(38)},
		{41, filter.Errno(3)}, {0x80000005, filter.Errno(4)}, {0x40000000 | 41, filter.KillProcess}} {
		if got := run(t, prog, x86, tt.nr); got != tt.want {
			t.Errorf("nr %#x: %v, want %v", tt.nr, got, tt.want)
		}
	}
	// A number that is a call of the table is that call, on every route.
	s390 := &Policy{Default: Allow, ABIs: []*tables.ABI{tables.S390X}, Rules: RulesFor(Errno(1), fmt.Sprint(number(t, tables.S390X, "socket")))}
	prog, err = s390.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, prog, tables.S390X, number(t, tables.S390X, "socketcall"), 1); got != filter.Errno(1) {
		t.Errorf("s390x socketcall(1) under a rule on socket's number: %v", got)
	}
	for _, tt := range []struct {
		name string
		abi  *tables.ABI
		nr   string
	}{
		{"x32 bit on x86_64", x86, "0x40000001"},
		{"x32 bit on aarch64", tables.AArch64, "1073741825"},
		{"x32 without bit", tables.X32, "1"},
		{"-1 on x32", tables.X32, "-1"},
		{"too big", x86, "4294967296"},
		{"too small", x86, "-2147483649"},
		{"not a number", x86, "12abc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &Policy{Default: Allow, ABIs: []*tables.ABI{tt.abi}, Rules: RulesFor(Errno(1), tt.nr)}
			_, err := p.Compile()
			var pe *PolicyError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalidRule) || pe.Field != "Rules[0].Syscall" {
				t.Errorf("Compile: %v; want a PolicyError on Rules[0].Syscall wrapping ErrInvalidRule", err)
			}
		})
	}
}

// TestMultiplexedIPCExact checks, on random policies over the ipc calls
// with conditions on the arguments ipc passes in registers, that
// ipc(version<<16 | OP, …) gets exactly what the direct call gets with
// the same arguments, on every ABI with ipc (the direct call's meaning
// is its rules' first match); an operation no rule names is left to the
// rules on ipc itself.
func TestMultiplexedIPCExact(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2026))
	actions := []Action{Allow, Errno(1), Errno(2), Trap, KillProcess, Log}
	calls := []string{"semget", "msgget", "msgsnd", "shmget", "shmat", "semop", "semtimedop"}
	for _, abi := range muxABIs(t) {
		m, _ := abi.Multiplexed("msgget")
		for range 40 {
			var rules []Rule
			for range 1 + r.IntN(6) {
				name := calls[r.IntN(len(calls))]
				via, _ := abi.Multiplexed(name)
				var args []int
				for i, k := range via.Args {
					if k >= 0 {
						args = append(args, i)
					}
				}
				rule := Rule{Syscall: name, Action: actions[r.IntN(len(actions))]}
				for range r.IntN(3) {
					rule.Args = append(rule.Args, Cond{Arg: args[r.IntN(len(args))], Op: Comparison(1 + r.IntN(6)), Value: uint64(r.IntN(4))})
				}
				rules = append(rules, rule)
			}
			rules = append(rules, Rule{Syscall: "ipc", Action: actions[r.IntN(len(actions))]})
			p := &Policy{Default: actions[r.IntN(len(actions))], ABIs: []*tables.ABI{abi}, Rules: dropUnreachable(rules)}
			prog, err := p.Compile()
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range calls {
				via, _ := abi.Multiplexed(name)
				for range 20 {
					var direct [6]uint64
					for i := range direct {
						direct[i] = uint64(r.IntN(4))
					}
					var regs [6]uint64
					regs[0] = uint64(r.IntN(2))<<32 | uint64(r.IntN(3))<<16 | uint64(via.Op) // bits the kernel ignores
					for i, k := range via.Args {
						if k >= 0 {
							regs[k] = direct[i]
						}
					}
					want := firstMatch(p, name, direct)
					if !slices.ContainsFunc(p.Rules, func(r Rule) bool { return r.Syscall == name }) {
						// No rule names the call: the rule on ipc decides.
						want = firstMatch(p, "ipc", direct)
					}
					if got := run(t, prog, abi, m.Nr, regs[:]...); got != want {
						t.Fatalf("%s: ipc(%#x, …) for %s%v gets %v, the call %v\n%v", abi.Name, regs[0], name, direct, got, want, p.Rules)
					}
				}
			}
		}
	}
}

// dropUnreachable removes the rules that follow an unconditional rule
// for the same call, which Compile refuses.
func dropUnreachable(rules []Rule) []Rule {
	closed := map[string]bool{}
	var out []Rule
	for _, r := range rules {
		if closed[r.Syscall] {
			continue
		}
		closed[r.Syscall] = len(r.Args) == 0
		out = append(out, r)
	}
	return out
}

// firstMatch is the policy's meaning for a direct call: the first rule
// for it whose conditions hold, else Default.
func firstMatch(p *Policy, name string, args [6]uint64) filter.Action {
	abi := p.ABIs[0]
	for _, r := range p.Rules {
		if r.Syscall != name {
			continue
		}
		ok := true
		for _, c := range r.Args {
			v := args[c.Arg]
			switch c.Op {
			case Eq:
				ok = ok && v == c.Value
			case Ne:
				ok = ok && v != c.Value
			case Lt:
				ok = ok && v < c.Value
			case Le:
				ok = ok && v <= c.Value
			case Gt:
				ok = ok && v > c.Value
			case Ge:
				ok = ok && v >= c.Value
			}
		}
		if ok {
			a, _ := r.Action.Resolve(abi)
			return a
		}
	}
	a, _ := p.Default.Resolve(abi)
	return a
}

// BenchmarkCompileMultiplexed compiles an allowlist of every call of
// i386 (whose table has socketcall and ipc) and of a policy with n rules
// on the multiplexed calls, with the routes derived and as written, so
// that the cost of deriving them reads as a ratio to the same compile
// without it; doubling n should double both.
func BenchmarkCompileMultiplexed(b *testing.B) {
	abi := tables.I386
	var all []string
	for i := range abi.Len() {
		all = append(all, abi.At(i).Name)
	}
	calls := []string{"socket", "connect", "accept", "sendto", "recvfrom", "msgget", "semop", "shmat", "semtimedop"}
	for _, n := range []int{100, 200, 400} {
		var rules []Rule
		for i := range n {
			rules = append(rules, Rule{Syscall: calls[i%len(calls)], Action: Errno(1), Args: []Cond{{Arg: 1, Op: Eq, Value: uint64(i)}}})
		}
		rules = append(rules, RulesFor(Allow, all...)...)
		for _, mode := range []MultiplexMode{MultiplexAsWritten, MultiplexDerive} {
			p := &Policy{Default: KillProcess, ABIs: []*tables.ABI{abi}, Rules: rules, Multiplexers: mode}
			name := fmt.Sprintf("rules=%d/derive=%v", n, mode == MultiplexDerive)
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					if _, err := p.Compile(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
