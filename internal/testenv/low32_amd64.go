//go:build linux

package testenv

import "syscall"

// Low32 returns n bytes of memory below 4 GiB (mmap with MAP_32BIT), for
// the pointers an i386 system call takes.
func Low32(n int) ([]byte, error) {
	return syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_32BIT)
}
