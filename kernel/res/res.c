/* The uniform resource interface over the per-type tables (see res.h). */
#include "kernel/res/res.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

static struct res_table *tables[RT_NTYPES];

#define PAGE_BYTES 4096ul

/* Directories of the growing tables, carved at registration (a few thousand chunks in all:
 * the plate table alone has about 2900 on a 256 MiB machine). */
#define DIR_POOL 8192
#define CHUNK_MIN_ENTRIES 8        /* a chunk holds at least this many entries */
static struct res_chunk dir_pool[DIR_POOL];
static uint32_t dir_used;

static void setup_growing(struct res_table *t)
{
	size_t min = t->chunk_min ? t->chunk_min : CHUNK_MIN_ENTRIES;
	size_t bytes = (t->stride * min + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
	t->chunk_bytes = bytes;
	t->chunk_entries = (uint32_t)(bytes / t->stride);
	t->nchunks = (t->capacity + t->chunk_entries - 1) / t->chunk_entries;
	if (dir_used + t->nchunks <= DIR_POOL) {
		t->dir = &dir_pool[dir_used];
		dir_used += t->nchunks;
	} else {
		/* a table as large as memory (the plates) has a directory of its own */
		size_t dbytes = t->nchunks * sizeof(t->dir[0]);
		t->dir = res_mem_reserve(dbytes);
		if (!t->dir || res_mem_map(t->dir, dbytes))
			panic("res_register: no directory room for table %s", t->name);
	}
	memset(t->dir, 0, t->nchunks * sizeof(t->dir[0]));
	t->first_open = 0;
	t->spare = -1;
	t->window = res_mem_reserve(t->nchunks * bytes);
}

static const char *const type_names[RT_NTYPES] = {
#define RESTYPE(name, nr, str) [RT_##name] = str,
#include "abi/restypes.def"
#undef RESTYPE
};

void res_register(enum t_res_type type, struct res_table *t)
{
	assert(type > RT_NONE && type < RT_NTYPES && !tables[type]);
	assert(t->stride >= sizeof(struct res_hdr));
	t->name = type_names[type];
	t->live = 0;
	t->next_hint = 0;
	if (!t->base)
		setup_growing(t);
	tables[type] = t;
}

const char *res_type_name(uint32_t type)
{
	if (type >= RT_NTYPES || !tables[type])
		return "?";
	return tables[type]->name;
}

/* Slot idx (< capacity) of a fixed table, or of a mapped chunk of a growing one; else NULL. */
static struct res_hdr *slot(struct res_table *t, uint32_t idx)
{
	if (t->base)
		return (struct res_hdr *)((char *)t->base + (size_t)idx * t->stride);
	uint32_t c = idx / t->chunk_entries;
	if (!t->dir[c].mapped)
		return NULL;
	return (struct res_hdr *)(t->window + c * t->chunk_bytes +
				  (size_t)(idx % t->chunk_entries) * t->stride);
}

/* Entries in chunk c (the last chunk may be short). */
static uint32_t chunk_size(const struct res_table *t, uint32_t c)
{
	uint32_t first = c * t->chunk_entries;
	return t->capacity - first < t->chunk_entries ? t->capacity - first : t->chunk_entries;
}

/* Map chunk c and mark its slots free; every slot's generation starts above any the chunk
 * had before, so no id handed out earlier can name a new entry. */
static int map_chunk(struct res_table *t, uint32_t c)
{
	char *mem = t->window + c * t->chunk_bytes;
	int err = res_mem_map(mem, t->chunk_bytes);
	if (err)
		return err;
	t->dir[c].mapped = true;
	for (uint32_t i = 0; i < chunk_size(t, c); i++) {
		struct res_hdr *h = (struct res_hdr *)(mem + (size_t)i * t->stride);
		h->rid = 0;
		h->gen = t->dir[c].gen_floor;
	}
	return 0;
}

static void unmap_chunk(struct res_table *t, uint32_t c)
{
	res_mem_unmap(t->window + c * t->chunk_bytes, t->chunk_bytes);
	t->dir[c].mapped = false;
}

/* Fill a free slot as a new entry of type. */
static rid_t take_slot(struct res_table *t, enum t_res_type type, struct res_hdr *h, uint32_t idx,
		       const char *name, const struct cred *owner, uint32_t mode)
{
	uint32_t gen = (h->gen + 1) & 0xffffff;
	if (!gen)
		gen = 1;
	memset(h, 0, t->stride);
	h->gen = gen;
	h->rid = RID_MAKE(type, gen, idx);
	h->owner = owner ? owner->uid : 0;
	h->group = owner ? owner->gid : 0;
	h->mode = mode;
	strlcpy(h->name, name ? name : "", sizeof(h->name));
	t->live++;
	return h->rid;
}

/* The lowest free slot of a growing table, mapping its chunk if needed: an index, -ENFILE
 * when the table is at capacity, -ENOMEM when a chunk cannot be mapped. */
static int64_t find_free_growing(struct res_table *t)
{
	for (uint32_t c = t->first_open; c < t->nchunks; c++) {
		uint32_t n = chunk_size(t, c);
		if (t->dir[c].live == n)
			continue;
		t->first_open = c;
		int err = t->dir[c].mapped ? 0 : map_chunk(t, c);
		if (err)
			return err;
		if (t->spare == (int32_t)c)
			t->spare = -1;                     /* in use again */
		for (uint32_t i = 0; i < n; i++) {
			uint32_t idx = c * t->chunk_entries + i;
			if (!((struct res_hdr *)(t->window + c * t->chunk_bytes +
						 (size_t)i * t->stride))->rid)
				return idx;
		}
		panic("res_alloc: chunk %u of %s counts %u live of %u, yet none is free", c,
		      t->name, t->dir[c].live, n);
	}
	t->first_open = t->nchunks;
	return -ENFILE;
}

static int64_t find_free_fixed(struct res_table *t)
{
	for (uint32_t n = 0; n < t->capacity; n++) {
		uint32_t idx = (t->next_hint + n) % t->capacity;
		if (!slot(t, idx)->rid) {
			t->next_hint = (idx + 1) % t->capacity;
			return idx;
		}
	}
	return -ENFILE;
}

/* Slots of every table kept for root (and the kernel): users other than root together may
 * not take the last eighth, so that a user who floods a table (processes, spaces, regions,
 * files...) cannot keep root from starting a program. Every kernel table has 32 slots or
 * more, so at least 4 are kept. */
static bool kept_for_root(const struct res_table *t, const struct cred *owner)
{
	return owner && owner->uid != 0 && t->live + t->capacity / 8 >= t->capacity &&
	       t->capacity / 8;
}

int res_alloc(enum t_res_type type, const char *name, const struct cred *owner, uint32_t mode,
	      rid_t *out)
{
	struct res_table *t = type < RT_NTYPES ? tables[type] : NULL;
	assert(t);
	if (kept_for_root(t, owner))
		return -EAGAIN;
	int64_t idx = t->base ? find_free_fixed(t) : find_free_growing(t);
	if (idx < 0)
		return (int)idx;
	if (!t->base)
		t->dir[idx / t->chunk_entries].live++;
	*out = take_slot(t, type, slot(t, (uint32_t)idx), (uint32_t)idx, name, owner, mode);
	return 0;
}

struct res_hdr *res_hdr(rid_t rid)
{
	uint32_t type = RID_TYPE(rid);
	if (type == RT_NONE || type >= RT_NTYPES || !tables[type])
		return NULL;
	struct res_table *t = tables[type];
	if (RID_INDEX(rid) >= t->capacity)
		return NULL;
	struct res_hdr *h = slot(t, RID_INDEX(rid));
	return h && h->rid == rid ? h : NULL;
}

void res_free(rid_t rid)
{
	struct res_hdr *h = res_hdr(rid);
	assert(h);
	struct res_table *t = tables[RID_TYPE(rid)];
	h->rid = 0;
	t->live--;
	if (t->base)
		return;
	uint32_t c = RID_INDEX(rid) / t->chunk_entries;
	struct res_chunk *d = &t->dir[c];
	if (h->gen > d->gen_floor)
		d->gen_floor = h->gen;
	if (c < t->first_open)
		t->first_open = c;
	if (--d->live == 0) {
		if (t->spare >= 0)
			unmap_chunk(t, (uint32_t)t->spare);
		t->spare = (int32_t)c;
	}
}

void res_trim(void)
{
	for (int ty = 1; ty < RT_NTYPES; ty++) {
		struct res_table *t = tables[ty];
		if (t && !t->base && t->spare >= 0) {
			unmap_chunk(t, (uint32_t)t->spare);
			t->spare = -1;
		}
	}
}

void *res_obj(rid_t rid, enum t_res_type type)
{
	if (RID_TYPE(rid) != (uint32_t)type)
		return NULL;
	return res_hdr(rid);
}

int res_validate(rid_t rid, enum t_res_type type)
{
	uint32_t t = RID_TYPE(rid);
	if (t == RT_NONE || t >= RT_NTYPES || !tables[t] || (type != RT_NONE && t != (uint32_t)type) ||
	    RID_INDEX(rid) >= tables[t]->capacity || RID_GEN(rid) == 0)
		return -EINVAL;
	return res_hdr(rid) ? 0 : -ESTALE;
}

bool cred_in_group(const struct cred *cred, uint32_t gid)
{
	if (cred->gid == gid)
		return true;
	for (uint32_t i = 0; i < cred->ngroups && i < CRED_NGROUPS; i++)
		if (cred->groups[i] == gid)
			return true;
	return false;
}

static uint32_t allowed_ops(const struct res_hdr *h, const struct cred *c)
{
	if (c->uid == h->owner)
		return TMODE_OWNER(h->mode);
	if (cred_in_group(c, h->group))
		return TMODE_GROUP(h->mode);
	return TMODE_OTHER(h->mode);
}

int res_check(rid_t rid, uint32_t op, const struct cred *cred)
{
	int err = res_validate(rid, RT_NONE);
	if (err)
		return err;
	if (!cred || cred->uid == 0)
		return 0;
	return (allowed_ops(res_hdr(rid), cred) & op) == op ? 0 : -EACCES;
}

int res_set_name(rid_t rid, const char *name)
{
	struct res_hdr *h = res_hdr(rid);
	if (!h)
		return -ESTALE;
	strlcpy(h->name, name, sizeof(h->name));
	return 0;
}

int res_reset_owner(rid_t rid, const struct cred *owner, uint32_t mode)
{
	struct res_hdr *h = res_hdr(rid);
	if (!h)
		return -ESTALE;
	h->owner = owner ? owner->uid : 0;
	h->group = owner ? owner->gid : 0;
	h->mode = mode;
	return 0;
}

/* The live entry of t with the lowest index >= *idx (NULL if none); *idx becomes its index.
 * Unmapped chunks are skipped whole. */
static struct res_hdr *next_live(struct res_table *t, uint32_t *idx)
{
	for (uint32_t i = *idx; i < t->capacity; i++) {
		if (!t->base && !t->dir[i / t->chunk_entries].live) {   /* nothing live there */
			i = (i / t->chunk_entries + 1) * t->chunk_entries - 1;
			continue;
		}
		struct res_hdr *h = slot(t, i);
		if (h->rid) {
			*idx = i;
			return h;
		}
	}
	return NULL;
}

void *res_iter(enum t_res_type type, uint32_t *idx)
{
	struct res_table *t = type < RT_NTYPES ? tables[type] : NULL;
	if (!t)
		return NULL;
	struct res_hdr *h = next_live(t, idx);
	if (h)
		(*idx)++;
	return h;
}

void *res_slot(enum t_res_type type, uint32_t idx)
{
	struct res_table *t = tables[type];
	struct res_hdr *h = idx < t->capacity ? slot(t, idx) : NULL;
	if (!h)
		panic("res_slot: slot %u of %s is not mapped", idx, t->name);
	return h;
}

int res_lookup(enum t_res_type type, const char *name, rid_t *out)
{
	struct res_table *t = type < RT_NTYPES ? tables[type] : NULL;
	if (!t || !name || !*name)
		return -EINVAL;
	struct res_hdr *h;
	for (uint32_t i = 0; (h = next_live(t, &i)); i++) {
		if (strcmp(h->name, name) == 0) {
			*out = h->rid;
			return 0;
		}
	}
	return -ENOENT;
}

int res_next(uint32_t type, rid_t after, rid_t *out)
{
	if (type >= RT_NTYPES)
		return -EINVAL;
	uint32_t t0 = type ? type : 1, t1 = type ? type : RT_NTYPES - 1;
	uint32_t start_t = after ? RID_TYPE(after) : t0;
	uint64_t start_i = after ? (uint64_t)RID_INDEX(after) + 1 : 0;
	if (start_t < t0) {
		start_t = t0;
		start_i = 0;
	}
	for (uint32_t ty = start_t; ty <= t1; ty++, start_i = 0) {
		struct res_table *t = tables[ty];
		if (!t || start_i >= t->capacity)
			continue;
		uint32_t i = (uint32_t)start_i;
		struct res_hdr *h = next_live(t, &i);
		if (h) {
			*out = h->rid;
			return 0;
		}
	}
	return -ENOENT;
}

int res_info(rid_t rid, struct t_res_info *out)
{
	struct res_hdr *h = res_hdr(rid);
	if (!h)
		return res_validate(rid, RT_NONE) ? res_validate(rid, RT_NONE) : -ESTALE;
	memset(out, 0, sizeof(*out));
	out->rid = rid;
	out->type = RID_TYPE(rid);
	out->owner = h->owner;
	out->group = h->group;
	out->mode = h->mode;
	strlcpy(out->name, h->name, sizeof(out->name));
	const struct res_ops *ops = tables[out->type]->ops;
	if (ops && ops->describe)
		ops->describe(rid, out);
	return 0;
}

static int may_administer(struct res_hdr *h, const struct cred *cred)
{
	if (!cred || cred->uid == 0)
		return 0;
	if (cred->uid != h->owner || !(TMODE_OWNER(h->mode) & TOP_MODIFY))
		return -EACCES;
	return 0;
}

static void set_owner(rid_t part, void *arg)
{
	struct res_hdr *h = res_hdr(part);
	if (h)
		h->owner = *(uint32_t *)arg;
}

int res_changeoid(rid_t rid, uint32_t oid, int flag, const struct cred *cred)
{
	int err = res_validate(rid, RT_NONE);
	if (err)
		return err;
	struct res_hdr *h = res_hdr(rid);
	if ((err = may_administer(h, cred)))
		return err;
	h->owner = oid;
	const struct res_ops *ops = tables[RID_TYPE(rid)]->ops;
	if (flag && ops && ops->constituents)
		ops->constituents(rid, set_owner, &oid);
	return 0;
}

int res_changemod(rid_t rid, uint32_t mode, const struct cred *cred)
{
	int err = res_validate(rid, RT_NONE);
	if (err)
		return err;
	if (mode & ~(uint32_t)TMODE(TOP_ALL, TOP_ALL, TOP_ALL))
		return -EINVAL;
	struct res_hdr *h = res_hdr(rid);
	if ((err = may_administer(h, cred)))
		return err;
	h->mode = mode;
	return 0;
}

int res_delete(rid_t rid, const struct cred *cred)
{
	int err = res_check(rid, TOP_DELETE, cred);
	if (err)
		return err;
	const struct res_ops *ops = tables[RID_TYPE(rid)]->ops;
	if (!ops || !ops->destroy)
		return -EPERM;
	return ops->destroy(rid);
}

uint32_t res_count(uint32_t type)
{
	return type < RT_NTYPES && tables[type] ? tables[type]->live : 0;
}

void res_add_ref(struct t_res_info *info, const char *role, rid_t rid)
{
	if (!rid || info->nrefs >= T_MAX_REFS)
		return;
	info->refs[info->nrefs].rid = rid;
	strlcpy(info->refs[info->nrefs].role, role, sizeof(info->refs[0].role));
	info->nrefs++;
}
