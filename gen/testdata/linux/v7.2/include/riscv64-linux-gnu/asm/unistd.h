/* Fixture: arch/riscv/include/uapi/asm/unistd.h, numbers generated. */
#include <asm/bitsperlong.h>

#if __BITS_PER_LONG == 64
#include <asm/unistd_64.h>
#else
#include <asm/unistd_32.h>
#endif

/* Older headers numbered this call from here. */
#ifndef __NR_riscv_flush_icache
#define __NR_riscv_flush_icache (__NR_arch_specific_syscall + 15)
#endif
__SYSCALL(__NR_riscv_flush_icache, sys_riscv_flush_icache)
