/* Fixture: arch/s390/include/uapi/asm/unistd.h. */
#ifndef _UAPI_ASM_S390_UNISTD_H_
#define _UAPI_ASM_S390_UNISTD_H_

#ifdef __s390x__
#include <asm/unistd_64.h>
#else
#include <asm/unistd_32.h>
#endif

#endif
