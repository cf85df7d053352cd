//go:build libseccomp && cgo && linux

package libseccomptest

import (
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// Why a decision of this module may differ from libseccomp's. Every
// difference must fall in one of these, and each is checked against the
// real kernel: the first two by TestMobyDefaultOnKernel in package
// profile (the system calls run; syscall(0x80000005) gets the default
// action), the third by TestWideValuesOnKernel here (i386 calls through
// int 0x80).
const (
	// libseccomp 2.5.4's table lacks the system call (newer than it):
	// runc leaves the rule out, so libseccomp gives the default action.
	whyOldTable = "libseccomp's table lacks the system call"
	// On x86_64, libseccomp gives the bad-arch action to every number
	// with bit 30 or 31 set except -1; numbers with bit 31 set are not
	// x32 calls (arch/x86/entry/syscall_64.c) but unknown numbers, which
	// this module gives Unknown (DESIGN rule 3).
	whyBit31 = "number with bit 31 set: libseccomp says bad arch, this module unknown"
	// On a 32-bit ABI (and on x32 and mips n32, whose arguments
	// libseccomp compares as 32-bit) libseccomp compares the argument with the low word
	// of a wider value (it truncates the value); this module compares
	// the argument's low word, all the call reads (through int 0x80 a
	// 64-bit process may leave high bits in seccomp_data, which the
	// compat call truncates), so such a condition holds always or never.
	whyTruncated = "value wider than a 32-bit ABI's arguments: libseccomp truncates it"
	// libseccomp 2.5.4's table has a call the kernel does not give the
	// ABI (kernelLacks): the number is unknown to this module's table,
	// and the kernel answers it with ENOSYS.
	whyNotInKernel = "libseccomp's table has a call this ABI's kernel table lacks"
)

// kernelLacks are the calls of libseccomp 2.5.4's tables that the kernel
// does not give an ABI: memfd_secret (447) is s390x's alone (Linux 6.1's
// asm/unistd_32.h for s390 lacks it; gen's TestS390Derivation), and
// parisc64 lost _llseek (140) with Linux commit da3680f564bd ("parisc:
// _llseek syscall is only available for 32-bit userspace").
var kernelLacks = map[string]string{"s390": "memfd_secret", "parisc64": "_llseek"}

type fixture struct {
	name    string
	profile *profile.Profile
	caps    []string
	natives []specs.Arch
}

func load(t *testing.T, name string) *profile.Profile {
	t.Helper()
	data, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fixtures(t *testing.T) []fixture {
	moby, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	every := []specs.Arch{specs.ArchX86_64, specs.ArchAARCH64, specs.ArchRISCV64, specs.ArchMIPS64,
		specs.ArchMIPSEL64N32, specs.ArchS390X, specs.ArchPPC64LE, specs.ArchLOONGARCH64,
		specs.ArchPPC, specs.ArchS390, specs.ArchPARISC, specs.ArchPARISC64, specs.ArchM68K, specs.ArchSH}
	return []fixture{
		{"moby-default", moby, nil, every},
		{"moby-default+SYS_ADMIN", moby, append(profile.DefaultCapabilities(), "CAP_SYS_ADMIN", "CAP_SYS_PTRACE"), []specs.Arch{specs.ArchX86_64, specs.ArchS390X}},
		{"containers-common", load(t, "containers-common.json"), nil, every},
		{"containers-common-no-caps", load(t, "containers-common.json"), []string{}, []specs.Arch{specs.ArchX86_64}},
		{"operators", load(t, "operators.json"), nil, []specs.Arch{specs.ArchX86_64}},
		{"actions", load(t, "actions.json"), nil, []specs.Arch{specs.ArchX86_64, specs.ArchAARCH64, specs.ArchMIPS64}},
		// socketcall and ipc on every ABI libseccomp 2.5.4 multiplexes
		// that this module has a table for (the profile's
		// architectures are x86's; the others are native).
		{"multiplexed", load(t, "multiplexed.json"), nil, []specs.Arch{specs.ArchX86_64, specs.ArchX86}},
		{"multiplexed-native", nativeOnly(load(t, "multiplexed.json")), nil, []specs.Arch{specs.ArchS390X,
			specs.ArchPPC64, specs.ArchPPC64LE, specs.ArchMIPS, specs.ArchMIPSEL}},
	}
}

// nativeOnly returns p without its architectures, for natives of the
// other byte order or family (libseccomp refuses to add x86 to s390x).
func nativeOnly(p *profile.Profile) *profile.Profile {
	q := *p
	q.Architectures = nil
	q.ArchMap = nil
	return &q
}

// difference is one input on which the two programs decide differently.
type difference struct {
	fixture, abi, why string
	nr                uint32
	name              string
	ours, theirs      filter.Action
}

// TestEquivalence compiles each fixture with libseccomp (as runc does)
// and with package profile, and runs both programs over every number of
// every ABI they cover, numbers outside the tables and calls from other
// ABIs, with arguments on both sides of every condition.
func TestEquivalence(t *testing.T) {
	t.Logf("libseccomp %s", Version())
	for _, f := range fixtures(t) {
		for _, native := range f.natives {
			abi, _ := profile.ABIOf(native)
			t.Run(f.name+"/"+abi.Name, func(t *testing.T) {
				t.Parallel()
				diffs := compare(t, f, native, nil)
				counts := map[string][]string{}
				for _, d := range diffs {
					if d.why == "" {
						t.Errorf("%s nr %#x (%s): ours %v, libseccomp %v", d.abi, d.nr, d.name, d.ours, d.theirs)
						continue
					}
					counts[d.why] = append(counts[d.why], d.abi+":"+d.name)
				}
				for why, list := range counts {
					slices.Sort(list)
					list = slices.Compact(list)
					t.Logf("%d inputs differ, as expected: %s: %s", len(list), why, strings.Join(list[:min(len(list), 12)], " "))
				}
			})
		}
	}
}

// compileBoth resolves the fixture's profile for a machine of native and
// compiles it with libseccomp, as runc does, and with package profile. It
// skips the test where libseccomp does not know the architecture.
func compileBoth(t *testing.T, f fixture, native specs.Arch) (*specs.LinuxSeccomp, *Program, *profile.Result, *seccomp.Program) {
	t.Helper()
	abi, _ := profile.ABIOf(native)
	if _, err := Arch(native); err != nil {
		// libseccomp 2.5.4 predates loongarch64 (2.6.0 added it).
		t.Skipf("not compared: %v", err)
	}
	opts := &profile.Options{ABI: abi, Capabilities: f.caps}
	ls, err := f.profile.Resolve(opts)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := Compile(ls, native)
	if err != nil {
		t.Fatal(err)
	}
	res, err := profile.Translate(ls, opts)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := res.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return ls, lib, res, prog
}

// builder makes the program compared with libseccomp's from a resolved
// profile; nil means package profile's translation.
type builder func(t *testing.T, ls *specs.LinuxSeccomp) []filter.Instruction

func compare(t *testing.T, f fixture, native specs.Arch, build builder) []difference {
	ls, lib, res, prog := compileBoth(t, f, native)
	ours := prog.Instructions()
	if build != nil {
		ours = build(t, ls)
	}
	wide := map[string]bool{} // names with a condition wider than 32 bits
	for _, s := range ls.Syscalls {
		for _, a := range s.Args {
			if a.Value > math.MaxUint32 || a.Op == specs.OpMaskedEqual && a.ValueTwo > math.MaxUint32 {
				for _, n := range s.Names {
					wide[n] = true
				}
			}
		}
	}
	var diffs []difference
	inputs := 0
	for _, in := range inputsFor(res.Policy, ls) {
		inputs++
		a, err := filter.Run(ours, &in.data, in.abi.ByteOrder())
		if err != nil {
			t.Fatal(err)
		}
		b, err := filter.Run(lib.Insns, &in.data, in.abi.ByteOrder())
		if err != nil {
			t.Fatal(err)
		}
		if a.Ret == b.Ret {
			continue
		}
		d := difference{fixture: f.name, abi: in.abi.Name, nr: uint32(in.data.Nr), name: in.name, ours: a.Ret, theirs: b.Ret}
		tok, _ := Arch(specs.Arch("SCMP_ARCH_" + strings.ToUpper(archName(in.abi))))
		libName, known := Knows(tok, uint32(in.data.Nr))
		switch {
		case in.covered && in.name == "" && known && kernelLacks[in.abi.Name] == libName:
			d.why = whyNotInKernel
		case in.covered && in.name != "" && !known:
			d.why = whyOldTable
		case in.abi.Name == "x86_64" && int32(in.data.Nr) < 0:
			d.why = whyBit31
		case in.covered && (in.abi.WordSize == 4 || in.abi.NrBit != 0 || strings.Contains(in.abi.Name, "n32")) && wide[in.name]:
			d.why = whyTruncated
		}
		diffs = append(diffs, d)
	}
	t.Logf("%d inputs, %d instructions (libseccomp %d), %d differences", inputs, len(ours), len(lib.Insns), len(diffs))
	return diffs
}

// archName is libseccomp's name of an ABI.
func archName(abi *tables.ABI) string {
	a, _ := profile.ArchOf(abi)
	return strings.TrimPrefix(string(a), "SCMP_ARCH_")
}

type input struct {
	abi     *tables.ABI
	covered bool
	name    string
	data    filter.SeccompData
}

// inputsFor lists the calls to try: every number of each covered ABI's
// table and 64 past its end, with argument vectors on both sides of each
// condition the profile puts on that call; special numbers (bit 30, bit
// 31, -1); and a call of an ABI of the same byte order the policy does
// not cover.
func inputsFor(p *seccomp.Policy, ls *specs.LinuxSeccomp) []input {
	covered := map[string]bool{}
	for _, abi := range p.ABIs {
		covered[abi.Name] = true
	}
	var out []input
	for _, abi := range tables.All() {
		if abi.BigEndian != p.ABIs[0].BigEndian {
			continue
		}
		cov := covered[abi.Name]
		if !cov && abi.NrBit == 0 && slices.ContainsFunc(p.ABIs, func(c *tables.ABI) bool { return c.Audit == abi.Audit }) {
			continue // mips64 and mips64n32 share no audit value; x32 is handled below
		}
		var nrs []uint32
		last := abi.At(abi.Len() - 1).Nr
		first := abi.At(0).Nr
		if cov {
			for nr := uint32(0); nr <= last+64; nr++ {
				if nr < 64 || nr+64 >= first {
					nrs = append(nrs, nr)
				}
			}
			if abi.NrBit != 0 {
				for nr := uint32(0); nr < 64; nr++ {
					nrs = append(nrs, nr) // x86_64 numbers on x32
				}
			}
			nrs = append(nrs, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0x80000005, 0xfffffffe, 0xffffffff)
			// libseccomp's pseudo-numbers of the multiplexed calls
			// (-101..-120, -201..-224), which it puts rules on.
			for op := int32(1); op <= 24; op++ {
				nrs = append(nrs, uint32(-100-op), uint32(-200-op))
			}
		} else {
			nrs = []uint32{first, last, abi.NrBit | 1, 0xffffffff}
		}
		for _, nr := range nrs {
			name, _ := abi.SyscallName(nr)
			argsOf := name
			if int32(nr) <= -101 && int32(nr) >= -224 {
				via := "socketcall"
				if int32(nr) <= -201 {
					via = "ipc"
				}
				argsOf, _ = tables.MultiplexedName(via, uint32(-int32(nr))%100)
			}
			for _, args := range argVectors(ls, argsOf) {
				out = append(out, input{abi: abi, covered: cov, name: name, data: filter.SeccompData{Nr: int32(nr), Arch: abi.Audit, Args: args}})
			}
		}
	}
	return out
}

// argVectors returns argument vectors around every condition on name.
// For socketcall and ipc they are every operation, with the bits the
// kernel ignores set or not, around the conditions of every call they
// perform.
func argVectors(ls *specs.LinuxSeccomp, name string) [][6]uint64 {
	cands := map[uint]map[uint64]bool{}
	add := func(i uint, vs ...uint64) {
		if cands[i] == nil {
			cands[i] = map[uint64]bool{0: true, math.MaxUint64: true}
		}
		for _, v := range vs {
			cands[i][v] = true
		}
	}
	names := []string{name}
	if name == "socketcall" || name == "ipc" {
		for op := uint64(1); op <= 24; op++ {
			add(0, op, op|1<<16, op|1<<32)
			if call, ok := tables.MultiplexedName(name, uint32(op)); ok {
				names = append(names, call)
			}
		}
	}
	for _, s := range ls.Syscalls {
		if !slices.ContainsFunc(s.Names, func(n string) bool { return slices.Contains(names, n) }) {
			continue
		}
		for _, a := range s.Args {
			v := a.Value
			if a.Op == specs.OpMaskedEqual {
				v = a.ValueTwo
				add(a.Index, v, v|^a.Value, v^a.Value, (v^a.Value)&a.Value, v|1<<32)
			}
			add(a.Index, v-1, v, v+1, v|1<<32, v&math.MaxUint32, v+1<<32, (v-1)&math.MaxUint32)
		}
	}
	vectors := [][6]uint64{{}}
	if len(cands) == 0 {
		return vectors
	}
	var idx []uint
	for i := range cands {
		idx = append(idx, i)
	}
	sort.Slice(idx, func(a, b int) bool { return idx[a] < idx[b] })
	sorted := func(i uint) []uint64 {
		var vs []uint64
		for v := range cands[i] {
			vs = append(vs, v)
		}
		slices.Sort(vs)
		return vs
	}
	for _, i := range idx {
		for _, v := range sorted(i) {
			var a [6]uint64
			a[i] = v
			vectors = append(vectors, a)
		}
	}
	// Every pair of values on two arguments, for conjunctions.
	for x, i := range idx {
		for _, j := range idx[x+1:] {
			for _, v := range sorted(i) {
				for _, w := range sorted(j) {
					var a [6]uint64
					a[i], a[j] = v, w
					vectors = append(vectors, a)
				}
			}
		}
	}
	return vectors
}
