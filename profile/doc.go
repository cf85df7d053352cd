/*
Package profile reads and writes the seccomp language of container
tools: the OCI runtime-spec linux.seccomp object and Docker's
seccomp.json (the moby default profile, containers/common's, Kubernetes
localhost/ profiles), with the ecosystem's own types
(github.com/opencontainers/runtime-spec/specs-go and
github.com/moby/profiles/seccomp), and translates a profile into the
root package's Policy, without cgo or libseccomp.

# From a file to a program

	p, err := profile.Parse(data)        // check every value, by JSON path
	ls, err := p.Resolve(opts)           // Docker's archMap, includes, excludes
	res, err := profile.Translate(ls, opts)
	prog, err := res.Compile()

Which to call: Load, for the bytes of a seccomp.json or an OCI
linux.seccomp object, does the three at once, and its errors and
reports name JSON paths of those bytes. Profile.Translate resolves and
translates a Profile already held (Default's, or Parse's when the
caller looked at it first), with paths into the original file. The
function Translate takes a profile already resolved, a
specs.LinuxSeccomp as in an OCI config.json, with paths into it. Options
name the machine (its native ABI and kernel) and the container's
capabilities; the zero Options mean this machine and Docker's default
capabilities.

# Decisions, as libseccomp makes them

The translation reproduces the filter runc builds with libseccomp,
decision for decision; profile/libseccomptest compares the two over
every system-call number of every covered ABI. In particular:

  - SCMP_ACT_KILL is kill-thread; ERRNO and TRACE without errnoRet carry
    EPERM (1), as in runc.
  - Numbers no rule names get the default action, whether the table
    knows them or not (Options.Unknown changes that), and calls through
    an ABI the profile does not cover, x32 numbers in a filter without
    x32 included, get kill-thread, libseccomp's bad-architecture action
    (Options.Foreign). The native ABI is always covered.
  - A rule whose action is the default action is left out (runc skips
    it, libseccomp refuses it). The first rule for a system call without
    conditions decides it whatever the other rules say, as in libseccomp.
    Rules with conditions and different actions must not overlap:
    libseccomp picks between overlapping ones by the order of its
    decision tree, which no rule order reproduces, so Translate refuses
    them with ErrOverlap unless Options.FirstMatch.
  - Two conditions on one argument in one rule make one rule each
    (runc's OR semantics); conditions on different arguments must all
    hold. SCMP_CMP_MASKED_EQ is (arg & value) == (valueTwo & value), as
    libseccomp masks the datum too; a valueTwo with bits outside value
    is warned about (ErrMaskedDatum: value and valueTwo swapped?). The
    other operators ignore valueTwo.
  - On an ABI whose table has socketcall or ipc (x86, s390x, ppc64,
    mips o32), a rule on a call they perform also becomes, as in
    libseccomp, a rule on the multiplexer: the same action, a0 == the
    operation (all 64 bits of it, ipc's version included) in place of
    the conditions on arg0, and the other conditions kept, though there
    they compare the multiplexer's own arguments. Where that is weaker
    than, or checks other arguments than, the rule on the call, Result
    has an ErrMultiplexed warning; the Policy has Multiplexers set to
    MultiplexAsWritten, so that the root adds no rules of its own. A
    name an ABI has only through a multiplexer (accept on x86) is not
    missing there.
  - Arguments are compared on 64 bits, even a parameter the kernel reads
    as int (Cond.Width 32 would not let high bits walk past a rule, but
    libseccomp compares them); on the ABIs libseccomp deems 32-bit
    (i386, arm, mips o32, and x32 and mips n32, whose low words it
    compares) on 32. Where a value is wider than those 32 bits this
    package departs from libseccomp, which truncates the value: the
    condition holds always or never, as the program compares the low 32
    bits there, which is all the system call reads (a 64-bit process
    calling through int 0x80 may leave high bits in seccomp_data, but the
    compat call truncates them).

Names a covered ABI does not have are listed in Result.Missing, per ABI
and JSON path; Options.Strict makes errors of them, of architectures
without a table, of unknown fields and of an errnoRet that is ignored.

# The other way

FromPolicy writes a Policy as a runtime-spec profile that Translate, and
runc with libseccomp, read back into the same decision for every call:
Width 32 conditions become SCMP_CMP_MASKED_EQ with the low 32 bits of the
mask, first-match rules the disjoint sets of arguments each action gets
(computed exactly, as binary decision diagrams over the argument bits),
and an Unknown action other than Default the profile's default action,
with every call of the tables named. What the format cannot say (a
Foreign that does not kill, trap data, errno numbers that differ between
the covered ABIs, rules that differ between them, more than
MaxExportRules rules for one call) is a Loss: FromPolicy fails with a
*LossError listing them, unless ExportOptions.Lossy, which writes a
profile that refuses at least every call the policy refuses.
*/
package profile
