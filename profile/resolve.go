package profile

import (
	"errors"
	"fmt"
	"slices"

	mseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// Options say for what a profile is resolved and compiled. The zero
// Options (or nil) mean: this machine's native ABI and running kernel,
// Docker's default capabilities, and libseccomp's decisions.
type Options struct {
	// ABI is the native ABI of the machine the filter is for: it picks
	// the profile's archMap entry and its includes/excludes "arches",
	// and is always covered, as libseccomp always keeps the native
	// architecture. Nil means seccomp.NativeABI().
	ABI *tables.ABI
	// Capabilities is the container's bounding set, for the rules'
	// includes and excludes "caps". Nil means DefaultCapabilities();
	// an empty, non-nil slice means none.
	Capabilities []string
	// Kernel is the kernel version the rules' "minKernel" are compared
	// with: "6.8", or a release such as "6.8.0-45-generic" (the first two
	// numbers count, as in moby). "" means the running kernel.
	Kernel string
	// Strict makes errors of what is otherwise reported in Result:
	// system calls an ABI does not have, architectures without a table,
	// unknown fields, errnoRet on an action that takes none.
	Strict bool
	// FirstMatch accepts rules for one system call that give different
	// actions to overlapping arguments, and lets the first in the
	// profile win. libseccomp decides by its internal tree order
	// instead, so without FirstMatch such rules are an ErrOverlap.
	FirstMatch bool
	// Foreign is the action for calls through an ABI the profile does
	// not cover (and x32 numbers when x32 is not covered). "" means
	// kill-thread, libseccomp's default bad-architecture action, which
	// runc and crun keep.
	Foreign seccomp.Action
	// Unknown is the action for numbers the ABI's table does not know.
	// "" means the profile's default action, as libseccomp gives every
	// number no rule names. seccomp.ErrnoNamed("ENOSYS") is closer to
	// runc, whose filter answers ENOSYS above the highest number the
	// profile names.
	Unknown seccomp.Action
}

func (o *Options) abi() (*tables.ABI, error) {
	if o != nil && o.ABI != nil {
		return o.ABI, nil
	}
	return seccomp.NativeABI()
}

func (o *Options) caps() []string {
	if o == nil || o.Capabilities == nil {
		return DefaultCapabilities()
	}
	return o.Capabilities
}

func (o *Options) kernel() (mseccomp.KernelVersion, error) {
	if o != nil && o.Kernel != "" {
		kv, err := parseKernel(o.Kernel)
		if err != nil {
			return kv, &PathError{Path: "Options.Kernel", Value: o.Kernel, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
		}
		return kv, nil
	}
	release, err := runningKernel()
	if err != nil {
		return mseccomp.KernelVersion{}, err
	}
	return parseKernel(release)
}

// DefaultCapabilities returns the capabilities Docker gives a container
// by default (moby's oci/caps.DefaultCapabilities), the bounding set the
// default profile is usually resolved for.
func DefaultCapabilities() []string {
	return []string{
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
		"CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
		"CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
		"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	}
}

// Resolve returns the runtime-spec profile Docker would hand runc for a
// container with opts' capabilities on a machine with opts' ABI and
// kernel: the archMap entry of the ABI expanded into architectures, and
// only the rules whose includes hold and whose excludes do not.
//
// It is moby's resolution (setupSeccomp in
// github.com/moby/profiles/seccomp), which reads the architecture from
// runtime.GOARCH and the kernel from uname and so cannot be asked about
// another machine; this is the same procedure with both as parameters,
// and a test checks that the two agree on the machine it runs on. It
// returns nil, ErrUnconfined for a profile with neither a default action
// nor rules, which Docker runs unconfined.
func (p *Profile) Resolve(opts *Options) (*specs.LinuxSeccomp, error) {
	ls, _, err := p.resolve(opts)
	return ls, err
}

// resolve is Resolve, also returning the index in p.Syscalls of each
// rule of the result.
func (p *Profile) resolve(opts *Options) (*specs.LinuxSeccomp, []int, error) {
	if p.DefaultAction == "" && len(p.Syscalls) == 0 {
		return nil, nil, ErrUnconfined
	}
	if len(p.Architectures) != 0 && len(p.ArchMap) != 0 {
		return nil, nil, pathErr("archMap", "", ErrInvalid, "and architectures are both given; moby refuses that")
	}
	abi, err := opts.abi()
	if err != nil {
		return nil, nil, err
	}
	arch := mobyArch[abi.Name]
	caps := opts.caps()
	var kernel *mseccomp.KernelVersion
	out := p.LinuxSeccomp // a copy; the slices are copied below
	out.Architectures = slices.Clone(p.Architectures)
	out.Flags = slices.Clone(p.Flags)
	out.Syscalls = nil
	if own, ok := ArchOf(abi); ok {
		for _, m := range p.ArchMap {
			if m.Arch == own {
				out.Architectures = append(append(out.Architectures, m.Arch), m.SubArches...)
				break
			}
		}
	}
	kernelAtLeast := func(v *mseccomp.KernelVersion) (bool, error) {
		if kernel == nil {
			kv, err := opts.kernel()
			if err != nil {
				return false, err
			}
			kernel = &kv
		}
		return kernel.Kernel > v.Kernel || kernel.Kernel == v.Kernel && kernel.Major >= v.Major, nil
	}
	var origin []int
	for i, call := range p.Syscalls {
		if call == nil {
			return nil, nil, pathErr(fmt.Sprintf("syscalls[%d]", i), "null", ErrInvalid, "not a rule")
		}
		keep, err := applies(call, arch, caps, kernelAtLeast)
		if err != nil {
			return nil, nil, err
		}
		if !keep {
			continue
		}
		ls := call.LinuxSyscall
		if call.Name != "" {
			if len(call.Names) != 0 {
				return nil, nil, pathErr(fmt.Sprintf("syscalls[%d].name", i), "", ErrInvalid, "and names are both given; moby refuses that")
			}
			ls.Names = []string{call.Name}
		}
		out.Syscalls = append(out.Syscalls, ls)
		origin = append(origin, i)
	}
	return &out, origin, nil
}

// applies is moby's filter of a rule: any excluded arch, cap or kernel
// drops it; includes need the arch, every cap and the kernel.
func applies(call *mseccomp.Syscall, arch string, caps []string, kernelAtLeast func(*mseccomp.KernelVersion) (bool, error)) (bool, error) {
	if ex := call.Excludes; ex != nil {
		if slices.Contains(ex.Arches, arch) {
			return false, nil
		}
		for _, c := range ex.Caps {
			if slices.Contains(caps, c) {
				return false, nil
			}
		}
		if ex.MinKernel != nil {
			ok, err := kernelAtLeast(ex.MinKernel)
			if err != nil || ok {
				return false, err
			}
		}
	}
	if in := call.Includes; in != nil {
		if len(in.Arches) > 0 && !slices.Contains(in.Arches, arch) {
			return false, nil
		}
		for _, c := range in.Caps {
			if !slices.Contains(caps, c) {
				return false, nil
			}
		}
		if in.MinKernel != nil {
			ok, err := kernelAtLeast(in.MinKernel)
			if err != nil || !ok {
				return false, err
			}
		}
	}
	return true, nil
}

var errNoKernel = errors.New("profile: the running kernel is unknown on this system; set Options.Kernel")
