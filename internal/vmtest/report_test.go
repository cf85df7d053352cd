package vmtest

import (
	"bufio"
	"bytes"
	"testing"
	"time"
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Event
		ok   bool
	}{
		{"vmtest: begin 6.1.0-28-amd64 x86_64\r", Event{Kind: EventBegin, Text: "6.1.0-28-amd64 x86_64"}, true},
		{"vmtest: plan args/native", Event{Kind: EventPlan, Check: "args/native"}, true},
		{"vmtest: log tsync runs on thread 7", Event{Kind: EventLog, Check: "tsync", Text: "runs on thread 7"}, true},
		{"vmtest: result exec pass 0.250", Event{Kind: EventResult, Check: "exec", Text: Pass, Took: 250 * time.Millisecond}, true},
		{"vmtest: result exec fail 1.5", Event{Kind: EventResult, Check: "exec", Text: Fail, Took: 1500 * time.Millisecond}, true},
		{"vmtest: done", Event{Kind: EventDone}, true},
		// A kernel message written into the middle of a line.
		{"[    4.2] random: crng initvmtest: done", Event{Kind: EventDone}, true},
		{"[    4.278487] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300",
			Event{Kind: EventPanic, Text: "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300"}, true},
		{"[    0.000000] Linux version 6.1.0", Event{}, false},
		{"vmtest: result exec maybe 0.1", Event{}, false},
		{"vmtest: result exec pass soon", Event{}, false},
		{"vmtest: result exec", Event{}, false},
		{"vmtest: plan", Event{}, false},
		{"vmtest: bogus x", Event{}, false},
	} {
		t.Run(tc.line, func(t *testing.T) {
			got, ok := ParseLine(tc.line)
			if ok != tc.ok || got != tc.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestReporter checks that what the guest writes is what the host reads.
func TestReporter(t *testing.T) {
	var buf bytes.Buffer
	r := Reporter{W: &buf}
	r.Begin("6.12.0 riscv64")
	r.Plan("allowlist")
	r.Log("allowlist", "first\nsecond\n")
	r.Result("allowlist", Fail, 1234*time.Millisecond)
	r.Done()
	want := []Event{
		{Kind: EventBegin, Text: "6.12.0 riscv64"},
		{Kind: EventPlan, Check: "allowlist"},
		{Kind: EventLog, Check: "allowlist", Text: "first"},
		{Kind: EventLog, Check: "allowlist", Text: "second"},
		{Kind: EventResult, Check: "allowlist", Text: Fail, Took: 1234 * time.Millisecond},
		{Kind: EventDone},
	}
	sc := bufio.NewScanner(&buf)
	for i := 0; sc.Scan(); i++ {
		got, ok := ParseLine(sc.Text())
		if !ok || i >= len(want) || got != want[i] {
			t.Fatalf("line %d %q: got %+v, %v", i, sc.Text(), got, ok)
		}
	}
}
