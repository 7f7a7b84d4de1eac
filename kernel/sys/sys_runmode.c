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

long sys_t_runmode_info(const struct sysargs *a)
{
	struct t_runmode_info info;
	int err = runmode_info(proc_cur(), (long)a->a[0], &info);
	return err ? err : copy_to_user((void *)a->a[1], &info, sizeof(info));
}
