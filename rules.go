package seccomp

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// This file holds what the built-in policies know about particular
// system calls, as rules and conditions any policy can use.

// Cond32 returns the condition "(u32)arg op value": Width 32, for a
// parameter the kernel declares int or unsigned int (ioctl's request,
// personality's persona, socket's domain, prctl's option, fcntl's
// command), whose high bits the system call never reads and so must not
// let a call walk past the rule (see Cond). value must fit in 32 bits;
// set Mask on the result for MaskedEq.
func Cond32(arg int, op Comparison, value uint64) Cond {
	return Cond{Arg: arg, Op: op, Value: value, Width: 32}
}

// TerminalInjection returns rules giving action to the ioctl(2) requests
// that push input into a terminal: TIOCSTI fakes typed input, TIOCLINUX
// can paste the selection, so a sandboxed program sharing its caller's
// terminal can run commands outside the sandbox. The request numbers
// differ on mips (0x5472 and 0x5483 against 0x5412 and 0x541c,
// arch/mips/include/uapi/asm/ioctls.h), so the rules are restricted by
// Rule.ABIs to the ABIs each number is right for; the request is compared
// on its low 32 bits (Cond32). The built-in policies use them with
// ErrnoNamed("EPERM").
func TerminalInjection(action Action) []Rule {
	return RulesPerABI("ioctl", action, terminalInjection)
}

// CloneWithoutNamespaces returns rules giving action to clone(2) calls
// that create no namespace: no CLONE_NEW* flag (NEWNS, NEWCGROUP,
// NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET of include/uapi/linux/sched.h)
// in their flags, which are the first argument except on s390 and s390x,
// whose clone takes the stack first (CONFIG_CLONE_BACKWARDS2 in
// kernel/fork.c). Follow them with a rule for the other clone calls, as
// "sandbox-strict" does:
//
//	rules := append(seccomp.CloneWithoutNamespaces(seccomp.Allow),
//		seccomp.Rule{Syscall: "clone", Action: seccomp.ErrnoNamed("EPERM")},
//		seccomp.Rule{Syscall: "clone3", Action: seccomp.ErrnoNamed("ENOSYS")})
//
// clone3 takes its flags in memory, which seccomp cannot read: ENOSYS
// makes libc fall back to clone.
func CloneWithoutNamespaces(action Action) []Rule {
	return RulesPerABI("clone", action, cloneWithoutNamespaces)
}

// RulesPerABI returns rules giving action to calls of the system call
// name that satisfy one of the conditions conds returns for an ABI, for
// arguments whose meaning differs between ABIs (an ioctl request number,
// the order of clone's arguments). conds is asked for every ABI of
// package tables; ABIs with the same conditions share rules, restricted
// to them by Rule.ABIs, so the rules suit a policy for any ABIs.
func RulesPerABI(name string, action Action, conds func(*tables.ABI) [][]Cond) []Rule {
	type group struct {
		conds [][]Cond
		abis  []*tables.ABI
	}
	var groups []group
	for _, abi := range tables.All() {
		c := conds(abi)
		i := slices.IndexFunc(groups, func(g group) bool {
			return slices.EqualFunc(g.conds, c, slices.Equal)
		})
		if i < 0 {
			i = len(groups)
			groups = append(groups, group{conds: c})
		}
		groups[i].abis = append(groups[i].abis, abi)
	}
	var rules []Rule
	for _, g := range groups {
		for _, c := range g.conds {
			rules = append(rules, Rule{Syscall: name, Action: action, Args: c, ABIs: g.abis})
		}
	}
	return rules
}

// Drop removes every rule for the named system calls, which then take
// Default: the way to start from a built-in policy (BuiltinPolicy) and
// let through what it denies. Names are compared as the rules write them,
// so drop an alias and its call (umount and umount2) both. A name that no
// rule has is an error, listing every such name, and nothing is removed:
// a misspelt name would otherwise leave a rule in place unnoticed.
func (p *Policy) Drop(names ...string) error {
	var missing []string
	for _, name := range names {
		if !slices.ContainsFunc(p.Rules, func(r Rule) bool { return r.Syscall == name }) && !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return &PolicyError{Field: "Rules", Err: fmt.Errorf("%w: Drop: no rule names %s", ErrInvalidRule, strings.Join(missing, ", "))}
	}
	drop := make(map[string]bool, len(names))
	for _, name := range names {
		drop[name] = true
	}
	p.Rules = slices.DeleteFunc(p.Rules, func(r Rule) bool { return drop[r.Syscall] })
	return nil
}

// Override replaces the rules for the system calls that rules name:
// every rule of p for those calls is removed, and rules are appended, so
// that they alone decide those calls. Starting from a built-in policy,
//
//	p, _ := seccomp.BuiltinPolicy("sandbox")
//	p.Override(seccomp.Rule{Syscall: "personality", Action: seccomp.Allow})
//
// allows every persona where the built-in allows a few.
func (p *Policy) Override(rules ...Rule) {
	replaced := make(map[string]bool, len(rules))
	for _, r := range rules {
		replaced[r.Syscall] = true
	}
	p.Rules = slices.DeleteFunc(p.Rules, func(r Rule) bool { return replaced[r.Syscall] })
	p.Rules = append(p.Rules, rules...)
}
