// Package compile turns a policy keyed by system-call number into one
// verified classic-BPF program. It is the root package's implementation:
// users write seccomp.Policy, with names, and never see these types.
//
// A Policy covers one or more ABIs of package tables. For each, Rules give
// actions to system-call numbers of the ABI's table, optionally depending
// on the arguments (ArgRule: the first whose conditions all hold decides);
// Default is the action for the other numbers of the table, and Unknown
// for numbers the table does not know. Foreign is the action for an ABI
// the policy does not cover. Policy.Evaluate is the meaning of a policy,
// written plainly; the tests check that every compiled program agrees
// with it.
//
// # Program shape
//
// Compile emits:
//
//	ld [4]                             ; arch
//	jeq #AUDIT_ARCH_…, group1          ; one test per covered arch value,
//	jeq #AUDIT_ARCH_…, group2, foreign ; in the order of Policy.ABIs
//	foreign: ret #Foreign
//	group1: ld [0]                     ; nr
//	        jge #k, …                  ; search over ranges of numbers (a
//	        jeq #k, …                  ; single number between two ranges
//	                                   ; of one action needs one test)
//	        ld [16+8i], jeq/jge/and …  ; the group's argument blocks, one
//	                                   ; per distinct set of ArgRules
//	        ret #action                ; the group's returns, one per action
//	group2: …
//
// An arch group is one AUDIT_ARCH_* value: x86_64 and x32 share one.
// Each group is followed by its own argument blocks and returns, and of
// the two halves of each split of the search the lighter comes first, so
// that the leaves taken most lie next to the code they jump to and need no
// BPF_JA trampoline; a return costs one instruction per group instead.
//
// The numbers of the whole 32-bit space are partitioned into ranges that
// lead to one place: a rule's action or argument block, Default, Unknown, X32
// or Foreign. Adjacent numbers that lead to the same place share a range.
// The search weighs each number of the table's range (a call, or a hole in
// the table) by one, a call with argument rules, which the kernel's action
// cache cannot skip, by argWeight, and numbers of an ABI with an NrBit
// (x32) by nothing, so that they cost native calls no comparison. Parts of
// up to planLimit ranges get the best tree for those weights (planSearch);
// larger ones are bisected by weight until they are that small.
//
// An argument block whose rules each compare one argument with a constant
// (socket's family, personality's persona) is a search over the
// intervals of that argument (argsearch.go), with the high word tested
// once; other blocks are a chain of their rules.
//
// 64-bit arguments are compared as two 32-bit words: the one holding bits
// 0..31 of args[i] is at offset 16+8i on little-endian ABIs and 16+8i+4 on
// big-endian ones. ABIs whose WordSize is 4 compare the low word only,
// though the high word need not be zero (a 64-bit process calling
// through int 0x80 hands seccomp its whole registers): the compat call
// reads 32 bits of each register (SC_IA32_REGS_TO_ARGS in
// arch/x86/include/asm/syscall_wrapper.h), so the high word cannot
// change what it does, and a rule on it could be walked past.
// Conditions that hold or fail whatever the argument are folded away.
//
// # Rules the compiler keeps
//
//   - A system call whose action does not depend on its arguments is
//     decided with loads of nr and arch, BPF_JEQ, BPF_JGE and BPF_JGT
//     against constants, BPF_JA and BPF_RET only: the instructions that
//     seccomp_is_const_allow in kernel/seccomp.c emulates, so Linux 5.11
//     and later skip the filter altogether for the allowed ones.
//   - Jumps farther than 255 instructions go through BPF_JA trampolines; a
//     program over MaxInstructions (4096) is an error (ErrTooLong), never
//     truncated.
//   - Every program Compile returns has passed Verify.
//   - Invalid input is refused with errors that wrap a sentinel; the root
//     package checks policies first, so these mean a bug there.
package compile
