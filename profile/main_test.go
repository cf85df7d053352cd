package profile_test

import (
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

func TestMain(m *testing.M) {
	testenv.Main(m, scenarios)
}
