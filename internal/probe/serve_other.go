//go:build !linux

package probe

import (
	"errors"
	"fmt"
	"io"
	"runtime"
)

// Serve fails: the requests are Linux system calls.
func Serve(io.Reader, io.Writer, func(func())) error {
	return fmt.Errorf("probe: no Linux system calls on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
