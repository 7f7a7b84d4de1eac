/* ICAs (see ica.h): the resource table, the pool of contiguous runs, per-user shares, and
 * attaching an ICA's region where its holder can reach it. */
#include "kernel/ipc/ica.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/dev/device.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/contig.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/proc.h"

struct ica {
	struct res_hdr hdr;
	uint64_t pa, pages, va;   /* the run, its length, its system-wide address */
	rid_t region;             /* the ICA's pages as a region, for attaching */
	int holder;               /* pid, ICA_KERNEL or ICA_TRANSIT */
	bool loan;                /* a server holds it for a request; the result returns it */
	bool doomed;              /* freed by the kernel while in flight: delete on return */
	rid_t att, space;         /* where it is attached (0: detached) */
	uint64_t att_addr;        /* the attachment's address */
	bool att_uva;             /* att_addr's system-wide range was taken for it */
	uint32_t uid;             /* charged: the creator's uid (UINT32_MAX: the kernel) */
};

static struct ica icas[NICA];
static struct res_table ica_table;
static const struct cred kernel_cred = { .uid = 0, .gid = 0 };

static struct ica *get(rid_t rid)
{
	return res_obj(rid, RT_ICA);
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct ica *c = get(rid);
	info->v[0] = c->pages;
	info->v[1] = c->va;
	info->v[2] = (uint64_t)(int64_t)c->holder;
	info->v[3] = c->att ? c->att_addr : 0;
	info->v[4] = c->loan;
	res_add_ref(info, "region", c->region);
	res_add_ref(info, "space", c->space);
}

static void detach(struct ica *c)
{
	if (!c->att)
		return;
	uint64_t root = vspace_root(c->space);
	vattach_delete(c->att);
	/* a server is passed ICAs at ever new addresses: keep no tables for them */
	pt_prune_user(root, c->att_addr, c->pages * PAGE_SIZE);
	if (c->att_uva)
		uva_free(c->att_addr, c->pages * PAGE_SIZE);
	c->att = c->space = 0;
	c->att_addr = 0;
	c->att_uva = false;
}

static void teardown(struct ica *c)
{
	detach(c);
	if (c->region) {
		vregion_pin(c->region, -1);
		if (vregion_delete(c->region))
			panic("ica teardown: region of ica %lx still in use", c->hdr.rid);
	}
	uva_free(c->va, c->pages * PAGE_SIZE);
	contig_free(c->pa, (uint32_t)c->pages);
	res_free(c->hdr.rid);
}

/* t_res_delete: only the holder, and not while the ICA is lent to it. */
static int destroy(rid_t rid)
{
	struct ica *c = get(rid);
	struct proc *p = proc_cur();
	if (!p || c->holder != p->pid)
		return -EACCES;
	if (c->loan)
		return -EBUSY;
	teardown(c);
	return 0;
}

static const struct res_ops ica_ops = { .describe = describe, .destroy = destroy };

void ica_init(void)
{
	/* whole 4 MiB blocks, so that a user's quarter holds at least one largest ICA */
	uint64_t pages = (pmm_total_pages() / 16 + 1023) & ~1023ul, pa;
	if (pages < 1024)
		pages = 1024;
	if (pages > 16384)
		pages = 16384;
	/* 4 MiB alignment: the largest ICAs come out of blocks that never straddle it */
	if (pmm_take_run(pages, 1024, &pa) == 0)
		contig_init(pa, (uint32_t)pages);
	else
		kprintf("ica_init: no %lu contiguous pages for the ICA pool\n", pages);
	ica_table = (struct res_table){ .base = icas, .stride = sizeof(struct ica),
					.capacity = NICA, .ops = &ica_ops };
	res_register(RT_ICA, &ica_table);
}

/* Pages the ICAs charged to uid hold now. */
static uint64_t charged(uint32_t uid)
{
	uint64_t n = 0;
	struct ica *c;
	for (uint32_t i = 0; (c = res_iter(RT_ICA, &i));)
		if (c->uid == uid)
			n += c->pages;
	return n;
}

static int check_share(uint32_t uid, uint64_t pages)
{
	uint64_t pool = contig_total_pages();
	if (uid == UINT32_MAX)
		return 0;
	uint64_t limit = uid == 0 ? pool - pool / 8 : pool / 4;
	uint64_t kernel_room = uid == 0 ? pool / 8 : 0;
	if (charged(uid) + pages > limit)
		return -ENOMEM;
	/* root leaves the kernel its eighth even when the pool is fragmented */
	if (kernel_room && contig_free_pages() < pages + kernel_room)
		return -ENOMEM;
	return 0;
}

/* The run, its addresses and its region: everything but attaching it. */
static int make(uint64_t pages, const struct cred *cred, uint32_t uid, struct ica **out)
{
	rid_t rid;
	uint64_t pa;
	int err;
	if (!pages || pages > T_ICA_MAX_PAGES)
		return -EINVAL;
	if ((err = check_share(uid, pages)))
		return err;
	if ((err = contig_alloc((uint32_t)pages, &pa)))
		return err;
	if ((err = res_alloc(RT_ICA, "ica", cred, TMODE_DEFAULT, &rid))) {
		contig_free(pa, (uint32_t)pages);
		return err;
	}
	struct ica *c = get(rid);
	*c = (struct ica){ .hdr = c->hdr, .pa = pa, .pages = pages, .uid = uid };
	memset(phys_to_virt(pa), 0, pages * PAGE_SIZE);
	if ((err = uva_alloc(pages * PAGE_SIZE, PAGE_SIZE, &c->va))) {
		contig_free(pa, (uint32_t)pages);
		res_free(rid);
		return err;
	}
	err = vregion_create(pages * PAGE_SIZE, TRK_OTHER, VR_R | VR_W, "ica", cred, &c->region);
	if (!err)
		vregion_pin(c->region, 1);
	for (uint64_t i = 0; !err && i < pages; i++)
		err = vregion_set_page(c->region, i, pa + i * PAGE_SIZE);
	if (err) {
		teardown(c);
		return err;
	}
	*out = c;
	return 0;
}

static void fill(const struct ica *c, struct t_ica *out)
{
	out->rid = c->hdr.rid;
	out->addr = c->att ? c->att_addr : 0;
	out->pages = c->pages;
}

/* Attach c in space at addr (its own address, or one whose system-wide range is free);
 * lazy: its pages are mapped as they are touched, not now. */
static int attach_at(struct ica *c, rid_t space, uint64_t addr, bool lazy)
{
	uint64_t size = c->pages * PAGE_SIZE;
	bool other = addr != c->va;
	int err;
	if (other && addr < UVA_END && addr + size > UVA_BASE) {
		if (addr < UVA_BASE || addr + size > UVA_END || uva_reserve(addr, size))
			return -EEXIST;
	}
	err = lazy ? vattach_create_lazy(space, c->region, addr, &kernel_cred, &c->att)
		   : vattach_create(space, c->region, addr, true, &kernel_cred, &c->att);
	if (err) {
		if (other && addr >= UVA_BASE && addr < UVA_END)
			uva_free(addr, size);
		c->att = 0;
		return err;
	}
	c->space = space;
	c->att_addr = addr;
	c->att_uva = other && addr >= UVA_BASE && addr < UVA_END;
	return 0;
}

int ica_create(uint64_t pages, uint32_t flags, struct proc *p, struct t_ica *out)
{
	struct ica *c;
	if (flags)
		return -EINVAL;
	int err = make(pages, &p->cred, p->cred.uid, &c);
	if (err)
		return err;
	c->holder = p->pid;
	if ((err = attach_at(c, p->vspace, c->va, false))) {
		teardown(c);
		return err;
	}
	fill(c, out);
	return 0;
}

/* The ICA p holds, or an error (ica.h's codes). */
static int held(rid_t rid, int pid, struct ica **out)
{
	int err = res_validate(rid, RT_ICA);
	if (err)
		return err;
	struct ica *c = get(rid);
	if (c->holder != pid)
		return -EACCES;
	*out = c;
	return 0;
}

int ica_attach(rid_t rid, struct proc *p, uint64_t addr, struct t_ica *out)
{
	struct ica *c;
	int err = held(rid, p->pid, &c);
	if (err)
		return err;
	uint64_t size = c->pages * PAGE_SIZE;
	if ((addr & (PAGE_SIZE - 1)) || addr + size < addr || addr + size > USER_TOP)
		return -EINVAL;
	if (c->att && c->space != p->vspace)
		detach(c);                /* left behind in a space p has moved out of */
	if (c->att && (!addr || addr == c->att_addr)) {
		fill(c, out);
		return 0;
	}
	if (c->att)
		return -EBUSY;
	if (!addr)
		addr = c->va;
	if (vspace_overlaps(p->vspace, addr, size))
		return -EEXIST;
	if ((err = attach_at(c, p->vspace, addr, false)))
		return err;
	fill(c, out);
	return 0;
}

int ica_detach(rid_t rid, struct proc *p)
{
	struct ica *c;
	int err = held(rid, p->pid, &c);
	if (!err)
		detach(c);
	return err;
}

int ica_create_kernel(uint64_t pages, rid_t *out, void **kva)
{
	struct ica *c;
	int err = make(pages, &kernel_cred, UINT32_MAX, &c);
	if (err)
		return err;
	c->holder = ICA_KERNEL;
	*out = c->hdr.rid;
	*kva = phys_to_virt(c->pa);
	return 0;
}

void ica_free_kernel(rid_t rid)
{
	struct ica *c = get(rid);
	if (!c || c->uid != UINT32_MAX)
		panic("ica_free_kernel: %lx is not a kernel ICA", rid);
	if (c->holder == ICA_KERNEL)
		teardown(c);
	else
		c->doomed = true;
}

int ica_phys_of(rid_t rid, int pid, uint64_t *pa)
{
	struct ica *c;
	int err = held(rid, pid, &c);
	if (!err)
		*pa = c->pa;
	return err;
}

int ica_check_pass(rid_t rid, int holder)
{
	struct ica *c;
	int err = held(rid, holder, &c);
	if (!err && c->loan)
		err = -EBUSY;
	return err;
}

void ica_lend(rid_t rid, rid_t keep_space)
{
	struct ica *c = get(rid);
	if (!c)
		panic("ica_lend: %lx is gone", rid);
	if (c->att && (!keep_space || c->space != keep_space))
		detach(c);
	c->holder = ICA_TRANSIT;
}

void ica_arrive(rid_t rid, int pid, rid_t space, bool loan, uint64_t *addr)
{
	struct ica *c = get(rid);
	if (!c || c->holder != ICA_TRANSIT)
		panic("ica_arrive: %lx is not in flight", rid);
	*addr = 0;
	/* a kernel ICA let go while its request was still queued reaches the server first: it
	 * is deleted when it comes back, not now, or the server's answer would find it gone */
	if (c->doomed && !loan) {
		teardown(c);
		return;
	}
	c->holder = pid;
	c->loan = loan;
	if (c->att && c->space != space)
		detach(c);
	/* A driver (a device's claimant) hands a lent ICA's physical address to its device and
	 * does not touch the bytes: mapping 256 pages there and back per 1 MiB request was a
	 * third of a disk read's time. It gets the ICA unmapped; a page it does touch is
	 * mapped then. Other servers read what they are passed: mapped at once. */
	if (!c->att && space && attach_at(c, space, c->va, loan && dev_claims_any(pid)))
		return;                   /* no memory to map it now: held, detached */
	*addr = c->att ? c->att_addr : 0;
}

void ica_settle(rid_t rid)
{
	struct ica *c = get(rid);
	if (c)
		c->loan = false;
}

uint64_t ica_pages(rid_t rid)
{
	struct ica *c = res_validate(rid, RT_ICA) ? NULL : get(rid);
	return c ? c->pages : 0;
}

void ica_drop(rid_t rid)
{
	struct ica *c = get(rid);
	if (c)
		teardown(c);
}

bool ica_holds_any(int pid)
{
	struct ica *c;
	if (!res_count(RT_ICA))
		return false;
	for (uint32_t i = 0; (c = res_iter(RT_ICA, &i));)
		if (c->holder == pid)
			return true;
	return false;
}

void ica_proc_exit(int pid)
{
	struct ica *c;
	if (!res_count(RT_ICA))
		return;
	for (uint32_t i = 0; (c = res_iter(RT_ICA, &i));)
		if (c->holder == pid && !c->loan)
			teardown(c);
}
