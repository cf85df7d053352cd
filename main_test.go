//go:build linux

package seccomp

import (
	"bytes"
	"os"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// scenarios are what a child can run. The report of each is written as
// JSON to stdout.
var scenarios = map[string]testenv.Scenario{
	"probe":      scenarioProbe,
	"install":    scenarioInstall,
	"x32":        scenarioX32,
	"allowlist":  scenarioAllowlist,
	"tsync-fail": scenarioTSyncFail,
	"refuse":     scenarioRefuse,
	"exit":       scenarioExit,
	"listener":   scenarioListener,
	"bench":      scenarioBench,
}

func TestMain(m *testing.M) { testenv.Main(m, scenarios) }

func requireRoot(t testing.TB) {
	t.Helper()
	testenv.Require(t, os.Geteuid() == 0, "needs root: the probes tell the filter's EPERM from the kernel's only with every capability")
}

func requireSeccomp(t testing.TB) {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	testenv.Require(t, err == nil && bytes.Contains(status, []byte("\nSeccomp:")), "needs a kernel with seccomp (no Seccomp: in /proc/self/status)")
}
