/* getrandom(2): checks its flags, then reads the kernel's random numbers (kernel/dev/random.c). */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/dev/random.h"
#include "kernel/sys/syscall.h"

#define GETRANDOM_MAX 33554431ul      /* bytes per call, as Linux */

long sys_getrandom(const struct sysargs *a)
{
	uint64_t flags = a->a[2];
	size_t n = a->a[1] < GETRANDOM_MAX ? a->a[1] : GETRANDOM_MAX;
	if (flags & ~(uint64_t)(L_GRND_NONBLOCK | L_GRND_RANDOM | L_GRND_INSECURE) ||
	    (flags & L_GRND_INSECURE && flags & L_GRND_RANDOM))
		return -EINVAL;
	return random_read_user((void *)a->a[0], n);
}
