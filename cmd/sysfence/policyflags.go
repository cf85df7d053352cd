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
	set         map[string]bool
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
}

const actionHelp = "allow, kill-process, kill-thread, trap or trap:N, log, notify, errno:N (0..4095) or errno:NAME, trace:N"

// define defines the flags on fs, and the --profile flags when profiles
// is set.
func (f *policyFlags) define(fs *flag.FlagSet, profiles bool) {
	if profiles {
		f.prof = new(profileFlags)
		f.prof.define(fs)
	}
	fs.StringVar(&f.builtin, "builtin", "sandbox", "the built-in policy `NAME` to use without --deny or --allow ("+strings.Join(seccomp.BuiltinNames(), ", ")+")")
	fs.StringVar(&f.deny, "deny", "", "fail the comma-separated system calls `NAMES` with --errno and allow the rest (a name, or a number as seccomp_data.nr holds it: 451, 0x1c3, -1)")
	fs.StringVar(&f.allow, "allow", "", "allow only the comma-separated system calls `NAMES` (or numbers, as --deny); the rest get --default")
	fs.StringVar(&f.errno, "errno", "EPERM", "error `E`, a name or a number from 0 to 4095, for the calls --deny names (0 makes them return 0 without running)")
	fs.StringVar(&f.dflt, "default", "", "`ACTION` for calls the list does not name (default allow with --deny, kill-process with --allow): "+actionHelp)
	fs.StringVar(&f.foreign, "foreign", "kill-process", "`ACTION` for calls through another ABI (i386 int 0x80 or x32 on x86_64, arm on aarch64; kill-thread with --profile, as libseccomp)")
	fs.StringVar(&f.unknown, "unknown", "errno:ENOSYS", "`ACTION` for numbers the ABI's table does not know, such as calls newer than it (with --profile: the profile's default action, as libseccomp)")
}

// parsed records which flags the command line gave; call it after
// parsing.
func (f *policyFlags) parsed(fs *flag.FlagSet) {
	f.set = make(map[string]bool)
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if f.prof != nil {
		f.prof.parsed(fs)
	}
}

// custom reports whether the flags ask for anything but a built-in
// policy as it is.
func (f *policyFlags) custom() bool { return len(f.set) > 0 && !(len(f.set) == 1 && f.set["builtin"]) }

// policy returns the policy the flags describe, for abi: with --profile,
// the profile translated for a machine whose native ABI is abi, which
// may cover compat ABIs too.
func (f *policyFlags) policy(abi *tables.ABI) (*seccomp.Policy, error) {
	var foreign, unknown seccomp.Action
	for _, a := range []struct {
		flag, value string
		action      *seccomp.Action
	}{{"foreign", f.foreign, &foreign}, {"unknown", f.unknown, &unknown}} {
		if f.set[a.flag] {
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
		if f.prof.given() {
			for _, name := range []string{"builtin", "deny", "allow", "errno", "default"} {
				if f.set[name] {
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
	if f.set["unknown"] {
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
			return usagef("--%s %s: %s", flag, value, ae.Reason)
		}
		return usagef("--%s %s: %v", flag, value, err)
	}
	return nil
}

// rules returns the policy of --deny, --allow or the built-in, with its
// Default.
func (f *policyFlags) rules(abi *tables.ABI) (*seccomp.Policy, error) {
	switch {
	case f.set["deny"] && f.set["allow"]:
		return nil, usagef("give --deny or --allow, not both")
	case f.set["builtin"] && (f.set["deny"] || f.set["allow"]):
		return nil, usagef("--builtin applies without --deny or --allow")
	case f.set["errno"] && !f.set["deny"]:
		return nil, usagef("--errno applies to --deny")
	case f.set["default"] && !f.set["deny"] && !f.set["allow"]:
		return nil, usagef("--default applies to --deny or --allow")
	case f.set["deny"]:
		if err := f.nameList("deny", f.deny); err != nil {
			return nil, err
		}
		errno := seccomp.Action("errno:" + f.errno)
		if err := checkAction("errno", f.errno, errno, abi); err != nil {
			return nil, err
		}
		return f.withDefault(seccomp.Allow, abi, seccomp.RulesFor(errno, f.names...))
	case f.set["allow"]:
		if err := f.nameList("allow", f.allow); err != nil {
			return nil, err
		}
		return f.withDefault(seccomp.KillProcess, abi, seccomp.RulesFor(seccomp.Allow, f.names...))
	}
	p, err := seccomp.BuiltinPolicy(f.builtin)
	if err != nil {
		return nil, usagef("--builtin %s: not a built-in policy (want %s)", f.builtin, strings.Join(seccomp.BuiltinNames(), " or "))
	}
	return p, nil
}

func (f *policyFlags) withDefault(def seccomp.Action, abi *tables.ABI, rules []seccomp.Rule) (*seccomp.Policy, error) {
	if f.set["default"] {
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

// compile compiles p, reports on stderr the names skipped for the ABI,
// and puts an error in the terms of the command line.
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
		line := fmt.Sprintf("sysfence: %s: the profile's seccomp(2) flags (%s) are not part of a program, and are not applied here\n", f.prof.file, f.result.Flags)
		f.prof.once(stderr, line)
	}
	// A profile's result reported its names each ABI lacks already.
	for _, s := range prog.Skipped() {
		if f.result != nil {
			break
		}
		fmt.Fprintf(stderr, "sysfence: skipped %s: no such system call on %s\n", s.Syscall, s.ABI.Name)
	}
	for _, r := range prog.Routed() {
		fmt.Fprintf(stderr, "sysfence: %v\n", r)
	}
	return prog, nil
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
			s := strconv.Quote(u.Name)
			if len(u.Suggestions) > 0 {
				s += " (did you mean " + strings.Join(u.Suggestions, ", ") + "?)"
			}
			unknown = append(unknown, s)
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
