//go:build libseccomp && cgo && linux

package libseccomptest

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/filter/analysis"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// TestAnalysisOfBothCompilers computes the exact decision of libseccomp's
// program and of this module's for every fixture and ABI, checks both
// against the simulator on every input TestEquivalence tries, and then
// compares the two programs exactly, over every input: each region where
// they differ must be one of the documented kinds (whyOldTable, whyBit31,
// whyTruncated, whyNotInKernel), never a decision TestEquivalence's sample missed.
func TestAnalysisOfBothCompilers(t *testing.T) {
	for _, f := range fixtures(t) {
		for _, native := range f.natives {
			abi, _ := profile.ABIOf(native)
			t.Run(f.name+"/"+abi.Name, func(t *testing.T) {
				t.Parallel()
				ls, lib, res, ours := compileBoth(t, f, native)
				order := abi.ByteOrder()
				s := analysis.NewSpace()
				progs := map[string][]filter.Instruction{"ours": ours.Instructions(), "libseccomp": lib.Insns}
				inputs := inputsFor(res.Policy, ls)
				for name, insns := range progs {
					fn, err := s.Analyze(insns, order)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					for _, in := range inputs {
						want, _ := filter.Run(insns, &in.data, order)
						x := analysis.InputOf(&in.data)
						if got := s.Eval(fn, &x); got != uint32(want.Ret) {
							t.Fatalf("%s on %+v: analysis %#x, filter.Run %#x", name, in.data, got, uint32(want.Ret))
						}
					}
				}
				theirs, err := seccomp.NewProgram(lib.Insns, ours.ABIs()...)
				if err != nil {
					t.Fatal(err)
				}
				c, err := seccomp.Compare(theirs, ours)
				if err != nil {
					t.Fatal(err)
				}
				wide := map[string]bool{} // names with a condition wider than 32 bits
				for _, sc := range ls.Syscalls {
					for _, a := range sc.Args {
						if a.Value > math.MaxUint32 || a.Op == specs.OpMaskedEqual && a.ValueTwo > math.MaxUint32 {
							for _, n := range sc.Names {
								wide[n] = true
							}
						}
					}
				}
				kinds := map[string]int{}
				for _, d := range c.Differences {
					why := explainDifference(ls, &d, wide)
					if why == "" {
						t.Errorf("libseccomp and this module differ in an undocumented way: %s", describe(&d))
						continue
					}
					kinds[why]++
				}
				for why, n := range kinds {
					t.Logf("%d regions differ: %s", n, why)
				}
			})
		}
	}
}

// whyNoTable: the profile names an architecture this module has no table
// for (Result.Warnings says so); libseccomp decides its calls by the
// profile, this module gives them the bad-architecture action.
const whyNoTable = "an architecture the profile names has no table here: its calls get the bad-architecture action"

// explainDifference returns the documented reason for a region where
// libseccomp's program (A) and this module's (B) differ, or "".
func explainDifference(ls *specs.LinuxSeccomp, d *seccomp.Difference, wide map[string]bool) string {
	if d.ABI == nil {
		// An architecture the profile names and libseccomp knows, but
		// this module has no table for: profile.Translate warns, and
		// its calls get the bad-architecture action.
		for _, a := range ls.Architectures {
			if abi, _ := profile.ABIOf(a); abi != nil {
				continue
			}
			if tok, err := Arch(a); err == nil && tok == d.Arch && d.Archs == 1 {
				return whyNoTable
			}
		}
		return ""
	}
	// Compare's own kind, which sysfence diff prints, must be the
	// documented reason, checked against libseccomp where it can be.
	tok, _ := Arch(specs.Arch("SCMP_ARCH_" + strings.ToUpper(archName(d.ABI))))
	if name, known := Knows(tok, d.Nr); known && kernelLacks[d.ABI.Name] == name {
		if _, ours := d.ABI.SyscallName(d.Nr); !ours {
			return whyNotInKernel
		}
	}
	switch d.Kind {
	case seccomp.KindBit31:
		if d.ABI.Name == "x86_64" {
			return whyBit31
		}
	case seccomp.KindUnknownToA: // A is libseccomp's program
		if _, known := Knows(tok, d.Nr); !known {
			return whyOldTable
		}
	case seccomp.KindHighWord:
		if d.ABI.WordSize == 4 || d.ABI.NrBit != 0 || strings.Contains(d.ABI.Name, "n32") {
			return whyTruncated
		}
	}
	// A condition with a value wider than 32 bits on an ABI libseccomp
	// compares 32 bits of: it truncates the value, and the two differ
	// on the low word too. Only the profile shows this kind.
	if d.Args != "" && wide[d.Syscall] && (d.ABI.WordSize == 4 || d.ABI.NrBit != 0 || strings.Contains(d.ABI.Name, "n32")) {
		return whyTruncated
	}
	return ""
}

func describe(d *seccomp.Difference) string {
	abi := fmt.Sprintf("arch %#x (%d values)", d.Arch, d.Archs)
	if d.ABI != nil {
		abi = d.ABI.Name
	}
	return fmt.Sprintf("%s %s nr %d-%d mask %#x args %q kind %q: libseccomp %s, ours %s (e.g. %v)", abi, d.Syscall, d.Nr, d.NrLast, d.Mask, d.Args, d.Kind, d.Example.A, d.Example.B, d.Example)
}

// TestDiffCommandNamesKinds writes libseccomp's program of moby's default
// profile for x86_64 to a file and runs sysfence diff of it against the
// same profile compiled by this module: every line of the output names a
// documented kind of difference, and the summary says how they compare.
func TestDiffCommandNamesKinds(t *testing.T) {
	moby, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	opts := &profile.Options{ABI: tables.X86_64, Kernel: "6.8"}
	ls, err := moby.Resolve(opts)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := Compile(ls, specs.ArchX86_64)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	libFile := filepath.Join(dir, "libseccomp.bpf")
	if err := os.WriteFile(libFile, filter.Encode(lib.Insns, binary.LittleEndian), 0o644); err != nil {
		t.Fatal(err)
	}
	ls.DefaultErrnoRet = nil
	prof := filepath.Join(dir, "moby.json")
	data, err := json.Marshal(ls)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prof, data, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "sysfence")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/sysfence/seccomp/cmd/sysfence").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "diff", "--arch", "x86_64", libFile, prof).Output()
	if err != nil {
		t.Fatalf("sysfence diff: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	kinds := []string{seccomp.KindBit31, seccomp.KindUnknownToA, seccomp.KindHighWord}
	for _, l := range lines[:len(lines)-1] {
		if !slices.ContainsFunc(kinds, func(k string) bool { return strings.HasSuffix(l, "["+k+"]") }) {
			t.Errorf("a difference of no documented kind: %s", l)
		}
	}
	t.Logf("sysfence diff libseccomp.bpf moby.json:\n%s", out)
}
