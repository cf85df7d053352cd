//go:build linux

package notify

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// tamperTimeout bounds a connect the supervisor makes non-blocking,
// in case the caller makes it blocking again at once.
const tamperTimeout = time.Second

// waitTick is how often a supervisor waiting for a caller's blocking
// connect looks at the caller (gone? a signal to handle?) and at ctx.
const waitTick = 20 * time.Millisecond

// emulateConnect connects a copy of the caller's socket fd to raw (read
// and decoded as d.Addr) if the rules allow it, and returns the decision
// with the caller's answer. The kernel's order of checks is kept: a bad
// descriptor is EBADF whatever the address.
func (r *Request) emulateConnect(ctx context.Context, c *ConnectAllowlist, fd int, raw []byte, d ConnectDecision) ConnectDecision {
	s, err := r.getFD(fd)
	switch {
	case errors.Is(err, ErrBadFD):
		d.Allowed = c.allows(d.Addr)
		d.Response = Fail(syscall.EBADF)
		return d
	case err != nil:
		d.Allowed = c.allows(d.Addr)
		d.Err = err
		return d
	}
	defer syscall.Close(s)
	if d.Addr.Family == afUnix && d.Addr.Path != "" {
		return r.connectUnix(c, s, raw, d)
	}
	if d.Allowed = d.Addr.Family == afUnspec || c.allows(d.Addr); !d.Allowed {
		return d
	}
	d.Response = r.connectAs(ctx, s, raw)
	return d
}

// connectAs connects socket s to raw as the caller's connect would end:
// at once for a non-blocking socket (EINPROGRESS and all), and for a
// blocking one after waiting for the connection without blocking the
// supervisor: until it is made or fails, the socket's SO_SNDTIMEO passes
// (EINPROGRESS, as the kernel answers), the caller has a signal to
// handle (EINTR; the connection goes on), the caller is gone or ctx is
// done. The socket is made non-blocking only for the moment of each
// connect, since the caller shares its file status flags.
func (r *Request) connectAs(ctx context.Context, s int, raw []byte) Response {
	flags, err := fcntl(s, syscall.F_GETFL, 0)
	if err != nil {
		return Fail(err.(syscall.Errno))
	}
	blocking := flags&syscall.O_NONBLOCK == 0
	attempt := func() syscall.Errno {
		if !blocking {
			return rawConnect(s, raw)
		}
		fcntl(s, syscall.F_SETFL, flags|syscall.O_NONBLOCK)
		defer fcntl(s, syscall.F_SETFL, flags)
		// Another thread of the caller may make the socket blocking
		// again before the connect: the connect would then hold this
		// thread for the kernel's whole timeout. A watchdog shuts the
		// socket down instead (inet_shutdown wakes a connect waiting
		// in SYN_SENT), which only the caller's own tampering causes.
		var state atomic.Int32 // 0 connecting, 1 returned, 2 shut down
		done := make(chan struct{})
		t := time.AfterFunc(tamperTimeout, func() {
			defer close(done)
			if state.CompareAndSwap(0, 2) {
				syscall.Shutdown(s, syscall.SHUT_RDWR)
			}
		})
		errno := rawConnect(s, raw)
		if !state.CompareAndSwap(0, 1) || !t.Stop() {
			<-done // the watchdog ran, or is running: let it finish with s
		}
		return errno
	}
	errno := attempt()
	if !blocking {
		return result(errno)
	}
	var deadline time.Time
	if tv, err := sndTimeout(s); err == nil && tv > 0 {
		deadline = time.Now().Add(tv)
	}
	for first := true; ; first = false {
		switch errno {
		case syscall.EISCONN:
			// Connected before the first attempt: the caller's
			// error. Connected by a later one (another connect of the
			// socket finished it): the blocking connect's success.
			if first {
				return Fail(errno)
			}
			return Return(0)
		case syscall.EINPROGRESS, syscall.EALREADY, syscall.EAGAIN:
		default:
			return result(errno)
		}
		// In progress (or, for a unix socket, its peer's queue full):
		// wait for it as the caller would, looking at the caller each
		// tick the socket is not ready.
		ready := false
		if errno != syscall.EAGAIN {
			ready = pollOut(s, waitTick)
		} else {
			time.Sleep(waitTick)
		}
		switch {
		case ready && ctx.Err() == nil:
		case ctx.Err() != nil:
			return Fail(syscall.EINTR)
		case r.Valid() != nil:
			return Fail(syscall.EINTR) // nobody waits for it
		case callerSignalled(r.PID):
			return Fail(syscall.EINTR)
		case !deadline.IsZero() && time.Now().After(deadline):
			return Fail(syscall.EINPROGRESS)
		}
		errno = attempt()
	}
}

func result(errno syscall.Errno) Response {
	if errno != 0 {
		return Fail(errno)
	}
	return Return(0)
}

func rawConnect(s int, raw []byte) syscall.Errno {
	nr, err := nativeNumber("connect")
	if err != nil {
		return syscall.ENOSYS
	}
	for {
		_, _, errno := syscall.Syscall(nr, uintptr(s), uintptr(unsafe.Pointer(&raw[0])), uintptr(len(raw)))
		if errno != syscall.EINTR {
			return errno
		}
	}
}

func fcntl(fd, cmd, arg int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), uintptr(arg))
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// pollOut waits at most d for s to be writable or in error, and reports
// whether it is.
func pollOut(s int, d time.Duration) bool {
	p := pollFd{fd: int32(s), events: 0x4 /* POLLOUT */}
	ts := syscall.NsecToTimespec(d.Nanoseconds())
	n, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&p)), 1, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
	return errno == 0 && n > 0
}

// sndTimeout returns the socket's SO_SNDTIMEO, which bounds a blocking
// connect (sock_sndtimeo in net/ipv4/af_inet.c), or 0 for none.
func sndTimeout(s int) (time.Duration, error) {
	nr, err := nativeNumber("getsockopt")
	if err != nil {
		return 0, err
	}
	var tv syscall.Timeval
	n := uint32(unsafe.Sizeof(tv))
	_, _, errno := syscall.Syscall6(nr, uintptr(s), syscall.SOL_SOCKET, syscall.SO_SNDTIMEO,
		uintptr(unsafe.Pointer(&tv)), uintptr(unsafe.Pointer(&n)), 0)
	if errno != 0 {
		return 0, errno
	}
	return time.Duration(tv.Nano()), nil
}

// callerSignalled reports whether thread tid has a signal pending that
// it neither blocks nor leaves to its default action: one whose handler
// would interrupt its connect. From /proc/TID/status (SigPnd, ShdPnd,
// SigBlk, SigCgt; fs/proc/array.c).
func callerSignalled(tid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return false
	}
	var pnd, blk, cgt uint64
	for line := range strings.Lines(string(b)) {
		key, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			continue
		}
		switch key {
		case "SigPnd", "ShdPnd":
			pnd |= n
		case "SigBlk":
			blk = n
		case "SigCgt":
			cgt = n
		}
	}
	return pnd&^blk&cgt != 0
}

// isUnix reports whether s is an AF_UNIX socket (SO_DOMAIN); another
// family given a unix address gets the kernel's own error.
func isUnix(s int) bool {
	d, err := syscall.GetsockoptInt(s, syscall.SOL_SOCKET, syscall.SO_DOMAIN)
	return err != nil || d == afUnix
}

// sockType returns the socket's SO_TYPE.
func sockType(s int) (int, error) {
	return syscall.GetsockoptInt(s, syscall.SOL_SOCKET, syscall.SO_TYPE)
}

// connectUnix decides and makes a unix socket connect as the caller: on
// a thread of its own that has the caller's root, working directory and
// credentials, where a relative path is made absolute from the caller's
// working directory before it is matched, and the connect resolves the
// path and checks permissions as the caller's would. A stream or
// seqpacket connect is refused: the server would record the supervisor's
// process as its peer (SO_PEERCRED, SO_PEERPIDFD), which servers trust.
func (r *Request) connectUnix(c *ConnectAllowlist, s int, raw []byte, d ConnectDecision) ConnectDecision {
	refuse := d.Response
	if d.Addr.Abstract {
		if d.Allowed = c.allows(d.Addr); !d.Allowed {
			return d
		}
	}
	err := r.asCaller(func() error {
		if !d.Addr.Abstract {
			if !strings.HasPrefix(d.Addr.Path, "/") {
				cwd, err := getcwd()
				if err != nil {
					return err
				}
				d.Addr.Path = path.Join(cwd, d.Addr.Path)
			}
			d.Addr.Path = path.Clean(d.Addr.Path)
			if d.Allowed = c.allows(d.Addr); !d.Allowed {
				return nil
			}
			// sun_path need not end in NUL when the path fills it
			// (unix(7)).
			if len(d.Addr.Path) > sunPathMax {
				d.Response = Fail(syscall.ENAMETOOLONG)
				return nil
			}
			raw = binary.NativeEndian.AppendUint16(nil, afUnix)
			raw = append(raw, d.Addr.Path...)
			if len(d.Addr.Path) < sunPathMax {
				raw = append(raw, 0)
			}
		}
		switch t, err := sockType(s); {
		case err != nil:
			d.Response = result(err.(syscall.Errno))
			return nil
		case (t == syscall.SOCK_STREAM || t == syscall.SOCK_SEQPACKET) && isUnix(s):
			return fmt.Errorf("%w: a unix stream socket connected by the supervisor would show the server the supervisor's process as its peer (SO_PEERCRED)", ErrCannotEmulate)
		}
		// Datagram: the connect completes at once.
		d.Response = result(rawConnect(s, raw))
		return nil
	})
	if err != nil {
		d.Err, d.Response = err, refuse
	}
	return d
}

// getcwd returns the calling thread's working directory, relative to its
// root; one outside the root is an error.
func getcwd() (string, error) {
	buf := make([]byte, 4096)
	n, _, errno := syscall.Syscall(syscall.SYS_GETCWD, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0)
	if errno != 0 {
		return "", fmt.Errorf("%w: the caller's working directory: %v", ErrCannotEmulate, errno)
	}
	cwd := string(buf[:n-1])
	if !strings.HasPrefix(cwd, "/") {
		return "", fmt.Errorf("%w: the caller's working directory is outside its root", ErrCannotEmulate)
	}
	return cwd, nil
}

// creds are a thread's credentials as /proc/TID/status shows them.
type creds struct {
	uid, gid      [4]int // real, effective, saved, file system
	groups        []int
	inh, prm, eff uint64
}

func readCreds(tid string) (creds, error) {
	var c creds
	b, err := os.ReadFile("/proc/" + tid + "/status")
	if err != nil {
		return c, err
	}
	ids := func(v string, into []int) error {
		f := strings.Fields(v)
		if len(f) != len(into) {
			return fmt.Errorf("%d ids", len(f))
		}
		for i, s := range f {
			n, err := strconv.Atoi(s)
			if err != nil {
				return err
			}
			into[i] = n
		}
		return nil
	}
	seen := 0
	for line := range strings.Lines(string(b)) {
		key, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var err error
		switch key {
		case "Uid":
			err = ids(v, c.uid[:])
		case "Gid":
			err = ids(v, c.gid[:])
		case "Groups":
			c.groups = make([]int, len(strings.Fields(v)))
			err = ids(v, c.groups)
		case "CapInh":
			c.inh, err = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		case "CapPrm":
			c.prm, err = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		case "CapEff":
			c.eff, err = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		default:
			continue
		}
		if err != nil {
			return c, fmt.Errorf("/proc/%s/status %s: %v", tid, key, err)
		}
		seen++
	}
	if seen != 6 {
		return c, fmt.Errorf("/proc/%s/status: %d of 6 credential lines", tid, seen)
	}
	return c, nil
}

// asCaller runs fn on a new OS thread with the caller's root, working
// directory and credentials, which ends when fn returns. It fails with
// ErrCannotEmulate where the supervisor cannot take them on: the caller
// is in another user namespace, or the supervisor lacks the privilege
// (CAP_SYS_CHROOT for another root or mount namespace; CAP_SETUID,
// CAP_SETGID and the caller's capabilities for other credentials).
func (r *Request) asCaller(fn func() error) error {
	tid := strconv.Itoa(r.PID)
	if r.PID <= 0 {
		return fmt.Errorf("%w: the caller is not in this PID namespace", ErrGone)
	}
	fail := func(err error) error {
		if verr := r.Valid(); verr != nil {
			return verr
		}
		return err
	}
	if a, b := nsLink("self", "user"), nsLink(tid, "user"); a == "" || a != b {
		return fail(fmt.Errorf("%w: the caller is in another user namespace", ErrCannotEmulate))
	}
	root, err := syscall.Open("/proc/"+tid+"/root", oPath|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("%w: the caller's root: %v", ErrCannotEmulate, err))
	}
	defer syscall.Close(root)
	cwd, err := syscall.Open("/proc/"+tid+"/cwd", oPath|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("%w: the caller's working directory: %v", ErrCannotEmulate, err))
	}
	defer syscall.Close(cwd)
	cr, err := readCreds(tid)
	if err != nil {
		return fail(fmt.Errorf("%w: the caller's credentials: %v", ErrCannotEmulate, err))
	}
	mine, err := readCreds(strconv.Itoa(syscall.Gettid()))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCannotEmulate, err)
	}
	sameRoot := sameFile(root, "/") && nsLink("self", "mnt") == nsLink(tid, "mnt")
	// The root, working directory and credentials read belong to the
	// caller only if it is still waiting.
	if err := r.Valid(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		// Never unlocked: the thread, changed for this caller, ends with
		// the goroutine (runtime.LockOSThread).
		runtime.LockOSThread()
		done <- func() error {
			if err := syscall.Unshare(syscall.CLONE_FS); err != nil {
				return fmt.Errorf("%w: unshare(CLONE_FS): %v", ErrCannotEmulate, err)
			}
			if !sameRoot {
				if err := syscall.Fchdir(root); err != nil {
					return fmt.Errorf("%w: %v", ErrCannotEmulate, err)
				}
				if err := syscall.Chroot("."); err != nil {
					return fmt.Errorf("%w: entering the caller's root: %v", ErrCannotEmulate, err)
				}
			}
			if err := syscall.Fchdir(cwd); err != nil {
				return fmt.Errorf("%w: %v", ErrCannotEmulate, err)
			}
			if err := becomeThread(cr, mine); err != nil {
				return fmt.Errorf("%w: taking on the caller's credentials: %v", ErrCannotEmulate, err)
			}
			return fn()
		}()
	}()
	return <-done
}

func nsLink(pid, ns string) string {
	l, _ := os.Readlink("/proc/" + pid + "/ns/" + ns)
	return l
}

func sameFile(fd int, path string) bool {
	var a, b syscall.Stat_t
	if syscall.Fstat(fd, &a) != nil || syscall.Stat(path, &b) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}

// becomeThread gives the calling thread, alone, the credentials c (the
// Go runtime's own setuid and friends change every thread, so the raw
// system calls are made), and checks the result in
// /proc/thread-self/status: a thread whose credentials could not be made
// the caller's is an error.
func becomeThread(c, mine creds) error {
	if sameCreds(c, mine) {
		return nil
	}
	call := func(names []string, args ...uintptr) error {
		var nr uintptr
		var err error
		for _, name := range names {
			if nr, err = nativeNumber(name); err == nil {
				break
			}
		}
		if err != nil {
			return err
		}
		var a [6]uintptr
		copy(a[:], args)
		if _, _, errno := syscall.RawSyscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]); errno != 0 {
			return fmt.Errorf("%s: %w", names[0], errno)
		}
		return nil
	}
	// Keep the capabilities across the change of user ID, to be set
	// to the caller's below (PR_SET_KEEPCAPS: capabilities(7)).
	if err := call([]string{"prctl"}, syscall.PR_SET_KEEPCAPS, 1); err != nil {
		return err
	}
	groups := make([]uint32, len(c.groups)+1)
	for i, g := range c.groups {
		groups[i] = uint32(g)
	}
	// 32-bit group and user IDs: setgroups32 and setres?id32 where an
	// ABI has both (i386, arm).
	if err := call([]string{"setgroups32", "setgroups"}, uintptr(len(c.groups)), uintptr(unsafe.Pointer(&groups[0]))); err != nil {
		return err
	}
	if err := call([]string{"setresgid32", "setresgid"}, uintptr(c.gid[0]), uintptr(c.gid[1]), uintptr(c.gid[2])); err != nil {
		return err
	}
	if err := call([]string{"setresuid32", "setresuid"}, uintptr(c.uid[0]), uintptr(c.uid[1]), uintptr(c.uid[2])); err != nil {
		return err
	}
	// setfs?id return the old ID and no error; the check below sees it.
	call([]string{"setfsgid32", "setfsgid"}, uintptr(c.gid[3]))
	call([]string{"setfsuid32", "setfsuid"}, uintptr(c.uid[3]))
	// struct __user_cap_header_struct and two __user_cap_data_struct of
	// include/uapi/linux/capability.h, _LINUX_CAPABILITY_VERSION_3.
	hdr := [2]uint32{0x20080522, 0}
	data := [6]uint32{
		uint32(c.eff), uint32(c.prm), uint32(c.inh),
		uint32(c.eff >> 32), uint32(c.prm >> 32), uint32(c.inh >> 32),
	}
	if err := call([]string{"capset"}, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data))); err != nil {
		return err
	}
	now, err := readCreds("thread-self")
	if err != nil {
		return err
	}
	if !sameCreds(c, now) {
		return fmt.Errorf("the thread has %+v, not the caller's %+v", now, c)
	}
	return nil
}

func sameCreds(a, b creds) bool {
	if a.uid != b.uid || a.gid != b.gid || a.inh != b.inh || a.prm != b.prm || a.eff != b.eff || len(a.groups) != len(b.groups) {
		return false
	}
	for i := range a.groups {
		if a.groups[i] != b.groups[i] {
			return false
		}
	}
	return true
}

// oPath is O_PATH of include/uapi/asm-generic/fcntl.h (010000000), the
// same on every architecture Go supports.
const oPath = 0x200000
