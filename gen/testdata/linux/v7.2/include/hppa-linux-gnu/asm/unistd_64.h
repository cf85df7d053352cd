/* Fixture: as headers_install generates it from the v7.2 tree's syscall table. */
#ifndef _ASM_UNISTD_64_H
#define _ASM_UNISTD_64_H

#define __NR_exit 1
#define __NR_read 3
#define __NR_getpid 20
#define __NR_shutdown 117
#define __NR_clone3 435
#define __NR_file_setattr 469

#ifdef __KERNEL__
#define __NR_syscalls 470
#endif

#endif /* _ASM_UNISTD_64_H */
