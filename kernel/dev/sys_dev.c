/* The system calls of devices, and t_ica_phys (a driver's view of its ICAs): fetch and check
 * the arguments, then call kernel/dev. */
#include "abi/errno.h"
#include "abi/srv.h"
#include "kernel/dev/device.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

/* t_ica_phys(ica, uint64_t *pa) */
long sys_t_ica_phys(const struct sysargs *a)
{
	uint64_t pa;
	if (sysarg_out(a->a[1], sizeof(pa)))
		return -EFAULT;
	int err = dev_ica_phys(a->a[0], proc_cur()->pid, &pa);
	return err ? err : copy_to_user((void *)a->a[1], &pa, sizeof(pa));
}

/* t_dev_info(rid, struct t_dev_info *out) */
long sys_t_dev_info(const struct sysargs *a)
{
	struct t_dev_info info;
	if (sysarg_out(a->a[1], sizeof(info)))
		return -EFAULT;
	int err = dev_info(a->a[0], sysarg_cred(), &info);
	return err ? err : copy_to_user((void *)a->a[1], &info, sizeof(info));
}

/* t_dev_claim(rid, struct t_dev_claim *out) */
long sys_t_dev_claim(const struct sysargs *a)
{
	struct t_dev_claim c = { 0 };
	if (sysarg_out(a->a[1], sizeof(c)))
		return -EFAULT;
	int pid = proc_cur()->pid;
	int err = dev_claim(a->a[0], pid, sysarg_cred(), &c);
	if (err)
		return err;
	/* the caller cannot learn where its BARs are: the claim is given back */
	if ((err = copy_to_user((void *)a->a[1], &c, sizeof(c))))
		dev_release(a->a[0], pid);
	return err;
}

/* t_dev_irq_ack(rid, vector) */
long sys_t_dev_irq_ack(const struct sysargs *a)
{
	if (a->a[1] > 0xffffffffu)
		return -EINVAL;
	return dev_irq_ack(a->a[0], proc_cur()->pid, (uint32_t)a->a[1]);
}

/* t_dev_release(rid) */
long sys_t_dev_release(const struct sysargs *a)
{
	return dev_release(a->a[0], proc_cur()->pid);
}
