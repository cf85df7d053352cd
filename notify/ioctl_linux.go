//go:build linux

package notify

// The layouts and request numbers of include/uapi/linux/seccomp.h.
const (
	seccompGetNotifSizes  = 3      // SECCOMP_GET_NOTIF_SIZES
	userNotifFlagContinue = 1 << 0 // SECCOMP_USER_NOTIF_FLAG_CONTINUE
	addFDFlagSetFD        = 1 << 0 // SECCOMP_ADDFD_FLAG_SETFD
	addFDFlagSend         = 1 << 1 // SECCOMP_ADDFD_FLAG_SEND

	sizeofNotif  = 80  // struct seccomp_notif: id, pid, flags, seccomp_data (64)
	sizeofResp   = 24  // struct seccomp_notif_resp: id, val, error, flags
	sizeofAddFD  = 24  // struct seccomp_notif_addfd: id, flags, srcfd, newfd, newfd_flags
	seccompMagic = '!' // SECCOMP_IOC_MAGIC

	ioctlNotifRecv    = iocRead<<iocDirShift | iocWrite<<iocDirShift | sizeofNotif<<iocSizeShift | seccompMagic<<8 | 0 // SECCOMP_IOWR(0, struct seccomp_notif)
	ioctlNotifSend    = iocRead<<iocDirShift | iocWrite<<iocDirShift | sizeofResp<<iocSizeShift | seccompMagic<<8 | 1  // SECCOMP_IOWR(1, struct seccomp_notif_resp)
	ioctlNotifIDValid = iocWrite<<iocDirShift | 8<<iocSizeShift | seccompMagic<<8 | 2                                  // SECCOMP_IOW(2, __u64)
	ioctlNotifAddFD   = iocWrite<<iocDirShift | sizeofAddFD<<iocSizeShift | seccompMagic<<8 | 3                        // SECCOMP_IOW(3, struct seccomp_notif_addfd)

	// _IOC_SIZESHIFT of include/uapi/asm-generic/ioctl.h, the same on
	// every architecture.
	iocSizeShift = 16
)

// Poll bits of include/uapi/asm-generic/poll.h; the architectures that
// override some (mips, sparc) keep these.
const (
	pollIn  = 0x0001 // POLLIN
	pollErr = 0x0008 // POLLERR
	pollHup = 0x0010 // POLLHUP
)
