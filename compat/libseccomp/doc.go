/*
Package seccomp is a drop-in for github.com/seccomp/libseccomp-golang
without cgo and without libseccomp: the same package name, exported
names, types and signatures (those of its v0.12.0), built on this
module's compiler (package github.com/sysfence/seccomp), its profile
translation (package profile) and its user-notification code (package
notify). Changing the import path is the whole migration:

	import seccomp "github.com/sysfence/seccomp/compat/libseccomp"

It answers as libseccomp 2.5.4 (GetLibraryVersion), with the API level
that version would find on the running kernel (GetAPI), and decides as
2.5.4 does: a rule binds the architectures the filter has when it is
added; a native number is translated by name for each architecture, and
GetSyscallFromName gives a negative number for a name the native ABI
lacks, while a number without a native name is refused (EFAULT) once
the filter has another architecture; a rule whose action is the default
action fails (errDefAction), as do two conditions on one argument
(EINVAL) and a conditional rule whose conditions, as libseccomp writes
them for an architecture (through socketcall or ipc where it
multiplexes), repeat an earlier rule's with another action (EEXIST); of
two unconditional rules the first decides, and an unconditional rule
wins over the call's conditional ones; x32 and mips n32 compare the low
32 bits of arguments; an exact rule needs a filter of one architecture
(EOPNOTSUPP) and a number the native ABI has (EDOM); on the
architectures libseccomp multiplexes, a rule on a socket or IPC call is
also a rule on socketcall or ipc, as libseccomp writes it.
The rules of each architecture are translated by package profile, which
reproduces the filter runc builds with libseccomp 2.5.4, decision for
decision. What 2.5.4 lacks (Precompute, transactions, ExportBPFMem, the
wait-killable attribute) fails with a *VersionError, as the original
binding does with that version.

# Where it differs from libseccomp, and why

  - A filter that libseccomp would write weaker through socketcall(2) or ipc(2) (x86, s390x, ppc64, mips o32) than the rule on the call (a condition on a call they multiplex, which libseccomp drops or applies to the multiplexer's own arguments; a rule stricter than the default on an ipc call, which another ipc version escapes, or on socketcall with 64-bit arguments, whose high word does): Load and ExportBPF refuse it with an error wrapping profile.ErrMultiplexed (the same error value), where libseccomp builds it; every other multiplexed rule is written as libseccomp writes it.
  - Conditional rules for one call that give overlapping arguments different actions: Load and ExportBPF refuse them (profile.ErrOverlap), since libseccomp picks one by its decision tree's order, which no rule order reproduces.
  - A condition value wider than a 32-bit ABI's arguments holds always or never, as the zero-extended argument makes it; libseccomp truncates the value.
  - ArchPPC, ArchS390, ArchPARISC, ArchPARISC64, ArchM68K, ArchSH, ArchSHEB: no table; AddArch fails (libseccomp too refuses the big-endian ones on a little-endian host); names on ppc and s390 resolve through ppc64's and s390x's tables, whose numbers they share for the calls both have (a call only the 64-bit ABI has resolves too).
  - The negative numbers standing for calls the native ABI lacks are not libseccomp's __PNR_* values; they are handles for this process, not to be stored.
  - GetSyscallFromNameByArch("socket", ArchX86) is i386's direct number (359), where libseccomp gives its multiplexed pseudo number; filters decide alike.
  - ExportPFC writes the program in the kernel's bpf_asm syntax, not libseccomp's pseudo-C; ExportBPF writes this module's program, shorter than libseccomp's, deciding alike.
  - SetSyscallPriority and SetOptimize are accepted and change nothing: the program is a binary search whatever the order.

NotifReceive, NotifRespond and NotifIDValid work on any listener
descriptor through package notify; see its documentation on what
NotifRespFlagContinue cannot protect against.

The proof is other projects' tests: testdata/upstream.sh runs
libseccomp-golang's own tests against this package, runc's
libcontainer/seccomp tests built with it where libseccomp is hidden, and
a busybox container under Docker's default profile in a runc built with
it, beside Debian's runc (TestLibseccompGolangSuite, TestRuncSeccompSuite,
TestRuncContainer; CI runs them). With the tag libseccomp,
profile/libseccomptest makes the same calls with libseccomp itself and
compares errors and every decision (TestCompatRuleDecisions,
TestCompatEquivalence).
*/
package seccomp
