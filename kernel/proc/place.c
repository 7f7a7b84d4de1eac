/* Placement of children's programs (place.h). The state lives in struct proc (place,
 * exec_how and two counters); vfork (sys_proc.c) and execve (metamorph.c) ask here. */
#include "kernel/proc/place.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"
#include "kernel/proc/program.h"

int place_set(struct proc *p, uint32_t mode, const struct cred *cred)
{
	if (mode >= TPL_NMODES)
		return -EINVAL;
	/* the owner decides how its own programs run; nobody else but root */
	if (cred->uid != 0 && cred->uid != p->hdr.owner)
		return -EACCES;
	p->place = (uint8_t)mode;
	return 0;
}

void place_info(const struct proc *p, struct t_place_info *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = p->place;
	out->exec_how = p->exec_how;
	out->space = p->vspace;
	out->vforks_as_fork = p->vforks_as_fork;
	out->hvs_fallbacks = p->hvs_fallbacks;
}

void place_inherit(struct proc *child, const struct proc *parent)
{
	child->place = parent ? parent->place : TPL_TENDER;
	child->exec_how = TPX_NONE;
	child->vforks_as_fork = child->hvs_fallbacks = 0;
}

bool place_vfork_as_fork(struct proc *p)
{
	if (p->place != TPL_UNIX)
		return false;
	p->vforks_as_fork++;
	return true;
}

bool place_exec_in_parent_space(struct proc *p, rid_t program)
{
	if (p->place != TPL_HVS || !p->vfork_parent)
		return false;
	const struct elf_image *img = program_image(program);
	/* a fixed-address program would meet its parent's (busybox is one); and whoever comes
	 * into a space can read and change every process there: the space's move right decides,
	 * as for t_proc_move */
	if (img && img->pie && res_check(p->vspace, TOP_MOVE, &p->cred) == 0)
		return true;
	p->hvs_fallbacks++;
	return false;
}

void place_exec_done(struct proc *p, uint32_t how)
{
	p->exec_how = (uint8_t)how;
}
