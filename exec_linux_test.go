//go:build linux

package seccomp

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

func init() {
	scenarios["exec"] = scenarioExec
}

// execPathEnv is the program scenarioExec executes.
const execPathEnv = "SYSFENCE_TEST_EXEC_PATH"

// goRuntimeCalls are calls the Go runtime makes on its threads and a
// C program as small as true does not: a policy that kills them shows
// that Exec's process makes none of them under the filter.
var goRuntimeCalls = []string{"futex", "clone", "clone3", "sigaltstack", "gettid", "rt_sigprocmask", "rt_sigreturn", "sched_getaffinity", "nanosleep", "tgkill", "madvise", "sched_yield", "getpid", "exit", "fcntl", "epoll_pwait", "write"}

// execReport is what scenarioExec reports when Exec fails.
type execReport struct {
	Err      string
	ENOENT   bool
	Filtered int // threads in seccomp mode 2
	Threads  int
}

// scenarioExec executes execPathEnv under a policy that kills the Go
// runtime's calls; if Exec fails, it reports how many of its threads
// are filtered.
func scenarioExec() (any, error) {
	prog, err := (&Policy{Default: Allow, Rules: RulesFor(KillProcess, goRuntimeCalls...)}).Compile()
	if err != nil {
		return nil, err
	}
	path := os.Getenv(execPathEnv)
	err = prog.Exec(path, []string{path}, os.Environ())
	r := execReport{Err: err.Error(), ENOENT: errors.Is(err, syscall.ENOENT)}
	tasks, _ := filepath.Glob("/proc/self/task/*/status")
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		if err != nil {
			continue
		}
		r.Threads++
		if strings.Contains(string(b), "\nSeccomp:\t2\n") {
			r.Filtered++
		}
	}
	return r, nil
}

// Issue 16 point 11: Exec filters the thread that executes and no
// other, and that thread makes no call but execve: true runs under a
// policy that kills every call the Go runtime makes; an Exec that fails
// returns ENOENT with one thread filtered.
func TestExecFiltersTheExecThreadAlone(t *testing.T) {
	requireSeccomp(t)
	truePath, err := exec.LookPath("true")
	testenv.Require(t, err == nil, "needs true")
	for range 5 {
		c := testenv.Run(t, testenv.Self(t), "exec", execPathEnv+"="+truePath)
		if !c.State.Success() {
			t.Fatalf("true under a policy that kills the Go runtime's calls: %v, stderr %q", c.State, c.Stderr)
		}
	}
	var r execReport
	testenv.Run(t, testenv.Self(t), "exec", execPathEnv+"="+filepath.Join(t.TempDir(), "missing")).Decode(t, &r)
	if !r.ENOENT || r.Filtered != 1 || r.Threads < 2 {
		t.Errorf("Exec of a missing file: %+v; want ENOENT, one filtered thread of several", r)
	}
}
