//go:build linux

package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/notify"
)

func init() {
	switch os.Getenv(testenv.ChildEnv) {
	case "leader-exit", "thread-fd":
		// main runs on the thread-group leader, and other goroutines
		// on other threads.
		runtime.LockOSThread()
	}
	scenarios["leader-exit"] = scenarioLeaderExit
	scenarios["unix"] = scenarioUnix
	scenarios["thread-fd"] = scenarioThreadFD
	scenarios["bad-fd"] = scenarioBadFD
	scenarios["connect-n"] = scenarioConnectN
}

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// unixEnv lists the unix sockets the "unix" scenario connects to, space
// separated: "dgram:PATH", "stream:PATH", or "abstract:NAME" (datagram).
// chdirEnv and chrootEnv, if set, are where it goes first.
const (
	unixEnv   = "NOTIFY_TEST_UNIX"
	chdirEnv  = "NOTIFY_TEST_CHDIR"
	chrootEnv = "NOTIFY_TEST_CHROOT"
)

// scenarioUnix connects a new socket to each address of unixEnv and
// reports the errno of each ("" for connected).
func scenarioUnix() (any, error) {
	if dir := os.Getenv(chrootEnv); dir != "" {
		if err := syscall.Chroot(dir); err != nil {
			return nil, err
		}
	}
	if dir := os.Getenv(chdirEnv); dir != "" {
		if err := syscall.Chdir(dir); err != nil {
			return nil, err
		}
	}
	out := map[string]string{}
	for _, a := range strings.Fields(os.Getenv(unixEnv)) {
		kind, path, _ := strings.Cut(a, ":")
		typ := syscall.SOCK_DGRAM
		if kind == "stream" {
			typ = syscall.SOCK_STREAM
		}
		fd, err := syscall.Socket(syscall.AF_UNIX, typ|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		// Built by hand: package syscall takes a leading "@" for an
		// abstract name, and "@name" here is a file.
		raw := syscall.RawSockaddrUnix{Family: syscall.AF_UNIX}
		if kind == "abstract" {
			path = "\x00" + path
		}
		for i := range len(path) {
			raw.Path[i] = int8(path[i])
		}
		n := 2 + len(path)
		if kind != "abstract" {
			n++ // the NUL
		}
		abi, _ := seccomp.NativeABI()
		nr, _ := abi.Number("connect")
		_, _, errno := syscall.Syscall(uintptr(nr), uintptr(fd), uintptr(unsafe.Pointer(&raw)), uintptr(n))
		out[a] = errString(errnoErr(errno))
		syscall.Close(fd)
	}
	return out, nil
}

// bindUnix binds a unix socket of type typ at path (an abstract name
// for "@…") with mode, and returns it.
func bindUnix(t *testing.T, typ int, path string, mode os.FileMode) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_UNIX, typ|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	name := path
	if strings.HasPrefix(path, "@") {
		name = "\x00" + path[1:]
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: name}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(path, "@") {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	if typ == syscall.SOCK_STREAM {
		if err := syscall.Listen(fd, 8); err != nil {
			t.Fatal(err)
		}
	}
	return fd
}

// accepted reports whether a stream listener has a connection waiting,
// and the peer's SO_PEERCRED if so.
func accepted(t *testing.T, fd int) (bool, *syscall.Ucred) {
	t.Helper()
	syscall.SetNonblock(fd, true)
	c, _, err := syscall.Accept(fd)
	if err != nil {
		return false, nil
	}
	defer syscall.Close(c)
	cred, err := syscall.GetsockoptUcred(c, syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	if err != nil {
		t.Fatal(err)
	}
	return true, cred
}

func unixRules(t *testing.T, specs ...string) []notify.ConnectRule {
	t.Helper()
	var rules []notify.ConnectRule
	for _, s := range specs {
		r, err := notify.ParseConnectRule(s)
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
	}
	return rules
}

// exeFor makes the test binary runnable by a user other than root: Start
// runs it as the helper (it is os.Executable), with the target's
// credentials. The directories on its way are opened to others while the
// test runs.
func exeFor(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for dir := filepath.Dir(exe); dir != "/" && dir != os.TempDir(); dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o005 == 0o005 {
			continue
		}
		if err := os.Chmod(dir, fi.Mode().Perm()|0o005); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, fi.Mode().Perm()) })
	}
	return exe
}

// runConnects runs scenario under a filter notifying connect, answered by
// allow, with cmd's attributes, and returns its report and the decisions.
func runConnects(t *testing.T, cmd *exec.Cmd, allow *notify.ConnectAllowlist, scenario string, env ...string) (map[string]string, []notify.ConnectDecision) {
	t.Helper()
	var mu sync.Mutex
	var decisions []notify.ConnectDecision
	allow.Decided = func(_ *notify.Request, d notify.ConnectDecision) {
		mu.Lock()
		defer mu.Unlock()
		decisions = append(decisions, d)
	}
	prog := compile(t, &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.Notify, "connect")})
	tg := &target{cmd: cmd}
	tg.cmd.Env = append(append(os.Environ(), testenv.ChildEnv+"="+scenario), env...)
	tg.cmd.Stdout, tg.cmd.Stderr = &tg.stdout, &tg.stderr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := notify.Start(ctx, tg.cmd, prog)
	if err != nil {
		t.Fatal(err)
	}
	tg.l = l
	defer l.Close()
	wait := serve(context.Background(), l, allow)
	var got map[string]string
	tg.wait(t, &got)
	wait()
	mu.Lock()
	defer mu.Unlock()
	for _, d := range decisions {
		t.Logf("decision: %v allowed=%v err=%v -> %v", d.Addr, d.Allowed, d.Err, d.Response)
	}
	return got, decisions
}

// Point 3 of issue 16: the supervisor connected unix sockets with its own
// rights, so a command running as nobody reached a root-only socket, and
// a server saw sysfence as its peer. A datagram connect is now made with
// the caller's credentials; a stream connect, whose peer credentials the
// server keeps, is refused rather than made in the supervisor's name.
func TestConnectUnixCredentials(t *testing.T) {
	requireNotify(t)
	testenv.Require(t, os.Geteuid() == 0, "needs root, to run the target as nobody")
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rootOnly := filepath.Join(dir, "root-only.sock")
	open := filepath.Join(dir, "open.sock")
	stream := filepath.Join(dir, "stream.sock")
	bindUnix(t, syscall.SOCK_DGRAM, rootOnly, 0o600)
	bindUnix(t, syscall.SOCK_DGRAM, open, 0o666)
	ln := bindUnix(t, syscall.SOCK_STREAM, stream, 0o666)

	cmd := exec.Command(exeFor(t), "-test.run=^$")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	allow := &notify.ConnectAllowlist{Allow: unixRules(t, "unix:"+rootOnly, "unix:"+open, "unix:"+stream), Errno: syscall.EACCES}
	got, decisions := runConnects(t, cmd, allow, "unix", unixEnv+"=dgram:"+rootOnly+" dgram:"+open+" stream:"+stream)
	want := map[string]string{
		"dgram:" + rootOnly: syscall.EACCES.Error(), // nobody may not write it
		"dgram:" + open:     "",
		"stream:" + stream:  syscall.EACCES.Error(), // refused: ErrCannotEmulate
	}
	for a, w := range want {
		if got[a] != w {
			t.Errorf("%s: %q, want %q", a, got[a], w)
		}
	}
	for _, d := range decisions {
		if d.Addr.Path == rootOnly && (!d.Allowed || d.Err != nil) {
			t.Errorf("%v: allowed %v, err %v; want allowed, and the kernel's EACCES", d.Addr, d.Allowed, d.Err)
		}
		if d.Addr.Path == stream && !errors.Is(d.Err, notify.ErrCannotEmulate) {
			t.Errorf("%v: err %v, want ErrCannotEmulate", d.Addr, d.Err)
		}
	}
	if ok, cred := accepted(t, ln); ok {
		t.Errorf("the stream server accepted a peer with SO_PEERCRED %+v (the test's pid is %d)", cred, os.Getpid())
	}
}

// Point 4 of issue 16: paths were resolved as /proc/PID/root + path, and
// a symlink in the caller's root then followed from the supervisor's
// root, so a chrooted command reached a host socket it cannot see.
func TestConnectInCallerRoot(t *testing.T) {
	requireNotify(t)
	testenv.Require(t, os.Geteuid() == 0, "needs root, to chroot the target")
	host := t.TempDir()
	secret := filepath.Join(host, "secret.sock")
	bindUnix(t, syscall.SOCK_DGRAM, secret, 0o666)
	jail := t.TempDir()
	inJail := filepath.Join(jail, "in-jail.sock")
	bindUnix(t, syscall.SOCK_DGRAM, inJail, 0o666)
	// An absolute link and one climbing past the jail's root, both to
	// the host's socket.
	if err := os.Symlink(secret, filepath.Join(jail, "abs.sock")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(strings.Repeat("../", 20)+secret[1:], filepath.Join(jail, "climb.sock")); err != nil {
		t.Fatal(err)
	}
	allow := &notify.ConnectAllowlist{Allow: unixRules(t, "unix:/abs.sock", "unix:/climb.sock", "unix:/in-jail.sock"), Errno: syscall.EACCES}
	got, _ := runConnects(t, testenv.Self(t), allow, "unix", chrootEnv+"="+jail, chdirEnv+"=/",
		unixEnv+"=dgram:/abs.sock dgram:/climb.sock dgram:/in-jail.sock")
	want := map[string]string{
		"dgram:/abs.sock":     syscall.ENOENT.Error(), // /host/… is not in the jail
		"dgram:/climb.sock":   syscall.ENOENT.Error(),
		"dgram:/in-jail.sock": "",
	}
	for a, w := range want {
		if got[a] != w {
			t.Errorf("%s: %q, want %q", a, got[a], w)
		}
	}
}

// Point 5 of issue 16: an abstract name and a file named "@name" were the
// same rule, and a relative path was connected from the supervisor's
// working directory. Now unix:@x allows the abstract name alone, and a
// relative path is made absolute from the caller's working directory
// before it is matched and connected.
func TestConnectAbstractAndRelative(t *testing.T) {
	requireNotify(t)
	dir := t.TempDir()
	abstract := fmt.Sprintf("@sysfence-test-%d", os.Getpid())
	bindUnix(t, syscall.SOCK_DGRAM, abstract, 0)
	// A file named like the abstract name, in the caller's directory.
	atFile := filepath.Join(dir, abstract)
	bindUnix(t, syscall.SOCK_DGRAM, atFile, 0o666)
	rel := filepath.Join(dir, "rel.sock")
	bindUnix(t, syscall.SOCK_DGRAM, rel, 0o666)

	allow := &notify.ConnectAllowlist{Allow: unixRules(t, "unix:"+abstract, "unix:"+rel), Errno: syscall.EACCES}
	got, decisions := runConnects(t, testenv.Self(t), allow, "unix", chdirEnv+"="+dir,
		unixEnv+"=abstract:"+abstract[1:]+" dgram:"+abstract+" dgram:rel.sock")
	want := map[string]string{
		"abstract:" + abstract[1:]: "",
		"dgram:" + abstract:        syscall.EACCES.Error(), // a file, not the abstract name
		"dgram:rel.sock":           "",
	}
	for a, w := range want {
		if got[a] != w {
			t.Errorf("%s: %q, want %q", a, got[a], w)
		}
	}
	var paths []string
	for _, d := range decisions {
		paths = append(paths, d.Addr.String())
	}
	for _, p := range []string{"unix:" + abstract, "unix:" + atFile, "unix:" + rel} {
		found := false
		for _, q := range paths {
			found = found || q == p
		}
		if !found {
			t.Errorf("no decision for %s among %q", p, paths)
		}
	}
}

const addrEnv = "NOTIFY_TEST_ADDR"

func sockaddrOf(s string) syscall.Sockaddr {
	ap := netip.MustParseAddrPort(s)
	return &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
}

// scenarioThreadFD connects, from a thread with a descriptor table of
// its own, a socket whose number the process's table gives another
// socket, and reports which of the two got connected.
func scenarioThreadFD() (any, error) {
	sa := sockaddrOf(os.Getenv(addrEnv))
	leader, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	done := make(chan error, 1)
	go func() {
		// Never unlocked: the thread's table is its own, and the thread
		// ends with the goroutine.
		runtime.LockOSThread()
		if err := syscall.Unshare(syscall.CLONE_FILES); err != nil {
			done <- err
			return
		}
		mine, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			done <- err
			return
		}
		if err := syscall.Dup3(mine, leader, syscall.O_CLOEXEC); err != nil {
			done <- err
			return
		}
		syscall.Close(mine)
		out["connect"] = errString(syscall.Connect(leader, sa))
		_, err = syscall.Getpeername(leader)
		out["thread's socket"] = errString(err)
		done <- nil
	}()
	if err := <-done; err != nil {
		return nil, err
	}
	_, err = syscall.Getpeername(leader)
	out["process's socket"] = errString(err)
	return out, nil
}

// Point 8 of issue 16: GetFD copied the thread-group leader's descriptor,
// so a thread with a table of its own (unshare(CLONE_FILES)) had the
// leader's socket of that number connected instead of its own.
func TestConnectThreadFDTable(t *testing.T) {
	requireNotify(t)
	ln := listen(t, "tcp4", "127.0.0.1:0")
	allow := &notify.ConnectAllowlist{Allow: unixRules(t, ln.Addr().String()), Errno: syscall.EACCES}
	got, _ := runConnects(t, testenv.Self(t), allow, "thread-fd", addrEnv+"="+ln.Addr().String())
	want := map[string]string{"connect": "", "thread's socket": "", "process's socket": syscall.ENOTCONN.Error()}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	// Without PIDFD_THREAD (Linux before 6.9), the process's table
	// serves only where kcmp shows the thread shares it: here it does
	// not, and the connect is refused rather than made on the wrong
	// socket.
	notify.SetNoPIDFDThread(true)
	defer notify.SetNoPIDFDThread(false)
	got, decisions := runConnects(t, testenv.Self(t), allow, "thread-fd", addrEnv+"="+ln.Addr().String())
	want = map[string]string{"connect": syscall.EACCES.Error(), "thread's socket": syscall.ENOTCONN.Error(), "process's socket": syscall.ENOTCONN.Error()}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("without PIDFD_THREAD: %s: %q, want %q", k, got[k], w)
		}
	}
	if len(decisions) != 1 || !errors.Is(decisions[0].Err, notify.ErrCannotEmulate) {
		t.Errorf("without PIDFD_THREAD: decisions %+v, want one with ErrCannotEmulate", decisions)
	}
	// A thread sharing the process's table is served the same way.
	got, _ = runConnects(t, testenv.Self(t), allow, "connect", addrsEnv+"=tcp:"+ln.Addr().String())
	if got["tcp:"+ln.Addr().String()] != "" {
		t.Errorf("without PIDFD_THREAD, a thread sharing its table: %v; want connected", got)
	}
}

// scenarioLeaderExit ends the thread-group leader, then connects from
// another thread and writes its report itself.
func scenarioLeaderExit() (any, error) {
	if syscall.Gettid() != os.Getpid() {
		return nil, errors.New("main is not on the thread-group leader")
	}
	sa := sockaddrOf(os.Getenv(addrEnv))
	go func() {
		time.Sleep(200 * time.Millisecond) // for the leader to exit
		out := map[string]string{}
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			out["socket"] = err.Error()
		} else {
			out["connect"] = errString(syscall.Connect(fd, sa))
			_, err = syscall.Getpeername(fd)
			out["peer"] = errString(err)
		}
		json.NewEncoder(os.Stdout).Encode(out)
		os.Exit(0)
	}()
	syscall.RawSyscall(syscall.SYS_EXIT, 0, 0, 0) // this thread alone
	select {}
}

// The other half of point 8: after the thread-group leader exited, every
// allowed connect failed (its descriptor table is gone) while the line
// said "allowed".
func TestConnectAfterLeaderExits(t *testing.T) {
	requireNotify(t)
	ln := listen(t, "tcp4", "127.0.0.1:0")
	allow := &notify.ConnectAllowlist{Allow: unixRules(t, ln.Addr().String()), Errno: syscall.EACCES}
	got, _ := runConnects(t, testenv.Self(t), allow, "leader-exit", addrEnv+"="+ln.Addr().String())
	if got["connect"] != "" || got["peer"] != "" {
		t.Errorf("connect after the leader exited: %v; want it connected", got)
	}
}

// scenarioBadFD connects descriptor 999, which is not open, to addrEnv.
func scenarioBadFD() (any, error) {
	return map[string]string{"connect": errString(syscall.Connect(999, sockaddrOf(os.Getenv(addrEnv))))}, nil
}

// Point 10 of issue 16: connect(999, allowed) failed with ECONNREFUSED,
// with the decision saying the address could not be read. It fails with
// EBADF, as the kernel would, and the decision says so.
func TestConnectBadFD(t *testing.T) {
	requireNotify(t)
	ln := listen(t, "tcp4", "127.0.0.1:0")
	allow := &notify.ConnectAllowlist{Allow: unixRules(t, ln.Addr().String())}
	got, decisions := runConnects(t, testenv.Self(t), allow, "bad-fd", addrEnv+"="+ln.Addr().String())
	if got["connect"] != syscall.EBADF.Error() {
		t.Errorf("connect: %q, want EBADF", got["connect"])
	}
	if len(decisions) != 1 {
		t.Fatalf("%d decisions, want 1", len(decisions))
	}
	d := decisions[0]
	if d.FD != 999 || d.Addr.String() != ln.Addr().String() || d.Response.Errno() != syscall.EBADF {
		t.Errorf("decision: fd %d, address %v, response %v; want 999, %v, EBADF", d.FD, d.Addr, d.Response, ln.Addr())
	}
}

// notify.Start needs Init called first in main; without it, it says so
// rather than running the binary's main as the helper.
func TestStartWithoutInit(t *testing.T) {
	requireNotify(t)
	notify.SetInitCalled(false)
	defer notify.SetInitCalled(true)
	_, err := notify.Start(context.Background(), exec.Command("/bin/true"), getppidProgram(t))
	if err == nil || !strings.Contains(err.Error(), "notify.Init was not called first in main") {
		t.Errorf("Start: %v; want an error naming notify.Init", err)
	}
}

// scenarioConnectN connects NOTIFY_TEST_CALLS new sockets to addrEnv, one
// after another, and reports how many connected.
func scenarioConnectN() (any, error) {
	n, _ := strconv.Atoi(os.Getenv("NOTIFY_TEST_CALLS"))
	sa := sockaddrOf(os.Getenv(addrEnv))
	ok := 0
	for range n {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		if syscall.Connect(fd, sa) == nil {
			ok++
		}
		syscall.Close(fd)
	}
	return ok, nil
}

// BenchmarkConnect measures one supervised blocking connect over
// loopback, let through (continue) and made by the supervisor
// (emulate): compare the two in one run.
func BenchmarkConnect(b *testing.B) {
	requireNotify(b)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	rule, err := notify.ParseConnectRule(ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	prog := compile(b, &seccomp.Policy{Default: seccomp.Allow, Rules: seccomp.RulesFor(seccomp.Notify, "connect")})
	for _, mode := range []string{"continue", "emulate"} {
		b.Run(mode, func(b *testing.B) {
			allow := &notify.ConnectAllowlist{Allow: []notify.ConnectRule{rule}, ContinueAfterCheckUnsafe: mode == "continue"}
			tg := start(b, prog, "connect-n", "NOTIFY_TEST_CALLS="+strconv.Itoa(b.N), addrEnv+"="+ln.Addr().String())
			defer tg.l.Close()
			wait := serve(context.Background(), tg.l, allow)
			var got int
			tg.wait(b, &got)
			wait()
			if got != b.N {
				b.Errorf("%d of %d connected", got, b.N)
			}
		})
	}
}
