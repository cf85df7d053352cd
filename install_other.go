//go:build !linux

package seccomp

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

func (p *Program) install(Flags) (*os.File, error) {
	return nil, fmt.Errorf("seccomp: install on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func (p *Program) file() (*os.File, error) {
	return nil, fmt.Errorf("seccomp: File on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func (f Flags) supported() error {
	return fmt.Errorf("seccomp: flags on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func (p *Program) exec(string, []string, []string) error {
	return fmt.Errorf("seccomp: Exec on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
