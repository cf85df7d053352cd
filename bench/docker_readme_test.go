package main

import (
	"slices"
	"testing"

	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

// TestDockerAgainstProfile holds README.md and bench/README.md to their
// account of why "sysfence stats --profile docker-default" reports
// another length than the benchmark's Docker table: package profile
// decides as runc's libseccomp filter does, comparing arguments on x32 in
// their low 32 bits and giving foreign ABIs kill-thread, while the
// benchmark's policy compares 64 bits on every ABI and kills the process.
// With those two differences undone, the profile compiles to the very
// program the benchmark measures.
func TestDockerAgainstProfile(t *testing.T) {
	d, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Translate(&profile.Options{ABI: tables.X86_64})
	if err != nil {
		t.Fatal(err)
	}
	asProfile, err := res.Compile()
	if err != nil {
		t.Fatal(err)
	}

	p := *res.Policy
	p.Foreign = seccomp.KillProcess
	p.Rules = nil
	narrow := 0
	for _, r := range res.Policy.Rules {
		r.Args = slices.Clone(r.Args)
		for i := range r.Args {
			if r.Args[i].Width == 32 {
				if len(r.ABIs) != 1 || r.ABIs[0] != tables.X32 {
					t.Errorf("%s: a 32-bit comparison on %v, not only on x32", r.Syscall, r.ABIs)
				}
				r.Args[i].Width, narrow = 0, narrow+1
			}
		}
		p.Rules = append(p.Rules, r)
	}
	if narrow == 0 {
		t.Error("the profile compares no x32 argument on 32 bits: the READMEs' account is stale")
	}
	widened, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}

	bp, err := dockerPolicy()
	if err != nil {
		t.Fatal(err)
	}
	compile, _, err := prepareSysfence(bp)
	if err != nil {
		t.Fatal(err)
	}
	bench, err := compile()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(widened.Instructions(), bench) {
		t.Errorf("the profile's policy, with 64-bit x32 comparisons and kill-process for foreign ABIs, compiles to %d instructions unlike the benchmark's %d", widened.Len(), len(bench))
	}
	if asProfile.Len() <= len(bench) {
		t.Errorf("the profile's program has %d instructions, the benchmark's %d: the READMEs say the profile's is longer", asProfile.Len(), len(bench))
	}
}
