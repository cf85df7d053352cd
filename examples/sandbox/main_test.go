package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// TestBwrap runs commands in bwrap under the Docker default profile and
// under a profile of the test's own.
func TestBwrap(t *testing.T) {
	_, err := exec.LookPath("bwrap")
	testenv.Require(t, err == nil, "needs bwrap (Debian package bubblewrap)")
	for _, tool := range []string{"sh", "tr", "unshare"} {
		_, err := exec.LookPath(tool)
		testenv.Require(t, err == nil, "needs "+tool)
	}
	deny := filepath.Join(t.TempDir(), "deny-uname.json")
	if err := os.WriteFile(deny, []byte(`{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, profile, script, want string
	}{
		{"moby-default", "", "echo bwrapped | tr a-z A-Z; unshare -U true 2>/dev/null || echo denied", "BWRAPPED\ndenied\n"},
		{"deny-uname", deny, "uname -s 2>/dev/null || echo no uname", "no uname\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, err := command(tc.profile, []string{"sh", "-c", tc.script})
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := start(cmd); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if stdout.String() != tc.want {
				t.Errorf("stdout %q, want %q (stderr %q)", stdout.String(), tc.want, strings.TrimSpace(stderr.String()))
			}
		})
	}
}
