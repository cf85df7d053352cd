/* Fixture: as headers_install generates it from the v7.2 tree's syscall table. */
#ifndef _ASM_UNISTD_OABI_H
#define _ASM_UNISTD_OABI_H

#define __NR_restart_syscall (__NR_SYSCALL_BASE + 0)
#define __NR_exit (__NR_SYSCALL_BASE + 1)
#define __NR_read (__NR_SYSCALL_BASE + 3)
#define __NR_time (__NR_SYSCALL_BASE + 13)
#define __NR_getpid (__NR_SYSCALL_BASE + 20)
#define __NR__llseek (__NR_SYSCALL_BASE + 140)
#define __NR__newselect (__NR_SYSCALL_BASE + 142)
#define __NR_fcntl64 (__NR_SYSCALL_BASE + 221)
#define __NR_arm_fadvise64_64 (__NR_SYSCALL_BASE + 270)
#define __NR_arm_sync_file_range (__NR_SYSCALL_BASE + 341)
#define __NR_clone3 (__NR_SYSCALL_BASE + 435)
#define __NR_file_setattr (__NR_SYSCALL_BASE + 469)

#ifdef __KERNEL__
#define __NR_syscalls 470
#endif

#endif /* _ASM_UNISTD_OABI_H */
