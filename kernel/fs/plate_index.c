/* The plate table's indexes (plate_int.h): paths to plates through a hash whose chains run
 * through the plates themselves, so a lookup costs the same with 10 plates or 100 000; every
 * directory's list of its children (slot numbers of the first child and of the siblings), so
 * "has it children", listings, renames of a subtree and the eviction of leaves need no scan of
 * the table; and freeing a plate out of all of them. */
#include "kernel/fs/plate_int.h"
#include "kernel/lib/idhash.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

/* Paths are found through a hash index (kernel/lib/idhash.h) whose chains run through the
 * plates themselves, and pl_set_path keeps it exact: a lookup costs the same with 10 plates or
 * 100 000. */
static struct idhash path_index;
uint32_t pl_names_gen;



static uint32_t *path_link(void *ctx, uint32_t id)
{
	(void)ctx;
	return &pl_slot(id)->hnext;
}

static uint32_t path_hash_of(void *ctx, uint32_t id)
{
	(void)ctx;
	return pl_slot(id)->phash;
}

void pl_index_init(void)
{
	if (idhash_init(&path_index, 1024, pl_pow2_floor(plate_capacity / 2), path_link,
			path_hash_of, NULL))
		panic("%s: no memory for the path index", __func__);
}

static bool slot_is(const struct plate *p, const char *abs_path)
{
	return p->hdr.rid && !(p->flags & PF_UNLINKED) && strcmp(p->path, abs_path) == 0;
}

static void unhash(struct plate *p)
{
	if (!p->hashed)
		return;
	if (!idhash_del(&path_index, pl_ref(p) - 1, p->phash))
		panic("unhash: plate %s missing from its bucket", p->path);
	p->hashed = false;
}

void pl_set_path(struct plate *p, const char *path)
{
	unhash(p);
	strlcpy(p->path, path, sizeof(p->path));
	p->name_off = (uint16_t)(path_basename(p->path) - p->path);
	p->name_len = (uint16_t)strlen(p->path + p->name_off);
	pl_names_gen++;
	if (!path[0])
		return;
	p->phash = idhash_str(path);
	p->hashed = true;
	idhash_add(&path_index, pl_ref(p) - 1, p->phash);
}

int pl_hash_find(const char *abs_path, rid_t *out)
{
	uint32_t h = idhash_str(abs_path);
	for (uint32_t i = idhash_first(&path_index, h); i; i = idhash_next(&path_index, i - 1)) {
		struct plate *p = pl_slot(i - 1);
		if (p->phash == h && slot_is(p, abs_path)) {
			*out = p->hdr.rid;
			return 0;
		}
	}
	return pl_name_find(abs_path, out);         /* a further name (hard link) */
}

/* ---- the tree: every directory lists its children (slot references in the plates) ------- */

static struct plate *ref_plate(uint32_t ref)
{
	return ref ? pl_slot(ref - 1) : NULL;
}

static void unlink_child(struct plate *p)
{
	struct plate *dir = plate_obj(p->parent);
	if (p->sib_prev)
		pl_slot(p->sib_prev - 1)->sib_next = p->sib_next;
	else if (dir && dir->child == pl_ref(p))
		dir->child = p->sib_next;
	if (p->sib_next)
		pl_slot(p->sib_next - 1)->sib_prev = p->sib_prev;
	if (dir && dir->nchild)
		dir->nchild--;
	p->sib_prev = p->sib_next = 0;
}

void pl_set_parent(struct plate *p, rid_t parent)
{
	struct plate *dir;
	if (p->parent && p->parent != p->hdr.rid)
		unlink_child(p);
	p->parent = parent;
	if (!parent || parent == p->hdr.rid || !(dir = plate_obj(parent)))
		return;
	p->sib_next = dir->child;
	if (dir->child)
		pl_slot(dir->child - 1)->sib_prev = pl_ref(p);
	dir->child = pl_ref(p);
	dir->nchild++;
}

struct plate *pl_first_child(const struct plate *d)
{
	return ref_plate(d->child);
}

struct plate *pl_next_child(const struct plate *c)
{
	return ref_plate(c->sib_next);
}

bool pl_has_children(const struct plate *p)
{
	return p->nchild > 0;
}

static struct plate *deepest_first(struct plate *c)
{
	while (c->child)
		c = pl_slot(c->child - 1);
	return c;
}

struct plate *pl_below_first(struct plate *top)
{
	return deepest_first(top);
}

struct plate *pl_below_next(struct plate *top, struct plate *c)
{
	if (c == top)
		return NULL;
	if (c->sib_next)
		return deepest_first(pl_slot(c->sib_next - 1));
	return plate_obj(c->parent);
}

void pl_free(struct plate *p)
{
	/* children left behind (a mount's plates freed in any order) forget their directory */
	for (struct plate *c = pl_first_child(p), *n; c; c = n) {
		n = pl_next_child(c);
		c->sib_prev = c->sib_next = 0;
		c->parent = 0;
	}
	p->child = p->nchild = 0;
	pl_set_path(p, "");
	pl_set_parent(p, 0);
	if (p->flags & PF_DISK)
		pl_disk_unindex(p);
	res_free(p->hdr.rid);
}

void plate_trim(void)
{
	plate_dir_trim();
	idhash_trim(&path_index);
	pl_disk_trim();
	pl_name_trim();
}
