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
(EOPNOTSUPP) and a number the native ABI has (EDOM).
The rules of each architecture are translated by package profile, which
reproduces the filter runc builds with libseccomp 2.5.4, decision for
decision. What 2.5.4 lacks (Precompute, transactions, ExportBPFMem, the
wait-killable attribute) fails with a *VersionError, as the original
binding does with that version.

# Where it differs from libseccomp, and why

  - Socket and IPC calls through socketcall(2) and ipc(2) (i386, s390x, ppc64, mips o32): a rule with conditions gives the multiplexed form the most restrictive action its rules can give, where libseccomp drops the conditions on the first argument and applies the others to other arguments, which lets socketcall(SYS_SOCKET) through a rule allowing socket(AF_UNIX) only; unconditional rules decide alike.
  - Conditional rules for one call that give overlapping arguments different actions: Load and ExportBPF refuse them (profile.ErrOverlap), since libseccomp picks one by its decision tree's order, which no rule order reproduces.
  - A condition value wider than a 32-bit ABI's arguments holds always or never, as the zero-extended argument makes it; libseccomp truncates the value.
  - ArchPPC, ArchS390, ArchPARISC, ArchPARISC64, ArchM68K, ArchSH, ArchSHEB: no table; AddArch fails (libseccomp too refuses the big-endian ones on a little-endian host); names on ppc and s390 resolve through ppc64's and s390x's tables, whose numbers they share for the calls both have.
  - The negative numbers standing for calls the native ABI lacks are not libseccomp's __PNR_* values; they are handles for this process, not to be stored.
  - GetSyscallFromNameByArch("socket", ArchX86) is i386's direct number (359), where libseccomp gives its multiplexed pseudo number; filters decide alike.
  - ExportPFC writes the program in the kernel's bpf_asm syntax, not libseccomp's pseudo-C; ExportBPF writes this module's program, shorter than libseccomp's, deciding alike.
  - SetSyscallPriority and SetOptimize are accepted and change nothing: the program is a binary search whatever the order.
  - Merge needs every attribute equal, TSYNC included, as libseccomp; Reset leaves TSYNC off, as libseccomp's reset does.
  - A Load with no_new_privs off (SetNoNewPrivsBit(false)) calls seccomp(2) without PR_SET_NO_NEW_PRIVS and needs CAP_SYS_ADMIN; with it on, it is the root package's InstallFlags.
  - The listener GetNotifFd returns is the caller's to close; Release leaves it open.

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
