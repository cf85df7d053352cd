package profile_test

import (
	"encoding/json"
	"reflect"
	"runtime"
	"testing"

	mseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// TestFoldedKeysAsDocker (issue 17.17): a key spelt in another case
// ("defaultaction", "Names", "ſyscalls" with a long s) is applied by
// encoding/json, and so by moby's LoadProfile, which Docker reads
// profiles with. Parse applies it too, lists it in Folded rather than
// UnknownFields, and Options.Strict does not refuse it; a key no field
// folds to stays unknown. Where two keys set one field, the later in the
// file wins, as in moby.
func TestFoldedKeysAsDocker(t *testing.T) {
	testenv.Require(t, runtime.GOOS == "linux", "moby's LoadProfile is built on Linux only")
	for _, tt := range []struct {
		in     string
		folded []profile.Folded
	}{
		{`{"defaultaction": "SCMP_ACT_ERRNO", "syscalls": [{"Names": ["getpid"], "ACTION": "SCMP_ACT_ALLOW"}]}`,
			[]profile.Folded{{Path: "defaultaction", Field: "defaultAction"}, {Path: "syscalls[0].ACTION", Field: "action"}, {Path: "syscalls[0].Names", Field: "names"}}},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "ſyscalls": [{"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [{"Index": 1, "VALUE": 21522, "Op": "SCMP_CMP_NE"}]}]}`,
			[]profile.Folded{{Path: "ſyscalls", Field: "syscalls"}, {Path: "ſyscalls[0].args[0].Index", Field: "index"}, {Path: "ſyscalls[0].args[0].Op", Field: "op"}, {Path: "ſyscalls[0].args[0].VALUE", Field: "value"}}},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "defaultaction": "SCMP_ACT_ERRNO", "DefaultErrnoRet": 13}`,
			[]profile.Folded{{Path: "DefaultErrnoRet", Field: "defaultErrnoRet"}, {Path: "defaultaction", Field: "defaultAction"}}},
		{`{"defaultaction": "SCMP_ACT_ERRNO", "defaultAction": "SCMP_ACT_ALLOW"}`,
			[]profile.Folded{{Path: "defaultaction", Field: "defaultAction"}}},
	} {
		p, err := profile.Parse([]byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if len(p.UnknownFields) > 0 || !reflect.DeepEqual(p.Folded, tt.folded) {
			t.Errorf("%s: unknown %q, folded %v; want none and %v", tt.in, p.UnknownFields, p.Folded, tt.folded)
		}
		theirs, err := mseccomp.LoadProfile(tt.in, &specs.Spec{Process: &specs.Process{}})
		if err != nil {
			t.Fatalf("%s: moby: %v", tt.in, err)
		}
		res, err := p.Translate(&profile.Options{ABI: tables.X86_64, Strict: true})
		if err != nil {
			t.Fatalf("%s: Strict: %v", tt.in, err)
		}
		want, err := profile.Translate(theirs, &profile.Options{ABI: tables.X86_64})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(res.Policy)
		b, _ := json.Marshal(want.Policy)
		if string(a) != string(b) {
			t.Errorf("%s:\n ours %s\nmoby's %s", tt.in, a, b)
		}
		if !reflect.DeepEqual(res.Folded, tt.folded) {
			t.Errorf("%s: Result.Folded %v", tt.in, res.Folded)
		}
	}
	// A key that folds to no field is unknown, as before.
	p, err := profile.Parse([]byte(`{"defaultAction": "SCMP_ACT_ALLOW", "default_action": "SCMP_ACT_ERRNO"}`))
	if err != nil || !reflect.DeepEqual(p.UnknownFields, []string{"default_action"}) || len(p.Folded) > 0 {
		t.Errorf("default_action: %v, unknown %q, folded %v", err, p.UnknownFields, p.Folded)
	}
}
