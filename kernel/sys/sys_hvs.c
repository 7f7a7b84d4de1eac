/* Heterogeneous Virtual Storage calls: making spaces, moving processes between them, and
 * free-standing data regions that live in a space without any process. */
#include "abi/errno.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/fs/plate.h"
#include "abi/tessera.h"
#include "arch/paging.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/procmove.h"
#include "kernel/proc/ulimit.h"
#include "kernel/res/reuse.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

long sys_t_vm_create(const struct sysargs *a)
{
	char name[T_NAME_MAX];
	rid_t rid, other;
	int err = sysarg_name(a->a[0], name, true);
	if (err)
		return err;
	if (a->a[1] & ~(uint64_t)TMODE(TOP_ALL, TOP_ALL, TOP_ALL))
		return -EINVAL;
	if (sysarg_out(a->a[2], sizeof(rid)))
		return -EFAULT;
	if (name[0] && res_lookup(RT_VSPACE, name, &other) == 0)
		return -EEXIST;
	if ((err = vspace_create(name, (uint32_t)a->a[1], sysarg_cred(), &rid)))
		return err;
	if ((err = copy_to_user((void *)a->a[2], &rid, sizeof(rid))))
		vspace_delete(rid);
	return err;
}

/* Space 0 means a new space of the process's own, deleted when it is left empty. */
long sys_t_proc_move(const struct sysargs *a)
{
	struct proc *p = a->a[0] ? proc_by_pid((int)a->a[0]) : proc_cur();
	rid_t space = a->a[1];
	if (!p || (int64_t)a->a[0] < 0 || p->state == TPS_ZOMBIE)
		return -ESRCH;
	if (space)
		return proc_move(p, space, sysarg_cred());
	int err = res_check(p->hdr.rid, TOP_MOVE, sysarg_cred());
	if (err || (err = proc_space_new(p, &space)))
		return err;
	if ((err = proc_move(p, space, sysarg_cred())))
		vspace_delete(space);
	return err;
}

long sys_t_region_create(const struct sysargs *a)
{
	char name[T_NAME_MAX];
	rid_t rid;
	uint64_t size = a->a[0];
	uint32_t prot = (uint32_t)a->a[1];
	int err = sysarg_name(a->a[2], name, true);
	if (err)
		return err;
	if (!size || size > VREGION_MAX_SIZE || (prot & ~(uint32_t)(TR_READ | TR_WRITE | TR_EXEC)))
		return -EINVAL;
	if (sysarg_out(a->a[3], sizeof(rid)))
		return -EFAULT;
	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	/* the creator answers for a free-standing region as for its own memory */
	if ((err = ulimit_mem_check(proc_cur(), size, (prot & TR_WRITE) != 0)))
		return err;
	uint32_t vprot = (prot & TR_READ ? VR_R : 0) | (prot & TR_WRITE ? VR_W : 0) |
			 (prot & TR_EXEC ? VR_X : 0);
	if ((err = vregion_create(size, TRK_OTHER, vprot, name, sysarg_cred(), &rid)))
		return err;
	if ((err = vregion_make_home(rid)) ||
	    (err = copy_to_user((void *)a->a[3], &rid, sizeof(rid))))
		vregion_delete(rid);
	return err;
}

long sys_t_region_attach(const struct sysargs *a)
{
	rid_t region = a->a[0], space = a->a[1], att;
	int err;
	if ((err = res_validate(region, RT_VREGION)) || (err = res_validate(space, RT_VSPACE)))
		return err;
	if (!vregion_home(region))
		return -EINVAL;              /* a process's own region cannot be attached elsewhere */
	if ((err = res_check(region, TOP_USE, sysarg_cred())) ||
	    (err = res_check(space, TOP_MODIFY, sysarg_cred())))
		return err;
	if (sysarg_out(a->a[2], sizeof(att)))
		return -EFAULT;
	if ((err = vattach_create(space, region, vregion_home(region), true, sysarg_cred(), &att)))
		return err;
	vattach_set_standalone(att);
	if ((err = copy_to_user((void *)a->a[2], &att, sizeof(att))))
		vattach_delete(att);
	return err;
}

long sys_t_kctl(const struct sysargs *a)
{
	int64_t value = (int64_t)a->a[1];
	switch (a->a[0]) {
	case TK_PCID:
		if (value == -1)
			return paging_pcid_enabled();
		if (value != 0 && value != 1)
			return -EINVAL;
		if (sysarg_cred()->uid != 0)
			return -EPERM;
		return paging_set_pcid(value == 1);
	case TK_REUSE:
		if (value == -1)
			return reuse_mask();
		if (value < 0 || value > TRU_ALL)
			return -EINVAL;
		if (sysarg_cred()->uid != 0)
			return -EPERM;
		reuse_set_mask((uint32_t)value);
		return 0;
	case TK_REUSE_FLUSH:
		if (value != 1)
			return -EINVAL;
		if (sysarg_cred()->uid != 0)
			return -EPERM;
		reuse_flush();
		res_trim();        /* spare table chunks are no leak either */
		plate_trim();      /* nor the plates' indexes grown for files gone since */
		pathbuf_trim();    /* nor path buffers kept for the next call */
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_t_reuse_stat(const struct sysargs *a)
{
	struct t_reuse_stat st;
	reuse_stat(&st);
	return copy_to_user((void *)a->a[0], &st, sizeof(st));
}
