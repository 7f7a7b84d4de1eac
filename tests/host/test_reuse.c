// HOST-TEST-SOURCES: kernel/res/reuse.c
/*
 * Host tests of the reusable-resource table (kernel/res/reuse.c): take back by kind and key,
 * hits and misses, the bound per kind (least recently used goes first), reclaim when memory
 * runs out, turning kinds off, and forgetting an entry. The page allocator is a counter here:
 * every evicted entry "frees" ten pages.
 */
#include "kernel/res/reuse.h"
#include "kernel/mm/pmm.h"
#include "tests/host/harness.h"
#include <stddef.h>

static uint64_t free_pages;
static int (*reclaim_hook)(uint64_t);
static rid_t evicted[256];
static int nevicted;

void pmm_set_reclaim(int (*reclaim)(uint64_t pages))
{
	reclaim_hook = reclaim;
}

uint64_t pmm_free_pages(void)
{
	return free_pages;
}

static void evict(rid_t rid)
{
	evicted[nevicted++] = rid;
	free_pages += 10;
}

static void setup(void)
{
	static int done;
	if (!done) {
		reuse_init();
		reuse_register(RK_PROGRAM, evict);
		reuse_register(RK_SPACE, evict);
		reuse_register(RK_REGION, evict);
		done = 1;
	}
	reuse_set_mask((1u << RK_NKINDS) - 1);
	reuse_flush();
	nevicted = 0;
	free_pages = 0;
}

TEST(reuse_take_by_key)
{
	struct t_reuse_stat st;
	setup();
	reuse_stat(&st);
	uint64_t hits = st.hits[RK_REGION], misses = st.misses[RK_REGION];
	CHECK(reuse_put(RK_REGION, 101, 7));
	CHECK(reuse_put(RK_REGION, 102, 8));
	CHECK(reuse_holds(101));
	CHECK_EQ(reuse_take(RK_REGION, 9), 0);           /* no such key: a miss */
	CHECK_EQ(reuse_take(RK_SPACE, 7), 0);            /* same key, other kind */
	CHECK_EQ(reuse_take(RK_REGION, 8), 102);
	CHECK_EQ(reuse_take(RK_REGION, 7), 101);
	CHECK(!reuse_holds(101));
	reuse_stat(&st);
	CHECK_EQ(st.hits[RK_REGION] - hits, 2);
	CHECK_EQ(st.misses[RK_REGION] - misses, 1);
	CHECK_EQ(nevicted, 0);
}

TEST(reuse_bounded_lru)
{
	struct t_reuse_stat st;
	setup();
	reuse_stat(&st);
	uint32_t cap = st.capacity[RK_SPACE];
	for (uint32_t i = 0; i < cap + 3; i++)
		CHECK(reuse_put(RK_SPACE, 500 + i, 0));
	reuse_stat(&st);
	CHECK_EQ(st.cached[RK_SPACE], cap);
	CHECK_EQ(nevicted, 3);
	CHECK_EQ(evicted[0], 500);                       /* the oldest went first */
	CHECK_EQ(evicted[2], 502);
}

TEST(reuse_reclaim_gives_memory_back)
{
	setup();
	for (int i = 0; i < 10; i++)
		CHECK(reuse_put(RK_REGION, 700 + i, (uint64_t)i));
	REQUIRE(reclaim_hook != NULL);
	reclaim_hook(25);                                /* wants 25 pages: 3 entries of 10 */
	CHECK_EQ(nevicted, 3);
	CHECK_EQ(free_pages, 30);
	CHECK(!reuse_holds(700) && reuse_holds(703));
	reuse_flush();
	CHECK_EQ(nevicted, 10);
}

TEST(reuse_kinds_off_and_forget)
{
	struct t_reuse_stat st;
	setup();
	CHECK(reuse_put(RK_PROGRAM, 900, 1));
	CHECK(reuse_put(RK_SPACE, 901, 0));
	reuse_set_mask(1u << RK_SPACE);                  /* programs off: theirs go */
	CHECK_EQ(nevicted, 1);
	CHECK_EQ(evicted[0], 900);
	CHECK(!reuse_put(RK_PROGRAM, 902, 1));           /* refused while off */
	reuse_forget(901);                               /* deleted by someone else */
	reuse_stat(&st);
	CHECK_EQ(st.cached[RK_SPACE], 0);
	CHECK_EQ(nevicted, 1);                           /* forgetting destroys nothing */
}
