/* Fixture: arch/sh/include/uapi/asm/unistd.h. */
#include <asm/unistd_32.h>
