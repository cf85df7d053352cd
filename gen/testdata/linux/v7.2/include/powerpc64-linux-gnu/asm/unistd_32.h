/* Fixture: as headers_install generates it from the v7.2 tree's syscall table. */
#ifndef _ASM_UNISTD_32_H
#define _ASM_UNISTD_32_H

#define __NR_restart_syscall 0
#define __NR_exit 1
#define __NR_read 3
#define __NR_getpid 20
#define __NR_socketcall 102
#define __NR_ipc 117
#define __NR__llseek 140
#define __NR__newselect 142
#define __NR_mmap2 192
#define __NR_fcntl64 204
#define __NR_spu_run 278
#define __NR_spu_create 279
#define __NR_switch_endian 363
#define __NR_clone3 435
#define __NR_file_setattr 469

#ifdef __KERNEL__
#define __NR_syscalls 470
#endif

#endif /* _ASM_UNISTD_32_H */
