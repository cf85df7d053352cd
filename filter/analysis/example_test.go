package analysis_test

import (
	"encoding/binary"
	"fmt"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/filter/analysis"
)

// A filter that checks only the system-call number, the kind this module
// replaces: its regions show that any arch reaches the allow.
func Example() {
	prog := []filter.Instruction{
		filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, filter.OffsetNr),
		filter.Jump(filter.BPF_JMP|filter.BPF_JEQ|filter.BPF_K, 101, 0, 1), // ptrace on x86_64
		filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Errno(1))),
		filter.Stmt(filter.BPF_RET|filter.BPF_K, uint32(filter.Allow)),
	}
	s := analysis.NewSpace()
	f, err := s.Analyze(prog, binary.LittleEndian)
	if err != nil {
		panic(err)
	}
	// The program never reads arch: every arch value leads to one function.
	for _, arch := range s.Split(f, analysis.FieldArch) {
		fmt.Println("arch", arch.Ranges)
		for _, nr := range s.Split(arch.Sub, analysis.FieldNr) {
			ret, _ := s.IsLeaf(nr.Sub)
			fmt.Println("  nr", nr.Ranges, filter.Action(ret))
		}
	}
	// Output:
	// arch [{0 4294967295}]
	//   nr [{0 100} {102 4294967295}] allow
	//   nr [{101 101}] errno:1
}
