package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/notify"
)

// argsEnv carries the command line of the "sysfence" scenario, as JSON,
// and memLimitEnv the most address space it may map (RLIMIT_AS), if set.
const (
	argsEnv     = "SYSFENCE_TEST_ARGS"
	memLimitEnv = "SYSFENCE_TEST_MEMLIMIT"
)

func TestMain(m *testing.M) {
	notify.Init() // the helper half of run --supervise and learn
	initWatch()   // the watcher of run
	scenarios := map[string]testenv.Scenario{
		// sysfence runs the command line in a child process, for what
		// may install a filter or must be measured on its own.
		"sysfence": func() (any, error) {
			if limit := os.Getenv(memLimitEnv); limit != "" {
				// The test's bound on what the command may map: an
				// unbounded read dies here, not on the machine.
				n, err := strconv.ParseUint(limit, 10, 64)
				if err != nil {
					return nil, err
				}
				if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
					return nil, err
				}
			}
			var args []string
			if err := json.Unmarshal([]byte(os.Getenv(argsEnv)), &args); err != nil {
				return nil, err
			}
			os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
			return nil, nil
		},
		// dial is a command run --supervise starts: it connects.
		"dial": scenarioDial,
		// attack and sleeper are commands run --supervise starts: one
		// attacks its supervisor, one waits to be killed.
		"attack":  scenarioAttack,
		"sleeper": scenarioSleeper,
	}
	for name, s := range connectScenarios {
		scenarios[name] = s
	}
	testenv.Main(m, scenarios)
}

// sysfence runs the command line in-process and returns its exit status,
// standard output and standard error. Only command lines that install
// nothing may run here; the others go through child.
func sysfence(args ...string) (int, string, string) {
	return sysfenceIn(strings.NewReader(""), args...)
}

// sysfenceIn is sysfence with stdin.
func sysfenceIn(stdin io.Reader, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, stdin, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// errorLines returns stderr without its warnings.
func errorLines(stderr string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if !strings.HasPrefix(l, "sysfence: warning: ") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// jsonArgs encodes a command line for the "sysfence" scenario.
func jsonArgs(t testing.TB, args []string) string {
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// child runs the command line in a re-executed test binary.
func child(t *testing.T, stdin io.Reader, args ...string) *testenv.Child {
	t.Helper()
	return childEnv(t, stdin, nil, args...)
}

// childEnv is child with more environment variables.
func childEnv(t *testing.T, stdin io.Reader, env []string, args ...string) *testenv.Child {
	t.Helper()
	cmd := testenv.Self(t)
	cmd.Stdin = stdin
	return testenv.Run(t, cmd, "sysfence", append(env, argsEnv+"="+jsonArgs(t, args))...)
}

func requireLinux(t *testing.T) {
	t.Helper()
	_, err := nativeABI()
	testenv.Require(t, runtime.GOOS == "linux" && err == nil, "needs Linux on an architecture with a native ABI")
}

// compileFile compiles a policy with the command line into a file.
func compileFile(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "f.bpf")
	if code, _, stderr := sysfence(append([]string{"compile", "-o", out}, args...)...); code != 0 {
		t.Fatalf("compile %q: exit %d: %s", args, code, stderr)
	}
	return out
}

// writePolicy compiles p and writes the program to a file.
func writePolicy(t *testing.T, p *seccomp.Policy) string {
	t.Helper()
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "p.bpf")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prog.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}
