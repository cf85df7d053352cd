/* Fixture: arch/arm64/include/uapi/asm/bitsperlong.h. */
#ifndef __ASM_BITSPERLONG_H
#define __ASM_BITSPERLONG_H

#define __BITS_PER_LONG 64

#include <asm-generic/bitsperlong.h>

#endif
