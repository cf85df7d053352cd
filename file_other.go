//go:build !linux

package seccomp

import (
	"errors"
	"fmt"
	"runtime"
)

func (p *Program) inheritable() (int, bool, error) {
	return -1, false, fmt.Errorf("seccomp: Inheritable on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

// rewindFD and closeFD are never reached: Inheritable makes no
// InheritableFile here, and the zero value is closed.
func rewindFD(int) error { return errors.ErrUnsupported }

func closeFD(int) error { return errors.ErrUnsupported }
