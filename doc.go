/*
Package seccomp builds, exports and installs seccomp-BPF filters for Linux
sandboxes, with no cgo, no libseccomp and no dependency outside the
standard library and this module.

# Model

A Policy says what to do with each system call, by name: a default
Action, rules with optional conditions on the arguments, the ABIs it
covers, and what to do with calls through any other ABI and with numbers
the tables do not know. Compile turns it into a Program: a classic-BPF
filter, verified with the kernel's own rules (filter.Verify). The program
first checks seccomp_data.arch, so a call through an ABI the policy does
not cover (i386 int 0x80 or x32 numbers on x86_64, 32-bit arm on
aarch64) gets the Foreign action, by default kill-process, and never
reaches the kernel unfiltered.

Numbers come from package tables, generated for every Linux ABI, never
from the host: an x86_64 machine compiles a filter for aarch64 or riscv64
as easily as for itself. The native ABI is fixed when the program is
built (GOARCH); nothing is probed at run time.

A Program is used in one of five ways:

  - Exec puts it on one thread, which executes a command at once in
    place of the process: the command runs under the filter, and the
    policy needs to allow nothing of this program's but execve (how
    sysfence run starts its command);
  - Install puts it on every thread of the process (PR_SET_NO_NEW_PRIVS,
    then seccomp(2) with SECCOMP_FILTER_FLAG_TSYNC), for a process that
    goes on running under it;
  - File hands it out as a sealed memfd for a child to read, as in
    "bwrap --seccomp 3" with the file in exec.Cmd.ExtraFiles[0];
  - Inheritable hands it out under a descriptor number that survives
    execve, for a child not started by exec.Cmd: a shell command line
    that runs bwrap, or bwrap replacing this process by syscall.Exec;
  - WriteFile writes it to a file, atomically and mode 0600, for a command
    that runs later and opens it by name ("bwrap --seccomp 9 9<PATH"), as
    a launcher that returns a shell command line needs;
  - WriteTo writes the raw struct sock_filter array anywhere.

Install needs a program that covers the native ABI (ErrNotNative
otherwise); a program compiled for another machine's ABI is for File,
Inheritable and WriteTo. Evaluate runs a program, as the kernel would,
on one call of any ABI, to check what it decides before using it.

A filter stays on a process through fork and execve, and cannot be
removed. To run a command under one without bwrap, and without filtering
the process that starts it, start a child that installs the program and
then replaces itself with the command by syscall.Exec: your own binary
again (os.Executable, with an argument or environment variable that
tells it to be that child), a small launcher such as
examples/precompile, or "sysfence run".

# Multiplexers

i386, s390x, ppc64 and mips o32 (every ABI whose table has them) also
reach the socket calls through socketcall(2) and the System V IPC calls
through ipc(2), which take the operation as their first argument; on i386,
accept, send, recv, semop and semtimedop exist only that way. A rule on
such a call decides its multiplexed form too (Policy.Multiplexers, zero
value): socketcall(call) with call the SYS_* number of
include/uapi/linux/net.h, ipc(call) with the operation of
include/uapi/linux/ipc.h in the low 16 bits of call, as the kernel
compares them (the low 32 bits of the register only). These rules come
before any rule on socketcall or ipc themselves, so that route is never
looser. ipc passes most arguments in registers, and conditions on them
are checked where ipc/syscall.c takes them; socketcall's arguments lie in
user memory, which seccomp cannot read, so a call with conditions gets,
through socketcall, the most restrictive action its rules can give it
(in the kernel's order: kill-process, kill-thread, trap, errno,
user-notif, trace, log, allow). An operation no rule names is left to
the rules on socketcall or ipc themselves, and to Default. Program.Routed
lists every route a rule took.

libseccomp does otherwise: it keeps the rule's action, drops the
conditions on the first argument and keeps the others unchanged, though
they mean other arguments there, and compares the whole 64-bit first
argument, so a rule that allows socket() for AF_UNIX only allows every
socketcall(SYS_SOCKET). Package profile reproduces that for profiles, as
runc would run them (MultiplexAsWritten), and warns.

# Rules by number

A rule may name a number instead of a system call: "451", "0x1c3", or
"-1" (syscall(-1), which tracers use to skip a call). The number is
seccomp_data.nr as the kernel gives it, the same on every ABI the rule
applies to; one the ABI's table has is that call, multiplexed forms
included. Numbers with bit 30 set are x32's only.

# Groups and weights

A rule may name a syscall group instead, "@file-system" or "@network-io"
(Groups lists them, Group resolves one for an ABI, KnownGroup is a whole
table): it stands for each of the group's calls that a covered ABI has,
so one policy serves i386's stat64 and aarch64's newfstatat. Every call
of every table is in some group, with the reason in groups.go.
Policy.Weights, how often a program makes each call ("sysfence learn
--counts"), shapes the search over numbers so that its frequent calls
take the fewest instructions; it never changes a decision.

# Built-in policies

BuiltinNames lists ready-made policies, "sandbox" (a denylist for running
untrusted programs) and "sandbox-strict" (the same without new
namespaces). go generate compiles them for the native ABI of every Linux
GOARCH into zsyscalls_linux_<goarch>.go, so Builtin returns a finished
program without compiling anything. BuiltinPolicy returns the policy
itself, to extend or to compile for other ABIs.

# Defaults

A zero field of Policy takes a documented default: Default kill-process
(an allowlist that forgot its default fails loudly instead of allowing
everything), Foreign kill-process, Unknown ENOSYS (what an older kernel
says, so libc falls back), ABIs the native ABI.

# One Policy, two Actions, four Errnos

A user writes one Policy of Rules that name system calls. The compiler
beneath it works on numbers, one table per ABI, but its policy and rule
types live in an internal package: Compile translates to them, so there
is one model to learn.

Actions come in two layers. [Action], this package's, is what a policy
is written in: a string, "kill-process" or "errno:EPERM", resolved for
each ABI when the policy is compiled, because error numbers differ
between architectures (ENOSYS is 38 on x86_64 and 89 on mips). Its zero
value "" means "not set", so a Policy field left empty takes its default,
while kill-thread, whose return value is 0, stays expressible.
[filter.Action] is what a compiled program returns: the raw 32-bit
SECCOMP_RET_* value with its data, the language of hand-assembled
programs, of filter.Run's results and of disassembly. Action.Resolve
turns the first into the second, ActionOf the second into the first.

Four things are called Errno, one for each of those layers and two for
the tables that name errors:

  - [Errno](n), here, is an Action: fail the call with number n, the same
    number on every ABI. Reach for [ErrnoNamed]("EPERM") instead, which
    takes each ABI's own number, unless the number is what you mean.
  - [filter.Errno](n) is a filter.Action, SECCOMP_RET_ERRNO with data n,
    for programs written instruction by instruction.
  - [tables.Errno] is a type: one name and number of an ABI's error table
    (its uapi asm/errno.h), as the generated tables list them.
  - [tables.ABI.Errno](name) looks a name up in one ABI's table, which is
    what compiling ErrnoNamed does for each ABI; ABI.ErrnoName goes back.

# Other operating systems

The package builds everywhere, and policies compile everywhere. Where
there is no seccomp, Install, File and Inheritable return an error wrapping
errors.ErrUnsupported, and there are no built-in programs.
*/
package seccomp
