//go:build linux

package notify_test

import (
	"testing"
	"time"

	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/notify"
)

// scenarios run in the target: the test binary again, started by
// notify.Start under a filter, with its report as JSON on stdout.
var scenarios = map[string]testenv.Scenario{
	"connect":      scenarioConnect,
	"getppid":      scenarioGetppid,
	"addfd":        scenarioAddFD,
	"exec":         scenarioExec,
	"fds":          scenarioFDs,
	"connect-race": scenarioConnectRace,
	"noop":         func() (any, error) { return "ok", nil },
	"sleep":        func() (any, error) { time.Sleep(time.Minute); return "ok", nil },
}

func TestMain(m *testing.M) {
	notify.Init() // the helper half of notify.Start
	testenv.Main(m, scenarios)
}
