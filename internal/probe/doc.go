// Package probe finds out what the seccomp filter around a process
// blocks, on every ABI the CPU offers it: it is sysfence probe, and the
// kernel tests' way of making calls through foreign ABIs.
//
// Run makes the calls of Battery on each Route: the native ABI, and on
// x86_64 i386 calls through int 0x80, x32 numbers and an i386 process,
// on aarch64 a 32-bit arm process. The arguments are ones the kernel
// rejects before it acts (a NULL pointer, descriptor -1, an unknown flag),
// so the calls change nothing and the answer says who gave it: the
// kernel's own error means the call went through the filter, another
// errno is the filter's, and a process that dies of SIGSYS was killed by
// it. Every call is made by a child process, which the caller's
// Config.Server starts, so that a kill is a result; the 32-bit routes use
// a helper, the same program built for the 32-bit GOARCH. A getpid first
// decides whether the kernel offers a route at all (int 0x80 faults with
// SIGSEGV where it does not, a disabled x32 answers ENOSYS, an i386
// program fails to execute), and the Report says how it decided.
//
// The children answer requests, one per line, with Serve. A request is a
// line of words; numbers are in Go syntax (0x… for hex):
//
//	sys NR A0 A1 A2 A3 A4 A5   the system call NR of the running ABI
//	int80 NR A0 A1 A2 A3 A4 A5 an i386 system call through int 0x80 (amd64 only)
//	tid                        the calling thread's id
//	exec PATH ARG…             execve(2); the new program reads the requests that follow
//
// The answer is one line: "ok R" with the returned value, or "errno N" for
// a failure (an exec only answers when it fails), or "bad MESSAGE" for a
// request that could not be understood. A request a filter kills gets no
// answer: the process is gone. The kernel tests (package vmtest) put the
// same requests to victims that installed a filter and to 32-bit
// programs exec'd under it.
package probe
