// HOST-TEST-SOURCES: kernel/res/res.c tests/host/res_mem_host.c
/*
 * Host tests of the growing resource tables (kernel/res/res.c, base == NULL): chunks are
 * mapped only for live entries and given back when they empty, lookups of ids in unmapped
 * chunks fail cleanly, generations never repeat across an unmap, the capacity and a failed
 * map are reported (-ENFILE, -ENOMEM) with nothing half done, and walks visit every live
 * entry in index order; the chunk emptied last is kept as a spare until res_trim. The
 * entries are 1000 bytes: 8 to a chunk of two pages.
 */
#include "kernel/res/res.h"
#include "abi/errno.h"
#include "tests/host/harness.h"
#include "tests/host/res_mem_host.h"
#include <stdio.h>
#include <string.h>

struct big {
	struct res_hdr hdr;
	char body[1000 - sizeof(struct res_hdr)];
};

#define CAP 100                    /* 13 chunks, the last one short (4 entries) */
static struct res_table grow_table = { .stride = sizeof(struct big),
					.capacity = CAP };
static const struct cred alice = { .uid = 100, .gid = 200 };
static rid_t live[CAP];

/* Register once; each test starts with the table empty (generations survive). */
static void fresh(void)
{
	static bool registered;
	if (!registered) {
		res_register(RT_PROCESS, &grow_table);
		registered = true;
	}
	for (int i = 0; i < CAP; i++)
		if (live[i] && res_hdr(live[i]))
			res_free(live[i]);
	memset(live, 0, sizeof(live));
	res_mem_host_fail = 0;
	res_trim();
}

static const struct cred root = { .uid = 0, .gid = 0 };

static rid_t mk_as(int i, const struct cred *who)
{
	char name[16];
	snprintf(name, sizeof(name), "p%d", i);
	if (!CHECK_EQ(res_alloc(RT_PROCESS, name, who, TMODE_DEFAULT, &live[i]), 0))
		return 0;
	return live[i];
}

static rid_t mk(int i)
{
	return mk_as(i, &alice);
}

TEST(grow_geometry)
{
	fresh();
	CHECK_EQ(grow_table.chunk_entries, 8);
	CHECK_EQ(grow_table.chunk_bytes, 8192);
	CHECK_EQ(grow_table.nchunks, 13);
	CHECK_EQ(res_mem_host_pages, 0);
}

TEST(grow_maps_only_live_chunks)
{
	fresh();
	for (int i = 0; i < 9; i++)
		REQUIRE(mk(i));
	for (int i = 0; i < 9; i++)
		CHECK_EQ(RID_INDEX(live[i]), i);          /* lowest free slot first */
	CHECK_EQ(res_mem_host_pages, 4);              /* two chunks */
	rid_t old = live[8];
	res_free(old);
	CHECK_EQ(res_mem_host_pages, 4);              /* the second chunk is the spare */
	CHECK(res_hdr(old) == NULL);
	res_mem_host_fail = 1;                        /* the spare serves without a map */
	rid_t again = mk(8);
	CHECK_EQ(RID_INDEX(again), 8);
	CHECK(RID_GEN(again) > RID_GEN(old));
	CHECK_EQ(res_mem_host_pages, 4);
	res_mem_host_fail = 0;
	res_free(again);
	res_trim();
	CHECK_EQ(res_mem_host_pages, 2);              /* now it went back */
	CHECK(res_hdr(again) == NULL);
	CHECK_EQ(res_validate(live[8], RT_PROCESS), -ESTALE);
	CHECK(res_obj(live[8], RT_PROCESS) == NULL);
	struct t_res_info info;
	CHECK_EQ(res_info(live[8], &info), -ESTALE);
	live[8] = 0;
	for (int i = 0; i < 8; i++)
		res_free(live[i]);
	CHECK_EQ(res_mem_host_pages, 2);              /* chunk 0 is the spare now */
	res_trim();
	CHECK_EQ(res_mem_host_pages, 0);
	CHECK_EQ(res_count(RT_PROCESS), 0);
}

TEST(grow_generations_survive_unmap)
{
	fresh();
	rid_t a = mk(0);
	REQUIRE(a);
	res_free(a);
	res_trim();                                    /* chunk 0 unmapped */
	rid_t b = mk(0);
	REQUIRE(b);
	CHECK_EQ(RID_INDEX(b), RID_INDEX(a));
	CHECK(RID_GEN(b) > RID_GEN(a));
	CHECK(res_hdr(a) == NULL);
	/* the other slots of the chunk start above every generation it had too */
	rid_t c = mk(1);
	CHECK(RID_GEN(c) > RID_GEN(a));
}

TEST(grow_full_then_enfile)
{
	fresh();
	/* others than root stop where the last eighth starts (kept for root), root goes on */
	int users = CAP - CAP / 8;
	for (int i = 0; i < users; i++)
		REQUIRE(mk(i));
	rid_t refused = 7;
	CHECK_EQ(res_alloc(RT_PROCESS, "more", &alice, 0, &refused), -EAGAIN);
	for (int i = users; i < CAP; i++)
		REQUIRE(mk_as(i, &root));
	CHECK_EQ(res_mem_host_pages, 26);
	rid_t out = 7;
	CHECK_EQ(res_alloc(RT_PROCESS, "more", &root, 0, &out), -ENFILE);
	CHECK_EQ(out, 7);
	CHECK_EQ(res_count(RT_PROCESS), CAP);
	res_free(live[57]);
	live[57] = 0;
	CHECK_EQ(res_alloc(RT_PROCESS, "more", &root, 0, &live[57]), 0);
	CHECK_EQ(RID_INDEX(live[57]), 57);
	CHECK_EQ(res_alloc(RT_PROCESS, "more", &root, 0, &out), -ENFILE);
}

TEST(grow_map_failure_is_enomem)
{
	fresh();
	for (int i = 0; i < 8; i++)
		REQUIRE(mk(i));
	res_mem_host_fail = 1;
	rid_t out = 7;
	CHECK_EQ(res_alloc(RT_PROCESS, "x", &alice, 0, &out), -ENOMEM);
	CHECK_EQ(out, 7);
	CHECK_EQ(res_count(RT_PROCESS), 8);
	CHECK_EQ(res_mem_host_pages, 2);
	CHECK(mk(8) != 0);                            /* memory is back: it works */
	CHECK_EQ(RID_INDEX(live[8]), 8);
}

TEST(grow_walks_skip_holes)
{
	fresh();
	for (int i = 0; i < 40; i++)
		REQUIRE(mk(i));
	for (int i = 0; i < 40; i++) {
		if (i == 3 || i == 35 || (i >= 8 && i < 16))
			continue;                          /* keeps chunks 0 and 4; 1 stays mapped */
		res_free(live[i]);
		live[i] = 0;
	}
	REQUIRE(mk(20) != 0);                          /* lowest free slot: 0 */
	CHECK_EQ(RID_INDEX(live[20]), 0);
	res_trim();
	CHECK_EQ(res_mem_host_pages, 6);
	uint32_t idx = 0, want[] = { 0, 3, 8, 9, 10, 11, 12, 13, 14, 15, 35 };
	unsigned n = 0;
	struct res_hdr *h;
	while ((h = res_iter(RT_PROCESS, &idx))) {
		if (n < sizeof(want) / sizeof(want[0]))
			CHECK_EQ(RID_INDEX(h->rid), want[n]);
		n++;
	}
	CHECK_EQ(n, sizeof(want) / sizeof(want[0]));
	rid_t cur = 0;
	n = 0;
	while (res_next(RT_PROCESS, cur, &cur) == 0)
		CHECK_EQ(RID_INDEX(cur), want[n++]);
	CHECK_EQ(n, sizeof(want) / sizeof(want[0]));
	rid_t out;
	CHECK_EQ(res_lookup(RT_PROCESS, "p35", &out), 0);
	CHECK_EQ(out, live[35]);
	CHECK_EQ(res_lookup(RT_PROCESS, "p30", &out), -ENOENT);
	CHECK(res_slot(RT_PROCESS, 35) == (void *)res_hdr(live[35]));
}
