/* Fixture: a few entries of include/uapi/asm-generic/errno.h. */
#ifndef _ASM_GENERIC_ERRNO_H
#define _ASM_GENERIC_ERRNO_H

#include <asm-generic/errno-base.h>

#define	EDEADLK		35	/* Resource deadlock would occur */
#define	ENOSYS		38	/* Invalid system call number */
#define	ENOMSG		42	/* No message of desired type */
#define	EWOULDBLOCK	EAGAIN	/* Operation would block */
#define	EDEADLOCK	EDEADLK
#define	EOPNOTSUPP	95	/* Operation not supported on transport endpoint */
#define	EDQUOT		122	/* Quota exceeded */
#define	EHWPOISON	133	/* Memory page has hardware error */

#endif
