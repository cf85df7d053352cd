//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/probe"
	"github.com/sysfence/seccomp/internal/vmtest"
	"github.com/sysfence/seccomp/tables"
)

// sysfenceProbe runs sysfence probe in a victim that installed the named
// filter, and checks its report: every route the guest's kernel offers
// is there (x86_64 with i386 and x32, aarch64 with arm), and every call's
// verdict is what the simulator says the filter does with the call, as
// the report gives its number and arguments. The 32-bit routes are also
// checked by name: all reached without a filter and without an arch
// check, all killed by the sandbox, all but socketcall reached under
// deny-socket, which covers them.
func sysfenceProbe(c *C, name string) {
	prog, err := programFor(name)
	if err != nil {
		c.Fatalf("%v", err)
	}
	cmd := exec.CommandContext(c.ctx, "/proc/self/exe", "victim", name)
	cmd.Stdin = strings.NewReader("exec " + vmtest.SysfencePath + " probe --format json\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		c.Fatalf("%s: sysfence probe: %v\n%s", name, err, stderr.String())
	}
	var rep probe.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		c.Fatalf("%s: sysfence probe: %v\n%s", name, err, stdout.String())
	}
	wantMode := 0
	if prog != nil {
		wantMode = 2
	}
	if rep.Seccomp.Mode != wantMode {
		c.Errorf("%s: seccomp mode %d, want %d", name, rep.Seccomp.Mode, wantMode)
	}
	routes := probe.Routes()
	if len(rep.Routes) != len(routes) {
		c.Fatalf("%s: %d routes, want %d", name, len(rep.Routes), len(routes))
	}
	for i, rr := range rep.Routes {
		abi, ok := tables.Lookup(rr.ABI)
		if !ok || rr.Name != routes[i].Name {
			c.Fatalf("%s: route %s (ABI %s), want %s", name, rr.Name, rr.ABI, routes[i].Name)
		}
		// The sandbox kills x32 numbers before the kernel checks that
		// x32 is on: then the probe cannot know.
		if rr.Available != probe.Yes && !(rr.Available == probe.Unknown && abi.NrBit != 0 && prog != nil) {
			c.Errorf("%s: %s: available %s (%s); the guest's kernel offers every route", name, rr.Name, rr.Available, rr.Detail)
		}
		if len(rr.Calls) != len(probe.Battery) {
			c.Errorf("%s: %s: %d calls, want %d", name, rr.Name, len(rr.Calls), len(probe.Battery))
		}
		counts := make(map[string]int)
		for _, res := range rr.Calls {
			got := cell(res)
			counts[got]++
			if _, ok := abi.Number(res.Call); !ok {
				// A multiplexer the ABI has not (socketcall on
				// x86_64): the probe must not pretend it made it.
				if got != string(probe.Absent) {
					c.Errorf("%s: %s %s: %s, want absent", name, rr.Name, res.Call, got)
				}
				continue
			}
			want := expectedVerdict(c, prog, abi, res)
			if got != want {
				c.Errorf("%s: %s %s [nr %#x]: %s, want %s", name, rr.Name, res.Call, res.Nr, got, want)
			}
			// Issue 15.6: socket denied is denied through socketcall
			// too, on every route whose ABI has the multiplexer:
			// natively on s390x and ppc64le, through int 0x80 and
			// from an i386 program on x86_64.
			if strings.HasPrefix(name, "deny-socket") && res.Call == "socketcall" && got != "refused EPERM" {
				c.Errorf("%s: %s socketcall(SYS_SOCKET, NULL): %s, want refused EPERM, as socket is", name, rr.Name, got)
			}
			if i > 0 {
				var want string
				switch {
				case name == "none", name == "nr-only-ptrace":
					want = "reached"
				case name == "sandbox":
					want = "killed SIGSYS"
				case strings.HasPrefix(name, "deny-socket"):
					want = "reached"
					if res.Call == "socketcall" {
						want = "refused EPERM"
					}
				}
				if got != want {
					c.Errorf("%s: %s %s: %s, want %s", name, rr.Name, res.Call, got, want)
				}
			}
		}
		c.Logf("%s: %s: %s; %v", name, rr.Name, rr.Available, counts)
	}
}

// expectedVerdict is the report's verdict on res where the filter does
// what the simulator says; with no filter, every call reaches the kernel.
func expectedVerdict(c *C, prog *seccomp.Program, abi *tables.ABI, res probe.Result) string {
	if prog == nil {
		return "reached"
	}
	out, err := filter.Run(prog.Instructions(), &filter.SeccompData{Nr: int32(res.Nr), Arch: abi.Audit, Args: [6]uint64(res.Args)}, prog.ByteOrder())
	if err != nil {
		c.Fatalf("simulating %s on %s: %v", res.Call, abi.Name, err)
	}
	switch act := out.Ret; act.Kind() {
	case filter.Allow, filter.Log:
		return "reached"
	case filter.ErrnoBase:
		name, ok := abi.ErrnoName(uint16(act.Data()))
		if !ok {
			name = fmt.Sprint(act.Data())
		}
		return "refused " + name
	case filter.KillProcess:
		return "killed SIGSYS"
	}
	return "no expectation for " + out.Ret.String()
}

// cell spells a verdict as the text report does.
func cell(res probe.Result) string {
	s := string(res.Verdict)
	for _, w := range []string{res.Errno, res.Signal} {
		if w != "" {
			s += " " + w
		}
	}
	return s
}

// denySocket names the deny-socket filter covering the native ABI and
// every ABI of the guest's other routes.
func denySocket() string {
	abis := []string{nativeRoute().abi.Name}
	for _, r := range compatRoutes() {
		if !slices.Contains(abis, r.abi.Name) {
			abis = append(abis, r.abi.Name)
		}
	}
	return "deny-socket@" + strings.Join(abis, ",")
}
