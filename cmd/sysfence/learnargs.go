package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// A learned list names a call alone, or with conditions on its
// arguments, as NAME:COND:COND…, where COND is argN=V (the argument is V)
// or argN&M=V (the argument's bits M are V). Conditions compare the low
// 32 bits of the argument (Cond.Width 32): they are written for the
// parameters the kernel reads as int or unsigned int (flags, commands,
// enumerations), whose high bits it ignores, so high bits cannot walk
// past them. Several entries for one call allow each of them.

// argSpec says which arguments of a call learn records: the conditions
// that the arguments of one call satisfy, the key of the value learned.
type argSpec func(abi *tables.ABI, args [6]uint64) []seccomp.Cond

// Constants of the kernel's uapi headers.
const (
	// cloneNewNamespaces are clone(2)'s CLONE_NEW* flags
	// (include/uapi/linux/sched.h): NEWNS, NEWCGROUP, NEWUTS, NEWIPC,
	// NEWUSER, NEWPID, NEWNET. clone reads CLONE_NEWTIME's bit as part
	// of the exit signal.
	cloneNewNamespaces = 0x7e020000
	// sockTypeMask are the bits of socket(2)'s type that are the type;
	// the others are SOCK_NONBLOCK and SOCK_CLOEXEC (include/linux/net.h).
	sockTypeMask = 0xf
	// protExec is PROT_EXEC (include/uapi/asm-generic/mman-common.h,
	// the same on every architecture).
	protExec = 0x4
	// emS390 is s390's machine number in the low 16 bits of its
	// AUDIT_ARCH_* (include/uapi/linux/elf-em.h).
	emS390 = 22
)

func eq32(arg int, v uint64) seccomp.Cond {
	return seccomp.Cond{Arg: arg, Op: seccomp.Eq, Value: v & 0xffffffff, Width: 32}
}

func masked32(arg int, mask, v uint64) seccomp.Cond {
	return seccomp.Cond{Arg: arg, Op: seccomp.MaskedEq, Mask: mask, Value: v & mask, Width: 32}
}

// argSpecs are the calls whose arguments decide what they can do, and
// the arguments learn records of them: only values passed in registers,
// since seccomp reads nothing in memory.
var argSpecs = map[string]argSpec{
	// Whether clone creates namespaces (user namespaces above all open
	// the kernel to an unprivileged process). Its flags are the first
	// argument, but the second on s390 (CONFIG_CLONE_BACKWARDS2).
	"clone": func(abi *tables.ABI, a [6]uint64) []seccomp.Cond {
		arg := 0
		if abi.Audit&0xffff == emS390 {
			arg = 1
		}
		return []seccomp.Cond{masked32(arg, cloneNewNamespaces, a[arg])}
	},
	// Which protocol families and socket types (packet and raw sockets
	// reach far more of the kernel than TCP and Unix sockets).
	"socket": func(_ *tables.ABI, a [6]uint64) []seccomp.Cond {
		return []seccomp.Cond{eq32(0, a[0]), masked32(1, sockTypeMask, a[1])}
	},
	// Each ioctl request is an operation of its own.
	"ioctl": func(_ *tables.ABI, a [6]uint64) []seccomp.Cond { return []seccomp.Cond{eq32(1, a[1])} },
	// So is each prctl option.
	"prctl": func(_ *tables.ABI, a [6]uint64) []seccomp.Cond { return []seccomp.Cond{eq32(0, a[0])} },
	// Personas can turn off ASLR or make data executable.
	"personality": func(_ *tables.ABI, a [6]uint64) []seccomp.Cond { return []seccomp.Cond{eq32(0, a[0])} },
	// Whether memory is made executable.
	"mmap":          protSpec,
	"mmap2":         protSpec,
	"mprotect":      protSpec,
	"pkey_mprotect": protSpec,
	// Each fcntl command is an operation of its own.
	"fcntl":   fcntlSpec,
	"fcntl64": fcntlSpec,
}

func protSpec(_ *tables.ABI, a [6]uint64) []seccomp.Cond {
	return []seccomp.Cond{masked32(2, protExec, a[2])}
}

func fcntlSpec(_ *tables.ABI, a [6]uint64) []seccomp.Cond {
	return []seccomp.Cond{eq32(1, a[1])}
}

// learnedArgs are the distinct conditions recorded for one call, by
// their text.
type learnedArgs map[string]learnedValue

// learnedValue is one distinct value of a call's arguments: the
// conditions it satisfies, and the arguments of the first call seen with
// it (all zero when it came from a file), to ask a base policy about.
type learnedValue struct {
	conds []seccomp.Cond
	args  [6]uint64
}

// add records the conditions of one call's arguments.
func (la learnedArgs) add(conds []seccomp.Cond, args [6]uint64) {
	k := formatConds(conds)
	if _, ok := la[k]; !ok {
		la[k] = learnedValue{conds, args}
	}
}

// sortedConds returns the recorded conditions in a stable order: by the
// values of their conditions, as numbers.
func (la learnedArgs) sorted() [][]seccomp.Cond {
	out := make([][]seccomp.Cond, 0, len(la))
	for _, v := range la {
		out = append(out, v.conds)
	}
	slices.SortFunc(out, func(a, b []seccomp.Cond) int {
		for i := range min(len(a), len(b)) {
			if c := cmp.Or(cmp.Compare(a[i].Arg, b[i].Arg), cmp.Compare(a[i].Mask, b[i].Mask), cmp.Compare(a[i].Value, b[i].Value)); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(a), len(b))
	})
	return out
}

// formatConds writes conditions in the learned list's syntax, each
// after a colon.
func formatConds(conds []seccomp.Cond) string {
	var b strings.Builder
	for _, c := range conds {
		fmt.Fprintf(&b, ":arg%d", c.Arg)
		if c.Op == seccomp.MaskedEq {
			fmt.Fprintf(&b, "&%#x", c.Mask)
		}
		fmt.Fprintf(&b, "=%#x", c.Value)
	}
	return b.String()
}

// listEntry is one entry of a list as --allow and --deny take it: a
// name (or group, or number) with the conditions it may carry.
func listRule(entry string, action seccomp.Action) (seccomp.Rule, error) {
	name, rest, hasConds := strings.Cut(entry, ":")
	r := seccomp.Rule{Syscall: name, Action: action}
	if !hasConds {
		return r, nil
	}
	for _, s := range strings.Split(rest, ":") {
		c, err := parseCond(s)
		if err != nil {
			return r, fmt.Errorf("%s: condition %q: %v (want argN=V or argN&MASK=V)", entry, s, err)
		}
		r.Args = append(r.Args, c)
	}
	return r, nil
}

func parseCond(s string) (seccomp.Cond, error) {
	lhs, value, ok := strings.Cut(s, "=")
	if !ok {
		return seccomp.Cond{}, fmt.Errorf("no =")
	}
	arg, mask, masked := strings.Cut(lhs, "&")
	if !strings.HasPrefix(arg, "arg") {
		return seccomp.Cond{}, fmt.Errorf("%q is not argN", arg)
	}
	n, err := strconv.Atoi(arg[3:])
	if err != nil || n < 0 || n > 5 {
		return seccomp.Cond{}, fmt.Errorf("%q is not arg0 to arg5", arg)
	}
	v, err := strconv.ParseUint(value, 0, 32)
	if err != nil {
		return seccomp.Cond{}, fmt.Errorf("value %q is not a 32-bit number", value)
	}
	if !masked {
		return eq32(n, v), nil
	}
	m, err := strconv.ParseUint(mask, 0, 32)
	if err != nil {
		return seccomp.Cond{}, fmt.Errorf("mask %q is not a 32-bit number", mask)
	}
	if v&^m != 0 {
		return seccomp.Cond{}, fmt.Errorf("value %#x has bits outside mask %#x, so it never holds", v, m)
	}
	return masked32(n, m, v), nil
}

// listRules returns the rules of a list's entries, one rule each, so that
// Rules[i] is entry i. An entry with conditions for a call that another
// entry (a name or a group, on abi) gives the same action whatever the
// arguments is an error: its conditions would decide nothing.
func listRules(entries []string, action seccomp.Action, abi *tables.ABI) ([]seccomp.Rule, error) {
	rules := make([]seccomp.Rule, len(entries))
	bare := make(map[string]string) // call -> the entry that names it bare
	for i, e := range entries {
		r, err := listRule(e, action)
		if err != nil {
			return nil, err
		}
		rules[i] = r
		if len(r.Args) > 0 {
			continue
		}
		calls := []string{r.Syscall}
		if seccomp.IsGroup(r.Syscall) {
			if calls, err = seccomp.Group(r.Syscall, abi); err != nil {
				continue // Compile reports it, in the list's terms
			}
		}
		for _, c := range calls {
			if _, ok := bare[c]; !ok {
				bare[c] = e
			}
		}
	}
	for i, r := range rules {
		if by, ok := bare[r.Syscall]; ok && len(r.Args) > 0 {
			return nil, fmt.Errorf("%s: %s names %s whatever its arguments, so the conditions decide nothing (drop one)", entries[i], by, r.Syscall)
		}
	}
	return rules, nil
}

// recordArgs records the conditions of a call's arguments, if argSpecs
// names the call and arguments are being learned.
func (l *learned) recordArgs(abi *tables.ABI, name string, args [6]uint64) {
	spec, ok := argSpecs[name]
	if !ok || l.args == nil {
		return
	}
	if l.args[abi] == nil {
		l.args[abi] = make(map[string]learnedArgs)
	}
	if l.args[abi][name] == nil {
		l.args[abi][name] = make(learnedArgs)
	}
	l.args[abi][name].add(spec(abi, args), args)
}

// entries returns the list's entries for names on abi: a name alone,
// or once for each distinct value of its recorded arguments.
func (l *learned) entries(abi *tables.ABI, names []string) []string {
	var out []string
	for _, n := range names {
		la := l.args[abi][n]
		if len(la) == 0 || l.bare[abi][n] {
			out = append(out, n)
			continue
		}
		for _, c := range la.sorted() {
			out = append(out, n+formatConds(c))
		}
	}
	return out
}

// profileRules returns the rules of a learned profile: each name
// allowed, with the conditions recorded on any of abis. A profile
// compares all 64 bits of an argument, so the conditions are written
// with Width 0: the values a program passes for these int parameters
// have their high bits clear, and one that sets them fails closed.
func (l *learned) profileRules(abis []*tables.ABI, names []string) []seccomp.Rule {
	var rules []seccomp.Rule
	for _, n := range names {
		merged := make(learnedArgs)
		for _, abi := range abis {
			for k, v := range l.args[abi][n] {
				merged[k] = v
			}
		}
		if len(merged) == 0 || slices.ContainsFunc(abis, func(abi *tables.ABI) bool { return l.bare[abi][n] }) {
			rules = append(rules, seccomp.Rule{Syscall: n, Action: seccomp.Allow})
			continue
		}
		for _, c := range merged.sorted() {
			c = slices.Clone(c)
			for i := range c {
				c[i].Width = 0
			}
			rules = append(rules, seccomp.Rule{Syscall: n, Action: seccomp.Allow, Args: c})
		}
	}
	return rules
}

// unreadable are calls whose deciding arguments sit in memory, which
// seccomp cannot read: the list allows them whatever those are.
var unreadable = map[string]string{
	"clone3": "flags (namespaces included)",
}

// noteUnreadable says which calls CMD made that a learned list cannot
// limit by their arguments.
func (l *learned) noteUnreadable(inv *invocation) {
	if l.args == nil {
		return
	}
	for _, abi := range tables.All() {
		for _, name := range l.sorted(abi) {
			if what, ok := unreadable[name]; ok {
				fmt.Fprintf(inv.stderr, "sysfence learn: note: %s made %s on %s, whose %s sit in memory that seccomp cannot read: the policy allows it with any\n", inv.args[0], name, abi.Name, what)
			}
		}
	}
}
