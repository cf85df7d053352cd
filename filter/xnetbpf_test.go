package filter

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"golang.org/x/net/bpf"
)

// The differential test runs the same programs on the same seccomp data in
// this package's simulator and in the virtual machine of
// golang.org/x/net/bpf, and requires the same return value.
//
// Bridging the two:
//
//   - Byte order. x/net's absolute loads read big-endian (network order)
//     words of the packet, while seccomp loads native words of struct
//     seccomp_data. The packet handed to x/net is therefore the seccomp
//     data re-encoded word by word: each aligned 32-bit word, as the ABI's
//     byte order reads it, stored big-endian. Word k of the packet then
//     loads as the value our simulator sees at offset k, whatever the
//     ABI's byte order. The packet is 64 bytes long, so x/net's "ld #len"
//     loads 64 as the kernel's rewrite of it does.
//   - Opcodes x/net does not run as seccomp does. x/net's VM has no NegateA
//     (Run fails on it); "neg" becomes "mul #0xffffffff", which is -A in
//     32-bit arithmetic and keeps every jump offset. x/net decodes
//     BPF_LDX|BPF_W|BPF_LEN as a load into A; the kernel rewrites it to
//     "ldx #64" (seccomp_check_filter), which is what x/net gets.
//   - Shifts by X. The kernel uses the low 5 bits of X (kernel/bpf/core.c
//     masks the shift count) and x/net shifts by all of X, which gives 0
//     for X >= 32. A run that shifts by X >= 32 is not compared; the test
//     counts them to make sure most runs are.
//   - Return values. x/net's Run (v0.62.0, the version in go.mod) returns
//     the RET value as an int without clipping it to the packet length;
//     converting it back to uint32 recovers the 32-bit value on every
//     platform, even where int has 32 bits. Division by X = 0 returns 0
//     in both.
//
// x/net reports no step count, so only return values are compared.

// xnetProgram converts prog to x/net's instructions.
func xnetProgram(prog []Instruction) []bpf.Instruction {
	out := make([]bpf.Instruction, len(prog))
	for i, ins := range prog {
		switch ins.Code {
		case BPF_ALU | BPF_NEG:
			out[i] = bpf.ALUOpConstant{Op: bpf.ALUOpMul, Val: 0xffffffff}
		case BPF_LDX | BPF_W | BPF_LEN:
			out[i] = bpf.LoadConstant{Dst: bpf.RegX, Val: SeccompDataSize}
		default:
			out[i] = bpf.RawInstruction{Op: ins.Code, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}.Disassemble()
		}
	}
	return out
}

// xnetPacket returns data as the packet x/net must load it from.
func xnetPacket(data *SeccompData, order binary.ByteOrder) []byte {
	native := data.Bytes(order)
	packet := make([]byte, len(native))
	for off := 0; off < len(native); off += 4 {
		binary.BigEndian.PutUint32(packet[off:], order.Uint32(native[off:]))
	}
	return packet
}

// runCompared runs prog on data in our interpreter and reports its result
// and whether the run is one x/net must agree with: it shifts by no X of
// 32 or more.
func runCompared(prog []Instruction, data *SeccompData, order binary.ByteOrder) (Result, bool) {
	in := interpreter{prog: prog, data: data.words(order)}
	comparable := true
	for {
		ins := prog[in.pc]
		if (ins.Code == BPF_ALU|BPF_LSH|BPF_X || ins.Code == BPF_ALU|BPF_RSH|BPF_X) && in.x >= 32 {
			comparable = false
		}
		if ret, done := in.step(); done {
			return Result{Ret: Action(ret), Steps: in.steps}, comparable
		}
	}
}

// xnetCompare runs prog on data in both machines and fails t when they
// disagree. It reports whether the run was compared.
func xnetCompare(t *testing.T, prog []Instruction, data *SeccompData, order binary.ByteOrder) bool {
	t.Helper()
	if err := Verify(prog); err != nil {
		t.Fatalf("test program: %v", err)
	}
	want, err := Run(prog, data, order)
	if err != nil {
		t.Fatal(err)
	}
	got, comparable := runCompared(prog, data, order)
	if got != want {
		t.Fatalf("stepping gives %+v, Run gives %+v", got, want)
	}
	if !comparable {
		return false
	}
	vm, err := bpf.NewVM(xnetProgram(prog))
	if err != nil {
		t.Fatalf("x/net refuses a verified program: %v\n%s", err, Disassemble(prog))
	}
	out, err := vm.Run(xnetPacket(data, order))
	if err != nil {
		t.Fatalf("x/net: %v\n%s", err, Disassemble(prog))
	}
	if uint32(out) != uint32(want.Ret) {
		t.Fatalf("%s data %+v: x/net returns %#x, Run returns %#x\n%s",
			order, *data, uint32(out), uint32(want.Ret), Disassemble(prog))
	}
	return true
}

var xnetOrders = []binary.ByteOrder{binary.LittleEndian, binary.BigEndian}

func TestXNetHandWritten(t *testing.T) {
	progs := map[string][]Instruction{
		"allow-list":    simAllowList,
		"argument":      simArgCheck,
		"every opcode":  verifyAllOpcodes,
		"two arches":    disasmTwoArches,
		"stats program": statsProgram,
		"division by X = 0": {
			insLd(OffsetArgs), Stmt(BPF_MISC|BPF_TAX, 0), Stmt(BPF_LD|BPF_IMM, 100),
			Stmt(BPF_ALU|BPF_DIV|BPF_X, 0), insRetA(),
		},
		"neg": {insLd(OffsetNr), Stmt(BPF_ALU|BPF_NEG, 0), insRetA()},
		"len": {
			Stmt(BPF_LD|BPF_W|BPF_LEN, 0), Stmt(BPF_LDX|BPF_W|BPF_LEN, 0),
			Stmt(BPF_ALU|BPF_ADD|BPF_X, 0), insRetA(),
		},
		"shift by an argument": {
			insLd(OffsetArgs + 4), Stmt(BPF_MISC|BPF_TAX, 0), insLd(OffsetArch),
			Stmt(BPF_ALU|BPF_RSH|BPF_X, 0), insRetA(),
		},
		"every word": {
			insLd(0), Stmt(BPF_ALU|BPF_XOR|BPF_K, 0), Stmt(BPF_ST, 0),
			insLd(8), Stmt(BPF_LDX|BPF_MEM, 0), Stmt(BPF_ALU|BPF_ADD|BPF_X, 0), Stmt(BPF_ST, 0),
			insLd(12), Stmt(BPF_LDX|BPF_MEM, 0), Stmt(BPF_ALU|BPF_ADD|BPF_X, 0), Stmt(BPF_ST, 0),
			insLd(16), Stmt(BPF_LDX|BPF_MEM, 0), Stmt(BPF_ALU|BPF_MUL|BPF_X, 0), Stmt(BPF_ST, 0),
			insLd(44), Stmt(BPF_LDX|BPF_MEM, 0), Stmt(BPF_ALU|BPF_SUB|BPF_X, 0), Stmt(BPF_ST, 0),
			insLd(60), Stmt(BPF_LDX|BPF_MEM, 0), Stmt(BPF_ALU|BPF_XOR|BPF_X, 0), insRetA(),
		},
	}
	r := rand.New(rand.NewPCG(5, 6))
	for name, prog := range progs {
		t.Run(name, func(t *testing.T) {
			compared := 0
			for i := range 500 {
				data := randData(r, prog)
				if i%2 == 0 {
					data.Arch = auditX86_64
				}
				for _, order := range xnetOrders {
					if xnetCompare(t, prog, &data, order) {
						compared++
					}
				}
			}
			if compared < 500 {
				t.Errorf("only %d of 1000 runs compared", compared)
			}
		})
	}
}

func TestXNetRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	runs, compared := 0, 0
	for range 3000 {
		prog := randValidProgram(r, 48)
		for range 4 {
			data := randData(r, prog)
			for _, order := range xnetOrders {
				runs++
				if xnetCompare(t, prog, &data, order) {
					compared++
				}
			}
		}
	}
	t.Logf("compared %d of %d runs", compared, runs)
	if compared < runs*9/10 {
		t.Errorf("compared only %d of %d runs", compared, runs)
	}
}
