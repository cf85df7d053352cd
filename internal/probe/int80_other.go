//go:build linux && !amd64

package probe

import (
	"fmt"
	"runtime"
	"syscall"
)

// int80Call refuses: the int 0x80 gate from 64-bit code exists on amd64 only.
func int80Call([7]uintptr) (uintptr, syscall.Errno, error) {
	return 0, 0, fmt.Errorf("%w: int80 on %s", ErrRequest, runtime.GOARCH)
}
