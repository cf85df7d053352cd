//go:build linux && (mips || mipsle || mips64 || mips64le || ppc64 || ppc64le)

package notify

// The direction bits of arch/mips/include/uapi/asm/ioctl.h and
// arch/powerpc/include/uapi/asm/ioctl.h: 13 size bits, and three
// direction bits of their own.
const (
	iocWrite    = 4  // _IOC_WRITE
	iocRead     = 2  // _IOC_READ
	iocDirShift = 29 // _IOC_DIRSHIFT
)
