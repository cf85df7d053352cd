package seccomp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// The tests of Inheritable hand a program to bwrap by descriptor number
// alone, through a shell command line or syscall.Exec, and check from
// inside that the filter is in force.

const envFDKind = "SYSFENCE_TEST_FD_KIND" // "memfd" or "pipe"

func init() {
	scenarios["fd-probe"] = scenarioFDProbe
	scenarios["fd-exec"] = scenarioFDExec
}

// inheritPolicy makes getcpu, a call neither bwrap nor the Go runtime
// makes and that succeeds with null arguments, fail with EXDEV.
func inheritPolicy() *Policy {
	return &Policy{Default: Allow, Rules: []Rule{{Syscall: "getcpu", Action: ErrnoNamed("EXDEV")}}}
}

// inheritableOfKind returns the program of inheritPolicy in a memfd, as
// Inheritable makes it, or in a pipe, as Inheritable makes it where
// memfd_create is refused.
func inheritableOfKind(kind string) (*InheritableFile, error) {
	prog, err := inheritPolicy().Compile()
	if err != nil {
		return nil, err
	}
	switch kind {
	case "memfd":
		f, err := prog.Inheritable()
		if err == nil && !f.Rereadable() {
			f.Close()
			return nil, errors.New("Inheritable made a pipe, not a memfd")
		}
		return f, err
	case "pipe":
		var buf bytes.Buffer
		prog.WriteTo(&buf)
		p, err := filledPipe(buf.Bytes())
		if err != nil {
			return nil, err
		}
		defer p.Close()
		fd, err := inheritableCopy(p)
		if err != nil {
			return nil, err
		}
		return &InheritableFile{fd: fd, open: true}, nil
	}
	return nil, fmt.Errorf("no kind of file %q", kind)
}

// fdReport is what a probe under bwrap sees.
type fdReport struct {
	Getcpu  string // how getcpu ended: "OK" or an error name
	Seccomp string // the Seccomp: line of /proc/self/status
	Filters string // the Seccomp_filters: line
}

func seccompStatus() (mode, filters string, err error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "", "", err
	}
	for line := range strings.Lines(string(status)) {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "Seccomp":
			mode = strings.TrimSpace(v)
		case "Seccomp_filters":
			filters = strings.TrimSpace(v)
		}
	}
	return mode, filters, nil
}

func probeGetcpu() string {
	nr, _ := nativeABI().Number("getcpu")
	_, _, errno := syscall.Syscall(uintptr(nr), 0, 0, 0)
	return errnoName(errno)
}

func scenarioFDProbe() (any, error) {
	mode, filters, err := seccompStatus()
	return &fdReport{Getcpu: probeGetcpu(), Seccomp: mode, Filters: filters}, err
}

// inheritBwrap is the bwrap command line of the tests, up to --seccomp.
var inheritBwrap = []string{"bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"}

// scenarioFDExec replaces itself with bwrap, which runs the fd-probe
// scenario under the program it reads from a descriptor whose number only
// the command line names.
func scenarioFDExec() (any, error) {
	f, err := inheritableOfKind(os.Getenv(envFDKind))
	if err != nil {
		return nil, err
	}
	defer f.Close() // if Exec fails
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	argv := slices.Concat(inheritBwrap, f.BwrapArgs(), []string{"--", exe, "-test.run=^$"})
	// syscall.Exec, unlike exec.Cmd, keeps a duplicate variable, and
	// Getenv reads the first: replace the scenario's name, not add one.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, testenv.ChildEnv+"=") })
	env = append(env, testenv.ChildEnv+"=fd-probe")
	return nil, syscall.Exec(bwrap, argv, env)
}

// requireInheritBwrap skips or fails a test that cannot run bwrap.
func requireInheritBwrap(t *testing.T) {
	t.Helper()
	requireSeccomp(t)
	_, err := exec.LookPath("bwrap")
	testenv.Require(t, err == nil, "needs bubblewrap (bwrap) in PATH")
	if m := machine(t); m != nativeABI() {
		t.Skipf("bwrap makes %s calls after installing the filter, which covers %s only", m, nativeABI())
	}
	out, err := exec.Command(inheritBwrap[0], append(inheritBwrap[1:], "--", "true")...).CombinedOutput()
	testenv.Require(t, err == nil, fmt.Sprintf("bwrap cannot run here: %v %s", err, out))
}

// checkFiltered compares what a probe saw under bwrap with what this
// process sees: one filter more, and getcpu failing with its errno.
func checkFiltered(t *testing.T, c *testenv.Child) {
	t.Helper()
	var r fdReport
	c.Decode(t, &r)
	_, filters, err := seccompStatus()
	if err != nil {
		t.Fatal(err)
	}
	if got := probeGetcpu(); got != "OK" {
		t.Fatalf("getcpu fails unfiltered: %s", got)
	}
	var before, after int
	fmt.Sscan(filters, &before)
	fmt.Sscan(r.Filters, &after)
	if r.Getcpu != "EXDEV" || r.Seccomp != "2" || after != before+1 {
		t.Errorf("under bwrap: getcpu %s, Seccomp: %s, Seccomp_filters: %s; want EXDEV, 2 and %d", r.Getcpu, r.Seccomp, r.Filters, before+1)
	}
}

// TestInheritableShellCommand starts a shell that runs bwrap with the
// descriptor's number from its environment: the shell inherits the
// descriptor, unlisted, as any process this one starts does.
func TestInheritableShellCommand(t *testing.T) {
	requireInheritBwrap(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := `: hand-written; bwrap ` + strings.Join(inheritBwrap[1:], " ") + ` --seccomp "$N" -- "$0" -test.run='^$'`
	for _, kind := range []string{"memfd", "pipe"} {
		t.Run(kind, func(t *testing.T) {
			f, err := inheritableOfKind(kind)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cmd := exec.Command("sh", "-c", script, exe)
			checkFiltered(t, testenv.Run(t, cmd, "fd-probe", "N="+f.String()))
		})
	}
}

// TestInheritableExecInPlace runs a child that makes its own
// InheritableFile and replaces itself with bwrap by syscall.Exec.
func TestInheritableExecInPlace(t *testing.T) {
	requireInheritBwrap(t)
	for _, kind := range []string{"memfd", "pipe"} {
		t.Run(kind, func(t *testing.T) {
			checkFiltered(t, testenv.Run(t, testenv.Self(t), "fd-exec", envFDKind+"="+kind))
		})
	}
}

// TestInheritable checks the descriptor itself: numbered past stderr, not
// close-on-exec, holding the program, rewindable only as a memfd, and
// closed once.
func TestInheritable(t *testing.T) {
	prog, err := inheritPolicy().Compile()
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	prog.WriteTo(&want)
	for _, kind := range []string{"memfd", "pipe"} {
		t.Run(kind, func(t *testing.T) {
			f, err := inheritableOfKind(kind)
			if err != nil {
				t.Fatal(err)
			}
			fd := f.Fd()
			if fd < 3 || f.String() != fmt.Sprint(fd) || !slices.Equal(f.BwrapArgs(), []string{"--seccomp", fmt.Sprint(fd)}) {
				t.Errorf("Fd %d, String %q, BwrapArgs %q", fd, f.String(), f.BwrapArgs())
			}
			flags, err := fcntlFD(fd, syscall.F_GETFD)
			if err != nil || flags&fdCloexec != 0 {
				t.Errorf("F_GETFD: %#x, %v; want FD_CLOEXEC clear", flags, err)
			}
			readAll := func() []byte {
				// A reader of its own, as a child has: closing it
				// leaves f open.
				dup, err := syscall.Dup(fd)
				if err != nil {
					t.Fatal(err)
				}
				r := os.NewFile(uintptr(dup), "copy")
				defer r.Close()
				b, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			if got := readAll(); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("read %d bytes, want the %d bytes of WriteTo", len(got), want.Len())
			}
			err = f.Rewind()
			switch {
			case f.Rereadable() != (kind == "memfd"):
				t.Errorf("Rereadable() = %v for a %s", f.Rereadable(), kind)
			case f.Rereadable() && err != nil:
				t.Errorf("Rewind: %v", err)
			case f.Rereadable() && !bytes.Equal(readAll(), want.Bytes()):
				t.Error("after Rewind the memfd does not read as the program")
			case !f.Rereadable() && !errors.Is(err, syscall.ESPIPE):
				t.Errorf("Rewind of a pipe: %v, want ESPIPE", err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := fcntlFD(fd, syscall.F_GETFD); !errors.Is(err, syscall.EBADF) {
				t.Errorf("after Close, F_GETFD: %v, want EBADF", err)
			}
			if f.Fd() != -1 || !errors.Is(f.Close(), os.ErrClosed) || !errors.Is(f.Rewind(), os.ErrClosed) {
				t.Errorf("after Close: Fd %d, and Close and Rewind do not report os.ErrClosed", f.Fd())
			}
		})
	}
	t.Run("zero", func(t *testing.T) {
		// The zero value is closed: it must not close descriptor 0.
		var f InheritableFile
		if f.Fd() != -1 || !errors.Is(f.Close(), os.ErrClosed) {
			t.Errorf("zero InheritableFile: Fd %d, Close does not report os.ErrClosed", f.Fd())
		}
	})
}

func fcntlFD(fd, cmd int) (int, error) {
	nr, err := NativeNumber("fcntl")
	if err != nil {
		return 0, err
	}
	r, _, errno := syscall.Syscall(nr, uintptr(fd), uintptr(cmd), 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
