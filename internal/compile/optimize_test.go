package compile

import (
	"fmt"
	"github.com/sysfence/seccomp/filter"
	"math"
	"testing"
)

func TestSimplifyArgs(t *testing.T) {
	eq := func(v uint64) Cond { return Cond{Op: OpEq, Value: v} }
	always := Cond{Op: OpGe, Value: 0}
	never := Cond{Op: OpLt, Value: 0}
	tests := []struct {
		name      string
		rules     []ArgRule
		wide      bool
		wantRules []ArgRule
		wantDflt  filter.Action
	}{
		{"kept", []ArgRule{{Conds: []Cond{eq(1)}, Action: filter.Allow}}, true,
			[]ArgRule{{Conds: []Cond{eq(1)}, Action: filter.Allow}}, filter.Trap},
		{"always-true condition dropped", []ArgRule{{Conds: []Cond{always, eq(1)}, Action: filter.Allow}}, true,
			[]ArgRule{{Conds: []Cond{eq(1)}, Action: filter.Allow}}, filter.Trap},
		{"rule that never matches dropped", []ArgRule{{Conds: []Cond{eq(1), never}, Action: filter.Allow}}, true,
			nil, filter.Trap},
		{"rule that always matches ends the list", []ArgRule{
			{Conds: []Cond{eq(1)}, Action: filter.Log},
			{Conds: []Cond{always}, Action: filter.Allow},
			{Conds: []Cond{eq(2)}, Action: filter.KillThread},
		}, true, []ArgRule{{Conds: []Cond{eq(1)}, Action: filter.Log}}, filter.Allow},
		{"trailing rules with the fallback action dropped", []ArgRule{
			{Conds: []Cond{eq(1)}, Action: filter.Allow},
			{Conds: []Cond{eq(2)}, Action: filter.Trap},
			{Conds: []Cond{eq(3)}, Action: filter.Trap},
		}, true, []ArgRule{{Conds: []Cond{eq(1)}, Action: filter.Allow}}, filter.Trap},
		{"32-bit maximum", []ArgRule{{Conds: []Cond{{Op: OpGt, Value: math.MaxUint32}}, Action: filter.Allow}}, false,
			nil, filter.Trap},
		{"64-bit maximum", []ArgRule{{Conds: []Cond{{Op: OpGt, Value: math.MaxUint32}}, Action: filter.Allow}}, true,
			[]ArgRule{{Conds: []Cond{{Op: OpGt, Value: math.MaxUint32}}, Action: filter.Allow}}, filter.Trap},
		{"value outside mask", []ArgRule{{Conds: []Cond{{Op: OpMaskedEq, Mask: 0xf0, Value: 0x1}}, Action: filter.Allow}}, true,
			nil, filter.Trap},
		{"empty mask", []ArgRule{{Conds: []Cond{{Op: OpMaskedEq}}, Action: filter.Allow}}, true,
			nil, filter.Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, dflt := simplifyArgs(tt.rules, filter.Trap, tt.wide)
			if fmt.Sprint(rules) != fmt.Sprint(tt.wantRules) || dflt != tt.wantDflt {
				t.Errorf("simplifyArgs = %v, %v; want %v, %v", rules, dflt, tt.wantRules, tt.wantDflt)
			}
		})
	}
}

func TestSplitPoint(t *testing.T) {
	tests := []struct {
		weights []int
		want    int
	}{
		{[]int{1, 1}, 1},
		{[]int{1, 1, 1, 1}, 2},
		{[]int{100, 1, 1, 1}, 1},
		{[]int{1, 1, 1, 100}, 3},
		{[]int{1, 50, 50, 1}, 2},
	}
	for _, tt := range tests {
		spans := make([]span, len(tt.weights))
		for i, w := range tt.weights {
			spans[i].n = int64(w)
		}
		if got := splitPoint(prefixWeights(spans)); got != tt.want {
			t.Errorf("splitPoint(%v) = %d, want %d", tt.weights, got, tt.want)
		}
	}
}
