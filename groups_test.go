package seccomp

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

// tableCalls returns the names of every call of every table (aliases
// are other names of calls, not calls).
func tableCalls() []string {
	var names []string
	for _, abi := range tables.All() {
		for i := range abi.Len() {
			names = append(names, abi.At(i).Name)
		}
	}
	return names
}

// TestEveryCallIsGrouped fails when a table has a call no group names:
// a table refresh that adds a call makes someone decide its group.
func TestEveryCallIsGrouped(t *testing.T) {
	if missing := ungrouped(tableCalls()); len(missing) > 0 {
		t.Fatalf("calls no syscall group names (add each to a group in groups.go, with the reason): %v", missing)
	}
}

// TestTableRefreshAddingUngroupedCallFails feeds the check of
// TestEveryCallIsGrouped the tables plus a call as a refresh would add
// it, and wants it named.
func TestTableRefreshAddingUngroupedCallFails(t *testing.T) {
	refreshed := append(tableCalls(), "frobnicate_at")
	if got := ungrouped(refreshed); !slices.Equal(got, []string{"frobnicate_at"}) {
		t.Fatalf("ungrouped(tables + frobnicate_at) = %v, want [frobnicate_at]", got)
	}
}

// TestGroupNamesAreKnown: every name a group lists is a call of some
// table, and each group lists a call once.
func TestGroupNamesAreKnown(t *testing.T) {
	calls := make(map[string]bool)
	for _, n := range tableCalls() {
		calls[n] = true
	}
	for _, g := range syscallGroups {
		seen := make(map[string]bool)
		for _, e := range g.calls {
			if e.why == "" {
				t.Errorf("%s: an entry without a reason: %v", g.name, e.names)
			}
			for _, n := range e.names {
				if !calls[n] {
					t.Errorf("%s: %s is a call of no table", g.name, n)
				}
				if seen[n] {
					t.Errorf("%s: %s twice", g.name, n)
				}
				seen[n] = true
			}
		}
	}
}

// TestGroupPerABI: a group stands for the calls the ABI has.
func TestGroupPerABI(t *testing.T) {
	fs386, err := Group("@file-system", tables.I386)
	if err != nil {
		t.Fatal(err)
	}
	fsArm64, err := Group("@file-system", tables.AArch64)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"stat64", "fstatat64", "open"} {
		if !slices.Contains(fs386, n) {
			t.Errorf("@file-system on x86 lacks %s", n)
		}
		if slices.Contains(fsArm64, n) {
			t.Errorf("@file-system on aarch64 has %s, which aarch64 lacks", n)
		}
	}
	for _, abi := range tables.All() {
		for _, g := range Groups() {
			calls, err := Group(g, abi)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range calls {
				if _, ok := abi.Number(n); !ok {
					t.Errorf("%s on %s: %s is not in the table", g, abi.Name, n)
				}
			}
		}
		known, _ := Group(KnownGroup, abi)
		if len(known) != abi.Len() {
			t.Errorf("@known on %s: %d calls, the table has %d", abi.Name, len(known), abi.Len())
		}
	}
	if _, err := Group("@nonesuch", tables.X86_64); err == nil {
		t.Error("Group(@nonesuch) succeeded")
	}
}

// TestPolicyGroupRules: a rule naming a group decides each of its calls
// the ABI has, and an error in it names the rule as written.
func TestPolicyGroupRules(t *testing.T) {
	p := &Policy{Default: KillProcess, ABIs: []*tables.ABI{tables.X86_64, tables.I386}, Rules: []Rule{
		{Syscall: "@file-system", Action: Allow},
		{Syscall: "getpid", Action: ErrnoNamed("EPERM")},
	}}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if len(prog.Skipped()) != 0 {
		t.Errorf("skipped %v: a group stands only for the calls an ABI has", prog.Skipped())
	}
	for _, c := range []struct {
		abi  *tables.ABI
		name string
		want Action
	}{
		{tables.I386, "stat64", Allow},
		{tables.X86_64, "newfstatat", Allow},
		{tables.X86_64, "openat", Allow},
		{tables.X86_64, "getpid", ErrnoNamed("EPERM")},
		{tables.X86_64, "ptrace", KillProcess},
	} {
		got, err := prog.Evaluate(c.abi, c.name)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s on %s: %s, want %s", c.name, c.abi.Name, got, c.want)
		}
	}
	p.Rules = append(p.Rules, Rule{Syscall: "@nonesuch", Action: Allow})
	_, err = p.Compile()
	var pe *PolicyError
	if !errors.As(err, &pe) || pe.Field != "Rules[2].Syscall" || !errors.Is(err, ErrUnknownGroup) {
		t.Fatalf("unknown group: %v", err)
	}
	// A later rule a group's rule closes is reported at the group's index.
	p.Rules = []Rule{{Syscall: "@basic-io", Action: Allow}, {Syscall: "read", Action: ErrnoNamed("EPERM")}}
	_, err = p.Compile()
	if !errors.As(err, &pe) || pe.Field != "Rules[1]" {
		t.Fatalf("read after @basic-io: %v", err)
	}
	p.Rules = []Rule{{Syscall: "@basic-io", Action: Allow, Args: []Cond{{Arg: 7}}}}
	_, err = p.Compile()
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Field, "Rules[0].Args[0]") {
		t.Fatalf("bad condition in a group rule: %v", err)
	}
}

// The multiplexed route: on i386 a group of socket calls decides their
// socketcall forms too, in a denylist and an allowlist alike.
func TestGroupThroughSocketcall(t *testing.T) {
	abi := tables.I386
	deny, err := (&Policy{Default: Allow, ABIs: []*tables.ABI{abi}, Rules: []Rule{{Syscall: "@network-io", Action: ErrnoNamed("EPERM")}}}).Compile()
	if err != nil {
		t.Fatal(err)
	}
	allow, err := (&Policy{Default: KillProcess, ABIs: []*tables.ABI{abi}, Rules: []Rule{{Syscall: "@basic-io", Action: Allow}, {Syscall: "@process", Action: Allow}}}).Compile()
	if err != nil {
		t.Fatal(err)
	}
	// socketcall's first argument is the operation: 1 SYS_SOCKET, 3
	// SYS_CONNECT, 18 SYS_ACCEPT4 (include/uapi/linux/net.h).
	for _, op := range []uint64{1, 3, 18} {
		if got, err := deny.Evaluate(abi, "socketcall", op); err != nil || got != ErrnoNamed("EPERM") {
			t.Errorf("deny @network-io: socketcall(%d) gets %s (%v), want EPERM", op, got, err)
		}
		if got, err := allow.Evaluate(abi, "socketcall", op); err != nil || got != KillProcess {
			t.Errorf("allow @basic-io,@process: socketcall(%d) gets %s (%v), want kill-process", op, got, err)
		}
	}
	if got, _ := allow.Evaluate(abi, "socket"); got != KillProcess {
		t.Errorf("allow @basic-io,@process: socket gets %s", got)
	}
}
