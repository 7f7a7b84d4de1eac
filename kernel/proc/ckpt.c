/* Checkpoints (see ckpt.h). Contents are copied page by page into regions the checkpoint
 * owns (only resident pages: untouched ones stay demand-zero), and copied back on restore. */
#include "kernel/proc/ckpt.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/program.h"
#include "kernel/proc/runmode.h"

struct ckpt_seg {
	uint64_t addr, size;
	uint32_t kind, prot;
	bool heap;
	rid_t copy;               /* region holding the saved contents */
};

struct ckpt {
	struct res_hdr hdr;
	rid_t program;
	int pid;                  /* whose position it is */
	uint32_t users;           /* processes that return here on a fault */
	struct trapframe tf;
	uint64_t rax_on_fault;    /* rax for ckpt_recover (tf.rax is rax for a restore) */
	struct exec_user_state user;
	uint64_t brk_cur;
	int nseg;
	struct ckpt_seg seg[CKPT_MAX_SEGS];
};

static struct ckpt ckpts[NCKPT];
static struct res_table ckpt_table;

static struct ckpt *get(rid_t rid)
{
	return res_obj(rid, RT_CHECKPOINT);
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct ckpt *c = get(rid);
	uint64_t bytes = 0;
	for (int i = 0; i < c->nseg; i++)
		bytes += vregion_size(c->seg[i].copy);
	info->v[0] = (uint64_t)c->pid;
	info->v[1] = (uint64_t)c->nseg;
	info->v[2] = bytes;
	info->v[3] = c->tf.rip;
	info->v[4] = c->users;
	res_add_ref(info, "program", c->program);
	for (int i = 0; i < c->nseg && i < T_MAX_REFS - 1; i++)
		res_add_ref(info, "saved", c->seg[i].copy);
}

static void free_segs(struct ckpt *c)
{
	for (int i = 0; i < c->nseg; i++)
		vregion_delete(c->seg[i].copy);
	c->nseg = 0;
}

static int destroy(rid_t rid)
{
	struct ckpt *c = get(rid);
	if (c->users)
		return -EBUSY;
	free_segs(c);
	program_put(c->program);
	res_free(rid);
	return 0;
}

static const struct res_ops ckpt_ops = { .describe = describe, .destroy = destroy };

void ckpt_init(void)
{
	ckpt_table = (struct res_table){ .base = ckpts,
					 .stride = sizeof(struct ckpt), .capacity = NCKPT,
					 .ops = &ckpt_ops };
	res_register(RT_CHECKPOINT, &ckpt_table);
}

static bool writable_kind(uint32_t kind)
{
	return kind == TRK_DATA || kind == TRK_BSS || kind == TRK_HEAP || kind == TRK_STACK ||
	       kind == TRK_MMAP;
}

static int save_seg(struct ckpt *c, struct proc *p, rid_t att)
{
	rid_t region = vattach_region(att);
	struct ckpt_seg *s = &c->seg[c->nseg];
	if (c->nseg == CKPT_MAX_SEGS)
		return -ENOMEM;
	*s = (struct ckpt_seg){ .addr = vattach_addr(att), .size = vattach_size(att),
				.kind = vregion_kind(region), .prot = vregion_prot(region),
				.heap = att == p->heap_att };
	int err = vregion_create(s->size, s->kind, s->prot, "saved", &p->cred, &s->copy);
	if (!err && (err = vregion_copy(region, s->copy)))
		vregion_delete(s->copy);
	if (!err)
		c->nseg++;
	return err;
}

int ckpt_save(struct proc *p, const struct trapframe *tf, uint64_t rax_on_restore,
	      uint64_t rax_on_fault, const char *name, rid_t *uout, rid_t *out)
{
	rid_t rid;
	/* a checkpoint holds a copy of the process's memory: only its owner may use it
	 * (restore), others may only see that it exists */
	int err = res_alloc(RT_CHECKPOINT, name, &p->cred,
			    TMODE(TOP_ALL, TOP_REFER, TOP_REFER), &rid);
	if (err)
		return err;
	if (uout && copy_to_user(uout, &rid, sizeof(rid))) {
		res_free(rid);
		return -EFAULT;
	}
	struct ckpt *c = get(rid);
	for (int i = 0; i < p->att_end && !err; i++)
		if (p->att[i] && writable_kind(vregion_kind(vattach_region(p->att[i]))))
			err = save_seg(c, p, p->att[i]);
	if (err) {
		free_segs(c);
		res_free(rid);
		return err;
	}
	c->program = p->program;
	program_get(p->program);
	c->pid = p->pid;
	c->tf = *tf;
	c->tf.rax = rax_on_restore;
	c->rax_on_fault = rax_on_fault;
	exec_get_user_state(exec_cur(), &c->user);
	c->brk_cur = p->brk_cur;
	*out = rid;
	return 0;
}

int ckpt_check(struct proc *p, rid_t rid)
{
	int err = res_validate(rid, RT_CHECKPOINT);
	if (err)
		return err;
	return get(rid)->program == p->program ? 0 : -EINVAL;
}

static const struct ckpt_seg *find_seg(const struct ckpt *c, uint64_t addr, uint64_t size)
{
	for (int i = 0; i < c->nseg; i++)
		if (c->seg[i].addr == addr && c->seg[i].size == size)
			return &c->seg[i];
	return NULL;
}

/* An attachment of p that a restore drops: writable, and no saved segment at its place. */
static bool dropped(const struct ckpt *c, rid_t att)
{
	return writable_kind(vregion_kind(vattach_region(att))) &&
	       !find_seg(c, vattach_addr(att), vattach_size(att));
}

/* Among the attachments of p that the restore drops, the one whose range holds addr (true;
 * its end in *next), else the lowest start above addr (in *next). The range is the one in
 * p's space, or with uva the system-wide addresses it holds. */
static bool dropped_at(struct proc *p, const struct ckpt *c, bool uva, uint64_t addr,
		       uint64_t *next)
{
	*next = UINT64_MAX;
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i];
		uint64_t a, size;
		if (!att || !dropped(c, att))
			continue;
		a = vattach_addr(att), size = vattach_size(att);
		if (uva && !procmem_va_range(p, att, &a, &size))
			continue;
		if (a <= addr && addr < a + size) {
			*next = a + size;
			return true;
		}
		if (a > addr && a < *next)
			*next = a;
	}
	return false;
}

/* Whether [addr, end) is free, once the attachments the restore drops are gone: in p's space,
 * or (uva) system-wide, where p may be the only holder of what it drops. */
static bool range_fits(struct proc *p, const struct ckpt *c, bool uva, uint64_t addr,
		       uint64_t end)
{
	for (uint64_t cur = addr, next; cur < end; cur = next) {
		bool mine = dropped_at(p, c, uva, cur, &next);
		next = next < end ? next : end;
		if (uva && uva_holders(cur, next - cur) > (mine ? 1u : 0u))
			return false;
		if (!uva && !mine && vspace_overlaps(p->vspace, cur, next - cur))
			return false;
	}
	return true;
}

/* Which saved segments are still in place (matched), and whether the others can come back:
 * -EEXIST when their addresses are taken now (in p's space, or by another process). Changes
 * nothing. */
static int plan_restore(struct proc *p, const struct ckpt *c, bool *matched)
{
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i];
		const struct ckpt_seg *s = att ? find_seg(c, vattach_addr(att), vattach_size(att))
					       : NULL;
		if (s && writable_kind(vregion_kind(vattach_region(att))))
			matched[s - c->seg] = true;
	}
	for (int i = 0; i < c->nseg; i++) {
		const struct ckpt_seg *s = &c->seg[i];
		uint64_t va = s->addr, vsize = s->size;
		if (matched[i])
			continue;
		if (!range_fits(p, c, false, s->addr, s->addr + s->size) ||
		    (procmem_va_range_of(p, s->kind, &va, &vsize) &&
		     !range_fits(p, c, true, va, va + vsize)))
			return -EEXIST;
	}
	return 0;
}

/* The process's own writable regions take the saved contents; regions made after the save
 * go, regions removed since come back (at their old addresses, taken again system-wide).
 * Whether they can is checked first, so a restore that finds its addresses taken changes
 * nothing; running out of memory part way leaves a partly restored process. */
static int restore_memory(struct proc *p, const struct ckpt *c)
{
	bool matched[CKPT_MAX_SEGS] = { false };
	int err = plan_restore(p, c, matched);
	if (err)
		return err;
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i], region = att ? vattach_region(att) : 0;
		if (!att || !writable_kind(vregion_kind(region)))
			continue;
		const struct ckpt_seg *s = find_seg(c, vattach_addr(att), vattach_size(att));
		if (!s) {
			procmem_unmap_att(p, i);
			continue;
		}
		vattach_reprotect(att, vattach_addr(att), vattach_size(att), 0);
		vregion_discard(region, 0, vregion_size(region));
		vregion_set_prot(region, s->prot);
		if ((err = vregion_copy(s->copy, region)))
			return err;
	}
	for (int i = 0; i < c->nseg; i++) {
		const struct ckpt_seg *s = &c->seg[i];
		rid_t att;
		if (matched[i])
			continue;
		if ((err = procmem_add(p, s->size, s->kind, s->prot, s->addr, &att)) ||
		    (err = vregion_copy(s->copy, vattach_region(att))))
			return err;
		if (s->heap)
			p->heap_att = att;
	}
	return 0;
}

int ckpt_restore(struct proc *p, struct trapframe *tf, rid_t rid)
{
	int err = ckpt_check(p, rid);
	if (err)
		return err;
	const struct ckpt *c = get(rid);
	if ((err = restore_memory(p, c)))
		return err;
	p->brk_cur = c->brk_cur;
	*tf = c->tf;
	exec_set_user_state(exec_cur(), &c->user);
	runmode_fix_frame(p, tf);
	return 0;
}

int ckpt_recover(struct proc *p, struct trapframe *tf, rid_t rid)
{
	int err = ckpt_restore(p, tf, rid);
	if (!err)
		tf->rax = get(rid)->rax_on_fault;
	return err;
}

static void use(rid_t rid, int delta)
{
	struct ckpt *c = get(rid);
	if (c && (delta > 0 || c->users))
		c->users += (uint32_t)delta;
}

void ckpt_set_fault_return(struct proc *p, rid_t ckpt)
{
	if (p->fault_ckpt)
		use(p->fault_ckpt, -1);
	p->fault_ckpt = ckpt;
	p->fault_recoveries = 0;
	if (ckpt)
		use(ckpt, 1);
}
