/* Processor affinity on one processor (see affinity.h): Linux's checks in Linux's order. */
#include "kernel/proc/affinity.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/thread.h"

/* The process of thread id tid (0: the caller's), NULL if there is none. */
static struct proc *target(int tid)
{
	if (tid == 0)
		return proc_cur();
	rid_t e = tid > 0 ? thread_by_tid(tid) : 0;
	struct proc *p = e ? proc_get(exec_proc(e)) : NULL;
	return p && p->state != TPS_ZOMBIE ? p : NULL;
}

long affinity_get(int tid, uint64_t len, uint64_t umask)
{
	uint64_t mask = 1;                     /* CPU 0 */
	if (len == 0 || len % sizeof(uint64_t))
		return -EINVAL;
	if (!target(tid))
		return -ESRCH;
	if (copy_to_user((void *)umask, &mask, AFFINITY_MASK_BYTES))
		return -EFAULT;
	return AFFINITY_MASK_BYTES;
}

long affinity_set(int tid, uint64_t len, uint64_t umask, struct proc *self)
{
	uint64_t mask = 0;
	if (copy_from_user(&mask, (const void *)umask,
			   len < AFFINITY_MASK_BYTES ? len : AFFINITY_MASK_BYTES))
		return -EFAULT;
	struct proc *p = target(tid);
	if (!p)
		return -ESRCH;
	/* Linux's rule: root, or an effective uid that is the target's real or effective one */
	if (self->ids.euid != 0 && self->ids.euid != p->ids.euid && self->ids.euid != p->ids.ruid)
		return -EPERM;
	return mask & 1 ? 0 : -EINVAL;
}
