/* System calls of the running-mode switch (kernel/proc/runmode.c, docs/runmode.md). */
#include "abi/errno.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/runmode.h"
#include "kernel/sys/syscall.h"

long sys_t_switch_supervisor(const struct sysargs *a)
{
	return runmode_request(proc_cur(), (long)a->a[0], TRM_SMODE);
}

long sys_t_switch_user(const struct sysargs *a)
{
	return runmode_request(proc_cur(), (long)a->a[0], TRM_UMODE);
}

/* The light path's forms (kernel/sys/syscall.c): a switch of the caller itself is made at
 * once and the entry returns in the new mode; any other target goes the full way. */
static long switch_light(const struct sysargs *a, uint32_t mode)
{
	if (a->a[0] != 0)
		return SYSCALL_LIGHT_DECLINED;
	return runmode_switch_self(proc_cur(), mode);
}

long sys_t_switch_supervisor_light(const struct sysargs *a)
{
	return switch_light(a, TRM_SMODE);
}

long sys_t_switch_user_light(const struct sysargs *a)
{
	return switch_light(a, TRM_UMODE);
}

long sys_t_runmode_info(const struct sysargs *a)
{
	struct t_runmode_info info;
	int err = runmode_info(proc_cur(), (long)a->a[0], &info);
	return err ? err : copy_to_user((void *)a->a[1], &info, sizeof(info));
}
