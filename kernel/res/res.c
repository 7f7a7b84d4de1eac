/* The uniform resource interface over the per-type tables (see res.h). */
#include "kernel/res/res.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

static struct res_table *tables[RT_NTYPES];

void res_register(enum t_res_type type, struct res_table *t)
{
	assert(type > RT_NONE && type < RT_NTYPES && !tables[type]);
	assert(t->stride >= sizeof(struct res_hdr));
	t->live = 0;
	t->next_hint = 0;
	tables[type] = t;
}

const char *res_type_name(uint32_t type)
{
	if (type >= RT_NTYPES || !tables[type])
		return "?";
	return tables[type]->name;
}

static struct res_hdr *slot(struct res_table *t, uint32_t idx)
{
	return (struct res_hdr *)((char *)t->base + (size_t)idx * t->stride);
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
	for (uint32_t n = 0; n < t->capacity; n++) {
		uint32_t idx = (t->next_hint + n) % t->capacity;
		struct res_hdr *h = slot(t, idx);
		if (h->rid)
			continue;
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
		t->next_hint = (idx + 1) % t->capacity;
		*out = h->rid;
		return 0;
	}
	return -ENFILE;
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
	return h->rid == rid ? h : NULL;
}

void res_free(rid_t rid)
{
	struct res_hdr *h = res_hdr(rid);
	assert(h);
	h->rid = 0;
	tables[RID_TYPE(rid)]->live--;
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

static uint32_t allowed_ops(const struct res_hdr *h, const struct cred *c)
{
	if (c->uid == h->owner)
		return TMODE_OWNER(h->mode);
	if (c->gid == h->group)
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

int res_lookup(enum t_res_type type, const char *name, rid_t *out)
{
	struct res_table *t = type < RT_NTYPES ? tables[type] : NULL;
	if (!t || !name || !*name)
		return -EINVAL;
	for (uint32_t i = 0; i < t->capacity; i++) {
		struct res_hdr *h = slot(t, i);
		if (h->rid && strcmp(h->name, name) == 0) {
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
		for (uint64_t i = start_i; t && i < t->capacity; i++) {
			struct res_hdr *h = slot(t, (uint32_t)i);
			if (h->rid) {
				*out = h->rid;
				return 0;
			}
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
