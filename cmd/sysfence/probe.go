package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/sysfence/seccomp/internal/probe"
)

var probeCommand = &command{
	name:    "probe",
	summary: "report what the filter around this process blocks, on every ABI",
	usage: `[--format text|json] [--helper PATH]

Make a fixed battery of dangerous system calls (ptrace, mount, unshare,
bpf, keyctl, io_uring_setup, TIOCSTI, ...) through every ABI the CPU
offers this process, and report for each whether it reached the kernel,
was refused (and with which errno) or killed the process that made it.
Run it inside a sandbox, as in bwrap ... -- sysfence probe: it needs no
file but itself (and the helper, for 32-bit processes).

The arguments are ones the kernel rejects before it acts (a NULL pointer,
descriptor -1, an unknown flag), so nothing changes: a call that comes
back with the kernel's own error went through the filter, any other answer
is the filter's. Each call runs in a child process, a copy of sysfence, so
that a kill is a result. The report also gives the Seccomp and
NoNewPrivs fields of /proc/self/status.

The routes: the native ABI; on x86_64 also i386 calls through int 0x80,
x32 numbers, and an i386 process; on aarch64 a 32-bit arm process. A route
the kernel does not offer is reported unavailable, with how that was
decided. The 32-bit process is the helper: sysfence built for GOARCH=386
(or arm), found as sysfence-386 (or sysfence-arm) beside sysfence, or
named with --helper; without one that route is not run.

--format json writes the report as one JSON object. Each call's "args"
are the six words of seccomp_data as strings of hexadecimal
("0xffffffffffffffff"), since JSON readers such as jq hold numbers as
doubles and would round the words above 2^53.`,
	interspersed: true,
	setup: func(fs *flag.FlagSet) func(*invocation) error {
		format := fs.String("format", "text", "report `format`: text or json")
		helper := fs.String("helper", "", "`PATH` of the 32-bit helper, sysfence built for GOARCH="+orNone(probe.HelperGOARCH())+"; default: the program of that name beside sysfence with -"+orNone(probe.HelperGOARCH())+" appended; none to skip that route")
		return func(inv *invocation) error {
			return runProbe(inv, *format, *helper)
		}
	},
}

// probeServeEnv makes sysfence probe answer requests on its standard
// input and output instead (probe.Serve): the children that make the
// calls are copies of sysfence run so.
const probeServeEnv = "SYSFENCE_PROBE_SERVE"

func orNone(s string) string {
	if s == "" {
		return "(none on this architecture)"
	}
	return s
}

func runProbe(inv *invocation, format, helper string) error {
	if os.Getenv(probeServeEnv) == "1" {
		return probe.Serve(inv.stdin, inv.stdout, func(f func()) { f() })
	}
	if format != "text" && format != "json" {
		return usagef("--format %s: want text or json", format)
	}
	if err := inv.argCount(0, 0, ""); err != nil {
		return err
	}
	self, err := selfPath()
	if err != nil {
		return runtimeError{err}
	}
	cfg := probe.Config{
		Self: self,
		Server: func(path string) *exec.Cmd {
			cmd := exec.Command(path, "probe")
			cmd.Env = append(os.Environ(), probeServeEnv+"=1")
			return cmd
		},
	}
	cfg.Helper, cfg.NoHelper = findHelper(self, helper)
	rep, err := probe.Run(cfg)
	if err != nil {
		return runtimeError{err}
	}
	if format == "json" {
		err = rep.WriteJSON(inv.stdout)
	} else {
		err = rep.WriteText(inv.stdout)
	}
	if err != nil {
		return runtimeError{err}
	}
	return nil
}

// selfPath returns the path of the running sysfence, which the probe
// runs again for each child: /proc/self/exe where /proc is mounted, else
// its name as invoked.
func selfPath() (string, error) {
	if exe, err := os.Executable(); err == nil {
		return exe, nil
	}
	path, err := exec.LookPath(os.Args[0])
	if err != nil {
		return "", fmt.Errorf("cannot find sysfence itself to run its children: %w", err)
	}
	return filepath.Abs(path)
}

// findHelper returns the helper's path, or why there is none.
func findHelper(self, flagValue string) (path, why string) {
	arch := probe.HelperGOARCH()
	switch {
	case arch == "":
		return "", ""
	case flagValue == "none":
		return "", "--helper none"
	case flagValue != "":
		return flagValue, ""
	}
	path = self + "-" + arch
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return "", fmt.Sprintf("no helper at %s (build one with GOARCH=%s go build -o %s ./cmd/sysfence, or name one with --helper)", path, arch, path)
	}
	return path, ""
}
