package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/notify"
)

// argsEnv carries the command line of the "sysfence" scenario, as JSON.
const argsEnv = "SYSFENCE_TEST_ARGS"

func TestMain(m *testing.M) {
	notify.Init() // the helper half of run --supervise and learn
	scenarios := map[string]testenv.Scenario{
		// sysfence runs the command line in a child process, for what
		// may install a filter or must be measured on its own.
		"sysfence": func() (any, error) {
			var args []string
			if err := json.Unmarshal([]byte(os.Getenv(argsEnv)), &args); err != nil {
				return nil, err
			}
			os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
			return nil, nil
		},
		// dial is a command run --supervise starts: it connects.
		"dial": scenarioDial,
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
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := testenv.Self(t)
	cmd.Stdin = stdin
	return testenv.Run(t, cmd, "sysfence", argsEnv+"="+string(b))
}
