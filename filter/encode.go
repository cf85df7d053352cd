package filter

import (
	"encoding/binary"
	"fmt"
)

// InstructionSize is the size in bytes of an encoded instruction, struct
// sock_filter of include/uapi/linux/filter.h.
const InstructionSize = 8

// Encode returns prog as the kernel reads it: one struct sock_filter per
// instruction (u16 code, u8 jt, u8 jf, u32 k), the 16- and 32-bit fields
// in order. The kernel, and programs such as bwrap that pass a filter
// through to it (bwrap --seccomp FD reads the raw records), expect the
// byte order of the machine that installs the filter: binary.NativeEndian
// when it is the machine running this code, tables.ABI.ByteOrder for an
// ABI's native machine.
func Encode(prog []Instruction, order binary.ByteOrder) []byte {
	b := make([]byte, InstructionSize*len(prog))
	for i, ins := range prog {
		r := b[InstructionSize*i:]
		order.PutUint16(r, ins.Code)
		r[2], r[3] = ins.Jt, ins.Jf
		order.PutUint32(r[4:], ins.K)
	}
	return b
}

// Decode reads struct sock_filter records in order, the inverse of Encode.
// It fails, wrapping ErrInvalid, when b is empty or not a whole number of
// records; it does not verify the program.
func Decode(b []byte, order binary.ByteOrder) ([]Instruction, error) {
	if len(b) == 0 || len(b)%InstructionSize != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole, non-zero number of %d-byte instructions", ErrInvalid, len(b), InstructionSize)
	}
	prog := make([]Instruction, len(b)/InstructionSize)
	for i := range prog {
		r := b[InstructionSize*i:]
		prog[i] = Instruction{Code: order.Uint16(r), Jt: r[2], Jf: r[3], K: order.Uint32(r[4:])}
	}
	return prog, nil
}
