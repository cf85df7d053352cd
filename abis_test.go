package seccomp

import (
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// newABIs are the ABIs added beside the sixteen of the first tables, with
// facts a policy for each must get right: the error numbers of its
// asm/errno.h and the call that only a table of that ABI numbers so.
var newABIs = []struct {
	name          string
	audit         uint32
	bigEndian     bool
	wordSize      int
	eperm, enosys uint16
	call          string // numbered on this ABI as on no other here
	nr            uint32
}{
	{"ppc", 0x14, true, 4, 1, 38, "mmap2", 192},
	{"s390", 0x16, true, 4, 1, 38, "_newselect", 142},
	{"m68k", 0x4, true, 4, 1, 38, "atomic_cmpxchg_32", 335},
	{"sh", 0x4000002a, false, 4, 1, 38, "shutdown", 352},
	{"sheb", 0x2a, true, 4, 1, 38, "shutdown", 352},
	{"parisc", 0xf, true, 4, 1, 251, "shutdown", 117},
	{"parisc64", 0x8000000f, true, 8, 1, 251, "shutdown", 117},
}

// TestNewABIsCompileAndSimulate compiles a policy for each ABI added with
// ppc, s390, m68k, sh, sheb, parisc and parisc64, and runs it in the
// simulator: the ABI's own numbers, error numbers, byte order and word
// size decide, and every other ABI, the one that differs from it only in
// byte order or word size included, gets the foreign action.
func TestNewABIsCompileAndSimulate(t *testing.T) {
	if len(tables.All()) < 21 {
		t.Errorf("tables.All has %d ABIs, want at least 21", len(tables.All()))
	}
	for _, want := range newABIs {
		t.Run(want.name, func(t *testing.T) {
			abi, ok := tables.Lookup(want.name)
			if !ok {
				t.Fatalf("tables.Lookup(%q): no such ABI", want.name)
			}
			if abi.Audit != want.audit || abi.BigEndian != want.bigEndian || abi.WordSize != want.wordSize || abi.NrBit != 0 {
				t.Fatalf("%s: audit %#x, big-endian %v, word %d, nr bit %#x; want %#x, %v, %d, 0",
					abi.Name, abi.Audit, abi.BigEndian, abi.WordSize, abi.NrBit, want.audit, want.bigEndian, want.wordSize)
			}
			if nr, ok := abi.Number(want.call); !ok || nr != want.nr {
				t.Fatalf("%s: %s = %d, %v; want %d", abi.Name, want.call, nr, ok, want.nr)
			}
			p := &Policy{
				ABIs:    []*tables.ABI{abi},
				Default: Allow,
				Foreign: KillProcess,
				Unknown: ErrnoNamed("ENOSYS"),
				Rules: []Rule{
					{Syscall: want.call, Action: ErrnoNamed("EPERM")},
					{Syscall: "kill", Action: Trap, Args: []Cond{{Arg: 1, Op: Eq, Value: 9}}},
				},
			}
			prog := mustCompile(t, p)
			if got := prog.ABIs(); len(got) != 1 || got[0] != abi {
				t.Fatalf("program covers %v, want %s", got, abi.Name)
			}
			run := func(audit, nr uint32, args [6]uint64) filter.Action {
				t.Helper()
				res, err := filter.Run(prog.Instructions(), &filter.SeccompData{Nr: int32(nr), Arch: audit, Args: args}, abi.ByteOrder())
				if err != nil {
					t.Fatal(err)
				}
				return res.Ret
			}
			kill, _ := abi.Number("kill")
			read, _ := abi.Number("read")
			for _, c := range []struct {
				what  string
				audit uint32
				nr    uint32
				args  [6]uint64
				want  filter.Action
			}{
				{want.call, abi.Audit, want.nr, [6]uint64{}, filter.Errno(want.eperm)},
				{"read", abi.Audit, read, [6]uint64{}, filter.Allow},
				{"kill(pid, SIGKILL)", abi.Audit, kill, [6]uint64{1, 9}, filter.Trap},
				{"kill(pid, SIGTERM)", abi.Audit, kill, [6]uint64{1, 15}, filter.Allow},
				{"unknown number", abi.Audit, 0x3fff, [6]uint64{}, filter.Errno(want.enosys)},
				{"x86_64 read", tables.X86_64.Audit, 0, [6]uint64{}, filter.KillProcess},
				// The same machine with the other byte order or word size.
				{"other byte order", abi.Audit ^ 0x40000000, want.nr, [6]uint64{}, filter.KillProcess},
				{"other word size", abi.Audit ^ 0x80000000, want.nr, [6]uint64{}, filter.KillProcess},
			} {
				if got := run(c.audit, c.nr, c.args); got != c.want {
					t.Errorf("%s (arch %#x, nr %d): %v, want %v", c.what, c.audit, c.nr, got, c.want)
				}
			}
			// Where the ABI has socketcall (all but parisc), a rule on
			// socket holds through it too.
			sock := mustCompile(t, &Policy{ABIs: []*tables.ABI{abi}, Default: Allow, Rules: []Rule{{Syscall: "socket", Action: ErrnoNamed("EPERM")}}})
			if nr, ok := abi.Number("socketcall"); ok != (want.name != "parisc" && want.name != "parisc64") {
				t.Errorf("%s: socketcall %v", abi.Name, ok)
			} else if ok {
				r, err := filter.Run(sock.Instructions(), &filter.SeccompData{Nr: int32(nr), Arch: abi.Audit, Args: [6]uint64{1}}, abi.ByteOrder())
				if err != nil || r.Ret != filter.Errno(want.eperm) {
					t.Errorf("socketcall(SYS_SOCKET) under a rule on socket: %v, %v; want errno %d", r.Ret, err, want.eperm)
				}
			}
			// A 64-bit ABI compares both words; a 32-bit one the low word,
			// which is all the kernel passes.
			high := run(abi.Audit, kill, [6]uint64{1, 1<<32 | 9})
			if want.wordSize == 8 && high != filter.Allow {
				t.Errorf("kill(pid, 1<<32|9): %v, want allow on a 64-bit ABI", high)
			}
		})
	}
}

// TestTerminalInjectionNumbers checks the ioctl requests the built-in
// policies refuse against the values a C compiler for each ABI computes
// from its uapi asm/ioctls.h (Debian 12's linux-libc-dev and
// linux-libc-dev-*-cross): TIOCSTI and TIOCLINUX are 0x5412 and 0x541c
// but on mips, and on sh, where they are _IOW('T', 18, char) and
// _IOW('T', 28, char). A sandbox on sh refusing 0x5412 alone would let
// TIOCSTI through.
func TestTerminalInjectionNumbers(t *testing.T) {
	want := map[string][2]uint64{
		"mips": {0x5472, 0x5483}, "mipsel": {0x5472, 0x5483}, "mips64": {0x5472, 0x5483},
		"mips64el": {0x5472, 0x5483}, "mips64n32": {0x5472, 0x5483}, "mips64n32el": {0x5472, 0x5483},
		"sh": {0x40015412, 0x4001541c}, "sheb": {0x40015412, 0x4001541c},
	}
	for _, abi := range tables.All() {
		w, ok := want[abi.Name]
		if !ok {
			w = [2]uint64{0x5412, 0x541c}
		}
		conds := terminalInjection(abi)
		if len(conds) != 2 || conds[0][0].Value != w[0] || conds[1][0].Value != w[1] {
			t.Errorf("%s: terminal-injecting ioctls %v, want TIOCSTI %#x and TIOCLINUX %#x", abi.Name, conds, w[0], w[1])
		}
	}
	p, _ := BuiltinPolicy("sandbox")
	p.ABIs = []*tables.ABI{tables.SH}
	prog := mustCompile(t, p)
	for _, c := range []struct {
		req  uint64
		want Action
	}{{0x40015412, ErrnoNamed("EPERM")}, {0x4001541c, ErrnoNamed("EPERM")}, {0x5412, Allow}} {
		if got := simulate(t, prog, call{abi: tables.SH, name: "ioctl", args: [6]uint64{0, c.req}}); got != c.want {
			t.Errorf("sh sandbox: ioctl(0, %#x) = %s, want %s", c.req, got, c.want)
		}
	}
}
