package filter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func TestEncode(t *testing.T) {
	prog := []Instruction{
		insLd(OffsetArch),
		Jump(BPF_JMP|BPF_JEQ|BPF_K, 0xc000003e, 1, 2),
		insRet(uint32(Allow)),
	}
	tests := []struct {
		order binary.ByteOrder
		want  []byte
	}{
		{binary.LittleEndian, []byte{
			0x20, 0x00, 0, 0, 0x04, 0x00, 0x00, 0x00,
			0x15, 0x00, 1, 2, 0x3e, 0x00, 0x00, 0xc0,
			0x06, 0x00, 0, 0, 0x00, 0x00, 0xff, 0x7f,
		}},
		{binary.BigEndian, []byte{
			0x00, 0x20, 0, 0, 0x00, 0x00, 0x00, 0x04,
			0x00, 0x15, 1, 2, 0xc0, 0x00, 0x00, 0x3e,
			0x00, 0x06, 0, 0, 0x7f, 0xff, 0x00, 0x00,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.order.String(), func(t *testing.T) {
			b := Encode(prog, tt.order)
			if !bytes.Equal(b, tt.want) {
				t.Fatalf("Encode =\n% x\nwant\n% x", b, tt.want)
			}
			back, err := Decode(b, tt.order)
			if err != nil {
				t.Fatal(err)
			}
			if Disassemble(back) != Disassemble(prog) {
				t.Errorf("Decode(Encode(prog)) =\n%s\nwant\n%s", Disassemble(back), Disassemble(prog))
			}
		})
	}
}

func TestEncodeEmpty(t *testing.T) {
	if b := Encode(nil, binary.NativeEndian); len(b) != 0 {
		t.Errorf("Encode(nil) = % x, want nothing", b)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, n := range []int{0, 1, 7, 9, 15} {
		_, err := Decode(make([]byte, n), binary.LittleEndian)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Decode of %d bytes: error %v, want ErrInvalid", n, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(simAllowList, binary.LittleEndian))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			prog, err := Decode(b, order)
			if (err == nil) != (len(b) > 0 && len(b)%InstructionSize == 0) {
				t.Fatalf("Decode of %d bytes: error %v", len(b), err)
			}
			if err != nil {
				continue
			}
			if back := Encode(prog, order); !bytes.Equal(back, b) {
				t.Fatalf("Encode(Decode(b)) =\n% x\nwant\n% x", back, b)
			}
			_ = Disassemble(prog)
		}
	})
}
