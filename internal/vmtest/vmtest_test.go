package vmtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// bootTimeout bounds one guest, from starting qemu to its power-off. A
// guest needs 10 to 30 seconds under emulation on two cores.
const bootTimeout = 4 * time.Minute

// TestKernels boots every guest of Arches and reports each of its checks
// as a subtest, TestKernels/<arch>/<check>. It needs qemu-system-*, apt
// and the Debian archive (or kernels cached by an earlier run); without
// them it skips, unless CI=true. -short skips it.
func TestKernels(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not booting kernels")
	}
	requireTools(t, "go", "apt-get", "apt-cache", "dpkg-deb", "xz")
	if _, err := os.Stat(debianKeyring); err != nil {
		missing(t, "no Debian archive keyring (package debian-archive-keyring): %v", err)
	}
	cache, err := CacheDir()
	if err != nil {
		missing(t, "%v", err)
	}
	dir := t.TempDir()
	for _, a := range Arches {
		t.Run(a.Name, func(t *testing.T) { testKernel(t, a, cache, dir) })
	}
}

// testKernel fetches a's kernel, builds its initramfs and boots it. The
// boot and each check of the guest are subtests that end when the guest
// reports them, so their times are the guest's.
func testKernel(t *testing.T, a Arch, cache, dir string) {
	requireTools(t, a.QEMU)
	ctx := t.Context()
	k, err := FetchKernel(ctx, a, cache, t.Logf)
	if err != nil {
		missing(t, "%v", err)
	}
	recordInputs(t, k.Path)
	dirs, err := SourceDirs(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	recordInputs(t, dirs...)
	start := time.Now()
	initrd, err := BuildInitramfs(ctx, a, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: built the guest programs in %.1fs", a.Name, time.Since(start).Seconds())

	bootCtx, cancel := context.WithDeadline(ctx, bootDeadline(t))
	defer cancel()
	console := &LockedBuffer{}
	g, err := Start(bootCtx, a, k.Path, initrd, console)
	if err != nil {
		t.Fatal(err)
	}
	r := &guestReader{g: g}
	defer func() {
		took, err := g.Wait()
		t.Logf("%s: qemu ran %.1fs", a.Name, took.Seconds())
		if err != nil || !r.done {
			t.Errorf("%s: the guest did not finish: %v", a.Name, r.why(err))
			t.Logf("last lines of the console:\n%s", tail(console.String(), 40))
		}
	}()
	t.Run("boot", func(t *testing.T) {
		ev, ok := r.next()
		if !ok || ev.Kind != EventBegin {
			t.Fatalf("no guest: %s", r.describe(ev, ok))
		}
		t.Logf("%s %s: %s", k.Package, k.Version, ev.Text)
	})
	plan := r.plan()
	if len(plan) == 0 {
		t.Fatalf("%s: the guest planned no checks", a.Name)
	}
	for _, name := range plan {
		t.Run(name, func(t *testing.T) { r.check(t, name) })
	}
	if ev, ok := r.next(); ok && ev.Kind == EventDone {
		r.done = true
	}
}

// bootDeadline is bootTimeout from now, or earlier if go test's -timeout
// comes first, so that a hung guest fails its subtests, not the whole
// test binary.
func bootDeadline(t *testing.T) time.Time {
	deadline := time.Now().Add(bootTimeout)
	if d, ok := t.Deadline(); ok && d.Add(-30*time.Second).Before(deadline) {
		deadline = d.Add(-30 * time.Second)
	}
	return deadline
}

// guestReader hands out a guest's events to the subtests.
type guestReader struct {
	g       *Guest
	pending []Event
	panic   string
	done    bool
}

// next returns the next event; false when the console has ended.
func (r *guestReader) next() (Event, bool) {
	if len(r.pending) > 0 {
		ev := r.pending[0]
		r.pending = r.pending[1:]
		return ev, true
	}
	ev, ok := <-r.g.Events
	if ok && ev.Kind == EventPanic {
		r.panic = ev.Text
	}
	return ev, ok
}

// plan reads the plan, which the guest reports before any check runs.
func (r *guestReader) plan() []string {
	var plan []string
	for {
		ev, ok := r.next()
		if !ok {
			return plan
		}
		if ev.Kind != EventPlan {
			r.pending = append(r.pending, ev)
			return plan
		}
		plan = append(plan, ev.Check)
	}
}

// check passes on the output of the named check and its result.
func (r *guestReader) check(t *testing.T, name string) {
	for {
		ev, ok := r.next()
		switch {
		case ok && ev.Kind == EventLog && ev.Check == name:
			t.Log(ev.Text)
		case ok && ev.Kind == EventResult && ev.Check == name:
			switch ev.Text {
			case Skip:
				t.Skipf("skipped in the guest after %.3fs", ev.Took.Seconds())
			case Pass:
			default:
				t.Errorf("%s in the guest after %.3fs", ev.Text, ev.Took.Seconds())
			}
			return
		default:
			if ok {
				r.pending = append(r.pending, ev) // for whoever it is
			}
			t.Fatalf("no result: %s", r.describe(ev, ok))
		}
	}
}

// describe says why an event is not the one expected.
func (r *guestReader) describe(ev Event, ok bool) string {
	switch {
	case r.panic != "":
		return "kernel panic: " + r.panic
	case !ok:
		return "the console ended"
	}
	return fmt.Sprintf("the guest reported %s %s instead", ev.Kind, ev.Check)
}

// why says why the guest did not finish.
func (r *guestReader) why(err error) string {
	switch {
	case r.panic != "":
		return "kernel panic: " + r.panic
	case err != nil:
		return err.Error()
	}
	return "no report of the end of the checks"
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// recordInputs opens the kernel and the directories of the guest's
// sources, so that go test, which caches a result until a file or
// directory the test opened changes, runs the test again when the guest
// or the kernel (another version is another file) changes. The guest is
// built by another process, whose reads go test does not see.
func recordInputs(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// requireTools skips, or in CI fails, unless every named program is on
// $PATH.
func requireTools(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			missing(t, "%s not found: %v", name, err)
		}
	}
}

// missing reports something the test needs and lacks: a skip outside CI,
// a failure when CI=true.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and "+format, args...)
	}
	t.Skipf(format, args...)
}
