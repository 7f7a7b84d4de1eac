/*
 * fork: a child with its own space holding its parent's memory. Text shared by the program is
 * attached, not copied; every other region gets a counterpart whose pages are the parent's,
 * shared copy-on-write (both regions mark them, the parent's mappings turn read-only, and the
 * first write by either side copies the page, see vregion_page_for_write). The regions sit at
 * the parent's addresses, which stay reserved system-wide until both have let go of them
 * (uva_share).
 */
#include "kernel/proc/fork.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "arch/paging.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/args.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/procmove.h"
#include "kernel/proc/program.h"
#include "kernel/proc/runmode.h"

/* copy (empty, of region's size) gets region's pages: shared copy-on-write, the parent's
 * attachment att losing its writable mappings; copied instead when the region is attached in
 * more than one place (a process's own regions never are), whose other mappings fork cannot
 * protect. */
static int share_pages(rid_t att, rid_t region, rid_t copy)
{
	if (vregion_nattach(region) != 1)
		return vregion_copy(region, copy);
	int err = vregion_share(region, copy);
	if (!err)
		vattach_write_protect(att);
	return err;
}

/* The child's counterpart of the parent's attachment att: the same shared text region, or a
 * region sharing the parent's pages copy-on-write, attached at the same address in the
 * child's space. */
static int clone_att(struct proc *parent, struct proc *c, rid_t att, rid_t *out)
{
	rid_t region = vattach_region(att), copy;
	bool shared_text = vregion_kind(region) == TRK_TEXT && vregion_pins(region);
	if (shared_text)                                   /* pinned by the program */
		return vattach_create_hot(c->vspace, region, vattach_addr(att), &c->cred, out);
	int err = vregion_create_like(region, &c->cred, &copy);
	if (err)
		return err;
	if ((err = share_pages(att, region, copy)) ||
	    (err = vattach_create_lazy(c->vspace, copy, vattach_addr(att), &c->cred, out))) {
		vregion_delete(copy);
		return err;
	}
	(void)parent;
	return 0;
}

/* The next process whose regions q's memory includes: a vfork child runs on its parent's
 * regions (beside any it mapped itself), which may be a vfork child's in turn. */
static struct proc *memory_next(const struct proc *q)
{
	return q->vfork_parent ? proc_get(q->vfork_parent) : NULL;
}

/* Give the child counterparts of src's attachments, in c's slots from *slot on; the address
 * ranges become shared. */
static int clone_atts(struct proc *src, struct proc *c, int *slot)
{
	int err;
	for (int i = 0; i < src->att_end; i++) {
		rid_t att = src->att[i];
		uint64_t addr, size;
		if (!att)
			continue;
		if (*slot >= PROC_MAX_ATT)
			return -ENOMEM;
		int s = (*slot)++;
		proc_att_used(c, s);
		if ((err = clone_att(src, c, att, &c->att[s])))
			return err;
		if (procmem_va_range(src, att, &addr, &size) && (err = uva_share(addr, size))) {
			vattach_delete(c->att[s]);     /* not yet holding the range: undo by hand */
			c->att[s] = 0;
			return err;
		}
		if (att == src->heap_att)
			c->heap_att = c->att[s];
	}
	return 0;
}

/* Give the child's (empty) space the parent's memory: its own regions and, for a vfork child
 * (Linux's fork copies the mm a vfork child shares), those of the processes it runs on. The
 * heap and image range are those of the one that has them (a vfork child has none). */
static int clone_memory(struct proc *parent, struct proc *c)
{
	int err, slot = 0, depth = 0;
	for (struct proc *q = parent; q && depth < NPROC; q = memory_next(q), depth++) {
		if (q->img_span && !c->img_span) {
			if ((err = uva_share(q->img_va, q->img_span)))
				return err;
			c->img_va = q->img_va;
			c->img_span = q->img_span;
		}
		if ((err = clone_atts(q, c, &slot)))
			return err;
		if (q->heap_att && c->brk_start == 0) {
			c->brk_start = q->brk_start;
			c->brk_cur = q->brk_cur;
			c->brk_max = q->brk_max;
		}
	}
	return 0;
}

int proc_fork(struct proc *parent, const struct trapframe *tf, uint64_t child_sp, int *pid_out)
{
	struct proc *c;
	int err = proc_new_child(parent, &c);
	if (err)
		return err;
	rid_t space;
	if (!(err = proc_space_new(c, &space))) {
		c->vspace = space;
		vspace_proc_ref(space, 1);
	}
	if (err || (err = clone_memory(parent, c)) || (err = proc_start_child(parent, c, tf, child_sp))) {
		proc_discard_child(c);
		return err;
	}
	*pid_out = c->pid;
	return 0;
}

void proc_poke32(struct proc *p, uint64_t addr, uint32_t value)
{
	if (!p || (addr & 3) || addr >= USER_TOP)
		return;
	uint64_t root = vspace_root(p->vspace), va = addr & ~(PAGE_SIZE - 1);
	/* only where the process could write itself: resolved as its own write fault would be
	 * (demand-zero, copy-on-write), anything else is not written */
	if (!(pt_lookup(root, va) & PTE_W) && vspace_fault(p->vspace, addr, true, true))
		return;
	uint64_t pte = pt_lookup(root, va);
	if ((pte & (PTE_W | PTE_U)) == (PTE_W | PTE_U))
		*(uint32_t *)((char *)phys_to_virt(pte & PTE_ADDR) + addr % PAGE_SIZE) = value;
}
