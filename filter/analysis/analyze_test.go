package analysis_test

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/filter/analysis"
)

// randomProgram returns a program that filter.Verify accepts, made of
// every kind of instruction seccomp allows, with constants drawn from a
// small pool so that jumps compare loaded words with values they can hold.
func randomProgram(r *rand.Rand, pool []uint32) []filter.Instruction {
	for {
		n := 2 + r.IntN(40)
		prog := make([]filter.Instruction, n)
		k := func() uint32 {
			if r.IntN(4) == 0 {
				return r.Uint32()
			}
			return pool[r.IntN(len(pool))]
		}
		for i := range n - 1 {
			left := n - 1 - i // instructions after this one
			switch r.IntN(16) {
			case 0, 1, 2:
				prog[i] = filter.Stmt(filter.BPF_LD|filter.BPF_W|filter.BPF_ABS, 4*uint32(r.IntN(16)))
			case 3:
				prog[i] = filter.Stmt(filter.BPF_LD|filter.BPF_IMM, k())
			case 4:
				prog[i] = filter.Stmt(filter.BPF_LDX|filter.BPF_IMM, k())
			case 5:
				prog[i] = filter.Stmt([]uint16{filter.BPF_ST, filter.BPF_STX}[r.IntN(2)], uint32(r.IntN(4)))
			case 6:
				prog[i] = filter.Stmt([]uint16{filter.BPF_LD | filter.BPF_MEM, filter.BPF_LDX | filter.BPF_MEM}[r.IntN(2)], uint32(r.IntN(4)))
			case 7:
				prog[i] = filter.Stmt(filter.BPF_MISC|[]uint16{filter.BPF_TAX, filter.BPF_TXA}[r.IntN(2)], 0)
			case 8, 9:
				ops := []uint16{filter.BPF_ADD, filter.BPF_SUB, filter.BPF_MUL, filter.BPF_DIV, filter.BPF_OR, filter.BPF_AND, filter.BPF_LSH, filter.BPF_RSH, filter.BPF_XOR, filter.BPF_NEG}
				op := ops[r.IntN(len(ops))]
				src := []uint16{filter.BPF_K, filter.BPF_X}[r.IntN(2)]
				kk := k()
				if op == filter.BPF_LSH || op == filter.BPF_RSH {
					kk %= 32
				}
				if op == filter.BPF_DIV && kk == 0 {
					kk = []uint32{1, 2, 3, 8}[r.IntN(4)]
				}
				prog[i] = filter.Stmt(filter.BPF_ALU|op|src, kk)
			case 10:
				prog[i] = filter.Stmt(filter.BPF_LDX|filter.BPF_LEN, 0)
			case 11:
				prog[i] = filter.Stmt(filter.BPF_RET|filter.BPF_K, k())
			case 12:
				prog[i] = filter.Stmt(filter.BPF_JMP|filter.BPF_JA, uint32(r.IntN(left)))
			default:
				ops := []uint16{filter.BPF_JEQ, filter.BPF_JGT, filter.BPF_JGE, filter.BPF_JSET}
				src := []uint16{filter.BPF_K, filter.BPF_X}[r.IntN(4)/3]
				prog[i] = filter.Jump(filter.BPF_JMP|ops[r.IntN(4)]|src, k(), uint8(r.IntN(min(left, 256))), uint8(r.IntN(min(left, 256))))
			}
		}
		prog[n-1] = filter.Stmt(filter.BPF_RET|filter.BPF_K, k())
		if filter.Verify(prog) == nil {
			return prog
		}
	}
}

// TestAnalyzeAgreesWithRun checks the decision function of random
// programs against the simulator on inputs made of the programs' own
// constants, their neighbours and random words, in both byte orders.
func TestAnalyzeAgreesWithRun(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pool := []uint32{0, 1, 2, 3, 4, 7, 8, 0x10, 31, 32, 64, 0x3e, 0x40000000, 0x7fffffff, 0x80000000, 0xc000003e, 0xfffffffe, 0xffffffff}
	programs, refused, inputs := 0, 0, 0
	for programs < 3000 {
		prog := randomProgram(r, pool)
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			s := analysis.NewSpace()
			s.SetLimit(1 << 18)
			f, err := s.Analyze(prog, order)
			if errors.Is(err, analysis.ErrNotAnalysable) {
				refused++
				continue
			}
			if err != nil {
				t.Fatalf("Analyze: %v\n%v", err, prog)
			}
			for range 50 {
				var in analysis.Input
				for i := range in {
					switch r.IntN(3) {
					case 0:
						in[i] = r.Uint32()
					case 1:
						in[i] = pool[r.IntN(len(pool))]
					default:
						in[i] = prog[r.IntN(len(prog))].K + uint32(r.IntN(3)) - 1
					}
				}
				d := in.Data()
				want, err := filter.Run(prog, &d, order)
				if err != nil {
					t.Fatal(err)
				}
				if got := s.Eval(f, &in); got != uint32(want.Ret) {
					t.Fatalf("%v on %+v (%v): analysis %#x, filter.Run %#x\n%v", order, d, in, got, uint32(want.Ret), prog)
				}
				inputs++
			}
			// Every cube's witness decides as the cube says.
			cubes := 0
			s.Cubes(f, func(c *analysis.Cube, v uint32) bool {
				in := c.Witness()
				d := in.Data()
				want, _ := filter.Run(prog, &d, order)
				if uint32(want.Ret) != v {
					t.Fatalf("cube %v says %#x, filter.Run %#x on its witness", c, v, uint32(want.Ret))
				}
				cubes++
				return cubes < 64
			})
		}
		programs++
	}
	t.Logf("%d programs, %d inputs; %d analyses refused", programs, inputs, refused)
	if refused > programs/2 {
		t.Errorf("%d of %d analyses refused: the generator or the analysis is too narrow", refused, 2*programs)
	}
}
