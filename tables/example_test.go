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
