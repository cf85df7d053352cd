package tables_test

import (
	"fmt"

	"github.com/sysfence/seccomp/tables"
)

func Example() {
	abi, _ := tables.Lookup("arm64")
	nr, _ := abi.Number("openat")
	name, _ := tables.X86_64.SyscallName(101)
	fmt.Println(abi.Name, nr, name)
	fmt.Printf("%#x\n", tables.X32.At(0).Nr)
	// Output:
	// aarch64 56 ptrace
	// 0x40000000
}

func ExampleABI_SyscallAliases() {
	for _, a := range tables.ARM.SyscallAliases() {
		nr, _ := tables.ARM.Number(a.Name)
		name, _ := tables.ARM.SyscallName(nr)
		fmt.Println(a.Name, nr, name)
	}
	// Output:
	// sync_file_range2 341 arm_sync_file_range
}
