package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/notify"
	"github.com/sysfence/seccomp/tables"
)

// superviseHelp is the grammar of --supervise, for run's help.
const superviseHelp = `With --supervise RULES, sysfence stays as CMD's parent and supervises
the calls RULES name: the filter gives them SECCOMP_RET_USER_NOTIF, and
sysfence decides each one and writes a line for it on its standard error
("sysfence: [pid N] ..."). RULES are KEY=VALUE parts separated by ";"
(the flag may be repeated, which is the same as joining with ";"):

  connect=ADDR,ADDR,...  connect(2) succeeds only to these addresses;
                         others fail with ECONNREFUSED. ADDR is
                         127.0.0.1:8080, 127.0.0.1 (any port),
                         10.0.0.0/8:443, [::1]:53, ::1, [fd00::/8]:*,
                         unix:/run/x.sock (an absolute path) or
                         unix:@abstract; connect=none refuses every
                         address
  exec=log               log execve and execveat with path and argv
  log=NAME,NAME,...      log each call of these system calls with its
                         raw arguments, and let it run
  explain=refused        log each call the policy fails with an errno,
                         with its arguments, ABI and the rule that
                         decided, and fail it with that errno, so CMD
                         sees what it would see without supervision
                         (calls the policy kills are reported as
                         without it: which call killed CMD)

For example: --supervise 'connect=127.0.0.1:8080,[::1]:53;exec=log'.

sysfence makes an allowed connect itself, on a copy of the calling
thread's socket, to the address it checked (pidfd_getfd, Linux 5.6), so
that CMD cannot change the address between the check and the call; it
waits for a blocking connect without holding up other calls, and ends
the wait at the socket's SO_SNDTIMEO or when CMD has a signal to handle.
Unix paths resolve in CMD's root and working directory, with CMD's
credentials; a unix stream socket is refused even when a rule names it,
since the server would see sysfence as its peer (datagram sockets are
connected). connect= also covers connect through every ABI of the
machine and socketcall(SYS_CONNECT), and refuses the other ways into a
connection: sendto and sendmsg with MSG_FASTOPEN fail with EOPNOTSUPP,
io_uring with ENOSYS, SCTP sockets with EPROTONOSUPPORT; a policy that
lets any of them run (--foreign allow, a profile allowing socketcall on
i386) is refused. Not covered: datagrams (UDP sendto to any address),
inbound bind and listen, sockets CMD inherits or receives. Deny them
with --deny or --allow if they matter. The supervised calls take the
place of their names in --allow; --deny, or a built-in policy's rules,
may not name them. sysfence exits as CMD does (128+N if a signal N
killed it), forwards SIGTERM and SIGHUP to it and ignores SIGINT and
SIGQUIT, which a terminal sends CMD as well.`

// supervision is what --supervise asks for.
type supervision struct {
	connect    []notify.ConnectRule
	connectSet bool // connect= was given (connect=none refuses all)
	exec       bool
	log        []string
	// explain: the calls the policy fails with an errno are notified
	// instead, answered with that errno and logged with the rule that
	// decided (explain=refused).
	explain bool
}

// superviseFlag collects the values of the repeatable --supervise.
type superviseFlag struct{ values []string }

func (f *superviseFlag) String() string     { return strings.Join(f.values, ";") }
func (f *superviseFlag) Set(v string) error { f.values = append(f.values, v); return nil }

// parseSupervise reads the RULES of --supervise (see superviseHelp) for
// abi. Errors name the part that is wrong.
func parseSupervise(values []string, abi *tables.ABI) (*supervision, error) {
	s := &supervision{}
	given := map[string]bool{}
	var parts []string
	for _, v := range values {
		for _, p := range strings.Split(v, ";") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
	}
	if len(parts) == 0 {
		return nil, usagef("--supervise: no rule given (want connect=ADDRS, exec=log, log=NAMES or explain=refused)")
	}
	for _, part := range parts {
		key, value, ok := strings.Cut(part, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok {
			return nil, usagef("--supervise %q: want KEY=VALUE (connect=ADDRS, exec=log, log=NAMES or explain=refused)", part)
		}
		if given[key] {
			return nil, usagef("--supervise %q: %s= is given twice; list every value in one", part, key)
		}
		given[key] = true
		var err error
		switch key {
		case "connect":
			err = s.parseConnect(value)
		case "exec":
			if value != "log" {
				err = fmt.Errorf("want exec=log")
			}
			s.exec = true
		case "log":
			err = s.parseLog(value, abi)
		case "explain":
			if value != "refused" {
				err = fmt.Errorf("want explain=refused")
			}
			s.explain = true
		default:
			err = fmt.Errorf("unknown rule %q (want connect, exec, log or explain)", key)
		}
		if err != nil {
			return nil, usagef("--supervise %q: %v", part, err)
		}
	}
	// A call is supervised by one rule.
	for _, name := range s.log {
		switch {
		case name == "connect" && s.connectSet:
			return nil, usagef("--supervise log=connect: connect= supervises connect already (and logs it)")
		case (name == "execve" || name == "execveat") && s.exec:
			return nil, usagef("--supervise log=%s: exec=log logs it already", name)
		}
	}
	return s, nil
}

func (s *supervision) parseConnect(value string) error {
	s.connectSet = true
	if value == "none" {
		return nil
	}
	addrs := strings.Split(value, ",")
	for i, a := range addrs {
		a = strings.TrimSpace(a)
		if a == "" {
			return fmt.Errorf("address %d of %d is empty (write connect=none to refuse every address)", i+1, len(addrs))
		}
		r, err := notify.ParseConnectRule(a)
		if err != nil && hostnameWhy(a) != "" {
			return fmt.Errorf("address %d of %d, %q: %s", i+1, len(addrs), a, hostnameWhy(a))
		}
		if err != nil {
			why := err.Error()
			var re *notify.ConnectRuleError
			if errors.As(err, &re) {
				why = re.Reason
			}
			return fmt.Errorf("address %d of %d, %q: %s", i+1, len(addrs), a, why)
		}
		s.connect = append(s.connect, r)
	}
	return nil
}

func (s *supervision) parseLog(value string, abi *tables.ABI) error {
	names := strings.Split(value, ",")
	for i, name := range names {
		name = strings.TrimSpace(name)
		if _, ok := abi.Number(name); !ok {
			why := fmt.Sprintf("no system call %q on %s", name, abi.Name)
			if name == "" {
				why = "an empty name"
			} else {
				why += suggestion(tables.Suggest(name, 3))
			}
			return fmt.Errorf("name %d of %d: %s", i+1, len(names), why)
		}
		if !slices.Contains(s.log, name) {
			s.log = append(s.log, name)
		}
	}
	return nil
}

// calls returns the names of the supervised system calls.
func (s *supervision) calls() []string {
	var names []string
	if s.connectSet {
		names = append(names, "connect")
	}
	if s.exec {
		names = append(names, "execve", "execveat")
	}
	return append(names, s.log...)
}

// policy returns base with the supervised calls given Notify: the rules
// come first, and take the place of base's rules that allow a supervised
// call without conditions (an allowlist naming it). Any other rule of
// base for a supervised call is a conflict. With connect=, the rules of
// notify.ConnectRules come first instead of connect's alone, and a base
// that lets io_uring run is refused.
func (s *supervision) policy(base *seccomp.Policy, baseName string) (*seccomp.Policy, error) {
	calls := s.calls()
	p := *base
	p.Rules = nil
	if s.connectSet {
		// The routes ConnectRules refuses are left to base where base
		// refuses them already, in its own way: a call it names with
		// an action that does not run it, or does not name under a
		// Default that does not. A base that lets io_uring run is
		// refused: io_uring is the user's choice, and connect= cannot
		// see it.
		named := map[string]bool{}
		refused := map[string]bool{}
		for _, r := range base.Rules {
			named[r.Syscall] = true
			if slices.Contains(notify.IOURingCalls, r.Syscall) {
				if runs(r.Action) {
					return nil, usagef("--supervise connect= cannot see the connects io_uring makes (IORING_OP_CONNECT), and %s gives %s %s: leave it out, or leave out connect=", baseName, r.Syscall, r.Action)
				}
				refused[r.Syscall] = true
			}
		}
		def := base.Default
		if def == "" {
			def = seccomp.KillProcess
		}
		p.Rules = slices.DeleteFunc(notify.ConnectRules(base.ABIs...), func(r seccomp.Rule) bool {
			return r.Action != seccomp.Notify && (refused[r.Syscall] || !named[r.Syscall] && !runs(def))
		})
	}
	for _, name := range calls {
		if name != "connect" {
			p.Rules = append(p.Rules, seccomp.Rule{Syscall: name, Action: seccomp.Notify})
		}
	}
	for _, r := range base.Rules {
		if !slices.Contains(calls, r.Syscall) {
			p.Rules = append(p.Rules, r)
			continue
		}
		if r.Action == seccomp.Allow && len(r.Args) == 0 {
			continue
		}
		return nil, usagef("--supervise supervises %s, which %s gives %s: a call is supervised or %s, not both", r.Syscall, baseName, r.Action, r.Action)
	}
	return &p, nil
}

// compile compiles the policy p made, and with connect= refuses it where
// another route than the supervised connect opens a connection
// (notify.CheckConnectRoutes), in one line naming the call and the ABI.
func (s *supervision) compile(p *seccomp.Policy) (*seccomp.Program, error) {
	prog, err := p.Compile()
	if err != nil {
		return nil, err
	}
	if !s.connectSet {
		return prog, nil
	}
	covered := p.ABIs
	if native, err := seccomp.NativeABI(); err == nil && len(covered) == 0 {
		covered = []*tables.ABI{native}
	}
	var re *notify.RouteError
	if err := notify.CheckConnectRoutes(prog); errors.As(err, &re) {
		if !slices.Contains(covered, re.ABI) {
			return nil, usagef("--supervise connect=: %s on %s gets the foreign-ABI action %s and would open connections sysfence does not see; leave --foreign at kill-process (or errno) to supervise connect", re.Call, re.ABI.Name, re.Action)
		}
		return nil, usagef("--supervise connect=: %s on %s gets %s under this policy and would open connections sysfence does not see; deny %s on %s (or leave %s out of the policy) to supervise connect", re.Call, re.ABI.Name, re.Action, re.Syscall, re.ABI.Name, re.ABI.Name)
	} else if err != nil {
		return nil, err
	}
	return prog, nil
}

// runs reports whether a call given act runs in the kernel without the
// supervisor (notify.Runs, for a rule's action).
func runs(act seccomp.Action) bool {
	abi, err := seccomp.NativeABI()
	return err != nil || notify.Runs(act, abi)
}

// handler returns the Handler that decides the supervised calls and
// logs one line for each on log.
func (s *supervision) handler(log *lineLog) (notify.Handler, error) {
	mux := &notify.Mux{}
	if s.connectSet {
		c := &notify.ConnectAllowlist{
			Allow:   s.connect,
			Errno:   syscall.ECONNREFUSED,
			Decided: func(req *notify.Request, d notify.ConnectDecision) { log.printf(req, "%s", connectLine(req, d)) },
		}
		// connect on every ABI, and i386's socketcall(SYS_CONNECT):
		// the filter notifies socketcall with no other operation.
		if err := mux.AddEveryABI("connect", c); err != nil {
			return nil, err
		}
		mux.AddEveryABI("socketcall", c) // an error: no ABI here has socketcall
	}
	if s.exec {
		h := notify.LogExec(func(req *notify.Request, e notify.Exec, err error) {
			if err != nil {
				log.printf(req, "%s: cannot read what it executes: %s", req.SyscallName(), message(err))
				return
			}
			argv := make([]string, len(e.Argv))
			for i, a := range e.Argv {
				argv[i] = strconv.Quote(a)
			}
			log.printf(req, "%s %q [%s]", req.SyscallName(), e.Path, strings.Join(argv, " "))
		})
		for _, name := range []string{"execve", "execveat"} {
			if err := mux.Add(name, h); err != nil {
				return nil, err
			}
		}
	}
	logged := notify.Logged(notify.ContinueAll, func(req *notify.Request, _ notify.Response) {
		args := make([]string, len(req.Data.Args))
		for i, a := range req.Data.Args {
			args[i] = "0x" + strconv.FormatUint(a, 16)
		}
		log.printf(req, "%s(%s)", req.SyscallName(), strings.Join(args, ", "))
	})
	for _, name := range s.log {
		if err := mux.Add(name, logged); err != nil {
			return nil, err
		}
	}
	return mux, nil
}

// explained returns p with every errno it gives (in a rule, Default or
// Unknown) turned into Notify, for explain=refused: the supervisor
// answers each with the errno p gives it (explainRefused), so the command
// sees what it would have seen, and the call is logged.
func explained(p *seccomp.Policy) *seccomp.Policy {
	q := *p
	isErrno := func(a seccomp.Action) bool { return strings.HasPrefix(string(a), "errno:") }
	q.Rules = slices.Clone(p.Rules)
	for i := range q.Rules {
		if isErrno(q.Rules[i].Action) {
			q.Rules[i].Action = seccomp.Notify
		}
	}
	if isErrno(q.Default) {
		q.Default = seccomp.Notify
	}
	if q.Unknown == "" || isErrno(q.Unknown) {
		q.Unknown = seccomp.Notify
	}
	return &q
}

// explainRefused answers a call explained made Notify with the errno the
// original policy gives it, and logs the call, its arguments and the rule
// that decided.
func explainRefused(orig *seccomp.Policy, log *lineLog) (notify.Handler, error) {
	e, err := orig.Explainer()
	if err != nil {
		return nil, err
	}
	return notify.HandlerFunc(func(_ context.Context, req *notify.Request) notify.Response {
		abi, ok := tables.ByCall(req.Data.Arch, uint32(req.Data.Nr))
		if !ok {
			return notify.Fail(syscall.ENOSYS) // no table: cannot happen for a notified call
		}
		d, err := e.Explain(abi, uint32(req.Data.Nr), req.Data.Args[:]...)
		if err != nil {
			return notify.Fail(syscall.ENOSYS)
		}
		act, err := d.Action.Resolve(abi)
		if err != nil || act.Kind() != filter.ErrnoBase {
			return notify.Fail(syscall.ENOSYS)
		}
		args := make([]string, len(req.Data.Args))
		for i, a := range req.Data.Args {
			args[i] = "0x" + strconv.FormatUint(a, 16)
		}
		rule := "Default"
		switch {
		case d.Rule >= 0:
			r := orig.Rules[d.Rule]
			rule = fmt.Sprintf("rule %s %s", r.Syscall, r.Action)
			for _, c := range r.Args {
				rule += fmt.Sprintf(" if %s", c)
			}
		case d.By == "Unknown":
			rule = "Unknown: a number the table lacks"
		}
		log.printf(req, "refused %s(%s) on %s: %s (%s)", req.SyscallName(), strings.Join(args, ", "), abi.Name, d.Action, rule)
		if act.Data() == 0 {
			return notify.Return(0) // errno 0: the call returns 0 without running
		}
		return notify.Fail(syscall.Errno(act.Data()))
	}), nil
}

// connectLine is the log line of a connect decision: what the command
// asked for, what the rules said, and what it got, and why when that is
// not the rules' answer.
func connectLine(req *notify.Request, d notify.ConnectDecision) string {
	call := req.SyscallName()
	if call == "socketcall" {
		call = "socketcall(SYS_CONNECT)"
	}
	errno := func(r notify.Response) string {
		if abi, err := seccomp.NativeABI(); err == nil {
			if name, ok := abi.ErrnoName(uint16(r.Errno())); ok {
				return name
			}
		}
		return strconv.Itoa(int(r.Errno()))
	}
	got := "connected"
	if r := d.Response; r.Errno() != 0 {
		got = "failed with " + errno(r)
	}
	switch {
	case d.Err != nil && d.Addr == (notify.Sockaddr{}):
		return fmt.Sprintf("%s: cannot read the address (%s): %s", call, message(d.Err), got)
	case errors.Is(d.Err, notify.ErrBadFD) || d.Response.Errno() == syscall.EBADF:
		return fmt.Sprintf("%s %s: fd %d is not open: %s", call, d.Addr, d.FD, got)
	case d.Err != nil && d.Allowed:
		return fmt.Sprintf("%s %s: allowed, but %s: %s", call, d.Addr, got, message(d.Err))
	case d.Err != nil:
		return fmt.Sprintf("%s %s: refused, %s: %s", call, d.Addr, got, message(d.Err))
	case !d.Allowed:
		return fmt.Sprintf("%s %s: refused with %s", call, d.Addr, errno(d.Response))
	case d.Response.Errno() == syscall.EINPROGRESS:
		return fmt.Sprintf("%s %s: allowed, in progress", call, d.Addr)
	case d.Response.Errno() != 0:
		return fmt.Sprintf("%s %s: allowed, %s", call, d.Addr, got)
	}
	return fmt.Sprintf("%s %s: allowed", call, d.Addr)
}

// lineLog writes the supervisor's lines, one at a time.
type lineLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineLog) printf(req *notify.Request, format string, args ...any) {
	line := fmt.Sprintf("sysfence: [pid %d] ", req.PID) + fmt.Sprintf(format, args...) + "\n"
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, line)
}

// exitCode is an error that carries the exit status of a supervised
// command: run returns it as its own, printing nothing.
type exitCode int

func (e exitCode) Error() string { return "exit status " + strconv.Itoa(int(e)) }

// statusOf returns the exit status a shell would report for a command
// that ended in state: its exit status, or 128+N when signal N killed it.
func statusOf(state *os.ProcessState) int {
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return state.ExitCode()
}

// supervise starts args under prog, serves its listener with h until the
// command exits, and returns the command's state. fenced says that the
// command may be hostile: it is fenced off from sysfence (notify.Start),
// or not started at all where the kernel cannot; learn, which only
// watches, starts it unfenced. The command has the
// invocation's standard files and sysfence's environment.
func supervise(inv *invocation, prog *seccomp.Program, h notify.Handler, fenced bool) (*os.ProcessState, error) {
	path, err := lookPath(inv.args[0])
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{Path: path, Args: inv.args}
	// The supervisor's memory is out of the command's reach: not
	// dumpable (its /proc/PID/mem needs CAP_SYS_PTRACE), and, fenced,
	// in no Landlock domain the command can reach (notify.Start).
	if err := notDumpable(); err != nil {
		return nil, runtimeError{err}
	}
	if fenced {
		if err := becomeSubreaper(); err != nil {
			return nil, runtimeError{err}
		}
	}
	// A command that takes the terminal's foreground (tcsetpgrp) and
	// sets TOSTOP would stop sysfence at its next line of log.
	signal.Ignore(syscall.SIGTTOU, syscall.SIGTTIN)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inv.stdin, inv.stdout, inv.stderr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := notify.Start
	if !fenced {
		start = notify.StartUnfenced
	}
	l, err := start(ctx, cmd, prog)
	if err != nil {
		return nil, runtimeError{err}
	}
	defer l.Close()
	// Each call on a goroutine of its own: a blocking connect being
	// waited for holds up no other call.
	served := make(chan error, 1)
	go func() { served <- l.ServeEach(ctx, h) }()

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	go func() {
		for sig := range sigs {
			if sig == syscall.SIGTERM || sig == syscall.SIGHUP {
				cmd.Process.Signal(sig)
			}
		}
	}()

	err = cmd.Wait()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, runtimeError{err}
	}
	// Fenced, what CMD left running is killed: it came to sysfence,
	// the subreaper, and would otherwise run on without a supervisor.
	// Unfenced (learn), it keeps the filter: its notified calls fail
	// with ENOSYS once the listener is closed. Handlers still running
	// (connects being waited for) are not waited for: they follow ctx.
	if fenced {
		killOrphans()
	}
	cancel()
	if err := <-served; err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, notify.ErrTargetsExited) {
		return cmd.ProcessState, runtimeError{fmt.Errorf("supervising: %w", err)}
	}
	return cmd.ProcessState, nil
}
