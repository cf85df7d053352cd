//go:build linux && amd64

package seccomp

import (
	"bytes"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/sysfence/seccomp/filter"
	probepkg "github.com/sysfence/seccomp/internal/probe"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// highWordProgram is a hand-written program for x86_64 and i386 that
// fails an i386 call with EACCES when the high word of its first
// argument is not zero, and allows everything else of the two ABIs. This
// package's compiler never reads that word on i386; a program from
// elsewhere may.
func highWordProgram(t testing.TB) *Program {
	var a filter.Assembler
	i386, hiNonzero, allow, kill := a.NewLabel(), a.NewLabel(), a.NewLabel(), a.NewLabel()
	a.LoadAbs(filter.OffsetArch)
	a.JumpIf(filter.JumpEq, tables.I386.Audit, i386, filter.Next)
	a.JumpIf(filter.JumpEq, tables.X86_64.Audit, allow, kill)
	a.Bind(i386)
	a.LoadAbs(filter.OffsetArgs + 4) // bits 32..63 of args[0], little-endian
	a.JumpIf(filter.JumpEq, 0, allow, hiNonzero)
	a.Bind(hiNonzero)
	a.Ret(filter.Errno(uint16(syscall.EACCES)))
	a.Bind(allow)
	a.Ret(filter.Allow)
	a.Bind(kill)
	a.Ret(filter.KillProcess)
	insns, err := a.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	prog, err := NewProgram(insns, tables.X86_64, tables.I386)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// int80Requests are the calls the int80 scenario makes: i386 getpid (20)
// through int 0x80, with the high word of its first argument clear and
// set.
var int80Requests = []uint64{0, 1 << 32}

// scenarioInt80 installs highWordProgram and answers int80Requests, one
// probe answer a line.
func scenarioInt80() (any, error) {
	var req strings.Builder
	for _, a0 := range int80Requests {
		fmt.Fprintf(&req, "int80 20 %#x 0 0 0 0 0\n", a0)
	}
	prog := highWordProgram(nil)
	if err := prog.Install(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := probepkg.Serve(strings.NewReader(req.String()), &out, func(f func()) { f() }); err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSpace(out.String()), "\n"), nil
}

// TestEvaluateNrSeesHighWords is point 21 of issue 17: through int 0x80
// from a 64-bit process the kernel hands seccomp whole 64-bit registers,
// and EvaluateNr must pass a program what the kernel passes it, high
// words included, so that it agrees with the kernel on a program that
// reads them.
func TestEvaluateNrSeesHighWords(t *testing.T) {
	prog := highWordProgram(t)
	for _, a0 := range int80Requests {
		want := Allow
		if a0>>32 != 0 {
			want = ErrnoNamed("EACCES")
		}
		if got, err := prog.EvaluateNr(tables.I386, 20, a0); got != want || err != nil {
			t.Errorf("EvaluateNr(x86, getpid, %#x) = %q, %v; want %q", a0, got, err, want)
		}
	}

	requireSeccomp(t)
	child := testenv.Run(t, testenv.Self(t), "int80")
	testenv.Require(t, child.Signaled() != syscall.SIGSEGV, "needs int 0x80 from 64-bit code (IA-32 emulation)")
	var answers []string
	child.Decode(t, &answers)
	if len(answers) != len(int80Requests) {
		t.Fatalf("the child answered %q to %d requests", answers, len(int80Requests))
	}
	for i, a0 := range int80Requests {
		evaluated, err := prog.EvaluateNr(tables.I386, 20, a0)
		if err != nil {
			t.Fatal(err)
		}
		kernel := Allow
		if strings.HasPrefix(answers[i], "errno ") {
			kernel = ErrnoNamed("EACCES")
			if answers[i] != fmt.Sprintf("errno %d", syscall.EACCES) {
				t.Fatalf("the kernel answered %q to getpid(%#x) through int 0x80", answers[i], a0)
			}
		}
		if evaluated != kernel {
			t.Errorf("getpid(%#x) through int 0x80: the kernel's run gives %q (%s), EvaluateNr %q", a0, kernel, answers[i], evaluated)
		}
	}
}

func init() { scenarios["int80"] = scenarioInt80 }
