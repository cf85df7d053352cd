/* Fixture: arch/powerpc/include/uapi/asm/unistd.h. */
#ifndef _UAPI_ASM_POWERPC_UNISTD_H_
#define _UAPI_ASM_POWERPC_UNISTD_H_

#ifndef __powerpc64__
#include <asm/unistd_32.h>
#else
#include <asm/unistd_64.h>
#endif

#endif
