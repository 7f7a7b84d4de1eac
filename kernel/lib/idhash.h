/*
 * A chained hash index over the slots of a table (entries named by a 32-bit index), for
 * lookups that must cost about the same with ten files or a hundred thousand: the chains run
 * through a link field of the entries themselves (the caller says where it is), so the index
 * owns only its bucket array. That array lives in a window of addresses reserved once
 * (res_mem_reserve) and grows by doubling while the entries outnumber the buckets twice, and
 * shrinks by halving when they fall below an eighth, page by page, so that it costs memory
 * in proportion to what it indexes and gives it back (the leak checks see it shrink back).
 * A bucket array that cannot grow (no memory) leaves the index correct, only slower.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct idhash {
	uint32_t *heads;          /* bucket b: 1 + the first id of its chain, 0 = empty */
	uint32_t nbuckets;        /* a power of two, min_buckets..max_buckets */
	uint32_t min_buckets, max_buckets;
	uint32_t count;           /* ids in the index */
	/* The link field of entry id: 1 + the next id of its chain, 0 = end. */
	uint32_t *(*link)(void *ctx, uint32_t id);
	/* The hash of entry id's key (the one it was added with), for moving it when the
	 * bucket array grows or shrinks. */
	uint32_t (*hash)(void *ctx, uint32_t id);
	void *ctx;
};

/* Reserves the window for max_buckets and maps min_buckets (both powers of two, min at least
 * one page of buckets: 1024). -ENOMEM when even that cannot be mapped. */
int idhash_init(struct idhash *h, uint32_t min_buckets, uint32_t max_buckets,
		uint32_t *(*link)(void *ctx, uint32_t id), uint32_t (*hash)(void *ctx, uint32_t id),
		void *ctx);
/* Adds id (not in the index) under hash. */
void idhash_add(struct idhash *h, uint32_t id, uint32_t hash);
/* Removes id, added under hash; false if it was not there. */
bool idhash_del(struct idhash *h, uint32_t id, uint32_t hash);
/* The chain that holds every id added under hash (and others: the caller compares keys):
 * 1 + its first id, then idhash_next for the following ones; 0 at the end. */
uint32_t idhash_first(const struct idhash *h, uint32_t hash);
uint32_t idhash_next(const struct idhash *h, uint32_t id);

/* Shrinks the bucket array as far as two ids a bucket allow: then its size depends only on
 * how many ids there are (the leak checks compare memory at such moments). */
void idhash_trim(struct idhash *h);

/* FNV-1a of a string and of bytes, the hashes the kernel's indexes use. */
uint32_t idhash_str(const char *s);
uint32_t idhash_mix(uint32_t h, uint64_t v);
