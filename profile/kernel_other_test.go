//go:build !linux

package profile_test

import "github.com/sysfence/seccomp/internal/testenv"

var scenarios = map[string]testenv.Scenario{}
