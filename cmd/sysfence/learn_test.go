package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/profile"
)

func requireNotify(t *testing.T) {
	t.Helper()
	requireLinux(t)
	err := seccomp.FlagNewListener.Supported()
	testenv.Require(t, err == nil, fmt.Sprintf("needs a kernel with seccomp user notification: %v", err))
}

// exerciser runs sysfence with args (learn or run, ending in the target's
// command line) in a child, does whatever the target needs from outside,
// and reports whether the target did its work.
type exerciser func(t *testing.T, args ...string) (c *testenv.Child, ok bool)

// exitsWith is the exerciser of a target that needs nothing from
// outside: it did its work if it exited 0 printing want.
func exitsWith(want string) exerciser {
	return func(t *testing.T, args ...string) (*testenv.Child, bool) {
		c := child(t, nil, args...)
		return c, c.State.Success() && string(c.Stdout) == want
	}
}

// checkLearned learns cmd's allowlist, with the arguments that decide
// what some calls do, and runs cmd again under it; then under the list
// less each learned call that sysfence run does not need itself, and
// less each learned value of an argument (one entry NAME:CONDS): each
// of those runs must fail (exit non-zero or be killed), since the
// learned Default is kill-process. It returns the learned entries.
func checkLearned(t *testing.T, ex exerciser, cmd ...string) []string {
	file := filepath.Join(t.TempDir(), "calls.txt")
	start := time.Now()
	c, ok := ex(t, append([]string{"learn", "-o", file, "--"}, cmd...)...)
	took := time.Since(start)
	if !ok {
		t.Fatalf("learn: %v\nstdout:\n%s\nstderr:\n%s", c.State, c.Stdout, c.Stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	list := strings.TrimSpace(string(b))
	entries := strings.Split(list, ",")
	t.Logf("learned %d entries in %v (%s): %s", len(entries), took.Round(time.Millisecond), strings.TrimSpace(string(c.Stderr)), list)
	if !slices.IsSortedFunc(entries, compareEntries) || len(slices.Compact(slices.Clone(entries))) != len(entries) {
		t.Errorf("the learned list is not sorted by name and value, each once: %s", list)
	}

	// What the target did, it does again under the list, every time.
	for range 3 {
		if c, ok := ex(t, append([]string{"run", "--allow", list, "--"}, cmd...)...); !ok {
			t.Fatalf("run --allow <learned>: %v\nstdout:\n%s\nstderr:\n%s", c.State, c.Stdout, c.Stderr)
		}
	}

	var names []string
	for _, e := range entries {
		name, _, _ := strings.Cut(e, ":")
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	timed := timedCalls(names)
	fails := func(what string, less []string) {
		c, _ := ex(t, append([]string{"run", "--allow", strings.Join(less, ","), "--"}, cmd...)...)
		if c.State.Success() {
			t.Errorf("without %s the target still succeeds\nstdout:\n%s\nstderr:\n%s", what, c.Stdout, c.Stderr)
		} else if c.State.ExitCode() == exitOwnFailure && strings.Contains(string(c.Stderr), "cannot start") {
			t.Errorf("without %s run refuses the list, rather than the target failing: %s", what, c.Stderr)
		}
	}
	var removed, removedValues []string
	for _, e := range entries {
		name, _, hasConds := strings.Cut(e, ":")
		if hasConds {
			removedValues = append(removedValues, e)
			fails(e, slices.DeleteFunc(slices.Clone(entries), func(x string) bool { return x == e }))
		}
		switch {
		case slices.Contains(removed, name):
			continue
		case name == "execve":
			continue // run would refuse the list, not the target fail
		case slices.Contains(timed, name):
			continue // made when timing says so
		}
		removed = append(removed, name)
		fails(name, slices.DeleteFunc(slices.Clone(entries), func(x string) bool { n, _, _ := strings.Cut(x, ":"); return n == name }))
	}
	if len(removed) < 5 {
		t.Errorf("only %d learned calls to remove: %v", len(removed), removed)
	}
	if len(removedValues) == 0 {
		t.Errorf("no learned argument values to remove: %s", list)
	}
	t.Logf("each of %d learned calls removed made the target fail: %s", len(removed), strings.Join(removed, ","))
	t.Logf("each of %d learned argument values removed made the target fail: %s", len(removedValues), strings.Join(removedValues, ","))
	return entries
}

// Must show: learn on a shell pipeline. pipefail makes a member killed
// for a missing call fail the pipeline.
func TestLearnShellPipeline(t *testing.T) {
	// Not parallel: what is learned in one run must hold in the next, and
	// the other tests' load between them would change the command's path.
	requireNotify(t)
	bash, err := exec.LookPath("bash")
	testenv.Require(t, err == nil, "needs bash")
	checkLearned(t, exitsWith("a\n"), bash, "-o", "pipefail", "-c", `printf 'b\na\nc\n' | sort | head -n 1`)
}

// Must show: learn on python3 -c with threads. The interpreter is named
// by its real path: a wrapper (pyenv's shim is a bash script) would make
// the policy mostly the wrapper's.
func TestLearnPythonThreads(t *testing.T) {
	// Not parallel: what is learned in one run must hold in the next, and
	// the other tests' load between them would change the command's path.
	requireNotify(t)
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	testenv.Require(t, err == nil, fmt.Sprintf("needs python3: %v", err))
	python := strings.TrimSpace(string(out))
	const script = `
import threading, hashlib
out = []
def work(i):
    out.append(hashlib.sha256(str(i).encode()).hexdigest()[:8])
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(len(set(out)), threading.active_count())
`
	checkLearned(t, exitsWith("4 1\n"), python, "-c", script)
}

// serverSource is a static Go program that serves one HTTP request on
// 127.0.0.1 and exits.
const serverSource = `package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	done := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "served")
		close(done)
	})}
	go srv.Serve(l)
	<-done
	if err := srv.Shutdown(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

// Must show: learn on a static Go binary that serves one HTTP request.
func TestLearnStaticGoServer(t *testing.T) {
	// Not parallel: what is learned in one run must hold in the next, and
	// the other tests' load between them would change the command's path.
	requireNotify(t)
	gobin, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs go to build the server")
	dir := t.TempDir()
	for name, text := range map[string]string{"main.go": serverSource, "go.mod": "module server\n\ngo 1.26\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command(gobin, "build", "-o", "server", ".")
	build.Dir, build.Env = dir, append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	server := filepath.Join(dir, "server")

	// A free port for every run, so a killed server leaves nothing behind.
	port := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	}
	ex := func(t *testing.T, args ...string) (*testenv.Child, bool) {
		p := port()
		args = slices.Clone(args)
		args[len(args)-1] = p
		done := make(chan struct{})
		got := make(chan string, 1)
		go func() {
			client := &http.Client{Timeout: 2 * time.Second}
			for {
				select {
				case <-done:
					got <- ""
					return
				case <-time.After(20 * time.Millisecond):
				}
				resp, err := client.Get("http://127.0.0.1:" + p + "/")
				if err != nil {
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got <- string(b)
				return
			}
		}()
		c := child(t, nil, args...)
		close(done)
		return c, c.State.Success() && <-got == "served\n"
	}
	checkLearned(t, ex, server, "PORT")
}

// Calls are recorded by the ABI they are made through: an i386 binary's
// go under x86, which an allowlist for run cannot name, so learn says so
// and fails rather than write a list the binary would be killed under.
func TestLearnForeignABI(t *testing.T) {
	t.Parallel()
	requireNotify(t)
	gobin, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs go to build an i386 binary")
	dir := t.TempDir()
	for name, text := range map[string]string{
		"main.go": "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hi\\n\") }\n",
		"go.mod":  "module hi\n\ngo 1.26\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command(gobin, "build", "-o", "hi", ".")
	build.Dir, build.Env = dir, append(os.Environ(), "CGO_ENABLED=0", "GOARCH=386")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	hi := filepath.Join(dir, "hi")
	if out, err := exec.Command(hi).Output(); err != nil || string(out) != "hi\n" {
		testenv.Require(t, false, fmt.Sprintf("this kernel does not run i386 binaries: %v", err))
	}
	c := child(t, nil, "learn", "--", hi)
	stderr := string(c.Stderr)
	if c.State.ExitCode() != exitOwnFailure || !strings.Contains(stderr, "made system calls through x86 (") || !strings.Contains(stderr, "write") {
		t.Errorf("exit %d, stderr %q; want %d naming x86 and its calls", c.State.ExitCode(), stderr, exitOwnFailure)
	}
	if string(c.Stdout) != "hi\n" {
		t.Errorf("stdout %q: want the command's output and no list", c.Stdout)
	}
}

func TestLearnUsage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"learn"}, "no command given"},
		{[]string{"learn", "--format", "json", "--", "true"}, "--format json: want allow or profile"},
	} {
		code, _, stderr := sysfence(tt.args...)
		if code != exitOwnFailure || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, exitOwnFailure, tt.want)
		}
	}
}

// --format profile: the Docker/OCI profile, loaded back by package
// profile and installed by bwrap right before it executes the command,
// runs it; less a learned call, it does not.
func TestLearnProfile(t *testing.T) {
	t.Parallel()
	requireNotify(t)
	bwrap, err := exec.LookPath("bwrap")
	testenv.Require(t, err == nil, "needs bwrap to run a command under the profile")
	bash, err := exec.LookPath("bash")
	testenv.Require(t, err == nil, "needs bash")
	cmd := []string{bash, "-o", "pipefail", "-c", `printf 'b\na\nc\n' | sort | head -n 1`}
	file := filepath.Join(t.TempDir(), "profile.json")
	c := child(t, nil, append([]string{"learn", "--format", "profile", "-o", file, "--"}, cmd...)...)
	if !c.State.Success() {
		t.Fatalf("learn: %v: %s", c.State, c.Stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := profile.Load(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	under := func(p *seccomp.Policy) (string, error) {
		bpf := writePolicy(t, p)
		f, err := os.Open(bpf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b := exec.Command(bwrap, append([]string{"--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--seccomp", "3", "--"}, cmd...)...)
		b.ExtraFiles = []*os.File{f}
		out, err := b.Output()
		return string(out), err
	}
	if out, err := under(res.Policy); err != nil || out != "a\n" {
		t.Fatalf("under the learned profile: %q, %v", out, err)
	}
	var names []string
	for _, r := range res.Policy.Rules {
		names = append(names, r.Syscall)
	}
	for _, name := range []string{"pipe2", "wait4", "dup2", "openat", "read"} {
		if !slices.Contains(names, name) {
			t.Errorf("the profile does not allow %s: %v", name, names)
			continue
		}
		p := *res.Policy
		p.Rules = slices.DeleteFunc(slices.Clone(p.Rules), func(r seccomp.Rule) bool { return r.Syscall == name })
		if out, err := under(&p); err == nil {
			t.Errorf("without %s: %q and success", name, out)
		}
	}
}
