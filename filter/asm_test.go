package filter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestAssemble(t *testing.T) {
	var a Assembler
	kill, errno := a.NewLabel(), a.NewLabel()
	a.LoadAbs(OffsetNr)
	a.JumpIf(JumpEq, 7, kill, Next)
	a.JumpIf(JumpGE, 100, Next, errno)
	a.Ret(Allow)
	a.Bind(kill)
	a.Ret(KillProcess)
	a.Bind(errno)
	a.Ret(Errno(1))
	got, err := a.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	want := []Instruction{
		Stmt(BPF_LD|BPF_W|BPF_ABS, OffsetNr),
		Jump(BPF_JMP|BPF_JEQ|BPF_K, 7, 2, 0),
		Jump(BPF_JMP|BPF_JGE|BPF_K, 100, 0, 2),
		Stmt(BPF_RET|BPF_K, uint32(Allow)),
		Stmt(BPF_RET|BPF_K, uint32(KillProcess)),
		Stmt(BPF_RET|BPF_K, uint32(Errno(1))),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", Disassemble(got), Disassemble(want))
	}
}

func TestAssembleErrors(t *testing.T) {
	tests := []struct {
		name  string
		build func(a *Assembler)
		want  error
		text  string
	}{
		{"unbound", func(a *Assembler) {
			a.LoadAbs(OffsetNr)
			a.JumpIf(JumpEq, 1, a.NewLabel(), Next)
			a.Ret(Allow)
		}, ErrLabel, "never bound"},
		{"bound twice", func(a *Assembler) {
			l := a.NewLabel()
			a.JA(l)
			a.Bind(l)
			a.Ret(Allow)
			a.Bind(l)
			a.Ret(Allow)
		}, ErrLabel, "bound twice"},
		{"bound past end", func(a *Assembler) {
			l := a.NewLabel()
			a.JA(l)
			a.Ret(Allow)
			a.Bind(l)
		}, ErrLabel, "past the last instruction"},
		{"backward", func(a *Assembler) {
			l := a.NewLabel()
			a.Bind(l)
			a.LoadAbs(OffsetNr)
			a.JumpIf(JumpEq, 1, l, Next)
			a.Ret(Allow)
		}, ErrLabel, "only forward"},
		{"foreign label", func(a *Assembler) {
			a.JA(Label(9))
			a.Ret(Allow)
		}, ErrLabel, "label 9"},
		{"bind Next", func(a *Assembler) {
			a.Bind(Next)
			a.Ret(Allow)
		}, ErrLabel, "bind of label 0"},
		{"JA to Next", func(a *Assembler) {
			a.JA(Next)
			a.Ret(Allow)
		}, ErrLabel, "JA at instruction 0"},
		{"falls off the end", func(a *Assembler) {
			l := a.NewLabel()
			a.Bind(l)
			a.Ret(Allow)
			a.JumpIf(JumpEq, 1, Next, Next)
		}, ErrLabel, "falls through"},
		{"Emit of a jump", func(a *Assembler) {
			a.Emit(Jump(BPF_JMP|BPF_JEQ|BPF_K, 1, 0, 0))
		}, ErrJump, "Emit of jump"},
		{"JumpIf of JA", func(a *Assembler) {
			a.JumpIf(JumpAlways, 1, Next, Next)
		}, ErrJump, "JumpIf with jump operation ja"},
		{"JumpIf of an unknown operation", func(a *Assembler) {
			a.JumpIf(JumpOp(0x50), 1, Next, Next)
		}, ErrJump, "JumpIf with jump operation JumpOp(0x50)"},
		{"JumpIfX of an operation with a source", func(a *Assembler) {
			a.JumpIfX(JumpEq|JumpOp(BPF_X), Next, Next)
		}, ErrJump, "JumpIf with jump operation JumpOp(0x18)"},
		{"too long", func(a *Assembler) {
			for range MaxInstructions + 1 {
				a.Ret(Allow)
			}
		}, ErrTooLong, "4097 instructions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Assembler
			tt.build(&a)
			prog, err := a.Assemble()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("Assemble() = %d instructions, %v; want an error wrapping %v and saying %q", len(prog), err, tt.want, tt.text)
			}
		})
	}
}

// padding appends n instructions that leave A alone.
func padding(a *Assembler, n int) {
	for range n {
		a.Emit(Stmt(BPF_LDX|BPF_W|BPF_IMM, 0))
	}
}

// runNr runs prog with seccomp_data.nr = nr.
func runNr(t *testing.T, prog []Instruction, nr int32) Action {
	t.Helper()
	res, err := Run(prog, &SeccompData{Nr: nr}, binary.LittleEndian)
	if err != nil {
		t.Fatalf("Run(nr=%d): %v\n%s", nr, err, Disassemble(prog))
	}
	return res.Ret
}

// TestAssembleFarJumps checks conditional jumps past 255 instructions:
// far true and false branches, both at once, and a jump that is in range
// until a trampoline inserted after it pushes its target away.
func TestAssembleFarJumps(t *testing.T) {
	var a Assembler
	far := make([]Label, 6)
	for i := range far {
		far[i] = a.NewLabel()
	}
	a.LoadAbs(OffsetNr)
	// Instruction 1 reaches far[0] with offset 255 exactly, until the
	// trampoline of instruction 2 lands between them.
	a.JumpIf(JumpEq, 1, far[0], Next)
	a.JumpIf(JumpEq, 2, far[1], Next)   // far true branch
	a.JumpIf(JumpEq, 3, Next, far[2])   // far false branch: nr != 3 leaves
	a.JumpIf(JumpGE, 4, far[3], far[4]) // both far
	padding(&a, 251)                    // reached by nobody
	a.Bind(far[0])                      // 1 + 1 + 255 = 257
	a.Ret(Errno(1))                     // nr == 1
	padding(&a, 300)                    // more than 255 away from the jumps
	a.Bind(far[1])                      //
	a.Ret(Errno(2))                     // nr == 2
	a.Bind(far[2])                      //
	a.Ret(Errno(3))                     // nr is not 1, 2 or 3
	a.Bind(far[3])                      //
	a.Ret(Errno(4))                     // unreachable: only nr 3 gets here
	a.Bind(far[4])                      //
	a.Ret(Errno(5))                     // nr == 3
	a.Bind(far[5])                      //
	a.Ret(Errno(6))                     // bound, never used: allowed
	prog, err := a.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(prog); err != nil {
		t.Fatalf("Verify: %v\n%s", err, Disassemble(prog))
	}
	if extra := len(prog) - a.Len(); extra != 5 {
		t.Errorf("%d trampolines, want 5 (1 for each of instructions 1-3, 2 for instruction 4)", extra)
	}
	for nr, want := range map[int32]Action{0: Errno(3), 1: Errno(1), 2: Errno(2), 3: Errno(5), 4: Errno(3), 1000: Errno(3)} {
		if got := runNr(t, prog, nr); got != want {
			t.Errorf("nr %d: %v, want %v", nr, got, want)
		}
	}
}

// TestAssembleTrampolineCascade builds a ladder of jumps where only the
// last is out of range at first and each trampoline pushes the jump before
// it out of range: jump i reaches 255-(n-2-i) instructions ahead, the last
// one 256. Placed last to first, each jump must see the trampolines of the
// jumps after it, or it lands short.
func TestAssembleTrampolineCascade(t *testing.T) {
	const n = 40
	var a Assembler
	targets := make([]Label, n)
	a.LoadAbs(OffsetNr)
	for i := range targets {
		targets[i] = a.NewLabel()
		a.JumpIf(JumpEq, uint32(i), targets[i], Next)
	}
	a.Ret(Allow)
	padding(&a, 257-2*n) // targets[i] lands at 259-n+2i
	for i := range targets {
		a.Bind(targets[i])
		a.Ret(Errno(uint16(i)))
		if i < n-1 {
			padding(&a, 1)
		}
	}
	prog, err := a.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(prog); err != nil {
		t.Fatalf("Verify: %v\n%s", err, Disassemble(prog))
	}
	if extra := len(prog) - a.Len(); extra != n {
		t.Errorf("%d trampolines, want %d", extra, n)
	}
	for i := range n {
		if got, want := runNr(t, prog, int32(i)), Errno(uint16(i)); got != want {
			t.Errorf("nr %d: %v, want %v", i, got, want)
		}
	}
	if got := runNr(t, prog, n); got != Allow {
		t.Errorf("nr %d: %v, want allow", n, got)
	}
}

// TestAssembleTooLongWithTrampolines checks that trampolines count toward
// the limit: the program is 4096 instructions before they are added.
func TestAssembleTooLongWithTrampolines(t *testing.T) {
	var a Assembler
	l := a.NewLabel()
	a.LoadAbs(OffsetNr)
	a.JumpIf(JumpEq, 1, l, Next)
	padding(&a, MaxInstructions-4)
	a.Ret(Allow)
	a.Bind(l)
	a.Ret(KillProcess)
	if a.Len() != MaxInstructions {
		t.Fatalf("test builds %d instructions, want %d", a.Len(), MaxInstructions)
	}
	_, err := a.Assemble()
	if !errors.Is(err, ErrTooLong) || !strings.Contains(err.Error(), fmt.Sprint(MaxInstructions+1)) {
		t.Fatalf("Assemble: %v, want ErrTooLong for %d instructions", err, MaxInstructions+1)
	}
}

func TestAssembleJumpIfX(t *testing.T) {
	var a Assembler
	eq := a.NewLabel()
	a.Emit(Stmt(BPF_LDX|BPF_IMM, 59))
	a.LoadAbs(OffsetNr)
	a.JumpIfX(JumpEq, eq, Next)
	a.Ret(Allow)
	a.Bind(eq)
	a.Ret(Errno(1))
	got, err := a.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	if want := Jump(BPF_JMP|BPF_JEQ|BPF_X, 0, 1, 0); got[2] != want {
		t.Errorf("JumpIfX assembled %v, want %v", got[2], want)
	}
	for nr, want := range map[int32]Action{59: Errno(1), 60: Allow} {
		if got := runNr(t, got, nr); got != want {
			t.Errorf("nr %d: %v, want %v", nr, got, want)
		}
	}
}
