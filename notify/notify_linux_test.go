//go:build linux

package notify_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/notify"
)

func requireNotify(t testing.TB) {
	t.Helper()
	err := notify.FlagsSupported(seccomp.FlagNewListener)
	testenv.Require(t, err == nil, fmt.Sprintf("needs a kernel with seccomp user notification (Linux 5.0): %v", err))
}

func compile(t testing.TB, p *seccomp.Policy) *seccomp.Program {
	t.Helper()
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// target is a supervised child: the test binary running a scenario.
type target struct {
	cmd            *exec.Cmd
	l              *notify.Listener
	stdout, stderr bytes.Buffer
}

func start(t testing.TB, prog *seccomp.Program, scenario string, env ...string) *target {
	t.Helper()
	tg := &target{cmd: testenv.Self(t)}
	tg.cmd.Env = append(append(os.Environ(), testenv.ChildEnv+"="+scenario), env...)
	tg.cmd.Stdout, tg.cmd.Stderr = &tg.stdout, &tg.stderr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := notify.Start(ctx, tg.cmd, prog)
	if err != nil {
		t.Fatal(err)
	}
	tg.l = l
	return tg
}

// wait reaps the target and decodes its report.
func (tg *target) wait(t testing.TB, report any) {
	t.Helper()
	err := tg.cmd.Wait()
	if err != nil {
		t.Fatalf("target: %v\nstderr:\n%s", err, tg.stderr.Bytes())
	}
	if err := json.Unmarshal(tg.stdout.Bytes(), report); err != nil {
		t.Fatalf("target report: %v\nstdout:\n%s\nstderr:\n%s", err, tg.stdout.Bytes(), tg.stderr.Bytes())
	}
}

// serve runs Serve in a goroutine; the returned function waits for it.
func serve(ctx context.Context, l *notify.Listener, h notify.Handler) func() error {
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx, h) }()
	return func() error {
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			return errors.New("Serve did not return")
		}
	}
}

// --- connect allowlist ---

const addrsEnv = "NOTIFY_TEST_ADDRS"

// scenarioConnect dials every address of addrsEnv ("tcp:127.0.0.1:80",
// "unix:/path") and reports the errno of each ("" for connected).
func scenarioConnect() (any, error) { return testenv.DialAll(os.Getenv(addrsEnv)), nil }

func listen(t *testing.T, network, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		if network == "tcp6" {
			testenv.Require(t, false, fmt.Sprintf("needs IPv6 loopback: %v", err))
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln
}

func TestConnectAllowlist(t *testing.T) {
	requireNotify(t)
	t.Run("continue", func(t *testing.T) { testConnectAllowlist(t, false) })
	t.Run("emulate", func(t *testing.T) { testConnectAllowlist(t, true) })
}

func testConnectAllowlist(t *testing.T, emulate bool) {
	dir := t.TempDir()
	allowed4, denied4 := listen(t, "tcp4", "127.0.0.1:0"), listen(t, "tcp4", "127.0.0.1:0")
	allowed6, denied6 := listen(t, "tcp6", "[::1]:0"), listen(t, "tcp6", "[::1]:0")
	allowedU, deniedU := listen(t, "unix", filepath.Join(dir, "a.sock")), listen(t, "unix", filepath.Join(dir, "d.sock"))

	var rules []notify.ConnectRule
	for _, s := range []string{allowed4.Addr().String(), allowed6.Addr().String(), "unix:" + allowedU.Addr().String()} {
		r, err := notify.ParseConnectRule(s)
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
	}
	var mu sync.Mutex
	var seen []string
	allow := &notify.ConnectAllowlist{Allow: rules, Errno: syscall.EACCES, ContinueAfterCheckUnsafe: !emulate,
		Decided: func(_ *notify.Request, d notify.ConnectDecision) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, fmt.Sprintf("%v %v %v %v", d.Addr, d.Allowed, d.Err, d.Response))
		}}

	want := map[string]string{
		"tcp:" + allowed4.Addr().String():  "",
		"tcp:" + denied4.Addr().String():   syscall.EACCES.Error(),
		"tcp:" + allowed6.Addr().String():  "",
		"tcp:" + denied6.Addr().String():   syscall.EACCES.Error(),
		"unix:" + allowedU.Addr().String(): "",
		"unix:" + deniedU.Addr().String():  syscall.EACCES.Error(),
	}
	if emulate {
		// A stream socket the supervisor connected would show it as
		// the server's peer: refused (TestConnectUnixCredentials).
		want["unix:"+allowedU.Addr().String()] = syscall.EACCES.Error()
	}
	var addrs []string
	for a := range want {
		addrs = append(addrs, a)
	}
	slices.Sort(addrs)

	prog := compile(t, &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.Notify, "connect")})
	tg := start(t, prog, "connect", addrsEnv+"="+strings.Join(addrs, " "))
	defer tg.l.Close()
	wait := serve(context.Background(), tg.l, allow)
	var got map[string]string
	tg.wait(t, &got)
	if err := wait(); !errors.Is(err, notify.ErrTargetsExited) {
		t.Errorf("Serve: %v, want ErrTargetsExited", err)
	}
	for _, a := range addrs {
		if got[a] != want[a] {
			t.Errorf("connect %s: %q, want %q", a, got[a], want[a])
		}
	}
	t.Logf("decisions:\n%s", strings.Join(seen, "\n"))
}

// --- shutdown ---

// scenarioGetppid calls getppid as often as the count in its environment
// says and reports what the calls returned, once each distinct value.
func scenarioGetppid() (any, error) {
	n, _ := strconv.Atoi(os.Getenv("NOTIFY_TEST_CALLS"))
	got := map[int]int{}
	for range n {
		got[syscall.Getppid()]++
	}
	return got, nil
}

func getppidProgram(t testing.TB) *seccomp.Program {
	return compile(t, &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.Notify, "getppid")})
}

// settle waits for the goroutine count to drop to at most want.
func settle(want int) int {
	var n int
	for range 200 {
		if n = runtime.NumGoroutine(); n <= want {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
	return n
}

func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestShutdownWhenTargetDies(t *testing.T) {
	requireNotify(t)
	before := runtime.NumGoroutine()
	tg := start(t, getppidProgram(t), "getppid", "NOTIFY_TEST_CALLS=1")
	inHandler := make(chan *notify.Request)
	release := make(chan struct{})
	wait := serve(context.Background(), tg.l, notify.HandlerFunc(func(ctx context.Context, req *notify.Request) notify.Response {
		inHandler <- req
		<-release
		return notify.Return(7)
	}))
	req := <-inHandler
	if err := req.Valid(); err != nil {
		t.Fatalf("Valid before the kill: %v", err)
	}
	tg.cmd.Process.Kill()
	tg.cmd.Wait()
	if err := req.Valid(); !errors.Is(err, notify.ErrGone) {
		t.Errorf("Valid after the kill: %v, want ErrGone", err)
	}
	if err := req.ReadMemory(req.Data.InstructionPointer, make([]byte, 1)); err == nil {
		t.Errorf("ReadMemory after the kill succeeded")
	}
	close(release) // the response fails with ErrGone, which Serve skips
	if err := wait(); !errors.Is(err, notify.ErrTargetsExited) {
		t.Errorf("Serve: %v, want ErrTargetsExited", err)
	}
	if err := tg.l.Close(); err != nil {
		t.Error(err)
	}
	if n := settle(before); n > before {
		t.Errorf("%d goroutines after, %d before", n, before)
	}
}

func TestShutdownOnCancel(t *testing.T) {
	requireNotify(t)
	before := runtime.NumGoroutine()
	tg := start(t, getppidProgram(t), "getppid", "NOTIFY_TEST_CALLS=1")
	ctx, cancel := context.WithCancel(context.Background())
	inHandler := make(chan struct{})
	wait := serve(ctx, tg.l, notify.HandlerFunc(func(ctx context.Context, req *notify.Request) notify.Response {
		close(inHandler)
		<-ctx.Done()
		return notify.Fail(syscall.EINTR)
	}))
	<-inHandler
	cancel()
	if err := wait(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v, want context.Canceled", err)
	}
	// The target got EINTR and exits.
	tg.l.Close()
	tg.cmd.Wait()
	if n := settle(before); n > before {
		t.Errorf("%d goroutines after, %d before", n, before)
	}
	if _, err := tg.l.Receive(context.Background()); !errors.Is(err, notify.ErrClosed) {
		t.Errorf("Receive after Close: %v, want ErrClosed", err)
	}
}

func TestShutdownOnCancelWhileIdle(t *testing.T) {
	requireNotify(t)
	before := runtime.NumGoroutine()
	tg := start(t, getppidProgram(t), "sleep")
	ctx, cancel := context.WithCancel(context.Background())
	wait := serve(ctx, tg.l, notify.ContinueAll)
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := wait(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v, want context.Canceled", err)
	}
	// Close interrupts a waiting Serve too.
	wait = serve(context.Background(), tg.l, notify.ContinueAll)
	time.Sleep(20 * time.Millisecond)
	tg.l.Close()
	if err := wait(); !errors.Is(err, notify.ErrClosed) {
		t.Errorf("Serve: %v, want ErrClosed", err)
	}
	tg.cmd.Process.Kill()
	tg.cmd.Wait()
	if n := settle(before); n > before {
		t.Errorf("%d goroutines after, %d before", n, before)
	}
}

// TestManyNotifications answers 10,000 notifications and checks that
// no goroutine or descriptor is left behind.
func TestManyNotifications(t *testing.T) {
	requireNotify(t)
	const calls = 10000
	goroutines, fds := runtime.NumGoroutine(), countFDs(t)
	tg := start(t, getppidProgram(t), "getppid", "NOTIFY_TEST_CALLS="+strconv.Itoa(calls))
	var n atomic.Int64
	began := time.Now()
	wait := serve(context.Background(), tg.l, notify.HandlerFunc(func(context.Context, *notify.Request) notify.Response {
		n.Add(1)
		return notify.Return(4242)
	}))
	var got map[string]int
	tg.wait(t, &got)
	elapsed := time.Since(began)
	if err := wait(); !errors.Is(err, notify.ErrTargetsExited) {
		t.Errorf("Serve: %v", err)
	}
	tg.l.Close()
	if got["4242"] != calls || len(got) != 1 {
		t.Errorf("getppid returned %v, want 4242 %d times", got, calls)
	}
	if n.Load() < calls {
		t.Errorf("%d notifications, want at least %d", n.Load(), calls)
	}
	g, f := settle(goroutines), countFDs(t)
	t.Logf("%d notifications in %v (%.0f/s, child start included); goroutines %d -> %d, fds %d -> %d",
		n.Load(), elapsed, float64(n.Load())/elapsed.Seconds(), goroutines, g, fds, f)
	if g > goroutines || f > fds {
		t.Errorf("leak: goroutines %d -> %d, fds %d -> %d", goroutines, g, fds, f)
	}
}

// --- ADDFD ---

const addfdPath = "/nonexistent/sysfence-notify-addfd"

// scenarioAddFD opens addfdPath twice, which the supervisor answers with
// descriptors of its own, and reports what it reads from each.
func scenarioAddFD() (any, error) {
	var out []string
	for range 2 {
		f, err := os.Open(addfdPath)
		if err != nil {
			return nil, err
		}
		b := make([]byte, 100)
		n, err := f.Read(b)
		if err != nil {
			return nil, err
		}
		out = append(out, string(b[:n]))
		f.Close()
	}
	return out, nil
}

func pipeWith(t *testing.T, s string) *os.File {
	r, w, err := os.Pipe()
	if err != nil {
		t.Error(err)
		return nil
	}
	w.WriteString(s)
	w.Close()
	return r
}

func TestAddFD(t *testing.T) {
	requireNotify(t)
	prog := compile(t, &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.Notify, "openat")})
	tg := start(t, prog, "addfd")
	defer tg.l.Close()
	var opens int
	wait := serve(context.Background(), tg.l, notify.HandlerFunc(func(_ context.Context, req *notify.Request) notify.Response {
		path, err := req.ReadString(req.Data.Args[1], 4096)
		if err != nil || path != addfdPath {
			return notify.Continue()
		}
		opens++
		r := pipeWith(t, "payload "+strconv.Itoa(opens))
		if opens == 1 {
			// Atomic: install and return the number.
			return notify.ReturnFD(r, true)
		}
		// In two steps: install, then return the number.
		defer r.Close()
		fd, err := req.AddFD(r, notify.AddFDOptions{CloseOnExec: true})
		if err != nil {
			t.Errorf("AddFD: %v", err)
			return notify.Fail(syscall.EIO)
		}
		return notify.Return(int64(fd))
	}))
	var got []string
	tg.wait(t, &got)
	if err := wait(); !errors.Is(err, notify.ErrTargetsExited) {
		t.Errorf("Serve: %v", err)
	}
	if want := []string{"payload 1", "payload 2"}; !slices.Equal(got, want) {
		t.Errorf("target read %q, want %q", got, want)
	}
}

// --- execve logger and learning ---

// scenarioExec executes /bin/true with arguments.
func scenarioExec() (any, error) {
	return nil, syscall.Exec("/bin/true", []string{"true", "one", "two words"}, os.Environ())
}

func TestLogExec(t *testing.T) {
	requireNotify(t)
	_, err := os.Stat("/bin/true")
	testenv.Require(t, err == nil, "needs /bin/true")
	prog := compile(t, &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.Notify, "execve", "execveat")})
	tg := start(t, prog, "exec")
	defer tg.l.Close()
	var execs []notify.Exec
	logExec := notify.LogExec(func(_ *notify.Request, e notify.Exec, err error) {
		if err != nil {
			t.Errorf("ReadExec: %v", err)
		}
		execs = append(execs, e)
	})
	mux := &notify.Mux{Default: notify.HandlerFunc(func(_ context.Context, req *notify.Request) notify.Response {
		t.Errorf("Mux.Default given %s", req.SyscallName())
		return notify.Continue()
	})}
	for _, name := range []string{"execve", "execveat"} {
		if err := mux.Add(name, logExec); err != nil {
			t.Fatal(err)
		}
	}
	if err := mux.Add("no_such_call", logExec); err == nil {
		t.Error("Mux.Add of an unknown name: no error")
	}
	wait := serve(context.Background(), tg.l, mux)
	if err := tg.cmd.Wait(); err != nil {
		t.Fatalf("target: %v\n%s", err, tg.stderr.Bytes())
	}
	if err := wait(); !errors.Is(err, notify.ErrTargetsExited) {
		t.Errorf("Serve: %v", err)
	}
	// The helper's execve of the test binary, then the scenario's.
	if len(execs) != 2 {
		t.Fatalf("execs %+v, want 2", execs)
	}
	exe, _ := os.Executable()
	if execs[0].Path != exe {
		t.Errorf("first exec %q, want the test binary %q", execs[0].Path, exe)
	}
	if e := execs[1]; e.Path != "/bin/true" || !slices.Equal(e.Argv, []string{"true", "one", "two words"}) {
		t.Errorf("second exec %+v", e)
	}
}

// TestLearn notifies every call and continues it, recording the calls by
// name: what sysfence learn needs. The helper hands the listener over
// from an unfiltered thread, so a filter notifying everything works.
func TestLearn(t *testing.T) {
	requireNotify(t)
	prog := compile(t, &seccomp.Policy{Default: seccomp.Notify})
	tg := start(t, prog, "noop")
	defer tg.l.Close()
	abi, _ := seccomp.NativeABI()
	seen := map[string]int{}
	wait := serve(context.Background(), tg.l, notify.Logged(notify.ContinueAll, func(req *notify.Request, _ notify.Response) {
		if req.Data.Arch != abi.Audit {
			t.Errorf("arch %#x, want %#x", req.Data.Arch, abi.Audit)
		}
		seen[req.SyscallName()]++
	}))
	var got string
	tg.wait(t, &got)
	if err := wait(); !errors.Is(err, notify.ErrTargetsExited) {
		t.Errorf("Serve: %v", err)
	}
	for _, name := range []string{"execve", "write", "exit_group", "mmap"} {
		if seen[name] == 0 {
			t.Errorf("no %s among %v", name, seen)
		}
	}
	t.Logf("%d distinct calls", len(seen))
}

// TestWaitKillableRecv checks that Start installs with
// FlagWaitKillableRecv where the kernel has it: a received call is not
// interrupted by a signal the Go runtime handles, so its notification
// stays valid.
func TestWaitKillableRecv(t *testing.T) {
	requireNotify(t)
	err := notify.FlagsSupported(seccomp.FlagNewListener | seccomp.FlagWaitKillableRecv)
	testenv.Require(t, err == nil, fmt.Sprintf("needs SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19): %v", err))
	tg := start(t, getppidProgram(t), "getppid", "NOTIFY_TEST_CALLS=1")
	defer tg.l.Close()
	n, err := tg.l.Receive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := syscall.Tgkill(tg.cmd.Process.Pid, n.PID, syscall.SIGURG); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tg.l.Valid(n.ID); err != nil {
		t.Errorf("after signals: %v", err)
	}
	if err := tg.l.Respond(n.ID, notify.Return(1)); err != nil {
		t.Error(err)
	}
	// Were the call restarted, its new notification would wait here.
	wait := serve(context.Background(), tg.l, notify.HandlerFunc(func(context.Context, *notify.Request) notify.Response { return notify.Return(1) }))
	var got map[string]int
	tg.wait(t, &got)
	wait()
	if got["1"] != 1 {
		t.Errorf("getppid returned %v, want 1 once", got)
	}
}

func TestStartExecFails(t *testing.T) {
	requireNotify(t)
	cmd := exec.Command("/nonexistent/sysfence-target")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	l, err := notify.Start(context.Background(), cmd, getppidProgram(t))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 127 || !strings.Contains(stderr.String(), "/nonexistent/sysfence-target") {
		t.Errorf("Wait: %v, stderr %q; want exit status 127 naming the path", err, stderr.String())
	}
}

func TestStartRefusesStartedCommand(t *testing.T) {
	cmd := exec.Command("/nonexistent")
	cmd.Process = &os.Process{}
	if _, err := notify.Start(context.Background(), cmd, nil); err == nil {
		t.Error("no error")
	}
}

// scenarioFDs reports where the target's descriptors lead.
func scenarioFDs() (any, error) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	var links []string
	for _, e := range ents {
		link, _ := os.Readlink("/proc/self/fd/" + e.Name())
		links = append(links, e.Name()+" "+link)
	}
	return links, nil
}

// TestTargetKeepsNoHelperFDs checks that neither the listener nor the
// helper's socket reaches the target, which could answer its own calls
// with the one.
func TestTargetKeepsNoHelperFDs(t *testing.T) {
	requireNotify(t)
	tg := start(t, getppidProgram(t), "fds")
	defer tg.l.Close()
	var links []string
	tg.wait(t, &links)
	for _, l := range links {
		if strings.Contains(l, "seccomp") || strings.Contains(l, "socket:") {
			t.Errorf("target has %s; all: %q", l, links)
		}
	}
}

// BenchmarkRoundTrip measures one notified call answered by Serve: the
// target's getppid, the supervisor's receive and response.
func BenchmarkRoundTrip(b *testing.B) {
	requireNotify(b)
	tg := start(b, getppidProgram(b), "getppid", "NOTIFY_TEST_CALLS="+strconv.Itoa(b.N))
	defer tg.l.Close()
	wait := serve(context.Background(), tg.l, notify.HandlerFunc(func(context.Context, *notify.Request) notify.Response { return notify.Return(1) }))
	var got map[string]int
	tg.wait(b, &got)
	wait()
	if got["1"] != b.N {
		b.Errorf("getppid returned %v", got)
	}
}

// scenarioConnectRace connects to the port in NOTIFY_TEST_PORTS' first
// field while another goroutine keeps rewriting the address to the
// second: the time-of-check/time-of-use race Continue cannot close. It
// reports how many connects reached each port, and how many failed.
func scenarioConnectRace() (any, error) {
	ports := strings.Fields(os.Getenv("NOTIFY_TEST_PORTS"))
	allowed, _ := strconv.Atoi(ports[0])
	denied, _ := strconv.Atoi(ports[1])
	abi, _ := seccomp.NativeABI()
	connectNr, _ := abi.Number("connect")
	// struct sockaddr_in, its first word (family and port) rewritten whole.
	var sa [4]uint32
	word := func(port int) uint32 {
		var b [4]byte
		binary.NativeEndian.PutUint16(b[:], syscall.AF_INET)
		binary.BigEndian.PutUint16(b[2:], uint16(port))
		return binary.NativeEndian.Uint32(b[:])
	}
	sa[1] = binary.NativeEndian.Uint32([]byte{127, 0, 0, 1})
	atomic.StoreUint32(&sa[0], word(allowed))
	stop := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			atomic.StoreUint32(&sa[0], word([]int{allowed, denied}[i%2]))
		}
	}()
	out := map[string]int{}
	for range 2000 {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		_, _, errno := syscall.Syscall(uintptr(connectNr), uintptr(fd), uintptr(unsafe.Pointer(&sa[0])), 16)
		if errno != 0 {
			out["failed"]++
		} else if peer, err := syscall.Getpeername(fd); err == nil {
			out[strconv.Itoa(peer.(*syscall.SockaddrInet4).Port)]++
		}
		syscall.Close(fd)
	}
	close(stop)
	return out, nil
}

// TestConnectRace shows what the package documentation says about
// Continue: a caller that rewrites the address while the supervisor
// decides connects where it was refused, unless the supervisor emulates
// the connect from the address it checked.
func TestConnectRace(t *testing.T) {
	requireNotify(t)
	allowed, denied := listen(t, "tcp4", "127.0.0.1:0"), listen(t, "tcp4", "127.0.0.1:0")
	port := func(ln net.Listener) string { return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) }
	rule, err := notify.ParseConnectRule(allowed.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	prog := compile(t, &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.Notify, "connect")})
	for _, emulate := range []bool{false, true} {
		tg := start(t, prog, "connect-race", "NOTIFY_TEST_PORTS="+port(allowed)+" "+port(denied))
		wait := serve(context.Background(), tg.l, &notify.ConnectAllowlist{Allow: []notify.ConnectRule{rule}, ContinueAfterCheckUnsafe: !emulate})
		var got map[string]int
		tg.wait(t, &got)
		wait()
		tg.l.Close()
		t.Logf("emulate=%v: allowed port %d, denied port %d, failed %d", emulate, got[port(allowed)], got[port(denied)], got["failed"])
		if emulate && got[port(denied)] != 0 {
			t.Errorf("emulated: %d connects reached the denied port", got[port(denied)])
		}
	}
}
