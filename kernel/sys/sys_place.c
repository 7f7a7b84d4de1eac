/* System calls of the placement of children's programs (kernel/proc/place.c). */
#include "abi/errno.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/place.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

long sys_t_place_set(const struct sysargs *a)
{
	struct proc *p;
	int err = sysarg_proc(a->a[0], 0, &p);
	if (err)
		return err;
	if (a->a[1] >= TPL_NMODES)
		return -EINVAL;
	return place_set(p, (uint32_t)a->a[1], &proc_cur()->cred);
}

long sys_t_place_info(const struct sysargs *a)
{
	struct t_place_info info;
	struct proc *p;
	int err = sysarg_proc(a->a[0], 0, &p);
	if (err || (err = sysarg_out(a->a[1], sizeof(info))))
		return err;
	place_info(p, &info);
	return copy_to_user((void *)a->a[1], &info, sizeof(info));
}
