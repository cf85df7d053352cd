//go:build linux && !(mips || mipsle || mips64 || mips64le || ppc64 || ppc64le)

package notify

// The direction bits of include/uapi/asm-generic/ioctl.h.
const (
	iocWrite    = 1  // _IOC_WRITE
	iocRead     = 2  // _IOC_READ
	iocDirShift = 30 // _IOC_DIRSHIFT: 14 size bits
)
