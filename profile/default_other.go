//go:build !linux

package profile

import (
	"errors"
	"fmt"
	"runtime"
)

// Default returns Docker's default profile, unresolved: moby's
// DefaultProfile (github.com/moby/profiles/seccomp), which that module
// builds on Linux only; elsewhere Default returns an error wrapping
// errors.ErrUnsupported.
func Default() (*Profile, error) {
	return nil, fmt.Errorf("profile: moby builds its default profile on Linux only, not %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
