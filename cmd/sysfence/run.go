package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

var runCommand = &command{
	name:    "run",
	summary: "run a command under a seccomp filter",
	usage: `[--builtin NAME | --deny NAMES | --allow NAMES | --profile FILE]
	[--errno E] [--default ACTION] [--foreign ACTION] [--unknown ACTION]
	[--caps CAPS] [--kernel X.Y] [--strict] [--first-match]
	[--supervise RULES] [--] CMD [ARGS...]

Install a filter on this process and execute CMD in its place, so CMD and
everything it starts run under the filter. With neither --deny nor --allow
the filter is a built-in policy, precompiled: "sandbox" unless --builtin
names "sandbox-strict", which also refuses new namespaces. --profile
FILE compiles a seccomp profile for this machine, as compile does (see
sysfence help compile); its SCMP_ACT_NOTIFY calls fail with ENOSYS, as
no supervisor listens. Flags come before CMD: everything from CMD on is
CMD's command line.

Since the process image is replaced, CMD's exit status and the signal that
ends it are sysfence's own: the caller sees them unchanged. The filter
covers the ABI sysfence was built for, so build it for the machine's
(GOARCH=amd64 on x86_64): a 386 sysfence kills an x86_64 CMD at its first
system call.

Between the install and the exec, sysfence itself makes system calls
(execve, futex, mmap, rt_sigprocmask, ...: the Go runtime's). A policy
under which one of them would kill sysfence, or fail where sysfence cannot
do without it, is refused before anything is installed, naming the calls:
an allowlist must name them, and a denylist must not.

` + superviseHelp,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		var pf policyFlags
		pf.define(fs, true)
		var sf superviseFlag
		fs.Var(&sf, "supervise", "supervise the calls `RULES` name (connect=ADDRS;exec=log;log=NAMES; see above); repeatable")
		return func(inv *invocation) error {
			pf.parsed(fs)
			delete(pf.set, "supervise") // not a policy flag
			if len(sf.values) > 0 {
				return runSupervised(inv, &pf, sf.values)
			}
			return runRun(inv, &pf)
		}
	},
}

func runRun(inv *invocation, pf *policyFlags) error {
	if len(inv.args) == 0 {
		return usagef("no command given")
	}
	abi, err := nativeABI()
	if err != nil {
		return err
	}
	prog, err := runProgram(pf, abi, inv)
	if err != nil {
		return err
	}
	if err := canStart(prog, abi, false); err != nil {
		return err
	}
	// Resolve the command before the filter can get in the way.
	path, err := exec.LookPath(inv.args[0])
	if err != nil {
		return err
	}
	if err := prog.Install(); err != nil {
		return runtimeError{err}
	}
	err = syscall.Exec(path, inv.args, os.Environ())
	return runtimeError{fmt.Errorf("exec %s: %w", path, err)}
}

// runProgram returns the precompiled built-in program, or compiles the
// policy the flags describe.
func runProgram(pf *policyFlags, abi *tables.ABI, inv *invocation) (*seccomp.Program, error) {
	if !pf.custom() {
		prog, err := seccomp.Builtin(pf.builtin)
		if errors.Is(err, seccomp.ErrUnknownBuiltin) {
			return nil, usagef("--builtin %s: not a built-in policy (want %s)", pf.builtin, strings.Join(seccomp.BuiltinNames(), " or "))
		}
		return prog, err
	}
	p, err := pf.policy(abi)
	if err != nil {
		return nil, err
	}
	return pf.compile(p, inv.stderr)
}

// startCall is a system call sysfence makes between installing the
// filter and executing the command.
type startCall struct {
	name string
	// needed: the call must run (allow or log). Otherwise sysfence
	// survives its failure (errno, or trace and notify, which fail with
	// ENOSYS without a tracer or supervisor), but not a kill or a trap
	// (the Go runtime dies of SIGSYS).
	needed bool
	args   []uint64
}

// cloneFlags are the flags the Go runtime creates threads with
// (runtime/os_linux.go), which a policy may check.
const cloneFlags = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM

// startCalls are the system calls sysfence makes between installing the
// filter and executing the command, on any thread. strace -f of
// "sysfence run --deny ptrace -- true" (and of a CMD whose exec fails)
// shows execve, futex, nanosleep, gettid, sigaltstack, rt_sigprocmask,
// sched_getaffinity and pread64 (the runtime rereading the CPU limit),
// and write and exit_group when exec fails; TestRunStartCallsAreListed
// repeats that. The Go runtime's scheduler, garbage collector and
// preemption may at any moment also make the others listed: they are
// rare in the short window, but fatal when they happen. A name the
// native ABI lacks (mmap2 on 64-bit ABIs) is skipped.
var startCalls = []startCall{
	{name: "execve", needed: true},
	{name: "futex", needed: true},
	{name: "rt_sigprocmask", needed: true},
	{name: "sigaltstack", needed: true},
	{name: "gettid", needed: true},
	{name: "mmap", needed: true},
	{name: "mmap2", needed: true},
	{name: "munmap", needed: true},
	{name: "clone", needed: true, args: []uint64{cloneFlags}},
	{name: "rt_sigreturn", needed: true},
	{name: "exit", needed: true},
	{name: "exit_group", needed: true},
	{name: "nanosleep"},
	{name: "sched_getaffinity"},
	{name: "pread64"},
	{name: "write"},
	{name: "madvise"},
	{name: "sched_yield"},
	{name: "getpid"},
	{name: "tgkill"},
}

// helperCalls are the calls, beyond startCalls, that the notify helper
// makes between installing a supervised filter and executing the command
// (fcntl: os.NewFile of the listener).
var helperCalls = []startCall{{name: "fcntl", needed: true}}

// canStart refuses a program under which sysfence could not execute the
// command: one of startCalls would kill it, or fail where it must run.
// When supervised, the notify helper installs it and the supervisor lets
// the calls it is notified of run.
func canStart(prog *seccomp.Program, abi *tables.ABI, supervised bool) error {
	var actions []seccomp.Action
	calls := make(map[seccomp.Action][]string)
	check := startCalls
	if supervised {
		check = append(slices.Clip(startCalls), helperCalls...)
	}
	for _, c := range check {
		if _, ok := abi.Number(c.name); !ok {
			continue
		}
		act, err := prog.Evaluate(abi, c.name, c.args...)
		if err != nil {
			return err
		}
		ret, err := act.Resolve(abi)
		if err != nil {
			return err
		}
		fatal := ret.Kind() == filter.KillProcess || ret.Kind() == filter.KillThread || ret.Kind() == filter.Trap
		runs := ret.Kind() == filter.Allow || ret.Kind() == filter.Log || supervised && ret.Kind() == filter.Notify
		if fatal || c.needed && !runs {
			if calls[act] == nil {
				actions = append(actions, act)
			}
			calls[act] = append(calls[act], c.name)
		}
	}
	if len(actions) == 0 {
		return nil
	}
	var parts []string
	for _, act := range actions {
		parts = append(parts, fmt.Sprintf("%s would get %s", strings.Join(calls[act], ", "), act))
	}
	return usagef("the command cannot start under this filter: sysfence makes these calls between installing it and executing the command, and %s", strings.Join(parts, "; "))
}

// runSupervised runs the command under the policy of the flags with the
// calls of --supervise notified, deciding them until the command exits.
func runSupervised(inv *invocation, pf *policyFlags, rules []string) error {
	if len(inv.args) == 0 {
		return usagef("no command given")
	}
	abi, err := nativeABI()
	if err != nil {
		return err
	}
	sup, err := parseSupervise(rules, abi)
	if err != nil {
		return err
	}
	base, err := pf.policy(abi)
	if err != nil {
		return err
	}
	// A list of the command line is compiled alone first, for errors
	// and skipped names in the terms of --deny and --allow.
	if pf.custom() {
		if _, err := pf.compile(base, inv.stderr); err != nil {
			return err
		}
	}
	baseName := "the built-in policy " + pf.builtin
	if pf.list != "" {
		baseName = "--" + pf.list
	}
	if pf.prof.given() {
		baseName = "--profile " + pf.prof.file
	}
	p, err := sup.policy(base, baseName)
	if err != nil {
		return err
	}
	prog, err := sup.compile(p)
	if err != nil {
		return err
	}
	if err := canStart(prog, abi, true); err != nil {
		return err
	}
	h, err := sup.handler(&lineLog{w: inv.stderr})
	if err != nil {
		return err
	}
	state, err := supervise(inv, prog, h)
	if err != nil {
		return err
	}
	return exitCode(statusOf(state))
}
