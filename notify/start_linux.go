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

// FlagsSupported reports, with nil, that the running kernel accepts
// flags for seccomp(2) SECCOMP_SET_MODE_FILTER, without installing
// anything: it passes no program, and the kernel checks the flags before
// it reads one (seccomp_set_mode_filter in kernel/seccomp.c), failing with
// EFAULT for known flags and EINVAL for unknown ones.
func FlagsSupported(flags seccomp.Flags) error {
	nr, err := nativeNumber("seccomp")
	if err != nil {
		return err
	}
	_, _, errno := syscall.Syscall(nr, 1 /* SECCOMP_SET_MODE_FILTER */, uintptr(flags), 0)
	if errno == syscall.EFAULT {
		return nil
	}
	return fmt.Errorf("notify: seccomp(SECCOMP_SET_MODE_FILTER, %v): %w", flags, errno)
}

// Start starts cmd with prog installed in it and returns the filter's
// listener. prog usually gives some calls seccomp.Notify; serve the
// listener at once, since the target waits in its first notified call
// until it is answered.
//
// The filter must be installed in the child, after it is forked and
// before it executes the target, which os/exec offers no hook for. So
// Start runs this binary again as a helper, with cmd's attributes
// (standard files, ExtraFiles, directory, environment, SysProcAttr):
// Init, called first in main, recognises it. The helper receives prog
// over a socket, installs it on one locked thread with
// seccomp.FlagNewListener (plus seccomp.FlagWaitKillableRecv where the
// kernel has it, so that the Go runtime's signals do not restart a call
// the supervisor is deciding), sends the listener back with SCM_RIGHTS
// from another, unfiltered, thread, and then executes cmd.Path with
// cmd.Args from the filtered thread, which becomes the whole process. The
// only calls the filtered thread makes before execve are the few that
// finish the install (fcntl, and whatever the Go runtime needs to park
// and resume it); since the listener is handed over by another thread, a
// policy that notifies every call works too (the supervisor sees those
// calls first). If execve fails, the helper reports it on standard error
// and exits with status 127.
//
// cmd.Process is the helper and then the target: the same process. Wait
// for it with cmd.Wait as usual. On error Start kills and reaps the
// helper. ctx bounds the hand-over, not the process (use
// exec.CommandContext for that).
func Start(ctx context.Context, cmd *exec.Cmd, prog *seccomp.Program) (*Listener, error) {
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
	if FlagsSupported(flags|seccomp.FlagWaitKillableRecv) == nil {
		flags |= seccomp.FlagWaitKillableRecv
	}
	msg := binary.NativeEndian.AppendUint32(nil, uint32(flags))
	msg = append(msg, filter.Encode(prog.Instructions(), binary.NativeEndian)...)

	path, args, env, extra := cmd.Path, cmd.Args, cmd.Env, cmd.ExtraFiles
	if len(args) == 0 {
		args = []string{path}
	}
	cmd.Path = exe
	cmd.Args = append([]string{"sysfence-notify-helper", path}, args...)
	cmd.Env = append(cmd.Environ(), helperEnv+"="+strconv.Itoa(3+len(extra)))
	cmd.ExtraFiles = append(slices.Clip(extra), child)
	err = cmd.Start()
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
	err := runHelper(v)
	fmt.Fprintf(os.Stderr, "sysfence notify helper: %v\n", err)
	os.Exit(127)
}

func runHelper(v string) error {
	sock, err := strconv.Atoi(v)
	if err != nil || len(os.Args) < 3 {
		return fmt.Errorf("bad invocation (%s=%q, %d arguments)", helperEnv, v, len(os.Args))
	}
	syscall.CloseOnExec(sock)
	fail := func(err error) error {
		syscall.Sendmsg(sock, []byte("error: "+err.Error()), nil, nil, 0)
		return err
	}
	buf := make([]byte, 4+filter.InstructionSize*4097)
	n, _, _, _, err := syscall.Recvmsg(sock, buf, nil, 0)
	if err != nil || n < 4 {
		return fail(fmt.Errorf("receiving the program: %d bytes, %v", n, err))
	}
	flags := seccomp.Flags(binary.NativeEndian.Uint32(buf))
	insns, err := filter.Decode(buf[4:n], binary.NativeEndian)
	if err != nil {
		return fail(err)
	}
	prog, err := seccomp.NewProgram(insns)
	if err != nil {
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
	before, err := listenerFDs()
	if err != nil {
		return fail(err)
	}

	// States of the hand-over, set by the installing thread (installing,
	// failed) and by the sending one (sent, sendFailed).
	const (
		installing int32 = iota + 1
		installFailed
		sent
		sendFailed
	)
	var state atomic.Int32
	done := make(chan error, 1)
	go func() {
		for state.Load() == 0 {
			time.Sleep(10 * time.Microsecond)
		}
		for {
			if state.Load() == installFailed {
				done <- nil
				return
			}
			now, err := listenerFDs()
			if err != nil {
				state.Store(sendFailed)
				done <- err
				return
			}
			if fd, ok := newOne(now, before); ok {
				err := syscall.Sendmsg(sock, []byte("ok"), syscall.UnixRights(fd), nil, 0)
				if err != nil {
					state.Store(sendFailed)
				} else {
					state.Store(sent)
				}
				done <- err
				return
			}
			time.Sleep(10 * time.Microsecond)
		}
	}()

	// A collection would stop the world, and with it wait for the
	// filtered thread, which may be waiting for the supervisor.
	debug.SetGCPercent(-1)
	runtime.LockOSThread() // for good: the thread is filtered from here on
	state.Store(installing)
	f, err := prog.InstallFlags(flags)
	if err != nil {
		state.Store(installFailed)
		<-done
		return fail(fmt.Errorf("install: %w", err))
	}
	// Only this thread is filtered. Wait without system calls for the
	// other to hand the listener over, then execute the target.
	for s := state.Load(); s != sent && s != sendFailed; s = state.Load() {
	}
	if state.Load() == sendFailed {
		return fmt.Errorf("handing over the listener: %v", <-done)
	}
	_, _, errno := syscall.RawSyscall(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(path)), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])))
	runtime.KeepAlive(f)
	return fmt.Errorf("exec %s: %w", os.Args[1], errno)
}

// listenerFDs lists the descriptors of this process that are seccomp
// listeners.
func listenerFDs() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	var fds []int
	for _, e := range ents {
		link, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil || link != "anon_inode:seccomp notify" {
			continue
		}
		if fd, err := strconv.Atoi(e.Name()); err == nil {
			fds = append(fds, fd)
		}
	}
	return fds, nil
}

// newOne returns the one descriptor in now that is not in before.
func newOne(now, before []int) (int, bool) {
	for _, fd := range now {
		if !slices.Contains(before, fd) {
			return fd, true
		}
	}
	return 0, false
}
