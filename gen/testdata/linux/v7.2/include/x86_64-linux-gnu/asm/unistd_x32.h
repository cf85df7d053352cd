/* Fixture: as headers_install generates it from the v7.2 tree's syscall table. */
#ifndef _ASM_UNISTD_X32_H
#define _ASM_UNISTD_X32_H

#define __NR_read (__X32_SYSCALL_BIT + 0)
#define __NR_write (__X32_SYSCALL_BIT + 1)
#define __NR_open (__X32_SYSCALL_BIT + 2)
#define __NR_getpid (__X32_SYSCALL_BIT + 39)
#define __NR_arch_prctl (__X32_SYSCALL_BIT + 158)
#define __NR_clone3 (__X32_SYSCALL_BIT + 435)
#define __NR_file_setattr (__X32_SYSCALL_BIT + 469)
#define __NR_rt_sigaction (__X32_SYSCALL_BIT + 512)
#define __NR_rt_sigreturn (__X32_SYSCALL_BIT + 513)
#define __NR_ioctl (__X32_SYSCALL_BIT + 514)

#ifdef __KERNEL__
#define __NR_syscalls 515
#endif

#endif /* _ASM_UNISTD_X32_H */
