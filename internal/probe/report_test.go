package probe

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONArgsSurviveJSONReaders: a reader that holds JSON numbers as
// doubles, as jq and JavaScript do, gets every argument word exactly, and
// the report reads back as it was written.
func TestJSONArgsSurviveJSONReaders(t *testing.T) {
	rep := &Report{Routes: []RouteReport{{Name: "native", Calls: []Result{{
		Call: "setns", Nr: 308,
		Args: Args{0xffffffffffffffff, 0, 1 << 53, 1<<53 + 1, 0x7fffffff, 0xffffff9c},
	}}}}}
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doubles struct {
		Routes []struct {
			Calls []struct {
				Args []any `json:"args"`
			} `json:"calls"`
		} `json:"routes"`
	}
	if err := json.Unmarshal(b.Bytes(), &doubles); err != nil {
		t.Fatal(err)
	}
	got := doubles.Routes[0].Calls[0].Args
	want := []any{"0xffffffffffffffff", "0x0", "0x20000000000000", "0x20000000000001", "0x7fffffff", "0xffffff9c"}
	if len(got) != len(want) {
		t.Fatalf("args %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("args[%d] read as %v (%T), want %q", i, got[i], got[i], want[i])
		}
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Routes[0].Calls[0].Args != rep.Routes[0].Calls[0].Args {
		t.Errorf("read back %#x, wrote %#x", back.Routes[0].Calls[0].Args, rep.Routes[0].Calls[0].Args)
	}
	for _, bad := range []string{`["1","0x0","0x0","0x0","0x0","0x0"]`, `["0xzz","0x0","0x0","0x0","0x0","0x0"]`, `[1,2,3,4,5,6]`} {
		var a Args
		if err := json.Unmarshal([]byte(bad), &a); err == nil || !strings.Contains(err.Error(), "args") && !strings.Contains(err.Error(), "string") {
			t.Errorf("%s: err %v, want a refusal", bad, err)
		}
	}
}
