package profile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// profileJSON writes a profile whose rules for ioctl are rule(i) for i
// below n, each a JSON object of the syscalls array.
func profileJSON(n int, rule func(i int) string) []byte {
	var b strings.Builder
	b.WriteString(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(rule(i))
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// TestOverlapBudget checks that rules that all meet on the argument the
// sweep orders by, but are told apart by another, are refused with a
// clear error once there are too many to compare, rather than compared
// pair by pair for minutes.
func TestOverlapBudget(t *testing.T) {
	n := 4000 // 8 million pairs, past overlapBudget
	data := profileJSON(n, func(i int) string {
		// arg2 & 0xfff == i: disjoint, but each bounds arg2 to
		// i..i|^0xfff, and all those intervals meet.
		return fmt.Sprintf(`{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","errnoRet":%d,"args":[{"index":2,"value":4095,"op":"SCMP_CMP_MASKED_EQ","valueTwo":%d}]}`, 1+i%2, i)
	})
	_, err := Load(data, nil)
	if err == nil || !strings.Contains(err.Error(), "too many rules") {
		t.Errorf("%d mutually overlapping rules: %v, want the budget's error", n, err)
	}
}

// BenchmarkDisjointRules translates profiles of n conditional rules for
// one call, each for one value of its second argument, with alternating
// actions (1,000 to 100,000): the overlap check must cost n log n, where
// comparing every pair made 16,000 rules take 18 s and 8 GB. The metrics
// are t(10n)/t(n) and t(100n)/t(n).
func BenchmarkDisjointRules(b *testing.B) {
	testenv.Growth(b, 1000, 3, func(n int) func() {
		data := profileJSON(n, func(i int) string {
			return fmt.Sprintf(`{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","errnoRet":%d,"args":[{"index":1,"value":%d,"op":"SCMP_CMP_EQ"}]}`, 1+i%2, i)
		})
		return func() {
			if _, err := Load(data, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkShadowedRules translates profiles of an unconditional rule
// for a call followed by n-1 conditional ones (1,000 to 100,000), each
// noted as left out: noting must cost n, where comparing each note with
// the earlier ones made 64,000 rules take 20 s.
func BenchmarkShadowedRules(b *testing.B) {
	testenv.Growth(b, 1000, 3, func(n int) func() {
		data := profileJSON(n, func(i int) string {
			if i == 0 {
				return `{"names":["ioctl"],"action":"SCMP_ACT_ERRNO"}`
			}
			return fmt.Sprintf(`{"names":["ioctl"],"action":"SCMP_ACT_KILL","args":[{"index":1,"value":%d,"op":"SCMP_CMP_EQ"}]}`, i)
		})
		return func() {
			if _, err := Load(data, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUnknownNames translates profiles naming n system calls no
// ABI has (1,000 to 100,000), each listed in Missing.
func BenchmarkUnknownNames(b *testing.B) {
	testenv.Growth(b, 1000, 3, func(n int) func() {
		var names strings.Builder
		for i := range n {
			if i > 0 {
				names.WriteByte(',')
			}
			fmt.Fprintf(&names, `"nosuch%d"`, i)
		}
		data := []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[` + names.String() + `],"action":"SCMP_ACT_ERRNO"}]}`)
		return func() {
			if _, err := Load(data, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
