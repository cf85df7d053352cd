package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// policyFlags are the flags that compile and run share to describe a
// policy: a denylist, an allowlist, or, with neither, a built-in policy
// ("sandbox" unless --builtin names another).
type policyFlags struct {
	builtin     string
	deny, allow string
	errno       string
	dflt        string
	foreign     string
	arch        string // compile only
	set         map[string]bool
}

// register defines the flags on fs; --arch only when withArch.
func (f *policyFlags) register(fs *flag.FlagSet, withArch bool) {
	fs.StringVar(&f.builtin, "builtin", "sandbox", "the built-in policy `NAME` to use without --deny or --allow ("+strings.Join(seccomp.BuiltinNames(), ", ")+")")
	fs.StringVar(&f.deny, "deny", "", "fail the comma-separated system calls `NAMES` with --errno and allow the rest")
	fs.StringVar(&f.allow, "allow", "", "allow only the comma-separated system calls `NAMES`; the rest get --default")
	fs.StringVar(&f.errno, "errno", "EPERM", "error `E`, a name or number, for the calls --deny names")
	fs.StringVar(&f.dflt, "default", "", "`ACTION` for calls the list does not name (default allow with --deny, kill-process with --allow)")
	fs.StringVar(&f.foreign, "foreign", "kill-process", "`ACTION` for calls through another ABI (i386 or x32 on x86_64, arm on aarch64)")
	if withArch {
		fs.StringVar(&f.arch, "arch", "", "`ABI` to compile for (default the native ABI; see sysfence syscalls)")
	}
}

// parsed records which flags the command line gave; call it after
// parsing.
func (f *policyFlags) parsed(fs *flag.FlagSet) {
	f.set = make(map[string]bool)
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
}

// custom reports whether the flags ask for anything but a built-in
// policy compiled for the native ABI.
func (f *policyFlags) custom() bool { return len(f.set) > 0 && !(len(f.set) == 1 && f.set["builtin"]) }

// policy returns the policy the flags describe, for the ABI they name.
func (f *policyFlags) policy() (*seccomp.Policy, *tables.ABI, error) {
	abi, err := abiFlag(f.arch)
	if err != nil {
		return nil, nil, err
	}
	p, err := f.rules(abi)
	if err != nil {
		return nil, nil, err
	}
	p.ABIs = []*tables.ABI{abi}
	p.Foreign = seccomp.Action(f.foreign)
	for _, a := range []struct {
		flag   string
		action seccomp.Action
	}{{"default", p.Default}, {"foreign", p.Foreign}} {
		if _, err := a.action.Resolve(abi); err != nil {
			return nil, nil, usageError{fmt.Errorf("--%s: %w", a.flag, err)}
		}
	}
	return p, abi, nil
}

// rules returns the policy of --deny, --allow or the built-in, with its
// Default.
func (f *policyFlags) rules(abi *tables.ABI) (*seccomp.Policy, error) {
	switch {
	case f.set["deny"] && f.set["allow"]:
		return nil, usageError{errors.New("give --deny or --allow, not both")}
	case f.set["builtin"] && (f.set["deny"] || f.set["allow"]):
		return nil, usageError{errors.New("--builtin applies without --deny or --allow")}
	case f.set["errno"] && !f.set["deny"]:
		return nil, usageError{errors.New("--errno applies to --deny")}
	case f.set["deny"]:
		names, err := nameList("deny", f.deny)
		if err != nil {
			return nil, err
		}
		errno := seccomp.Action("errno:" + f.errno)
		resolved, err := errno.Resolve(abi)
		if err != nil {
			return nil, usageError{fmt.Errorf("--errno: %w", err)}
		}
		if resolved.Data() == 0 {
			return nil, usageError{errors.New("--errno 0 would make the denied calls return 0, success, without running them")}
		}
		return &seccomp.Policy{Default: f.defaultOr(seccomp.Allow), Rules: seccomp.RulesFor(errno, names...)}, nil
	case f.set["allow"]:
		names, err := nameList("allow", f.allow)
		if err != nil {
			return nil, err
		}
		return &seccomp.Policy{Default: f.defaultOr(seccomp.KillProcess), Rules: seccomp.RulesFor(seccomp.Allow, names...)}, nil
	case f.set["default"]:
		return nil, usageError{errors.New("--default applies to --deny or --allow")}
	}
	p, err := seccomp.BuiltinPolicy(f.builtin)
	if err != nil {
		return nil, usageError{err}
	}
	return p, nil
}

func (f *policyFlags) defaultOr(a seccomp.Action) seccomp.Action {
	if f.set["default"] {
		return seccomp.Action(f.dflt)
	}
	return a
}

// nameList splits a comma-separated list of system-call names, dropping
// repeats.
func nameList(flag, list string) ([]string, error) {
	var names []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, usageError{fmt.Errorf("--%s names no system call", flag)}
	}
	return names, nil
}

// compilePolicy compiles p, reports on stderr the names skipped for the
// ABI, and makes an unknown name a usage error.
func compilePolicy(p *seccomp.Policy, stderr io.Writer) (*seccomp.Program, error) {
	prog, err := p.Compile()
	if errors.Is(err, seccomp.ErrUnknownSyscall) {
		return nil, usageError{err}
	}
	if err != nil {
		return nil, err
	}
	for _, s := range prog.Skipped() {
		fmt.Fprintf(stderr, "sysfence: skipped %s: no such system call on %s\n", s.Syscall, s.ABI.Name)
	}
	return prog, nil
}
