/* Fixture: as headers_install generates it from the v7.2 tree's syscall table. */
#ifndef _ASM_UNISTD_O32_H
#define _ASM_UNISTD_O32_H

#define __NR_syscall (__NR_Linux + 0)
#define __NR_exit (__NR_Linux + 1)
#define __NR_read (__NR_Linux + 3)
#define __NR_getpid (__NR_Linux + 20)
#define __NR__llseek (__NR_Linux + 140)
#define __NR__newselect (__NR_Linux + 142)
#define __NR_fcntl64 (__NR_Linux + 220)
#define __NR_clone3 (__NR_Linux + 435)
#define __NR_file_setattr (__NR_Linux + 469)

#ifdef __KERNEL__
#define __NR_syscalls 470
#endif

#endif /* _ASM_UNISTD_O32_H */
