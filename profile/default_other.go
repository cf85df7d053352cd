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
//
// moby writes the errnoRet of its rules with the host's numbers
// (clone3's ENOSYS is golang.org/x/sys/unix.ENOSYS of the GOARCH it was
// built for: 38, but 89 on mips), so a program for an ABI whose numbers
// differ is best compiled by a binary built for it.
func Default() (*Profile, error) {
	return nil, fmt.Errorf("profile: moby builds its default profile on Linux only, not %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
