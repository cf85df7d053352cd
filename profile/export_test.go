package profile_test

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// decider runs a compiled program on calls of one ABI.
type decider struct {
	insns []filter.Instruction
	abi   *tables.ABI
}

func compiled(t *testing.T, p *seccomp.Policy, abi *tables.ABI) decider {
	t.Helper()
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return decider{prog.Instructions(), abi}
}

func (d decider) decide(t *testing.T, nr uint32, args [6]uint64) filter.Action {
	t.Helper()
	sd := filter.SeccompData{Nr: int32(nr), Arch: d.abi.Audit, Args: args}
	r, err := filter.Run(d.insns, &sd, d.abi.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	return r.Ret
}

// probes returns argument words that sit on both sides of every value
// and mask of the policy's conditions, on 64 and on 32 bits.
func probes(p *seccomp.Policy) []uint64 {
	vs := []uint64{0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1<<32 | 1, ^uint64(0), 1 << 63}
	for _, r := range p.Rules {
		for _, c := range r.Args {
			for _, v := range []uint64{c.Value, c.Mask, c.Value | ^c.Mask, c.Value &^ 1} {
				vs = append(vs, v, v+1, v-1, v|1<<32, v|0xffffffff00000000, v&0xffffffff, v^1<<31)
			}
		}
	}
	slices.Sort(vs)
	return slices.Compact(vs)
}

// exactly reports where the profile written for p decides a call of the
// named system calls otherwise than p, on every ABI p covers.
// It returns false, having checked nothing, when saying the rules
// exactly takes more than MaxExportRules profile rules or a program
// longer than the kernel takes.
func exactly(t *testing.T, p *seccomp.Policy, names []string, rng *rand.Rand) bool {
	t.Helper()
	s, lost, err := profile.FromPolicy(p, nil)
	if len(lost) > 0 && !slices.ContainsFunc(lost, func(l profile.Loss) bool { return l.Kind != profile.LossTooMany }) ||
		err != nil && strings.Contains(err.Error(), "program too long") {
		return false
	}
	if err != nil {
		t.Fatalf("FromPolicy: %v", err)
	}
	res, err := profile.Translate(s, &profile.Options{ABI: p.ABIs[0]})
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	vs := probes(p)
	for _, abi := range p.ABIs {
		want, got := compiled(t, p, abi), compiled(t, res.Policy, abi)
		for _, name := range names {
			nr, ok := abi.Number(name)
			if !ok {
				continue
			}
			for range 200 {
				var args [6]uint64
				for i := range args {
					args[i] = vs[rng.IntN(len(vs))]
					if abi.WordSize == 4 {
						args[i] &= 0xffffffff
					}
				}
				if w, g := want.decide(t, nr, args), got.decide(t, nr, args); w != g {
					t.Fatalf("%s %s%#x: the policy gives %v, its profile %v", abi.Name, name, args, w, g)
				}
			}
		}
	}
	return true
}

// randomPolicy returns a policy for abi with up to four rules for each
// of names, some ending in a rule without conditions, with conditions on
// up to three arguments whose values and masks sit around bit 31 and 32.
func randomPolicy(rng *rand.Rand, abi *tables.ABI, names []string) *seccomp.Policy {
	actions := []seccomp.Action{seccomp.Allow, seccomp.Errno(1), seccomp.Errno(13), seccomp.KillProcess, seccomp.Log, seccomp.Trace(7)}
	values := []uint64{0, 1, 8, 0x5412, 0x20000, 0x20008, 0x7e020000, 0xffffffff, 1 << 33, 0xdead_0000_0000_0008}
	p := &seccomp.Policy{ABIs: []*tables.ABI{abi}, Foreign: seccomp.KillThread, Default: actions[rng.IntN(len(actions))]}
	p.Unknown = p.Default
	if rng.IntN(4) == 0 {
		p.Unknown = seccomp.Errno(38) // every name is listed
	}
	for _, name := range names {
		n := rng.IntN(5)
		for j := range n {
			r := seccomp.Rule{Syscall: name, Action: actions[rng.IntN(len(actions))]}
			if j == n-1 && rng.IntN(2) == 0 {
				p.Rules = append(p.Rules, r) // a catch-all last
				break
			}
			for range 1 + rng.IntN(2) {
				c := seccomp.Cond{Arg: rng.IntN(3), Op: seccomp.Comparison(1 + rng.IntN(7)), Value: values[rng.IntN(len(values))]}
				if rng.IntN(2) == 0 {
					c.Width = 32
				}
				if c.Op == seccomp.MaskedEq {
					c.Mask = values[rng.IntN(len(values))] | c.Value
				}
				if c.Width == 32 || abi.WordSize == 4 {
					c.Value &= 0xffffffff
					c.Mask &= 0xffffffff
				}
				r.Args = append(r.Args, c)
			}
			p.Rules = append(p.Rules, r)
		}
	}
	return p
}

var exportABIs = []*tables.ABI{tables.X86_64, tables.AArch64, tables.S390X, tables.I386, tables.ARM, tables.MIPS}

// TestFromPolicyExact (issue 15.5): Width 32 conditions and first-match
// rules with different actions that overlap are written exactly, on
// 64-bit and 32-bit ABIs, and read back into the same decisions.
func TestFromPolicyExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 5))
	eperm := seccomp.ErrnoNamed("EPERM")
	c := func(arg int, op seccomp.Comparison, v uint64, width int) seccomp.Cond {
		return seccomp.Cond{Arg: arg, Op: op, Value: v, Width: width}
	}
	masked := func(arg int, mask, v uint64) seccomp.Cond {
		return seccomp.Cond{Arg: arg, Op: seccomp.MaskedEq, Mask: mask, Value: v}
	}
	cases := map[string][]seccomp.Rule{
		// The built-ins' ioctl rules.
		"u32 eq denied": {{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{c(1, seccomp.Eq, 0x5412, 32)}},
			{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{c(1, seccomp.Eq, 0x541c, 32)}}},
		// The built-ins' personality: some allowed, the rest refused.
		"u32 eq allowed, then a catch-all": {{Syscall: "personality", Action: seccomp.Allow, Args: []seccomp.Cond{c(0, seccomp.Eq, 0, 32)}},
			{Syscall: "personality", Action: seccomp.Allow, Args: []seccomp.Cond{c(0, seccomp.Eq, 0xffffffff, 32)}},
			{Syscall: "personality", Action: eperm}},
		// sandbox-strict's clone.
		"masked, then a catch-all": {{Syscall: "clone", Action: seccomp.Allow, Args: []seccomp.Cond{masked(0, 0x7e020000, 0)}},
			{Syscall: "clone", Action: eperm}},
		// The first match decides where both match.
		"overlapping": {{Syscall: "kill", Action: seccomp.Allow, Args: []seccomp.Cond{c(1, seccomp.Eq, 5, 0)}},
			{Syscall: "kill", Action: eperm, Args: []seccomp.Cond{c(1, seccomp.Lt, 10, 0)}},
			{Syscall: "kill", Action: seccomp.KillProcess, Args: []seccomp.Cond{c(0, seccomp.Eq, 1, 0)}}},
		"two arguments, then a catch-all": {{Syscall: "kill", Action: seccomp.Allow, Args: []seccomp.Cond{c(0, seccomp.Eq, 1, 0), c(1, seccomp.Eq, 2, 0)}},
			{Syscall: "kill", Action: eperm}},
		"u32 above": {{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{c(0, seccomp.Gt, 0x1000, 32)}}},
		"u32 ne":    {{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{c(0, seccomp.Ne, 0x1000, 32)}}},
		"ne and lt": {{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{c(0, seccomp.Ne, 0x1000, 0), c(2, seccomp.Lt, 7, 0)}}},
	}
	names := []string{"ioctl", "personality", "clone", "kill"}
	for name, rules := range cases {
		for _, abi := range exportABIs {
			for _, def := range []seccomp.Action{seccomp.Allow, seccomp.KillProcess} {
				for _, unknown := range []seccomp.Action{def, seccomp.ErrnoNamed("ENOSYS")} {
					p := &seccomp.Policy{ABIs: []*tables.ABI{abi}, Default: def, Unknown: unknown, Foreign: seccomp.KillProcess, Rules: rules}
					t.Run(fmt.Sprintf("%s/%s/%s/%s", name, abi.Name, def, unknown), func(t *testing.T) {
						if !exactly(t, p, names, rng) {
							_, lost, err := profile.FromPolicy(p, nil)
							t.Errorf("not written exactly: %v, %v", lost, err)
						}
					})
				}
			}
		}
	}
}

// TestFromPolicyRandom (issue 15.5): random first-match chains of rules
// with several conditions each are written exactly, or refused as
// taking too many profile rules (LossTooMany, as "(u32)arg0 != 1 &&
// (u32)arg1 != 2" does: each 32-bit inequality is 32 masked
// comparisons), never written wrong.
func TestFromPolicyRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 7))
	names := []string{"ioctl", "personality", "clone", "kill"}
	var tried, exact int
	for _, abi := range exportABIs {
		for i := 0; i < 10; {
			p := randomPolicy(rng, abi, names)
			if _, err := p.Compile(); err != nil {
				continue
			}
			i++
			tried++
			t.Run(fmt.Sprintf("%s/%d", abi.Name, i), func(t *testing.T) {
				if exactly(t, p, names, rng) {
					exact++
				}
			})
		}
	}
	t.Logf("%d of %d policies written exactly", exact, tried)
}

// TestFromPolicyBuiltins (issue 15.5): the built-in policies are written
// exactly for every ABI: personality's allowed personas, clone without
// namespace flags and the terminal ioctls keep their first-match
// meaning and their 32-bit comparisons, and the numbers the table does
// not know keep ENOSYS.
func TestFromPolicyBuiltins(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 6))
	for _, name := range seccomp.BuiltinNames() {
		for _, abi := range tables.All() {
			p, err := seccomp.BuiltinPolicy(name)
			if err != nil {
				t.Fatal(err)
			}
			p.ABIs = []*tables.ABI{abi}
			p.Foreign = seccomp.KillThread
			t.Run(name+"/"+abi.Name, func(t *testing.T) {
				if !exactly(t, p, []string{"personality", "clone", "ioctl", "ptrace", "read", "clone3", "unshare"}, rng) {
					t.Fatal("not written exactly")
				}
				s, _, err := profile.FromPolicy(p, nil)
				if err != nil {
					t.Fatal(err)
				}
				res, err := profile.Translate(s, &profile.Options{ABI: abi})
				if err != nil {
					t.Fatal(err)
				}
				got := compiled(t, res.Policy, abi)
				if a := got.decide(t, abi.At(abi.Len()-1).Nr+1, [6]uint64{}); a.Kind() != filter.ErrnoBase {
					t.Errorf("a number after the table: %v, want ENOSYS", a)
				}
				nr, _ := abi.Number("personality")
				if a := got.decide(t, nr, [6]uint64{0}); a != filter.Allow {
					t.Errorf("personality(0): %v, want allow", a)
				}
			})
		}
	}
}

// TestFromPolicyLossy (issue 15.5): what the format cannot say makes
// FromPolicy fail with the list, as values; with Lossy the profile is
// written and refuses at least every call the policy refuses.
func TestFromPolicyLossy(t *testing.T) {
	eperm := seccomp.ErrnoNamed("EPERM")
	p := &seccomp.Policy{Default: seccomp.Allow, Unknown: seccomp.Allow, Foreign: seccomp.Allow,
		ABIs: []*tables.ABI{tables.X86_64, tables.I386}, Rules: []seccomp.Rule{
			{Syscall: "ioctl", Action: seccomp.Allow, Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: 0x5412}}, ABIs: []*tables.ABI{tables.I386}},
			{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Lt, Value: 0x6000}}},
			{Syscall: "kill", Action: seccomp.Action("trap:9")},
			{Syscall: "ptrace", Action: eperm},
		}}
	_, lost, err := profile.FromPolicy(p, nil)
	var le *profile.LossError
	if !errors.As(err, &le) || !errors.Is(err, profile.ErrLossy) {
		t.Fatalf("FromPolicy: %v, want a *LossError", err)
	}
	kinds := map[profile.LossKind]string{}
	for _, l := range lost {
		kinds[l.Kind] = l.Syscall
	}
	want := map[profile.LossKind]string{profile.LossForeign: "", profile.LossABIs: "ioctl", profile.LossTrapData: "kill"}
	if !maps.Equal(kinds, want) {
		t.Errorf("losses %v, want kinds and calls %v", lost, want)
	}
	s, lost2, err := profile.FromPolicy(p, &profile.ExportOptions{Lossy: true})
	if err != nil || !slices.Equal(lost, lost2) {
		t.Fatalf("Lossy: %v, losses %v and %v", err, lost, lost2)
	}
	res, err := profile.Translate(s, &profile.Options{ABI: tables.X86_64})
	if err != nil {
		t.Fatal(err)
	}
	for _, abi := range p.ABIs {
		want, got := compiled(t, p, abi), compiled(t, res.Policy, abi)
		for i := range abi.Len() {
			nr := abi.At(i).Nr
			for _, v := range probes(p) {
				args := [6]uint64{v, v, v}
				if abi.WordSize == 4 {
					args = [6]uint64{v & 0xffffffff, v & 0xffffffff, v & 0xffffffff}
				}
				w, g := want.decide(t, nr, args), got.decide(t, nr, args)
				if w.Kind() != filter.Allow && g.Kind() == filter.Allow {
					t.Fatalf("%s %s%#x: the policy refuses (%v), the lossy profile allows", abi.Name, abi.At(i).Name, args, w)
				}
			}
		}
	}
}

// TestFromPolicyLossyKeepsArguments (issue 15.5): with Lossy, a call
// whose rules differ between the covered ABIs gets, for each argument,
// the most restrictive of their decisions, not one action for all: here
// ioctl(fd, 0x7000) stays allowed, as every ABI allows it.
func TestFromPolicyLossyKeepsArguments(t *testing.T) {
	eperm := seccomp.ErrnoNamed("EPERM")
	p := &seccomp.Policy{Default: seccomp.Allow, Unknown: seccomp.Allow, Foreign: seccomp.KillThread,
		ABIs: []*tables.ABI{tables.X86_64, tables.I386}, Rules: []seccomp.Rule{
			{Syscall: "ioctl", Action: seccomp.Allow, Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: 0x5412}}, ABIs: []*tables.ABI{tables.I386}},
			{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Lt, Value: 0x6000}}},
		}}
	s, lost, err := profile.FromPolicy(p, &profile.ExportOptions{Lossy: true})
	if err != nil || len(lost) != 1 || lost[0].Kind != profile.LossABIs {
		t.Fatalf("FromPolicy: %v, losses %v; want one LossABIs", err, lost)
	}
	res, err := profile.Translate(s, &profile.Options{ABI: tables.X86_64})
	if err != nil {
		t.Fatal(err)
	}
	for _, abi := range p.ABIs {
		d := compiled(t, res.Policy, abi)
		nr, _ := abi.Number("ioctl")
		for _, tc := range []struct {
			arg  uint64
			kind filter.Action
		}{{0x5412, filter.ErrnoBase}, {0x1, filter.ErrnoBase}, {0x7000, filter.Allow}} {
			if got := d.decide(t, nr, [6]uint64{3, tc.arg}); got.Kind() != tc.kind {
				t.Errorf("%s ioctl(3, %#x): %v, want %v", abi.Name, tc.arg, got, tc.kind)
			}
		}
	}
}

// TestFromPolicyMultiplexed (issues 15.5 and 15.1): where a covered ABI
// reaches socket, accept and semop through socketcall and ipc, the
// profile says the multiplexers' decisions the root derives, so that it
// is read back exactly whatever the reader derives; a rule with
// conditions on such a call, which libseccomp derives otherwise, is a
// LossMultiplexed, and with Lossy the call gets its most restrictive
// action.
func TestFromPolicyMultiplexed(t *testing.T) {
	eperm := seccomp.ErrnoNamed("EPERM")
	for _, abis := range [][]*tables.ABI{{tables.I386}, {tables.S390X}, {tables.X86_64, tables.I386}, {tables.PPC64LE}} {
		for _, unknown := range []seccomp.Action{seccomp.Allow, seccomp.ErrnoNamed("ENOSYS")} {
			p := &seccomp.Policy{Default: seccomp.Allow, Unknown: unknown, Foreign: seccomp.KillThread, ABIs: abis,
				Rules: seccomp.RulesFor(eperm, "socket", "accept", "semop", "msgget")}
			s, lost, err := profile.FromPolicy(p, nil)
			if err != nil || len(lost) > 0 {
				t.Fatalf("%s: %v, losses %v", abiList(abis), err, lost)
			}
			res, err := profile.Translate(s, &profile.Options{ABI: abis[0]})
			if err != nil {
				t.Fatal(err)
			}
			for _, abi := range abis {
				d := compiled(t, res.Policy, abi)
				for _, tc := range []struct {
					via     string
					op      uint64
					refused bool
				}{{"socketcall", 1, true}, {"socketcall", 5, true}, {"socketcall", 2, false}, {"ipc", 1, true}, {"ipc", 13 | 1<<16, true}, {"ipc", 2, false}} {
					nr, ok := abi.Number(tc.via)
					if !ok {
						continue
					}
					if got := d.decide(t, nr, [6]uint64{tc.op}); (got.Kind() == filter.ErrnoBase) != tc.refused {
						t.Errorf("%s, unknown %s: %s %s(%#x): %v, refused %v", abiList(abis), unknown, abi.Name, tc.via, tc.op, got, tc.refused)
					}
				}
			}
		}
	}
	p := &seccomp.Policy{Default: eperm, Unknown: eperm, Foreign: seccomp.KillThread, ABIs: []*tables.ABI{tables.I386},
		Rules: []seccomp.Rule{{Syscall: "socket", Action: seccomp.Allow, Args: []seccomp.Cond{{Arg: 0, Op: seccomp.Eq, Value: 1}}}}}
	_, lost, err := profile.FromPolicy(p, nil)
	if !errors.Is(err, profile.ErrLossy) || len(lost) != 1 || lost[0].Kind != profile.LossMultiplexed {
		t.Fatalf("socket(AF_UNIX) allowed on x86: %v, losses %v; want one LossMultiplexed", err, lost)
	}
	s, _, err := profile.FromPolicy(p, &profile.ExportOptions{Lossy: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := profile.Translate(s, &profile.Options{ABI: tables.I386})
	if err != nil {
		t.Fatal(err)
	}
	d := compiled(t, res.Policy, tables.I386)
	for _, call := range []string{"socket", "socketcall"} {
		nr, _ := tables.I386.Number(call)
		if got := d.decide(t, nr, [6]uint64{1}); got.Kind() != filter.ErrnoBase {
			t.Errorf("Lossy: %s(1): %v, want EPERM, the most restrictive", call, got)
		}
	}
}

func abiList(abis []*tables.ABI) string {
	var names []string
	for _, a := range abis {
		names = append(names, a.Name)
	}
	return strings.Join(names, ",")
}

// BenchmarkFromPolicy writes a denylist of n ioctl requests (Width 32,
// as the built-ins compare them) for growing n; ns/rule stays flat when
// the cost is linear in the rules.
func BenchmarkFromPolicy(b *testing.B) {
	for _, n := range []int{64, 256, 1024} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			p := &seccomp.Policy{Default: seccomp.Allow, Unknown: seccomp.Allow, Foreign: seccomp.KillThread, ABIs: []*tables.ABI{tables.X86_64}}
			for i := range n {
				p.Rules = append(p.Rules, seccomp.Rule{Syscall: "ioctl", Action: seccomp.ErrnoNamed("EPERM"),
					Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: uint64(0x5400 + 7*i), Width: 32}}})
			}
			b.ResetTimer()
			for range b.N {
				if _, _, err := profile.FromPolicy(p, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/rule")
		})
	}
}
