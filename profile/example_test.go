package profile_test

import (
	"fmt"

	"github.com/sysfence/seccomp/profile"
	"github.com/sysfence/seccomp/tables"
)

func Example() {
	data := []byte(`{
		"defaultAction": "SCMP_ACT_ERRNO",
		"archMap": [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
		"syscalls": [
			{"names": ["read", "write", "exit_group", "iopl"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_PTRACE"]}}
		]
	}`)
	res, err := profile.Load(data, &profile.Options{ABI: tables.AArch64, Kernel: "6.8"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Policy.ABIs, res.Policy.Default, len(res.Policy.Rules))
	for _, m := range res.Missing {
		fmt.Println(m)
	}
	prog, err := res.Compile()
	fmt.Println(prog != nil, err)
	// Output:
	// [aarch64 arm] errno:1 4
	// syscalls[0].names[3]: iopl is not a system call of aarch64
	// syscalls[0].names[3]: iopl is not a system call of arm
	// true <nil>
}
