/* Fixture: arch/mips/include/uapi/asm/errno.h: mips numbers its own. */
#ifndef _UAPI_ASM_ERRNO_H
#define _UAPI_ASM_ERRNO_H

#include <asm-generic/errno-base.h>

#define ENOMSG		35	/* No message of desired type */
#define EDEADLK		45	/* Resource deadlock would occur */
#define EDEADLOCK	56	/* File locking deadlock error */
#define ENOSYS		89	/* Function not implemented */
#define EWOULDBLOCK	EAGAIN	/* Operation would block */
#define EOPNOTSUPP	122	/* Operation not supported on transport endpoint */
#define EHWPOISON	168	/* Memory page has hardware error */
#define EDQUOT		1133	/* Quota exceeded */

#endif
