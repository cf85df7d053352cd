/* Fixture: a few entries of arch/parisc/include/uapi/asm/errno.h, which
 * numbers most errors its own way. */
#ifndef _UAPI_PARISC_ERRNO_H
#define _UAPI_PARISC_ERRNO_H

#include <asm-generic/errno-base.h>

#define	ENOMSG		35	/* No message of desired type */
#define	EDEADLK		45	/* Resource deadlock would occur */
#define	EDEADLOCK	EDEADLK
#define	EOPNOTSUPP	223	/* Operation not supported on transport endpoint */
#define	ENOSYS		251	/* Function not implemented */
#define	EWOULDBLOCK	EAGAIN	/* Operation would block (Not HPUX compliant) */

#endif
