package main

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// The scenarios of the commands these tests supervise; TestMain adds them.
var connectScenarios = map[string]testenv.Scenario{
	"fast-open": scenarioFastOpen,
	"io-uring":  scenarioIOURing,
	"blocking":  scenarioBlocking,
	"bad-fd":    scenarioBadFD,
}

// MSG_FASTOPEN (include/linux/socket.h) and socketcall's SYS_CONNECT
// (include/uapi/linux/net.h).
const (
	msgFastOpen = 0x20000000
	sysConnect  = 3
)

// addrEnv holds the addresses a scenario connects to, space-separated.
const addrEnv = "SYSFENCE_TEST_ADDR"

func addrs() []syscall.Sockaddr {
	var out []syscall.Sockaddr
	for _, a := range strings.Fields(os.Getenv(addrEnv)) {
		ap := netip.MustParseAddrPort(a)
		out = append(out, &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()})
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// acceptCount listens on 127.0.0.1 and counts the connections accepted.
func acceptCount(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return ln.Addr().String(), &n
}

// scenarioFastOpen sends with MSG_FASTOPEN on a new TCP socket to the
// address of addrEnv: TCP Fast Open, a connect and a send in one call.
func scenarioFastOpen() (any, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	return map[string]string{"sendto": errString(syscall.Sendto(fd, []byte("x"), msgFastOpen, addrs()[0]))}, nil
}

// Point 2 of issue 16: sendto with MSG_FASTOPEN opened a connection
// without connect, even under connect=none. It fails with EOPNOTSUPP, the
// kernel's answer when Fast Open is off.
func TestSuperviseTCPFastOpen(t *testing.T) {
	requireNotify(t)
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_fastopen")
	v, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	testenv.Require(t, err == nil && v&1 != 0, "needs TCP Fast Open enabled for clients (net.ipv4.tcp_fastopen & 1)")
	addr, accepted := acceptCount(t)
	exe, _ := os.Executable()
	c := child(t, nil, "run", "--supervise", "connect=none", "--", "env", testenv.ChildEnv+"=fast-open", addrEnv+"="+addr, exe, "-test.run=^$")
	var got map[string]string
	c.Decode(t, &got)
	if got["sendto"] != syscall.EOPNOTSUPP.Error() {
		t.Errorf("sendto with MSG_FASTOPEN: %q, want EOPNOTSUPP", got["sendto"])
	}
	time.Sleep(50 * time.Millisecond) // for a connection to be accepted
	if n := accepted.Load(); n != 0 {
		t.Errorf("the listener accepted %d connections", n)
	}
}

// io_uring's ABI (include/uapi/linux/io_uring.h).
type ioUringParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFD uint32
	resv                                                                   [3]uint32
	sqHead, sqTail, sqRingMask, sqRingEntries, sqFlags, sqDropped, sqArray uint32
	sqResv                                                                 uint32
	sqUserAddr                                                             uint64
	cqHead, cqTail, cqRingMask, cqRingEntries, cqOverflow, cqCqes, cqFlags uint32
	cqResv                                                                 uint32
	cqUserAddr                                                             uint64
}

const (
	ioringOpConnect     = 16
	ioringOffSQEs       = 0x10000000
	ioringEnterGetevent = 1
	ioringFeatSingleMap = 1
)

// scenarioIOURing connects to the address of addrEnv with io_uring's
// IORING_OP_CONNECT, and reports the errno of io_uring_setup and of the
// connect.
func scenarioIOURing() (any, error) {
	out := map[string]string{}
	abi, err := seccomp.NativeABI()
	if err != nil {
		return nil, err
	}
	setup, _ := abi.Number("io_uring_setup")
	enter, _ := abi.Number("io_uring_enter")
	var p ioUringParams
	ring, _, errno := syscall.Syscall(uintptr(setup), 1, uintptr(unsafe.Pointer(&p)), 0)
	out["io_uring_setup"] = errString(errnoErr(errno))
	if errno != 0 {
		return out, nil
	}
	if p.features&ioringFeatSingleMap == 0 {
		return nil, syscall.ENOTSUP
	}
	size := max(int(p.sqArray+p.sqEntries*4), int(p.cqCqes+p.cqEntries*16))
	rings, err := syscall.Mmap(int(ring), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return nil, err
	}
	sqes, err := syscall.Mmap(int(ring), ioringOffSQEs, int(p.sqEntries)*64, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return nil, err
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	sa := addrs()[0].(*syscall.SockaddrInet4)
	raw := syscall.RawSockaddrInet4{Family: syscall.AF_INET, Addr: sa.Addr}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&raw.Port))[:], uint16(sa.Port))
	ne := binary.NativeEndian
	sqe := sqes[:64]
	clear(sqe)
	sqe[0] = ioringOpConnect
	ne.PutUint32(sqe[4:], uint32(fd))
	ne.PutUint64(sqe[8:], uint64(unsafe.Sizeof(raw))) // off: the address length
	ne.PutUint64(sqe[16:], uint64(uintptr(unsafe.Pointer(&raw))))
	tail := (*uint32)(unsafe.Pointer(&rings[p.sqTail]))
	mask := *(*uint32)(unsafe.Pointer(&rings[p.sqRingMask]))
	ne.PutUint32(rings[p.sqArray+4*(*tail&mask):], 0)
	atomic.AddUint32(tail, 1)
	_, _, errno = syscall.Syscall6(uintptr(enter), ring, 1, 1, ioringEnterGetevent, 0, 0)
	runtime.KeepAlive(&raw)
	if errno != 0 {
		out["io_uring_enter"] = errno.Error()
		return out, nil
	}
	head := atomic.LoadUint32((*uint32)(unsafe.Pointer(&rings[p.cqHead])))
	cqMask := *(*uint32)(unsafe.Pointer(&rings[p.cqRingMask]))
	cqe := rings[p.cqCqes+16*(head&cqMask):]
	res := int32(ne.Uint32(cqe[8:]))
	out["connect"] = ""
	if res < 0 {
		out["connect"] = syscall.Errno(-res).Error()
	}
	return out, nil
}

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// Point 7 of issue 16: with a --deny list that leaves io_uring allowed,
// IORING_OP_CONNECT reached refused addresses. connect= refuses
// io_uring's calls with ENOSYS, and a policy that allows them outright.
func TestSuperviseIOURing(t *testing.T) {
	requireNotify(t)
	addr, accepted := acceptCount(t)
	exe, _ := os.Executable()
	c := child(t, nil, "run", "--deny", "ptrace", "--supervise", "connect=none", "--", "env", testenv.ChildEnv+"=io-uring", addrEnv+"="+addr, exe, "-test.run=^$")
	var got map[string]string
	c.Decode(t, &got)
	if got["io_uring_setup"] != syscall.ENOSYS.Error() {
		t.Errorf("io_uring under connect=none: %v; want io_uring_setup to fail with ENOSYS", got)
	}
	time.Sleep(50 * time.Millisecond)
	if n := accepted.Load(); n != 0 {
		t.Errorf("the listener accepted %d connections", n)
	}
	c = child(t, nil, "run", "--allow", "io_uring_setup,io_uring_enter,execve,futex,rt_sigprocmask,sigaltstack,gettid,mmap,munmap,clone,rt_sigreturn,exit,exit_group,fcntl", "--supervise", "connect=none", "--", "true")
	if c.State.ExitCode() != exitUsage || !strings.Contains(string(c.Stderr), "IORING_OP_CONNECT") {
		t.Errorf("--allow io_uring_setup with connect=: exit %d, %s; want a usage error naming IORING_OP_CONNECT", c.State.ExitCode(), c.Stderr)
	}
}

// Point 6 of issue 16: with --foreign allow, i386's connect and
// socketcall(SYS_CONNECT) ran unsupervised. --supervise connect= refuses
// a policy under which any ABI of the machine connects, or reaches a
// connection, another way than through the supervisor.
func TestSuperviseCompatABIs(t *testing.T) {
	requireNotify(t)
	c := child(t, nil, "run", "--foreign", "allow", "--supervise", "connect=none", "--", "true")
	lines := strings.Split(strings.TrimSpace(string(c.Stderr)), "\n")
	last := lines[len(lines)-1]
	if c.State.ExitCode() != exitUsage || !strings.Contains(last, "connect on x86 gets the foreign-ABI action allow") {
		t.Errorf("--foreign allow: exit %d, %s; want a usage error in one line naming connect on x86", c.State.ExitCode(), c.Stderr)
	}

	// A policy covering x86 (as a profile's archMap does): connect and
	// socketcall(SYS_CONNECT) are supervised there too, and a socketcall
	// whose arguments the filter cannot see is refused.
	sup, err := parseSupervise([]string{"connect=none"}, tables.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	both := []*tables.ABI{tables.X86_64, tables.I386}
	p, err := sup.policy(&seccomp.Policy{ABIs: both, Default: seccomp.Allow}, "the profile")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sup.compile(p); err == nil || !strings.Contains(err.Error(), "socketcall(SYS_") || !strings.Contains(err.Error(), "on x86 gets allow") {
		t.Errorf("a policy allowing socketcall on x86: %v; want it refused", err)
	}
	p, err = sup.policy(&seccomp.Policy{ABIs: both, Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.ErrnoNamed("ENOSYS"), "socketcall")}, "the profile")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := sup.compile(p)
	if err != nil {
		t.Fatalf("a policy denying socketcall on x86: %v", err)
	}
	for _, c := range []struct {
		abi  *tables.ABI
		name string
		args []uint64
	}{{tables.X86_64, "connect", nil}, {tables.I386, "connect", nil}, {tables.I386, "socketcall", []uint64{sysConnect}}} {
		if act, err := prog.Evaluate(c.abi, c.name, c.args...); err != nil || act != seccomp.Notify {
			t.Errorf("%s %s%v: %v, %v; want notify", c.abi.Name, c.name, c.args, act, err)
		}
	}
}

// The full-queue address: a listener with a backlog of 0 and its queue
// filled, so that a connect to it stays in SYN_SENT for minutes (the
// kernel drops SYNs to a full accept queue: tcp_conn_request in
// net/ipv4/tcp_input.c).
func fullQueue(t *testing.T) string {
	t.Helper()
	ln, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(ln) })
	if err := syscall.Bind(ln, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(ln, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(ln)
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		c, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(c) })
		syscall.Connect(c, sa)
	}
	time.Sleep(100 * time.Millisecond)
	return "127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
}

const modeEnv = "SYSFENCE_TEST_MODE"

// blockingConnect connects a new blocking socket with SO_SNDTIMEO
// timeout (0 for none) to sa.
func blockingConnect(sa syscall.Sockaddr, timeout time.Duration) error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	if timeout > 0 {
		tv := syscall.NsecToTimeval(timeout.Nanoseconds())
		if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv); err != nil {
			return err
		}
	}
	return syscall.Connect(fd, sa)
}

// scenarioBlocking makes blocking connects to the first address of
// addrEnv, a full queue, and by modeEnv: "signal", one that a signal to
// its thread interrupts; "many", nine that wait while another connect,
// to the second address, is made; "timeout", one with SO_SNDTIMEO;
// "tamper", three whose socket another thread keeps making blocking;
// "exit", one left waiting as the command exits.
func scenarioBlocking() (any, error) {
	a := addrs()
	out := map[string]string{}
	switch os.Getenv(modeEnv) {
	case "signal":
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGUSR1)
		tid := make(chan int, 1)
		done := make(chan error, 1)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tid <- syscall.Gettid()
			done <- blockingConnect(a[0], 30*time.Second)
		}()
		t := <-tid
		time.Sleep(300 * time.Millisecond)
		syscall.Tgkill(os.Getpid(), t, syscall.SIGUSR1)
		out["connect"] = errString(<-done)
		select {
		case <-sigs:
			out["signal"] = "handled"
		case <-time.After(5 * time.Second):
			out["signal"] = "not handled"
		}
	case "many":
		var finished atomic.Int32
		for range 9 {
			go func() {
				runtime.LockOSThread()
				blockingConnect(a[0], 60*time.Second)
				finished.Add(1)
			}()
		}
		time.Sleep(500 * time.Millisecond)
		out["allowed"] = errString(blockingConnect(a[1], 0))
		out["blocked ones finished before"] = strconv.Itoa(int(finished.Load()))
	case "timeout":
		out["connect"] = errString(blockingConnect(a[0], time.Second))
	case "tamper":
		// Another thread makes the socket blocking again and again,
		// against the supervisor's non-blocking connect; a signal
		// comes after 3 s, in case the supervisor is still waiting.
		sigs := make(chan os.Signal, 8)
		signal.Notify(sigs, syscall.SIGUSR1)
		runtime.LockOSThread()
		tid := syscall.Gettid()
		for i := range 3 {
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
			if err != nil {
				return nil, err
			}
			var stop atomic.Bool
			go func() {
				runtime.LockOSThread()
				for !stop.Load() {
					fcntl(fd, syscall.F_SETFL, 0)
				}
			}()
			t := time.AfterFunc(3*time.Second, func() { syscall.Tgkill(os.Getpid(), tid, syscall.SIGUSR1) })
			err = syscall.Connect(fd, a[0])
			t.Stop()
			stop.Store(true)
			out[strconv.Itoa(i)] = errString(err)
			syscall.Close(fd)
		}
	case "exit":
		go blockingConnect(a[0], 0)
		time.Sleep(300 * time.Millisecond)
		out["exit"] = "with a connect waiting"
	}
	return out, nil
}

// Point 9 of issue 16: blocking connects stalled the supervisor. A
// caller's signal now ends its wait (EINTR), a waiting connect holds up
// no other call, and sysfence exits with its command, not after the
// connects it was waiting for.
func TestSuperviseBlockingConnect(t *testing.T) {
	requireNotify(t)
	full := fullQueue(t)
	open, _ := acceptCount(t)
	exe, _ := os.Executable()
	run := func(t *testing.T, mode string) (*testenv.Child, map[string]string) {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		b := strings.Join([]string{"run", "--supervise", "connect=127.0.0.1", "--", "env", testenv.ChildEnv + "=blocking",
			addrEnv + "=" + full + " " + open, modeEnv + "=" + mode, exe, "-test.run=^$"}, "\x00")
		cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
		c := testenv.Run(t, cmd, "sysfence", argsEnv+"="+jsonArgs(t, strings.Split(b, "\x00")))
		if ctx.Err() != nil {
			t.Fatalf("sysfence did not exit in 40 s; stderr:\n%s", c.Stderr)
		}
		var got map[string]string
		c.Decode(t, &got)
		return c, got
	}
	t.Run("signal", func(t *testing.T) {
		t.Parallel()
		_, got := run(t, "signal")
		if got["connect"] != syscall.EINTR.Error() || got["signal"] != "handled" {
			t.Errorf("a blocking connect and a signal to its thread: %v; want EINTR, and the signal handled", got)
		}
	})
	t.Run("many", func(t *testing.T) {
		t.Parallel()
		_, got := run(t, "many")
		if got["allowed"] != "" || got["blocked ones finished before"] != "0" {
			t.Errorf("a connect beside nine waiting ones: %v; want it made while they wait", got)
		}
	})
	t.Run("exit", func(t *testing.T) {
		t.Parallel()
		run(t, "exit")
	})
	// A command that makes its socket blocking again, against the
	// supervisor's non-blocking connect, does not hold a thread of
	// sysfence for the kernel's timeout: a watchdog shuts the socket
	// down (ECONNRESET), or the signal ends the wait (EINTR).
	t.Run("tamper", func(t *testing.T) {
		t.Parallel()
		_, got := run(t, "tamper")
		for i := range 3 {
			if g := got[strconv.Itoa(i)]; g != syscall.ECONNRESET.Error() && g != syscall.EINTR.Error() {
				t.Errorf("attempt %d: %q, want ECONNRESET or EINTR (all: %v)", i, g, got)
			}
		}
	})
	// The socket's SO_SNDTIMEO ends the wait as the kernel's connect
	// would end it.
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		_, got := run(t, "timeout")
		if got["connect"] != syscall.EINPROGRESS.Error() {
			t.Errorf("a blocking connect with SO_SNDTIMEO: %v; want EINPROGRESS", got)
		}
	})
}

func fcntl(fd, cmd, arg int) {
	syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), uintptr(arg))
}

// scenarioBadFD connects descriptor 999, which is not open.
func scenarioBadFD() (any, error) {
	return map[string]string{"connect": errString(syscall.Connect(999, addrs()[0]))}, nil
}

// Point 10 of issue 16: connect(999, allowed address) failed with
// ECONNREFUSED and a line saying the address could not be read. It fails
// with EBADF, and the line says why.
func TestSuperviseBadFD(t *testing.T) {
	requireNotify(t)
	addr, _ := acceptCount(t)
	exe, _ := os.Executable()
	c := child(t, nil, "run", "--supervise", "connect="+addr, "--", "env", testenv.ChildEnv+"=bad-fd", addrEnv+"="+addr, exe, "-test.run=^$")
	var got map[string]string
	c.Decode(t, &got)
	if got["connect"] != syscall.EBADF.Error() {
		t.Errorf("connect(999, %s): %q, want EBADF", addr, got["connect"])
	}
	if line := "] connect " + addr + ": fd 999 is not open: failed with EBADF\n"; !strings.Contains(string(c.Stderr), line) {
		t.Errorf("no line %q in:\n%s", line, c.Stderr)
	}
}
