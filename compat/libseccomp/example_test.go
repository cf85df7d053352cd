package seccomp_test

import (
	"fmt"

	seccomp "github.com/sysfence/seccomp/compat/libseccomp"
)

// A program written for libseccomp-golang builds with this package by
// its import path alone. Names resolve per architecture; a name the
// native ABI lacks (socketcall on x86_64) resolves to a negative number
// that rules translate for the architectures that have it.
func Example() {
	for _, arch := range []seccomp.ScmpArch{seccomp.ArchAMD64, seccomp.ArchX86, seccomp.ArchARM64} {
		nr, _ := seccomp.GetSyscallFromNameByArch("getpid", arch)
		fmt.Printf("getpid on %s: %d\n", arch, nr)
	}
	nr, _ := seccomp.GetSyscallFromNameByArch("socketcall", seccomp.ArchAMD64)
	name, _ := nr.GetNameByArch(seccomp.ArchAMD64)
	fmt.Println(nr < 0, name)
	fmt.Println(seccomp.ActErrno.SetReturnCode(1))
	major, minor, micro := seccomp.GetLibraryVersion()
	fmt.Printf("decides as libseccomp %d.%d.%d\n", major, minor, micro)
	// Output:
	// getpid on amd64: 39
	// getpid on x86: 20
	// getpid on arm64: 172
	// true socketcall
	// Action: Return error code 1
	// decides as libseccomp 2.5.4
}
