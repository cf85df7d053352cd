//go:build linux && amd64

package seccomp

import (
	"encoding/binary"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"unsafe"

	probepkg "github.com/sysfence/seccomp/internal/probe"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

func init() { scenarios["int80-mux"] = scenarioInt80Mux }

// scenarioInt80Mux makes i386 calls through int 0x80 from this 64-bit
// process, first without a filter, then under a policy covering x86_64
// and x86 that denies socket, msgget and accept: socket() through
// socketcall(SYS_SOCKET), directly, and msgget() through ipc(MSGGET) with
// and without a version in the high bits. socketcall's arguments lie in
// memory the kernel reads through a 32-bit pointer, so they are put in a
// page below 4 GiB.
func scenarioInt80Mux() (any, error) {
	page, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_32BIT)
	if err != nil {
		return nil, err
	}
	for i, v := range []uint32{syscall.AF_UNIX, syscall.SOCK_STREAM, 0} {
		binary.NativeEndian.PutUint32(page[4*i:], v)
	}
	args := uintptr(unsafe.Pointer(&page[0]))
	num := func(name string) uintptr { nr, _ := tables.I386.Number(name); return uintptr(nr) }
	calls := []struct {
		key  string
		nr   uintptr
		args []uintptr
	}{
		{"socketcall(SYS_SOCKET)", num("socketcall"), []uintptr{1, args}},
		{"socket", num("socket"), []uintptr{syscall.AF_UNIX, syscall.SOCK_STREAM, 0}},
		{"socketcall(SYS_ACCEPT)", num("socketcall"), []uintptr{5, args}},
		{"socketcall(SYS_LISTEN)", num("socketcall"), []uintptr{4, args}},
		{"ipc(MSGGET)", num("ipc"), []uintptr{13, 0, 0}},
		{"ipc(1<<16|MSGGET)", num("ipc"), []uintptr{1<<16 | 13, 0, 0}},
	}
	report := map[string]string{}
	do := func(phase string) error {
		for _, c := range calls {
			r, errno, err := probepkg.Int80(c.nr, c.args...)
			if err != nil {
				return err
			}
			report[phase+" "+c.key] = errnoName(errno)
			switch {
			case errno != 0:
			case c.nr == num("ipc"): // a new message queue: remove it (msgctl IPC_RMID)
				probepkg.Int80(num("ipc"), 14, r, 0, 0, 0)
			default:
				syscall.Close(int(r))
			}
		}
		return nil
	}
	if os.Getenv(envMuxInherited) == "1" {
		return report, do("filtered") // under bwrap's filter
	}
	if err := do("unfiltered"); err != nil {
		return nil, err
	}
	prog, err := int80MuxPolicy().Compile()
	if err != nil {
		return nil, err
	}
	if err := prog.Install(); err != nil {
		return nil, err
	}
	return report, do("filtered")
}

// envMuxInherited tells scenarioInt80Mux that it runs under a filter
// already (bwrap's), and makes the filtered calls only.
const envMuxInherited = "SYSFENCE_TEST_MUX_INHERITED"

// int80MuxPolicy covers x86_64 and x86 and denies socket, msgget and
// accept.
func int80MuxPolicy() *Policy {
	return &Policy{Default: Allow, ABIs: []*tables.ABI{tables.X86_64, tables.I386}, Rules: RulesFor(ErrnoNamed("EPERM"), "socket", "msgget", "accept")}
}

// TestInt80Multiplexed is issue 15 on the real kernel: a 64-bit process
// under a policy covering x86 that denies socket cannot reach socket()
// through int 0x80 socketcall(SYS_SOCKET), nor msgget() through ipc;
// operations the policy does not name still reach the kernel.
func TestInt80Multiplexed(t *testing.T) {
	requireSeccomp(t)
	requireRoot(t)
	var got map[string]string
	c := testenv.Run(t, testenv.Self(t), "int80-mux")
	if c.Signaled() == syscall.SIGSEGV {
		testenv.Require(t, false, "int 0x80 raised SIGSEGV: the kernel lacks IA32 emulation")
	}
	c.Decode(t, &got)
	for _, k := range []string{"socketcall(SYS_SOCKET)", "socket", "ipc(MSGGET)", "ipc(1<<16|MSGGET)"} {
		if got["unfiltered "+k] == "EPERM" || got["unfiltered "+k] == "ENOSYS" {
			t.Errorf("unfiltered %s: %s; want the kernel to run it", k, got["unfiltered "+k])
		}
		if got["filtered "+k] != "EPERM" {
			t.Errorf("filtered %s: %s; want EPERM (unfiltered: %s)", k, got["filtered "+k], got["unfiltered "+k])
		}
	}
	if got["filtered socketcall(SYS_ACCEPT)"] != "EPERM" {
		t.Errorf("filtered socketcall(SYS_ACCEPT): %s; want EPERM", got["filtered socketcall(SYS_ACCEPT)"])
	}
	if g := got["filtered socketcall(SYS_LISTEN)"]; g == "EPERM" || g != got["unfiltered socketcall(SYS_LISTEN)"] {
		t.Errorf("socketcall(SYS_LISTEN): filtered %s, unfiltered %s; want the kernel's own answer both times", g, got["unfiltered socketcall(SYS_LISTEN)"])
	}
	t.Logf("%v", got)
	t.Run("bwrap", func(t *testing.T) {
		_, err := exec.LookPath("bwrap")
		testenv.Require(t, err == nil, "needs bubblewrap (bwrap) in PATH")
		prog, err := int80MuxPolicy().Compile()
		if err != nil {
			t.Fatal(err)
		}
		f, err := prog.File()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		dir := t.TempDir()
		cmd := testenv.Self(t, append(bwrapArgs(dir), "--seccomp", "3", "--")...)
		cmd.ExtraFiles = []*os.File{f}
		var under map[string]string
		testenv.Run(t, cmd, "int80-mux", envMuxInherited+"=1").Decode(t, &under)
		for _, k := range []string{"socketcall(SYS_SOCKET)", "socket", "socketcall(SYS_ACCEPT)", "ipc(MSGGET)", "ipc(1<<16|MSGGET)"} {
			if under["filtered "+k] != "EPERM" {
				t.Errorf("under bwrap --seccomp: %s: %s; want EPERM", k, under["filtered "+k])
			}
		}
		if g := under["filtered socketcall(SYS_LISTEN)"]; g == "EPERM" {
			t.Errorf("under bwrap --seccomp: socketcall(SYS_LISTEN): EPERM; want the kernel's own answer")
		}
	})
}
