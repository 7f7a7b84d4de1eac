/* Virtual user spaces and virtual kernel spaces (see vattach.h): two resource types with one
 * table layout; the variant is the type. */
#include "kernel/mm/vattach.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"

struct vattach {
	struct res_hdr hdr;
	rid_t space;
	rid_t region;
	uint64_t addr;
	uint64_t size;
	bool standalone;
	uint64_t lo, hi;     /* offsets bounding every page mapped so far (lo == hi: none) */
};

static struct vattach kernel_atts[NVATTACH_KERNEL];
static struct res_table user_table, kernel_table;

static struct vattach *get(rid_t rid)
{
	struct vattach *a = res_obj(rid, RT_VUSPACE);
	return a ? a : res_obj(rid, RT_VKSPACE);
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct vattach *a = get(rid);
	info->v[0] = a->addr;
	info->v[1] = a->size;
	info->v[2] = a->standalone;
	res_add_ref(info, "space", a->space);
	res_add_ref(info, "region", a->region);
}

static int destroy(rid_t rid)
{
	struct vattach *a = get(rid);
	if (!a->standalone)
		return -EBUSY;          /* a process's region: it leaves with the process */
	return vattach_delete(rid);
}

static const struct res_ops att_ops = { .describe = describe, .destroy = destroy };

static void unmap_moved_page(rid_t region, uint64_t idx);

void vattach_init(void)
{
	vregion_set_moved_hook(unmap_moved_page);
	user_table = (struct res_table){
					 .stride = sizeof(struct vattach), .capacity = NVATTACH,
					 .ops = &att_ops };
	kernel_table = user_table;
	kernel_table.base = kernel_atts;
	kernel_table.capacity = NVATTACH_KERNEL;
	res_register(RT_VUSPACE, &user_table);
	res_register(RT_VKSPACE, &kernel_table);
}

uint64_t vattach_pte_flags(rid_t rid, bool writable_override)
{
	struct vattach *a = get(rid);
	uint32_t prot = vregion_prot(a->region);
	uint64_t f = 0;
	if ((prot & VR_W) || writable_override)
		f |= PTE_W;
	if (!(prot & VR_X))
		f |= PTE_NX;
	if (RID_TYPE(rid) == RT_VUSPACE)
		f |= PTE_U;
	return f;
}

static void note_mapped(struct vattach *a, uint64_t off)
{
	if (a->lo == a->hi) {
		a->lo = off;
		a->hi = off + PAGE_SIZE;
	} else if (off < a->lo) {
		a->lo = off;
	} else if (off + PAGE_SIZE > a->hi) {
		a->hi = off + PAGE_SIZE;
	}
}

void vattach_note_mapped(rid_t rid, uint64_t va)
{
	struct vattach *a = get(rid);
	if (a && va >= a->addr && va < a->addr + a->size)
		note_mapped(a, (va - a->addr) & ~(PAGE_SIZE - 1));
}

/* Unmap what may be mapped of [from, to): only the part where pages were ever mapped, so a
 * large, mostly untouched region (a heap, a stack) costs little to detach or move. */
static void unmap_range(struct vattach *a, uint64_t from, uint64_t to)
{
	uint64_t lo = a->addr + a->lo, hi = a->addr + a->hi;
	if (from < lo)
		from = lo;
	if (to > hi)
		to = hi;
	if (from < to)
		pt_unmap_range(vspace_root(a->space), from, to - from);
	if (from <= lo && to >= hi)
		a->lo = a->hi = 0;
}

uint64_t vattach_cow_flags(uint64_t flags, bool cow)
{
	return cow && (flags & PTE_W) ? (flags & ~PTE_W) | PTE_COW : flags;
}

struct map_ctx {
	uint64_t root, addr, flags;
	struct vattach *att;
};

static int map_one(void *c, uint64_t idx, uint64_t pa, bool cow)
{
	struct map_ctx *m = c;
	note_mapped(m->att, idx * PAGE_SIZE);
	return pt_map(m->root, m->addr + idx * PAGE_SIZE, pa, vattach_cow_flags(m->flags, cow));
}

/* hot_only: only the pages some process has touched before, what is likely to be used again */
static int map_pages(rid_t rid, bool hot_only)
{
	struct vattach *a = get(rid);
	struct map_ctx m = { vspace_root(a->space), a->addr, vattach_pte_flags(rid, false), a };
	if (vregion_for_each_mapping(a->region, hot_only, map_one, &m)) {
		unmap_range(a, a->addr, a->addr + a->size);
		return -ENOMEM;
	}
	return 0;
}

static int map_hot(rid_t rid)
{
	return map_pages(rid, true);
}

static int map_resident(rid_t rid)
{
	return map_pages(rid, false);
}

enum map_policy { MAP_ALL, MAP_HOT, MAP_NONE };

static int map_now(rid_t rid, enum map_policy policy)
{
	if (policy == MAP_NONE)
		return 0;
	return policy == MAP_ALL ? map_resident(rid) : map_hot(rid);
}

static int attach(rid_t space, rid_t region, uint64_t addr, bool user, const struct cred *owner,
		  enum map_policy policy, rid_t *out)
{
	uint64_t size = vregion_size(region);
	int err;
	if ((err = res_validate(space, RT_VSPACE)) || (err = res_validate(region, RT_VREGION)))
		return err;
	if ((addr & (PAGE_SIZE - 1)) || addr + size < addr ||
	    (user ? addr + size > USER_TOP : addr < PHYS_BASE))
		return -EINVAL;
	if (vspace_overlaps(space, addr, size))
		return -EEXIST;
	rid_t rid;
	if ((err = res_alloc(user ? RT_VUSPACE : RT_VKSPACE, "", owner, TMODE_DEFAULT, &rid)))
		return err;
	struct vattach *a = get(rid);
	*a = (struct vattach){ .hdr = a->hdr, .space = space, .region = region, .addr = addr,
			       .size = size };
	if ((err = vspace_add_att(space, rid)))
		goto fail;
	if ((err = map_now(rid, policy))) {
		vspace_remove_att(space, rid);
		goto fail;
	}
	vregion_ref(region, 1);
	*out = rid;
	return 0;
fail:
	res_free(rid);
	return err;
}

int vattach_create(rid_t space, rid_t region, uint64_t addr, bool user, const struct cred *owner,
		   rid_t *out)
{
	return attach(space, region, addr, user, owner, MAP_ALL, out);
}

int vattach_create_hot(rid_t space, rid_t region, uint64_t addr, const struct cred *owner,
		       rid_t *out)
{
	return attach(space, region, addr, true, owner, MAP_HOT, out);
}

int vattach_create_lazy(rid_t space, rid_t region, uint64_t addr, const struct cred *owner,
			rid_t *out)
{
	return attach(space, region, addr, true, owner, MAP_NONE, out);
}

int vattach_delete(rid_t rid)
{
	struct vattach *a = get(rid);
	if (!a)
		return -ESTALE;
	unmap_range(a, a->addr, a->addr + a->size);
	vspace_remove_att(a->space, rid);
	vregion_ref(a->region, -1);
	res_free(rid);
	return 0;
}

void vattach_move(rid_t rid, rid_t space)
{
	struct vattach *a = get(rid);
	assert(a && a->space != space);
	unmap_range(a, a->addr, a->addr + a->size);
	vspace_remove_att(a->space, rid);
	if (vspace_add_att(space, rid))
		panic("vattach_move: no room in the target space (checked before)");
	a->space = space;
}

bool vattach_standalone(rid_t rid)
{
	struct vattach *a = get(rid);
	return a && a->standalone;
}

void vattach_set_standalone(rid_t rid)
{
	struct vattach *a = get(rid);
	if (a)
		a->standalone = true;
}

void vattach_resize(rid_t rid, uint64_t size)
{
	struct vattach *a = get(rid);
	if (a)
		a->size = size;
}

rid_t vattach_region(rid_t rid)
{
	struct vattach *a = get(rid);
	return a ? a->region : 0;
}

rid_t vattach_space(rid_t rid)
{
	struct vattach *a = get(rid);
	return a ? a->space : 0;
}

uint64_t vattach_addr(rid_t rid)
{
	struct vattach *a = get(rid);
	return a ? a->addr : 0;
}

uint64_t vattach_size(rid_t rid)
{
	struct vattach *a = get(rid);
	return a ? a->size : 0;
}

bool vattach_range(rid_t rid, uint64_t *addr, uint64_t *size)
{
	struct vattach *a = get(rid);
	*addr = a ? a->addr : 0;
	*size = a ? a->size : 0;
	return a != NULL;
}

bool vattach_user(rid_t rid)
{
	return RID_TYPE(rid) == RT_VUSPACE && get(rid);
}

void vattach_reprotect(rid_t rid, uint64_t addr, uint64_t len, uint32_t prot)
{
	struct vattach *a = get(rid);
	uint64_t root = vspace_root(a->space);
	uint64_t f = (prot & VR_W ? PTE_W : 0) | (prot & VR_X ? 0 : PTE_NX) |
		     (RID_TYPE(rid) == RT_VUSPACE ? PTE_U : 0);
	if (!prot) {
		pt_unmap_range(root, addr, len);
		return;
	}
	/* a shared page stays read-only however writable it is made: written, it is copied */
	for (uint64_t va = addr; va < addr + len; va += PAGE_SIZE) {
		bool cow = (f & PTE_W) && vregion_page_cow(a->region, (va - a->addr) / PAGE_SIZE);
		pt_protect(root, va, vattach_cow_flags(f, cow));
	}
}

void vattach_write_protect(rid_t rid)
{
	struct vattach *a = get(rid);
	if (a && a->lo != a->hi)
		pt_cow_range(vspace_root(a->space), a->addr + a->lo, a->hi - a->lo);
}

int vattach_replace_region(rid_t rid, rid_t region)
{
	struct vattach *a = get(rid);
	if (!a || vregion_size(region) != a->size)
		return -EINVAL;
	unmap_range(a, a->addr, a->addr + a->size);
	vregion_ref(a->region, -1);
	a->region = region;
	vregion_ref(region, 1);
	return map_resident(rid);
}

/* A kernel write copied page idx of region (it was shared): no attachment may keep mapping
 * the old page. Rare (the kernel writes regions before they are attached), so a scan does. */
static void unmap_moved_page(rid_t region, uint64_t idx)
{
	static const enum t_res_type types[] = { RT_VUSPACE, RT_VKSPACE };
	for (int t = 0; t < 2; t++) {
		struct vattach *a;
		for (uint32_t i = 0; (a = res_iter(types[t], &i));)
			if (a->region == region && idx * PAGE_SIZE < a->size)
				pt_unmap(vspace_root(a->space), a->addr + idx * PAGE_SIZE);
	}
}
