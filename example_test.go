package seccomp_test

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"slices"
	"syscall"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/filter"
	"github.com/sysfence/seccomp/tables"
)

func ExampleBuiltinNames() {
	for _, name := range seccomp.BuiltinNames() {
		fmt.Println(name)
	}
	// Output:
	// sandbox
	// sandbox-strict
}

// A policy compiles for any ABI on any host: here a denylist for aarch64,
// run through the simulator.
func ExamplePolicy_Compile() {
	p := &seccomp.Policy{
		Default: seccomp.Allow,
		ABIs:    []*tables.ABI{tables.AArch64},
		Rules:   seccomp.RulesFor(seccomp.ErrnoNamed("EPERM"), "ptrace", "iopl"),
	}
	prog, err := p.Compile()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("skipped:", prog.Skipped())
	run := func(abi *tables.ABI, name string) {
		nr, _ := abi.Number(name)
		data := &filter.SeccompData{Nr: int32(nr), Arch: abi.Audit}
		res, err := filter.Run(prog.Instructions(), data, abi.ByteOrder())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s: %v\n", abi.Name, name, res.Ret)
	}
	run(tables.AArch64, "ptrace")
	run(tables.AArch64, "openat")
	run(tables.ARM, "openat") // 32-bit arm on an aarch64 kernel
	// Output:
	// skipped: [iopl (not on aarch64)]
	// aarch64 ptrace: errno:1
	// aarch64 openat: allow
	// arm openat: kill-process
}

// A condition on an argument: deny the ioctl that pushes a character into
// a terminal's input (TIOCSTI, a way out of many sandboxes) and allow every
// other request. The request is an unsigned int in the kernel, which
// ignores the upper half of the register, so the condition compares the
// low 32 bits only (Width 32): TIOCSTI with bit 32 set is still TIOCSTI.
func ExampleCond() {
	const tiocsti, tiocgwinsz = 0x5412, 0x5413 // asm-generic/ioctls.h
	p := &seccomp.Policy{
		Default: seccomp.Allow,
		ABIs:    []*tables.ABI{tables.X86_64},
		Rules: []seccomp.Rule{{
			Syscall: "ioctl",
			Action:  seccomp.ErrnoNamed("EPERM"),
			Args:    []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: tiocsti, Width: 32}},
		}},
	}
	prog, err := p.Compile()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rule:", p.Rules[0].Args[0])
	for _, req := range []uint64{tiocsti, 1<<32 | tiocsti, tiocgwinsz} {
		act, err := prog.Evaluate(tables.X86_64, "ioctl", 0, req)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("ioctl(0, %#x): %v\n", req, act)
	}
	// Output:
	// rule: (u32)arg1 == 0x5412
	// ioctl(0, 0x5412): errno:EPERM
	// ioctl(0, 0x100005412): errno:EPERM
	// ioctl(0, 0x5413): allow
}

// Error numbers differ between architectures; a named errno is looked up
// for each ABI the policy is compiled for.
func ExampleErrnoNamed() {
	enosys := seccomp.ErrnoNamed("ENOSYS")
	for _, abi := range []*tables.ABI{tables.X86_64, tables.MIPS} {
		ret, err := enosys.Resolve(abi)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(abi.Name, ret)
	}
	// Output:
	// x86_64 errno:38
	// mips errno:89
}

// Hand the built-in sandbox policy to bubblewrap.
func ExampleProgram_File() {
	prog, err := seccomp.Builtin("sandbox")
	if err != nil {
		log.Fatal(err)
	}
	f, err := prog.File()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command("bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
		"--seccomp", "3", "--", "sh", "-c", "echo sandboxed")
	cmd.ExtraFiles = []*os.File{f} // the child's descriptor 3
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
}

// Replace this process with bubblewrap, which reads the program from a
// descriptor it inherits: only the command line names it.
func ExampleProgram_Inheritable() {
	prog, err := seccomp.Builtin("sandbox")
	if err != nil {
		log.Fatal(err)
	}
	f, err := prog.Inheritable()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close() // reached only if Exec fails
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		log.Fatal(err)
	}
	argv := []string{"bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"}
	argv = append(argv, f.BwrapArgs()...)
	argv = append(argv, "--", "sh", "-c", "echo sandboxed")
	log.Fatal(syscall.Exec(bwrap, argv, os.Environ()))
}

// Filter this process and everything it executes.
func ExampleProgram_Install() {
	prog, err := seccomp.Builtin("sandbox-strict")
	if err != nil {
		log.Fatal(err)
	}
	if err := prog.Install(); err != nil {
		log.Fatal(err)
	}
	// From here on, every thread of the process is filtered; typically
	// the next step is syscall.Exec.
}

// A group stands for the calls of one purpose that an ABI has: the
// kernel keyrings are the same three calls everywhere, while
// @file-system's stat calls differ between i386 and aarch64.
func ExampleGroup() {
	keyring, _ := seccomp.Group("@keyring", tables.X86_64)
	fmt.Println(keyring)
	for _, abi := range []*tables.ABI{tables.I386, tables.AArch64} {
		fs, _ := seccomp.Group("@file-system", abi)
		var stats []string
		for _, name := range []string{"stat", "stat64", "fstatat64", "newfstatat", "statx"} {
			if slices.Contains(fs, name) {
				stats = append(stats, name)
			}
		}
		fmt.Println(abi.Name, stats)
	}
	// Output:
	// [add_key keyctl request_key]
	// x86 [stat stat64 fstatat64 statx]
	// aarch64 [newfstatat statx]
}
