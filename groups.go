package seccomp

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// ErrUnknownGroup: a name beginning with @ is not a syscall group.
var ErrUnknownGroup = errors.New("seccomp: unknown syscall group")

// KnownGroup is the group of every system call in an ABI's table.
const KnownGroup = "@known"

// A syscall group names system calls by purpose, as systemd's
// SystemCallFilter= sets do. A rule (Rule.Syscall), the CLI's --allow and
// --deny, and "sysfence syscalls --group" take a group wherever they take
// a name. A group is resolved per ABI: it stands for those of its calls
// the ABI's table has, so @file-system is stat64 and fstatat64 on i386
// and neither on aarch64. Every call of every table is in at least one
// group (TestEveryCallIsGrouped), so a table refresh that adds a call
// makes someone decide where it belongs.
//
// Each entry gives the reason its calls belong to the group. The table is
// static data: nothing is built at init.
type syscallGroup struct {
	name    string
	summary string
	calls   []groupEntry
}

type groupEntry struct {
	why   string
	names []string
}

var syscallGroups = []syscallGroup{
	{"@basic-io", "reading, writing and closing descriptors already open", []groupEntry{
		{"read and write, vectored and positioned", []string{"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2"}},
		{"the file offset", []string{"lseek", "_llseek"}},
		{"closing and duplicating descriptors", []string{"close", "close_range", "dup", "dup2", "dup3"}},
		{"descriptor flags (close-on-exec, non-blocking) and locks; fcntl's commands are the learned arguments", []string{"fcntl", "fcntl64"}},
		{"device control of an open descriptor: a terminal's size and modes; the requests that push input into a terminal are refused by the sandbox built-ins by argument", []string{"ioctl"}},
		{"copying between descriptors inside the kernel", []string{"sendfile", "sendfile64", "copy_file_range", "splice", "tee", "vmsplice"}},
	}},
	{"@file-system", "naming, opening and changing files and directories", []groupEntry{
		{"opening and creating files", []string{"open", "openat", "openat2", "creat", "name_to_handle_at"}},
		{"metadata and permission checks", []string{"stat", "lstat", "fstat", "newfstatat", "stat64", "lstat64", "fstat64", "fstatat64", "statx", "access", "faccessat", "faccessat2", "file_getattr", "file_setattr", "cachestat"}},
		{"file systems' space and the mount table, which /proc/self/mountinfo shows anyway", []string{"statfs", "fstatfs", "statfs64", "fstatfs64", "statmount", "listmount"}},
		{"directories", []string{"getdents", "getdents64", "mkdir", "mkdirat", "rmdir", "getcwd", "chdir", "fchdir"}},
		{"names: links, renames, removal; mknod makes device nodes only with CAP_MKNOD", []string{"link", "linkat", "symlink", "symlinkat", "readlink", "readlinkat", "unlink", "unlinkat", "rename", "renameat", "renameat2", "mknod", "mknodat"}},
		{"owners, modes and times", []string{"chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32", "umask", "utime", "utimes", "futimesat", "utimensat", "utimensat_time64"}},
		{"sizes and space", []string{"truncate", "ftruncate", "truncate64", "ftruncate64", "fallocate"}},
		{"writing back and advising the page cache", []string{"fsync", "fdatasync", "syncfs", "sync", "sync_file_range", "sync_file_range2", "arm_sync_file_range", "fadvise64", "fadvise64_64", "arm_fadvise64_64", "readahead"}},
		{"whole-file locks", []string{"flock"}},
		{"extended attributes", []string{"getxattr", "lgetxattr", "fgetxattr", "getxattrat", "setxattr", "lsetxattr", "fsetxattr", "setxattrat", "listxattr", "llistxattr", "flistxattr", "listxattrat", "removexattr", "lremovexattr", "fremovexattr", "removexattrat"}},
		{"watching files for changes", []string{"inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_init", "fanotify_mark"}},
	}},
	{"@process", "starting, running and ending processes and threads", []groupEntry{
		{"new processes and threads, and running programs; clone's flags are the learned arguments, and namespaces are @namespace", []string{"fork", "vfork", "clone", "clone3", "execve", "execveat"}},
		{"ending and waiting", []string{"exit", "exit_group", "wait4", "waitid", "waitpid", "pidfd_open", "process_mrelease"}},
		{"identities: the process's own ids, read only (changing them is @credentials)", []string{"getpid", "getppid", "gettid", "getpgid", "getpgrp", "setpgid", "getsid", "setsid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid", "getresgid", "getuid32", "geteuid32", "getgid32", "getegid32", "getgroups32", "getresuid32", "getresgid32"}},
		{"thread setup every libc and the Go runtime does at start", []string{"set_tid_address", "set_robust_list", "get_robust_list", "rseq", "arch_prctl", "set_thread_area", "get_thread_area", "set_tls", "get_tls", "membarrier"}},
		{"yielding and reading the CPUs the process may run on, which the Go runtime and glibc do", []string{"sched_yield", "sched_getaffinity"}},
		{"m68k's compare-and-exchange and barrier done by the kernel for CPUs without the instructions, which its libc's atomics use (arch/m68k/kernel/sys_m68k.c)", []string{"atomic_cmpxchg_32", "atomic_barrier"}},
		{"thread synchronisation", []string{"futex", "futex_time64", "futex_waitv", "futex_wait", "futex_wake", "futex_requeue"}},
		{"the process's own attributes; prctl's option and personality are learned arguments (the sandbox built-ins refuse the personas that weaken memory protection)", []string{"prctl", "personality"}},
		{"the process's resource limits and usage (glibc reads the stack limit at start)", []string{"getrlimit", "ugetrlimit", "setrlimit", "prlimit64", "getrusage", "times"}},
		{"random bytes, which glibc and the Go runtime read at start", []string{"getrandom"}},
		{"s390's per-thread guarded storage and runtime instrumentation", []string{"s390_guarded_storage", "s390_runtime_instr"}},
	}},
	{"@scheduling", "CPU and I/O scheduling", []groupEntry{
		{"yielding within a time slice, and priorities", []string{"rseq_slice_yield", "nice", "getpriority", "setpriority", "ioprio_get", "ioprio_set"}},
		{"scheduling policies and CPU affinity", []string{"sched_setaffinity", "sched_getattr", "sched_setattr", "sched_getparam", "sched_setparam", "sched_getscheduler", "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "sched_rr_get_interval_time64"}},
	}},
	{"@memory", "mapping and managing the process's memory", []groupEntry{
		{"mapping memory; mmap's and mprotect's prot (PROT_EXEC) are learned arguments", []string{"brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "pkey_mprotect", "pkey_alloc", "pkey_free", "mseal", "map_shadow_stack"}},
		{"advice, residency and locking", []string{"madvise", "process_madvise", "mincore", "msync", "mlock", "mlock2", "munlock", "mlockall", "munlockall", "remap_file_pages"}},
		{"anonymous files of memory", []string{"memfd_create", "memfd_secret"}},
		{"NUMA placement", []string{"get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", "mbind", "migrate_pages", "move_pages"}},
		{"flushing the instruction cache after writing code (mips, arm, riscv) and powerpc's sub-page protection", []string{"cacheflush", "cachectl", "riscv_flush_icache", "subpage_prot"}},
		{"handling page faults in user space: a common tool of kernel exploits, refused by the sandbox built-ins", []string{"userfaultfd"}},
	}},
	{"@signal", "sending, receiving and handling signals", []groupEntry{
		{"handlers and masks", []string{"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigpending", "rt_sigtimedwait", "rt_sigtimedwait_time64", "sigaction", "sigprocmask", "sigreturn", "sigsuspend", "sigpending", "signal", "sigaltstack", "signalfd", "signalfd4", "pause", "swapcontext"}},
		{"sending signals", []string{"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal"}},
		{"the kernel restarts an interrupted call with it", []string{"restart_syscall"}},
	}},
	{"@timer", "reading clocks, sleeping and timers", []groupEntry{
		{"reading clocks (the vDSO answers most of these without a system call)", []string{"clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64", "gettimeofday", "time"}},
		{"sleeping", []string{"nanosleep", "clock_nanosleep", "clock_nanosleep_time64"}},
		{"timers", []string{"alarm", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64"}},
	}},
	{"@clock", "setting the system clock (CAP_SYS_TIME)", []groupEntry{
		{"the clock is the whole machine's", []string{"settimeofday", "stime", "clock_settime", "clock_settime64", "adjtimex", "clock_adjtime", "clock_adjtime64"}},
	}},
	{"@io-event", "waiting for descriptors to become ready", []groupEntry{
		{"poll, select and epoll", []string{"poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6", "pselect6_time64", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2"}},
		{"event counters", []string{"eventfd", "eventfd2"}},
	}},
	{"@aio", "asynchronous I/O", []groupEntry{
		{"Linux AIO", []string{"io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents", "io_pgetevents_time64"}},
	}},
	{"@io-uring", "io_uring, whose operations do not pass through seccomp", []groupEntry{
		{"a large attack surface, refused by the sandbox built-ins", []string{"io_uring_setup", "io_uring_enter", "io_uring_register"}},
	}},
	{"@network-io", "sockets", []groupEntry{
		{"creating and connecting sockets; socket's family and type are learned arguments", []string{"socket", "socketpair", "bind", "listen", "accept", "accept4", "connect", "shutdown"}},
		{"addresses and options", []string{"getsockname", "getpeername", "getsockopt", "setsockopt"}},
		{"sending and receiving", []string{"sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "recvmmsg_time64", "send", "recv"}},
		{"the multiplexer of the socket calls on i386, s390, ppc and mips o32: a rule on a socket call decides its socketcall form too", []string{"socketcall"}},
	}},
	{"@ipc", "communication between processes other than sockets and signals", []groupEntry{
		{"pipes", []string{"pipe", "pipe2"}},
		{"System V message queues, semaphores and shared memory", []string{"msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semtimedop_time64", "semctl", "shmget", "shmat", "shmdt", "shmctl"}},
		{"the multiplexer of the System V calls on i386, s390, ppc and mips o32", []string{"ipc"}},
		{"POSIX message queues", []string{"mq_open", "mq_unlink", "mq_timedsend", "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64", "mq_notify", "mq_getsetattr"}},
	}},
	{"@credentials", "changing the process's user, groups and capabilities", []groupEntry{
		{"user and group ids", []string{"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups", "setuid32", "setgid32", "setreuid32", "setregid32", "setresuid32", "setresgid32", "setfsuid32", "setfsgid32", "setgroups32"}},
		{"capabilities", []string{"capget", "capset"}},
	}},
	{"@security", "the process restricting itself", []groupEntry{
		{"seccomp, Landlock and the LSMs' attributes of the process", []string{"seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules"}},
	}},
	{"@system-info", "reading facts about the machine", []groupEntry{
		{"names, load and CPUs", []string{"uname", "sysinfo", "getcpu", "riscv_hwprobe", "s390_sthyi"}},
		{"the page size (m68k)", []string{"getpagesize"}},
	}},
	{"@namespace", "creating and entering namespaces", []groupEntry{
		{"new namespaces widen what the kernel exposes to an unprivileged process (user namespaces above all); clone with CLONE_NEW* flags is decided by its arguments", []string{"unshare", "setns", "listns"}},
	}},
	{"@debug", "reading and changing other processes, tracing and profiling", []groupEntry{
		{"other processes' memory, descriptors and state", []string{"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp"}},
		{"profiling and tracing the kernel", []string{"perf_event_open", "lookup_dcookie", "uprobe", "uretprobe", "breakpoint", "sys_debug_setcontext"}},
	}},
	{"@keyring", "the kernel keyrings, which are not namespaced", []groupEntry{
		{"refused by the sandbox built-ins", []string{"add_key", "request_key", "keyctl"}},
	}},
	{"@mount", "changing mounts", []groupEntry{
		{"the old interface", []string{"mount", "umount", "umount2", "pivot_root"}},
		{"the new interface (Linux 5.2 and later)", []string{"fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "open_tree_attr", "mount_setattr"}},
	}},
	{"@module", "loading and unloading kernel modules", []groupEntry{
		{"code into the kernel itself", []string{"init_module", "finit_module", "delete_module"}},
	}},
	{"@reboot", "rebooting the machine or loading a new kernel", []groupEntry{
		{"the whole machine's", []string{"reboot", "kexec_load", "kexec_file_load"}},
	}},
	{"@swap", "enabling and disabling swap", []groupEntry{
		{"the whole machine's", []string{"swapon", "swapoff"}},
	}},
	{"@raw-io", "driving hardware directly", []groupEntry{
		{"I/O ports (x86)", []string{"ioperm", "iopl"}},
		{"PCI configuration and memory-mapped I/O", []string{"pciconfig_read", "pciconfig_write", "pciconfig_iobase", "s390_pci_mmio_read", "s390_pci_mmio_write"}},
		{"powerpc firmware and the Cell processor's SPUs", []string{"rtas", "spu_create", "spu_run"}},
	}},
	{"@privileged", "administering the machine (needs capabilities)", []groupEntry{
		{"the kernel's log, accounting, host and domain names", []string{"syslog", "acct", "sethostname", "setdomainname"}},
		{"a changed root, quotas, the terminal hang-up", []string{"chroot", "quotactl", "quotactl_fd", "vhangup"}},
		{"opening a file by handle skips the path walk and its permission checks", []string{"open_by_handle_at"}},
		{"eBPF programs and maps", []string{"bpf"}},
	}},
	{"@cpu-emulation", "running code of other CPU modes", []groupEntry{
		{"x86 segments and virtual 8086 mode, powerpc's byte order, mips's compatibility helpers", []string{"modify_ldt", "vm86", "vm86old", "switch_endian", "sysmips"}},
	}},
	{"@obsolete", "calls no current program needs: removed, never implemented, or replaced", []groupEntry{
		{"older forms of calls that have newer ones", []string{"oldstat", "oldlstat", "oldfstat", "olduname", "oldolduname", "readdir", "ustat", "sysfs", "_sysctl", "bdflush", "ulimit", "sgetmask", "ssetmask", "epoll_ctl_old", "epoll_wait_old", "uselib"}},
		{"removed from the kernel (ENOSYS)", []string{"create_module", "get_kernel_syms", "query_module", "nfsservctl", "idle", "vserver"}},
		{"numbers reserved and never implemented", []string{"afs_syscall", "break", "ftime", "getpmsg", "putpmsg", "gtty", "stty", "lock", "mpx", "prof", "profil", "security", "tuxcall", "multiplexer", "usr26", "usr32", "syscall",
			"reserved82", "reserved177", "reserved193", "reserved221", "unused18", "unused28", "unused59", "unused84", "unused109", "unused150"}},
	}},
}

// Groups returns the names of the syscall groups, each with its @, in the
// order the documentation lists them, and KnownGroup last.
func Groups() []string {
	names := make([]string, 0, len(syscallGroups)+1)
	for _, g := range syscallGroups {
		names = append(names, g.name)
	}
	return append(names, KnownGroup)
}

// GroupSummary returns what the named group is for, in a few words.
func GroupSummary(name string) (string, error) {
	if name == KnownGroup {
		return "every system call of the ABI's table", nil
	}
	g, err := findGroup(name)
	if err != nil {
		return "", err
	}
	return g.summary, nil
}

func findGroup(name string) (*syscallGroup, error) {
	for i := range syscallGroups {
		if syscallGroups[i].name == name {
			return &syscallGroups[i], nil
		}
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownGroup, name, strings.Join(Groups(), ", "))
}

// IsGroup reports whether name is written as a group: it begins with @.
func IsGroup(name string) bool { return strings.HasPrefix(name, "@") }

// Group returns the system calls of the named group that abi's table has,
// under their own names, sorted by name. KnownGroup is the whole table.
func Group(name string, abi *tables.ABI) ([]string, error) {
	var names []string
	if name == KnownGroup {
		for i := range abi.Len() {
			names = append(names, abi.At(i).Name)
		}
		slices.Sort(names)
		return names, nil
	}
	g, err := findGroup(name)
	if err != nil {
		return nil, err
	}
	for _, e := range g.calls {
		for _, n := range e.names {
			if _, ok := abi.Number(n); ok {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// ExpandGroups returns names with every group replaced by its calls on
// abi (Group), in order, each name once.
func ExpandGroups(abi *tables.ABI, names ...string) ([]string, error) {
	var out []string
	seen := make(map[string]bool)
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, n := range names {
		if !IsGroup(n) {
			add(n)
			continue
		}
		calls, err := Group(n, abi)
		if err != nil {
			return nil, err
		}
		for _, c := range calls {
			add(c)
		}
	}
	return out, nil
}

// groupCalls returns every call the named group lists, on any ABI, in
// the order of its source: for the built-ins, which are written for
// every ABI at once.
func groupCalls(name string) []string {
	g, err := findGroup(name)
	if err != nil {
		panic(err)
	}
	var names []string
	for _, e := range g.calls {
		names = append(names, e.names...)
	}
	return names
}

// ungrouped returns the names of calls that no group lists, sorted.
func ungrouped(calls []string) []string {
	grouped := make(map[string]bool)
	for _, g := range syscallGroups {
		for _, e := range g.calls {
			for _, n := range e.names {
				grouped[n] = true
			}
		}
	}
	var out []string
	for _, c := range calls {
		if !grouped[c] {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// withGroups returns p with each rule that names a group replaced by a
// rule for each call of the group that a covered ABI has, restricted to
// the covered ABIs that have it, and for each rule of the result the
// index of the rule of p it came from (nil when p names no group).
func (p *Policy) withGroups(abis []*tables.ABI) (*Policy, []int, error) {
	if !slices.ContainsFunc(p.Rules, func(r Rule) bool { return IsGroup(r.Syscall) }) {
		return p, nil, nil
	}
	q := *p
	q.Rules = nil
	var origin []int
	for i, r := range p.Rules {
		if !IsGroup(r.Syscall) {
			q.Rules = append(q.Rules, r)
			origin = append(origin, i)
			continue
		}
		var on []*tables.ABI
		for _, abi := range abis {
			if r.appliesTo(abi) {
				on = append(on, abi)
			}
		}
		var calls []string
		have := make(map[string][]*tables.ABI)
		for _, abi := range on {
			names, err := Group(r.Syscall, abi)
			if err != nil {
				return nil, nil, &PolicyError{Field: fmt.Sprintf("Rules[%d].Syscall", i), Syscall: r.Syscall, Err: err}
			}
			for _, n := range names {
				if have[n] == nil {
					calls = append(calls, n)
				}
				have[n] = append(have[n], abi)
			}
		}
		slices.Sort(calls)
		for _, n := range calls {
			c := r
			c.Syscall = n
			if len(have[n]) < len(on) {
				c.ABIs = have[n]
			}
			q.Rules = append(q.Rules, c)
			origin = append(origin, i)
		}
	}
	return &q, origin, nil
}

// ruleOrigin rewrites the rule index of a *PolicyError in err from the
// expanded policy's to the caller's.
func ruleOrigin(err error, origin []int) error {
	var pe *PolicyError
	if origin == nil || !errors.As(err, &pe) {
		return err
	}
	var i int
	var rest string
	if n, _ := fmt.Sscanf(pe.Field, "Rules[%d]", &i); n == 1 && i < len(origin) {
		rest = pe.Field[strings.Index(pe.Field, "]")+1:]
		pe.Field = fmt.Sprintf("Rules[%d]%s", origin[i], rest)
	}
	return err
}
