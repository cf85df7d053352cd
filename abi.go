//go:build linux

package seccomp

import (
	"github.com/sysfence/seccomp/tables"
)

// NativeABI returns the ABI of the programs this binary was compiled as:
// x86_64 for GOARCH=amd64, aarch64 for arm64, and so on.
func NativeABI() (*tables.ABI, error) {
	return nativeABI(), nil
}

// CompatABIs returns the other ABIs a kernel of the native architecture may
// accept system calls through (i386 and x32 on x86_64, arm on aarch64). A
// policy that does not cover them gives them its foreign-ABI action.
func CompatABIs() []*tables.ABI {
	return compatABIs()
}
