//go:build linux

#include "textflag.h"

// func int80(nr, a0, a1, a2, a3, a4, a5 uintptr) (r uintptr)
//
// The i386 ABI passes arguments in ebx, ecx, edx, esi, edi and ebp. The
// kernel returns with every register but eax as it was, except r8-r11,
// which it clears (arch/x86/entry/entry_64_compat.S); r12 keeps the
// frame pointer meanwhile.
TEXT ·int80(SB), NOSPLIT, $0-64
	MOVQ nr+0(FP), AX
	MOVQ a0+8(FP), BX
	MOVQ a1+16(FP), CX
	MOVQ a2+24(FP), DX
	MOVQ a3+32(FP), SI
	MOVQ a4+40(FP), DI
	MOVQ BP, R12
	MOVQ a5+48(FP), BP
	INT  $0x80
	MOVQ R12, BP
	MOVQ AX, r+56(FP)
	RET
