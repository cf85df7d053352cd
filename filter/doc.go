// Package filter is classic BPF for seccomp: instructions, an assembler,
// the kernel's verifier rules, a simulator, a disassembler, encoding and
// statistics. It knows nothing of policies: the root package compiles
// those (through internal/compile) into the programs this package checks
// and runs.
//
// # Model
//
// A seccomp filter is a classic-BPF program (struct sock_filter of
// include/uapi/linux/filter.h, here Instruction) that the kernel runs on
// every system call with struct seccomp_data as its packet (SeccompData:
// nr, arch, instruction_pointer, args[6]). Its return value is an Action:
// SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO with an error number, and so on
// (include/uapi/linux/seccomp.h). Each stage has its file:
//
//   - Instruction (instruction.go) keeps the struct sock_filter layout;
//     its Op splits the opcode into typed fields (Class, JumpOp, ALUOp,
//     Source, …), and the BPF_* names of linux/filter.h compose opcodes;
//   - Assembler (asm.go) writes programs with labels instead of offsets;
//   - Verify (verify.go) applies the kernel's checks and reports the first
//     rule broken as a VerifyError with a VerifyReason to switch on;
//   - Run (simulate.go) executes a program as the kernel would;
//   - Disassemble (disasm.go) prints the kernel's bpf_asm syntax;
//   - Encode and Decode (encode.go) produce and read the bytes that
//     seccomp(2) and bwrap --seccomp take;
//   - Analyze (stats.go) measures a program per system call.
//
// Two return-value types meet here and in the root package: Action in
// this package is the raw 32-bit value a program returns; seccomp.Action
// is the spelling a policy is written in ("errno:EPERM"), resolved to one
// of these for each ABI.
package filter
