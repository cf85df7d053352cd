//go:build !linux

package seccomp

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/sysfence/seccomp/tables"
)

// precompiled is empty: no built-in program is compiled for this OS.
var precompiled []precompiledProgram

func nativeABI() *tables.ABI { return nil }

func compatABIs() []*tables.ABI { return nil }

// NativeABI reports that seccomp is unsupported on this operating system.
func NativeABI() (*tables.ABI, error) {
	return nil, fmt.Errorf("seccomp: no native ABI on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

// CompatABIs returns nil: seccomp is unsupported on this operating system.
func CompatABIs() []*tables.ABI { return nil }

// NativeABIs returns nil: seccomp is unsupported on this operating
// system, and Compile of a policy with no ABIs reports it.
func NativeABIs() []*tables.ABI { return nil }

// NativeNumber fails: seccomp is unsupported on this operating system.
func NativeNumber(name string) (uintptr, error) {
	return 0, fmt.Errorf("seccomp: no native ABI on %s for %s: %w", runtime.GOOS, name, errors.ErrUnsupported)
}
