/* The plate table's indexes (plate_int.h): paths to plates through a hash whose chains run
 * through the plates themselves, so a lookup costs the same with 10 plates or 100 000; every
 * directory's list of its children (slot numbers of the first child and of the siblings), so
 * "has it children", listings, renames of a subtree and the eviction of leaves need no scan of
 * the table; and freeing a plate out of all of them. */
#include "kernel/fs/plate_int.h"
#include "kernel/lib/idhash.h"
#include "kernel/lib/kprintf.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"

/* Paths are found through a hash index (kernel/lib/idhash.h) whose chains run through the
 * plates themselves, and pl_place keeps it exact: a lookup costs the same with 10 plates or
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

/* FNV-1a (idhash_str) goes on from the hash of a prefix: a path's hash is its directory's
 * continued with "/name", and the hash of "" (the basis) stands in for "/". */
#define FNV_BASIS 2166136261u

static uint32_t fnv_more(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

uint32_t pl_child_hash(const struct plate *dir, const char *name, size_t n)
{
	uint32_t h = dir && dir->parent ? dir->phash : FNV_BASIS;
	return fnv_more(fnv_more(h, "/", 1), name, n);
}

bool pl_is_prefix(const struct plate *p, const char *path, size_t end)
{
	for (; p && p->parent; p = plate_obj(p->parent)) {
		size_t n = p->name_len;
		if (end < n + 1 || path[end - n - 1] != '/' || memcmp(path + end - n, p->name, n))
			return false;
		end -= n + 1;
	}
	return p && !p->name[0] && !(p->flags & PF_UNLINKED) && end == 0;
}

bool pl_path_is(const struct plate *p, const char *path)
{
	if (!p->parent)
		return !p->name[0] && !(p->flags & PF_UNLINKED) && !strcmp(path, "/");
	return pl_is_prefix(p, path, strlen(path));
}

size_t pl_path_len(const struct plate *p)
{
	size_t n = 0;
	for (; p && p->parent; p = plate_obj(p->parent))
		n += p->name_len + 1u;
	return n ? n : 1;
}

long pl_path_of(const struct plate *p, char *buf, size_t cap)
{
	if ((p->flags & PF_UNLINKED) || (!p->parent && p->name[0])) {
		buf[0] = '\0';
		return cap ? 0 : -ENAMETOOLONG;
	}
	size_t len = pl_path_len(p), end = len;
	if (len + 1 > cap)
		return -ENAMETOOLONG;
	buf[0] = '/';
	buf[len] = '\0';
	for (; p && p->parent; p = plate_obj(p->parent)) {
		end -= p->name_len;
		memcpy(buf + end, p->name, p->name_len);
		buf[--end] = '/';
	}
	return (long)len;
}

static bool slot_is(const struct plate *p, const char *abs_path)
{
	return p->hdr.rid && !(p->flags & PF_UNLINKED) && pl_path_is(p, abs_path);
}

static void unhash(struct plate *p)
{
	if (!p->hashed)
		return;
	if (!idhash_del(&path_index, pl_ref(p) - 1, p->phash))
		panic("unhash: plate %s missing from its bucket", p->name);
	p->hashed = false;
}

static void rehash(struct plate *p)
{
	unhash(p);
	p->phash = p->parent ? pl_child_hash(plate_obj(p->parent), p->name, p->name_len)
			     : idhash_str("/");
	p->hashed = true;
	idhash_add(&path_index, pl_ref(p) - 1, p->phash);
}

/* The plates below top in pre-order (a directory before its children): their hashes are
 * computed from their directory's. */
static struct plate *pre_next(const struct plate *top, struct plate *c)
{
	if (c->child)
		return pl_slot(c->child - 1);
	while (c != top && !c->sib_next)
		c = plate_obj(c->parent);
	return c == top ? NULL : pl_slot(c->sib_next - 1);
}

void pl_place(struct plate *p, rid_t parent, const char *name)
{
	size_t n = strnlen(name, NAME_MAX_LEN);
	memcpy(p->name, name, n);
	p->name[n] = '\0';
	p->name_len = (uint16_t)n;
	pl_set_parent(p, parent);
	pl_names_gen++;
	rehash(p);
	for (struct plate *c = pre_next(p, p); c; c = pre_next(p, c))
		if (c->hashed)
			rehash(c);
	pl_name_rehash_below(p);
}

void pl_unname(struct plate *p)
{
	unhash(p);
	p->name[0] = '\0';
	p->name_len = 0;
	pl_set_parent(p, 0);
	pl_names_gen++;
}

int pl_hash_find_child(const struct plate *dir, const char *name, size_t n, rid_t *out)
{
	uint32_t h = pl_child_hash(dir, name, n);
	for (uint32_t i = idhash_first(&path_index, h); i; i = idhash_next(&path_index, i - 1)) {
		struct plate *p = pl_slot(i - 1);
		if (p->phash == h && p->hdr.rid && !(p->flags & PF_UNLINKED) &&
		    p->parent == dir->hdr.rid && p->name_len == n && !memcmp(p->name, name, n)) {
			*out = p->hdr.rid;
			return 0;
		}
	}
	return -ENOENT;
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
	pl_unname(p);
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
