/* Process moves between spaces (see procmove.h). All new attachments are made before any
 * old one is removed, so a failure leaves the process exactly as it was. */
#include "kernel/proc/procmove.h"
#include "abi/errno.h"
#include "kernel/dev/device.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/exec.h"
#include "kernel/res/reuse.h"

static int check_move(struct proc *p, rid_t space, const struct cred *cred)
{
	int err;
	if (p->state == TPS_ZOMBIE || !p->exec)
		return -ESRCH;
	if ((err = res_validate(space, RT_VSPACE)))
		return err;
	/* a driver's device registers are mapped in the space it claimed them in */
	if (dev_claims_any(p->pid))
		return -EBUSY;
	/* moving p needs the move right on p, and on the space it goes into (whoever may put a
	 * process into a space can read and change the memory of every process there) */
	if ((err = res_check(p->hdr.rid, TOP_MOVE, cred)) ||
	    (err = res_check(space, TOP_MOVE, cred)))
		return err;
	uint32_t n = 0;
	for (int i = 0; i < p->att_end; i++) {
		if (!p->att[i])
			continue;
		n++;
		uint64_t addr, size;
		if (vattach_range(p->att[i], &addr, &size) && vspace_overlaps(space, addr, size))
			return -EEXIST;
	}
	return vspace_has_room(space, n) ? 0 : -ENOMEM;
}

static bool keep_space(rid_t space)
{
	return reuse_put(RK_SPACE, space, 0);
}

static void evict_space(rid_t space)
{
	vspace_delete(space);
}

void proc_space_init(void)
{
	vspace_set_release_hook(keep_space);
	reuse_register(RK_SPACE, evict_space);
}

int proc_space_new(struct proc *p, rid_t *out)
{
	rid_t space = reuse_take(RK_SPACE, 0);
	int err = 0;
	if (space) {
		res_set_name(space, p->hdr.name);
		res_reset_owner(space, &p->cred, TMODE_DEFAULT);
	} else if ((err = vspace_create(p->hdr.name, 0, &p->cred, &space))) {
		return err;
	}
	vspace_set_transient(space);
	*out = space;
	return 0;
}

int proc_move(struct proc *p, rid_t space, const struct cred *cred)
{
	int err = check_move(p, space, cred);
	if (err || space == p->vspace)
		return err;
	rid_t old = p->vspace;
	vspace_proc_ref(space, 1);
	p->vspace = space;
	THREAD_FOR_EACH(p, e)        /* every execution; takes effect now for a running one */
		exec_set_root(e, vspace_root(space));
	/* the attachments themselves move: nothing is mapped now, pages are mapped in the new
	 * space as the process touches them, so a move costs the same for any size */
	for (int i = 0; i < p->att_end; i++)
		if (p->att[i])
			vattach_move(p->att[i], space);
	vspace_proc_ref(old, -1);                     /* a transient space left empty goes */
	return 0;
}
