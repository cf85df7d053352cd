package profile

import (
	"fmt"

	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sysfence/seccomp/internal/libseccomp"
)

// Result is a profile translated into a Policy, with what the
// translation noticed: see libseccomp.Result's fields.
type Result = libseccomp.Result

// Missing is a system call named in the profile that an ABI lacks.
type Missing = libseccomp.Missing

// Load parses a profile, resolves it for opts and translates it: Parse,
// Profile.Resolve and Translate in one, with errors and reports naming
// the JSON paths of data.
func Load(data []byte, opts *Options) (*Result, error) {
	p, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return p.Translate(opts)
}

// Translate resolves the profile for opts and translates it, with paths
// that name p's own rules.
func (p *Profile) Translate(opts *Options) (*Result, error) {
	ls, origin, err := p.resolve(opts)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(origin))
	for i, o := range origin {
		paths[i] = fmt.Sprintf("syscalls[%d]", o)
	}
	var unknown []error
	for _, f := range p.UnknownFields {
		unknown = append(unknown, pathErr(f, "", ErrUnknownField, "not a field of the format (Docker ignores it)"))
	}
	res, err := libseccomp.Translate(internalSpec(ls), paths, unknown, opts.internal())
	if err != nil {
		return nil, err
	}
	res.Folded = p.Folded
	return res, nil
}

// Translate translates a resolved profile (runtime-spec's linux.seccomp)
// into a Policy that decides every system call as libseccomp does with
// the filter runc builds from it. Errors are *PathErrors naming s's
// fields.
func Translate(s *specs.LinuxSeccomp, opts *Options) (*Result, error) {
	if s == nil {
		return nil, ErrUnconfined
	}
	paths := make([]string, len(s.Syscalls))
	for i := range paths {
		paths[i] = fmt.Sprintf("syscalls[%d]", i)
	}
	return libseccomp.Translate(internalSpec(s), paths, nil, opts.internal())
}

// internal returns what the translation needs of the options.
func (o *Options) internal() *libseccomp.Options {
	if o == nil {
		return nil
	}
	return &libseccomp.Options{ABI: o.ABI, Strict: o.Strict, FirstMatch: o.FirstMatch, Foreign: o.Foreign, Unknown: o.Unknown}
}

// internalSpec copies s into internal/libseccomp's mirror of the
// runtime-spec's types.
func internalSpec(s *specs.LinuxSeccomp) *libseccomp.LinuxSeccomp {
	out := &libseccomp.LinuxSeccomp{
		DefaultAction:    libseccomp.LinuxSeccompAction(s.DefaultAction),
		DefaultErrnoRet:  s.DefaultErrnoRet,
		ListenerPath:     s.ListenerPath,
		ListenerMetadata: s.ListenerMetadata,
	}
	for _, a := range s.Architectures {
		out.Architectures = append(out.Architectures, libseccomp.Arch(a))
	}
	for _, f := range s.Flags {
		out.Flags = append(out.Flags, libseccomp.LinuxSeccompFlag(f))
	}
	for i := range s.Syscalls {
		out.Syscalls = append(out.Syscalls, internalSyscall(&s.Syscalls[i]))
	}
	return out
}

// internalSyscall copies one rule into internal/libseccomp's types.
func internalSyscall(sc *specs.LinuxSyscall) libseccomp.LinuxSyscall {
	c := libseccomp.LinuxSyscall{Names: sc.Names, Action: libseccomp.LinuxSeccompAction(sc.Action), ErrnoRet: sc.ErrnoRet}
	for _, a := range sc.Args {
		c.Args = append(c.Args, libseccomp.LinuxSeccompArg{Index: a.Index, Value: a.Value, ValueTwo: a.ValueTwo, Op: libseccomp.LinuxSeccompOperator(a.Op)})
	}
	return c
}
