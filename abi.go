//go:build linux

package seccomp

import (
	"errors"
	"fmt"

	"github.com/sysfence/seccomp/tables"
)

// NativeABI returns the ABI of the programs this binary was compiled as:
// x86_64 for GOARCH=amd64, aarch64 for arm64, and so on.
func NativeABI() (*tables.ABI, error) {
	return nativeABI(), nil
}

// CompatABIs returns the other ABIs a kernel of the native architecture may
// accept system calls through (i386 and x32 on x86_64, arm on aarch64). A
// policy that does not cover them gives them its foreign-ABI action; see
// NativeABIs to cover them.
func CompatABIs() []*tables.ABI {
	return compatABIs()
}

// NativeABIs returns the native ABI followed by its compat ABIs but x32:
// the ABIs a policy covers to judge every route into this architecture's
// kernel by the same rules, in one line,
//
//	p := &seccomp.Policy{ABIs: seccomp.NativeABIs(), …}
//
// i386 (int 0x80, or a 32-bit program) then meets the rules of x86_64 by
// its own numbers, 32-bit arm those of aarch64, and x32 meets Foreign
// (kill-process by default). x32 is left out because distributions build
// their kernels without it (CONFIG_X86_X32_ABI), and covering it costs a
// search over its numbers; append tables.X32 to cover it too. On an
// architecture without compat ABIs it is the native ABI alone.
func NativeABIs() []*tables.ABI { return nativeABIs() }

func nativeABIs() []*tables.ABI {
	native := nativeABI()
	if native == nil {
		return nil
	}
	abis := []*tables.ABI{native}
	for _, abi := range compatABIs() {
		if abi != tables.X32 {
			abis = append(abis, abi)
		}
	}
	return abis
}

// NativeNumber returns the number of the named system call on the native
// ABI, for syscall.Syscall: from package tables, which knows calls newer
// than package syscall's frozen SYS_ constants (pidfd_getfd, seccomp on
// some architectures). A name the native table does not have is an error
// wrapping errors.ErrUnsupported.
func NativeNumber(name string) (uintptr, error) {
	abi := nativeABI()
	nr, ok := abi.Number(name)
	if !ok {
		return 0, fmt.Errorf("seccomp: no system call %s on %s: %w", name, abi.Name, errors.ErrUnsupported)
	}
	return uintptr(nr), nil
}
