//go:build linux

package probe

import "syscall"

// int80 makes system call nr of the i386 ABI through the int 0x80 gate
// from 64-bit code (arch/x86/entry/entry_64_compat.S) and returns eax.
// The argument registers are loaded whole; the kernel uses their low
// halves.
//
//go:noescape
func int80(nr, a0, a1, a2, a3, a4, a5 uintptr) (r uintptr)

func int80Call(n [7]uintptr) (uintptr, syscall.Errno, error) {
	r := int32(int80(n[0], n[1], n[2], n[3], n[4], n[5], n[6]))
	if r < 0 && r >= -4095 { // -MAX_ERRNO..-1, include/linux/err.h
		return 0, syscall.Errno(-r), nil
	}
	return uintptr(uint32(r)), 0, nil
}
