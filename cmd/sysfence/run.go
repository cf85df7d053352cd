package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/notify"
	"github.com/sysfence/seccomp/tables"
)

var runCommand = &command{
	name:    "run",
	execs:   true,
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

sysfence installs the filter on one thread, which then calls execve at
once (execve ends the other threads; CMD gets that thread's filter): the
policy needs to allow nothing of sysfence's but execve. A policy under
which execve would not run is refused before anything is installed.

Exit status, as env(1) and timeout(1) have it: 125 if sysfence itself
fails (a usage error, a policy it cannot compile or start under, an
install that fails), 126 if CMD is found but cannot be executed, 127 if
it is not found, and otherwise CMD's own status.

If CMD dies of SIGSYS, the filter killed it: sysfence leaves a watcher
behind that reads the kernel's audit line for the kill (from /dev/kmsg,
where auditd does not take it) and says which call it was, by name,
number and ABI. Without it: dmesg or journalctl -k (type=1326, syscall=N,
arch=...), ausearch -m SECCOMP, sysfence learn, or strace -f.

` + superviseHelp + fenceHelp,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		var pf policyFlags
		pf.define(fs, true)
		var sf superviseFlag
		fs.Var(&sf, "supervise", "supervise the calls `RULES` name (connect=ADDRS;exec=log;log=NAMES; see above); repeatable")
		return func(inv *invocation) error {
			pf.bind(inv)
			if len(sf.values) > 0 {
				return runSupervised(inv, &pf, sf.values)
			}
			return runRun(inv, &pf)
		}
	},
}

// fenceHelp is what run --supervise guarantees against its command.
const fenceHelp = `

CMD cannot walk around its supervisor: it runs in a Landlock domain of
its own (Linux 6.12) from which no signal reaches sysfence (kill and
pidfd_send_signal fail with EPERM, kill(-1) passes it by), nor ptrace
or /proc/PID/mem, root or not; prlimit64 on another process fails
with EPERM (it could set sysfence's RLIMIT_CPU); sysfence is not
dumpable, and CMD is killed (SIGKILL) if sysfence dies. When CMD exits, sysfence kills what
it left running (its orphans come to sysfence, a subreaper), so that
nothing runs on unsupervised. Where the kernel cannot fence, --supervise
refuses to start CMD (status 125). What no fence of this kind stops: a
CMD that can write the cgroup.kill or cgroup.freeze of sysfence's cgroup
(root, or a user's delegated cgroup); run it as another user, or in a
namespace, if that matters. If CMD dies of SIGSYS, sysfence says which
call, as above.`

// fenceRules come first in a supervised policy: they refuse what the
// Landlock fence lets through and would still undo the supervisor.
// prlimit64 on another process (not pid 0, the caller) can set
// sysfence's RLIMIT_CPU (the kernel then kills it), RLIMIT_NOFILE (it
// can no longer take a copy of the socket it connects) or RLIMIT_AS;
// check_prlimit_permission in kernel/sys.c lets a process of the same
// user do it, and Landlock has no say. The first matching rule decides,
// so the policy's own rules for prlimit64 still decide the caller's own
// limits.
var fenceRules = []seccomp.Rule{
	{Syscall: "prlimit64", Action: seccomp.Errno(uint16(syscall.EPERM)), Args: []seccomp.Cond{{Arg: 0, Op: seccomp.Ne, Value: 0}}},
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
	if err := canStart(prog, abi, execCalls, false); err != nil {
		return err
	}
	// Resolve the command before the filter can get in the way.
	path, err := lookPath(inv.args[0])
	if err != nil {
		return err
	}
	startWatcher(inv.stderr, inv.args[0])
	return execError(path, prog.Exec(path, inv.args, os.Environ()))
}

// Exit statuses of run and learn, which run a command: those of env(1)
// and timeout(1), so that a caller can tell sysfence's failures from the
// command's own status.
const (
	exitOwnFailure = 125 // sysfence failed: usage, input, system
	exitCannotExec = 126 // the command was found but cannot be executed
	exitNotFound   = 127 // the command was not found
)

// execStatus returns the exit status of run or learn for err, which is
// not the command's own.
func execStatus(err error) int {
	var e cannotExec
	if errors.As(err, &e) {
		return e.status
	}
	return exitOwnFailure
}

// cannotExec is a command that could not be executed: not found (127)
// or not executable (126).
type cannotExec struct {
	error
	status int
}

func (e cannotExec) Unwrap() error { return e.error }

// lookPath finds the command as exec.LookPath does, classifying a
// failure as env(1) does: 127 for a name that is not found, 126 for a
// file that is not executable (or a directory).
func lookPath(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	status := exitCannotExec
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		status = exitNotFound
	}
	return "", cannotExec{err, status}
}

// execError classifies a failed exec of path: 127 if the file or its
// interpreter is missing, 126 otherwise.
func execError(path string, err error) error {
	var pe *os.PathError
	if !errors.As(err, &pe) {
		return runtimeError{err} // the install failed
	}
	status := exitCannotExec
	if errors.Is(err, syscall.ENOENT) {
		status = exitNotFound
	}
	return cannotExec{fmt.Errorf("cannot execute %s: %w", path, pe.Err), status}
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

// execCalls are the calls of run between the install and the command:
// execve alone, on the thread it filtered (seccomp.Program.Exec, and the
// helper of notify.Start with --supervise).
var execCalls = []startCall{{name: "execve", needed: true}}

// canStart refuses a program under which sysfence could not execute the
// command: one of calls would kill it, or fail where it must run. When
// supervised, the supervisor lets the calls it is notified of run.
func canStart(prog *seccomp.Program, abi *tables.ABI, calls []startCall, supervised bool) error {
	var actions []seccomp.Action
	refused := make(map[seccomp.Action][]string)
	for _, c := range calls {
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
			if refused[act] == nil {
				actions = append(actions, act)
			}
			refused[act] = append(refused[act], c.name)
		}
	}
	if len(actions) == 0 {
		return nil
	}
	var parts []string
	for _, act := range actions {
		parts = append(parts, fmt.Sprintf("%s would get %s", strings.Join(refused[act], ", "), act))
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
	if pf.prof.isGiven() {
		baseName = "--profile " + pf.prof.file
	}
	p, err := sup.policy(base, baseName)
	if err != nil {
		return err
	}
	p.Rules = append(slices.Clip(fenceRules), p.Rules...)
	orig := p
	if sup.explain {
		p = explained(p)
	}
	prog, err := sup.compile(p)
	if err != nil {
		return err
	}
	if err := canStart(prog, abi, execCalls, true); err != nil {
		return err
	}
	log := &lineLog{w: inv.stderr}
	h, err := sup.handler(log)
	if err != nil {
		return err
	}
	if sup.explain {
		mux := h.(*notify.Mux)
		if mux.Default, err = explainRefused(orig, log); err != nil {
			return err
		}
	}
	kmsg := openKmsg()
	state, err := supervise(inv, prog, h, true)
	if err != nil {
		return err
	}
	status := statusOf(state)
	if status == 128+int(syscall.SIGSYS) {
		reportKill(inv.stderr, kmsg, state.Pid(), inv.args[0])
	}
	return exitCode(status)
}
