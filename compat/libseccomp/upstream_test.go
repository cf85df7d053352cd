package seccomp

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// upstream runs testdata/upstream.sh with one command: other projects'
// tests and a container, with their sources from the Go module proxy.
// They take minutes and need root, the proxy and Debian packages (see
// .ci/test), so they run in CI (CI=true), where a missing prerequisite
// fails, or when SYSFENCE_UPSTREAM=1.
func upstream(t *testing.T, command string, needs ...string) {
	if os.Getenv("CI") != "true" && os.Getenv("SYSFENCE_UPSTREAM") != "1" {
		t.Skip("other projects' tests run in CI (CI=true) or with SYSFENCE_UPSTREAM=1")
	}
	testenv.Require(t, os.Geteuid() == 0, "needs root")
	for _, n := range needs {
		_, err := exec.LookPath(n)
		testenv.Require(t, err == nil, n+" not installed (see .ci/test)")
	}
	script, err := filepath.Abs("testdata/upstream.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, command)
	out, err := cmd.CombinedOutput()
	t.Logf("%s %s:\n%s", script, command, out)
	if err != nil {
		t.Fatalf("%s %s: %v", script, command, err)
	}
}

// TestLibseccompGolangSuite runs libseccomp-golang v0.12.0's own tests
// (seccomp_test.go, seccomp_ver_test.go) against this package.
func TestLibseccompGolangSuite(t *testing.T) { upstream(t, "golang", "go") }

// TestRuncSeccompSuite runs runc v1.5.3's libcontainer/seccomp tests,
// built with the seccomp tag against this package where libseccomp is
// hidden, and checks ldd of the test binary names no libseccomp.
func TestRuncSeccompSuite(t *testing.T) { upstream(t, "runc", "go", "gcc", "unshare", "ldd") }

// TestRuncContainer builds runc v1.5.3 with this package and runs a
// busybox container under Docker's default profile beside Debian's runc.
func TestRuncContainer(t *testing.T) {
	upstream(t, "container", "go", "gcc", "unshare", "ldd", "jq", "busybox", "runc")
}
