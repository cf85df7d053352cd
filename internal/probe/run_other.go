//go:build !linux

package probe

import (
	"errors"
	"fmt"
	"runtime"
)

// Run fails: seccomp is Linux's.
func Run(Config) (*Report, error) {
	return nil, fmt.Errorf("probe: no seccomp on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
