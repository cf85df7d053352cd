/* Fixture: as headers_install generates it from the v7.2 tree's syscall table. */
#ifndef _ASM_UNISTD_64_H
#define _ASM_UNISTD_64_H

#define __NR_io_setup 0
#define __NR_fcntl 25
#define __NR_renameat 38
#define __NR_lseek 62
#define __NR_newfstatat 79
#define __NR_getrlimit 163
#define __NR_getpid 172
#define __NR_clone3 435
#define __NR_memfd_secret 447
#define __NR_file_setattr 469

#ifdef __KERNEL__
#define __NR_syscalls 470
#endif

#endif /* _ASM_UNISTD_64_H */
