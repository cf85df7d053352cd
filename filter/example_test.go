package filter_test

import (
	"fmt"
	"log"

	"github.com/sysfence/seccomp/filter"
)

// Labels stand for offsets; Assemble resolves them.
func ExampleAssembler() {
	var a filter.Assembler
	deny := a.NewLabel()
	a.LoadAbs(filter.OffsetNr)
	a.JumpIf(filter.BPF_JEQ, 101, deny, filter.Next)
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
