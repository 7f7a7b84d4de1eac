/* t_trace(pid, on): turns call tracing of a process on or off (kernel/sys/trace.h). */
#include "abi/errno.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/trace.h"

long sys_t_trace(const struct sysargs *a)
{
	if (a->a[1] > 1)
		return -EINVAL;
	if ((int64_t)a->a[0] < 0 || a->a[0] > INT32_MAX)
		return -EINVAL;
	return trace_set((int)a->a[0], a->a[1] == 1);
}
