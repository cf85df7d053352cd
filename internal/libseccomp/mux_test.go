package libseccomp

import (
	"fmt"
	"slices"
	"testing"

	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

func TestMuxConds(t *testing.T) {
	via, ok := Multiplexed([]*tables.ABI{tables.X86_64, tables.I386}, "connect")
	if !ok || via.Via != "socketcall" || via.Op != 3 {
		t.Fatalf("Multiplexed(connect) = %+v, %v", via, ok)
	}
	if _, ok := Multiplexed([]*tables.ABI{tables.X86_64}, "connect"); ok {
		t.Error("x86_64 has no socketcall")
	}
	got := MuxConds(via, []seccomp.Cond{{Arg: 0, Op: seccomp.Eq, Value: 2}, {Arg: 2, Op: seccomp.Le, Value: 16}})
	want := []seccomp.Cond{{Arg: 0, Op: seccomp.Eq, Value: 3}, {Arg: 2, Op: seccomp.Le, Value: 16}}
	if !slices.Equal(got, want) {
		t.Errorf("MuxConds = %v, want %v", got, want)
	}
}

func ExampleMuxConds() {
	// socket(AF_INET, …) only, with the family's condition on arg0:
	// through socketcall, libseccomp checks the operation alone.
	via, _ := Multiplexed([]*tables.ABI{tables.I386}, "socket")
	fmt.Println(MuxConds(via, []seccomp.Cond{{Arg: 0, Op: seccomp.Eq, Value: 2}}))
	// Output: [arg0 == 0x1]
}
