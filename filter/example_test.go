package filter_test

import (
	"fmt"
	"log"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// Compile a denylist for x86_64 and run system calls through the program.
func ExampleCompile() {
	abi := tables.X86_64
	ptrace, _ := abi.Number("ptrace")
	enosys, _ := abi.Errno("ENOSYS")
	p := &filter.Policy{
		ABIs: []filter.ABIPolicy{{
			ABI:     abi,
			Rules:   []filter.Rule{{Nr: ptrace, Action: filter.Errno(1)}},
			Default: filter.Allow,
			Unknown: filter.Errno(enosys),
		}},
		Foreign: filter.KillProcess,
		X32:     filter.KillProcess,
	}
	prog, err := filter.Compile(p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(prog), "instructions")
	for _, d := range []filter.SeccompData{
		{Arch: abi.Audit, Nr: int32(ptrace)},
		{Arch: abi.Audit, Nr: 39},         // getpid
		{Arch: abi.Audit, Nr: 1000},       // not in the table
		{Arch: abi.Audit, Nr: 0x40000000}, // x32 read
		{Arch: tables.I386.Audit, Nr: 26}, // i386 ptrace
	} {
		res, err := filter.Run(prog, &d, abi.ByteOrder())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("arch %#x nr %#x: %v in %d steps\n", d.Arch, d.Nr, res.Ret, res.Steps)
	}
	// Output:
	// 15 instructions
	// arch 0xc000003e nr 0x65: errno:1 in 6 steps
	// arch 0xc000003e nr 0x27: allow in 6 steps
	// arch 0xc000003e nr 0x3e8: errno:38 in 9 steps
	// arch 0xc000003e nr 0x40000000: kill-process in 9 steps
	// arch 0x40000003 nr 0x1a: kill-process in 3 steps
}

// A rule may depend on the arguments: here socket is allowed for AF_UNIX
// only. Evaluate gives the policy's answer without compiling it.
func ExamplePolicy_Evaluate() {
	abi := tables.AArch64
	socket, _ := abi.Number("socket")
	p := &filter.Policy{
		ABIs: []filter.ABIPolicy{{
			ABI: abi,
			Rules: []filter.Rule{{
				Nr:     socket,
				Action: filter.Errno(97), // EAFNOSUPPORT
				Args: []filter.ArgRule{{
					Conds:  []filter.Cond{{Arg: 0, Op: filter.OpEq, Value: 1}}, // AF_UNIX
					Action: filter.Allow,
				}},
			}},
			Default: filter.Allow,
			Unknown: filter.Allow,
		}},
		Foreign: filter.KillProcess,
	}
	for _, domain := range []uint64{1, 2} {
		d := filter.SeccompData{Arch: abi.Audit, Nr: int32(socket), Args: [6]uint64{domain}}
		fmt.Printf("socket(%d): %v\n", domain, p.Evaluate(&d))
	}
	// Output:
	// socket(1): allow
	// socket(2): errno:97
}

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

// Error names resolve per architecture: ENOSYS is 38 on x86_64 and 89 on
// mips.
func ExampleParseAction() {
	for _, abi := range []*tables.ABI{tables.X86_64, tables.MIPS} {
		act, err := filter.ParseAction("errno:ENOSYS", abi)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(abi.Name, act)
	}
	_, err := filter.ParseAction("errno:ENOSIS", tables.X86_64)
	fmt.Println(err)
	// Output:
	// x86_64 errno:38
	// mips errno:89
	// action "errno:ENOSIS": filter: bad errno "ENOSIS": no such error name on x86_64
}
