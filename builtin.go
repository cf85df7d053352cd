package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// The built-in policies. Each is compiled for the native ABI of every
// Linux GOARCH by go generate, so Builtin hands out a finished program.
var builtins = []struct {
	name   string
	policy func() *Policy
}{
	{"sandbox", sandboxPolicy},
	{"sandbox-strict", sandboxStrictPolicy},
}

// BuiltinNames returns the names of the built-in policies:
//
//   - "sandbox", a denylist for running untrusted programs: every call
//     is allowed except those that reach outside the sandbox or widen the
//     kernel's attack surface, which fail with EPERM: tracing and reading
//     other processes, the kernel keyrings, userfaultfd, perf_event_open,
//     bpf, io_uring, kexec, reboot, syslog, acct, swap, host and domain
//     names, kernel modules, port I/O, mounting (old and new API),
//     open_by_handle_at, uselib, personality but for the harmless
//     personas, and the terminal-injecting ioctls TIOCSTI and TIOCLINUX
//     (the rules of TerminalInjection; BuiltinPolicy returns them all, and
//     builtin.go gives the reasons);
//   - "sandbox-strict", the same plus no new namespaces: unshare and setns
//     fail with EPERM, clone with a CLONE_NEW* flag too (the rules of
//     CloneWithoutNamespaces, then EPERM), and clone3, whose flags sit in
//     memory seccomp cannot read, fails with ENOSYS so that libc falls
//     back to clone.
//
// Both allow every other call, give ENOSYS to numbers the table does not
// know and kill the process on a call through any other ABI.
func BuiltinNames() []string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.name
	}
	return names
}

// BuiltinPolicy returns a fresh copy of the named built-in policy, for the
// caller to inspect, change or compile for other ABIs: Policy.Drop lets
// through calls it denies, Policy.Override decides calls anew, and rules
// put before its own decide first.
func BuiltinPolicy(name string) (*Policy, error) {
	for _, b := range builtins {
		if b.name == name {
			return b.policy(), nil
		}
	}
	return nil, unknownBuiltin(name)
}

// Builtin returns the named built-in policy compiled for the native ABI.
// The program was compiled by go generate and is not compiled again.
func Builtin(name string) (*Program, error) {
	for i := range precompiled {
		if precompiled[i].name == name {
			return &Program{insns: precompiled[i].insns}, nil
		}
	}
	if _, err := BuiltinPolicy(name); err != nil {
		return nil, err
	}
	if nativeABI() == nil {
		return nil, fmt.Errorf("seccomp: built-in %q: no programs on %s/%s: %w", name, runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)
	}
	return nil, fmt.Errorf("seccomp: built-in %q was not precompiled for %s (run go generate)", name, runtime.GOARCH)
}

func unknownBuiltin(name string) error {
	return fmt.Errorf("%w %q (known: %s)", ErrUnknownBuiltin, name, strings.Join(BuiltinNames(), ", "))
}

// sandboxDenied returns the system calls the sandbox policies fail with
// EPERM, whatever their arguments: whole groups (groups.go gives each
// call's reason) and single calls of others.
func sandboxDenied() []string {
	return slices.Concat(
		// Reading or changing other processes; pidfd_getfd takes a file
		// descriptor out of another process, with ptrace's permission check.
		// (kcmp, also in @debug, only compares.)
		[]string{"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd"},
		groupCalls("@keyring"),
		// Common tools of kernel exploits, rarely needed by the programs a
		// sandbox runs.
		[]string{"userfaultfd", "perf_event_open", "bpf"},
		groupCalls("@io-uring"),
		// The machine itself: rebooting, its logs and accounting, swap, and
		// its names, which are the host's unless the sandbox has its own UTS
		// namespace.
		groupCalls("@reboot"), []string{"syslog", "acct"}, groupCalls("@swap"),
		[]string{"sethostname", "setdomainname"},
		// Kernel modules and port I/O.
		groupCalls("@module"), []string{"ioperm", "iopl"},
		groupCalls("@mount"),
		// Opening a file by handle bypasses the path walk and its
		// permission checks (the "shocker" container escape).
		// name_to_handle_at stays allowed: a handle is of no use without it.
		[]string{"open_by_handle_at"},
		// Loads an a.out library; obsolete, and unwanted attack surface.
		[]string{"uselib"},
	)
}

// personalityAllowed are the personality(2) arguments the sandbox allows:
// PER_LINUX, PER_LINUX32, UNAME26 alone and with PER_LINUX32, and
// 0xffffffff, which queries without changing (include/uapi/linux/personality.h).
// Every other persona fails with EPERM: READ_IMPLIES_EXEC and
// MMAP_PAGE_ZERO weaken memory protections, ADDR_NO_RANDOMIZE turns off
// ASLR.
var personalityAllowed = []uint64{0x0, 0x8, 0x20000, 0x20008, 0xffffffff}

func sandboxPolicy() *Policy {
	eperm := ErrnoNamed("EPERM")
	var rules []Rule
	for _, v := range personalityAllowed {
		rules = append(rules, Rule{Syscall: "personality", Action: Allow, Args: []Cond{Cond32(0, Eq, v)}})
	}
	rules = append(rules, Rule{Syscall: "personality", Action: eperm})
	rules = append(rules, RulesFor(eperm, sandboxDenied()...)...)
	rules = append(rules, TerminalInjection(eperm)...)
	return &Policy{Default: Allow, Rules: rules, Foreign: KillProcess, Unknown: ErrnoNamed("ENOSYS")}
}

// cloneNewNamespaces are the CLONE_NEW* flags clone(2) takes
// (include/uapi/linux/sched.h): NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER,
// NEWPID, NEWNET. CLONE_NEWTIME (0x80) is not among them: clone reads
// that bit as part of the exit signal, only clone3 and unshare take it.
const cloneNewNamespaces = 0x7e020000

func sandboxStrictPolicy() *Policy {
	p := sandboxPolicy()
	eperm := ErrnoNamed("EPERM")
	p.Rules = append(p.Rules, RulesFor(eperm, "unshare", "setns")...) // listns only lists
	p.Rules = append(p.Rules, CloneWithoutNamespaces(Allow)...)
	p.Rules = append(p.Rules, Rule{Syscall: "clone", Action: eperm}, Rule{Syscall: "clone3", Action: ErrnoNamed("ENOSYS")})
	return p
}

// terminalInjection returns the conditions for the ioctl requests that
// push input into a terminal: TIOCSTI fakes typed input, TIOCLINUX can
// paste the selection. From a sandbox sharing the caller's terminal they
// run commands outside it. Their numbers differ on mips
// (arch/mips/include/uapi/asm/ioctls.h) and on sh, whose
// arch/sh/include/uapi/asm/ioctls.h defines them as _IOW('T', 18, char)
// and _IOW('T', 28, char), with the direction and size bits set.
func terminalInjection(abi *tables.ABI) [][]Cond {
	tiocsti, tioclinux := uint64(0x5412), uint64(0x541c)
	switch {
	case isMIPS(abi):
		tiocsti, tioclinux = 0x5472, 0x5483
	case isSH(abi):
		tiocsti, tioclinux = 0x40015412, 0x4001541c
	}
	return [][]Cond{{Cond32(1, Eq, tiocsti)}, {Cond32(1, Eq, tioclinux)}}
}

// cloneWithoutNamespaces returns the condition that clone(2) creates no
// namespace. The flags are the first argument, except on s390, whose
// clone takes the stack first (CONFIG_CLONE_BACKWARDS2 in kernel/fork.c).
func cloneWithoutNamespaces(abi *tables.ABI) [][]Cond {
	arg := 0
	if isS390(abi) {
		arg = 1
	}
	return [][]Cond{{{Arg: arg, Op: MaskedEq, Mask: cloneNewNamespaces, Value: 0}}}
}

// The machine numbers in the low 16 bits of AUDIT_ARCH_* values
// (include/uapi/linux/elf-em.h).
const (
	emMIPS = 8
	emS390 = 22
	emSH   = 42
)

func isMIPS(abi *tables.ABI) bool { return abi.Audit&0xffff == emMIPS }
func isSH(abi *tables.ABI) bool   { return abi.Audit&0xffff == emSH }
func isS390(abi *tables.ABI) bool { return abi.Audit&0xffff == emS390 }
