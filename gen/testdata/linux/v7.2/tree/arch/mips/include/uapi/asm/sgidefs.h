/* Fixture: arch/mips/include/uapi/asm/sgidefs.h, the ABI numbers. */
#ifndef __ASM_SGIDEFS_H
#define __ASM_SGIDEFS_H

#define _MIPS_SIM_ABI32		1
#define _MIPS_SIM_NABI32	2
#define _MIPS_SIM_ABI64		3

#endif
