package main

import (
	"fmt"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// dockerCaps is the bounding set Docker gives a container by default
// (oci/caps/defaults.go in moby): the profile's rules that need another
// capability are left out, as Docker leaves them out.
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
	"CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP",
	"CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
	"CAP_AUDIT_WRITE",
}

// dockerPolicy is Docker's default seccomp profile as moby's own package
// resolves it for an amd64 container with the default capabilities on
// this kernel: x86_64, with i386 and x32 as sub-architectures.
func dockerPolicy() (*Policy, error) {
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: dockerCaps}}}
	oci, err := mobyseccomp.GetDefaultProfile(spec)
	if err != nil {
		return nil, err
	}
	p := &Policy{Name: "Docker default"}
	for _, a := range oci.Architectures {
		abi, ok := map[specs.Arch]*tables.ABI{specs.ArchX86_64: tables.X86_64, specs.ArchX86: tables.I386, specs.ArchX32: tables.X32}[a]
		if !ok {
			return nil, fmt.Errorf("docker profile: architecture %s", a)
		}
		p.ABIs = append(p.ABIs, abi)
	}
	errnoRet := uint(eperm)
	if oci.DefaultErrnoRet != nil {
		errnoRet = *oci.DefaultErrnoRet
	}
	if p.Default, err = ociAction(oci.DefaultAction, errnoRet, nil); err != nil {
		return nil, err
	}
	for _, sc := range oci.Syscalls {
		act, err := ociAction(sc.Action, errnoRet, sc.ErrnoRet)
		if err != nil {
			return nil, err
		}
		for _, conds := range ociConds(sc.Args) {
			for _, name := range sc.Names {
				p.Rules = append(p.Rules, Rule{Name: name, Action: act, Args: conds})
			}
		}
	}
	return p.normalize(), nil
}

func ociAction(a specs.LinuxSeccompAction, dflt uint, errnoRet *uint) (filter.Action, error) {
	switch a {
	case specs.ActAllow:
		return filter.Allow, nil
	case specs.ActErrno:
		if errnoRet != nil {
			dflt = *errnoRet
		}
		return filter.Errno(uint16(dflt)), nil
	case specs.ActKillProcess:
		return filter.KillProcess, nil
	case specs.ActKill, specs.ActKillThread:
		return filter.KillThread, nil
	}
	return 0, fmt.Errorf("docker profile: action %s", a)
}

// ociConds turns a rule's arguments into alternatives of conditions: like
// runc, two comparisons of one argument make two rules.
func ociConds(args []specs.LinuxSeccompArg) [][]Cond {
	var conds []Cond
	for _, a := range args {
		c := Cond{Arg: int(a.Index), Value: a.Value}
		switch a.Op {
		case specs.OpEqualTo:
			c.Op = Eq
		case specs.OpNotEqual:
			c.Op = Ne
		case specs.OpLessThan:
			c.Op = Lt
		case specs.OpLessEqual:
			c.Op = Le
		case specs.OpGreaterThan:
			c.Op = Gt
		case specs.OpGreaterEqual:
			c.Op = Ge
		case specs.OpMaskedEqual:
			c.Op, c.Mask, c.Value = MaskedEq, a.Value, a.ValueTwo
		}
		conds = append(conds, c)
	}
	seen := make(map[int]bool)
	for _, c := range conds {
		if seen[c.Arg] {
			out := make([][]Cond, 0, len(conds))
			for _, c := range conds {
				out = append(out, []Cond{c})
			}
			return out
		}
		seen[c.Arg] = true
	}
	return [][]Cond{conds}
}
