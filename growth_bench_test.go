package seccomp_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/tables"
)

// chainProgram returns a little-endian program of about n instructions
// that compares seccomp_data.arch with every little-endian ABI's value,
// then treats every call alike, whatever its ABI, through a chain of n
// comparisons of nr with numbers no table has. It is the worst case of
// ReadProgram: no candidate ABI is decided early, so each is run for
// every number of its table, and every run takes the whole chain.
func chainProgram(n int) []byte {
	var a filter.Assembler
	body, deny := a.NewLabel(), a.NewLabel()
	a.LoadAbs(filter.OffsetArch)
	for _, abi := range tables.All() {
		if !abi.BigEndian {
			a.JumpIf(filter.JumpEq, abi.Audit, body, filter.Next)
		}
	}
	a.Bind(body)
	a.LoadAbs(filter.OffsetNr)
	for i := range n {
		a.JumpIf(filter.JumpEq, 100000+uint32(i), deny, filter.Next)
	}
	a.Ret(filter.Allow)
	a.Bind(deny)
	a.Ret(filter.Errno(1))
	insns, err := a.Assemble()
	if err != nil {
		panic(err)
	}
	return filter.Encode(insns, binary.LittleEndian)
}

// BenchmarkReadProgram reads programs of 40 to 4,000 instructions
// (chainProgram): ReadProgram runs a program for every number of every
// candidate ABI, so its cost is the program's length times the tables',
// linear in the input. The metrics are t(10n)/t(n) and t(100n)/t(n);
// ms-largest was about a second when every run verified the program
// again and the unknown architecture's run was repeated for every ABI.
func BenchmarkReadProgram(b *testing.B) {
	testenv.Growth(b, 40, 3, func(n int) func() {
		raw := chainProgram(n)
		return func() {
			if _, err := seccomp.ReadProgram(bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompileEqRules compiles policies of n single-condition Eq
// rules on ioctl's request (1,000 to 100,000), which took 1.9 s at
// 10,000 and minutes at 100,000 before their "too long" error.
func BenchmarkCompileEqRules(b *testing.B) {
	testenv.Growth(b, 1000, 3, func(n int) func() {
		p := &seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.X86_64}}
		for i := range n {
			p.Rules = append(p.Rules, seccomp.Rule{Syscall: "ioctl", Action: seccomp.Errno(uint16(1 + i%2)),
				Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: uint64(3 * i), Width: 32}}})
		}
		return func() { p.Compile() }
	})
}

// BenchmarkCompileUnknownNames compiles policies of n distinct names no
// ABI knows (1,000 to 100,000): each is reported, and only the first
// few are compared with every known name for suggestions.
func BenchmarkCompileUnknownNames(b *testing.B) {
	testenv.Growth(b, 1000, 3, func(n int) func() {
		p := &seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.X86_64}}
		for i := range n {
			p.Rules = append(p.Rules, seccomp.Rule{Syscall: fmt.Sprintf("nosuch%d", i), Action: seccomp.Allow})
		}
		return func() {
			if _, err := p.Compile(); err == nil {
				b.Fatal("unknown names compiled")
			}
		}
	})
}

// BenchmarkSuggestLongName asks for suggestions for names of 1,000 to
// 100,000 bytes: no known name is near one, which the lengths alone
// show, so the cost does not grow with the name (t(10n)/t(n) near 1).
func BenchmarkSuggestLongName(b *testing.B) {
	testenv.Growth(b, 1000, 3, func(n int) func() {
		name := strings.Repeat("a", n)
		return func() {
			if s := tables.Suggest(name, 3); len(s) > 0 {
				b.Fatal(s)
			}
		}
	})
}
