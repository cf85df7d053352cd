package seccomp

import (
	"errors"
	"runtime"
	"slices"
	"testing"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func TestBuiltinNames(t *testing.T) {
	if got, want := BuiltinNames(), []string{"sandbox", "sandbox-strict"}; !slices.Equal(got, want) {
		t.Errorf("BuiltinNames = %v, want %v", got, want)
	}
	for _, name := range BuiltinNames() {
		p, err := BuiltinPolicy(name)
		if err != nil {
			t.Fatal(err)
		}
		n := len(p.Rules)
		p.Rules = p.Rules[:0]
		p.ABIs = []*tables.ABI{tables.ARM}
		if again, _ := BuiltinPolicy(name); len(again.Rules) != n || again.ABIs != nil {
			t.Errorf("%s: changing one BuiltinPolicy changed the next", name)
		}
	}
	if _, err := BuiltinPolicy("sandbx"); !errors.Is(err, ErrUnknownBuiltin) {
		t.Errorf("BuiltinPolicy(sandbx): %v, want ErrUnknownBuiltin", err)
	}
	if _, err := Builtin("sandbx"); !errors.Is(err, ErrUnknownBuiltin) {
		t.Errorf("Builtin(sandbx): %v, want ErrUnknownBuiltin", err)
	}
}

// TestBuiltinPrecompiled compiles every built-in policy again and compares
// it with the program go generate wrote into zsyscalls_linux_<goarch>.go.
func TestBuiltinPrecompiled(t *testing.T) {
	if nativeABI() == nil {
		t.Skipf("no native ABI on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			pre, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := BuiltinPolicy(name)
			fresh := mustCompile(t, p)
			if got, want := pre.Instructions(), fresh.Instructions(); !slices.Equal(got, want) {
				t.Errorf("the precompiled program differs from a fresh compile; run go generate\nprecompiled:\n%s\nfresh:\n%s",
					filter.Disassemble(got, nativeABI()), filter.Disassemble(want, nativeABI()))
			}
		})
	}
}

func TestBuiltinAllocs(t *testing.T) {
	if nativeABI() == nil {
		t.Skipf("no native ABI on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Builtin("sandbox"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("Builtin allocates %v times, want at most 1", allocs)
	}
}

func BenchmarkBuiltin(b *testing.B) {
	if nativeABI() == nil {
		b.Skipf("no native ABI on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Builtin("sandbox"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBuiltinSemantics runs the built-in policies, compiled for every ABI,
// in the simulator.
func TestBuiltinSemantics(t *testing.T) {
	eperm := ErrnoNamed("EPERM")
	for _, name := range BuiltinNames() {
		for _, abi := range tables.All() {
			t.Run(name+"/"+abi.Name, func(t *testing.T) {
				p, _ := BuiltinPolicy(name)
				p.ABIs = []*tables.ABI{abi}
				prog := mustCompile(t, p)
				check := func(what string, c call, want Action) {
					t.Helper()
					if c.abi == nil {
						c.abi = abi
					}
					if got := simulate(t, prog, c); got != want {
						t.Errorf("%s: got %s, want %s", what, got, want)
					}
				}
				for _, sc := range sandboxDenied() {
					if _, ok := abi.Number(sc); ok {
						check(sc, call{name: sc}, eperm)
					}
				}
				for _, v := range personalityAllowed {
					check("personality allowed", call{name: "personality", args: [6]uint64{v}}, Allow)
				}
				check("personality(ADDR_NO_RANDOMIZE)", call{name: "personality", args: [6]uint64{0x40000}}, eperm)
				tiocsti := terminalInjection(abi)[0][0].Value
				check("ioctl(TIOCSTI)", call{name: "ioctl", args: [6]uint64{0, tiocsti}}, eperm)
				if abi.WordSize == 8 {
					check("ioctl(TIOCSTI) with high bits", call{name: "ioctl", args: [6]uint64{0, 7<<32 | tiocsti}}, eperm)
				}
				check("ioctl(other)", call{name: "ioctl", args: [6]uint64{0, tiocsti + 1}}, Allow)
				check("read", call{name: "read"}, Allow)
				check("unknown number", call{nr: abi.NrBit | 0x3fff}, ErrnoNamed("ENOSYS"))
				foreign := tables.X86_64
				if abi == foreign {
					foreign = tables.I386
				}
				check("foreign ABI", call{abi: foreign, name: "read"}, KillProcess)
				strict := name == "sandbox-strict"
				checkClone(t, abi, prog, strict)
				want := map[bool]Action{false: Allow, true: eperm}[strict]
				check("unshare", call{name: "unshare"}, want)
				check("setns", call{name: "setns"}, want)
				want = map[bool]Action{false: Allow, true: ErrnoNamed("ENOSYS")}[strict]
				if _, ok := abi.Number("clone3"); ok { // sh has none
					check("clone3", call{name: "clone3"}, want)
				}
			})
		}
	}
}

// checkClone checks that clone creates no namespace under the strict
// policy, reading the flags where the ABI passes them.
func checkClone(t *testing.T, abi *tables.ABI, prog *Program, strict bool) {
	t.Helper()
	const thread = 0x3d0f00 // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
	flags, stack := 0, 1
	if isS390(abi) {
		flags, stack = 1, 0
	}
	for _, tt := range []struct {
		what  string
		flags uint64
		want  Action
	}{
		{"clone(thread)", thread, Allow},
		{"clone(CLONE_NEWUSER)", thread | 0x10000000, ErrnoNamed("EPERM")},
		{"clone(CLONE_NEWNS)", 0x20000, ErrnoNamed("EPERM")},
	} {
		var args [6]uint64
		args[flags] = tt.flags
		args[stack] = 0x7e020000 // a stack address that looks like namespace flags
		if !strict {
			tt.want = Allow
		}
		if got := simulate(t, prog, call{abi: abi, name: "clone", args: args}); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.what, got, tt.want)
		}
	}
}
