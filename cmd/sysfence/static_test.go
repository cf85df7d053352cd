package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// TestNoCgo keeps the command free of cgo, so that a default build is one
// static binary that runs inside any sandbox (sysfence probe). Importing
// package net or os/user would link the cgo resolver and glibc's thread
// start-up (rseq, set_robust_list, mprotect).
func TestNoCgo(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	testenv.Require(t, err == nil, "needs the go command in PATH")
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, pkg := range []string{"runtime/cgo", "net", "os/user"} {
		if slices.Contains(deps, pkg) {
			t.Errorf("cmd/sysfence depends on %s", pkg)
		}
	}
}
