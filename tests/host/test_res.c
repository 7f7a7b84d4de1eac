// HOST-TEST-SOURCES: kernel/res/res.c tests/host/res_mem_host.c
/*
 * Host tests of the resource layer (kernel/res/res.c) over three small tables registered
 * here: "process" entries with every operation (describe, destroy, constituents), "vspace"
 * entries with no operations, and "vregion" entries whose destroy refuses while busy.
 * RT_PROGRAM, RT_PLATE and the others stay unregistered (root_keeps_last_eighth adds a
 * "checkpoint" table of 16). Each test starts from empty tables.
 */
#include "kernel/res/res.h"
#include "abi/errno.h"
#include "tests/host/harness.h"
#include <string.h>

struct tobj {
	struct res_hdr hdr;
	int payload;      /* vregion: nonzero = busy */
	rid_t parts[2];   /* process: its constituents */
};

#define NPROC_T 4
static struct tobj procs[NPROC_T], spaces[3], regions[2];
static int destroyed;

static void proc_describe(rid_t rid, struct t_res_info *info)
{
	struct tobj *p = res_obj(rid, RT_PROCESS);
	res_add_ref(info, "space", p->parts[0]);
	res_add_ref(info, "region", p->parts[1]);
	info->v[0] = (uint64_t)p->payload;
}

static int proc_destroy(rid_t rid)
{
	destroyed++;
	res_free(rid);
	return 0;
}

static void proc_constituents(rid_t rid, void (*fn)(rid_t part, void *arg), void *arg)
{
	struct tobj *p = res_obj(rid, RT_PROCESS);
	for (int i = 0; i < 2; i++)
		if (p->parts[i])
			fn(p->parts[i], arg);
}

static int region_destroy(rid_t rid)
{
	struct tobj *r = res_obj(rid, RT_VREGION);
	if (r->payload)
		return -EBUSY;
	destroyed++;
	res_free(rid);
	return 0;
}

static const struct res_ops proc_ops = { proc_describe, proc_destroy, proc_constituents };
static const struct res_ops region_ops = { NULL, region_destroy, NULL };
static struct res_table proc_table = { .base = procs,
					.stride = sizeof(procs[0]), .capacity = NPROC_T,
					.ops = &proc_ops };
static struct res_table space_table = { .base = spaces,
					.stride = sizeof(spaces[0]), .capacity = 3 };
static struct res_table region_table = { .base = regions,
					 .stride = sizeof(regions[0]), .capacity = 2,
					 .ops = &region_ops };

static const struct cred alice = { .uid = 100, .gid = 200 }, bob = { .uid = 101, .gid = 200 }, eve = { .uid = 102, .gid = 300 };
static const struct cred root = { .uid = 0, .gid = 0 };

static void free_all(struct tobj *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].hdr.rid)
			res_free(t[i].hdr.rid);
}

/* Register once; afterwards only empty the tables (generations survive, as in the kernel). */
static void fresh(void)
{
	static bool registered;
	if (!registered) {
		res_register(RT_PROCESS, &proc_table);
		res_register(RT_VSPACE, &space_table);
		res_register(RT_VREGION, &region_table);
		registered = true;
	}
	free_all(procs, NPROC_T);
	free_all(spaces, 3);
	free_all(regions, 2);
	destroyed = 0;
}

static rid_t mk(enum t_res_type type, const char *name, const struct cred *c, uint32_t mode)
{
	rid_t rid = 0;
	if (!CHECK_EQ(res_alloc(type, name, c, mode, &rid), 0))
		return 0;
	return rid;
}

TEST(alloc_fills_header)
{
	fresh();
	rid_t r = mk(RT_PROCESS, "init", &alice, TMODE_DEFAULT);
	REQUIRE(r);
	CHECK_EQ(RID_TYPE(r), RT_PROCESS);
	CHECK(RID_GEN(r) != 0);
	REQUIRE(RID_INDEX(r) < NPROC_T);
	struct res_hdr *h = res_hdr(r);
	REQUIRE(h == &procs[RID_INDEX(r)].hdr);
	CHECK_EQ(h->rid, r);
	CHECK_EQ(h->owner, 100);
	CHECK_EQ(h->group, 200);
	CHECK_EQ(h->mode, TMODE_DEFAULT);
	CHECK_STR(h->name, "init");
	CHECK(res_obj(r, RT_PROCESS) == (void *)h);
	CHECK(res_obj(r, RT_VSPACE) == NULL);
	CHECK_EQ(res_validate(r, RT_PROCESS), 0);
	CHECK_EQ(res_validate(r, RT_NONE), 0);
	CHECK_EQ(res_validate(r, RT_VSPACE), -EINVAL);
	CHECK_EQ(res_count(RT_PROCESS), 1);
	CHECK_EQ(res_count(RT_VSPACE), 0);
}

TEST(alloc_defaults_and_zeroing)
{
	fresh();
	rid_t a = mk(RT_PROCESS, "x", &alice, 0);
	REQUIRE(a);
	struct tobj *o = res_obj(a, RT_PROCESS);
	o->payload = 77;
	o->parts[1] = 5;
	res_free(a);
	/* fill the table so the old slot is used again */
	rid_t r[NPROC_T];
	for (int i = 0; i < NPROC_T; i++)
		r[i] = mk(RT_PROCESS, NULL, NULL, 0);
	for (int i = 0; i < NPROC_T; i++) {
		struct tobj *t = res_obj(r[i], RT_PROCESS);
		REQUIRE(t);
		CHECK_EQ(t->payload, 0);
		CHECK_EQ(t->parts[1], 0);
		CHECK_EQ(t->hdr.owner, 0);
		CHECK_EQ(t->hdr.group, 0);
		CHECK_STR(t->hdr.name, "");
	}
	fresh();
	rid_t l = mk(RT_VSPACE, "a-very-long-name-that-does-not-fit-at-all", &bob, 0);
	CHECK_EQ(strlen(res_hdr(l)->name), T_NAME_MAX - 1);
	CHECK_EQ(strncmp(res_hdr(l)->name, "a-very-long-name-that-does-not-fit", T_NAME_MAX - 1), 0);
}

TEST(free_makes_id_stale)
{
	fresh();
	rid_t a = mk(RT_PROCESS, "a", &alice, TMODE_DEFAULT);
	struct t_res_info info;
	res_free(a);
	CHECK(res_hdr(a) == NULL);
	CHECK(res_obj(a, RT_PROCESS) == NULL);
	CHECK_EQ(res_validate(a, RT_PROCESS), -ESTALE);
	CHECK_EQ(res_info(a, &info), -ESTALE);
	CHECK_EQ(res_check(a, TOP_REFER, &root), -ESTALE);
	CHECK_EQ(res_changeoid(a, 1, 0, &root), -ESTALE);
	CHECK_EQ(res_changemod(a, 0, &root), -ESTALE);
	CHECK_EQ(res_delete(a, &root), -ESTALE);
	CHECK_EQ(res_set_name(a, "b"), -ESTALE);
	CHECK_EQ(res_count(RT_PROCESS), 0);
}

/* A slot used again gets a new generation: the old id never names the new resource. */
TEST(reused_slot_new_generation)
{
	fresh();
	rid_t r[NPROC_T];
	for (int i = 0; i < NPROC_T; i++)
		r[i] = mk(RT_PROCESS, "p", &alice, TMODE_DEFAULT);
	rid_t old = r[2];
	res_free(old);
	rid_t again = mk(RT_PROCESS, "q", &alice, TMODE_DEFAULT);
	REQUIRE(again);
	CHECK_EQ(RID_INDEX(again), RID_INDEX(old));
	CHECK(RID_GEN(again) != RID_GEN(old));
	CHECK(again != old);
	CHECK(res_hdr(old) == NULL);
	CHECK_EQ(res_validate(old, RT_PROCESS), -ESTALE);
	CHECK(res_hdr(again) != NULL);
	CHECK_STR(res_hdr(again)->name, "q");
}

TEST(generation_wraps_past_zero)
{
	fresh();
	for (int i = 0; i < NPROC_T; i++)
		procs[i].hdr.gen = 0xffffff;
	rid_t r = mk(RT_PROCESS, "w", &alice, 0);
	CHECK_EQ(RID_GEN(r), 1);
	CHECK_EQ(res_validate(r, RT_PROCESS), 0);
}

TEST(table_full)
{
	fresh();
	for (int i = 0; i < NPROC_T; i++)
		mk(RT_PROCESS, "p", &alice, 0);
	rid_t out = 0x1234;
	CHECK_EQ(res_alloc(RT_PROCESS, "more", &alice, 0, &out), -ENFILE);
	CHECK_EQ(out, 0x1234);
	CHECK_EQ(res_count(RT_PROCESS), NPROC_T);
	/* other tables are independent */
	CHECK(mk(RT_VSPACE, "s", &alice, 0) != 0);
	res_free(procs[1].hdr.rid);
	CHECK_EQ(res_alloc(RT_PROCESS, "more", &alice, 0, &out), 0);
}

TEST(lookup_by_name)
{
	fresh();
	rid_t a = mk(RT_PROCESS, "alpha", &alice, 0);
	rid_t b = mk(RT_PROCESS, "beta", &alice, 0);
	rid_t s = mk(RT_VSPACE, "gamma", &alice, 0);
	rid_t out = 0;
	CHECK_EQ(res_lookup(RT_PROCESS, "beta", &out), 0);
	CHECK_EQ(out, b);
	CHECK_EQ(res_lookup(RT_PROCESS, "alpha", &out), 0);
	CHECK_EQ(out, a);
	CHECK_EQ(res_lookup(RT_VSPACE, "gamma", &out), 0);
	CHECK_EQ(out, s);
	CHECK_EQ(res_lookup(RT_PROCESS, "gamma", &out), -ENOENT);
	CHECK_EQ(res_lookup(RT_PROCESS, "alph", &out), -ENOENT);
	CHECK_EQ(res_lookup(RT_PROCESS, "", &out), -EINVAL);
	CHECK_EQ(res_lookup(RT_PROCESS, NULL, &out), -EINVAL);
	CHECK_EQ(res_lookup(RT_PROGRAM, "alpha", &out), -EINVAL);
	CHECK_EQ(res_lookup(RT_NONE, "alpha", &out), -EINVAL);
	CHECK_EQ(res_lookup((enum t_res_type)RT_NTYPES, "alpha", &out), -EINVAL);
	res_free(b);
	CHECK_EQ(res_lookup(RT_PROCESS, "beta", &out), -ENOENT);
	CHECK_EQ(res_set_name(a, "omega"), 0);
	CHECK_EQ(res_lookup(RT_PROCESS, "alpha", &out), -ENOENT);
	CHECK_EQ(res_lookup(RT_PROCESS, "omega", &out), 0);
	CHECK_EQ(out, a);
}

/* Collects everything res_next gives, starting from 0. */
static int walk(uint32_t type, rid_t *got, int max)
{
	int n = 0;
	rid_t cur = 0;
	while (n < max && res_next(type, cur, &cur) == 0)
		got[n++] = cur;
	return n;
}

TEST(next_iterates_one_type)
{
	fresh();
	rid_t p0 = mk(RT_PROCESS, "p0", &alice, 0);
	rid_t p1 = mk(RT_PROCESS, "p1", &alice, 0);
	mk(RT_VSPACE, "s0", &alice, 0);
	rid_t got[16];
	int n = walk(RT_PROCESS, got, 16);
	REQUIRE(n == 2);
	CHECK((got[0] == p0 && got[1] == p1) || (got[0] == p1 && got[1] == p0));
	CHECK_EQ(walk(RT_PROGRAM, got, 16), 0);   /* unregistered */
	CHECK_EQ(walk(RT_VREGION, got, 16), 0);   /* empty */
	rid_t out;
	CHECK_EQ(res_next(RT_NTYPES, 0, &out), -EINVAL);
	CHECK_EQ(res_next(0xff, 0, &out), -EINVAL);
	/* a freed 'after' still marks the position */
	res_free(p0);
	CHECK_EQ(res_next(RT_PROCESS, p0, &out), RID_INDEX(p0) < RID_INDEX(p1) ? 0 : -ENOENT);
}

TEST(next_walks_all_types)
{
	fresh();
	rid_t want[] = { mk(RT_VSPACE, "s0", &alice, 0), mk(RT_PROCESS, "p0", &alice, 0),
			 mk(RT_VREGION, "r0", &alice, 0), mk(RT_VSPACE, "s1", &alice, 0),
			 mk(RT_PROCESS, "p1", &alice, 0) };
	rid_t got[16];
	int n = walk(RT_NONE, got, 16);
	REQUIRE(n == 5);
	for (int i = 1; i < n; i++)
		CHECK(RID_TYPE(got[i - 1]) < RID_TYPE(got[i]) ||
		      (RID_TYPE(got[i - 1]) == RID_TYPE(got[i]) &&
		       RID_INDEX(got[i - 1]) < RID_INDEX(got[i])));
	for (int i = 0; i < 5; i++) {
		int seen = 0;
		for (int j = 0; j < n; j++)
			seen += got[j] == want[i];
		CHECK_EQ(seen, 1);
	}
	/* a specific type after an id of a lower type starts at that type's beginning */
	rid_t out;
	CHECK_EQ(res_next(RT_VSPACE, want[1], &out), 0);
	CHECK_EQ(RID_TYPE(out), RT_VSPACE);
}

TEST(info_and_describe)
{
	fresh();
	rid_t s = mk(RT_VSPACE, "space", &bob, TMODE(TOP_ALL, 0, 0));
	rid_t p = mk(RT_PROCESS, "sh", &alice, TMODE_DEFAULT);
	struct tobj *o = res_obj(p, RT_PROCESS);
	o->payload = 4242;
	o->parts[0] = s;   /* parts[1] == 0: no reference added */
	struct t_res_info info;
	memset(&info, 0xee, sizeof(info));
	REQUIRE(res_info(p, &info) == 0);
	CHECK_EQ(info.rid, p);
	CHECK_EQ(info.type, RT_PROCESS);
	CHECK_EQ(info.owner, 100);
	CHECK_EQ(info.group, 200);
	CHECK_EQ(info.mode, TMODE_DEFAULT);
	CHECK_STR(info.name, "sh");
	CHECK_EQ(info.nrefs, 1);
	CHECK_EQ(info.refs[0].rid, s);
	CHECK_STR(info.refs[0].role, "space");
	CHECK_EQ(info.v[0], 4242);
	CHECK_EQ(info.v[5], 0);
	memset(&info, 0xee, sizeof(info));
	REQUIRE(res_info(s, &info) == 0);   /* no describe op */
	CHECK_EQ(info.nrefs, 0);
	CHECK_EQ(info.owner, 101);
	CHECK_STR(info.name, "space");
	CHECK_EQ(info.v[0], 0);
}

TEST(add_ref_limits)
{
	struct t_res_info info;
	memset(&info, 0, sizeof(info));
	for (int i = 0; i < T_MAX_REFS + 3; i++)
		res_add_ref(&info, "a-role-name-longer-than-16", RID_MAKE(RT_VSPACE, 1, i));
	CHECK_EQ(info.nrefs, T_MAX_REFS);
	CHECK_EQ(info.refs[T_MAX_REFS - 1].rid, RID_MAKE(RT_VSPACE, 1, T_MAX_REFS - 1));
	CHECK_EQ(strlen(info.refs[0].role), sizeof(info.refs[0].role) - 1);
	memset(&info, 0, sizeof(info));
	res_add_ref(&info, "none", 0);
	CHECK_EQ(info.nrefs, 0);
}

TEST(access_owner_group_other)
{
	fresh();
	rid_t r = mk(RT_PROCESS, "x", &alice,
		     TMODE(TOP_REFER | TOP_MODIFY, TOP_USE | TOP_REFER, TOP_MOVE));
	const struct cred alice_other_group = { .uid = 100, .gid = 999 }, bob_group = { .uid = 101, .gid = 200 };
	CHECK_EQ(res_check(r, TOP_REFER, &alice), 0);
	CHECK_EQ(res_check(r, TOP_REFER | TOP_MODIFY, &alice), 0);
	CHECK_EQ(res_check(r, TOP_USE, &alice), -EACCES);   /* owner bits only, not group's */
	CHECK_EQ(res_check(r, TOP_REFER | TOP_USE, &alice), -EACCES);
	CHECK_EQ(res_check(r, TOP_MODIFY, &alice_other_group), 0);
	CHECK_EQ(res_check(r, TOP_USE, &bob_group), 0);
	CHECK_EQ(res_check(r, TOP_REFER | TOP_USE, &bob_group), 0);
	CHECK_EQ(res_check(r, TOP_MODIFY, &bob_group), -EACCES);
	CHECK_EQ(res_check(r, TOP_MOVE, &eve), 0);
	CHECK_EQ(res_check(r, TOP_REFER, &eve), -EACCES);
	CHECK_EQ(res_check(r, TOP_DELETE, &eve), -EACCES);
	CHECK_EQ(res_check(r, TOP_ALL, &root), 0);
	CHECK_EQ(res_check(r, TOP_ALL, NULL), 0);   /* the kernel itself */
	rid_t none = mk(RT_PROCESS, "y", &alice, 0);
	CHECK_EQ(res_check(none, TOP_REFER, &alice), -EACCES);
	CHECK_EQ(res_check(none, TOP_DELETE, &root), 0);
}

TEST(changeoid_rules)
{
	fresh();
	rid_t r = mk(RT_VSPACE, "s", &alice, TMODE(TOP_ALL, TOP_ALL, TOP_ALL));
	CHECK_EQ(res_changeoid(r, 555, 0, &bob), -EACCES);   /* group MODIFY is not enough */
	CHECK_EQ(res_changeoid(r, 555, 0, &eve), -EACCES);
	CHECK_EQ(res_hdr(r)->owner, 100);
	CHECK_EQ(res_changeoid(r, 101, 0, &alice), 0);
	CHECK_EQ(res_hdr(r)->owner, 101);
	CHECK_EQ(res_changeoid(r, 100, 0, &alice), -EACCES);   /* no longer the owner */
	CHECK_EQ(res_changeoid(r, 7, 0, &root), 0);
	CHECK_EQ(res_hdr(r)->owner, 7);
	CHECK_EQ(res_hdr(r)->group, 200);   /* the group does not change */
	rid_t ro = mk(RT_VSPACE, "ro", &alice, TMODE(TOP_ALL & ~TOP_MODIFY, 0, 0));
	CHECK_EQ(res_changeoid(ro, 101, 0, &alice), -EACCES);
	CHECK_EQ(res_changeoid(ro, 101, 1, NULL), 0);
}

TEST(changeoid_with_constituents)
{
	fresh();
	rid_t s = mk(RT_VSPACE, "s", &alice, 0);
	rid_t g = mk(RT_VREGION, "g", &alice, 0);
	rid_t p = mk(RT_PROCESS, "p", &alice, TMODE_DEFAULT);
	rid_t q = mk(RT_PROCESS, "q", &alice, TMODE_DEFAULT);
	struct tobj *o = res_obj(p, RT_PROCESS);
	o->parts[0] = s;
	o->parts[1] = g;
	CHECK_EQ(res_changeoid(p, 300, 0, &alice), 0);
	CHECK_EQ(res_hdr(p)->owner, 300);
	CHECK_EQ(res_hdr(s)->owner, 100);   /* flag 0: only the resource itself */
	CHECK_EQ(res_hdr(g)->owner, 100);
	CHECK_EQ(res_changeoid(p, 400, 1, &root), 0);
	CHECK_EQ(res_hdr(p)->owner, 400);
	CHECK_EQ(res_hdr(s)->owner, 400);
	CHECK_EQ(res_hdr(g)->owner, 400);
	CHECK_EQ(res_hdr(q)->owner, 100);   /* not a constituent */
	/* a constituent that has gone away is skipped */
	res_free(g);
	CHECK_EQ(res_changeoid(p, 500, 1, &root), 0);
	CHECK_EQ(res_hdr(s)->owner, 500);
	/* a type without constituents: flag changes nothing more */
	CHECK_EQ(res_changeoid(s, 600, 1, &root), 0);
	CHECK_EQ(res_hdr(p)->owner, 500);
}

TEST(changemod_rules)
{
	fresh();
	rid_t r = mk(RT_PROCESS, "x", &alice, TMODE_DEFAULT);
	uint32_t all = TMODE(TOP_ALL, TOP_ALL, TOP_ALL);
	CHECK_EQ(res_changemod(r, all + 1, &alice), -EINVAL);
	CHECK_EQ(res_changemod(r, 1u << 31, &root), -EINVAL);
	CHECK_EQ(res_changemod(r, 1u << 15, &eve), -EINVAL);
	CHECK_EQ(res_hdr(r)->mode, TMODE_DEFAULT);
	CHECK_EQ(res_changemod(r, all, &bob), -EACCES);
	CHECK_EQ(res_changemod(r, all, &eve), -EACCES);
	CHECK_EQ(res_hdr(r)->mode, TMODE_DEFAULT);
	CHECK_EQ(res_changemod(r, all, &alice), 0);
	CHECK_EQ(res_hdr(r)->mode, all);
	CHECK_EQ(res_changemod(r, TMODE(TOP_REFER, 0, 0), &alice), 0);
	CHECK_EQ(res_changemod(r, all, &alice), -EACCES);   /* gave up MODIFY */
	CHECK_EQ(res_changemod(r, 0, &root), 0);
	CHECK_EQ(res_hdr(r)->mode, 0);
}

TEST(delete_rules)
{
	fresh();
	rid_t s = mk(RT_VSPACE, "s", &alice, TMODE_DEFAULT);
	CHECK_EQ(res_delete(s, &root), -EPERM);   /* no destroy op */
	CHECK_EQ(res_validate(s, RT_VSPACE), 0);
	rid_t p = mk(RT_PROCESS, "p", &alice, TMODE(TOP_ALL, TOP_DELETE, 0));
	CHECK_EQ(res_delete(p, &eve), -EACCES);
	CHECK_EQ(destroyed, 0);
	CHECK_EQ(res_delete(p, &bob), 0);   /* group may delete */
	CHECK_EQ(destroyed, 1);
	CHECK_EQ(res_validate(p, RT_PROCESS), -ESTALE);
	CHECK_EQ(res_delete(p, &bob), -ESTALE);
	rid_t g = mk(RT_VREGION, "g", &alice, TMODE_DEFAULT);
	((struct tobj *)res_obj(g, RT_VREGION))->payload = 1;
	CHECK_EQ(res_delete(g, &alice), -EBUSY);
	CHECK_EQ(res_validate(g, RT_VREGION), 0);
	CHECK_EQ(res_count(RT_VREGION), 1);
	((struct tobj *)res_obj(g, RT_VREGION))->payload = 0;
	CHECK_EQ(res_delete(g, &alice), 0);
	CHECK_EQ(res_count(RT_VREGION), 0);
	CHECK_EQ(destroyed, 2);
}

TEST(malformed_ids_rejected)
{
	fresh();
	rid_t good = mk(RT_PROCESS, "p", &alice, TMODE_DEFAULT);
	uint32_t gen = RID_GEN(good), idx = RID_INDEX(good);
	rid_t bad[] = {
		0,
		RID_MAKE(RT_NONE, gen, idx),
		RID_MAKE(RT_NTYPES, gen, idx),
		RID_MAKE(0xff, gen, idx),
		RID_MAKE(RT_PROGRAM, gen, idx),   /* type without a table */
		RID_MAKE(RT_PROCESS, gen, NPROC_T),
		RID_MAKE(RT_PROCESS, gen, 0xffffffffu),
		RID_MAKE(RT_PROCESS, 0, idx),
	};
	struct t_res_info info;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rid_t b = bad[i];
		bool ok = CHECK(res_hdr(b) == NULL);
		ok &= CHECK(res_obj(b, RT_PROCESS) == NULL);
		ok &= CHECK_EQ(res_validate(b, RT_NONE), -EINVAL);
		ok &= CHECK_EQ(res_validate(b, RT_PROCESS), -EINVAL);
		ok &= CHECK_EQ(res_info(b, &info), -EINVAL);
		ok &= CHECK_EQ(res_check(b, TOP_REFER, &root), -EINVAL);
		ok &= CHECK_EQ(res_changeoid(b, 1, 1, &root), -EINVAL);
		ok &= CHECK_EQ(res_changemod(b, 0, &root), -EINVAL);
		ok &= CHECK_EQ(res_delete(b, &root), -EINVAL);
		if (!ok)
			CHECK_EQ(i, ~0ull);   /* names the failing id */
	}
	CHECK_EQ(res_hdr(good)->owner, 100);   /* untouched by all of the above */
	CHECK_EQ(res_hdr(good)->mode, TMODE_DEFAULT);
}

TEST(type_names_and_counts)
{
	fresh();
	CHECK_STR(res_type_name(RT_PROCESS), "process");
	CHECK_STR(res_type_name(RT_VSPACE), "vspace");
	CHECK_STR(res_type_name(RT_PROGRAM), "?");
	CHECK_STR(res_type_name(RT_NONE), "?");
	CHECK_STR(res_type_name(RT_NTYPES), "?");
	CHECK_STR(res_type_name(0xffffffffu), "?");
	CHECK_EQ(res_count(RT_PROGRAM), 0);
	CHECK_EQ(res_count(RT_NTYPES + 5), 0);
	mk(RT_VREGION, "a", &alice, 0);
	mk(RT_VREGION, "b", &alice, 0);
	CHECK_EQ(res_count(RT_VREGION), 2);
	CHECK_EQ(region_table.live, 2);
}

/* Users other than root may not take the last eighth of a table (root's reserve). */
TEST(root_keeps_last_eighth)
{
	static struct tobj ckpts[16];
	static struct res_table ckpt_table = { .base = ckpts, .stride = sizeof(ckpts[0]), .capacity = 16 };
	rid_t rid;
	fresh();
	if (res_type_name(RT_CHECKPOINT)[0] == '?')
		res_register(RT_CHECKPOINT, &ckpt_table);
	free_all(ckpts, 16);
	for (int i = 0; i < 14; i++)
		REQUIRE(mk(RT_CHECKPOINT, NULL, i % 2 ? &alice : &bob, 0));
	CHECK_EQ(res_alloc(RT_CHECKPOINT, NULL, &eve, 0, &rid), -EAGAIN);
	CHECK_EQ(res_alloc(RT_CHECKPOINT, NULL, &alice, 0, &rid), -EAGAIN);
	CHECK(mk(RT_CHECKPOINT, NULL, &root, 0));
	CHECK(mk(RT_CHECKPOINT, NULL, NULL, 0));           /* the kernel's own */
	CHECK_EQ(res_alloc(RT_CHECKPOINT, NULL, &root, 0, &rid), -ENFILE);
	free_all(ckpts, 16);
}
