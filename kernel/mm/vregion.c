/* Virtual regions (see vregion.h). The page list is a two-level radix table kept in physical
 * pages: a root of 512 leaf pointers, each leaf 512 page addresses (1 GiB at most). */
#include "kernel/mm/vregion.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uva.h"
#include "kernel/res/reuse.h"

struct vregion {
	struct res_hdr hdr;
	uint64_t size;
	uint32_t kind;
	uint32_t prot;
	uint32_t nattach;
	uint32_t pins;
	uint64_t resident;
	uint64_t pv_root;     /* physical address of the radix root page */
	uint64_t home;        /* reserved system-wide address, 0 if none */
};

static struct res_table region_table;

static struct vregion *get(rid_t rid)
{
	return res_obj(rid, RT_VREGION);
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct vregion *r = get(rid);
	info->v[0] = r->size;
	info->v[1] = r->resident;
	info->v[2] = r->kind;
	info->v[3] = r->nattach;
	info->v[4] = r->pins;
	info->v[5] = r->home;
}

static int destroy(rid_t rid)
{
	return vregion_delete(rid);
}

static const struct res_ops region_ops = { .describe = describe, .destroy = destroy };

void vregion_init(void)
{
	region_table = (struct res_table){
					   .stride = sizeof(struct vregion),
					   .capacity = NVREGION, .ops = &region_ops };
	res_register(RT_VREGION, &region_table);
}

int vregion_create(uint64_t size, uint32_t kind, uint32_t prot, const char *name,
		   const struct cred *owner, rid_t *out)
{
	if (!size || (size & (PAGE_SIZE - 1)) || size > VREGION_MAX_SIZE)
		return -EINVAL;
	uint64_t root = pmm_alloc();
	if (!root)
		return -ENOMEM;
	rid_t rid;
	int err = res_alloc(RT_VREGION, name, owner, TMODE_DEFAULT, &rid);
	if (err) {
		pmm_free(root);
		return err;
	}
	struct vregion *r = get(rid);
	r->size = size;
	r->kind = kind;
	r->prot = prot;
	r->pv_root = root;
	*out = rid;
	return 0;
}

/* A page-list entry is the page's physical address; its low bits (free: pages are aligned)
 * carry flags. HOT: the page was mapped on a fault once, i.e. some process really used it.
 * COW: the page is (or was) shared with another region (fork, a private copy of shared text):
 * it is mapped read-only and copied before anyone writes it while another holder remains
 * (pmm_refs > 1); the last holder just takes it back. */
#define ENTRY_HOT 1ul
#define ENTRY_COW 2ul
#define ENTRY_PA(e) ((e) & ~(PAGE_SIZE - 1))

static void (*moved_hook)(rid_t region, uint64_t idx);

static uint64_t *slot(struct vregion *r, uint64_t idx, bool alloc)
{
	uint64_t *root = phys_to_virt(r->pv_root);
	uint64_t *leaf = &root[idx / 512];
	if (!*leaf) {
		if (!alloc || !(*leaf = pmm_alloc()))
			return NULL;
	}
	return (uint64_t *)phys_to_virt(*leaf) + idx % 512;
}

uint64_t vregion_page(rid_t rid, uint64_t idx, bool alloc)
{
	struct vregion *r = get(rid);
	if (!r || idx >= r->size / PAGE_SIZE)
		return 0;
	uint64_t *s = slot(r, idx, alloc);
	if (!s)
		return 0;
	if (!*s && alloc) {
		if (!(*s = pmm_alloc()))
			return 0;
		r->resident++;
	}
	return ENTRY_PA(*s);
}

int vregion_set_page(rid_t rid, uint64_t idx, uint64_t pa)
{
	struct vregion *r = get(rid);
	if (!r || idx >= r->size / PAGE_SIZE)
		return -EINVAL;
	uint64_t *s = slot(r, idx, true);
	if (!s)
		return -ENOMEM;
	if (*s)
		return -EEXIST;
	pmm_share(pa);
	*s = pa;
	r->resident++;
	return 0;
}

/* Give page idx (slot s) a copy of its own if it is shared; *moved: a new page took its place. */
static int unshare(struct vregion *r, uint64_t *s, bool *moved)
{
	*moved = false;
	if (!(*s & ENTRY_COW))
		return 0;
	uint64_t old = ENTRY_PA(*s);
	if (pmm_refs(old) > 1) {
		uint64_t pa = pmm_alloc_dirty();
		if (!pa)
			return -ENOMEM;
		memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
		(r->prot & VR_X ? pmm_free_cold : pmm_free)(old);     /* one holder fewer */
		*s = pa | (*s & ENTRY_HOT);
		*moved = true;
		return 0;
	}
	*s &= ~ENTRY_COW;                         /* the others have let go: it is ours again */
	return 0;
}

int vregion_page_for_write(rid_t rid, uint64_t idx, uint64_t *pa, bool *moved)
{
	struct vregion *r = get(rid);
	if (!r || idx >= r->size / PAGE_SIZE)
		return -EINVAL;
	uint64_t *s = slot(r, idx, true);
	if (!s)
		return -ENOMEM;
	*moved = false;
	if (!*s) {
		if (!(*s = pmm_alloc()))
			return -ENOMEM;
		r->resident++;
	}
	int err = unshare(r, s, moved);
	*pa = ENTRY_PA(*s);
	return err;
}

bool vregion_page_cow(rid_t rid, uint64_t idx)
{
	struct vregion *r = get(rid);
	uint64_t *s = r && idx < r->size / PAGE_SIZE ? slot(r, idx, false) : NULL;
	return s && (*s & ENTRY_COW);
}

void vregion_set_moved_hook(void (*hook)(rid_t region, uint64_t idx))
{
	moved_hook = hook;
}

/* Call fn(ctx, idx, entry) for every resident page (the hot ones only if hot_only). */
static int for_each(rid_t rid, bool hot_only, int (*fn)(void *ctx, uint64_t idx, uint64_t e),
		    void *ctx)
{
	struct vregion *r = get(rid);
	if (!r)
		return -ESTALE;
	uint64_t *root = phys_to_virt(r->pv_root);
	uint64_t npages = r->size / PAGE_SIZE;
	for (uint64_t i = 0; i < 512 && i * 512 < npages; i++) {
		if (!root[i])
			continue;
		uint64_t *leaf = phys_to_virt(root[i]);
		for (uint64_t j = 0; j < 512 && i * 512 + j < npages; j++) {
			int err = leaf[j] && (!hot_only || (leaf[j] & ENTRY_HOT))
					  ? fn(ctx, i * 512 + j, leaf[j]) : 0;
			if (err)
				return err;
		}
	}
	return 0;
}

/* The public iterators' callbacks, called with the entry's parts. */
struct iter {
	int (*page)(void *ctx, uint64_t idx, uint64_t pa);
	int (*mapping)(void *ctx, uint64_t idx, uint64_t pa, bool cow);
	void *ctx;
};

static int call_page(void *c, uint64_t idx, uint64_t e)
{
	struct iter *it = c;
	return it->page(it->ctx, idx, ENTRY_PA(e));
}

static int call_mapping(void *c, uint64_t idx, uint64_t e)
{
	struct iter *it = c;
	return it->mapping(it->ctx, idx, ENTRY_PA(e), e & ENTRY_COW);
}

int vregion_for_each_page(rid_t rid, int (*fn)(void *ctx, uint64_t idx, uint64_t pa), void *ctx)
{
	struct iter it = { .page = fn, .ctx = ctx };
	return for_each(rid, false, call_page, &it);
}

int vregion_for_each_hot_page(rid_t rid, int (*fn)(void *ctx, uint64_t idx, uint64_t pa),
			      void *ctx)
{
	struct iter it = { .page = fn, .ctx = ctx };
	return for_each(rid, true, call_page, &it);
}

int vregion_for_each_mapping(rid_t rid, bool hot_only,
			     int (*fn)(void *ctx, uint64_t idx, uint64_t pa, bool cow), void *ctx)
{
	struct iter it = { .mapping = fn, .ctx = ctx };
	return for_each(rid, hot_only, call_mapping, &it);
}

void vregion_mark_hot(rid_t rid, uint64_t idx)
{
	struct vregion *r = get(rid);
	uint64_t *s = r && idx < r->size / PAGE_SIZE ? slot(r, idx, false) : NULL;
	if (s && *s)
		*s |= ENTRY_HOT;
}

int vregion_write(rid_t rid, uint64_t off, const void *src, uint64_t n)
{
	struct vregion *r = get(rid);
	if (!r || off + n > r->size || off + n < off)
		return -EINVAL;
	const char *s = src;
	while (n) {
		uint64_t pa;
		bool moved;
		int err = vregion_page_for_write(rid, off / PAGE_SIZE, &pa, &moved);
		if (err)
			return err;
		if (moved && r->nattach && moved_hook)
			moved_hook(rid, off / PAGE_SIZE);    /* mappings of the old page go */
		uint64_t in = off % PAGE_SIZE, k = PAGE_SIZE - in < n ? PAGE_SIZE - in : n;
		memcpy((char *)phys_to_virt(pa) + in, s, k);
		s += k, off += k, n -= k;
	}
	return 0;
}

uint64_t vregion_size(rid_t rid)
{
	struct vregion *r = get(rid);
	return r ? r->size : 0;
}

int vregion_make_home(rid_t rid)
{
	struct vregion *r = get(rid);
	if (!r)
		return -ESTALE;
	return r->home ? -EEXIST : uva_alloc(r->size, PAGE_SIZE, &r->home);
}

uint64_t vregion_home(rid_t rid)
{
	struct vregion *r = get(rid);
	return r ? r->home : 0;
}

uint32_t vregion_kind(rid_t rid)
{
	struct vregion *r = get(rid);
	return r ? r->kind : TRK_OTHER;
}

uint32_t vregion_prot(rid_t rid)
{
	struct vregion *r = get(rid);
	return r ? r->prot : 0;
}

void vregion_set_prot(rid_t rid, uint32_t prot)
{
	struct vregion *r = get(rid);
	if (r)
		r->prot = prot;
}

int vregion_split(rid_t rid, uint64_t off, const struct cred *owner, rid_t *tail)
{
	struct vregion *r = get(rid);
	if (!r || !off || off >= r->size || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	int err = vregion_create(r->size - off, r->kind, r->prot, r->hdr.name, owner, tail);
	if (err)
		return err;
	struct vregion *t = get(*tail);
	uint64_t first = off / PAGE_SIZE, n = r->size / PAGE_SIZE;
	/* the tail's page list first, so that moving the pages cannot fail halfway */
	for (uint64_t i = first; i < n; i++) {
		uint64_t *from = slot(r, i, false);
		if (from && *from && !slot(t, i - first, true)) {
			vregion_delete(*tail);
			return -ENOMEM;
		}
	}
	for (uint64_t i = first; i < n; i++) {
		uint64_t *from = slot(r, i, false);
		if (!from || !*from)
			continue;
		*slot(t, i - first, false) = *from;
		*from = 0;
		r->resident--;
		t->resident++;
	}
	r->size = off;
	return 0;
}

void vregion_unsplit(rid_t rid, rid_t tail)
{
	struct vregion *r = get(rid), *t = get(tail);
	uint64_t first = r->size / PAGE_SIZE;
	for (uint64_t i = 0; i < t->size / PAGE_SIZE; i++) {
		uint64_t *from = slot(t, i, false);
		if (!from || !*from)
			continue;
		uint64_t *to = slot(r, first + i, false);   /* the split emptied it, not freed it */
		assert(to);
		*to = *from;
		*from = 0;
		t->resident--;
		r->resident++;
	}
	r->size += t->size;
	vregion_delete(tail);
}

static int copy_page(void *c, uint64_t idx, uint64_t e)
{
	rid_t to = *(rid_t *)c;
	uint64_t dst;
	bool moved;
	int err = vregion_page_for_write(to, idx, &dst, &moved);
	if (err)
		return err;
	if (moved && vregion_nattach(to) && moved_hook)
		moved_hook(to, idx);
	memcpy(phys_to_virt(dst), phys_to_virt(ENTRY_PA(e)), PAGE_SIZE);
	return 0;
}

int vregion_copy(rid_t from, rid_t to)
{
	if (vregion_size(from) != vregion_size(to))
		return -EINVAL;
	return for_each(from, false, copy_page, &to);
}

/* Share the resident pages of leaf li of f with t (whose leaf is allocated here). */
static int share_leaf(struct vregion *f, struct vregion *t, uint64_t li)
{
	uint64_t *froot = phys_to_virt(f->pv_root), *troot = phys_to_virt(t->pv_root);
	if (!troot[li] && !(troot[li] = pmm_alloc()))
		return -ENOMEM;
	uint64_t *from = phys_to_virt(froot[li]), *to = phys_to_virt(troot[li]);
	for (int j = 0; j < 512; j++) {
		if (!from[j])
			continue;
		from[j] |= ENTRY_COW;
		to[j] = from[j];
		pmm_share(ENTRY_PA(from[j]));
		t->resident++;
	}
	return 0;
}

int vregion_share(rid_t from, rid_t to)
{
	struct vregion *f = get(from), *t = get(to);
	if (!f || !t || f->size != t->size || t->resident)
		return -EINVAL;
	uint64_t *root = phys_to_virt(f->pv_root);
	for (uint64_t i = 0; i < 512 && i * 512 < f->size / PAGE_SIZE; i++) {
		int err = root[i] ? share_leaf(f, t, i) : 0;
		if (err)
			return err;
	}
	return 0;
}

/* Let go of a page still shared with another region (it reads as zero when touched). */
static int drop_shared_page(void *c, uint64_t idx, uint64_t e)
{
	struct vregion *r = c;
	if ((e & ENTRY_COW) && pmm_refs(ENTRY_PA(e)) > 1) {
		*slot(r, idx, false) = 0;
		r->resident--;
		(r->prot & VR_X ? pmm_free_cold : pmm_free)(ENTRY_PA(e));
	}
	return 0;
}

/* Zero a page for reuse; a shared one is let go instead (it reads as zero when touched). */
static int zero_page(void *c, uint64_t idx, uint64_t e)
{
	struct vregion *r = c;
	if ((e & ENTRY_COW) && pmm_refs(ENTRY_PA(e)) > 1)
		return drop_shared_page(c, idx, e);
	*slot(r, idx, false) = e & ~ENTRY_COW;
	memset(phys_to_virt(ENTRY_PA(e)), 0, PAGE_SIZE);
	return 0;
}

void vregion_zero(rid_t rid)
{
	for_each(rid, false, zero_page, get(rid));
}

void vregion_drop_shared(rid_t rid)
{
	for_each(rid, false, drop_shared_page, get(rid));
}

void vregion_discard(rid_t rid, uint64_t off, uint64_t len)
{
	struct vregion *r = get(rid);
	for (uint64_t i = off / PAGE_SIZE; r && i < (off + len) / PAGE_SIZE; i++) {
		uint64_t *s = slot(r, i, false);
		if (s && *s) {
			pmm_free(ENTRY_PA(*s));       /* another holder keeps a shared page */
			*s = 0;
			r->resident--;
		}
	}
}

void vregion_ref(rid_t rid, int delta)
{
	struct vregion *r = get(rid);
	assert(r && (delta > 0 || r->nattach > 0));
	r->nattach += delta;
}

void vregion_pin(rid_t rid, int delta)
{
	struct vregion *r = get(rid);
	assert(r && (delta > 0 || r->pins > 0));
	r->pins += delta;
}

uint32_t vregion_nattach(rid_t rid)
{
	struct vregion *r = get(rid);
	return r ? r->nattach : 0;
}

uint32_t vregion_pins(rid_t rid)
{
	struct vregion *r = get(rid);
	return r ? r->pins : 0;
}

uint64_t vregion_resident(rid_t rid)
{
	struct vregion *r = get(rid);
	return r ? r->resident : 0;
}

int vregion_create_like(rid_t rid, const struct cred *owner, rid_t *out)
{
	struct vregion *r = get(rid);
	if (!r)
		return -ESTALE;
	return vregion_create(r->size, r->kind, r->prot, r->hdr.name, owner, out);
}

int vregion_delete(rid_t rid)
{
	struct vregion *r = get(rid);
	if (!r)
		return -ESTALE;
	if (r->nattach || r->pins)
		return -EBUSY;
	reuse_forget(rid);          /* deleted while held for reuse (a user's t_res_delete) */
	uint64_t *root = phys_to_virt(r->pv_root);
	for (int i = 0; i < 512; i++) {
		if (!root[i])
			continue;
		uint64_t *leaf = phys_to_virt(root[i]);
		for (int j = 0; j < 512; j++)
			if (leaf[j])
				(r->prot & VR_X ? pmm_free_cold : pmm_free)(ENTRY_PA(leaf[j]));
		pmm_free(root[i]);
	}
	pmm_free(r->pv_root);
	if (r->home)
		uva_free(r->home, r->size);
	res_free(rid);
	return 0;
}
