package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/notify"
)

// Issue 16 point 1: a supervised command attacks the sysfence that
// supervises it. attackEnv names the attack.
const attackEnv = "SYSFENCE_TEST_ATTACK"

// attackReport is what the attacking command reports: the error of its
// attack ("" if it worked), and what it did.
type attackReport struct {
	Err  string
	Done string
}

// scenarioAttack attacks the parent, which is sysfence run --supervise,
// then makes a call the supervisor logs (getppid), to show it still
// serves.
func scenarioAttack() (any, error) {
	sup := os.Getppid()
	var r attackReport
	var err error
	switch a := os.Getenv(attackEnv); a {
	case "mem":
		r.Done, err = writeMem(sup)
	case "sigkill":
		err = syscall.Kill(sup, syscall.SIGKILL)
	case "sigstop":
		err = syscall.Kill(sup, syscall.SIGSTOP)
		if err == nil {
			// Stopped, the supervisor would leave the next call
			// waiting for ever: report, and let it go on.
			time.Sleep(50 * time.Millisecond)
			r.Done = "stopped, state " + procState(sup)
			syscall.Kill(sup, syscall.SIGCONT)
		}
	case "kill-1":
		if os.Geteuid() == 0 {
			return nil, errors.New("kill(-1) as root would kill every process of the machine")
		}
		err = syscall.Kill(-1, syscall.SIGKILL)
	case "pidfd":
		err = pidfdKill(sup)
	case "prlimit":
		// RLIMIT_CPU of 0 s: the kernel would kill sysfence.
		lim := syscall.Rlimit{Cur: 0, Max: 0}
		const rlimitCPU = 0
		if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(sup), rlimitCPU, uintptr(unsafe.Pointer(&lim)), 0, 0, 0); errno != 0 {
			err = errno
		}
	default:
		return nil, fmt.Errorf("unknown attack %q", a)
	}
	if err != nil {
		r.Err = err.Error()
	}
	time.Sleep(50 * time.Millisecond)
	syscall.Getppid() // supervised: logged if sysfence still serves
	return r, nil
}

// writeMem opens the supervisor's /proc/PID/mem for writing and writes
// back the first 8 bytes of its first writable mapping, as they are: a
// target that can do that can rewrite the supervisor's allowlist.
func writeMem(pid int) (string, error) {
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/mem", pid), os.O_RDWR, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return "opened mem", err
	}
	for _, line := range strings.Split(string(maps), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.HasPrefix(fields[1], "rw") {
			continue
		}
		start, err := strconv.ParseUint(strings.Split(fields[0], "-")[0], 16, 64)
		if err != nil {
			return "opened mem", err
		}
		b := make([]byte, 8)
		if _, err := f.ReadAt(b, int64(start)); err != nil {
			return "opened mem", err
		}
		n, err := f.WriteAt(b, int64(start))
		return fmt.Sprintf("wrote %d bytes at %#x", n, start), err
	}
	return "opened mem", errors.New("no writable mapping")
}

func pidfdKill(pid int) error {
	const sysPidfdOpen, sysPidfdSendSignal = 434, 424 // the same on every 64-bit ABI but alpha
	fd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno != 0 {
		return fmt.Errorf("pidfd_open: %w", errno)
	}
	defer syscall.Close(int(fd))
	if _, _, errno := syscall.Syscall6(sysPidfdSendSignal, fd, uintptr(syscall.SIGKILL), 0, 0, 0, 0); errno != 0 {
		return fmt.Errorf("pidfd_send_signal: %w", errno)
	}
	return nil
}

// procState returns the state letter of /proc/PID/stat.
func procState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return err.Error()
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2 : i+3]
	}
	return "?"
}

// scenarioSleeper prints its pid and sleeps.
func scenarioSleeper() (any, error) {
	fmt.Printf("%d\n", os.Getpid())
	time.Sleep(time.Minute)
	return nil, nil
}

// requireFence skips (or fails in CI) where the kernel cannot fence a
// command off from sysfence.
func requireFence(t *testing.T) {
	t.Helper()
	requireNotify(t)
	err := notify.FenceSupported()
	testenv.Require(t, err == nil, fmt.Sprintf("needs Landlock signal scoping: %v", err))
}

// unprivileged returns a uid (and gid) that no process has, and a copy
// of the test binary it can execute.
func unprivileged(t *testing.T) (uint32, string) {
	t.Helper()
	testenv.Require(t, os.Geteuid() == 0, "needs root, to run sysfence as another user")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	exe := filepath.Join(dir, "sysfence.test")
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	procs, _ := filepath.Glob("/proc/[0-9]*/status")
	for _, p := range procs {
		b, _ := os.ReadFile(p)
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
				for _, id := range f[1:] {
					used[id] = true
				}
			}
		}
	}
	for uid := uint32(40000 + os.Getpid()%10000); ; uid++ {
		if !used[strconv.Itoa(int(uid))] {
			return uid, exe
		}
	}
}

// Point 1: every attack of the list fails with EPERM (EACCES for the
// open of /proc/PID/mem), sysfence stays alive and serving (its log has
// the getppid that follows), and exits as the command does. As root, and
// with sysfence and the command both running as one unprivileged user.
func TestSupervisorSurvivesItsCommand(t *testing.T) {
	requireFence(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	attack := func(t *testing.T, exe string, uid uint32, name string) {
		args := []string{"run", "--supervise", "log=getppid", "--", "env", testenv.ChildEnv + "=attack", attackEnv + "=" + name, exe, "-test.run=^$"}
		b, err := json.Marshal(args)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(exe, "-test.run=^$")
		if uid != 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		}
		c := testenv.Run(t, cmd, "sysfence", argsEnv+"="+string(b))
		if sig := c.Signaled(); sig != 0 || !c.State.Success() {
			t.Fatalf("sysfence: %v (the attack stopped or killed it); stderr %q", c.State, c.Stderr)
		}
		var r attackReport
		c.Decode(t, &r)
		// kill(-1) succeeds if no process refused it with anything but
		// EPERM (kill_something_info in kernel/signal.c): that sysfence
		// lives is the test.
		if name != "kill-1" && !strings.Contains(r.Err, "operation not permitted") && !strings.Contains(r.Err, "permission denied") {
			t.Errorf("the attack worked: %+v", r)
		}
		if !strings.Contains(string(c.Stderr), "] getppid(") {
			t.Errorf("sysfence no longer serves after the attack: stderr %q", c.Stderr)
		}
	}
	for _, name := range []string{"mem", "sigkill", "sigstop", "pidfd", "prlimit"} {
		t.Run("root/"+name, func(t *testing.T) { attack(t, self, 0, name) })
	}
	uid, exe := unprivileged(t)
	for _, name := range []string{"mem", "sigkill", "sigstop", "pidfd", "prlimit", "kill-1"} {
		t.Run(fmt.Sprintf("uid %d/%s", uid, name), func(t *testing.T) { attack(t, exe, uid, name) })
	}
}

// Point 1: the command dies with its supervisor: killed from outside,
// sysfence takes the command with it rather than leave it running
// unsupervised.
func TestSupervisedCommandDiesWithSupervisor(t *testing.T) {
	requireNotify(t)
	for _, cmdName := range []string{"run", "learn"} {
		t.Run(cmdName, func(t *testing.T) {
			exe, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			args := []string{cmdName, "--", "env", testenv.ChildEnv + "=sleeper", exe, "-test.run=^$"}
			if cmdName == "run" {
				args = append([]string{"run", "--supervise", "log=getppid"}, args[1:]...)
			}
			b, err := json.Marshal(args)
			if err != nil {
				t.Fatal(err)
			}
			cmd := testenv.Self(t)
			cmd.Env = append(os.Environ(), testenv.ChildEnv+"=sysfence", argsEnv+"="+string(b))
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			// A file, not a buffer: Wait would wait for the copy of a
			// pipe the command holds open.
			stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
			if err != nil {
				t.Fatal(err)
			}
			defer stderr.Close()
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				b, _ := os.ReadFile(stderr.Name())
				t.Fatalf("reading the command's pid: %v; stderr %q", err, b)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(line))
			if err != nil {
				t.Fatal(err)
			}
			cmd.Process.Kill()
			go io.Copy(io.Discard, out)
			cmd.Wait()
			deadline := time.Now().Add(5 * time.Second)
			for syscall.Kill(pid, 0) == nil {
				if time.Now().After(deadline) {
					syscall.Kill(pid, syscall.SIGKILL)
					t.Fatalf("the command (pid %d) outlived sysfence by 5s", pid)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// Point 1: what the command leaves running when it exits does not run
// on unsupervised: sysfence kills it before it exits itself, a child
// and a grandchild alike.
func TestSupervisedLeftoversDie(t *testing.T) {
	requireFence(t)
	c := child(t, nil, "run", "--supervise", "log=getppid", "--", "sh", "-c",
		"sleep 60 >/dev/null 2>&1 & echo $!; sh -c 'sleep 60 >/dev/null 2>&1 & echo $!'")
	if !c.State.Success() {
		t.Fatalf("%v, stderr %q", c.State, c.Stderr)
	}
	pids := strings.Fields(string(c.Stdout))
	if len(pids) != 2 {
		t.Fatalf("stdout %q: want two pids", c.Stdout)
	}
	for _, f := range pids {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(pid, 0); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("a sleep the command left behind (pid %d) outlived sysfence", pid)
		}
	}
}

// The helper runs with GODEBUG=asyncpreemptoff=1 (notify.Start), so
// that nothing interrupts its filtered thread; the command gets the
// environment sysfence had, GODEBUG included or absent.
func TestSupervisedCommandEnvironment(t *testing.T) {
	requireFence(t)
	for _, godebug := range []string{"", "madvdontneed=1"} {
		args := []string{"run", "--supervise", "log=getppid", "--", "sh", "-c", `echo "${GODEBUG-unset}"; env | grep -c ^SYSFENCE_NOTIFY || true`}
		b, err := json.Marshal(args)
		if err != nil {
			t.Fatal(err)
		}
		cmd := testenv.Self(t)
		env := []string{argsEnv + "=" + string(b)}
		want := "unset\n0\n"
		if godebug != "" {
			env = append(env, "GODEBUG="+godebug)
			want = godebug + "\n0\n"
		}
		// testenv.Run starts from this process's environment.
		if v, ok := os.LookupEnv("GODEBUG"); ok {
			t.Setenv("GODEBUG", v)
			os.Unsetenv("GODEBUG")
		}
		c := testenv.Run(t, cmd, "sysfence", env...)
		if !c.State.Success() || string(c.Stdout) != want {
			t.Errorf("GODEBUG %q: %v, stdout %q, stderr %q; want %q", godebug, c.State, c.Stdout, c.Stderr, want)
		}
	}
}
