package seccomp

import (
	"syscall"
	"testing"
	"unsafe"

	"github.com/sysfence/seccomp/internal/probe"
)

func init() {
	scenarios["i386"] = i386Scenario
}

// i386: int 0x80 reaches the i386 table. Not covered, it gets the
// bad-arch action; covered, the rules, through socketcall too.
func i386Scenario() (any, error) {
	out := errnos{}
	f, err := NewFilter(ActAllow)
	if err != nil {
		return nil, err
	}
	if err := f.SetBadArchAction(ActErrno.SetReturnCode(int16(syscall.EACCES))); err != nil {
		return nil, err
	}
	getpid, _ := GetSyscallFromName("getpid")
	if err := f.AddRule(getpid, ActErrno.SetReturnCode(int16(syscall.EPERM))); err != nil {
		return nil, err
	}
	if err := f.Load(); err != nil {
		return nil, err
	}
	_, e, err := probe.Int80(20) // getpid
	if err != nil {
		return nil, err
	}
	out["int80 getpid, x86 not covered"] = int(e)

	g, _ := NewFilter(ActAllow)
	if err := g.AddArch(ArchX86); err != nil {
		return nil, err
	}
	socket, _ := GetSyscallFromName("socket")
	if err := g.AddRule(socket, ActErrno.SetReturnCode(int16(syscall.EAFNOSUPPORT))); err != nil {
		return nil, err
	}
	if err := g.Load(); err != nil {
		return nil, err
	}
	args := [3]uint32{syscall.AF_INET, syscall.SOCK_STREAM, 0}
	_, e, _ = probe.Int80(102, 1, uintptr(unsafe.Pointer(&args))) // socketcall(SYS_SOCKET)
	out["int80 socketcall(SYS_SOCKET)"] = int(e)
	_, e, _ = probe.Int80(359, syscall.AF_INET, syscall.SOCK_STREAM, 0) // socket
	out["int80 socket"] = int(e)
	_, _, e = syscall.RawSyscall(syscall.SYS_SOCKET, syscall.AF_INET, syscall.SOCK_STREAM, 0)
	out["socket"] = int(e)
	return out, nil
}

func TestLoadI386Routes(t *testing.T) {
	check(t, child(t, "i386"), errnos{
		"int80 getpid, x86 not covered": int(syscall.EACCES),
		"int80 socketcall(SYS_SOCKET)":  int(syscall.EAFNOSUPPORT),
		"int80 socket":                  int(syscall.EAFNOSUPPORT),
		"socket":                        int(syscall.EAFNOSUPPORT),
	})
}
