package filter

import "testing"

// TestOpcodeFields checks that the fields Op reads from every opcode
// classic BPF defines add up to the opcode again.
func TestOpcodeFields(t *testing.T) {
	conditional := 0
	for code := range uint16(len(opcodes)) {
		if rule(code) == unknownOpcode {
			continue
		}
		ins := Stmt(code, 0)
		o := ins.Op()
		var back uint16
		switch o.Class() {
		case ClassLD, ClassLDX, ClassST, ClassSTX:
			back = uint16(o.Class()) | uint16(o.Size()) | uint16(o.Mode())
		case ClassALU:
			back = uint16(o.Class()) | uint16(o.ALUOp()) | uint16(o.Source())
		case ClassJMP:
			back = uint16(o.Class()) | uint16(o.JumpOp()) | uint16(o.Source())
		case ClassRET:
			back = uint16(o.Class()) | uint16(o.Source())
		case ClassMISC:
			back = uint16(o.Class()) | uint16(o.MiscOp())
		}
		if back != code {
			t.Errorf("%v (%#02x): fields add up to %#02x", ins, code, back)
		}
		if ins.IsJump() != (o.Class() == ClassJMP) || ins.IsReturn() != (o.Class() == ClassRET) {
			t.Errorf("%v: IsJump %v, IsReturn %v for class %d", ins, ins.IsJump(), ins.IsReturn(), o.Class())
		}
		if ins.IsConditionalJump() {
			conditional++
			if !ins.IsJump() || o.JumpOp() == JumpAlways {
				t.Errorf("%v is a conditional jump", ins)
			}
		}
	}
	if conditional != 8 {
		t.Errorf("%d conditional jumps, want 8", conditional)
	}
	for _, code := range []uint16{BPF_JMP | 0x50, BPF_JMP | BPF_JEQ | 0x100, BPF_ALU | BPF_JEQ} {
		if Stmt(code, 0).IsConditionalJump() {
			t.Errorf("%#x is a conditional jump", code)
		}
	}
}

func TestReturnSource(t *testing.T) {
	for code, want := range map[uint16]Source{BPF_RET | BPF_K: SourceK, BPF_RET | BPF_A: SourceA, BPF_RET | BPF_X: SourceX} {
		if got := Stmt(code, 0).Op().Source(); got != want {
			t.Errorf("Source of %#x = %d, want %d", code, got, want)
		}
	}
}

func TestOpStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{ALUAdd.String(), "add"},
		{ALUNeg.String(), "neg"},
		{ALUOp(0xb0).String(), "ALUOp(0xb0)"},
		{JumpAlways.String(), "ja"},
		{JumpSet.String(), "jset"},
		{JumpOp(0x50).String(), "JumpOp(0x50)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
