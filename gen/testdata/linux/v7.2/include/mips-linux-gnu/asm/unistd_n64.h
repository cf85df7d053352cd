/* Fixture: as headers_install generates it from the v7.2 tree's syscall table. */
#ifndef _ASM_UNISTD_N64_H
#define _ASM_UNISTD_N64_H

#define __NR_read (__NR_Linux + 0)
#define __NR_write (__NR_Linux + 1)
#define __NR_getpid (__NR_Linux + 38)
#define __NR_clone3 (__NR_Linux + 435)
#define __NR_file_setattr (__NR_Linux + 469)

#ifdef __KERNEL__
#define __NR_syscalls 470
#endif

#endif /* _ASM_UNISTD_N64_H */
