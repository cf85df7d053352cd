package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// policyFlags are the flags that compile, run and profile share to
// describe a policy: a denylist, an allowlist, a profile (compile and
// run), or, with none of them, a built-in policy ("sandbox" unless
// --builtin names another).
type policyFlags struct {
	builtin     string
	deny, allow string
	errno       string
	dflt        string
	foreign     string
	unknown     string
	// given is the invocation's record of the flags set.
	given map[string]bool
	// rep writes warnings and notes, unless --quiet.
	rep reporter
	// prof are the --profile flags, nil in a command that takes none.
	prof *profileFlags
	// result is the translated profile, once policy has read it, and
	// pending what the translation reported, for compile to write.
	result  *profile.Result
	pending strings.Builder
	// list and names are the flag of the rules and their names, so that
	// an error about Rules[i] can name the call as the user wrote it.
	list  string
	names []string
	// manyABIs says the command compiles for many ABIs (--format go),
	// and writes the notes itself, once, at the end; skipped holds the
	// ABIs that lack each name of the list, skippedNames the names in
	// order.
	manyABIs     bool
	skipped      map[string][]string
	skippedNames []string
}

const actionHelp = "allow, kill-process, kill-thread, trap or trap:N, log, notify, errno:N (0..4095) or errno:NAME, trace:N"

// define defines the flags on fs, and the --profile flags when profiles
// is set.
func (f *policyFlags) define(fs *flag.FlagSet, profiles bool) {
	if profiles {
		f.prof = &profileFlags{rep: &f.rep}
		f.prof.define(fs)
	}
	f.rep.define(fs)
	fs.StringVar(&f.builtin, "builtin", "sandbox", "the built-in policy `NAME` to use without --deny or --allow ("+strings.Join(seccomp.BuiltinNames(), ", ")+")")
	fs.StringVar(&f.deny, "deny", "", "fail the comma-separated system calls `NAMES` with --errno and allow the rest (a name, or a number as seccomp_data.nr holds it: 451, 0x1c3, -1)")
	fs.StringVar(&f.allow, "allow", "", "allow only the comma-separated system calls `NAMES` (or numbers, as --deny; or @groups, see syscalls --groups; or NAME:argN=V:argN&MASK=V, comparing the low 32 bits, as learn writes); the rest get --default")
	fs.StringVar(&f.errno, "errno", "EPERM", "error `E`, a name or a number from 0 to 4095, for the calls --deny names (0 makes them return 0 without running)")
	fs.StringVar(&f.dflt, "default", "", "`ACTION` for calls the list does not name (default allow with --deny, kill-process with --allow): "+actionHelp)
	defineActionFlags(fs, &f.foreign, &f.unknown, false)
}

// defineActionFlags defines --foreign and --unknown; profileOnly says
// that they apply only to --profile, in a command that reads a program
// otherwise.
func defineActionFlags(fs *flag.FlagSet, foreign, unknown *string, profileOnly bool) {
	foreignHelp := "`ACTION` for calls through another ABI (i386 int 0x80 or x32 on x86_64, arm on aarch64; kill-thread with --profile, as libseccomp)"
	unknownHelp := "`ACTION` for numbers the ABI's table does not know, such as calls newer than it (with --profile: the profile's default action, as libseccomp)"
	foreignDefault, unknownDefault := "kill-process", "errno:ENOSYS"
	if profileOnly {
		foreignHelp = "with --profile, the `ACTION` for calls through another ABI (i386 int 0x80 or x32 on x86_64, arm on aarch64; default kill-thread, as libseccomp)"
		unknownHelp = "with --profile, the `ACTION` for numbers the ABI's table does not know (default the profile's default action, as libseccomp)"
		foreignDefault, unknownDefault = "", ""
	}
	fs.StringVar(foreign, "foreign", foreignDefault, foreignHelp)
	fs.StringVar(unknown, "unknown", unknownDefault, unknownHelp)
}

// bind takes the flags the invocation set; call it before anything else.
func (f *policyFlags) bind(inv *invocation) {
	f.given = inv.given
	if f.prof != nil {
		f.prof.bind(inv)
	}
}

// policyFlagNames are the flags that describe a policy other than a
// built-in one as it is.
var policyFlagNames = append([]string{"profile", "deny", "allow", "errno", "default", "foreign", "unknown"}, profileOnly...)

// custom reports whether the flags ask for anything but a built-in
// policy as it is.
func (f *policyFlags) custom() bool {
	return slices.ContainsFunc(policyFlagNames, func(name string) bool { return f.given[name] })
}

// policy returns the policy the flags describe, for abi: with --profile,
// the profile translated for a machine whose native ABI is abi, which
// may cover compat ABIs too.
func (f *policyFlags) policy(abi *tables.ABI) (*seccomp.Policy, error) {
	var foreign, unknown seccomp.Action
	for _, a := range []struct {
		flag, value string
		action      *seccomp.Action
	}{{"foreign", f.foreign, &foreign}, {"unknown", f.unknown, &unknown}} {
		if f.given[a.flag] {
			*a.action = seccomp.Action(a.value)
			if err := checkAction(a.flag, a.value, *a.action, abi); err != nil {
				return nil, err
			}
		}
	}
	if f.prof != nil {
		if err := f.prof.check(); err != nil {
			return nil, err
		}
		if f.prof.isGiven() {
			for _, name := range []string{"builtin", "deny", "allow", "errno", "default"} {
				if f.given[name] {
					return nil, usagef("--%s does not apply to --profile", name)
				}
			}
			res, err := f.prof.translate(abi, foreign, unknown, &f.pending)
			if err != nil {
				return nil, err
			}
			f.result = res
			return res.Policy, nil
		}
	}
	p, err := f.rules(abi)
	if err != nil {
		return nil, err
	}
	p.ABIs = []*tables.ABI{abi}
	p.Foreign = seccomp.Action(f.foreign)
	if err := checkAction("foreign", f.foreign, p.Foreign, abi); err != nil {
		return nil, err
	}
	if f.given["unknown"] {
		p.Unknown = unknown
	}
	return p, nil
}

// checkAction resolves the action a flag gave, as a usage error in the
// flag's terms.
func checkAction(flag, value string, a seccomp.Action, abi *tables.ABI) error {
	if _, err := a.Resolve(abi); err != nil {
		var ae *seccomp.ActionError
		if errors.As(err, &ae) {
			return usagef("--%s %s: %s%s", flag, value, ae.Reason, actionHint(a, abi))
		}
		return usagef("--%s %s: %v", flag, value, err)
	}
	return nil
}

// actionKinds are the actions' names before any ":".
var actionKinds = []string{"allow", "kill-process", "kill-thread", "trap", "log", "notify", "errno", "trace"}

// actionHint suggests what a misspelt action a may have meant: an action
// name, or an errno name of abi.
func actionHint(a seccomp.Action, abi *tables.ABI) string {
	kind, arg, _ := strings.Cut(string(a), ":")
	if !slices.Contains(actionKinds, strings.ToLower(kind)) {
		return didYouMean(kind, actionKinds)
	}
	if strings.ToLower(kind) != "errno" || arg == "" || arg[0] >= '0' && arg[0] <= '9' {
		return ""
	}
	var names []string
	for _, e := range abi.Errnos() {
		names = append(names, e.Name)
	}
	return didYouMean(arg, names)
}

// rules returns the policy of --deny, --allow or the built-in, with its
// Default.
func (f *policyFlags) rules(abi *tables.ABI) (*seccomp.Policy, error) {
	switch {
	case f.given["deny"] && f.given["allow"]:
		return nil, usagef("give --deny or --allow, not both")
	case f.given["builtin"] && (f.given["deny"] || f.given["allow"]):
		return nil, usagef("--builtin applies without --deny or --allow")
	case f.given["errno"] && !f.given["deny"]:
		return nil, usagef("--errno applies to --deny")
	case f.given["default"] && !f.given["deny"] && !f.given["allow"]:
		return nil, usagef("--default applies to --deny or --allow")
	case f.given["deny"]:
		if err := f.nameList("deny", f.deny); err != nil {
			return nil, err
		}
		errno := seccomp.Action("errno:" + f.errno)
		if err := checkAction("errno", f.errno, errno, abi); err != nil {
			return nil, err
		}
		rules, err := listRules(f.names, errno, abi)
		if err != nil {
			return nil, usagef("--deny %v", err)
		}
		return f.withDefault(seccomp.Allow, abi, rules)
	case f.given["allow"]:
		if err := f.nameList("allow", f.allow); err != nil {
			return nil, err
		}
		rules, err := listRules(f.names, seccomp.Allow, abi)
		if err != nil {
			return nil, usagef("--allow %v", err)
		}
		return f.withDefault(seccomp.KillProcess, abi, rules)
	}
	p, err := seccomp.BuiltinPolicy(f.builtin)
	if err != nil {
		return nil, usagef("--builtin %s: not a built-in policy (want %s)", f.builtin, strings.Join(seccomp.BuiltinNames(), " or "))
	}
	return p, nil
}

func (f *policyFlags) withDefault(def seccomp.Action, abi *tables.ABI, rules []seccomp.Rule) (*seccomp.Policy, error) {
	if f.given["default"] {
		def = seccomp.Action(f.dflt)
		if err := checkAction("default", f.dflt, def, abi); err != nil {
			return nil, err
		}
	}
	return &seccomp.Policy{Default: def, Rules: rules}, nil
}

// nameList splits the comma-separated list of system-call names of
// --flag, dropping repeats.
func (f *policyFlags) nameList(flag, list string) error {
	f.list = flag
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name != "" && !slices.Contains(f.names, name) {
			f.names = append(f.names, name)
		}
	}
	if len(f.names) == 0 {
		return usagef("--%s names no system call", flag)
	}
	return nil
}

// compile compiles p, reports on stderr the names skipped for the ABI
// and what makes no sense in the policy, and puts an error in the terms
// of the command line.
func (f *policyFlags) compile(p *seccomp.Policy, stderr io.Writer) (*seccomp.Program, error) {
	io.WriteString(stderr, f.pending.String())
	f.pending.Reset()
	prog, err := p.Compile()
	if err != nil {
		if f.result != nil {
			return nil, fmt.Errorf("%s: %w", f.prof.file, err)
		}
		return nil, f.explain(err)
	}
	if f.result != nil && f.result.Flags != 0 {
		f.rep.note(stderr, fmt.Sprintf("%s: the profile's seccomp(2) flags (%s) are not part of a program, and are not applied here", f.prof.file, f.result.Flags))
	}
	if f.result != nil && !f.manyABIs {
		f.prof.flushNotes(stderr)
	}
	// A profile's result reported its names each ABI lacks already.
	for _, s := range prog.Skipped() {
		if f.result != nil {
			break
		}
		if !slices.Contains(f.skippedNames, s.Syscall) {
			f.skippedNames = append(f.skippedNames, s.Syscall)
		}
		if f.skipped == nil {
			f.skipped = make(map[string][]string)
		}
		f.skipped[s.Syscall] = append(f.skipped[s.Syscall], s.ABI.Name)
	}
	if !f.manyABIs {
		f.flushSkipped(stderr)
	}
	for _, r := range prog.Routed() {
		f.rep.note(stderr, fmt.Sprint(r))
	}
	f.lint(p, stderr)
	return prog, nil
}

// flushSkipped notes, one line a name, the names of the list that ABIs
// lack, once every ABI the command compiles for is compiled.
func (f *policyFlags) flushSkipped(stderr io.Writer) {
	for _, name := range f.skippedNames {
		f.rep.note(stderr, fmt.Sprintf("skipped %s: no such system call on %s", name, strings.Join(f.skipped[name], ", ")))
	}
	f.skippedNames, f.skipped = nil, nil
}

// lint warns, one line each, about a policy that does not do what its
// flags suggest: an action for other ABIs or unknown numbers that lets
// calls run around the rules, or a list whose every name gets the
// default action anyway.
func (f *policyFlags) lint(p *seccomp.Policy, stderr io.Writer) {
	abi := p.ABIs[0]
	resolve := func(a seccomp.Action) filter.Action {
		r, err := a.Resolve(abi)
		if err != nil {
			return filter.KillProcess // compiled, so it resolves
		}
		return r
	}
	runs := func(a seccomp.Action) bool { k := resolve(a).Kind(); return k == filter.Allow || k == filter.Log }
	refuses := !runs(p.Default) || slices.ContainsFunc(p.Rules, func(r seccomp.Rule) bool { return !runs(r.Action) })
	if !refuses {
		if f.list == "allow" {
			f.rep.warn(stderr, fmt.Sprintf("--default %s with --allow lets every call run: the list changes nothing", f.dflt))
		}
		return
	}
	// A policy of several ABIs (a profile's native and compat ABIs) leaves
	// no route for its Foreign action on the machine it is for.
	if len(p.ABIs) == 1 && p.Foreign != "" && runs(p.Foreign) {
		f.rep.warn(stderr, fmt.Sprintf("--foreign %s lets calls through the machine's other ABIs (int 0x80 and x32 on x86_64, arm on aarch64) run past the policy", p.Foreign))
	}
	if p.Unknown != "" && runs(p.Unknown) && !runs(p.Default) {
		f.rep.warn(stderr, fmt.Sprintf("--unknown %s lets calls the table does not know (newer ones) run, though the policy refuses the calls it does not name", p.Unknown))
	}
	if f.list != "" && f.given["default"] && len(p.Rules) > 0 && !slices.ContainsFunc(p.Rules, func(r seccomp.Rule) bool { return resolve(r.Action) != resolve(p.Default) }) {
		f.rep.warn(stderr, fmt.Sprintf("--default %s gives every call what --%s gives the calls it names: the list changes nothing", p.Default, f.list))
	}
}

var ruleField = regexp.MustCompile(`^Rules\[(\d+)\]`)

// explain rewrites an error of Policy.Compile in the command line's
// terms: unknown names as one sentence, and a rule as the name in --deny
// or --allow that made it.
func (f *policyFlags) explain(err error) error {
	var unknown []string
	for _, e := range unwrapAll(err) {
		var u *seccomp.UnknownSyscallError
		if errors.As(e, &u) {
			unknown = append(unknown, strconv.Quote(u.Name)+suggestion(u.Suggestions))
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("--%s: unknown system call %s", f.list, strings.Join(unknown, ", "))
	}
	var pe *seccomp.PolicyError
	if !errors.As(err, &pe) {
		return err
	}
	where := pe.Field
	if m := ruleField.FindStringSubmatch(pe.Field); m != nil && f.list != "" {
		i, _ := strconv.Atoi(m[1])
		if i < len(f.names) {
			where = fmt.Sprintf("--%s %s (name %d of %d)", f.list, f.names[i], i+1, len(f.names))
		}
	} else if pe.Field == "Default" || pe.Field == "Foreign" {
		where = "--" + strings.ToLower(pe.Field)
	}
	if pe.ABI != "" {
		where += " on " + pe.ABI
	}
	return usagef("%s: %s", where, message(pe.Err))
}

// unwrapAll returns err and, for an errors.Join, each joined error.
func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
