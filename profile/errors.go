package profile

import "github.com/sysfence/seccomp/internal/libseccomp"

// Errors wrapped, with the JSON path of the value at fault, by the
// functions of this package (they are internal/libseccomp's, which
// translates as libseccomp decides; see there for each).
var (
	ErrSyntax         = libseccomp.ErrSyntax
	ErrUnknownField   = libseccomp.ErrUnknownField
	ErrInvalid        = libseccomp.ErrInvalid
	ErrMissingSyscall = libseccomp.ErrMissingSyscall
	ErrUncoveredArch  = libseccomp.ErrUncoveredArch
	ErrOverlap        = libseccomp.ErrOverlap
	ErrByteOrder      = libseccomp.ErrByteOrder
	ErrMaskedDatum    = libseccomp.ErrMaskedDatum
	ErrMultiplexed    = libseccomp.ErrMultiplexed
	ErrUnconfined     = libseccomp.ErrUnconfined
)

// PathError reports a value of a profile, by its JSON path
// ("syscalls[12].args[0].op") and the value as written.
type PathError = libseccomp.PathError

func pathErr(path, value string, sentinel error, format string, args ...any) *PathError {
	return libseccomp.PathErr(path, value, sentinel, format, args...)
}
