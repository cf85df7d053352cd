package profile

import mseccomp "github.com/moby/profiles/seccomp"

// Default returns Docker's default profile, unresolved: moby's
// DefaultProfile (github.com/moby/profiles/seccomp), which that module
// builds on Linux only; elsewhere Default returns an error wrapping
// errors.ErrUnsupported.
func Default() (*Profile, error) {
	return &Profile{Seccomp: *mseccomp.DefaultProfile()}, nil
}
