package compile

import (
	"github.com/sysfence/seccomp/filter"
	"math"
	"slices"
	"testing"

	"github.com/sysfence/seccomp/internal/actioncache"
	"github.com/sysfence/seccomp/tables"
)

// sandboxDenylist is the denylist many sandbox launchers apply: debugging
// other processes, kernel keyrings, module and kernel loading, mounts,
// swap, host names, raw I/O ports, and kernel interfaces often exploited
// (bpf, perf_event_open, userfaultfd).
var sandboxDenylist = []string{
	"ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key",
	"request_key", "personality", "userfaultfd", "perf_event_open", "bpf",
	"kexec_load", "kexec_file_load", "reboot", "syslog", "acct", "mount",
	"umount2", "pivot_root", "swapon", "swapoff", "sethostname",
	"setdomainname", "init_module", "finit_module", "delete_module",
	"ioperm", "iopl",
}

// allowlistOmits are the x86_64 system calls that allowlistPolicy does not
// allow: those of sandboxDenylist but personality, which it allows with an
// argument check, and obsolete, privileged or namespace-changing calls.
var allowlistOmits = []string{
	"ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key",
	"request_key", "userfaultfd", "perf_event_open", "bpf", "kexec_load",
	"kexec_file_load", "reboot", "syslog", "acct", "mount", "umount2",
	"pivot_root", "swapon", "swapoff", "sethostname", "setdomainname",
	"init_module", "finit_module", "delete_module", "ioperm", "iopl",
	"uselib", "ustat", "sysfs", "vhangup", "modify_ldt", "_sysctl",
	"adjtimex", "chroot", "settimeofday", "create_module",
	"get_kernel_syms", "query_module", "quotactl", "quotactl_fd",
	"nfsservctl", "getpmsg", "putpmsg", "afs_syscall", "tuxcall",
	"security", "lookup_dcookie", "epoll_ctl_old", "epoll_wait_old",
	"vserver", "clock_settime", "clock_adjtime", "setns", "unshare",
	"fanotify_init", "name_to_handle_at", "open_by_handle_at", "kcmp",
	"open_tree", "open_tree_attr", "move_mount", "fsopen", "fsconfig",
	"fsmount", "fspick", "mount_setattr", "listns", "io_uring_setup",
	"io_uring_enter", "io_uring_register", "clone3",
}

// Constants for the argument rules of allowlistPolicy, from
// include/linux/socket.h, include/uapi/linux/sched.h and asm/errno.h.
const (
	afUnix  = 1
	afInet  = 2
	afInet6 = 10
	// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
	// CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET.
	cloneNamespaces = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
	eperm           = 1
	eafnosupport    = 97
	enosys          = 38
)

// nr returns the number of a system call that the test needs.
func nr(tb testing.TB, abi *tables.ABI, name string) uint32 {
	tb.Helper()
	n, ok := abi.Number(name)
	if !ok {
		tb.Fatalf("%s has no system call %q", abi.Name, name)
	}
	return n
}

// denylistPolicy allows every x86_64 system call but those of
// sandboxDenylist, which fail with EPERM.
func denylistPolicy(tb testing.TB) *Policy {
	abi := tables.X86_64
	var rules []Rule
	for _, name := range sandboxDenylist {
		rules = append(rules, Rule{Nr: nr(tb, abi, name), Action: filter.Errno(eperm)})
	}
	return &Policy{
		ABIs:    []ABIPolicy{{ABI: abi, Rules: rules, Default: filter.Allow, Unknown: filter.Allow}},
		Foreign: filter.KillProcess,
		X32:     filter.KillProcess,
	}
}

// allowlistPolicy allows about 300 x86_64 system calls and kills the
// process for the rest: socket only for AF_UNIX, AF_INET and AF_INET6,
// clone only without namespace flags, personality only to query or set
// PER_LINUX; clone3, whose flags a filter cannot read, fails with ENOSYS
// so that libc falls back to clone.
func allowlistPolicy(tb testing.TB) *Policy {
	abi := tables.X86_64
	for _, name := range allowlistOmits {
		nr(tb, abi, name) // catch misspelt names
	}
	argRules := map[string]Rule{
		"socket": {Action: filter.Errno(eafnosupport), Args: []ArgRule{
			{Conds: []Cond{{Arg: 0, Op: OpEq, Value: afUnix}}, Action: filter.Allow},
			{Conds: []Cond{{Arg: 0, Op: OpEq, Value: afInet}}, Action: filter.Allow},
			{Conds: []Cond{{Arg: 0, Op: OpEq, Value: afInet6}}, Action: filter.Allow},
		}},
		"clone": {Action: filter.Errno(eperm), Args: []ArgRule{
			{Conds: []Cond{{Arg: 0, Op: OpMaskedEq, Mask: cloneNamespaces, Value: 0}}, Action: filter.Allow},
		}},
		"personality": {Action: filter.Errno(eperm), Args: []ArgRule{
			{Conds: []Cond{{Arg: 0, Op: OpEq, Value: 0}}, Action: filter.Allow},
			{Conds: []Cond{{Arg: 0, Op: OpEq, Value: 0xffffffff}}, Action: filter.Allow},
		}},
	}
	rules := []Rule{{Nr: nr(tb, abi, "clone3"), Action: filter.Errno(enosys)}}
	for _, sc := range abi.Syscalls() {
		if slices.Contains(allowlistOmits, sc.Name) {
			continue
		}
		r, ok := argRules[sc.Name]
		if !ok {
			r.Action = filter.Allow
		}
		r.Nr = sc.Nr
		rules = append(rules, r)
	}
	return &Policy{
		ABIs:    []ABIPolicy{{ABI: abi, Rules: rules, Default: filter.KillProcess, Unknown: filter.Errno(enosys)}},
		Foreign: filter.KillProcess,
		X32:     filter.KillProcess,
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, bc := range []struct {
		name   string
		policy func(testing.TB) *Policy
	}{
		{"denylist27", denylistPolicy},
		{"allowlist300", allowlistPolicy},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := bc.policy(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCompileStats checks the cost targets of the compiled programs: a
// mean of at most log2(N)+6 instructions per system call for N rules, and
// every allowed system call without argument rules left to the kernel's
// action cache.
func TestCompileStats(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy func(testing.TB) *Policy
	}{
		{"denylist27", denylistPolicy},
		{"allowlist300", allowlistPolicy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.policy(t)
			ap := p.ABIs[0]
			prog, err := Compile(p)
			if err != nil {
				t.Fatal(err)
			}
			st, err := filter.Analyze(prog, ap.ABI)
			if err != nil {
				t.Fatal(err)
			}
			n := len(ap.Rules)
			limit := math.Log2(float64(n)) + 6
			want := cacheableAllowed(p, &ap)
			t.Logf("%-12s rules %3d  len %3d  syscalls %d  mean steps %.2f (limit %.2f)  max steps %d (%s)  cache-allowed %d (allowed without arg rules %d)",
				tc.name, n, st.Len, st.Syscalls, st.MeanSteps, limit, st.MaxSteps, st.MaxStepsSyscall, st.CacheAllowed, len(want))
			if st.MeanSteps > limit {
				t.Errorf("mean steps %.2f > log2(%d)+6 = %.2f", st.MeanSteps, n, limit)
			}
			got := slices.DeleteFunc(st.CacheAllowedNames, func(name string) bool {
				return actioncache.Exempt(ap.ABI, name) && !slices.Contains(want, name)
			})
			if !slices.Equal(got, want) {
				t.Errorf("cache-allowed system calls differ from those allowed without argument rules:\ngot  %v\nwant %v", got, want)
			}
		})
	}
}

// cacheableAllowed returns, in order of number, the system calls of ap's
// table that p allows whatever their arguments.
func cacheableAllowed(p *Policy, ap *ABIPolicy) []string {
	var names []string
	for _, sc := range ap.ABI.Syscalls() {
		i := slices.IndexFunc(ap.Rules, func(r Rule) bool { return r.Nr == sc.Nr })
		act := ap.Default
		if i >= 0 {
			if len(ap.Rules[i].Args) > 0 {
				continue
			}
			act = ap.Rules[i].Action
		}
		if act == filter.Allow {
			names = append(names, sc.Name)
		}
	}
	return names
}
