//go:build libseccomp && cgo && linux && amd64

package libseccomptest

import (
	"runtime"
	"syscall"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

func TestMain(m *testing.M) {
	testenv.Main(m, map[string]testenv.Scenario{"int80": int80Scenario, "int80-probe": int80Probe})
}

// wideValues has conditions with values wider than i386's arguments.
// On i386, libseccomp compares the argument with the value's low word;
// this module compares the argument's low word, all the call reads, so
// close never matches (99 is not 0x100000063) and getpid always does
// (every 32-bit number is below 2^32).
var wideValues = &specs.LinuxSeccomp{
	DefaultAction: specs.ActAllow,
	Architectures: []specs.Arch{specs.ArchX86},
	Syscalls: []specs.LinuxSyscall{
		{Names: []string{"close"}, Action: specs.ActErrno, ErrnoRet: errnoRet(5), Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x100000063, Op: specs.OpEqualTo}}},
		{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: errnoRet(6), Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x100000000, Op: specs.OpLessThan}}},
	},
}

const (
	i386Close  = 6
	i386Getpid = 20
)

func int80Probe() (any, error) { return Int80(i386Getpid, 0, 0, 0), nil }

func int80Scenario() (any, error) {
	res, err := profile.Translate(wideValues, &profile.Options{ABI: tables.X86_64})
	if err != nil {
		return nil, err
	}
	prog, err := res.Compile()
	if err != nil {
		return nil, err
	}
	runtime.LockOSThread()
	if err := prog.Install(); err != nil {
		return nil, err
	}
	return map[string]int64{"close": Int80(i386Close, 99, 0, 0), "getpid": Int80(i386Getpid, 0, 0, 0)}, nil
}

// TestWideValuesOnKernel checks on the real kernel, through i386 system
// calls, the one way this module departs from libseccomp on purpose:
// values wider than a 32-bit ABI's arguments.
func TestWideValuesOnKernel(t *testing.T) {
	probe := testenv.Run(t, testenv.Self(t), "int80-probe")
	testenv.Require(t, probe.State.Success(), "needs the kernel's IA-32 emulation (int 0x80): "+probe.State.String())
	lib, err := Compile(wideValues, specs.ArchX86_64)
	if err != nil {
		t.Fatal(err)
	}
	simulate := func(nr uint32, arg uint64) filter.Action {
		r, err := filter.Run(lib.Insns, &filter.SeccompData{Nr: int32(nr), Arch: tables.I386.Audit, Args: [6]uint64{arg}}, tables.I386.ByteOrder())
		if err != nil {
			t.Fatal(err)
		}
		return r.Ret
	}
	if a := simulate(i386Close, 99); a != filter.Errno(5) {
		t.Errorf("libseccomp gives close(99) on i386 %v; the truncation this test is about is gone", a)
	}
	if a := simulate(i386Getpid, 0); a != filter.Allow {
		t.Errorf("libseccomp gives getpid(0) on i386 %v; the truncation this test is about is gone", a)
	}
	var got map[string]int64
	testenv.Run(t, testenv.Self(t), "int80").Decode(t, &got)
	if e := syscall.Errno(-got["close"]); e != syscall.EBADF {
		t.Errorf("close(99) on i386 under our filter: %v, want EBADF (the call runs)", e)
	}
	if e := syscall.Errno(-got["getpid"]); e != syscall.ENXIO {
		t.Errorf("getpid on i386 under our filter: %v, want ENXIO (errno 6 of the rule)", e)
	}
}
