/* Virtual spaces (see vspace.h). */
#include "kernel/mm/vspace.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/res/reuse.h"

struct vspace {
	struct res_hdr hdr;
	uint64_t root;
	uint32_t nprocs;
	uint32_t natt;
	bool transient;
	rid_t att[VSPACE_MAX_ATT];
};

static struct res_table space_table;

static struct vspace *get(rid_t rid)
{
	return res_obj(rid, RT_VSPACE);
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct vspace *s = get(rid);
	info->v[0] = s->natt;
	info->v[1] = s->nprocs;
	info->v[2] = pt_count_tables(s->root);
	info->v[3] = s->transient;
	info->v[4] = s->root & 0xfff;     /* PCID */
}

static void constituents(rid_t rid, void (*fn)(rid_t, void *), void *arg)
{
	struct vspace *s = get(rid);
	for (uint32_t i = 0; i < s->natt; i++) {
		fn(s->att[i], arg);
		fn(vattach_region(s->att[i]), arg);
	}
}

static int destroy(rid_t rid)
{
	return vspace_delete(rid);
}

static const struct res_ops space_ops = { .describe = describe, .destroy = destroy,
					  .constituents = constituents };

void vspace_init(void)
{
	space_table = (struct res_table){
					  .stride = sizeof(struct vspace), .capacity = NVSPACE,
					  .ops = &space_ops };
	res_register(RT_VSPACE, &space_table);
}

int vspace_create(const char *name, uint32_t mode, const struct cred *owner, rid_t *out)
{
	rid_t rid;
	int err = res_alloc(RT_VSPACE, name, owner, mode ? mode : TMODE_DEFAULT, &rid);
	if (err)
		return err;
	/* the table index doubles as the space's PCID (0 is the kernel's own table) */
	uint32_t pcid = RID_INDEX(rid) + 1;
	uint64_t root = pt_create((uint16_t)(pcid < PCID_SHARED ? pcid : PCID_SHARED));
	if (!root) {
		res_free(rid);
		return -ENOMEM;
	}
	get(rid)->root = root;
	*out = rid;
	return 0;
}

int vspace_delete(rid_t rid)
{
	struct vspace *s = get(rid);
	if (!s)
		return -ESTALE;
	if (s->nprocs || s->natt)
		return -EBUSY;
	reuse_forget(rid);
	if (pt_active() == s->root)
		pt_activate(paging_kernel_root());
	pt_destroy(s->root);
	res_free(rid);
	return 0;
}

uint64_t vspace_root(rid_t rid)
{
	struct vspace *s = get(rid);
	return s ? s->root : 0;
}

static bool (*release_hook)(rid_t space);

void vspace_set_release_hook(bool (*hook)(rid_t space))
{
	release_hook = hook;
}

void vspace_set_transient(rid_t rid)
{
	struct vspace *s = get(rid);
	if (s)
		s->transient = true;
}

/* A free-standing region attached to the space (t_region_attach), or 0. */
static rid_t first_standalone(rid_t rid)
{
	struct vspace *s = get(rid);
	for (uint32_t i = 0; s && i < s->natt; i++)
		if (vattach_standalone(s->att[i]))
			return s->att[i];
	return 0;
}

/* A transient space (made for a process) with no process left in it goes: to the
 * reusable-resource table, or away. Free-standing regions attached to it are detached first
 * (the regions stay): a space nobody can run in must not outlive its process for them, or
 * attaching a region to one's own space again and again would fill the space table. */
static void release_if_empty(rid_t rid)
{
	struct vspace *s = get(rid);
	if (!s || !s->transient || s->nprocs)
		return;
	if (s->natt) {
		/* each detach comes back here: the last one (natt 0) lets the space go below */
		static bool detaching;
		rid_t att;
		if (detaching)
			return;
		detaching = true;
		while ((att = first_standalone(rid)))
			vattach_delete(att);
		detaching = false;
		return;
	}
	s->transient = false;
	if (!release_hook || !release_hook(rid))
		vspace_delete(rid);
}

void vspace_proc_ref(rid_t rid, int delta)
{
	struct vspace *s = get(rid);
	assert(s && (delta > 0 || s->nprocs > 0));
	s->nprocs += delta;
	release_if_empty(rid);
}

uint32_t vspace_nprocs(rid_t rid)
{
	struct vspace *s = get(rid);
	return s ? s->nprocs : 0;
}

bool vspace_has_room(rid_t rid, uint32_t n)
{
	struct vspace *s = get(rid);
	return s && s->natt + n <= VSPACE_MAX_ATT;
}

int vspace_add_att(rid_t rid, rid_t att)
{
	struct vspace *s = get(rid);
	if (!s)
		return -ESTALE;
	if (s->natt == VSPACE_MAX_ATT)
		return -ENOMEM;
	s->att[s->natt++] = att;
	return 0;
}

void vspace_remove_att(rid_t rid, rid_t att)
{
	struct vspace *s = get(rid);
	for (uint32_t i = 0; s && i < s->natt; i++) {
		if (s->att[i] == att) {
			s->att[i] = s->att[--s->natt];
			break;
		}
	}
	release_if_empty(rid);
}

rid_t vspace_find_att(rid_t rid, uint64_t addr)
{
	struct vspace *s = get(rid);
	for (uint32_t i = 0; s && i < s->natt; i++) {
		uint64_t a, size;
		if (vattach_range(s->att[i], &a, &size) && addr >= a && addr - a < size)
			return s->att[i];
	}
	return 0;
}

uint32_t vspace_count_overlaps(rid_t rid, uint64_t addr, uint64_t size)
{
	struct vspace *s = get(rid);
	uint32_t count = 0;
	for (uint32_t i = 0; s && i < s->natt; i++) {
		uint64_t a, n;
		if (vattach_range(s->att[i], &a, &n) && addr < a + n && a < addr + size)
			count++;
	}
	return count;
}

bool vspace_overlaps(rid_t rid, uint64_t addr, uint64_t size)
{
	return vspace_count_overlaps(rid, addr, size) != 0;
}

/* A write to a present copy-on-write page: the region's page becomes this region's own
 * (copied if still shared) and is mapped writable, keeping the PTE's other permissions. */
static int break_cow(struct vspace *s, rid_t att, uint64_t va, uint64_t pte)
{
	rid_t region = vattach_region(att);
	uint64_t pa;
	bool moved;
	int err = vregion_page_for_write(region, (va - vattach_addr(att)) / PAGE_SIZE, &pa, &moved);
	if (err)
		return err;
	return pt_map(s->root, va, pa, (pte & (PTE_U | PTE_NX)) | PTE_W);
}

int vspace_fault(rid_t rid, uint64_t addr, bool write, bool user)
{
	struct vspace *s = get(rid);
	rid_t att = s ? vspace_find_att(rid, addr) : 0;
	if (!att || (user && !vattach_user(att)))
		return -EFAULT;
	uint64_t va = addr & ~(PAGE_SIZE - 1);
	uint64_t pte = pt_lookup(s->root, va);
	if (pte && write)      /* present: a copy-on-write page, or a genuine protection fault */
		return pte & PTE_COW ? break_cow(s, att, va, pte) : -EFAULT;
	rid_t region = vattach_region(att);
	uint32_t prot = vregion_prot(region);
	if ((write && !(prot & VR_W)) || !(prot & (VR_R | VR_W | VR_X)))
		return -EFAULT;
	uint64_t idx = (va - vattach_addr(att)) / PAGE_SIZE, pa = 0;
	bool moved;
	/* a write takes its own copy of a shared page at once; a read maps it read-only */
	if (write && vregion_page_for_write(region, idx, &pa, &moved))
		return -ENOMEM;
	if (!write && !(pa = vregion_page(region, idx, true)))
		return -ENOMEM;
	vregion_mark_hot(region, idx);
	if (pte)
		return 0;              /* present already (a read): nothing to do */
	vattach_note_mapped(att, va);
	bool cow = !write && vregion_page_cow(region, idx);
	return pt_map(s->root, va, pa, vattach_cow_flags(vattach_pte_flags(att, false), cow));
}
