/* Fixture: as headers_install generates it from the v7.2 tree's syscall table. */
#ifndef _ASM_UNISTD_64_H
#define _ASM_UNISTD_64_H

#define __NR_read 0
#define __NR_write 1
#define __NR_open 2
#define __NR_rt_sigaction 13
#define __NR_rt_sigreturn 15
#define __NR_ioctl 16
#define __NR_getpid 39
#define __NR_arch_prctl 158
#define __NR_clone3 435
#define __NR_file_setattr 469

#ifdef __KERNEL__
#define __NR_syscalls 470
#endif

#endif /* _ASM_UNISTD_64_H */
