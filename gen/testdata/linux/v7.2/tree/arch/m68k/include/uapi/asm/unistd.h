/* Fixture: arch/m68k/include/uapi/asm/unistd.h. */
#ifndef _UAPI_ASM_M68K_UNISTD_H_
#define _UAPI_ASM_M68K_UNISTD_H_

#include <asm/unistd_32.h>

#endif
