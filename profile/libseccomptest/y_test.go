//go:build libseccomp && cgo && linux

package libseccomptest

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sysfence/seccomp/filter"
)

func TestOverlapPattern(t *testing.T) {
	opsl := []specs.LinuxSeccompOperator{specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo, specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual}
	tally := map[string]map[string]int{}
	for _, o1 := range opsl {
		for _, o2 := range opsl {
			for v1 := uint64(2); v1 <= 6; v1 += 2 {
				for v2 := uint64(2); v2 <= 6; v2 += 2 {
					for _, argi := range [][2]uint{{0, 0}, {0, 1}, {1, 0}} {
					a1 := specs.LinuxSeccompArg{Index: argi[0], Value: v1, Op: o1}
					a2 := specs.LinuxSeccompArg{Index: argi[1], Value: v2, Op: o2}
					if o1 == specs.OpMaskedEqual { a1.Value, a1.ValueTwo = 6, v1&6 }
					if o2 == specs.OpMaskedEqual { a2.Value, a2.ValueTwo = 6, v2&6 }
					s := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
						{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: u(1), Args: []specs.LinuxSeccompArg{a1}},
						{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: u(2), Args: []specs.LinuxSeccompArg{a2}},
					}}
					p, err := Compile(s, specs.ArchX86_64)
					key := fmt.Sprintf("%s/%s same=%v", o1[9:], o2[9:], argi[0] == argi[1])
					if tally[key] == nil { tally[key] = map[string]int{} }
					if err != nil { tally[key]["err:"+err.Error()]++; continue }
					for x := uint64(0); x < 9; x++ {
						for y := uint64(0); y < 9; y++ {
							d := filter.SeccompData{Nr: 39, Arch: 0xc000003e, Args: [6]uint64{x, y}}
							r, _ := filter.Run(p.Insns, &d, binary.LittleEndian)
							h1, h2 := hold(a1, d.Args), hold(a2, d.Args)
							if !h1 || !h2 { continue }
							tally[key][fmt.Sprintf("both->%d", r.Ret.Data())]++
						}
					}
					}
				}
			}
		}
	}
	for _, o1 := range opsl { for _, o2 := range opsl { for _, same := range []bool{true,false} {
		k := fmt.Sprintf("%s/%s same=%v", o1[9:], o2[9:], same)
		fmt.Println(k, tally[k])
	}}}
}

func hold(a specs.LinuxSeccompArg, args [6]uint64) bool {
	v := args[a.Index]
	switch a.Op {
	case specs.OpNotEqual: return v != a.Value
	case specs.OpLessThan: return v < a.Value
	case specs.OpLessEqual: return v <= a.Value
	case specs.OpEqualTo: return v == a.Value
	case specs.OpGreaterEqual: return v >= a.Value
	case specs.OpGreaterThan: return v > a.Value
	case specs.OpMaskedEqual: return v&a.Value == a.ValueTwo
	}
	return false
}
