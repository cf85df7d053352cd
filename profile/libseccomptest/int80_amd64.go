//go:build libseccomp && cgo && linux && amd64

package libseccomptest

/*
// int80 makes an i386 system call from this x86_64 process (the kernel's
// IA-32 emulation): seccomp sees AUDIT_ARCH_I386 and the whole 64-bit
// registers, of which the call reads the low halves.
static long int80(long nr, long a, long b, long c) {
	long ret;
	__asm__ volatile ("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}
*/
import "C"

// Int80 makes an i386 system call and returns its raw result (-errno on
// failure).
func Int80(nr, a, b, c int64) int64 {
	return int64(C.int80(C.long(nr), C.long(a), C.long(b), C.long(c)))
}
