/* The uniform resource interface as system calls (look up, info, list, changeoid,
 * changemod, delete). Every call checks the caller's rights through the resource layer. */
#include "abi/errno.h"
#include "abi/tessera.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/res/res.h"
#include "kernel/res/reuse.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

long sys_t_res_info(const struct sysargs *a)
{
	struct t_res_info info;
	rid_t rid = a->a[0];
	int err = res_check(rid, TOP_REFER, sysarg_cred());
	if (err)
		return err;
	if (sysarg_out(a->a[1], sizeof(info)))
		return -EFAULT;
	if ((err = res_info(rid, &info)))
		return err;
	if (reuse_holds(rid))
		info.flags |= TRF_REUSABLE;
	return copy_to_user((void *)a->a[1], &info, sizeof(info));
}

long sys_t_res_next(const struct sysargs *a)
{
	rid_t out;
	if (a->a[0] >= RT_NTYPES)
		return -EINVAL;
	if (sysarg_out(a->a[2], sizeof(out)))
		return -EFAULT;
	int err = res_next((uint32_t)a->a[0], a->a[1], &out);
	return err ? err : copy_to_user((void *)a->a[2], &out, sizeof(out));
}

long sys_t_res_lookup(const struct sysargs *a)
{
	char name[T_NAME_MAX];
	rid_t out;
	if (a->a[0] == RT_NONE || a->a[0] >= RT_NTYPES)
		return -EINVAL;
	int err = sysarg_name(a->a[1], name, false);
	if (err || (err = sysarg_out(a->a[2], sizeof(out))))
		return err;
	err = res_lookup((enum t_res_type)a->a[0], name, &out);
	return err ? err : copy_to_user((void *)a->a[2], &out, sizeof(out));
}

long sys_t_res_delete(const struct sysargs *a)
{
	return res_delete(a->a[0], sysarg_cred());
}

long sys_t_res_changeoid(const struct sysargs *a)
{
	if (a->a[1] > 0xffffffffu)
		return -EINVAL;
	return res_changeoid(a->a[0], (uint32_t)a->a[1], (int)a->a[2], sysarg_cred());
}

long sys_t_res_changemod(const struct sysargs *a)
{
	if (a->a[1] > 0xffffffffu)
		return -EINVAL;
	return res_changemod(a->a[0], (uint32_t)a->a[1], sysarg_cred());
}
