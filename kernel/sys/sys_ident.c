/* Linux's identity calls: get and set the real, effective, saved and file-system user and
 * group ids (the rules are kernel/proc/ident.c's). A uid_t argument is 32 bits: the upper
 * half of the register is ignored, as Linux's prototypes make it. */
#include "abi/errno.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/ident.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"

static uint32_t id_arg(uint64_t v)
{
	return (uint32_t)v;
}

long sys_getuid(const struct sysargs *a)
{
	(void)a;
	return proc_cur()->ids.ruid;
}

long sys_geteuid(const struct sysargs *a)
{
	(void)a;
	return proc_cur()->ids.euid;
}

long sys_getgid(const struct sysargs *a)
{
	(void)a;
	return proc_cur()->ids.rgid;
}

long sys_getegid(const struct sysargs *a)
{
	(void)a;
	return proc_cur()->ids.egid;
}

long sys_setuid(const struct sysargs *a)
{
	if (id_arg(a->a[0]) == IDENT_KEEP)
		return -EINVAL;                  /* (uid_t)-1 is no uid */
	return ident_setuid(proc_cur(), id_arg(a->a[0]));
}

long sys_setgid(const struct sysargs *a)
{
	if (id_arg(a->a[0]) == IDENT_KEEP)
		return -EINVAL;
	return ident_setgid(proc_cur(), id_arg(a->a[0]));
}

long sys_setreuid(const struct sysargs *a)
{
	return ident_setreuid(proc_cur(), id_arg(a->a[0]), id_arg(a->a[1]));
}

long sys_setregid(const struct sysargs *a)
{
	return ident_setregid(proc_cur(), id_arg(a->a[0]), id_arg(a->a[1]));
}

long sys_setresuid(const struct sysargs *a)
{
	return ident_setresuid(proc_cur(), id_arg(a->a[0]), id_arg(a->a[1]), id_arg(a->a[2]));
}

long sys_setresgid(const struct sysargs *a)
{
	return ident_setresgid(proc_cur(), id_arg(a->a[0]), id_arg(a->a[1]), id_arg(a->a[2]));
}

/* The three ids to three user words; Linux writes them one by one and stops at a fault. */
static long put_three(const struct sysargs *a, uint32_t r, uint32_t e, uint32_t s)
{
	if (copy_to_user((void *)a->a[0], &r, 4) || copy_to_user((void *)a->a[1], &e, 4) ||
	    copy_to_user((void *)a->a[2], &s, 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(const struct sysargs *a)
{
	const struct proc_ids *i = &proc_cur()->ids;
	return put_three(a, i->ruid, i->euid, i->suid);
}

long sys_getresgid(const struct sysargs *a)
{
	const struct proc_ids *i = &proc_cur()->ids;
	return put_three(a, i->rgid, i->egid, i->sgid);
}

long sys_setfsuid(const struct sysargs *a)
{
	return ident_setfsuid(proc_cur(), id_arg(a->a[0]));
}

long sys_setfsgid(const struct sysargs *a)
{
	return ident_setfsgid(proc_cur(), id_arg(a->a[0]));
}
