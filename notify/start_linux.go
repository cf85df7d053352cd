//go:build linux

package notify

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
)

// helperEnv names the descriptor of the socket over which a helper started
// by Start receives its program and hands back the listener.
const helperEnv = "SYSFENCE_NOTIFY_HELPER"

// helperGodebugEnv holds the GODEBUG the target gets: "set:VALUE", or
// "unset".
const helperGodebugEnv = "SYSFENCE_NOTIFY_GODEBUG"

// lookupEnv returns the value of key in env, the last one if several.
func lookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// Start starts cmd with prog installed in it and returns the filter's
// listener. prog usually gives some calls seccomp.Notify; serve the
// listener at once, since the target waits in its first notified call
// until it is answered.
//
// The target is fenced off from the supervisor, so that it cannot walk
// around it: it runs in a Landlock domain of its own (Linux 6.12,
// LANDLOCK_SCOPE_SIGNAL) that lets it send no signal to a process
// outside the domain (kill, tgkill, pidfd_send_signal, kill(-1), F_SETOWN
// all fail with EPERM for the supervisor) and, as every Landlock domain
// does, neither ptrace them nor open their /proc/PID/mem, fd or environ,
// whatever its user, root included. Its own children are in the domain
// and within reach. Where the kernel has no Landlock signal scoping,
// Start fails with an error wrapping ErrNoFence and starts nothing; see
// FenceSupported. The target is also killed (SIGKILL) when the
// supervisor exits: Start forks it from a thread of its own, which it
// keeps until the target has ended. The supervisor should
// also make itself non-dumpable (prctl PR_SET_DUMPABLE 0), which keeps
// processes of its user without CAP_SYS_PTRACE out of its /proc/PID/mem
// by a second route. What remains for a target with the power of root,
// or of a user whose cgroups are delegated to it, is what no fence of
// this kind stops: writing cgroup.kill or cgroup.freeze of a cgroup that
// holds the supervisor, loading kernel modules, rebooting. Run it where
// it cannot (a namespace, another user) if that matters.
//
// The filter must be installed in the child, after it is forked and
// before it executes the target, which os/exec offers no hook for. So
// Start runs this binary again as a helper, with cmd's attributes
// (standard files, ExtraFiles, directory, environment, SysProcAttr):
// Init, called first in main, recognises it. The helper receives prog
// over a socket, fences and installs it on one locked thread with
// seccomp.FlagNewListener (plus seccomp.FlagWaitKillableRecv where the
// kernel has it, so that the Go runtime's signals do not restart a call
// the supervisor is deciding), sends the listener back with SCM_RIGHTS
// from another, unfiltered, thread, and then executes cmd.Path with
// cmd.Args from the filtered thread, which becomes the whole process.
// Between the install and the execve the filtered thread makes no
// system call: the policy needs to allow nothing of the helper's but
// execve, and since the listener is handed over by another thread, a
// policy that notifies every call works too. The helper runs with the
// garbage collector and the runtime's asynchronous preemption off
// (GODEBUG=asyncpreemptoff=1; the target gets cmd's GODEBUG), so that
// no signal handler, which would return through rt_sigreturn, runs on
// the filtered thread while it waits for the hand-over. If execve
// fails, the helper says why on standard error and exits as env(1)
// would: 127 if the file (or its interpreter) does not exist, 126
// otherwise.
//
// cmd.Process is the helper and then the target: the same process. Wait
// for it with cmd.Wait as usual. On error Start kills and reaps the
// helper. ctx bounds the hand-over, not the process (use
// exec.CommandContext for that).
func Start(ctx context.Context, cmd *exec.Cmd, prog *seccomp.Program) (*Listener, error) {
	return start(ctx, cmd, prog, true)
}

// StartUnfenced is Start without the fence: the target may signal,
// stop, kill or (as root, or where the supervisor is dumpable) rewrite
// its supervisor, and so answer its own notifications. It is for
// watching a program that is not hostile (learning the calls it makes),
// on kernels without Landlock signal scoping too; never for enforcing a
// policy. The target is still killed when its supervisor dies.
func StartUnfenced(ctx context.Context, cmd *exec.Cmd, prog *seccomp.Program) (*Listener, error) {
	return start(ctx, cmd, prog, false)
}

// ErrNoFence is the error of Start on a kernel that cannot fence the
// target off from its supervisor.
var ErrNoFence = errors.New("notify: the kernel cannot keep the target from signalling its supervisor (Landlock signal scoping needs Linux 6.12)")

// Landlock's interface (include/uapi/linux/landlock.h).
const (
	landlockCreateRulesetVersion = 1      // LANDLOCK_CREATE_RULESET_VERSION
	landlockScopeSignal          = 1 << 1 // LANDLOCK_SCOPE_SIGNAL, ABI 6
	landlockSignalABI            = 6
)

// landlockRulesetAttr is struct landlock_ruleset_attr (ABI 6).
type landlockRulesetAttr struct {
	handledAccessFS  uint64
	handledAccessNet uint64
	scoped           uint64
}

// FenceSupported reports, with nil, that the running kernel lets Start
// fence a target off from its supervisor (Landlock ABI 6 or later, and
// Landlock enabled), and otherwise why not, wrapping ErrNoFence.
func FenceSupported() error {
	nr, err := seccomp.NativeNumber("landlock_create_ruleset")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoFence, err)
	}
	v, _, errno := syscall.Syscall(nr, 0, 0, landlockCreateRulesetVersion)
	switch {
	case errno == syscall.EOPNOTSUPP:
		return fmt.Errorf("%w: Landlock is not enabled (the lsm= boot parameter)", ErrNoFence)
	case errno != 0:
		return fmt.Errorf("%w: landlock_create_ruleset: %v", ErrNoFence, errno)
	case int(v) < landlockSignalABI:
		return fmt.Errorf("%w: Landlock ABI %d, not %d", ErrNoFence, v, landlockSignalABI)
	}
	return nil
}

// fence puts the calling thread in a new Landlock domain that scopes
// signals (and, as every domain does, ptrace and /proc/PID access) to
// itself. No-new-privs must be set on the thread.
func fence() error {
	create, err := seccomp.NativeNumber("landlock_create_ruleset")
	if err != nil {
		return err
	}
	restrict, err := seccomp.NativeNumber("landlock_restrict_self")
	if err != nil {
		return err
	}
	attr := landlockRulesetAttr{scoped: landlockScopeSignal}
	fd, _, errno := syscall.RawSyscall(create, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0)
	if errno != 0 {
		return fmt.Errorf("landlock_create_ruleset: %w", errno)
	}
	_, _, errno = syscall.RawSyscall(restrict, fd, 0, 0)
	syscall.Close(int(fd))
	if errno != 0 {
		return fmt.Errorf("landlock_restrict_self: %w", errno)
	}
	return nil
}

// Options of the hand-over message.
const optFence = 1 << 0

func start(ctx context.Context, cmd *exec.Cmd, prog *seccomp.Program, fenced bool) (*Listener, error) {
	switch {
	case cmd.Err != nil:
		return nil, cmd.Err
	case cmd.Process != nil:
		return nil, errors.New("notify: Start: already started")
	case prog == nil:
		return nil, errors.New("notify: Start: nil program")
	case !initCalled.Load():
		return nil, errors.New("notify: Start: notify.Init was not called first in main (in a test binary, first in TestMain): the helper Start runs is this binary, and Init is its half")
	}
	var opts uint32
	if fenced {
		if err := FenceSupported(); err != nil {
			return nil, err
		}
		opts |= optFence
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("notify: Start: %w", err)
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("notify: Start: socketpair: %w", err)
	}
	child := os.NewFile(uintptr(fds[1]), "notify-helper")
	defer child.Close()
	// Non-blocking, so that os.NewFile puts the supervisor's end in the
	// runtime's poller and deadlines work. (package net would do the
	// same, but importing it links the cgo resolver into every binary
	// that uses this package: a sandbox launcher should stay static.)
	if err := syscall.SetNonblock(fds[0], true); err != nil {
		syscall.Close(fds[0])
		return nil, fmt.Errorf("notify: Start: %w", err)
	}
	conn := os.NewFile(uintptr(fds[0]), "notify-supervisor")
	defer conn.Close()

	flags := seccomp.FlagNewListener
	if (flags | seccomp.FlagWaitKillableRecv).Supported() == nil {
		flags |= seccomp.FlagWaitKillableRecv
	}
	// The message: flags, options, the supervisor's pid (the helper's
	// parent, which it checks after asking to die with it), the program.
	msg := binary.NativeEndian.AppendUint32(nil, uint32(flags))
	msg = binary.NativeEndian.AppendUint32(msg, opts)
	msg = binary.NativeEndian.AppendUint32(msg, uint32(os.Getpid()))
	msg = append(msg, filter.Encode(prog.Instructions(), binary.NativeEndian)...)
	path, args, env, extra := cmd.Path, cmd.Args, cmd.Env, cmd.ExtraFiles
	if len(args) == 0 {
		args = []string{path}
	}
	cmd.Path = exe
	cmd.Args = append([]string{"sysfence-notify-helper", path}, args...)
	cmd.Env = append(cmd.Environ(), helperEnv+"="+strconv.Itoa(3+len(extra)))
	// The helper runs with the runtime's asynchronous preemption off,
	// so that no signal interrupts its filtered thread (runHelper), and
	// gives the target the GODEBUG it would have had.
	godebug, ok := lookupEnv(cmd.Env, "GODEBUG")
	if ok {
		cmd.Env = append(cmd.Env, helperGodebugEnv+"=set:"+godebug, "GODEBUG="+godebug+",asyncpreemptoff=1")
	} else {
		cmd.Env = append(cmd.Env, helperGodebugEnv+"=unset", "GODEBUG=asyncpreemptoff=1")
	}
	cmd.ExtraFiles = append(slices.Clip(extra), child)
	err = startOnOwnThread(cmd)
	cmd.Path, cmd.Args, cmd.Env, cmd.ExtraFiles = path, args, env, extra
	if err != nil {
		return nil, fmt.Errorf("notify: Start: %w", err)
	}
	child.Close()
	l, err := handOver(ctx, conn, msg)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("notify: Start %s: %w", path, err)
	}
	return l, nil
}

// startOnOwnThread starts cmd from a thread kept for it until it has
// ended. The kernel sends the helper's death signal (PR_SET_PDEATHSIG,
// which the helper sets) when the thread that forked it exits, not the
// process (kernel/exit.c, reparent_leader), and the Go runtime ends a
// thread whenever a goroutine locked to it returns: so the fork is made
// from a locked thread that nothing else runs on, which waits, without
// reaping, for the process to end (waitid with WNOWAIT; cmd.Wait reaps).
func startOnOwnThread(cmd *exec.Cmd) error {
	started := make(chan error)
	go func() {
		runtime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			waitExited(cmd.Process.Pid)
		}
		runtime.UnlockOSThread()
	}()
	return <-started
}

// waitExited waits until the child pid has ended, leaving it to be
// reaped: waitid(P_PID, pid, WEXITED|WNOWAIT).
func waitExited(pid int) {
	const (
		pPID    = 1          // P_PID, include/uapi/linux/wait.h
		wExited = 0x00000004 // WEXITED
		wNoWait = 0x01000000 // WNOWAIT
	)
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])), wExited|wNoWait, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}

// handOver sends the helper its flags and program and receives the
// listener.
func handOver(ctx context.Context, c *os.File, msg []byte) (*Listener, error) {
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := c.Write(msg); err != nil {
		return nil, ctxErr(ctx, err)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 4096)
	oob := make([]byte, syscall.CmsgSpace(4))
	var n, oobn int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), buf, oob, syscall.MSG_CMSG_CLOEXEC)
		return rerr != syscall.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	var fds []int
	if cmsgs, err := syscall.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, m := range cmsgs {
			if rights, err := syscall.ParseUnixRights(&m); err == nil {
				fds = append(fds, rights...)
			}
		}
	}
	reply := string(buf[:n])
	if reply != "ok" || len(fds) != 1 {
		for _, fd := range fds {
			syscall.Close(fd)
		}
		if n == 0 {
			return nil, errors.New("the helper exited before handing over the listener (does the binary call notify.Init first in main?)")
		}
		return nil, errors.New(strings.TrimPrefix(reply, "error: "))
	}
	return NewListener(os.NewFile(uintptr(fds[0]), "seccomp-listener"))
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// initCalled records that Init ran, as Start requires.
var initCalled atomic.Bool

// Init is the helper half of Start. When this process was started by
// Start as a helper, Init installs the filter, hands over its listener,
// executes the target and never returns; otherwise it returns at once,
// having done nothing. Call it first in main, before anything else runs
// (and in a test binary, first in TestMain).
func Init() {
	initCalled.Store(true)
	v, ok := os.LookupEnv(helperEnv)
	if !ok {
		return
	}
	os.Unsetenv(helperEnv)
	if g, ok := os.LookupEnv(helperGodebugEnv); ok {
		os.Unsetenv(helperGodebugEnv)
		if v, ok := strings.CutPrefix(g, "set:"); ok {
			os.Setenv("GODEBUG", v)
		} else {
			os.Unsetenv("GODEBUG")
		}
	}
	status, err := runHelper(v)
	fmt.Fprintf(os.Stderr, "sysfence notify helper: %v\n", err)
	os.Exit(status)
}

// Exit statuses of the helper when it cannot execute the target, as
// env(1) has them.
const (
	exitCannotExec = 126
	exitNotFound   = 127
)

// Constants of include/uapi/linux/prctl.h and include/uapi/linux/seccomp.h.
const (
	prSetPdeathsig       = 1
	prSetNoNewPrivs      = 38
	seccompSetModeFilter = 1 // SECCOMP_SET_MODE_FILTER
)

// sockFprog is struct sock_fprog of include/uapi/linux/filter.h.
type sockFprog struct {
	len    uint16
	filter *filter.Instruction
}

// runHelper runs the helper and returns, if the target could not be
// executed, the exit status and why.
func runHelper(v string) (int, error) {
	sock, err := strconv.Atoi(v)
	if err != nil || len(os.Args) < 3 {
		return exitCannotExec, fmt.Errorf("bad invocation (%s=%q, %d arguments)", helperEnv, v, len(os.Args))
	}
	syscall.CloseOnExec(sock)
	fail := func(err error) (int, error) {
		syscall.Sendmsg(sock, []byte("error: "+err.Error()), nil, nil, 0)
		return exitCannotExec, err
	}
	const header = 12
	buf := make([]byte, header+filter.InstructionSize*4097)
	n, _, _, _, err := syscall.Recvmsg(sock, buf, nil, 0)
	if err != nil || n < header {
		return fail(fmt.Errorf("receiving the program: %d bytes, %v", n, err))
	}
	flags := seccomp.Flags(binary.NativeEndian.Uint32(buf))
	opts := binary.NativeEndian.Uint32(buf[4:])
	supervisor := int(binary.NativeEndian.Uint32(buf[8:]))
	insns, err := filter.Decode(buf[header:n], binary.NativeEndian)
	if err != nil {
		return fail(err)
	}
	// NewProgram verifies the program, as the kernel will.
	if _, err := seccomp.NewProgram(insns); err != nil {
		return fail(err)
	}
	// Everything execve needs, ready before the filter is.
	path, err := syscall.BytePtrFromString(os.Args[1])
	if err != nil {
		return fail(err)
	}
	argv, err := syscall.SlicePtrFromStrings(os.Args[2:])
	if err != nil {
		return fail(err)
	}
	envv, err := syscall.SlicePtrFromStrings(os.Environ())
	if err != nil {
		return fail(err)
	}
	execve, err := seccomp.NativeNumber("execve")
	if err != nil {
		return fail(err)
	}
	prctl, err := seccomp.NativeNumber("prctl")
	if err != nil {
		return fail(err)
	}
	seccompNr, err := seccomp.NativeNumber("seccomp")
	if err != nil {
		return fail(err)
	}

	// A collection would stop the world, and with it wait for the
	// filtered thread, which may be waiting for the supervisor.
	debug.SetGCPercent(-1)

	// The filtered thread installs the filter and publishes the
	// listener (or failed, with the error on prepErr), waits for
	// handedOver without system calls, then executes the target; if
	// that fails it publishes the errno and spins: this, unfiltered,
	// thread hands the listener over, and reports and exits if the
	// execve fails. Nothing interrupts the filtered thread while it
	// waits: the collector is off, and Start turned the runtime's
	// asynchronous preemption off in this process (helperGodebugEnv).
	var listener atomic.Int64
	var failed atomic.Bool
	var handedOver atomic.Bool
	var execErrno atomic.Uintptr
	var prepErr error
	go onOtherThread(func() {
		// The target dies with the supervisor's thread that started
		// it: a death signal belongs to the thread that executes, and
		// is checked against a parent that died before it was set.
		if _, _, errno := syscall.RawSyscall(prctl, prSetPdeathsig, uintptr(syscall.SIGKILL), 0); errno != 0 {
			prepErr = fmt.Errorf("prctl(PR_SET_PDEATHSIG): %w", errno)
			failed.Store(true)
			return
		}
		if syscall.Getppid() != supervisor {
			prepErr = errors.New("the supervisor exited before the target started")
			failed.Store(true)
			return
		}
		if _, _, errno := syscall.RawSyscall(prctl, prSetNoNewPrivs, 1, 0); errno != 0 {
			prepErr = fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", errno)
			failed.Store(true)
			return
		}
		if opts&optFence != 0 {
			if err := fence(); err != nil {
				prepErr = fmt.Errorf("fencing the target off: %w", err)
				failed.Store(true)
				return
			}
		}
		// seccomp(2) itself, not prog.InstallFlags, whose os.NewFile
		// of the listener would make a call (fcntl) under the filter.
		// The listener is close-on-exec (seccomp_set_mode_filter in
		// kernel/seccomp.c): the target does not keep it.
		fprog := sockFprog{len: uint16(len(insns)), filter: &insns[0]}
		fd, _, errno := syscall.RawSyscall(seccompNr, seccompSetModeFilter, uintptr(flags), uintptr(unsafe.Pointer(&fprog)))
		if errno != 0 {
			prepErr = fmt.Errorf("install: seccomp(SECCOMP_SET_MODE_FILTER, %v): %w", flags, errno)
			failed.Store(true)
			return
		}
		listener.Store(int64(fd) + 1)
		// From here on this thread is filtered: no system call but
		// execve, and no return to the scheduler.
		for !handedOver.Load() {
		}
		_, _, errno = syscall.RawSyscall(execve, uintptr(unsafe.Pointer(path)), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])))
		runtime.KeepAlive(insns)
		execErrno.Store(uintptr(errno))
		for {
		}
	})
	var fd int
	for fd = int(listener.Load()) - 1; fd < 0; fd = int(listener.Load()) - 1 {
		if failed.Load() {
			return fail(prepErr)
		}
		runtime.Gosched()
	}
	if err := syscall.Sendmsg(sock, []byte("ok"), syscall.UnixRights(fd), nil, 0); err != nil {
		// The target must not run unsupervised: exit, from this
		// unfiltered thread, without executing it.
		return exitCannotExec, fmt.Errorf("handing over the listener: %v", err)
	}
	handedOver.Store(true)
	errno := execErrno.Load()
	for ; errno == 0; errno = execErrno.Load() {
		time.Sleep(20 * time.Microsecond)
	}
	status := exitCannotExec
	if syscall.Errno(errno) == syscall.ENOENT {
		status = exitNotFound
	}
	return status, fmt.Errorf("exec %s: %w", os.Args[1], syscall.Errno(errno))
}

// onOtherThread runs f locked to a thread that is not the thread group
// leader, and never unlocks it (a goroutine that returns locked ends its
// thread). The kernel delivers a signal sent to the process to the
// leader when it can (complete_signal in kernel/signal.c), so signals
// from outside rarely reach f's thread, where a handler would run under
// the filter.
func onOtherThread(f func()) {
	runtime.LockOSThread()
	if syscall.Gettid() != syscall.Getpid() {
		f()
		return
	}
	locked := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		close(locked)
		f()
	}()
	<-locked
	runtime.UnlockOSThread()
}
