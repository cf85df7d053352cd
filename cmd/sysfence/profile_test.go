package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/internal/testenv"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// The tests here are named for the points of the profile issue's command
// line part.

const smallProfile = "testdata/small-profile.json"

// compileBytes runs compile with args and returns the bpf it writes.
func compileBytes(t *testing.T, args ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(compileFile(t, args...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// libraryProgram compiles a profile file with package profile directly.
func libraryProgram(t *testing.T, file string, opts *profile.Options) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := profile.Load(data, opts)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := res.Compile()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	prog.WriteTo(&b)
	return b.Bytes()
}

// decide returns the return value prog gives nr through abi.
func decide(t *testing.T, prog *seccomp.Program, abi *tables.ABI, nr uint32, args ...uint64) filter.Action {
	t.Helper()
	act, err := prog.EvaluateNr(abi, nr, args...)
	if err != nil {
		t.Fatal(err)
	}
	ret, err := act.Resolve(abi)
	if err != nil {
		t.Fatal(err)
	}
	return ret
}

func readBPF(t *testing.T, b []byte) *seccomp.Program {
	t.Helper()
	prog, err := seccomp.ReadProgram(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// compile --profile FILE [--arch ABI] [--caps …] [--kernel X.Y] writes
// the program package profile compiles for the same options.
func TestCompileProfile(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		opts profile.Options
	}{
		{[]string{"--arch", "x86_64"}, profile.Options{ABI: tables.X86_64}},
		{[]string{"--arch", "aarch64", "--kernel", "5.4"}, profile.Options{ABI: tables.AArch64, Kernel: "5.4"}},
		{[]string{"--arch", "x86_64", "--caps", "sys_admin,CAP_NET_ADMIN"}, profile.Options{ABI: tables.X86_64, Capabilities: []string{"CAP_SYS_ADMIN", "CAP_NET_ADMIN"}}},
		{[]string{"--arch", "x86_64", "--caps", "none", "--foreign", "errno:EPERM", "--unknown", "errno:ENOSYS"},
			profile.Options{ABI: tables.X86_64, Capabilities: []string{}, Foreign: "errno:EPERM", Unknown: "errno:ENOSYS"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got := compileBytes(t, append([]string{"--profile", smallProfile}, tt.args...)...)
			want := libraryProgram(t, smallProfile, &tt.opts)
			if !bytes.Equal(got, want) {
				t.Errorf("compile --profile differs from profile.Load's program")
			}
		})
	}
	t.Run("caps decide", func(t *testing.T) {
		keyctl, _ := tables.X86_64.Number("keyctl")
		for caps, want := range map[string]filter.Action{"none": filter.KillProcess, "CAP_SYS_ADMIN": filter.Allow} {
			prog := readBPF(t, compileBytes(t, "--profile", smallProfile, "--arch", "x86_64", "--caps", caps))
			if got := decide(t, prog, tables.X86_64, keyctl); got != want {
				t.Errorf("--caps %s: keyctl gets %s, want %s", caps, got, want)
			}
		}
	})
	t.Run("docker-default", func(t *testing.T) {
		requireLinux(t)
		p, err := profile.Default()
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Translate(&profile.Options{ABI: tables.AArch64, Kernel: "6.1"})
		if err != nil {
			t.Fatal(err)
		}
		prog, err := res.Compile()
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		prog.WriteTo(&want)
		if got := compileBytes(t, "--profile", "docker-default", "--arch", "aarch64", "--kernel", "6.1"); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("compile --profile docker-default differs from profile.Default's program")
		}
	})
}

// --profile goes wherever a policy goes: run, stats and simulate.
func TestProfileInEveryCommand(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	t.Run("simulate", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"--arch", "x86_64", "ptrace"}, "action: errno:EACCES"},
			{[]string{"--arch", "x86_64", "--call-arch", "x86", "mount"}, "action: errno:EACCES"},
			{[]string{"--arch", "x86_64", "unshare", "0x10000000"}, "action: errno:EPERM"},
			{[]string{"--arch", "x86_64", "unshare", "0"}, "action: allow"},
			{[]string{"--arch", "aarch64", "--call-arch", "arm", "getpid"}, "action: kill-thread"},
		} {
			code, out, stderr := sysfence(append([]string{"simulate", "--profile", smallProfile}, tt.args...)...)
			if code != 0 || !strings.Contains(out, tt.want) {
				t.Errorf("simulate --profile %q: exit %d, stderr %q, stdout\n%s", tt.args, code, stderr, out)
			}
		}
	})
	t.Run("stats", func(t *testing.T) {
		code, out, stderr := sysfence("stats", "--profile", smallProfile, "--arch", "x86_64")
		for _, abi := range []string{"x86_64", "x86", "x32"} {
			if code != 0 || !strings.Contains(out, "abi:           "+abi+"\n") {
				t.Errorf("stats --profile: exit %d, stderr %q, no %s in\n%s", code, stderr, abi, out)
			}
		}
	})
	t.Run("run", func(t *testing.T) {
		_, err := exec.LookPath("sh")
		requireTool(t, err == nil, "sh")
		c := child(t, nil, "run", "--profile", smallProfile, "--", "sh", "-c", "unshare -U true 2>/dev/null || echo unshare refused")
		if !c.State.Success() || string(c.Stdout) != "unshare refused\n" {
			t.Errorf("run --profile: %v, stdout %q, stderr %q", c.State, c.Stdout, c.Stderr)
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"compile", "--profile", smallProfile, "--deny", "ptrace"},
			{"compile", "--profile", smallProfile, "--builtin", "sandbox"},
			{"compile", "--caps", "none", "--deny", "ptrace"},
			{"compile", "--profile", smallProfile, "--kernel", "six"},
			{"stats", "--profile", smallProfile, "extra.bpf"},
			{"simulate", "--profile", smallProfile},
			{"run", "--profile", smallProfile, "--errno", "EPERM", "--", "true"},
		} {
			want := exitUsage
			if args[0] == "run" {
				want = exitOwnFailure
			}
			if code, _, stderr := sysfence(args...); code != want {
				t.Errorf("%q: exit %d (stderr %q), want %d", args, code, stderr, want)
			}
		}
	})
}

func requireTool(t *testing.T, ok bool, tool string) {
	t.Helper()
	if !ok {
		requireLinux(t)
		t.Skip("needs " + tool)
	}
}

// Bad input gets an error naming the JSON path and the value; names an
// ABI lacks are reported per ABI, one line each; unknown fields are
// reported; --strict makes errors of the reports.
func TestProfileReports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Run("bad value", func(t *testing.T) {
		bad := write("bad.json", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FOO"}]}]}`)
		code, _, stderr := sysfence("compile", "--profile", bad, "--format", "disasm")
		want := "sysfence compile: " + bad + ": syscalls[0].args[0].op: "
		if code != exitInput || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, `"SCMP_CMP_FOO"`) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("exit %d, stderr %q; want %d and one line starting %q naming the value", code, stderr, exitInput, want)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		code, _, stderr := sysfence("compile", "--profile", write("text.json", "defaultAction: allow"), "--format", "disasm")
		if code != exitInput || strings.Count(stderr, "\n") != 1 {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		if code, _, stderr := sysfence("compile", "--profile", filepath.Join(dir, "none.json")); code != exitRuntime {
			t.Errorf("exit %d, stderr %q; want %d", code, stderr, exitRuntime)
		}
	})
	t.Run("missing names per ABI", func(t *testing.T) {
		code, _, stderr := sysfence("compile", "--profile", smallProfile, "--arch", "x86_64", "--format", "disasm", "--verbose")
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != 0 || len(lines) != 3 {
			t.Fatalf("exit %d, stderr:\n%s\nwant a line for each of x86_64, x86 and x32", code, stderr)
		}
		for i, abi := range []string{"x86_64", "x86", "x32"} {
			if want := "sysfence: " + smallProfile + ": " + abi + " has no arm_fadvise64_64 "; !strings.HasPrefix(lines[i], want) {
				t.Errorf("line %d: %q; want it to start %q", i+1, lines[i], want)
			}
		}
		code, _, stderr = sysfence("compile", "--profile", smallProfile, "--arch", "x86_64", "--strict", "--format", "disasm")
		if code != exitInput || !strings.Contains(stderr, "syscalls[0].names[2]") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("--strict: exit %d, stderr %q; want %d naming syscalls[0].names[2] on one line", code, stderr, exitInput)
		}
	})
	t.Run("unknown field", func(t *testing.T) {
		odd := write("odd.json", `{"defaultAction": "SCMP_ACT_ALLOW", "colour": "blue", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ERRNO"}]}`)
		code, _, stderr := sysfence("simulate", "--profile", odd, "--arch", "x86_64", "ptrace")
		if code != 0 || !strings.Contains(stderr, "colour") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("exit %d, stderr %q; want the field reported on one line", code, stderr)
		}
		code, _, stderr = sysfence("simulate", "--profile", odd, "--arch", "x86_64", "--strict", "ptrace")
		if code != exitInput || !strings.Contains(stderr, "colour") {
			t.Errorf("--strict: exit %d, stderr %q; want %d naming the field", code, stderr, exitInput)
		}
	})
	// Issue 17.17: encoding/json, and so Docker, applies a key spelt in
	// another case; so does sysfence, and --strict accepts it.
	t.Run("key in another case", func(t *testing.T) {
		odd := write("case.json", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"Names": ["ptrace"], "action": "SCMP_ACT_ERRNO"}]}`)
		for _, strict := range [][]string{nil, {"--strict"}} {
			code, out, stderr := sysfence(append([]string{"simulate", "--profile", odd, "--arch", "x86_64", "ptrace"}, strict...)...)
			if code != 0 || !strings.Contains(out, "action: errno:EPERM") || !strings.Contains(stderr, `syscalls[0].Names: Docker reads the key as "names"`) {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want ptrace refused and the key reported", strict, code, out, stderr)
			}
		}
	})
}

// sysfence profile --deny X, then compile --profile, decides every number
// as compile --deny X does, the numbers the table does not know
// included (issue 15.5: the profile is exact); calls through the ABIs it
// does not cover get kill-thread, which --foreign restores.
func TestProfileRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		list []string
		abi  *tables.ABI
		// compat are ABIs of the machine the profile does not cover.
		compat []*tables.ABI
	}{
		{[]string{"--deny", "ptrace,mount,keyctl,iopl"}, tables.X86_64, []*tables.ABI{tables.I386, tables.X32}},
		{[]string{"--deny", "ptrace", "--errno", "EACCES", "--default", "log"}, tables.AArch64, []*tables.ABI{tables.ARM}},
		{[]string{"--allow", "read,write,exit_group,rt_sigreturn", "--default", "errno:ENOSYS"}, tables.X86_64, []*tables.ABI{tables.I386, tables.X32}},
		{[]string{"--allow", "read,write", "--default", "trap"}, tables.MIPS, nil},
	} {
		t.Run(strings.Join(tt.list, " ")+" "+tt.abi.Name, func(t *testing.T) {
			arch := []string{"--arch", tt.abi.Name}
			file := filepath.Join(t.TempDir(), "p.json")
			code, _, stderr := sysfence(append(append([]string{"profile", "-o", file}, arch...), tt.list...)...)
			if code != 0 {
				t.Fatalf("profile: exit %d: %s", code, stderr)
			}
			want := readBPF(t, compileBytes(t, append(arch, tt.list...)...))
			restored := readBPF(t, compileBytes(t, append(arch, "--profile", file, "--foreign", "kill-process")...))
			plain := readBPF(t, compileBytes(t, append(arch, "--profile", file)...))
			for nr := uint32(0); nr < 0x1000; nr++ {
				n := nr | tt.abi.NrBit
				if got, w := decide(t, plain, tt.abi, n, 1, 2, 3), decide(t, want, tt.abi, n, 1, 2, 3); got != w {
					t.Fatalf("nr %d: --profile gives %s; want %s", n, got, w)
				}
			}
			for _, c := range tt.compat {
				for nr := uint32(0); nr < 0x200; nr++ {
					n := nr | c.NrBit
					if got, w := decide(t, restored, c, n), decide(t, want, c, n); got != w {
						t.Fatalf("%s nr %d: %s, want %s", c.Name, n, got, w)
					}
					if got := decide(t, plain, c, n); got != filter.KillThread {
						t.Fatalf("%s nr %d: --profile without --foreign gives %s, want kill-thread", c.Name, n, got)
					}
				}
			}
		})
	}
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"profile", "--deny", "ptrace", "--allow", "read"},
			{"profile", "--profile", smallProfile},
			{"profile", "--arch", "vax"},
			{"profile", "extra"},
		} {
			if code, _, stderr := sysfence(args...); code != exitUsage {
				t.Errorf("%q: exit %d (stderr %q), want %d", args, code, stderr, exitUsage)
			}
		}
		if code, _, stderr := sysfence("profile", "--deny", "ptrac"); code != exitInput {
			t.Errorf("profile --deny ptrac: exit %d (stderr %q), want %d", code, stderr, exitInput)
		}
	})
	t.Run("lossy", func(t *testing.T) {
		// Trap data and a --foreign that does not kill: the format
		// cannot say them, so nothing is written without --lossy.
		file := filepath.Join(t.TempDir(), "p.json")
		code, _, stderr := sysfence("profile", "--deny", "ptrace", "--default", "trap:5", "--foreign", "allow", "-o", file)
		if code != exitInput || !strings.Contains(stderr, "trap data 5") || !strings.Contains(stderr, "Foreign") || !strings.Contains(stderr, "--lossy") {
			t.Errorf("exit %d, stderr %q; want %d listing trap data and Foreign, and naming --lossy", code, stderr, exitInput)
		}
		if _, err := os.Stat(file); err == nil {
			t.Error("a profile was written without --lossy")
		}
		code, _, stderr = sysfence("profile", "--deny", "ptrace", "--default", "trap:5", "--foreign", "allow", "--lossy", "-o", file)
		if code != 0 {
			t.Fatalf("--lossy: exit %d, stderr %q", code, stderr)
		}
		prog := readBPF(t, compileBytes(t, "--profile", file))
		nr, _ := seccomp.NativeABI()
		getpid, _ := nr.Number("getpid")
		if a := decide(t, prog, nr, getpid); a.Kind() != filter.Trap {
			t.Errorf("--lossy: getpid gets %v, want trap", a)
		}
	})
}

// --foreign and --unknown apply with a profile in every command that reads
// one, and only with a profile in those that read a program otherwise.
func TestProfileActionFlagsInEveryCommand(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	aarch64 := []string{"--profile", smallProfile, "--arch", "aarch64"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{append([]string{"simulate", "--call-arch", "arm", "getpid"}, aarch64...), "action: kill-thread"},
		{append([]string{"simulate", "--foreign", "errno:EPERM", "--call-arch", "arm", "getpid"}, aarch64...), "action: errno:EPERM"},
		{append([]string{"simulate", "--unknown", "errno:EACCES", "999"}, aarch64...), "action: errno:EACCES"},
		{append([]string{"compile", "--foreign", "errno:EPERM", "--format", "disasm"}, aarch64...), "; errno:1 (EPERM)"},
		{append([]string{"stats", "--foreign", "errno:EPERM"}, aarch64...), "abi:           aarch64"},
	} {
		code, out, stderr := sysfence(tt.args...)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("%q: exit %d, stderr %q, stdout\n%s\nwant %q", tt.args, code, stderr, out, tt.want)
		}
	}
	c := child(t, nil, "run", "--profile", smallProfile, "--unknown", "errno:EPERM", "--foreign", "kill-process", "--", "true")
	if !c.State.Success() {
		t.Errorf("run --profile --unknown --foreign: %v, stderr %q", c.State, c.Stderr)
	}
	file := compileFile(t, "--deny", "ptrace", "--arch", "x86_64")
	for _, args := range [][]string{
		{"stats", file, "--foreign", "allow"},
		{"simulate", file, "read", "--unknown", "allow"},
	} {
		code, _, stderr := sysfence(args...)
		if code != exitUsage || !strings.Contains(stderr, "applies to --profile") {
			t.Errorf("%q: exit %d, stderr %q; want %d, saying it applies to --profile", args, code, stderr, exitUsage)
		}
	}
}

// The names a profile lists for other ABIs are counted in one short line,
// however many ABIs it is compiled for; --verbose lists them, --quiet
// says nothing.
func TestProfileNotesOnce(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	count := func(stderr string) int { return strings.Count(stderr, "left out") }
	code, _, stderr := sysfence("compile", "--profile", dockerDefault, "--format", "disasm", "--arch", "x86_64")
	if code != 0 || count(stderr) != 1 || strings.Count(stderr, "\n") != 1 || len(stderr) > 200 || !strings.Contains(stderr, "--verbose lists them") {
		t.Errorf("compile --profile docker-default: exit %d, stderr (%d bytes)\n%s\nwant one short line saying how to list them", code, len(stderr), stderr)
	}
	code, _, stderr = sysfence("compile", "--profile", dockerDefault, "--format", "disasm", "--arch", "x86_64", "--verbose")
	if code != 0 || count(stderr) != 3 {
		t.Errorf("--verbose: exit %d, stderr\n%s\nwant a line for each of x86_64, x86 and x32", code, stderr)
	}
	prefix := filepath.Join(t.TempDir(), "z")
	code, _, stderr = sysfence("compile", "--profile", dockerDefault, "--kernel", "6.1", "--format", "go", "--package", "p", "-o", prefix)
	if code != 0 || count(stderr) != 1 || len(stderr) > 400 {
		t.Errorf("--format go: exit %d, stderr (%d bytes)\n%s\nwant one line of notes for every GOARCH", code, len(stderr), stderr)
	}
	for _, args := range [][]string{
		{"compile", "--quiet", "--profile", dockerDefault, "--kernel", "6.1", "--format", "go", "--package", "p", "-o", prefix},
		{"stats", "--quiet", "--profile", dockerDefault},
		{"simulate", "--quiet", "--profile", dockerDefault, "read"},
		{"compile", "--quiet", "--deny", "ptrace", "--foreign", "allow", "--format", "disasm"},
		{"profile", "--quiet", "--deny", "ptrace"},
	} {
		if code, _, stderr := sysfence(args...); code != 0 || stderr != "" {
			t.Errorf("%q: exit %d, stderr %q; want nothing", args, code, stderr)
		}
	}
}

// --caps takes the capabilities of linux/capability.h and refuses a typo,
// with a suggestion.
func TestProfileCapsChecked(t *testing.T) {
	t.Parallel()
	requireLinux(t)
	code, _, stderr := sysfence("stats", "--profile", smallProfile, "--caps", "SYS_ADMN")
	if code != exitUsage || !strings.Contains(stderr, "CAP_SYS_ADMN") || !strings.Contains(stderr, "did you mean CAP_SYS_ADMIN?") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("--caps SYS_ADMN: exit %d, stderr %q; want %d and a suggestion", code, stderr, exitUsage)
	}
	for _, caps := range []string{"sys_admin", "CAP_SYS_ADMIN,net_raw", "none", "", "cap_checkpoint_restore"} {
		if code, _, stderr := sysfence("stats", "--profile", smallProfile, "--caps", caps); code != 0 {
			t.Errorf("--caps %q: exit %d, stderr %q", caps, code, stderr)
		}
	}
	// The capability decides: keyctl is excluded for CAP_SYS_ADMIN.
	code, out, _ := sysfence("simulate", "--profile", smallProfile, "--arch", "x86_64", "--caps", "sys_admin", "keyctl")
	if code != 0 || !strings.Contains(out, "action: allow") {
		t.Errorf("--caps sys_admin keyctl: exit %d, stdout\n%s", code, out)
	}
}

// TestProfileBuiltinExact (issue 15.5): the built-ins' profiles say them
// exactly: personality(0) is allowed, and personality(1<<32), which the
// kernel reads as 0; TIOCSTI is refused with bits above the low 32 too.
func TestProfileBuiltinExact(t *testing.T) {
	for _, name := range seccomp.BuiltinNames() {
		for _, abi := range []*tables.ABI{tables.X86_64, tables.AArch64, tables.S390X, tables.I386} {
			t.Run(name+"/"+abi.Name, func(t *testing.T) {
				arch := []string{"--arch", abi.Name}
				file := filepath.Join(t.TempDir(), "p.json")
				code, _, stderr := sysfence(append([]string{"profile", "--builtin", name, "-o", file}, arch...)...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				want := readBPF(t, compileBytes(t, append(arch, "--builtin", name)...))
				got := readBPF(t, compileBytes(t, append(arch, "--profile", file)...))
				for _, call := range []string{"personality", "ioctl", "clone", "clone3", "unshare", "ptrace", "read"} {
					nr, ok := abi.Number(call)
					if !ok {
						continue
					}
					for _, v := range []uint64{0, 8, 1, 0xffffffff, 1 << 32, 0x5412, 0x5412 | 1<<32, 0x541c, 0x10000000, 0x20000, 0x100} {
						if abi.WordSize == 4 {
							v &= 0xffffffff
						}
						if w, g := decide(t, want, abi, nr, v, v), decide(t, got, abi, nr, v, v); w != g {
							t.Errorf("%s(%#x, %#x): the profile gives %v, the built-in %v", call, v, v, g, w)
						}
					}
				}
				if nr, _ := abi.Number("personality"); decide(t, got, abi, nr, 0) != filter.Allow {
					t.Error("personality(0) is refused")
				}
			})
		}
	}
}

// TestProfileBuiltinRuns (issue 15.5): sysfence profile --builtin
// sandbox-strict -o s.json, then sysfence run --profile s.json -- sh -c
// 'ls /' runs: clone without namespace flags is allowed.
func TestProfileBuiltinRuns(t *testing.T) {
	_, err := seccomp.NativeABI()
	testenv.Require(t, runtime.GOOS == "linux" && err == nil, "needs Linux on an architecture with a native ABI")
	for _, name := range seccomp.BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "s.json")
			if code, _, stderr := sysfence("profile", "--builtin", name, "-o", file); code != 0 {
				t.Fatalf("profile: exit %d: %s", code, stderr)
			}
			c := child(t, nil, "run", "--profile", file, "--", "sh", "-c", "ls / >/dev/null && exec true")
			if !c.State.Success() {
				t.Errorf("run --profile %s -- sh -c 'ls /': %v, stderr %q", name, c.State, c.Stderr)
			}
		})
	}
}

// TestWrittenProfilesGoEverywhere (issue 17.5): the profiles sysfence
// profile and learn --format profile write go through every command
// that reads one, compile --format go included, which today names an
// ABI the user never asked for ("mips and x86_64 differ in byte
// order"). The GOARCHes whose native ABI a profile does not name get
// the empty program, and the one it is for gets the program compile
// --profile writes.
func TestWrittenProfilesGoEverywhere(t *testing.T) {
	dir := t.TempDir()
	sandbox := filepath.Join(dir, "sandbox.json")
	if code, _, stderr := sysfence("profile", "--builtin", "sandbox", "--arch", "x86_64", "-o", sandbox); code != 0 {
		t.Fatalf("profile: exit %d: %s", code, stderr)
	}
	// What learn writes: the native ABI and another it saw, an
	// allowlist killing the rest (learn.writeProfile).
	learned := filepath.Join(dir, "learned.json")
	p := &seccomp.Policy{Default: seccomp.KillProcess, Unknown: seccomp.KillProcess, Foreign: seccomp.KillThread,
		ABIs: []*tables.ABI{tables.X86_64, tables.I386}, Rules: seccomp.RulesFor(seccomp.Allow, "read", "write", "exit_group", "execve")}
	b, _, err := profile.MarshalPolicy(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(learned, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		file string
		for_ []string // the GOARCHes that get a program
	}{{sandbox, []string{"amd64"}}, {learned, []string{"386", "amd64"}}} {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			prefix := filepath.Join(t.TempDir(), "z")
			code, _, stderr := sysfence("compile", "--profile", tt.file, "--format", "go", "--package", "p", "-o", prefix)
			if code != 0 {
				t.Fatalf("compile --format go: exit %d: %s", code, stderr)
			}
			for _, goarch := range linuxGOARCHes() {
				src, err := os.ReadFile(prefix + "_linux_" + goarch + ".go")
				if err != nil {
					t.Fatal(err)
				}
				if has := !bytes.Contains(src, []byte("No program is generated")); has != slices.Contains(tt.for_, goarch) {
					t.Errorf("GOARCH %s: a program: %v, want %v", goarch, has, !has)
				}
			}
			for _, args := range [][]string{
				{"compile", "--profile", tt.file, "--arch", "x86_64", "--format", "disasm"},
				{"simulate", "--profile", tt.file, "--arch", "x86_64", "read"},
				{"stats", "--profile", tt.file, "--arch", "x86_64"},
				{"compile", "--profile", tt.file, "--arch", "x86_64", "--strict", "--format", "disasm"},
			} {
				if code, _, stderr := sysfence(args...); code != 0 {
					t.Errorf("%q: exit %d: %s", args, code, stderr)
				}
			}
		})
	}
}
