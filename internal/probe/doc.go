// Package probe makes system calls on request, one per line, and answers
// with their results. A guest of the kernel tests runs it after installing
// a filter (in the victim process, never in the process that checks the
// results) and in 32-bit helper programs exec'd under that filter, so the
// same requests can be put to every ABI a kernel accepts.
//
// A request is a line of words; numbers are in Go syntax (0x… for hex):
//
//	sys NR A0 A1 A2 A3 A4 A5   the system call NR of the running ABI
//	int80 NR A0 A1 A2 A3 A4 A5 an i386 system call through int 0x80 (amd64 only)
//	tid                        the calling thread's id
//	exec PATH ARG…             execve(2); the new program reads the requests that follow
//
// The answer is one line: "ok R" with the returned value, or "errno N" for
// a failure (an exec only answers when it fails), or "bad MESSAGE" for a
// request that could not be understood. A request a filter kills gets no
// answer: the process is gone.
package probe
