/* The chained hash index over table slots (see idhash.h). */
#include "kernel/lib/idhash.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/res/res.h"

#define PAGE_BYTES 4096u
#define BUCKETS_PER_PAGE (PAGE_BYTES / sizeof(uint32_t))

uint32_t idhash_str(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

uint32_t idhash_mix(uint32_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		h = (h ^ (uint8_t)v) * 16777619u;
	return h;
}

static uint32_t *link_of(const struct idhash *h, uint32_t id)
{
	return h->link(h->ctx, id);
}

int idhash_init(struct idhash *h, uint32_t min_buckets, uint32_t max_buckets,
		uint32_t *(*link)(void *ctx, uint32_t id), uint32_t (*hash)(void *ctx, uint32_t id),
		void *ctx)
{
	assert(min_buckets >= BUCKETS_PER_PAGE && !(min_buckets & (min_buckets - 1)) &&
	       max_buckets >= min_buckets && !(max_buckets & (max_buckets - 1)));
	*h = (struct idhash){ .min_buckets = min_buckets, .max_buckets = max_buckets,
			      .link = link, .hash = hash, .ctx = ctx };
	h->heads = res_mem_reserve((size_t)max_buckets * sizeof(uint32_t));
	if (!h->heads || res_mem_map(h->heads, (size_t)min_buckets * sizeof(uint32_t)))
		return -ENOMEM;
	for (uint32_t b = 0; b < min_buckets; b++)
		h->heads[b] = 0;
	h->nbuckets = min_buckets;
	return 0;
}

/* Doubles the buckets: each chain b splits between b and b + n by the next bit of the hash. */
static void grow(struct idhash *h)
{
	uint32_t n = h->nbuckets;
	if (n >= h->max_buckets || res_mem_map(h->heads + n, (size_t)n * sizeof(uint32_t)))
		return;                              /* stays correct, only longer chains */
	for (uint32_t b = 0; b < n; b++) {
		uint32_t *lo = &h->heads[b], *hi = &h->heads[b + n], e = *lo;
		*hi = 0;
		while (e) {
			uint32_t *next = link_of(h, e - 1), following = *next;
			uint32_t **tail = h->hash(h->ctx, e - 1) & n ? &hi : &lo;
			**tail = e;
			*tail = next;
			e = following;
		}
		*lo = *hi = 0;
	}
	h->nbuckets = 2 * n;
}

/* Halves the buckets: chain b + n/2 is appended to chain b, and the top half is unmapped. */
static void shrink(struct idhash *h)
{
	uint32_t half = h->nbuckets / 2;
	for (uint32_t b = 0; b < half; b++) {
		uint32_t *end = &h->heads[b];
		while (*end)
			end = link_of(h, *end - 1);
		*end = h->heads[b + half];
	}
	res_mem_unmap(h->heads + half, (size_t)half * sizeof(uint32_t));
	h->nbuckets = half;
}

void idhash_add(struct idhash *h, uint32_t id, uint32_t hash)
{
	uint32_t *head = &h->heads[hash & (h->nbuckets - 1)];
	*link_of(h, id) = *head;
	*head = id + 1;
	if (++h->count > 2 * h->nbuckets)
		grow(h);
}

bool idhash_del(struct idhash *h, uint32_t id, uint32_t hash)
{
	uint32_t *l = &h->heads[hash & (h->nbuckets - 1)];
	while (*l && *l != id + 1)
		l = link_of(h, *l - 1);
	if (!*l)
		return false;
	*l = *link_of(h, id);
	*link_of(h, id) = 0;
	if (--h->count < h->nbuckets / 8 && h->nbuckets > h->min_buckets)
		shrink(h);
	return true;
}

uint32_t idhash_first(const struct idhash *h, uint32_t hash)
{
	return h->heads[hash & (h->nbuckets - 1)];
}

uint32_t idhash_next(const struct idhash *h, uint32_t id)
{
	return *h->link(h->ctx, id);
}

void idhash_trim(struct idhash *h)
{
	while (h->nbuckets > h->min_buckets && h->count <= h->nbuckets)
		shrink(h);
}
