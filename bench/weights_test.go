package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// Must show: in the bench's own run, every policy's *mix* and the
// recorded workload's mean are no higher with the workload's weights
// than with the default ones.
func TestWeightsTableOwnNoWorse(t *testing.T) {
	docker, err := dockerPolicy()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := weightsTable(&out, []*Policy{denylistPolicy(), docker, allowlistPolicy("allowlist (60)", serverAllowlist)}); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 8 || !strings.Contains(line, ".") || strings.Contains(line, "---") {
			continue
		}
		def, err1 := strconv.ParseFloat(strings.TrimSpace(f[3]), 64)
		own, err2 := strconv.ParseFloat(strings.TrimSpace(f[4]), 64)
		if err1 != nil || err2 != nil {
			continue
		}
		rows++
		if own > def {
			t.Errorf("%s: %.2f instructions with its own weights, %.2f with the default", strings.TrimSpace(f[1])+" "+strings.TrimSpace(f[2]), own, def)
		}
	}
	if rows != 4 || !strings.Contains(out.String(), "recorded pipeline") {
		t.Fatalf("want 4 rows, got %d:\n%s", rows, out.String())
	}
	t.Log("\n" + out.String())
}
