/* Fixture: arch/loongarch/include/uapi/asm/unistd.h, numbers generated. */
#include <asm/unistd_64.h>
