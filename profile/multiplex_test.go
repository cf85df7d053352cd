package profile_test

import (
	"errors"
	"os"
	"slices"
	"testing"

	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// runOn returns the action prog gives the call nr of abi with args.
func runOn(t *testing.T, insns []filter.Instruction, abi *tables.ABI, nr uint32, args ...uint64) filter.Action {
	t.Helper()
	d := filter.SeccompData{Arch: abi.Audit, Nr: int32(nr)}
	copy(d.Args[:], args)
	r, err := filter.Run(insns, &d, abi.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	return r.Ret
}

// TestProfileMultiplexedAsLibseccomp is issue 15 point 2 without cgo
// (profile/libseccomptest compares with libseccomp itself): a profile
// covering x86 gives socketcall and ipc what libseccomp 2.5.4 gives them,
// derived from the rules on the calls they perform, and warns where that
// differs from the call's own rule; names x86 has only through a
// multiplexer are not missing.
func TestProfileMultiplexedAsLibseccomp(t *testing.T) {
	data, err := os.ReadFile("testdata/multiplexed.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := profile.Load(data, &profile.Options{ABI: tables.X86_64})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := res.Compile()
	if err != nil {
		t.Fatal(err)
	}
	x86 := tables.I386
	sc, ipc := uint32(102), uint32(117)
	eperm := filter.Errno(1)
	for _, tt := range []struct {
		name string
		nr   uint32
		args []uint64
		want filter.Action
	}{
		{"socketcall(SYS_SOCKET), any family", sc, []uint64{1, 0}, filter.Allow},
		{"socketcall(SYS_CONNECT), a2 <= 16", sc, []uint64{3, 0, 16}, filter.Allow},
		{"socketcall(SYS_CONNECT), a2 > 16", sc, []uint64{3, 0, 17}, eperm},
		{"socketcall(SYS_ACCEPT)", sc, []uint64{5}, filter.Allow},
		{"socketcall(SYS_SHUTDOWN)", sc, []uint64{13}, filter.KillProcess},
		{"socketcall(SYS_SOCKETPAIR)", sc, []uint64{8}, eperm},
		{"ipc(MSGGET) a1 == 512 (the key)", ipc, []uint64{13, 512}, filter.Allow},
		{"ipc(MSGGET) a2 == 512 (the flags)", ipc, []uint64{13, 0, 512}, eperm},
		{"ipc(1<<16|SEMOP): libseccomp compares all of a0", ipc, []uint64{1<<16 | 1}, eperm},
		{"ipc(SEMOP)", ipc, []uint64{1}, filter.Allow},
		{"ipc(SEMTIMEDOP), condition on arg0 dropped", ipc, []uint64{4, 99}, filter.Trap},
		{"ipc(SHMGET)", ipc, []uint64{23}, filter.Errno(13)},
	} {
		if got := runOn(t, prog.Instructions(), x86, tt.nr, tt.args...); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	var warned []string
	for _, w := range res.Warnings {
		var pe *profile.PathError
		if errors.Is(w, profile.ErrMultiplexed) && errors.As(w, &pe) {
			warned = append(warned, pe.Value)
		}
	}
	if want := []string{"socket", "connect", "msgget", "semtimedop", "shmat"}; !slices.Equal(warned, want) {
		t.Errorf("ErrMultiplexed warnings for %q, want %q", warned, want)
	}
	for _, m := range res.Missing {
		if m.ABI == x86 {
			t.Errorf("missing %v: x86 has it through a multiplexer", m)
		}
	}
	if _, err := profile.Load(data, &profile.Options{ABI: tables.X86_64, Strict: true}); !errors.Is(err, profile.ErrMultiplexed) {
		t.Errorf("Strict: %v, want ErrMultiplexed", err)
	}
}

// TestProfileMultiplexedEscape: on s390x, libseccomp compares socketcall's
// whole 64-bit first argument, so a denied call escapes its rule with a
// high bit set; the translation decides so and warns.
func TestProfileMultiplexedEscape(t *testing.T) {
	in := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO"}]}`
	res, err := profile.Load([]byte(in), &profile.Options{ABI: tables.S390X})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := res.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if got := runOn(t, prog.Instructions(), tables.S390X, 102, 1); got != filter.Errno(1) {
		t.Errorf("socketcall(1): %v, want errno:1", got)
	}
	if got := runOn(t, prog.Instructions(), tables.S390X, 102, 1<<32|1); got != filter.Allow {
		t.Errorf("socketcall(1<<32|1): %v, want allow, as libseccomp", got)
	}
	if !slices.ContainsFunc(res.Warnings, func(w error) bool { return errors.Is(w, profile.ErrMultiplexed) }) {
		t.Errorf("no ErrMultiplexed warning in %v", res.Warnings)
	}
}

// TestProfileMaskedDatum is issue 15 point 3: SCMP_CMP_MASKED_EQ with a
// datum (valueTwo) outside its mask (value) compares arg & mask with
// datum & mask, as libseccomp does, and warns.
func TestProfileMaskedDatum(t *testing.T) {
	in := `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86"], "syscalls": [
		{"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 240, "valueTwo": 31, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["getppid"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 64424509440, "valueTwo": 8589934593, "op": "SCMP_CMP_MASKED_EQ"}]}]}`
	res, err := profile.Load([]byte(in), &profile.Options{ABI: tables.X86_64})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := res.Compile()
	if err != nil {
		t.Fatal(err)
	}
	insns := prog.Instructions()
	getpid, _ := tables.X86_64.Number("getpid")
	getppid, _ := tables.X86_64.Number("getppid")
	getppid32, _ := tables.I386.Number("getppid")
	for _, tt := range []struct {
		abi  *tables.ABI
		nr   uint32
		arg  uint64
		want filter.Action
	}{
		{tables.X86_64, getpid, 0x10, filter.Allow}, {tables.X86_64, getpid, 0x1f, filter.Allow}, {tables.X86_64, getpid, 0x20, filter.Errno(1)},
		{tables.X86_64, getppid, 0x200000000, filter.Allow}, {tables.X86_64, getppid, 0x200000001, filter.Allow}, {tables.X86_64, getppid, 0x100000000, filter.Errno(1)},
		{tables.I386, getppid32, 0, filter.Allow}, // the mask has no low bits: it holds always on i386
	} {
		if got := runOn(t, insns, tt.abi, tt.nr, tt.arg); got != tt.want {
			t.Errorf("%s nr %d arg %#x: %v, want %v", tt.abi.Name, tt.nr, tt.arg, got, tt.want)
		}
	}
	n := 0
	for _, w := range res.Warnings {
		if errors.Is(w, profile.ErrMaskedDatum) {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d ErrMaskedDatum warnings, want 2: %v", n, res.Warnings)
	}
}

// TestProfileRulesByNumber: a profile names calls; libseccomp resolves no
// number ("451", "-1") as a name, so runc ignores such an entry, and so
// does the translation (Missing, no ABI); FromPolicy lists a rule by
// number as lost instead of writing a name runc would ignore.
func TestProfileRulesByNumber(t *testing.T) {
	in := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["-1", "451"], "action": "SCMP_ACT_ERRNO"}]}`
	res, err := profile.Load([]byte(in), &profile.Options{ABI: tables.X86_64})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Missing) != 2 || res.Missing[0].ABI != nil || len(res.Policy.Rules) != 0 {
		t.Errorf("Missing %v, rules %v; want both names missing everywhere and no rule", res.Missing, res.Policy.Rules)
	}
	// A number the table knows is written as the call's name; one it
	// does not is a loss, and with Lossy the profile would allow what
	// the policy refuses (the profile's default allows), which
	// FromPolicy refuses too.
	p := &seccomp.Policy{Default: seccomp.Allow, ABIs: []*tables.ABI{tables.X86_64}, Foreign: seccomp.KillThread, Unknown: seccomp.Allow,
		Rules: seccomp.RulesFor(seccomp.Errno(1), "-1", "0x27")}
	_, lost, err := profile.FromPolicy(p, nil)
	if !errors.Is(err, profile.ErrLossy) || len(lost) != 1 || lost[0].Kind != profile.LossNumber || lost[0].Syscall != "-1" {
		t.Errorf("FromPolicy: %v, lost %v; want the rule by number -1 lost", err, lost)
	}
	if _, _, err := profile.FromPolicy(p, &profile.ExportOptions{Lossy: true}); !errors.Is(err, profile.ErrLossy) {
		t.Errorf("Lossy: %v; want ErrLossy, the profile allowing syscall(-1)", err)
	}
	p.Rules = p.Rules[1:]
	s, lost, err := profile.FromPolicy(p, nil)
	if err != nil || len(lost) != 0 || len(s.Syscalls) != 1 || s.Syscalls[0].Names[0] != "getpid" {
		t.Errorf("FromPolicy: %v, lost %v, syscalls %+v; want rule 0x27 written as getpid", err, lost, s.Syscalls)
	}
}
