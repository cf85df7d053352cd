package main

import (
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

// Policy is one benchmark policy in the terms every contender takes:
// system-call names, actions and argument conditions. Each adapter
// translates it into its own API; the reference (Decide) is the meaning
// every program is checked against.
type Policy struct {
	Name string
	// ABIs covered; the first is the native one (x86_64). A call through
	// any other ABI (i386 or x32 when not covered, another arch) is
	// killed.
	ABIs []*tables.ABI
	// Default is the action for every number no rule decides, including
	// numbers the table does not know: the other contenders cannot tell
	// those apart, so no policy here asks them to.
	Default filter.Action
	// Rules are tried in order; the first whose name is the call's and
	// whose conditions all hold decides. Across rules of one name the
	// conditions are alternatives, as in OCI and libseccomp.
	Rules []Rule
}

// Rule gives Action to calls of Name whose arguments satisfy all Args.
type Rule struct {
	Name   string
	Action filter.Action
	Args   []Cond
}

// Op is a comparison of an argument with a constant (unsigned, 64-bit).
type Op uint8

const (
	Eq       Op = iota + 1 // arg == Value
	Ne                     // arg != Value
	Lt                     // arg < Value
	Le                     // arg <= Value
	Gt                     // arg > Value
	Ge                     // arg >= Value
	MaskedEq               // arg & Mask == Value
)

// Cond is one condition on args[Arg].
type Cond struct {
	Arg   int
	Op    Op
	Value uint64
	Mask  uint64
}

func (c Cond) holds(args *[6]uint64) bool {
	v := args[c.Arg]
	switch c.Op {
	case Eq:
		return v == c.Value
	case Ne:
		return v != c.Value
	case Lt:
		return v < c.Value
	case Le:
		return v <= c.Value
	case Gt:
		return v > c.Value
	case Ge:
		return v >= c.Value
	case MaskedEq:
		return v&c.Mask == c.Value
	}
	panic("bench: unknown Op")
}

// covers reports whether the policy covers abi.
func (p *Policy) covers(abi *tables.ABI) bool { return slices.Contains(p.ABIs, abi) }

// hasArgs reports whether any rule of the policy checks arguments.
func (p *Policy) hasArgs() bool {
	return slices.ContainsFunc(p.Rules, func(r Rule) bool { return len(r.Args) > 0 })
}

// Decide is the reference: the action the policy gives a call.
func (p *Policy) Decide(d *filter.SeccompData) filter.Action {
	abi, ok := tables.ByCall(d.Arch, uint32(d.Nr))
	if !ok || !p.covers(abi) {
		return filter.KillProcess
	}
	name, ok := abi.SyscallName(uint32(d.Nr))
	if !ok {
		return p.Default
	}
	for _, r := range p.Rules {
		if r.Name == name && allHold(r.Args, &d.Args) {
			return r.Action
		}
	}
	return p.Default
}

func allHold(conds []Cond, args *[6]uint64) bool {
	for _, c := range conds {
		if !c.holds(args) {
			return false
		}
	}
	return true
}

// normalize drops the rules that can never match (those after a rule
// without conditions for the same name) and the names no covered ABI
// knows, so that every contender is handed the same, valid policy.
func (p *Policy) normalize() *Policy {
	closed := make(map[string]bool)
	var rules []Rule
	for _, r := range p.Rules {
		known := slices.ContainsFunc(p.ABIs, func(abi *tables.ABI) bool { _, ok := abi.Number(r.Name); return ok })
		if !known || closed[r.Name] {
			continue
		}
		if len(r.Args) == 0 {
			closed[r.Name] = true
		}
		rules = append(rules, r)
	}
	p.Rules = rules
	return p
}

// names returns the distinct names of the rules, in order.
func (p *Policy) names() []string {
	var out []string
	for _, r := range p.Rules {
		if !slices.Contains(out, r.Name) {
			out = append(out, r.Name)
		}
	}
	return out
}

const (
	eperm  = 1
	enosys = 38
)

// sandboxDenylist is the denylist sandbox launchers apply: other
// processes' memory, keyrings, kernel loading, mounts, swap, host names,
// port I/O and the interfaces most often exploited.
var sandboxDenylist = []string{
	"ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key",
	"request_key", "personality", "userfaultfd", "perf_event_open", "bpf",
	"kexec_load", "kexec_file_load", "reboot", "syslog", "acct", "mount",
	"umount2", "pivot_root", "swapon", "swapoff", "sethostname",
	"setdomainname", "init_module", "finit_module", "delete_module",
	"ioperm", "iopl",
}

func denylistPolicy() *Policy {
	p := &Policy{Name: "sandbox denylist (27)", ABIs: []*tables.ABI{tables.X86_64}, Default: filter.Allow}
	for _, n := range sandboxDenylist {
		p.Rules = append(p.Rules, Rule{Name: n, Action: filter.Errno(eperm)})
	}
	return p.normalize()
}

// serverAllowlist is what a small network server written in Go or C
// needs: 60 calls.
var serverAllowlist = []string{
	"read", "write", "close", "fstat", "lseek", "mmap", "mprotect", "munmap",
	"brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl",
	"pread64", "pwrite64", "readv", "writev", "access", "pipe2", "sched_yield",
	"madvise", "dup", "dup3", "nanosleep", "getpid", "socket", "connect",
	"accept4", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown", "bind",
	"listen", "getsockname", "getpeername", "setsockopt", "getsockopt",
	"clone", "execve", "exit", "wait4", "kill", "uname", "fcntl", "fsync",
	"getcwd", "getuid", "getgid", "gettid", "futex", "sched_getaffinity",
	"epoll_ctl", "epoll_pwait", "openat", "newfstatat", "exit_group",
	"tgkill", "getrandom",
}

// tinyAllowlist is the 10 calls a static program that reads, writes and
// exits needs.
var tinyAllowlist = []string{
	"read", "write", "close", "fstat", "mmap", "munmap", "brk",
	"rt_sigreturn", "exit", "exit_group",
}

func allowlistPolicy(name string, calls []string) *Policy {
	p := &Policy{Name: name, ABIs: []*tables.ABI{tables.X86_64}, Default: filter.KillProcess}
	for _, n := range calls {
		p.Rules = append(p.Rules, Rule{Name: n, Action: filter.Allow})
	}
	return p.normalize()
}

// sweepSizes are the N of the allowlist sweep.
var sweepSizes = []int{8, 16, 32, 64, 128, 256, 384}

// sweepSeed fixes which calls each allowlist of the sweep allows.
const sweepSeed = 20260527

// randomAllowlist allows n x86_64 system calls drawn with a fixed seed;
// a larger n keeps the calls of the smaller ones.
func randomAllowlist(n int) *Policy {
	all := tables.X86_64.Syscalls()
	r := rand.New(rand.NewPCG(sweepSeed, 0))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	names := make([]string, n)
	for i := range names {
		names[i] = all[i].Name
	}
	return allowlistPolicy("allowlist N="+strconv.Itoa(n), names)
}

// serverMix weighs the calls a server makes most, per 1000 calls, as
// strace -c shows them for a busy HTTP server and a Go service; the
// weighted mean of instructions run is what such a process pays.
var serverMix = []struct {
	name   string
	weight int
}{
	{"read", 150}, {"write", 110}, {"epoll_pwait", 100}, {"futex", 110},
	{"recvfrom", 70}, {"sendto", 60}, {"writev", 40}, {"close", 40},
	{"openat", 35}, {"newfstatat", 30}, {"fstat", 25}, {"accept4", 30},
	{"mmap", 20}, {"munmap", 15}, {"madvise", 15}, {"nanosleep", 20},
	{"sched_yield", 15}, {"getpid", 10}, {"rt_sigreturn", 10}, {"tgkill", 10},
	{"rt_sigprocmask", 20}, {"epoll_ctl", 25}, {"getrandom", 5},
	{"fcntl", 10}, {"lseek", 10}, {"pread64", 10}, {"clone", 3},
	{"setsockopt", 7},
}
