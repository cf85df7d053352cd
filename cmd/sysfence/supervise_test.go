package main

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

func TestParseSupervise(t *testing.T) {
	tests := []struct {
		rules []string
		calls string // the supervised calls, or
		err   string // a part of the error
	}{
		{[]string{"connect=127.0.0.1:8080,[::1]:53,unix:/run/x.sock;exec=log"}, "connect execve execveat", ""},
		{[]string{"connect=none", "log=openat, getpid"}, "connect openat getpid", ""},
		{[]string{"exec=log;"}, "execve execveat", ""},
		{[]string{" ; "}, "", "no rule given"},
		{[]string{"connect"}, "", `"connect": want KEY=VALUE`},
		{[]string{"conect=1.2.3.4"}, "", `unknown rule "conect"`},
		{[]string{"connect=1.2.3.4:80;connect=::1"}, "", "connect= is given twice"},
		{[]string{"connect=1.2.3.4:80,10.0.0.1:70000"}, "", `address 2 of 2, "10.0.0.1:70000": port is not`},
		{[]string{"connect=1.2.3.4:80,"}, "", "address 2 of 2 is empty"},
		{[]string{"connect=[::1:53"}, "", `"[::1:53": no ]`},
		// The rule's reason whole, though the rule holds `": `.
		{[]string{`connect=[::1": ]:80`}, "", `address 1 of 1, "[::1\": ]:80": ParseAddr("::1\": "): `},
		{[]string{"connect=unix:run/x.sock"}, "", "must be absolute"},
		{[]string{"connect=unix:"}, "", "empty path"},
		{[]string{"exec=yes"}, "", "want exec=log"},
		{[]string{"log=openat,opnat"}, "", `name 2 of 2: no system call "opnat" on x86_64 (did you mean openat`},
		{[]string{"exec=log;log=execve"}, "", "exec=log logs it already"},
		{[]string{"connect=none;log=connect"}, "", "supervises connect already"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.rules, " "), func(t *testing.T) {
			s, err := parseSupervise(tt.rules, tables.X86_64)
			if tt.err != "" {
				var u usageError
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &u) {
					t.Fatalf("error %v; want a usage error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(s.calls(), " "); got != tt.calls {
				t.Errorf("calls %q, want %q", got, tt.calls)
			}
		})
	}
}

// dialEnv lists what the "dial" scenario connects to: "tcp:ADDR" or
// "unix:PATH", space-separated.
const dialEnv = "SYSFENCE_TEST_DIAL"

// scenarioDial connects to every address of dialEnv (testenv.DialAll).
func scenarioDial() (any, error) { return testenv.DialAll(os.Getenv(dialEnv)), nil }

// The supervised command's connects: to allowed IPv4, IPv6 and unix
// addresses they succeed, to others they fail with ECONNREFUSED, and
// each has its line; so do the execs and the calls log= names.
func TestRunSuperviseConnect(t *testing.T) {
	requireNotify(t)
	listen := func(network, addr string) net.Listener {
		l, err := net.Listen(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		return l
	}
	v4 := listen("tcp", "127.0.0.1:0").Addr().String()
	v4other := listen("tcp", "127.0.0.1:0").Addr().String()
	sock := filepath.Join(t.TempDir(), "s.sock")
	listen("unix", sock)
	other := filepath.Join(t.TempDir(), "other.sock")
	listen("unix", other)
	var v6 string
	if l, err := net.Listen("tcp", "[::1]:0"); err == nil {
		l.Close()
		v6 = listen("tcp", "[::1]:0").Addr().String()
	}

	rules := "connect=" + v4 + ",unix:" + sock
	dial := "tcp:" + v4 + " tcp:" + v4other + " unix:" + sock + " unix:" + other
	// The allowed unix stream socket is refused all the same: sysfence
	// cannot connect it as the command (TestSuperviseUnixCredentials).
	want := map[string]string{"tcp:" + v4: "", "tcp:" + v4other: "connection refused", "unix:" + sock: "connection refused", "unix:" + other: "connection refused"}
	if v6 != "" {
		rules += "," + v6
		dial += " tcp:" + v6
		want["tcp:"+v6] = ""
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := child(t, nil, "run", "--supervise", rules+";exec=log", "--supervise", "log=getppid",
		"--", "env", testenv.ChildEnv+"=dial", dialEnv+"="+dial, exe, "-test.run=^$")
	var got map[string]string
	c.Decode(t, &got)
	for a, w := range want {
		if got[a] != w {
			t.Errorf("%s: %q, want %q", a, got[a], w)
		}
	}
	stderr := string(c.Stderr)
	for _, line := range []string{
		"] connect " + v4 + ": allowed, in progress\n", // Go's sockets do not block
		"] connect " + v4other + ": refused with ECONNREFUSED\n",
		"] connect unix:" + sock + ": allowed, but failed with ECONNREFUSED: cannot connect as the caller: a unix stream socket",
		"] connect unix:" + other + ": refused with ECONNREFUSED\n",
		`] execve "/usr/bin/env" ["env" "` + testenv.ChildEnv + `=dial"`,
		`] execve "` + exe + `" ["` + exe + `" "-test.run=^$"]` + "\n",
	} {
		if !strings.Contains(stderr, line) {
			t.Errorf("stderr has no line with %q:\n%s", line, stderr)
		}
	}
	if v6 != "" && !strings.Contains(stderr, "] connect "+v6+": allowed, in progress\n") {
		t.Errorf("stderr has no line for %s:\n%s", v6, stderr)
	}
	t.Logf("stderr:\n%s", stderr)
}

// log= names any call; each gets a line with its raw arguments.
func TestRunSuperviseLog(t *testing.T) {
	requireNotify(t)
	c := child(t, nil, "run", "--supervise", "log=getppid", "--", "sh", "-c", "echo $PPID")
	if !c.State.Success() {
		t.Fatalf("%v: %s", c.State, c.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(c.Stderr)), "\n")
	if len(lines) == 0 || !strings.Contains(lines[0], "] getppid(0x") || strings.Count(lines[0], ", ") != 5 {
		t.Errorf("stderr %q; want a getppid line with six arguments", c.Stderr)
	}
}

// sysfence exits as the supervised command does, and refuses what it
// cannot supervise before starting anything.
func TestRunSuperviseExitStatus(t *testing.T) {
	requireNotify(t)
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--supervise", "exec=log", "--", "sh", "-c", "exit 7"}, 7, ""},
		{[]string{"--supervise", "exec=log", "--", "sh", "-c", "kill -9 $$"}, 128 + 9, ""},
		{[]string{"--supervise", "connect=none", "--", "no-such-command-here"}, exitInput, "executable file not found"},
		{[]string{"--deny", "connect", "--supervise", "connect=none", "--", "true"}, exitUsage, "which --deny gives errno:EPERM"},
		{[]string{"--allow", "read,connect", "--supervise", "connect=none", "--", "true"}, exitUsage, "cannot start under this filter"},
		{[]string{"--supervise", "exec=log"}, exitUsage, "no command given"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c := child(t, nil, append([]string{"run"}, tt.args...)...)
			if c.State.ExitCode() != tt.code || !strings.Contains(string(c.Stderr), tt.err) {
				t.Errorf("exit %d, stderr %q; want %d and %q", c.State.ExitCode(), c.Stderr, tt.code, tt.err)
			}
		})
	}
}
