package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// readIfExists returns the contents of file, or nil if it does not
// exist.
func readIfExists(file string) ([]byte, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, runtimeError{err}
	}
	return b, nil
}

// merge adds to l what an earlier learn wrote to file in format: a list
// of entries or a profile that allows. A file that does not exist adds
// nothing, so that the first of several runs can write it.
func (l *learned) merge(file, format string) error {
	b, err := readIfExists(file)
	if err != nil || b == nil {
		return err
	}
	add := func(abi *tables.ABI, r seccomp.Rule) error {
		if _, ok := abi.Number(r.Syscall); !ok {
			return fmt.Errorf("--merge %s: %s is not a system call of %s (a learned file names calls; start from groups or numbers with --base)", file, r.Syscall, abi.Name)
		}
		if r.Action != seccomp.Allow {
			return fmt.Errorf("--merge %s: %s is %s, not allowed: not what learn writes (start from it with --base)", file, r.Syscall, r.Action)
		}
		if l.calls[abi] == nil {
			l.calls[abi] = make(map[string]bool)
		}
		l.calls[abi][r.Syscall] = true
		if len(r.Args) == 0 || l.args == nil {
			if l.bare == nil {
				l.bare = make(map[*tables.ABI]map[string]bool)
			}
			if l.bare[abi] == nil {
				l.bare[abi] = make(map[string]bool)
			}
			l.bare[abi][r.Syscall] = true
			return nil
		}
		if l.args[abi] == nil {
			l.args[abi] = make(map[string]learnedArgs)
		}
		if l.args[abi][r.Syscall] == nil {
			l.args[abi][r.Syscall] = make(learnedArgs)
		}
		conds := slices.Clone(r.Args)
		var args [6]uint64
		for i, c := range conds {
			if c.Value > 0xffffffff || c.Mask > 0xffffffff {
				return fmt.Errorf("--merge %s: %s: %v needs more than 32 bits, which learn does not write", file, r.Syscall, c)
			}
			conds[i].Width = 32
			args[c.Arg] = c.Value
		}
		l.args[abi][r.Syscall].add(conds, args)
		return nil
	}
	if format == "allow" {
		for _, e := range splitList(string(b)) {
			r, err := listRule(e, seccomp.Allow)
			if err != nil {
				return fmt.Errorf("--merge %s: %v", file, err)
			}
			if err := add(l.native, r); err != nil {
				return err
			}
		}
		return nil
	}
	res, err := profile.Load(b, &profile.Options{ABI: l.native})
	if err != nil {
		return fmt.Errorf("--merge %s: %w", file, err)
	}
	for _, abi := range res.Policy.ABIs {
		for _, r := range res.Policy.Rules {
			if _, ok := abi.Number(r.Syscall); !ok || (r.ABIs != nil && !slices.ContainsFunc(r.ABIs, func(a *tables.ABI) bool { return a.Name == abi.Name })) {
				continue
			}
			if err := add(abi, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// splitList splits a list file's text into its entries.
func splitList(text string) []string {
	var out []string
	for _, e := range strings.Split(strings.TrimSpace(text), ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// compareEntries orders a list's entries by name, then by the values of
// their conditions as numbers.
func compareEntries(a, b string) int {
	an, _, _ := strings.Cut(a, ":")
	bn, _, _ := strings.Cut(b, ":")
	if c := strings.Compare(an, bn); c != 0 {
		return c
	}
	ra, erra := listRule(a, seccomp.Allow)
	rb, errb := listRule(b, seccomp.Allow)
	if erra != nil || errb != nil {
		return strings.Compare(a, b)
	}
	for i := range min(len(ra.Args), len(rb.Args)) {
		x, y := ra.Args[i], rb.Args[i]
		if c := cmp.Or(cmp.Compare(x.Arg, y.Arg), cmp.Compare(x.Op, y.Op), cmp.Compare(x.Mask, y.Mask), cmp.Compare(x.Value, y.Value)); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(ra.Args), len(rb.Args))
}

// sortEntries sorts entries, each once, and drops the entries with
// conditions of a name the list also allows bare.
func sortEntries(entries []string) []string {
	bare := make(map[string]bool)
	for _, e := range entries {
		if !strings.Contains(e, ":") {
			bare[e] = true
		}
	}
	entries = slices.DeleteFunc(slices.Clone(entries), func(e string) bool {
		name, _, conds := strings.Cut(e, ":")
		return conds && bare[name]
	})
	slices.SortFunc(entries, compareEntries)
	return slices.Compact(entries)
}

// learnedCall is one call learned, with the arguments of one of its
// values (zero when its values were not recorded), and its entry.
type learnedCall struct {
	abi   *tables.ABI
	name  string
	args  [6]uint64
	conds []seccomp.Cond
	// foreign: abi is not the native ABI, so the call is written ABI:NAME.
	foreign bool
}

func (c learnedCall) String() string {
	s := c.name + formatConds(c.conds)
	if c.foreign {
		s = c.abi.Name + ":" + s
	}
	return s
}

// callsOf returns the calls learned on abi whose names are names, each
// once per value of its arguments.
func (l *learned) callsOf(abi *tables.ABI, names []string) []learnedCall {
	var out []learnedCall
	for _, n := range names {
		la := l.args[abi][n]
		if len(la) == 0 || l.bare[abi][n] {
			out = append(out, learnedCall{abi: abi, name: n, foreign: abi != l.native})
			continue
		}
		for _, k := range sortedKeys(la) {
			out = append(out, learnedCall{abi: abi, name: n, args: la[k].args, conds: la[k].conds, foreign: abi != l.native})
		}
	}
	return out
}

func sortedKeys(la learnedArgs) []string {
	var keys []string
	for _, c := range la.sorted() {
		keys = append(keys, formatConds(c))
	}
	return keys
}

// notAllowed returns the calls prog does not allow.
func notAllowed(prog *seccomp.Program, calls []learnedCall) ([]learnedCall, error) {
	var out []learnedCall
	for _, c := range calls {
		act, err := prog.Evaluate(c.abi, c.name, c.args[:]...)
		if err != nil {
			return nil, err
		}
		if act != seccomp.Allow {
			out = append(out, c)
		}
	}
	return out, nil
}

// widenList returns the list of file base (entries, groups and all)
// widened by the calls of names that it does not allow, and those calls.
func (l *learned) widenList(base string, names []string) (text string, added []learnedCall, err error) {
	b, err := os.ReadFile(base)
	if err != nil {
		return "", nil, runtimeError{err}
	}
	entries := splitList(string(b))
	rules, err := listRules(entries, seccomp.Allow, l.native)
	if err != nil {
		return "", nil, fmt.Errorf("--base %s: %v", base, err)
	}
	prog, err := (&seccomp.Policy{Default: seccomp.KillProcess, ABIs: []*tables.ABI{l.native}, Rules: rules}).Compile()
	if err != nil {
		return "", nil, fmt.Errorf("--base %s: %s", base, message(err))
	}
	if added, err = notAllowed(prog, l.callsOf(l.native, names)); err != nil {
		return "", nil, err
	}
	for _, c := range added {
		entries = append(entries, c.name+formatConds(c.conds))
	}
	return strings.Join(sortEntries(entries), ",") + "\n", added, nil
}

// widenProfile returns the profile of file base widened by the calls
// learned on its ABIs that it does not allow: each an entry of its
// syscalls that allows it, with the conditions learned (compared on 64
// bits, as a profile does). Its other fields are kept.
func (l *learned) widenProfile(base string) (text string, added []learnedCall, err error) {
	b, err := os.ReadFile(base)
	if err != nil {
		return "", nil, runtimeError{err}
	}
	res, err := profile.Load(b, &profile.Options{ABI: l.native})
	if err != nil {
		return "", nil, fmt.Errorf("--base %s: %w", base, err)
	}
	prog, err := res.Compile()
	if err != nil {
		return "", nil, fmt.Errorf("--base %s: %w", base, err)
	}
	names, _ := l.allowlist()
	calls := l.callsOf(l.native, names)
	abis := []*tables.ABI{l.native}
	for abi := range l.calls {
		if abi != l.native {
			abis = append(abis, abi)
		}
	}
	slices.SortFunc(abis[1:], func(a, b *tables.ABI) int { return strings.Compare(a.Name, b.Name) })
	for _, abi := range abis {
		if !slices.ContainsFunc(res.Policy.ABIs, func(a *tables.ABI) bool { return a.Name == abi.Name }) {
			return "", nil, fmt.Errorf("--base %s does not cover %s, through which calls were made: add its architecture", base, abi.Name)
		}
		if abi != l.native {
			calls = append(calls, l.callsOf(abi, l.sorted(abi))...)
		}
	}
	if added, err = notAllowed(prog, calls); err != nil {
		return "", nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return "", nil, fmt.Errorf("--base %s: %w", base, err)
	}
	syscalls, _ := doc["syscalls"].([]any)
	// A base rule that names an added call without conditions and gives
	// it another action would decide it first (libseccomp keeps such a
	// rule over every other of the call): the call leaves that rule, and
	// its arguments not learned get the profile's default action.
	var taken []string
	for _, c := range added {
		if t := takeOut(syscalls, c.name); t != "" && !slices.Contains(taken, t) {
			taken = append(taken, t)
		}
	}
	syscalls = slices.DeleteFunc(syscalls, func(e any) bool {
		m, _ := e.(map[string]any)
		names, _ := m["names"].([]any)
		name, _ := m["name"].(string)
		return m != nil && len(names) == 0 && name == ""
	})
	if len(taken) > 0 {
		fmt.Fprintf(l.stderr, "sysfence learn: --base %s: taken out of the rules that refused them (their other arguments get the default action): %s\n", base, strings.Join(taken, ", "))
	}
	seen := make(map[string]bool)
	for _, c := range added {
		key := c.name + formatConds(c.conds)
		if seen[key] {
			continue // the same on two ABIs: a profile's names apply to each
		}
		seen[key] = true
		entry := map[string]any{"names": []string{c.name}, "action": "SCMP_ACT_ALLOW"}
		var args []map[string]any
		for _, cd := range c.conds {
			a := map[string]any{"index": cd.Arg, "value": cd.Value, "op": "SCMP_CMP_EQ"}
			if cd.Op == seccomp.MaskedEq {
				a["value"], a["valueTwo"], a["op"] = cd.Mask, cd.Value, "SCMP_CMP_MASKED_EQ"
			}
			args = append(args, a)
		}
		if args != nil {
			entry["args"] = args
		}
		syscalls = append(syscalls, entry)
	}
	doc["syscalls"] = syscalls
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "\t")
	if err := enc.Encode(doc); err != nil {
		return "", nil, err
	}
	// A base rule can still decide a call first (an unconditional errno
	// for the same name): say so rather than claim it was widened.
	res2, err := profile.Load(out.Bytes(), &profile.Options{ABI: l.native})
	if err != nil {
		return "", nil, fmt.Errorf("--base %s widened: %w", base, err)
	}
	prog2, err := res2.Compile()
	if err != nil {
		return "", nil, fmt.Errorf("--base %s widened: %w", base, err)
	}
	still, err := notAllowed(prog2, added)
	if err != nil {
		return "", nil, err
	}
	if len(still) > 0 {
		return "", nil, fmt.Errorf("--base %s: its own rules still refuse %s after widening: change them by hand", base, joinCalls(still))
	}
	return out.String(), added, nil
}

func joinCalls(calls []learnedCall) string {
	s := make([]string, len(calls))
	for i, c := range calls {
		s[i] = c.String()
	}
	return strings.Join(s, ", ")
}

// mergeCounts adds the counts of file, as countsText writes them, to l.
func (l *learned) mergeCounts(file string) error {
	b, err := readIfExists(file)
	if err != nil || b == nil {
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		n, err := strconv.ParseUint(f[len(f)-1], 10, 64)
		if len(f) != 2 || err != nil {
			return fmt.Errorf("--counts %s: line %d: %q: want NAME COUNT", file, i+1, line)
		}
		abi, name := l.native, f[0]
		if a, c, ok := strings.Cut(f[0], ":"); ok {
			if abi, ok = tables.Lookup(a); !ok {
				return fmt.Errorf("--counts %s: line %d: %w", file, i+1, &tables.UnknownABIError{Name: a})
			}
			name = c
		}
		if _, ok := abi.Number(name); !ok {
			return fmt.Errorf("--counts %s: line %d: %s is not a system call of %s", file, i+1, name, abi.Name)
		}
		l.count(abi, name) // makes the maps
		l.counts[abi][name] += n - 1
	}
	return nil
}

// takeOut removes name from the entries of syscalls (a profile's, as
// JSON values) that give it an action other than allow whatever its
// arguments, and returns what it took out ("ptrace (SCMP_ACT_ERRNO)"),
// or "".
func takeOut(syscalls []any, name string) string {
	var out string
	for _, e := range syscalls {
		m, ok := e.(map[string]any)
		if !ok || m["action"] == "SCMP_ACT_ALLOW" {
			continue
		}
		if args, _ := m["args"].([]any); len(args) > 0 {
			continue
		}
		if m["name"] == name {
			delete(m, "name")
			out = fmt.Sprintf("%s (%v)", name, m["action"])
		}
		names, _ := m["names"].([]any)
		if i := slices.Index(names, any(name)); i >= 0 {
			m["names"] = slices.Delete(names, i, i+1)
			out = fmt.Sprintf("%s (%v)", name, m["action"])
		}
	}
	return out
}
