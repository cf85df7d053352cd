package profile_test

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"

	mseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FOO"}]}]}`,
			`profile: syscalls[0].args[0].op: unknown operator "SCMP_CMP_FOO"`},
		{`{"defaultAction": "SCMP_ACT_NOPE"}`, `profile: defaultAction: unknown action "SCMP_ACT_NOPE"`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_VAX"]}`, `profile: architectures[0]: unknown architecture "SCMP_ARCH_VAX"`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`,
			`profile: syscalls[0].args[0].index: argument index over 5: 6`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]}]}`,
			`profile: syscalls[0].args[0].value: want an integer from 0 to 18446744073709551615, not -1`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]}`,
			`profile: syscalls[0].names: want an array, not "read"`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "6"}}]}`,
			`profile: syscalls[0].includes.minKernel: want "<kernel>.<major>", not "6"`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NOPE"]}`, `profile: flags[0]: unknown flag "SECCOMP_FILTER_FLAG_NOPE"`},
		{`{"defaultAction": `, `profile: $: invalid JSON: unexpected EOF`},
	} {
		_, err := profile.Parse([]byte(tc.in))
		var pe *profile.PathError
		if !errors.As(err, &pe) || err.Error() != tc.want {
			t.Errorf("Parse(%s)\n got %v\nwant %s", tc.in, err, tc.want)
		}
	}
}

func TestUnknownFieldsAndStrict(t *testing.T) {
	in := `{"defaultAction": "SCMP_ACT_ERRNO", "colour": "red", "syscalls": [{"names": ["read", "iopl", "notacall"], "action": "SCMP_ACT_ALLOW", "speed": 1}]}`
	p, err := profile.Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"colour", "syscalls[0].speed"}; !reflect.DeepEqual(p.UnknownFields, want) {
		t.Errorf("UnknownFields = %q, want %q", p.UnknownFields, want)
	}
	res, err := p.Translate(&profile.Options{ABI: tables.AArch64})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range res.Missing {
		got = append(got, m.String())
	}
	want := []string{
		"syscalls[0].names[1]: iopl is not a system call of aarch64",
		"syscalls[0].names[2]: notacall is not a system call of any ABI",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Missing = %q, want %q", got, want)
	}
	_, err = p.Translate(&profile.Options{ABI: tables.AArch64, Strict: true})
	for _, sentinel := range []error{profile.ErrUnknownField, profile.ErrMissingSyscall} {
		if !errors.Is(err, sentinel) {
			t.Errorf("strict: %v does not wrap %v", err, sentinel)
		}
	}
}

// TestResolveMatchesMoby checks that Resolve, which takes the
// architecture and kernel as parameters, agrees with moby's own
// resolution on this machine, for every fixture and several sets of
// capabilities.
func TestResolveMatchesMoby(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("moby's resolution needs Linux")
	}
	def, _ := profile.Default()
	profiles := map[string]*profile.Profile{"moby-default": def}
	for _, name := range []string{"containers-common.json", "operators.json", "actions.json"} {
		profiles[name] = load(t, name)
	}
	for name, p := range profiles {
		for _, caps := range [][]string{nil, {}, {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_BOOT"}} {
			ours, err := p.Resolve(&profile.Options{Capabilities: caps})
			if err != nil {
				t.Fatal(err)
			}
			if caps == nil {
				caps = profile.DefaultCapabilities()
			}
			body, err := json.Marshal(&p.Seccomp)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := mseccomp.LoadProfile(string(body), &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ours, theirs) {
				a, _ := json.Marshal(ours)
				b, _ := json.Marshal(theirs)
				t.Errorf("%s, caps %v: Resolve differs from moby:\n%s\n%s", name, caps, a, b)
			}
		}
	}
}

// TestDefaultCompilesEverywhere compiles the moby default profile,
// resolved for Docker's default capabilities and this kernel, for every
// ABI its archMap names, and checks the sub-architectures it covers.
func TestDefaultCompilesEverywhere(t *testing.T) {
	p, err := profile.Default()
	if err != nil {
		t.Skip(err)
	}
	want := map[string]string{
		"x86_64": "x86_64 x86 x32", "aarch64": "aarch64 arm", "riscv64": "riscv64",
		"mips64": "mips64 mips mips64n32", "mips64n32": "mips64n32 mips mips64",
		"mips64el": "mips64el mipsel mips64n32el", "mips64n32el": "mips64n32el mipsel mips64el",
		"s390x": "s390x s390", "loongarch64": "loongarch64",
	}
	for _, m := range p.ArchMap {
		abi, ok := profile.ABIOf(m.Arch)
		if !ok || abi == nil {
			t.Errorf("archMap names %s, which has no table", m.Arch)
			continue
		}
		res, err := p.Translate(&profile.Options{ABI: abi})
		if err != nil {
			t.Fatalf("%s: %v", abi.Name, err)
		}
		prog, err := res.Compile()
		if err != nil {
			t.Fatalf("%s: %v", abi.Name, err)
		}
		var names []string
		for _, a := range res.Policy.ABIs {
			names = append(names, a.Name)
		}
		if got := strings.Join(names, " "); got != want[abi.Name] {
			t.Errorf("%s covers %s, want %s", abi.Name, got, want[abi.Name])
		}
		t.Logf("%s: %d instructions, %d names missing on some ABI", abi.Name, prog.Len(), len(res.Missing))
	}
}

// TestRoundTrip writes policies as profiles and reads them back: the
// programs decide every number of every covered ABI alike.
func TestRoundTrip(t *testing.T) {
	eperm := seccomp.Errno(1)
	policies := map[string]*seccomp.Policy{
		"denylist": {Default: seccomp.Allow, ABIs: []*tables.ABI{tables.X86_64, tables.I386}, Foreign: seccomp.KillThread, Unknown: seccomp.Allow, Rules: []seccomp.Rule{
			{Syscall: "ptrace", Action: eperm},
			{Syscall: "mount", Action: seccomp.KillProcess},
			{Syscall: "ioctl", Action: eperm, Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: 0x5412}}},
			{Syscall: "ioctl", Action: seccomp.Log, Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: 0x541c}}},
			{Syscall: "clone", Action: eperm, Args: []seccomp.Cond{{Arg: 0, Op: seccomp.MaskedEq, Mask: 0x10000000, Value: 0x10000000}}},
			{Syscall: "kill", Action: seccomp.Trace(3), Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Ge, Value: 64}, {Arg: 0, Op: seccomp.Lt, Value: 2}}},
			{Syscall: "personality", Action: seccomp.Allow},
		}},
		"allowlist": {Default: seccomp.KillProcess, ABIs: []*tables.ABI{tables.AArch64}, Foreign: seccomp.KillThread, Unknown: seccomp.KillProcess, Rules: []seccomp.Rule{
			{Syscall: "read", Action: seccomp.Allow},
			{Syscall: "write", Action: seccomp.Allow, Args: []seccomp.Cond{{Arg: 0, Op: seccomp.Le, Value: 2}}},
			{Syscall: "exit_group", Action: seccomp.Allow},
			{Syscall: "openat", Action: seccomp.Notify},
		}},
	}
	for name, p := range policies {
		s, lost, err := profile.FromPolicy(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(lost) > 0 {
			t.Errorf("%s: lost %q", name, lost)
		}
		res, err := profile.Translate(s, &profile.Options{ABI: p.ABIs[0]})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		same(t, name, p, res.Policy)
	}
}

// same checks that two policies decide alike on every number of every
// covered ABI, and on arguments 0, 1, 2, 3, 64, 0x5412 and ~0.
func same(t *testing.T, name string, a, b *seccomp.Policy) {
	t.Helper()
	pa, err := a.Compile()
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for _, abi := range a.ABIs {
		for nr := uint32(0); nr < abi.At(abi.Len()-1).Nr+16; nr++ {
			for _, v := range []uint64{0, 1, 2, 3, 64, 0x5412, 0x10000000, ^uint64(0)} {
				d := filter.SeccompData{Nr: int32(nr), Arch: abi.Audit, Args: [6]uint64{v, v, v, v, v, v}}
				ra, _ := filter.Run(pa.Instructions(), &d, abi.ByteOrder())
				rb, _ := filter.Run(pb.Instructions(), &d, abi.ByteOrder())
				if ra.Ret != rb.Ret {
					n, _ := abi.SyscallName(nr)
					t.Fatalf("%s: %s nr %d (%s) args %#x: %v, after the round trip %v", name, abi.Name, nr, n, v, ra.Ret, rb.Ret)
				}
			}
		}
	}
}

func load(t *testing.T, name string) *profile.Profile {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}
