/* System calls of the running-mode switch (kernel/proc/runmode.c, docs/runmode.md). */
#include "abi/errno.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/runmode.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

static long request(uint64_t pid, uint32_t mode)
{
	struct proc *p;
	int err = sysarg_proc(pid, 0, &p);
	return err ? err : runmode_request(proc_cur(), p, mode);
}

long sys_t_switch_supervisor(const struct sysargs *a)
{
	return request(a->a[0], TRM_SMODE);
}

long sys_t_switch_user(const struct sysargs *a)
{
	return request(a->a[0], TRM_UMODE);
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
	struct proc *p;
	int err = sysarg_proc(a->a[0], 0, &p);
	if (!err)
		err = runmode_info(proc_cur(), p, &info);
	return err ? err : copy_to_user((void *)a->a[1], &info, sizeof(info));
}
