//go:build linux

package testenv

import "syscall"

// int80 is internal/probe's: system call nr of the i386 ABI through the
// int 0x80 gate from 64-bit code, returning eax.
//
//go:noescape
func int80(nr, a0, a1, a2, a3, a4, a5 uintptr) (r uintptr)

// Int80 makes i386 system call nr with up to six arguments (the low 32
// bits of each reach the kernel) and returns its result or errno.
// Pointers must point below 4 GiB: see Low32.
func Int80(nr uintptr, args ...uintptr) (uintptr, syscall.Errno) {
	var a [6]uintptr
	copy(a[:], args)
	r := int32(int80(nr, a[0], a[1], a[2], a[3], a[4], a[5]))
	if r < 0 && r >= -4095 { // -MAX_ERRNO..-1, include/linux/err.h
		return 0, syscall.Errno(-r)
	}
	return uintptr(uint32(r)), 0
}

// Low32 returns n bytes of memory below 4 GiB (mmap with MAP_32BIT), for
// the pointers an i386 system call takes.
func Low32(n int) ([]byte, error) {
	return syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_32BIT)
}
