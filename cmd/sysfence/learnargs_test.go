package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// buildStatic builds a static Go program from source and returns its
// path.
func buildStatic(t *testing.T, name, source string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs go to build "+name)
	dir := t.TempDir()
	for file, text := range map[string]string{"main.go": source, "go.mod": "module " + name + "\n\ngo 1.26\n"} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command(gobin, "build", "-o", name, ".")
	build.Dir, build.Env = dir, append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return filepath.Join(dir, name)
}

// clonerSource starts a child with clone(2) (syscall.ForkExec, which
// does not use clone3 without a cgroup or CLONE_NEWTIME), in a new user
// namespace when its argument is "newuser", and prints ok when the child
// exited 0.
const clonerSource = `package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// cloneArgs is struct clone_args of include/uapi/linux/sched.h (its
// first 64 bytes, CLONE_ARGS_SIZE_VER0).
type cloneArgs struct {
	flags, pidfd, childTID, parentTID, exitSignal, stack, stackSize, tls uint64
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "clone3" {
		// A new user namespace through clone3, whose flags seccomp
		// cannot read. The child only exits.
		args := cloneArgs{flags: syscall.CLONE_NEWUSER, exitSignal: uint64(syscall.SIGCHLD)}
		pid, _, errno := syscall.RawSyscall(435, uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args), 0)
		if errno == 0 && pid == 0 {
			syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
		}
		if errno != 0 {
			fmt.Println("clone3:", errno)
			os.Exit(1)
		}
		var ws syscall.WaitStatus
		syscall.Wait4(int(pid), &ws, 0, nil)
		fmt.Println("ok")
		return
	}
	var flags uintptr
	if len(os.Args) > 1 && os.Args[1] == "newuser" {
		flags = syscall.CLONE_NEWUSER
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	pid, err := syscall.ForkExec(self, []string{self, "child"}, &syscall.ProcAttr{Sys: &syscall.SysProcAttr{Cloneflags: flags}})
	if len(os.Args) > 1 && os.Args[1] == "child" {
		os.Exit(0)
	}
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil || !ws.Exited() || ws.ExitStatus() != 0 {
		fmt.Println("child:", err, ws)
		os.Exit(1)
	}
	fmt.Println("ok")
}
`

// Must show: a clone with CLONE_NEWUSER fails under the learned list of
// a program that cloned without it, where the names-only list allows it.
func TestLearnCloneNewUser(t *testing.T) {
	requireNotify(t)
	cloner := buildStatic(t, "cloner", clonerSource)
	learn := func(extra ...string) string {
		file := filepath.Join(t.TempDir(), "calls.txt")
		c := child(t, nil, append(append([]string{"learn", "-o", file}, extra...), "--", cloner, "plain")...)
		if !c.State.Success() || string(c.Stdout) != "ok\n" {
			t.Fatalf("learn %v: %v, stdout %q, stderr %q", extra, c.State, c.Stdout, c.Stderr)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	withArgs, namesOnly := learn(), learn("--names-only")
	if !strings.Contains(withArgs, "clone:arg0&0x7e020000=0x0") {
		t.Fatalf("the learned list does not limit clone to no namespaces: %s", withArgs)
	}
	if strings.Contains(namesOnly, ":") || !strings.Contains(","+namesOnly+",", ",clone,") {
		t.Fatalf("--names-only list has conditions or no clone: %s", namesOnly)
	}
	run := func(list, mode string) *testenv.Child {
		return child(t, nil, "run", "--allow", list, "--", cloner, mode)
	}
	for _, list := range []string{withArgs, namesOnly} {
		if c := run(list, "plain"); !c.State.Success() || string(c.Stdout) != "ok\n" {
			t.Fatalf("plain clone under %s: %v, stdout %q, stderr %q", list, c.State, c.Stdout, c.Stderr)
		}
	}
	if c := run(namesOnly, "newuser"); !c.State.Success() || string(c.Stdout) != "ok\n" {
		t.Fatalf("CLONE_NEWUSER under the names-only list: %v, stdout %q, stderr %q; want ok", c.State, c.Stdout, c.Stderr)
	}
	// Killed by SIGSYS at the clone: the child never ran.
	if c := run(withArgs, "newuser"); c.State.Success() || len(c.Stdout) > 0 || !strings.Contains(c.State.String(), "bad system call") {
		t.Fatalf("CLONE_NEWUSER under the learned list: %v, stdout %q; want killed by SIGSYS", c.State, c.Stdout)
	}
	// The other route to the same flags: clone3, which the program did
	// not call, is not in the list, so it kills as well (under both).
	// The program makes clone3 by its x86_64 number, 435.
	if native, _ := nativeABI(); native.Name == "x86_64" {
		for _, list := range []string{withArgs, namesOnly} {
			if c := run(list, "clone3"); c.State.Success() || !strings.Contains(c.State.String(), "bad system call") {
				t.Errorf("clone3 with CLONE_NEWUSER under %s: %v, stdout %q; want killed by SIGSYS", list, c.State, c.Stdout)
			}
		}
		if c := child(t, nil, "run", "--deny", "ptrace", "--", cloner, "clone3"); !c.State.Success() || string(c.Stdout) != "ok\n" {
			t.Errorf("clone3 with CLONE_NEWUSER unfiltered: %v, stdout %q, stderr %q: the attack does not run", c.State, c.Stdout, c.Stderr)
		}
	}
}

func TestListConditions(t *testing.T) {
	for _, tt := range []struct {
		entry string
		want  string // the rule's conditions, or the error
	}{
		{"ioctl:arg1=0x5401", "[(u32)arg1 == 0x5401]"},
		{"socket:arg0=2:arg1&0xf=1", "[(u32)arg0 == 0x2 (u32)arg1 & 0xf == 0x1]"},
		{"clone:arg0&0x7e020000=0", "[(u32)arg0 & 0x7e020000 == 0x0]"},
		{"read", "[]"},
		{"ioctl:arg6=1", `is not arg0 to arg5`},
		{"ioctl:arg1=0x100000000", `is not a 32-bit number`},
		{"ioctl:arg1&0xf=0x10", `never holds`},
		{"ioctl:arg1", `no =`},
	} {
		r, err := listRule(tt.entry, seccomp.Allow)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = fmtConds(r.Args)
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: %s, want %s", tt.entry, got, tt.want)
		}
	}
	// A group that allows clone whatever its flags would make the
	// conditions of a clone entry decide nothing.
	code, _, errs := sysfence("compile", "--allow", "clone:arg0&0x7e020000=0,@process")
	if code != exitUsage || !strings.Contains(errs, "@process names clone whatever its arguments") {
		t.Errorf("clone:…,@process: exit %d, stderr %q", code, errs)
	}
	code, _, errs = sysfence("compile", "--allow", "read,ioctl:arg9=1")
	if code != exitUsage || !strings.Contains(errs, `--allow ioctl:arg9=1: condition "arg9=1"`) {
		t.Errorf("compile --allow ioctl:arg9=1: exit %d, stderr %q", code, errs)
	}
}

func fmtConds(cs []seccomp.Cond) string {
	var b strings.Builder
	b.WriteString("[")
	for i, c := range cs {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(c.String())
	}
	b.WriteString("]")
	return b.String()
}

// A learned clone3 is allowed with any flags, and learn says so.
func TestLearnNotesClone3(t *testing.T) {
	native, err := nativeABI()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	inv := &invocation{args: []string{"prog"}, stderr: &stderr}
	l := &learned{native: native, calls: map[*tables.ABI]map[string]bool{native: {"clone3": true, "read": true}}, args: make(map[*tables.ABI]map[string]learnedArgs)}
	l.noteUnreadable(inv)
	if !strings.Contains(stderr.String(), "prog made clone3 on "+native.Name+", whose flags (namespaces included) sit in memory") {
		t.Errorf("stderr %q", stderr.String())
	}
	stderr.Reset()
	l.args = nil // --names-only claims nothing of arguments
	l.noteUnreadable(inv)
	if stderr.Len() > 0 {
		t.Errorf("--names-only: %q", stderr.String())
	}
}
