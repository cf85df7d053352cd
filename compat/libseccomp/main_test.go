package seccomp

import (
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// Filters are loaded only in re-executed children (scenarios), never in
// the test process.
func TestMain(m *testing.M) { testenv.Main(m, scenarios) }

// scenarios are the children's, filled in by the files of the
// platforms that have them.
var scenarios = map[string]testenv.Scenario{}
