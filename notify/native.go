package notify

import (
	"strconv"

	"github.com/sysfence/seccomp"
	"github.com/sysfence/seccomp/tables"
)

// isNative reports whether req is a call of the named system call
// through the native ABI.
func isNative(req *Request, name string) bool {
	abi, err := seccomp.NativeABI()
	if err != nil || req.Data.Arch != abi.Audit {
		return false
	}
	nr, ok := abi.Number(name)
	return ok && uint32(req.Data.Nr) == nr
}

// abiCall returns the ABI of this architecture the notification's call
// came through and the call's name there, or nil if no table knows it.
func (n *Notification) abiCall() (*tables.ABI, string) {
	abis := seccomp.CompatABIs()
	if abi, err := seccomp.NativeABI(); err == nil {
		abis = append([]*tables.ABI{abi}, abis...)
	}
	for _, abi := range abis {
		if abi.Audit != n.Data.Arch {
			continue
		}
		// ABIs sharing an audit value (x86_64 and x32) have disjoint
		// numbers: x32's all carry its NrBit.
		if name, ok := abi.SyscallName(uint32(n.Data.Nr)); ok {
			return abi, name
		}
	}
	return nil, ""
}

// SyscallName returns the name of the notification's system call on its
// ABI, if the native ABI or a compat ABI of this architecture has it
// (tables.ABI.SyscallName), and the number in decimal otherwise.
func (n *Notification) SyscallName() string {
	if _, name := n.abiCall(); name != "" {
		return name
	}
	return strconv.Itoa(int(n.Data.Nr))
}
