package filter_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/sysfence/seccomp/filter"
)

// Labels stand for offsets; Assemble resolves them.
func ExampleAssembler() {
	var a filter.Assembler
	deny := a.NewLabel()
	a.LoadAbs(filter.OffsetNr)
	a.JumpIf(filter.JumpEq, 101, deny, filter.Next)
	a.Ret(filter.Allow)
	a.Bind(deny)
	a.Ret(filter.Errno(1))
	prog, err := a.Assemble()
	if err != nil {
		log.Fatal(err)
	}
	for _, ins := range prog {
		fmt.Printf("%#04x %d %d %#x\n", ins.Code, ins.Jt, ins.Jf, ins.K)
	}
	// Output:
	// 0x0020 0 0 0x0
	// 0x0015 1 0 0x65
	// 0x0006 0 0 0x7fff0000
	// 0x0006 0 0 0x50001
}

// A VerifyError names the rule broken, the instruction and its index.
func ExampleVerify() {
	prog := []filter.Instruction{
		filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetArgs+2),
		filter.Stmt(filter.BPF_RET|filter.BPF_A, 0),
	}
	err := filter.Verify(prog)
	var ve *filter.VerifyError
	if errors.As(err, &ve) && ve.Reason == filter.ReasonLoadMisaligned {
		fmt.Printf("instruction %d, %v: %v\n", ve.PC, ve.Insn, ve.Reason)
	}
	fmt.Println(err)
	// Output:
	// instruction 0, ld [18]: load at an offset that is not a multiple of 4
	// filter: invalid program: instruction 0 (ld [18]): load at an offset that is not a multiple of 4
}

// Op reads an instruction's opcode field by field.
func ExampleInstruction_Op() {
	for _, ins := range []filter.Instruction{
		filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetNr),
		filter.Jump(filter.BPF_JMP|filter.BPF_JGE|filter.BPF_X, 0, 1, 0),
		filter.Stmt(filter.BPF_RET|filter.BPF_A, 0),
	} {
		op := ins.Op()
		switch op.Class() {
		case filter.ClassLD:
			fmt.Println(ins, "loads with mode ABS:", op.Mode() == filter.ModeABS)
		case filter.ClassJMP:
			fmt.Println(ins, "is", op.JumpOp(), "of X:", op.Source() == filter.SourceX, "conditional:", ins.IsConditionalJump())
		case filter.ClassRET:
			fmt.Println(ins, "returns A:", op.Source() == filter.SourceA)
		}
	}
	// Output:
	// ld [0] loads with mode ABS: true
	// jge x, +1, +0 is jge of X: true conditional: true
	// ret a returns A: true
}
