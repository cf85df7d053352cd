package probe

import "github.com/sysfence/seccomp/tables"

const helperGOARCH = "386"

// compatRoutes are the ways into an x86_64 kernel besides its own ABI:
// int 0x80 from this 64-bit process, which the kernel treats as an i386
// call (arch/x86/entry/entry_64_compat.S); x32 numbers, with
// __X32_SYSCALL_BIT set, through the 64-bit syscall instruction; and an
// i386 program, the helper.
func compatRoutes() []Route {
	return []Route{
		{Name: "i386-int80", ABI: tables.I386, Via: "int80", How: "int 0x80 from this 64-bit process"},
		{Name: "x32", ABI: tables.X32, Via: "sys", How: "x32 numbers (0x40000000 set) through syscall"},
		{Name: "i386-process", ABI: tables.I386, Via: "sys", Helper: true, How: "an i386 process (the helper)"},
	}
}
