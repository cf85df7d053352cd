package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// x/sys has no tables for x32 and MIPS n32 and leaves out arm's private
// calls. This file derives them from the tables it does have, using the
// kernel's own rules; the kernel-tree reader (linux.go) reads them
// directly, and gen's tests check that both agree with Debian's headers
// (every ABI but loongarch64, which Debian 12 has no headers of).

// x32Bit is __X32_SYSCALL_BIT of arch/x86/include/uapi/asm/unistd.h.
const x32Bit = 0x40000000

// x86_64Only are the entries of arch/x86/entry/syscalls/syscall_64.tbl
// whose ABI column is "64": x86_64 has them, x32 does not (most because
// x32 has its own version at 512–547, below). Every call added since Linux
// 5.1 is "common" (uretprobe, uprobe and map_shadow_stack included, as of
// Linux 6.12's table).
var x86_64Only = []uint32{
	13, 15, 16, 19, 20, 45, 46, 47, 54, 55, 59, 101, 127, 128, 129, 131,
	134, 156, 174, 177, 178, 180, 205, 206, 209, 211, 214, 215, 222, 236,
	244, 246, 247, 273, 274, 278, 279, 295, 296, 297, 299, 307, 310, 311,
	322, 327, 328,
}

// x32Only are the rows of syscall_64.tbl whose ABI column is "x32": the
// calls whose x32 version takes another number than on x86_64. The range
// 512–547 is closed; every call added since is "common" or "64".
var x32Only = []entry{
	{"rt_sigaction", 512}, {"rt_sigreturn", 513}, {"ioctl", 514},
	{"readv", 515}, {"writev", 516}, {"recvfrom", 517}, {"sendmsg", 518},
	{"recvmsg", 519}, {"execve", 520}, {"ptrace", 521},
	{"rt_sigpending", 522}, {"rt_sigtimedwait", 523},
	{"rt_sigqueueinfo", 524}, {"sigaltstack", 525}, {"timer_create", 526},
	{"mq_notify", 527}, {"kexec_load", 528}, {"waitid", 529},
	{"set_robust_list", 530}, {"get_robust_list", 531}, {"vmsplice", 532},
	{"move_pages", 533}, {"preadv", 534}, {"pwritev", 535},
	{"rt_tgsigqueueinfo", 536}, {"recvmmsg", 537}, {"sendmmsg", 538},
	{"process_vm_readv", 539}, {"process_vm_writev", 540},
	{"setsockopt", 541}, {"getsockopt", 542}, {"io_setup", 543},
	{"io_submit", 544}, {"execveat", 545}, {"preadv2", 546},
	{"pwritev2", 547},
}

// deriveX32 builds the x32 table from x86_64's: every x86_64 call that is
// not 64-bit only, plus the x32 versions, all with the x32 bit set.
func deriveX32(x86_64 *table, t *target) (*table, error) {
	skip := make(map[uint32]bool, len(x86_64Only))
	for _, nr := range x86_64Only {
		skip[nr] = true
	}
	out := derivedFrom(x86_64, t)
	for _, e := range x86_64.syscalls {
		if !skip[e.nr] {
			out.syscalls = append(out.syscalls, entry{e.name, e.nr | x32Bit})
		}
	}
	for _, e := range x32Only {
		out.syscalls = append(out.syscalls, entry{e.name, e.nr | x32Bit})
	}
	return out, nil
}

// genericStart is the first number that every ABI gives the same call
// (relative to its base): since Linux 5.1 (pidfd_send_signal, 424) new
// system calls are added to every table with one number.
const genericStart = 424

//go:embed n32.txt
var n32Frozen []byte

// deriveN32 builds the MIPS n32 table: the calls numbered below 424, which
// no longer change, from n32.txt, and from 424 on n64's calls with n32's
// base.
func deriveN32(n64 *table, t *target) (*table, error) {
	out := derivedFrom(n64, t)
	sc := bufio.NewScanner(bytes.NewReader(n32Frozen))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		off, name, ok := strings.Cut(text, " ")
		n, err := strconv.ParseUint(off, 10, 32)
		if !ok || err != nil || n >= genericStart {
			return nil, fmt.Errorf("n32.txt:%d: want \"<offset below %d> <name>\", have %q", line, genericStart, text)
		}
		out.syscalls = append(out.syscalls, entry{name, t.base + uint32(n)})
	}
	for _, e := range n64.syscalls {
		if off := e.nr - n64.t.base; off >= genericStart {
			out.syscalls = append(out.syscalls, entry{e.name, t.base + off})
		}
	}
	return out, nil
}

// armPrivate are arm's private calls, __ARM_NR_BASE (0x0f0000 for EABI)
// plus 1 to 6, from arch/arm/include/uapi/asm/unistd.h.
var armPrivate = []entry{
	{"breakpoint", 0x0f0001}, {"cacheflush", 0x0f0002},
	{"usr26", 0x0f0003}, {"usr32", 0x0f0004},
	{"set_tls", 0x0f0005}, {"get_tls", 0x0f0006},
}

// derivedFrom returns an empty table for t with the provenance and error
// numbers of from, whose ABI t is derived from.
func derivedFrom(from *table, t *target) *table {
	return &table{
		t:      t,
		errnos: from.errnos,
		kernel: from.kernel,
		source: from.source + ", derived from its " + from.t.name + " table",
	}
}

// s390Last is the last Linux release with 31-bit s390: Linux 6.19 removed
// the compat ABI of s390x kernels (commit 8e0b986c59c6, "s390: Remove
// compat support"), and s390End is the first number added after it
// (listns, 470): the calls from there on never reached 31-bit processes.
const (
	s390Last = "6.18"
	s390End  = 470
)

// s390xOnly are the numbers of arch/s390/kernel/syscalls/syscall.tbl
// whose ABI column is "64": s390x has them, 31-bit s390 does not (at the
// same numbers below 294 it has its own calls, s390Only). Debian 12's
// Linux 6.1 asm/unistd_32.h lacks every one of them, memfd_secret
// included, and every call added after Linux 6.1 is "common"
// (TestDebianHeaders, TestS390Derivation).
var s390xOnly = []uint32{
	142, 191, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209,
	210, 211, 212, 213, 214, 215, 216, 293, 392, 447,
}

// s390Only are the rows of the table whose ABI column is "32": the 16-bit
// ID calls and their 32-bit successors, the 64-bit file-offset calls and
// the 64-bit time calls of Linux 5.1 (403–423).
var s390Only = []entry{
	{"time", 13}, {"lchown", 16}, {"setuid", 23}, {"getuid", 24},
	{"stime", 25}, {"setgid", 46}, {"getgid", 47}, {"geteuid", 49},
	{"getegid", 50}, {"setreuid", 70}, {"setregid", 71},
	{"getrlimit", 76}, {"getgroups", 80}, {"setgroups", 81},
	{"fchown", 95}, {"ioperm", 101}, {"setfsuid", 138},
	{"setfsgid", 139}, {"_llseek", 140}, {"_newselect", 142},
	{"setresuid", 164}, {"getresuid", 165}, {"setresgid", 170},
	{"getresgid", 171}, {"chown", 182}, {"ugetrlimit", 191},
	{"mmap2", 192}, {"truncate64", 193}, {"ftruncate64", 194},
	{"stat64", 195}, {"lstat64", 196}, {"fstat64", 197},
	{"lchown32", 198}, {"getuid32", 199}, {"getgid32", 200},
	{"geteuid32", 201}, {"getegid32", 202}, {"setreuid32", 203},
	{"setregid32", 204}, {"getgroups32", 205}, {"setgroups32", 206},
	{"fchown32", 207}, {"setresuid32", 208}, {"getresuid32", 209},
	{"setresgid32", 210}, {"getresgid32", 211}, {"chown32", 212},
	{"setuid32", 213}, {"setgid32", 214}, {"setfsuid32", 215},
	{"setfsgid32", 216}, {"fcntl64", 221}, {"sendfile64", 223},
	{"fadvise64_64", 264}, {"fstatat64", 293},
	{"clock_gettime64", 403}, {"clock_settime64", 404},
	{"clock_adjtime64", 405}, {"clock_getres_time64", 406},
	{"clock_nanosleep_time64", 407}, {"timer_gettime64", 408},
	{"timer_settime64", 409}, {"timerfd_gettime64", 410},
	{"timerfd_settime64", 411}, {"utimensat_time64", 412},
	{"pselect6_time64", 413}, {"ppoll_time64", 414},
	{"io_pgetevents_time64", 416}, {"recvmmsg_time64", 417},
	{"mq_timedsend_time64", 418}, {"mq_timedreceive_time64", 419},
	{"semtimedop_time64", 420}, {"rt_sigtimedwait_time64", 421},
	{"futex_time64", 422}, {"sched_rr_get_interval_time64", 423},
}

// deriveS390 builds the 31-bit s390 table from s390x's: the calls both
// ABIs share ("common"), as far as Linux 6.18, and the 31-bit versions.
func deriveS390(s390x *table, t *target) (*table, error) {
	skip := make(map[uint32]bool, len(s390xOnly))
	for _, nr := range s390xOnly {
		skip[nr] = true
	}
	out := derivedFrom(s390x, t)
	out.kernel = s390Last
	out.source += " as of Linux " + s390Last
	for _, e := range s390x.syscalls {
		if !skip[e.nr] && e.nr < s390End {
			out.syscalls = append(out.syscalls, e)
		}
	}
	out.syscalls = append(out.syscalls, s390Only...)
	return out, nil
}
