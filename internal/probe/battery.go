package probe

import "github.com/sysfence/seccomp/tables"

// A Call is one system call of the battery: its name in package tables,
// arguments for which the kernel itself fails without changing anything,
// and the error it fails with. A filter that lets the call through lets
// that error come back; one that refuses it answers otherwise (EPERM,
// ENOSYS, a kill), so the answer tells the two apart. The kernel's checks
// that produce Kernel come before any check of privilege, so the answer
// does not depend on who runs the probe, except where Note says.
type Call struct {
	Name string
	// Args are the arguments; -1 is all ones in the ABI's word.
	Args []int64
	// Shown is how the report spells the arguments.
	Shown string
	// Kernel is the name of the kernel's errno for these arguments; ""
	// for a call that succeeds (getpid).
	Kernel string
	// Why says where the kernel fails (function of the Linux source).
	Why string
	// Note is a caveat on the kernel's answer, if any.
	Note string
	// Performs is, for a multiplexer (Name "socketcall" or "ipc"), the
	// system call the arguments make it perform: on the ABIs whose
	// table has the multiplexer (i386, s390x, ppc64, mips o32), a rule
	// on that call must decide this route too. Elsewhere the
	// multiplexer is absent.
	Performs string
}

// Flag values of the uapi headers, the same on every ABI the probe runs.
const (
	ptraceAttach  = 16         // PTRACE_ATTACH, linux/ptrace.h
	noSuchPid     = 0x7fffffff // above PID_MAX_LIMIT (4194304), linux/threads.h
	cloneNewUser  = 0x10000000 // CLONE_NEWUSER, linux/sched.h
	cloneNewNS    = 0x00020000 // CLONE_NEWNS
	cloneFS       = 0x00000200 // CLONE_FS
	bpfProgLoad   = 5          // BPF_PROG_LOAD, linux/bpf.h
	tiocsti       = 0x5412     // TIOCSTI, asm-generic/ioctls.h (x86, arm, riscv)
	uffdUserOnly  = 1          // UFFD_USER_MODE_ONLY, linux/userfaultfd.h
	umountBadFlag = 0x10       // no UMOUNT_* or MNT_* flag, linux/fs.h
	sysSocket     = 1          // SYS_SOCKET, linux/net.h
	ipcSemop      = 1          // SEMOP, linux/ipc.h
)

// Battery is the fixed list of calls the probe makes on every ABI: getpid
// first, which shows the ABI works, then calls that reach outside a
// sandbox or widen the kernel's attack surface. Each fails in the kernel
// before it can act.
var Battery = []Call{
	{Name: "getpid", Shown: "", Why: "succeeds"},
	{Name: "ptrace", Args: []int64{ptraceAttach, noSuchPid, 0, 0}, Shown: "PTRACE_ATTACH, 0x7fffffff, 0, 0",
		Kernel: "ESRCH", Why: "no such process (kernel/ptrace.c)"},
	{Name: "process_vm_readv", Args: []int64{1, 0, 0, 0, 0, 1}, Shown: "1, NULL, 0, NULL, 0, 1",
		Kernel: "EINVAL", Why: "flags must be 0 (mm/process_vm_access.c)"},
	{Name: "mount", Args: []int64{0, 0, 0, 0, 0}, Shown: "NULL, NULL, NULL, 0, NULL",
		Kernel: "EFAULT", Why: "the target path is NULL (fs/namespace.c)"},
	{Name: "umount2", Args: []int64{0, umountBadFlag}, Shown: "NULL, 0x10",
		Kernel: "EINVAL", Why: "unknown flag (fs/namespace.c)"},
	{Name: "unshare", Args: []int64{cloneNewUser | cloneNewNS | 1}, Shown: "CLONE_NEWUSER|CLONE_NEWNS|1",
		Kernel: "EINVAL", Why: "1 is no unshare flag (kernel/fork.c)"},
	{Name: "setns", Args: []int64{-1, 0}, Shown: "-1, 0",
		Kernel: "EBADF", Why: "no descriptor -1 (kernel/nsproxy.c)"},
	{Name: "clone", Args: []int64{cloneNewUser | cloneFS, 0, 0, 0, 0}, Shown: "CLONE_NEWUSER|CLONE_FS, 0, 0, 0, 0",
		Kernel: "EINVAL", Why: "a new user namespace cannot share fs (kernel/fork.c)"},
	{Name: "bpf", Args: []int64{bpfProgLoad, 0, 8}, Shown: "BPF_PROG_LOAD, NULL, 8",
		Kernel: "EFAULT", Why: "attr is NULL (kernel/bpf/syscall.c)",
		Note: "before Linux 6.5 the kernel answers EPERM first to an unprivileged caller when kernel.unprivileged_bpf_disabled is set"},
	{Name: "perf_event_open", Args: []int64{0, 0, -1, -1, 0}, Shown: "NULL, 0, -1, -1, 0",
		Kernel: "EFAULT", Why: "attr is NULL (kernel/events/core.c)"},
	{Name: "keyctl", Args: []int64{0x7fffffff, 0, 0, 0, 0}, Shown: "0x7fffffff, 0, 0, 0, 0",
		Kernel: "EOPNOTSUPP", Why: "no such operation (security/keys/keyctl.c)"},
	{Name: "userfaultfd", Args: []int64{uffdUserOnly | 2}, Shown: "UFFD_USER_MODE_ONLY|2",
		Kernel: "EINVAL", Why: "2 is no flag (fs/userfaultfd.c)"},
	{Name: "io_uring_setup", Args: []int64{1, 0}, Shown: "1, NULL",
		Kernel: "EFAULT", Why: "params is NULL (io_uring/io_uring.c)",
		Note: "a kernel built without io_uring answers ENOSYS, and EPERM when kernel.io_uring_disabled is set"},
	{Name: "ioctl", Args: []int64{-1, tiocsti, 0}, Shown: "-1, TIOCSTI, NULL",
		Kernel: "EBADF", Why: "no descriptor -1 (fs/ioctl.c)"},
	// The multiplexers, where the ABI has them: socket(2) and semop(2)
	// by another number, which a rule on socket or semop must decide.
	{Name: "socketcall", Args: []int64{sysSocket, 0}, Shown: "SYS_SOCKET, NULL", Performs: "socket",
		Kernel: "EFAULT", Why: "the argument array is NULL (net/socket.c; net/compat.c for 32-bit callers)"},
	{Name: "ipc", Args: []int64{ipcSemop, -1, 0, 0, 0, 0}, Shown: "SEMOP, -1, 0, 0, NULL, 0", Performs: "semop",
		Kernel: "EINVAL", Why: "no semaphore set -1 (ipc/sem.c, reached through ipc/syscall.c)"},
}

// args returns c's six arguments on the route's ABI, for words bits
// wide. clone takes its stack first and its flags second on s390
// (CONFIG_CLONE_BACKWARDS2, kernel/fork.c): there the two swap, or the
// flags would be a stack and clone would create a process.
func (c Call) args(abi *tables.ABI, bits int) [6]uint64 {
	var a [6]uint64
	for i, v := range c.Args {
		a[i] = uint64(v)
		if bits == 32 {
			a[i] &= 0xffff_ffff
		}
	}
	if c.Name == "clone" && abi.Audit&0xffff == emS390 {
		a[0], a[1] = a[1], a[0]
	}
	return a
}

// emS390 is the machine of s390's AUDIT_ARCH_* values, in their low 16
// bits (include/uapi/linux/elf-em.h).
const emS390 = 22
