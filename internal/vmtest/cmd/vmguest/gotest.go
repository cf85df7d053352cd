//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/sysfence/seccomp/internal/vmtest"
)

// moduleTestChecks returns a check for each test and example of the
// module's root package, whose test binary is in the initramfs: its
// real-kernel tests run on the guest's kernel too.
func moduleTestChecks() ([]check, error) {
	out, err := exec.Command(vmtest.ModuleTestPath, "-test.list", ".").Output()
	if err != nil {
		return nil, fmt.Errorf("%s -test.list: %w", vmtest.ModuleTestPath, err)
	}
	var checks []check
	for _, name := range strings.Fields(string(out)) {
		if strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Example") {
			checks = append(checks, check{"module/" + name, func(c *C) { moduleTest(c, name) }})
		}
	}
	if len(checks) == 0 {
		return nil, fmt.Errorf("%s lists no tests", vmtest.ModuleTestPath)
	}
	return checks, nil
}

// moduleTest runs one test of the module's root package, in a process of
// its own, and passes on its output (without go test's "=== RUN" lines).
// It runs with -test.short, which skips the tests that need the go
// command: the guest has none.
func moduleTest(c *C, name string) {
	var out bytes.Buffer
	cmd := exec.CommandContext(c.ctx, vmtest.ModuleTestPath, "-test.run", "^"+name+"$", "-test.v", "-test.short")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "TMPDIR=/tmp")
	err := cmd.Run()
	for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if !strings.HasPrefix(line, "=== ") && line != "PASS" {
			c.Logf("%s", line)
		}
	}
	if err != nil {
		c.Errorf("%s: %v", name, err)
	}
	if strings.Contains(out.String(), "--- SKIP: "+name+" ") {
		c.Skipf("%s skipped in the guest", name)
	}
}
