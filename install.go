package seccomp

import (
	"fmt"
	"os"
	"strings"
)

// Flags are the flags of seccomp(2) SECCOMP_SET_MODE_FILTER
// (SECCOMP_FILTER_FLAG_* in include/uapi/linux/seccomp.h).
type Flags uint

const (
	// FlagTSync applies the filter to every thread of the process, or
	// to none if one cannot be synchronised (Linux 3.17).
	FlagTSync Flags = 1 << 0
	// FlagLog logs every action but allow (Linux 4.14).
	FlagLog Flags = 1 << 1
	// FlagSpecAllow leaves the speculative store bypass mitigation off
	// (Linux 4.17).
	FlagSpecAllow Flags = 1 << 2
	// FlagNewListener returns a user-notification file descriptor, from
	// which a supervisor receives the calls the filter gives Notify
	// (Linux 5.0).
	FlagNewListener Flags = 1 << 3
	// FlagTSyncESRCH makes a failed FlagTSync return ESRCH instead of
	// the thread's id, which lets it combine with FlagNewListener
	// (Linux 5.7).
	FlagTSyncESRCH Flags = 1 << 4
	// FlagWaitKillableRecv makes a notified call wait killably once the
	// supervisor has received it (Linux 5.19).
	FlagWaitKillableRecv Flags = 1 << 5
)

var flagNames = []string{"TSYNC", "LOG", "SPEC_ALLOW", "NEW_LISTENER", "TSYNC_ESRCH", "WAIT_KILLABLE_RECV"}

func (f Flags) String() string {
	var names []string
	for i, name := range flagNames {
		if f&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	if rest := f &^ (1<<len(flagNames) - 1); rest != 0 || len(names) == 0 {
		names = append(names, fmt.Sprintf("%#x", uint(rest)))
	}
	return strings.Join(names, "|")
}

// Supported reports, with nil, that the running kernel accepts flags
// for seccomp(2) SECCOMP_SET_MODE_FILTER, without installing anything:
// it passes no program, and the kernel checks the flags before it reads
// one (seccomp_set_mode_filter in kernel/seccomp.c), failing with EFAULT
// for flags it knows and EINVAL for others; the error wraps that
// syscall.Errno. Combinations the kernel refuses whatever its version
// (see InstallFlags) are reported as such. On an operating system
// without seccomp the error wraps errors.ErrUnsupported.
func (f Flags) Supported() error {
	if err := f.check(); err != nil {
		return err
	}
	return f.supported()
}

// check rejects the combinations of flags the kernel refuses with EINVAL
// (seccomp_set_mode_filter in kernel/seccomp.c), to say why.
func (f Flags) check() error {
	if f&FlagTSync != 0 && f&FlagNewListener != 0 && f&FlagTSyncESRCH == 0 {
		return fmt.Errorf("%w %v: TSYNC with NEW_LISTENER needs TSYNC_ESRCH", ErrInvalidFlags, f)
	}
	if f&FlagWaitKillableRecv != 0 && f&FlagNewListener == 0 {
		return fmt.Errorf("%w %v: WAIT_KILLABLE_RECV needs NEW_LISTENER", ErrInvalidFlags, f)
	}
	return nil
}

// Install applies the program to every thread of the process: it sets
// PR_SET_NO_NEW_PRIVS, then calls seccomp(2) SECCOMP_SET_MODE_FILTER with
// FlagTSync. It is InstallFlags(FlagTSync).
//
// A Go program runs on several threads and creates more when it likes, so
// a filter on the calling thread alone would leave the others free;
// with TSYNC the kernel puts the filter on all of them at once, and new
// threads inherit it. If a thread cannot be synchronised, nothing is
// installed and the error is a *ThreadSyncError naming it.
//
// Filters stack: a later filter can only restrict further, and none can
// be removed. No-new-privs stays set even if seccomp fails, and outlives
// execve: set-user-ID programs run afterwards do not gain privileges.
func (p *Program) Install() error {
	_, err := p.InstallFlags(FlagTSync)
	return err
}

// InstallFlags is Install with the given flags, which are passed to
// seccomp(2) as they are: without FlagTSync only the calling thread is
// filtered. With FlagNewListener it returns the notification listener,
// and otherwise nil.
//
// # The listener
//
// The listener is the descriptor seccomp(2) returns, close-on-exec, in
// an *os.File that owns it: Close closes it, and so does the garbage
// collector once the File is unreachable (the finalizer of os.NewFile).
// notify.NewListener takes it over. To hand it to a supervisor in
// another process, send f.Fd() with SCM_RIGHTS (syscall.UnixRights) and
// keep f reachable until the send has returned, then Close it: the
// receiver holds a descriptor of its own for the same listener, which
// stays open as long as any process holds one. Until the send, a
// forgotten f may be closed by the collector under the number passed
// on, and afterwards this process's copy lets it receive and answer the
// filtered calls too, so close it at once; the filtered process itself
// should never keep one. Once every copy is closed, the calls the
// filter gives Notify fail with ENOSYS (seccomp_notify_release in
// kernel/seccomp.c), those waiting included.
//
// Setting no-new-privs and installing must happen on one thread, so
// InstallFlags locks the calling goroutine to its thread for the two
// calls. With FlagTSync that is all: afterwards every thread is filtered.
// Without it, call runtime.LockOSThread before InstallFlags and stay
// locked (until execve, typically): otherwise the filtered thread returns
// to the scheduler and runs whichever goroutine comes next.
//
// The program is verified again before it is installed. It must cover the
// native ABI (ErrNotNative). On an operating system without seccomp the
// error wraps errors.ErrUnsupported; a refusal of the kernel wraps its
// syscall.Errno.
func (p *Program) InstallFlags(flags Flags) (*os.File, error) {
	if err := flags.check(); err != nil {
		return nil, err
	}
	return p.install(flags)
}

// Exec installs the program on one thread and executes path from that
// thread, replacing the process: the command starts under the filter,
// and so does everything it starts. It returns only if it fails.
//
// Unlike Install, Exec filters one thread, without FlagTSync: execve
// ends every other thread of the process, and the new program inherits
// the filter of the thread that executed it. Between the install and
// the execve that thread makes no other system call, so the policy need
// allow nothing of this process's but execve itself (an allowlist of
// the command's own calls and execve is enough). argv is the argument
// vector (argv[0] included) and env the environment, as for
// syscall.Exec; path is not looked up in PATH (exec.LookPath does that).
//
// Exec locks a new goroutine to a thread, turns off the garbage
// collector (a collection would stop that thread, under the filter),
// ignores SIGURG (with which the Go runtime preempts a goroutine, and
// whose handler would run under the filter; the command starts with it
// ignored, which is what its default action does) and sets
// PR_SET_NO_NEW_PRIVS on the thread. If the install fails, nothing is
// filtered and Exec returns the error. If the execve fails, the filtered
// thread is left spinning without system calls and Exec returns the
// errno (wrapped in an *os.PathError naming path): the caller must exit
// at once, from another thread, as the Go runtime will sooner or later
// interrupt the spinning thread, which the filter may then kill.
func (p *Program) Exec(path string, argv, env []string) error {
	return p.exec(path, argv, env)
}
