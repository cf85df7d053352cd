package filter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/tables"
)

func TestInstructionString(t *testing.T) {
	tests := []struct {
		ins  Instruction
		want string
	}{
		{insLd(4), "ld [4]"},
		{Stmt(BPF_LD|BPF_H|BPF_ABS, 12), "ldh [12]"},
		{Stmt(BPF_LD|BPF_B|BPF_ABS, 23), "ldb [23]"},
		{Stmt(BPF_LD|BPF_W|BPF_IND, 4), "ld [x + 4]"},
		{Stmt(BPF_LD|BPF_H|BPF_IND, 6), "ldh [x + 6]"},
		{Stmt(BPF_LD|BPF_B|BPF_IND, 1), "ldb [x + 1]"},
		{Stmt(BPF_LD|BPF_W|BPF_LEN, 0), "ld #len"},
		{Stmt(BPF_LD|BPF_IMM, 0), "ld #0x0"},
		{Stmt(BPF_LD|BPF_IMM, 0xc000003e), "ld #0xc000003e"},
		{Stmt(BPF_LD|BPF_MEM, 15), "ld M[15]"},
		{Stmt(BPF_LDX|BPF_W|BPF_LEN, 0), "ldx #len"},
		{Stmt(BPF_LDX|BPF_IMM, 3), "ldx #0x3"},
		{Stmt(BPF_LDX|BPF_MEM, 2), "ldx M[2]"},
		{Stmt(BPF_LDX|BPF_B|BPF_MSH, 14), "ldxb 4*([14]&0xf)"},
		{Stmt(BPF_ST, 0), "st M[0]"},
		{Stmt(BPF_STX, 7), "stx M[7]"},
		{Stmt(BPF_ALU|BPF_ADD|BPF_K, 1), "add #0x1"},
		{Stmt(BPF_ALU|BPF_ADD|BPF_X, 0), "add x"},
		{Stmt(BPF_ALU|BPF_SUB|BPF_K, 2), "sub #0x2"},
		{Stmt(BPF_ALU|BPF_SUB|BPF_X, 0), "sub x"},
		{Stmt(BPF_ALU|BPF_MUL|BPF_K, 3), "mul #0x3"},
		{Stmt(BPF_ALU|BPF_MUL|BPF_X, 0), "mul x"},
		{Stmt(BPF_ALU|BPF_DIV|BPF_K, 4), "div #0x4"},
		{Stmt(BPF_ALU|BPF_DIV|BPF_X, 0), "div x"},
		{Stmt(BPF_ALU|BPF_MOD|BPF_K, 5), "mod #0x5"},
		{Stmt(BPF_ALU|BPF_MOD|BPF_X, 0), "mod x"},
		{Stmt(BPF_ALU|BPF_AND|BPF_K, 0xff), "and #0xff"},
		{Stmt(BPF_ALU|BPF_AND|BPF_X, 0), "and x"},
		{Stmt(BPF_ALU|BPF_OR|BPF_K, 0x40000000), "or #0x40000000"},
		{Stmt(BPF_ALU|BPF_OR|BPF_X, 0), "or x"},
		{Stmt(BPF_ALU|BPF_XOR|BPF_K, 1), "xor #0x1"},
		{Stmt(BPF_ALU|BPF_XOR|BPF_X, 0), "xor x"},
		{Stmt(BPF_ALU|BPF_LSH|BPF_K, 8), "lsh #0x8"},
		{Stmt(BPF_ALU|BPF_LSH|BPF_X, 0), "lsh x"},
		{Stmt(BPF_ALU|BPF_RSH|BPF_K, 16), "rsh #0x10"},
		{Stmt(BPF_ALU|BPF_RSH|BPF_X, 0), "rsh x"},
		{Stmt(BPF_ALU|BPF_NEG, 0), "neg"},
		{Stmt(BPF_JMP|BPF_JA, 300), "ja +300"},
		{insJeq(0xc000003e, 0, 7), "jeq #0xc000003e, +0, +7"},
		{Jump(BPF_JMP|BPF_JEQ|BPF_X, 0, 1, 0), "jeq x, +1, +0"},
		{Jump(BPF_JMP|BPF_JGT|BPF_K, 9, 2, 3), "jgt #0x9, +2, +3"},
		{Jump(BPF_JMP|BPF_JGT|BPF_X, 0, 2, 3), "jgt x, +2, +3"},
		{Jump(BPF_JMP|BPF_JGE|BPF_K, 0x40000000, 255, 0), "jge #0x40000000, +255, +0"},
		{Jump(BPF_JMP|BPF_JGE|BPF_X, 0, 0, 0), "jge x, +0, +0"},
		{Jump(BPF_JMP|BPF_JSET|BPF_K, 0x80, 0, 1), "jset #0x80, +0, +1"},
		{Jump(BPF_JMP|BPF_JSET|BPF_X, 0, 4, 4), "jset x, +4, +4"},
		{insRet(uint32(Allow)), "ret #0x7fff0000"},
		{insRetA(), "ret a"},
		{Stmt(BPF_RET|BPF_X, 0), "ret x"},
		{Stmt(BPF_MISC|BPF_TAX, 0), "tax"},
		{Stmt(BPF_MISC|BPF_TXA, 0), "txa"},
		{Instruction{Code: 0xff, Jt: 1, Jf: 2, K: 3}, "unknown(code=0xff jt=1 jf=2 k=0x3)"},
		{Stmt(BPF_ALU|BPF_NEG|BPF_X, 0), "unknown(code=0x8c jt=0 jf=0 k=0x0)"},
		{Stmt(0x100|BPF_ALU|BPF_ADD, 1), "unknown(code=0x104 jt=0 jf=0 k=0x1)"},
		{Stmt(BPF_JMP|0x50, 1), "unknown(code=0x55 jt=0 jf=0 k=0x1)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.ins.String(); got != tt.want {
				t.Errorf("%#v.String() = %q, want %q", tt.ins, got, tt.want)
			}
		})
	}
}

// disasmTwoArches is a policy for x86_64 and i386 as the compiler lays it
// out: an arch dispatch, a binary search over syscall numbers per arch,
// a check of write's arguments, and returns shared by both arches.
var disasmTwoArches = []Instruction{
	{Code: 0x20, K: 0x4},
	{Code: 0x15, Jt: 0x1, K: 0xc000003e},
	{Code: 0x15, Jt: 0x6, Jf: 0x1d, K: 0x40000003},
	{Code: 0x20, K: 0x0},
	{Code: 0x35, Jt: 0x2, K: 0x151},
	{Code: 0x35, Jt: 0x1b, K: 0x2},
	{Code: 0x35, Jt: 0x10, Jf: 0x1b, K: 0x1},
	{Code: 0x35, Jf: 0x1b, K: 0x1a8},
	{Code: 0x35, Jt: 0x1a, Jf: 0x18, K: 0x1d8},
	{Code: 0x20, K: 0x0},
	{Code: 0x35, Jt: 0x3, K: 0xe0},
	{Code: 0x35, Jt: 0x1, K: 0x4},
	{Code: 0x35, Jt: 0x15, Jf: 0x13, K: 0x3},
	{Code: 0x35, Jt: 0x15, Jf: 0x12, K: 0xde},
	{Code: 0x35, Jt: 0x4, K: 0x183},
	{Code: 0x35, Jt: 0x10, K: 0x11e},
	{Code: 0x35, Jt: 0x1, K: 0xfc},
	{Code: 0x35, Jt: 0x11, Jf: 0xe, K: 0xfb},
	{Code: 0x35, Jt: 0x10, Jf: 0xd, K: 0x11d},
	{Code: 0x35, Jt: 0x2, K: 0x1a0},
	{Code: 0x35, Jf: 0xe, K: 0x189},
	{Code: 0x35, Jt: 0xd, Jf: 0xa, K: 0x19f},
	{Code: 0x35, Jt: 0xc, Jf: 0x9, K: 0x1d8},
	{Code: 0x20, K: 0x10},
	{Code: 0x15, Jf: 0xb, K: 0x1},
	{Code: 0x20, K: 0x14},
	{Code: 0x15, Jf: 0x9, K: 0x0},
	{Code: 0x20, K: 0x24},
	{Code: 0x25, Jt: 0x5, K: 0x1},
	{Code: 0x15, Jf: 0x6, K: 0x1},
	{Code: 0x20, K: 0x20},
	{Code: 0x25, Jt: 0x2, Jf: 0x4, K: 0x0},
	{Code: 0x6, K: 0x80000000},
	{Code: 0x6, K: 0x50001},
	{Code: 0x6, K: 0x7fff0000},
	{Code: 0x6, K: 0x50026},
	{Code: 0x6, K: 0x5000d},
}

const disasmTwoArchesText = `     ld [4]                    ; arch
     jeq #0xc000003e, L3       ; x86_64
     jeq #0x40000003, L9, L32  ; x86
L3:  ld [0]                    ; nr
     jge #0x151, L7
     jge #0x2, L33             ; nr >= 2 (open)
     jge #0x1, L23, L34        ; nr >= 1 (write)
L7:  jlt #0x1a8, L35           ; nr < 424 (pidfd_send_signal)
     jge #0x1d8, L35, L33
L9:  ld [0]                    ; nr
     jge #0xe0, L14            ; nr >= 224 (gettid)
     jge #0x4, L13             ; nr >= 4 (write)
     jge #0x3, L34, L32        ; nr >= 3 (read)
L13: jge #0xde, L35, L32
L14: jge #0x183, L19
     jge #0x11e, L32           ; nr >= 286 (add_key)
     jge #0xfc, L18            ; nr >= 252 (exit_group)
     jge #0xfb, L35, L32
L18: jge #0x11d, L35, L32
L19: jge #0x1a0, L22           ; nr >= 416 (io_pgetevents_time64)
     jlt #0x189, L35           ; nr < 393 (semget)
     jge #0x19f, L35, L32
L22: jge #0x1d8, L35, L32
L23: ld [16]                   ; args[0] low
     jne #0x1, L36
     ld [20]                   ; args[0] high
     jne #0x0, L36
     ld [36]                   ; args[2] high
     jgt #0x1, L34
     jne #0x1, L36
     ld [32]                   ; args[2] low
     jgt #0x0, L34, L36
L32: ret #0x80000000           ; kill-process
L33: ret #0x50001              ; errno:1 (EPERM)
L34: ret #0x7fff0000           ; allow
L35: ret #0x50026              ; errno:38 (ENOSYS)
L36: ret #0x5000d              ; errno:13 (EACCES)
`

func TestDisassemble(t *testing.T) {
	s390x := []Instruction{
		insLd(OffsetArch),
		insJeq(0x80000016, 1, 0), // AUDIT_ARCH_S390X
		insRet(uint32(KillProcess)),
		insLd(OffsetNr),
		insJeq(4, 0, 5),
		insLd(OffsetArgs + 8),
		insJeq(0, 0, 2),
		insLd(OffsetArgs + 12),
		Jump(BPF_JMP|BPF_JSET|BPF_K, 0x80, 1, 0),
		insRet(uint32(Errno(1))),
		insRet(uint32(Allow)),
	}
	const s390xText = `     ld [4]               ; arch
     jeq #0x80000016, L3  ; s390x
     ret #0x80000000      ; kill-process
L3:  ld [0]               ; nr
     jne #0x4, L10        ; write
     ld [24]              ; args[1] high
     jne #0x0, L9
     ld [28]              ; args[1] low
     jset #0x80, L10
L9:  ret #0x50001         ; errno:1 (EPERM)
L10: ret #0x7fff0000      ; allow
`
	x32 := []Instruction{
		insLd(OffsetArch),
		insJeq(auditX86_64, 0, 5),
		insLd(OffsetNr),
		Jump(BPF_JMP|BPF_JSET|BPF_K, 0x40000000, 0, 1),
		insJeq(0x40000000, 1, 2),
		insJeq(0, 0, 1),
		insRet(uint32(Allow)),
		insRet(uint32(Errno(38))),
	}
	const x32Text = `    ld [4]                    ; arch
    jne #0xc000003e, L7       ; x86_64
    ld [0]                    ; nr
    jset #0x40000000, L4, L5  ; nr & 0x40000000 (__X32_SYSCALL_BIT)
L4: jeq #0x40000000, L6, L7   ; read
L5: jne #0x0, L7              ; read
L6: ret #0x7fff0000           ; allow
L7: ret #0x50026              ; errno:38
`
	noArch := []Instruction{
		insLd(OffsetNr),
		insJeq(63, 1, 0),
		insRet(uint32(Errno(38))),
		insLd(OffsetIP),
		Stmt(BPF_LD|BPF_W|BPF_LEN, 0),
		insRet(uint32(Allow)),
	}
	invalid := []Instruction{
		Stmt(0xff, 7),
		insLd(2),
		Stmt(BPF_JMP|BPF_JA, 100),
		Jump(BPF_JMP|BPF_JGT|BPF_X, 0, 0, 0),
		Stmt(BPF_LD|BPF_H|BPF_ABS, 3),
	}
	tests := []struct {
		name string
		prog []Instruction
		abis []*tables.ABI
		want string
	}{
		{"two arches", disasmTwoArches, nil, disasmTwoArchesText},
		{"two arches, ABIs given", disasmTwoArches, []*tables.ABI{tables.MIPS}, disasmTwoArchesText},
		{"big-endian arch", s390x, nil, s390xText},
		{"big-endian arch, little-endian ABI given", s390x, []*tables.ABI{tables.AArch64}, s390xText},
		{"x32 and x86_64", x32, nil, x32Text},
		{"no arch check", noArch, nil, `    ld [0]           ; nr
    jeq #0x3f, L3
    ret #0x50026     ; errno:38
L3: ld [8]           ; instruction_pointer bytes 0-3
    ld #len          ; 64, sizeof(struct seccomp_data)
    ret #0x7fff0000  ; allow
`},
		{"no arch check, ABI given", noArch, []*tables.ABI{tables.AArch64}, `    ld [0]           ; nr
    jeq #0x3f, L3    ; read
    ret #0x50026     ; errno:38 (ENOSYS)
L3: ld [8]           ; instruction_pointer low
    ld #len          ; 64, sizeof(struct seccomp_data)
    ret #0x7fff0000  ; allow
`},
		{"no arch check, ABIs that disagree", noArch, []*tables.ABI{tables.X86_64, tables.MIPS}, `    ld [0]           ; nr
    jeq #0x3f, L3    ; uname
    ret #0x50026     ; errno:38
L3: ld [8]           ; instruction_pointer bytes 0-3
    ld #len          ; 64, sizeof(struct seccomp_data)
    ret #0x7fff0000  ; allow
`},
		{"invalid program", invalid, nil, `    unknown(code=0xff jt=0 jf=0 k=0x7)
    ld [2]
    ja L103
    jgt x, L4
L4: ldh [3]
`},
		{"no labels", []Instruction{insLd(OffsetArch), insRetA()}, nil, "ld [4]  ; arch\nret a\n"},
		{"empty", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Disassemble(tt.prog, tt.abis...); got != tt.want {
				t.Errorf("Disassemble =\n%s\nwant\n%s\ndiff:\n%s", got, tt.want, lineDiff(got, tt.want))
			}
		})
	}
}

// lineDiff lists the lines where got and want differ.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			b.WriteString("-" + wl + "\n+" + gl + "\n")
		}
	}
	return b.String()
}

func ExampleDisassemble() {
	prog := []Instruction{
		Stmt(BPF_LD|BPF_W|BPF_ABS, OffsetArch),
		Jump(BPF_JMP|BPF_JEQ|BPF_K, 0xc000003e, 0, 4), // AUDIT_ARCH_X86_64
		Stmt(BPF_LD|BPF_W|BPF_ABS, OffsetNr),
		Jump(BPF_JMP|BPF_JEQ|BPF_K, 59, 0, 1), // execve
		Stmt(BPF_RET|BPF_K, uint32(Errno(1))),
		Stmt(BPF_RET|BPF_K, uint32(Allow)),
		Stmt(BPF_RET|BPF_K, uint32(KillProcess)),
	}
	fmt.Print(Disassemble(prog))
	// Output:
	//     ld [4]               ; arch
	//     jne #0xc000003e, L6  ; x86_64
	//     ld [0]               ; nr
	//     jne #0x3b, L5        ; execve
	//     ret #0x50001         ; errno:1 (EPERM)
	// L5: ret #0x7fff0000      ; allow
	// L6: ret #0x80000000      ; kill-process
}
