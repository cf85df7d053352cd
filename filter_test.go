//go:build linux

package seccomp

// End-to-end tests of the runtime on the real kernel: every filter is
// installed in a re-executed child of the test binary (see main_test.go),
// or by bwrap or sysfence in front of one.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// Environment of the scenarios.
const (
	envProgram = "SYSFENCE_TEST_PROGRAM" // built-in to install
	envDir     = "SYSFENCE_TEST_DIR"     // a writable directory
	envForeign = "SYSFENCE_TEST_FOREIGN" // Policy.Foreign of the x32 scenario
	envDefault = "SYSFENCE_TEST_DEFAULT" // Policy.Default of the allowlist scenario
	envUnknown = "SYSFENCE_TEST_UNKNOWN" // Policy.Unknown of the allowlist scenario
	envExit    = "SYSFENCE_TEST_EXIT"    // exit status or signal of the exit scenario
)

// scenarioExit ends the process with the exit status or the signal
// (TERM) of envExit, for the tests of what sysfence run passes through.
func scenarioExit() (any, error) {
	how := os.Getenv(envExit)
	if how == "TERM" {
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		time.Sleep(time.Minute)
		return nil, errors.New("SIGTERM did not end the process")
	}
	status, err := strconv.Atoi(how)
	if err != nil {
		return nil, err
	}
	os.Exit(status)
	return nil, nil
}

// probe is a system call with arguments chosen so that, run as root
// without a filter, it fails harmlessly with an error other than EPERM
// (or succeeds harmlessly), and so tells a filter's EPERM apart.
type probe struct {
	key     string // how the report names it
	syscall string
	args    [6]uintptr
}

// cstrings keeps the C strings of the probes alive.
var cstrings [][]byte

func cstr(s string) uintptr {
	b := append([]byte(s), 0)
	cstrings = append(cstrings, b)
	return uintptr(unsafe.Pointer(&b[0]))
}

// sandboxProbes are the probes of calls the sandbox policy denies.
func sandboxProbes(devNull uintptr) []probe {
	const (
		nowhere    = "/nonexistent/sysfence"
		ptracePeek = 2       // PTRACE_PEEKDATA: ESRCH, we are not traced
		noRandom   = 0x40000 // ADDR_NO_RANDOMIZE
	)
	pid := uintptr(os.Getpid())
	tty := terminalInjection(nativeABI())
	tiocsti, tioclinux := tty[0][0].Value, tty[1][0].Value
	return []probe{
		{"ptrace", "ptrace", [6]uintptr{ptracePeek, pid}},
		{"process_vm_readv", "process_vm_readv", [6]uintptr{pid, 0, 0, 0, 0, 1}},   // flags: EINVAL
		{"process_vm_writev", "process_vm_writev", [6]uintptr{pid, 0, 0, 0, 0, 1}}, // flags: EINVAL
		{"pidfd_getfd", "pidfd_getfd", [6]uintptr{^uintptr(0)}},                    // EBADF
		{"keyctl", "keyctl", [6]uintptr{9999}},                                     // EOPNOTSUPP
		{"add_key", "add_key", [6]uintptr{}},                                       // EFAULT
		{"request_key", "request_key", [6]uintptr{}},                               // EFAULT
		{"userfaultfd", "userfaultfd", [6]uintptr{0xffff}},                         // EINVAL
		{"perf_event_open", "perf_event_open", [6]uintptr{0, 0, ^uintptr(0), ^uintptr(0), ^uintptr(0)}},
		{"bpf", "bpf", [6]uintptr{9999}},                              // EINVAL
		{"io_uring_setup", "io_uring_setup", [6]uintptr{0}},           // EINVAL
		{"io_uring_enter", "io_uring_enter", [6]uintptr{^uintptr(0)}}, // EBADF
		{"io_uring_register", "io_uring_register", [6]uintptr{^uintptr(0)}},
		{"reboot", "reboot", [6]uintptr{}},                         // wrong magic: EINVAL
		{"syslog", "syslog", [6]uintptr{9999}},                     // EINVAL
		{"acct", "acct", [6]uintptr{cstr(nowhere)}},                // ENOENT
		{"swapon", "swapon", [6]uintptr{cstr(nowhere)}},            // ENOENT
		{"swapoff", "swapoff", [6]uintptr{cstr(nowhere)}},          // ENOENT
		{"sethostname", "sethostname", [6]uintptr{0, 1 << 20}},     // EINVAL
		{"setdomainname", "setdomainname", [6]uintptr{0, 1 << 20}}, // EINVAL
		{"init_module", "init_module", [6]uintptr{}},               // ENOEXEC
		{"finit_module", "finit_module", [6]uintptr{^uintptr(0), cstr("")}},
		{"delete_module", "delete_module", [6]uintptr{cstr("sysfence_no_such_module"), syscall.O_NONBLOCK}},
		{"ioperm", "ioperm", [6]uintptr{0x10000, 1}}, // EINVAL
		{"iopl", "iopl", [6]uintptr{4}},              // EINVAL
		{"mount", "mount", [6]uintptr{cstr("none"), cstr(nowhere), cstr("sysfence-nofs")}},
		{"umount2", "umount2", [6]uintptr{cstr(nowhere)}},
		{"pivot_root", "pivot_root", [6]uintptr{cstr(nowhere), cstr(nowhere)}},
		{"fsopen", "fsopen", [6]uintptr{cstr("sysfence-nofs")}}, // ENODEV
		{"fsconfig", "fsconfig", [6]uintptr{^uintptr(0)}},
		{"fsmount", "fsmount", [6]uintptr{^uintptr(0)}},
		{"fspick", "fspick", [6]uintptr{^uintptr(0), cstr(""), 0xffffffff}},
		{"move_mount", "move_mount", [6]uintptr{^uintptr(0), cstr(""), ^uintptr(0), cstr(""), 0xffffffff}},
		{"open_tree", "open_tree", [6]uintptr{^uintptr(0), cstr(nowhere)}},
		{"open_tree_attr", "open_tree_attr", [6]uintptr{^uintptr(0), cstr(nowhere)}},
		{"mount_setattr", "mount_setattr", [6]uintptr{^uintptr(0), cstr(""), 0xffffffff}},
		{"open_by_handle_at", "open_by_handle_at", [6]uintptr{^uintptr(0)}},
		{"uselib", "uselib", [6]uintptr{cstr(nowhere)}},
		{"personality(ADDR_NO_RANDOMIZE)", "personality", [6]uintptr{noRandom}},
		{"ioctl(TIOCSTI)", "ioctl", [6]uintptr{devNull, uintptr(tiocsti)}},
		// The kernel reads the request as an int: higher bits (where
		// uintptr has them) must not get past the filter.
		{"ioctl(TIOCSTI|1<<32)", "ioctl", [6]uintptr{devNull, uintptr(1<<32 | tiocsti)}},
		{"ioctl(TIOCLINUX)", "ioctl", [6]uintptr{devNull, uintptr(tioclinux)}},
	}
}

// strictProbes are the probes of calls only sandbox-strict denies. The
// clone one cannot create a process: CLONE_NEWNS with CLONE_FS is EINVAL.
// s390's clone takes its stack first and its flags second
// (CONFIG_CLONE_BACKWARDS2, kernel/fork.c).
func strictProbes() []probe {
	const cloneNewNSWithFS = 0x20000 | 0x200
	clone := [6]uintptr{cloneNewNSWithFS}
	if runtime.GOARCH == "s390x" {
		clone = [6]uintptr{0, cloneNewNSWithFS}
	}
	return []probe{
		{"unshare", "unshare", [6]uintptr{0}},       // succeeds, changing nothing
		{"setns", "setns", [6]uintptr{^uintptr(0)}}, // EBADF
		{"clone(CLONE_NEWNS)", "clone", clone},      // EINVAL
		{"clone3", "clone3", [6]uintptr{0, 0}},      // EINVAL
	}
}

// allowedProbes are calls both policies allow.
func allowedProbes(devNull uintptr) []probe {
	return []probe{
		{"personality(query)", "personality", [6]uintptr{0xffffffff}},
		{"name_to_handle_at", "name_to_handle_at", [6]uintptr{^uintptr(0), cstr("/nonexistent/sysfence")}},
		{"ioctl(TIOCGWINSZ)", "ioctl", [6]uintptr{devNull, syscall.TIOCGWINSZ, 0}},
	}
}

// runProbes makes each probe's call and returns how it ended: "OK" or
// the error's name. A probe whose call the native ABI lacks is left out.
func runProbes(probes []probe) map[string]string {
	abi := nativeABI()
	out := make(map[string]string)
	for _, p := range probes {
		nr, ok := abi.Number(p.syscall)
		if !ok {
			continue
		}
		a := p.args
		_, _, errno := syscall.Syscall6(uintptr(nr), a[0], a[1], a[2], a[3], a[4], a[5])
		out[p.key] = errnoName(errno)
	}
	return out
}

func errnoName(errno syscall.Errno) string {
	if errno == 0 {
		return "OK"
	}
	if name, ok := nativeABI().ErrnoName(uint16(errno)); ok {
		return name
	}
	return strconv.Itoa(int(errno))
}

// probeReport is what the probing scenarios report.
type probeReport struct {
	Probes map[string]string
	// Checks holds the result of each everyday operation: "" or an error.
	Checks map[string]string
	// Threads is the outcome of a call on a thread other than the
	// installing one, and the thread counts of /proc/self/task.
	Threads threadReport
}

type threadReport struct {
	OtherThread           bool   // the probe ran on another OS thread
	Ptrace                string // its ptrace probe
	Tasks, Filtered, NNPs int
}

// probeAll runs every probe and everyday check.
func probeAll() (*probeReport, error) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer devNull.Close()
	fd := devNull.Fd()
	probes := append(sandboxProbes(fd), strictProbes()...)
	probes = append(probes, allowedProbes(fd)...)
	return &probeReport{Probes: runProbes(probes), Checks: everydayChecks()}, nil
}

// scenarioProbe probes without installing anything (the filter, if any,
// comes from whoever started the child).
func scenarioProbe() (any, error) { return probeAll() }

// scenarioInstall installs the built-in named by envProgram, then probes;
// a goroutine locked to another thread before the install probes too.
func scenarioInstall() (any, error) {
	runtime.LockOSThread()
	mainTID := syscall.Gettid()
	start, done := make(chan struct{}), make(chan threadReport)
	go func() {
		runtime.LockOSThread()
		tid := syscall.Gettid()
		<-start
		got := runProbes(sandboxProbes(0)[:1])
		done <- threadReport{OtherThread: tid != mainTID, Ptrace: got["ptrace"]}
	}()
	prog, err := Builtin(os.Getenv(envProgram))
	if err != nil {
		return nil, err
	}
	if err := prog.Install(); err != nil {
		return nil, err
	}
	close(start)
	threads := <-done
	r, err := probeAll()
	if err != nil {
		return nil, err
	}
	r.Threads = threads
	r.Threads.Tasks, r.Threads.Filtered, r.Threads.NNPs, err = taskStates()
	return r, err
}

// taskStates counts the threads of the process, those in seccomp filter
// mode and those with no_new_privs, from /proc/self/task/*/status.
func taskStates() (tasks, filtered, nnp int, err error) {
	dirs, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, 0, 0, err
	}
	for _, d := range dirs {
		status, err := os.ReadFile(filepath.Join("/proc/self/task", d.Name(), "status"))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			continue // the thread exited after ReadDir listed it
		}
		if err != nil {
			return 0, 0, 0, err
		}
		tasks++
		sc := bufio.NewScanner(bytes.NewReader(status))
		for sc.Scan() {
			switch strings.Join(strings.Fields(sc.Text()), " ") {
			case "Seccomp: 2":
				filtered++
			case "NoNewPrivs: 1":
				nnp++
			}
		}
	}
	return tasks, filtered, nnp, nil
}

// everydayChecks does what any sandboxed program does and reports what
// failed.
func everydayChecks() map[string]string {
	checks := map[string]func() error{
		"getpid":  checkGetpid,
		"file":    checkFile,
		"tcp":     checkTCP,
		"exec":    checkExec,
		"threads": checkNewThreads,
	}
	out := make(map[string]string)
	for name, check := range checks {
		out[name] = ""
		if err := check(); err != nil {
			out[name] = err.Error()
		}
	}
	return out
}

// checkExec starts a process: the test binary itself, which has the ABI
// the filter covers, running no test.
func checkExec() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, testenv.ChildEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd.Run()
}

func checkGetpid() error {
	nr, _ := nativeABI().Number("getpid")
	pid, _, errno := syscall.RawSyscall(uintptr(nr), 0, 0, 0)
	if errno != 0 || int(pid) != os.Getpid() {
		return fmt.Errorf("getpid = %d, %v; want %d", pid, errno, os.Getpid())
	}
	return nil
}

func checkFile() error {
	dir := os.Getenv(envDir)
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	want := []byte("written under a filter")
	if _, err := f.Write(want); err != nil {
		return err
	}
	got, err := os.ReadFile(f.Name())
	if err == nil && !bytes.Equal(got, want) {
		err = fmt.Errorf("read back %q, want %q", got, want)
	}
	return err
}

func checkTCP() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		return err
	}
	defer c.Close()
	want := "echo over loopback"
	if _, err := io.WriteString(c, want); err != nil {
		return err
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		return err
	}
	if string(got) != want {
		return fmt.Errorf("echoed %q, want %q", got, want)
	}
	return nil
}

// checkNewThreads makes the runtime start new threads: a goroutine that
// exits while locked to its thread takes the thread with it.
func checkNewThreads() error {
	for range 3 {
		done := make(chan int)
		go func() {
			runtime.LockOSThread()
			done <- syscall.Gettid()
		}()
		if <-done <= 0 {
			return errors.New("no thread id")
		}
	}
	return nil
}

// scenarioX32 installs the sandbox policy with the Foreign action of
// envForeign and calls getpid with the x32 bit set.
func scenarioX32() (any, error) {
	p, err := BuiltinPolicy("sandbox")
	if err != nil {
		return nil, err
	}
	p.Foreign = Action(os.Getenv(envForeign))
	prog, err := p.Compile()
	if err != nil {
		return nil, err
	}
	if err := prog.Install(); err != nil {
		return nil, err
	}
	nr, _ := tables.X32.Number("getpid")
	_, _, errno := syscall.RawSyscall(uintptr(nr), 0, 0, 0)
	return errnoName(errno), nil
}

// allowlistExcluded are the calls the allowlist scenario leaves out of an
// allowlist of everything else: calls the Go runtime does not make.
var allowlistExcluded = []string{"getppid", "sysinfo"}

// unknownNumbers returns two numbers the native table does not know: the
// first gap, and one far beyond the last.
func unknownNumbers(abi *tables.ABI) (gap, beyond uint32) {
	for i := 1; i < abi.Len(); i++ {
		if abi.At(i).Nr != abi.At(i-1).Nr+1 {
			gap = abi.At(i-1).Nr + 1
			break
		}
	}
	return gap, abi.At(abi.Len()-1).Nr + 1000
}

// scenarioAllowlist installs an allowlist of every call in the native
// table but allowlistExcluded, with the Default and Unknown actions of
// envDefault and envUnknown, and reports what the excluded and unknown
// numbers get.
func scenarioAllowlist() (any, error) {
	abi := nativeABI()
	prog, err := allowlistPolicy(Action(os.Getenv(envDefault)), Action(os.Getenv(envUnknown))).Compile()
	if err != nil {
		return nil, err
	}
	if err := prog.Install(); err != nil {
		return nil, err
	}
	gap, beyond := unknownNumbers(abi)
	out := make(map[string]string)
	for name, nr := range map[string]uint32{"gap": gap, "beyond": beyond} {
		_, _, errno := syscall.RawSyscall(uintptr(nr), 0, 0, 0)
		out[name] = errnoName(errno)
	}
	for _, name := range allowlistExcluded {
		nr, _ := abi.Number(name)
		var info [256]byte
		_, _, errno := syscall.RawSyscall(uintptr(nr), uintptr(unsafe.Pointer(&info)), 0, 0)
		out[name] = errnoName(errno)
	}
	return out, nil
}

// allowlistPolicy allows every call in the native table but
// allowlistExcluded.
func allowlistPolicy(dflt, unknown Action) *Policy {
	var names []string
	for _, sc := range nativeABI().Syscalls() {
		if !contains(allowlistExcluded, sc.Name) {
			names = append(names, sc.Name)
		}
	}
	return &Policy{Default: dflt, Unknown: unknown, Rules: RulesFor(Allow, names...)}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// wantSandbox returns what the probes should report under the named
// built-in: EPERM for what it denies, ENOSYS for clone3 under
// sandbox-strict, and for the rest what they report unfiltered.
func wantSandbox(name string, control map[string]string) map[string]string {
	want := make(map[string]string)
	for k, v := range control {
		want[k] = v
	}
	for _, p := range sandboxProbes(0) {
		if _, ok := want[p.key]; ok {
			want[p.key] = "EPERM"
		}
	}
	if name == "sandbox-strict" {
		for _, p := range strictProbes() {
			if _, ok := want[p.key]; ok {
				want[p.key] = "EPERM"
			}
		}
		if _, ok := want["clone3"]; ok {
			want["clone3"] = "ENOSYS"
		}
	}
	return want
}

// controlProbes runs the probes in a child without a filter, prefixed by
// the given command, and checks that none is refused with EPERM already:
// otherwise the filtered runs could not fail.
func controlProbes(t *testing.T, dir string, prefix ...string) map[string]string {
	t.Helper()
	var r probeReport
	testenv.Run(t, testenv.Self(t, prefix...), "probe", envDir+"="+dir).Decode(t, &r)
	for k, v := range r.Probes {
		if v == "EPERM" {
			t.Errorf("without a filter %s already fails with EPERM: the probe cannot tell", k)
		}
	}
	checkEveryday(t, &r)
	return r.Probes
}

func checkEveryday(t *testing.T, r *probeReport) {
	t.Helper()
	if len(r.Checks) == 0 {
		t.Error("no everyday checks reported")
	}
	for name, err := range r.Checks {
		if err != "" {
			t.Errorf("%s: %s", name, err)
		}
	}
}

func compareProbes(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %s, want %s", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: reported %s, not expected", k, got[k])
		}
	}
}

func TestInstallBuiltin(t *testing.T) {
	requireSeccomp(t)
	requireRoot(t)
	control := controlProbes(t, t.TempDir())
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			var r probeReport
			testenv.Run(t, testenv.Self(t), "install", envProgram+"="+name, envDir+"="+t.TempDir()).Decode(t, &r)
			compareProbes(t, r.Probes, wantSandbox(name, control))
			checkEveryday(t, &r)
			th := r.Threads
			if !th.OtherThread || th.Ptrace != "EPERM" {
				t.Errorf("ptrace on a thread locked before the install: other thread %v, got %s, want EPERM", th.OtherThread, th.Ptrace)
			}
			if th.Tasks < 2 || th.Filtered != th.Tasks || th.NNPs != th.Tasks {
				t.Errorf("of %d threads, %d in seccomp filter mode and %d with no_new_privs; want all", th.Tasks, th.Filtered, th.NNPs)
			}
		})
	}
}

func TestInstallX32(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("x32 numbers exist only on x86_64")
	}
	requireSeccomp(t)
	t.Run("kill-process", func(t *testing.T) {
		c := testenv.Run(t, testenv.Self(t), "x32", envForeign+"=")
		if sig := c.Signaled(); sig != syscall.SIGSYS {
			t.Errorf("the child ended with %v (stdout %s, stderr %s); want death by SIGSYS", c.State, c.Stdout, c.Stderr)
		}
	})
	t.Run("errno", func(t *testing.T) {
		var got string
		testenv.Run(t, testenv.Self(t), "x32", envForeign+"=errno:EXDEV").Decode(t, &got)
		if got != "EXDEV" {
			t.Errorf("x32 getpid: got %s, want EXDEV, the Foreign action", got)
		}
	})
}

func TestInstallAllowlist(t *testing.T) {
	requireSeccomp(t)
	tests := []struct {
		name, dflt, unknown string
		want                map[string]string
	}{
		{"unknown-default", "errno:EXDEV", "", map[string]string{
			"gap": "ENOSYS", "beyond": "ENOSYS", "getppid": "EXDEV", "sysinfo": "EXDEV"}},
		{"unknown-set", "errno:EXDEV", "errno:EL2HLT", map[string]string{
			"gap": "EL2HLT", "beyond": "EL2HLT", "getppid": "EXDEV", "sysinfo": "EXDEV"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]string
			testenv.Run(t, testenv.Self(t), "allowlist", envDefault+"="+tt.dflt, envUnknown+"="+tt.unknown).Decode(t, &got)
			compareProbes(t, got, tt.want)
		})
	}
	t.Run("default-kill", func(t *testing.T) {
		c := testenv.Run(t, testenv.Self(t), "allowlist", envDefault+"=", envUnknown+"=")
		if sig := c.Signaled(); sig != syscall.SIGSYS {
			t.Errorf("the child ended with %v (stdout %s, stderr %s); want death by SIGSYS", c.State, c.Stdout, c.Stderr)
		}
	})
}

// bwrapArgs are the bwrap options of the tests, around a writable dir.
func bwrapArgs(dir string) []string {
	return []string{"bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--bind", dir, dir, "--cap-add", "ALL"}
}

func TestBwrap(t *testing.T) {
	requireSeccomp(t)
	requireRoot(t)
	_, err := exec.LookPath("bwrap")
	testenv.Require(t, err == nil, "needs bubblewrap (bwrap) in PATH")
	if m := machine(t); m != nativeABI() {
		t.Skipf("bwrap makes %s calls after installing the filter, which covers %s only", m, nativeABI())
	}
	dir := t.TempDir()
	control := controlProbes(t, dir, append(bwrapArgs(dir), "--")...)
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			prog, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := prog.File()
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cmd := testenv.Self(t, append(bwrapArgs(dir), "--seccomp", "3", "--")...)
			cmd.ExtraFiles = []*os.File{f}
			var r probeReport
			testenv.Run(t, cmd, "probe", envDir+"="+dir).Decode(t, &r)
			compareProbes(t, r.Probes, wantSandbox(name, control))
			checkEveryday(t, &r)
		})
	}
}

// machine returns the ABI of the kernel's machine (uname -m), the ABI of
// the programs installed on it, such as bwrap.
func machine(t *testing.T) *tables.ABI {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var b []byte
	for _, c := range u.Machine {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	abi, ok := tables.Lookup(string(b))
	if !ok {
		t.Fatalf("no ABI for machine %q", b)
	}
	return abi
}

// buildSysfence builds the command line into a temporary directory.
func buildSysfence(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs the go command in PATH to build cmd/sysfence")
	bin := filepath.Join(t.TempDir(), "sysfence")
	out, err := exec.Command(gobin, "build", "-o", bin, "./cmd/sysfence").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/sysfence: %v\n%s", err, out)
	}
	return bin
}

func TestSysfenceRun(t *testing.T) {
	requireSeccomp(t)
	requireRoot(t)
	bin := buildSysfence(t)
	control := controlProbes(t, t.TempDir())
	t.Run("builtin", func(t *testing.T) {
		var r probeReport
		testenv.Run(t, testenv.Self(t, bin, "run", "--"), "probe", envDir+"="+t.TempDir()).Decode(t, &r)
		compareProbes(t, r.Probes, wantSandbox("sandbox", control))
		checkEveryday(t, &r)
	})
	t.Run("deny", func(t *testing.T) {
		var r probeReport
		testenv.Run(t, testenv.Self(t, bin, "run", "--deny", "ptrace,keyctl", "--errno", "EXDEV", "--"), "probe", envDir+"="+t.TempDir()).Decode(t, &r)
		want := make(map[string]string)
		for k, v := range control {
			want[k] = v
		}
		want["ptrace"], want["keyctl"] = "EXDEV", "EXDEV"
		compareProbes(t, r.Probes, want)
	})
	t.Run("allow-without-execve", func(t *testing.T) {
		c := testenv.Run(t, exec.Command(bin, "run", "--allow", "read,write", "--", "true"), "")
		if got := c.State.ExitCode(); got != 125 {
			t.Errorf("sysfence run --allow read,write: %v (stderr %s); want exit status 125 (sysfence's own failure, as env's)", c.State, c.Stderr)
		}
	})
	t.Run("exit-status", func(t *testing.T) {
		c := testenv.Run(t, testenv.Self(t, bin, "run", "--"), "exit", envExit+"=7")
		if got := c.State.ExitCode(); got != 7 {
			t.Errorf("sysfence run -- CMD, which exits with 7: %v (stderr %s); want exit status 7", c.State, c.Stderr)
		}
	})
	t.Run("signal", func(t *testing.T) {
		c := testenv.Run(t, testenv.Self(t, bin, "run", "--"), "exit", envExit+"=TERM")
		if sig := c.Signaled(); sig != syscall.SIGTERM {
			t.Errorf("sysfence run -- CMD, which raises SIGTERM: %v (stderr %s); want death by SIGTERM", c.State, c.Stderr)
		}
	})
}

// tsyncReport is what the tsync-fail scenario reports.
type tsyncReport struct {
	TID      int    // the thread with a filter of its own
	TSync    string // Install's error
	TSyncTID int    // the thread it names
	ESRCH    string // the error with FlagTSyncESRCH
}

// scenarioTSyncFail gives one thread a filter of its own, without TSYNC,
// then installs with TSYNC from another thread, which the kernel refuses,
// naming the first.
func scenarioTSyncFail() (any, error) {
	runtime.LockOSThread()
	allow, err := (&Policy{Default: Allow}).Compile()
	if err != nil {
		return nil, err
	}
	ready := make(chan error)
	var r tsyncReport
	go func() {
		runtime.LockOSThread() // for good: the thread has its own filter
		r.TID = syscall.Gettid()
		_, err := allow.InstallFlags(0)
		ready <- err
		select {}
	}()
	if err := <-ready; err != nil {
		return nil, err
	}
	err = allow.Install()
	r.TSync = fmt.Sprint(err)
	var ts *ThreadSyncError
	if errors.As(err, &ts) {
		r.TSyncTID = ts.TID
	}
	_, err = allow.InstallFlags(FlagTSync | FlagTSyncESRCH)
	r.ESRCH = fmt.Sprint(err)
	return r, nil
}

func TestInstallThreadSyncError(t *testing.T) {
	requireSeccomp(t)
	var r tsyncReport
	testenv.Run(t, testenv.Self(t), "tsync-fail").Decode(t, &r)
	if r.TSyncTID != r.TID || r.TID == 0 {
		t.Errorf("Install: %s; want a ThreadSyncError naming thread %d", r.TSync, r.TID)
	}
	if want := (&ThreadSyncError{}).Error(); r.ESRCH != want {
		t.Errorf("InstallFlags(TSYNC|TSYNC_ESRCH): %s; want %s", r.ESRCH, want)
	}
}

// scenarioRefuse asks for installs that must fail before any system call,
// and reports the errors and whether no_new_privs got set.
func scenarioRefuse() (any, error) {
	p, err := BuiltinPolicy("sandbox")
	if err != nil {
		return nil, err
	}
	p.ABIs = []*tables.ABI{tables.RISCV64}
	if nativeABI() == tables.RISCV64 {
		p.ABIs[0] = tables.AArch64
	}
	other, err := p.Compile()
	if err != nil {
		return nil, err
	}
	native, err := Builtin("sandbox")
	if err != nil {
		return nil, err
	}
	_, flagsErr := native.InstallFlags(FlagTSync | FlagNewListener)
	_, _, nnp, err := taskStates()
	return map[string]any{
		"foreign": errors.Is(other.Install(), ErrNotNative),
		"flags":   errors.Is(flagsErr, ErrInvalidFlags),
		"nnp":     nnp,
	}, err
}

func TestInstallRefused(t *testing.T) {
	var got map[string]any
	testenv.Run(t, testenv.Self(t), "refuse").Decode(t, &got)
	want := map[string]any{"foreign": true, "flags": true, "nnp": 0.0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %v, want %v", k, got[k], v)
		}
	}
}

// listenerReport is what the listener scenario finds.
type listenerReport struct {
	Link       string // what /proc/self/fd calls the listener
	Cloexec    bool   // FD_CLOEXEC is set on it
	AfterClose string // the errno of a notified call once it is closed
}

// scenarioListener installs with FlagNewListener and reports what the
// returned file is, and what a notified call meets once it is closed.
func scenarioListener() (any, error) {
	p := &Policy{Default: Allow, Rules: RulesFor(Notify, "getppid")}
	prog, err := p.Compile()
	if err != nil {
		return nil, err
	}
	f, err := prog.InstallFlags(FlagTSync | FlagNewListener | FlagTSyncESRCH)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, errors.New("no listener")
	}
	var r listenerReport
	if r.Link, err = os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd()))); err != nil {
		return nil, err
	}
	fcntl, _ := NativeNumber("fcntl")
	flags, _, errno := syscall.Syscall(fcntl, f.Fd(), syscall.F_GETFD, 0)
	if errno != 0 {
		return nil, errno
	}
	r.Cloexec = flags&syscall.FD_CLOEXEC != 0
	f.Close()
	_, _, errno = syscall.Syscall(syscall.SYS_GETPPID, 0, 0, 0)
	r.AfterClose = errnoName(errno)
	return r, nil
}

// TestInstallListener checks what InstallFlags says of the listener's
// lifetime (point 16 of issue 17): it is close-on-exec, and once closed
// the calls given Notify fail with ENOSYS.
func TestInstallListener(t *testing.T) {
	requireSeccomp(t)
	var r listenerReport
	testenv.Run(t, testenv.Self(t), "listener").Decode(t, &r)
	want := listenerReport{Link: "anon_inode:seccomp notify", Cloexec: true, AfterClose: "ENOSYS"}
	if r != want {
		t.Errorf("the listener: %+v, want %+v", r, want)
	}
}

// TestFlagsSupported is point 16 of issue 17: the root package says
// which flags the running kernel accepts, without installing anything.
func TestFlagsSupported(t *testing.T) {
	requireSeccomp(t)
	if err := FlagTSync.Supported(); err != nil {
		t.Errorf("TSYNC: %v", err)
	}
	if err := Flags(1 << 30).Supported(); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("an unknown flag: %v, want EINVAL", err)
	}
	if err := (FlagTSync | FlagNewListener).Supported(); !errors.Is(err, ErrInvalidFlags) {
		t.Errorf("TSYNC|NEW_LISTENER: %v, want ErrInvalidFlags", err)
	}
	// Nothing was installed: this process is not in filter mode.
	status, _ := os.ReadFile("/proc/self/status")
	if bytes.Contains(status, []byte("\nSeccomp:\t2")) {
		t.Error("Supported installed a filter")
	}
}
