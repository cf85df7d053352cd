package profile_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// TestEveryLibseccompArch translates a profile naming each architecture
// libseccomp knows whose ABI came with ppc, s390, m68k, sh and parisc,
// for a native ABI of the same byte order and
// for itself, and checks that the program denies socket through the
// architecture's own number and gives another architecture's calls the
// bad-architecture action.
func TestEveryLibseccompArch(t *testing.T) {
	for _, c := range []struct {
		arch   specs.Arch
		native string // the machine the profile is translated for
		abi    string
	}{
		{specs.ArchPPC, "ppc64", "ppc"},
		{specs.ArchS390, "s390x", "s390"},
		{specs.ArchM68K, "m68k", "m68k"},
		{specs.ArchSH, "sh", "sh"},
		{specs.ArchSHEB, "sheb", "sheb"},
		{specs.ArchPARISC, "parisc64", "parisc"},
		{specs.ArchPARISC64, "parisc64", "parisc64"},
	} {
		t.Run(string(c.arch), func(t *testing.T) {
			abi, ok := profile.ABIOf(c.arch)
			if !ok || abi == nil || abi.Name != c.abi {
				t.Fatalf("ABIOf(%s) = %v, %v; want %s", c.arch, abi, ok, c.abi)
			}
			if a, ok := profile.ArchOf(abi); !ok || a != c.arch {
				t.Errorf("ArchOf(%s) = %s, %v; want %s", abi.Name, a, ok, c.arch)
			}
			native, _ := tables.Lookup(c.native)
			src := fmt.Sprintf(`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": [%q],
				"syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`, c.arch)
			p, err := profile.Parse([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Translate(&profile.Options{ABI: native})
			if err != nil {
				t.Fatalf("Translate for %s: %v", native.Name, err)
			}
			// The architecture has its table. (On ppc64 and s390x the
			// profile is also told that libseccomp compares socketcall's
			// whole first argument.)
			for _, w := range res.Warnings {
				if errors.Is(w, profile.ErrUncoveredArch) || errors.Is(w, profile.ErrMissingSyscall) {
					t.Errorf("warning: %v", w)
				}
			}
			prog, err := res.Compile()
			if err != nil {
				t.Fatal(err)
			}
			want := []*tables.ABI{native}
			if native != abi {
				want = append(want, abi)
			}
			if got := prog.ABIs(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("program covers %v, want %v", got, want)
			}
			socket, ok := abi.Number("socket")
			if !ok {
				t.Fatalf("%s has no socket", abi.Name)
			}
			for _, call := range []struct {
				audit, nr uint32
				want      filter.Action
			}{
				{abi.Audit, socket, filter.Errno(13)},
				{abi.Audit, socket + 1, filter.Allow},
				{tables.X86_64.Audit, 41, filter.KillThread}, // SCMP_ACT_KILL, runc's default bad-arch action
			} {
				r, err := filter.Run(prog.Instructions(), &filter.SeccompData{Arch: call.audit, Nr: int32(call.nr)}, abi.ByteOrder())
				if err != nil {
					t.Fatal(err)
				}
				if r.Ret != call.want {
					t.Errorf("arch %#x nr %d: %v, want %v", call.audit, call.nr, r.Ret, call.want)
				}
			}
		})
	}
}
