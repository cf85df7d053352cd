package profile_test

import (
	"fmt"

	seccomp "github.com/sysfence/seccomp"
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

// FromPolicy writes a policy as a profile that decides every call as the
// policy does: here ioctl's TIOCSTI refused, compared on the low 32 bits
// the kernel reads (Width 32), and the rest allowed. A profile compares
// 64 bits, so the condition becomes a masked comparison.
func ExampleFromPolicy() {
	p := &seccomp.Policy{
		Default: seccomp.Allow, Unknown: seccomp.Allow, Foreign: seccomp.KillThread,
		ABIs: []*tables.ABI{tables.X86_64},
		Rules: []seccomp.Rule{{Syscall: "ioctl", Action: seccomp.ErrnoNamed("EPERM"),
			Args: []seccomp.Cond{{Arg: 1, Op: seccomp.Eq, Value: 0x5412, Width: 32}}}},
	}
	data, _, err := profile.MarshalPolicy(p, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(data))
	// Output:
	// {
	// 	"defaultAction": "SCMP_ACT_ALLOW",
	// 	"architectures": [
	// 		"SCMP_ARCH_X86_64"
	// 	],
	// 	"syscalls": [
	// 		{
	// 			"names": [
	// 				"ioctl"
	// 			],
	// 			"action": "SCMP_ACT_ERRNO",
	// 			"errnoRet": 1,
	// 			"args": [
	// 				{
	// 					"index": 1,
	// 					"value": 4294967295,
	// 					"valueTwo": 21522,
	// 					"op": "SCMP_CMP_MASKED_EQ"
	// 				}
	// 			]
	// 		}
	// 	]
	// }
}
