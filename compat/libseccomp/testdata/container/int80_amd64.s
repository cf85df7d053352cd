#include "textflag.h"

// func int80(nr, a0, a1, a2 uintptr) (r uintptr)
// An i386 system call from this x86_64 process, through the int 0x80
// gate: seccomp sees AUDIT_ARCH_I386 and i386's numbers.
TEXT ·int80(SB), NOSPLIT, $0-40
	MOVQ nr+0(FP), AX
	MOVQ a0+8(FP), BX
	MOVQ a1+16(FP), CX
	MOVQ a2+24(FP), DX
	INT $0x80
	MOVQ AX, r+32(FP)
	RET
