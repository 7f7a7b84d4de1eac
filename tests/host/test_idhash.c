// HOST-TEST-SOURCES: kernel/lib/idhash.c tests/host/res_mem_host.c
/*
 * Host tests of the chained hash index (kernel/lib/idhash.c): every id added is found in the
 * chain of its hash and nowhere else, removal is exact, the bucket array doubles as ids are
 * added (tens of thousands: chains stay short) and gives its pages back as they go, and a
 * bucket array that cannot grow (no memory) keeps the index correct.
 */
#include "kernel/lib/idhash.h"
#include "tests/host/harness.h"
#include "tests/host/res_mem_host.h"
#include <stdio.h>
#include <string.h>

#define N 40000
static struct {
	uint32_t next;
	uint32_t key;
	bool in;
} ent[N];

static uint32_t *ent_link(void *ctx, uint32_t id)
{
	(void)ctx;
	return &ent[id].next;
}

static uint32_t key_hash(uint32_t key)
{
	return idhash_mix(2166136261u, key);
}

static uint32_t ent_hash(void *ctx, uint32_t id)
{
	(void)ctx;
	return key_hash(ent[id].key);
}

/* Whether id is in the chain for its key, and how long that chain is. */
static bool find(const struct idhash *h, uint32_t id, uint32_t *len)
{
	bool found = false;
	*len = 0;
	for (uint32_t e = idhash_first(h, key_hash(ent[id].key)); e; e = idhash_next(h, e - 1)) {
		(*len)++;
		if (e - 1 == id)
			found = true;
	}
	return found;
}

/* Every id is found exactly when it is in; the longest chain seen. */
static uint32_t check_all(const struct idhash *h, uint32_t n, bool *ok)
{
	uint32_t longest = 0, len;
	*ok = true;
	for (uint32_t i = 0; i < n; i++) {
		if (find(h, i, &len) != ent[i].in)
			*ok = false;
		if (len > longest)
			longest = len;
	}
	return longest;
}

static void setup(struct idhash *h, uint32_t max)
{
	memset(ent, 0, sizeof(ent));
	for (uint32_t i = 0; i < N; i++)
		ent[i].key = i * 7919u + 13;
	res_mem_host_fail = 0;
	REQUIRE(idhash_init(h, 1024, max, ent_link, ent_hash, NULL) == 0);
}

TEST(add_find_remove)
{
	struct idhash h;
	bool ok;
	long pages0 = res_mem_host_pages;
	setup(&h, 1u << 16);
	CHECK_EQ(res_mem_host_pages - pages0, 1);            /* 1024 buckets: one page */
	for (uint32_t i = 0; i < 100; i++) {
		idhash_add(&h, i, key_hash(ent[i].key));
		ent[i].in = true;
	}
	check_all(&h, N, &ok);
	CHECK(ok);
	CHECK(idhash_del(&h, 50, key_hash(ent[50].key)));
	ent[50].in = false;
	CHECK(!idhash_del(&h, 50, key_hash(ent[50].key)));   /* not there twice */
	CHECK(!idhash_del(&h, 500, key_hash(ent[500].key))); /* never added */
	check_all(&h, N, &ok);
	CHECK(ok);
	CHECK_EQ(h.count, 99);
}

TEST(grows_and_shrinks_back)
{
	struct idhash h;
	bool ok;
	long pages0 = res_mem_host_pages;
	setup(&h, 1u << 16);
	for (uint32_t i = 0; i < N; i++) {
		idhash_add(&h, i, key_hash(ent[i].key));
		ent[i].in = true;
	}
	CHECK(h.nbuckets >= N / 2);                          /* at most two ids a bucket */
	uint32_t longest = check_all(&h, N, &ok);
	CHECK(ok);
	CHECK(longest <= 12);                                /* no chain runs the table */
	CHECK_EQ(res_mem_host_pages - pages0, h.nbuckets / 1024);
	/* remove all but the first 100, in a scrambled order */
	for (uint32_t k = 0; k < N; k++) {
		uint32_t i = (k * 12347u) % N;
		if (i < 100)
			continue;
		CHECK(idhash_del(&h, i, key_hash(ent[i].key)));
		ent[i].in = false;
		if (k % 5000 == 0) {
			check_all(&h, N, &ok);
			CHECK(ok);
		}
	}
	check_all(&h, N, &ok);
	CHECK(ok);
	CHECK_EQ(h.nbuckets, 1024);                          /* back to the minimum */
	CHECK_EQ(res_mem_host_pages - pages0, 1);
}

/* After a trim the size depends only on the count, whatever happened before. */
TEST(trim_is_canonical)
{
	struct idhash h;
	bool ok;
	long pages0 = res_mem_host_pages;
	setup(&h, 1u << 16);
	for (uint32_t i = 0; i < 3000; i++) {
		idhash_add(&h, i, key_hash(ent[i].key));
		ent[i].in = true;
	}
	idhash_trim(&h);
	uint32_t size = h.nbuckets;
	CHECK_EQ(size, 2048);                  /* 3000 ids: 1024 buckets would hold 2048 */
	for (uint32_t i = 3000; i < 30000; i++)
		idhash_add(&h, i, key_hash(ent[i].key));
	for (uint32_t i = 3000; i < 30000; i++)
		CHECK(idhash_del(&h, i, key_hash(ent[i].key)));
	CHECK(h.nbuckets > size);              /* deletes shrink lazily */
	idhash_trim(&h);
	CHECK_EQ(h.nbuckets, size);
	CHECK_EQ(res_mem_host_pages - pages0, 2);
	check_all(&h, N, &ok);
	CHECK(ok);
}

TEST(no_memory_to_grow)
{
	struct idhash h;
	bool ok;
	setup(&h, 1u << 16);
	res_mem_host_fail = 1000000;                         /* every map fails from now on */
	for (uint32_t i = 0; i < 5000; i++) {
		idhash_add(&h, i, key_hash(ent[i].key));
		ent[i].in = true;
	}
	CHECK_EQ(h.nbuckets, 1024);
	check_all(&h, N, &ok);
	CHECK(ok);
	res_mem_host_fail = 0;
	idhash_add(&h, 5000, key_hash(ent[5000].key));       /* grows at the next add */
	ent[5000].in = true;
	CHECK_EQ(h.nbuckets, 2048);
	check_all(&h, N, &ok);
	CHECK(ok);
}

TEST(capped_at_max)
{
	struct idhash h;
	bool ok;
	setup(&h, 2048);
	for (uint32_t i = 0; i < 10000; i++) {
		idhash_add(&h, i, key_hash(ent[i].key));
		ent[i].in = true;
	}
	CHECK_EQ(h.nbuckets, 2048);
	check_all(&h, N, &ok);
	CHECK(ok);
}

TEST(string_hash)
{
	CHECK_EQ(idhash_str(""), 2166136261u);
	CHECK(idhash_str("/tmp/a") != idhash_str("/tmp/b"));
	CHECK(idhash_mix(1, 2) != idhash_mix(1, 3));
}
