/* The buddy allocator of physically contiguous runs (see contig.h). A free block of order k
 * starting at page i (i a multiple of 2^k) is on free list k, a doubly linked list through
 * nxt[]/prv[]; ord[i] is k + 1 for the first page of a free block, 0 for every other page.
 * Blocks are aligned relative to the pool's first page. */
#include "kernel/mm/contig.h"
#include <stdbool.h>
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"

#define PG 4096u
#define NIL UINT32_MAX

static uint64_t pool_base;
static uint32_t pool_pages, nfree;
static uint32_t head[CONTIG_MAX_ORDER + 1];
static uint32_t nxt[CONTIG_MAX_PAGES], prv[CONTIG_MAX_PAGES];
static uint8_t ord[CONTIG_MAX_PAGES];

static void list_add(uint32_t i, uint32_t k)
{
	nxt[i] = head[k];
	prv[i] = NIL;
	if (head[k] != NIL)
		prv[head[k]] = i;
	head[k] = i;
	ord[i] = (uint8_t)(k + 1);
}

static void list_del(uint32_t i, uint32_t k)
{
	if (prv[i] != NIL)
		nxt[prv[i]] = nxt[i];
	else
		head[k] = nxt[i];
	if (nxt[i] != NIL)
		prv[nxt[i]] = prv[i];
	ord[i] = 0;
}

/* Free the block of order k at page i, merging it with its buddy as long as that is free. */
static void free_block(uint32_t i, uint32_t k)
{
	nfree += 1u << k;
	while (k < CONTIG_MAX_ORDER) {
		uint32_t buddy = i ^ (1u << k);
		if (buddy + (1u << k) > pool_pages || ord[buddy] != k + 1)
			break;
		list_del(buddy, k);
		if (buddy < i)
			i = buddy;
		k++;
	}
	list_add(i, k);
}

/* Free pages [i, i + n) as the largest aligned blocks that tile them. */
static void free_span(uint32_t i, uint32_t n)
{
	while (n) {
		uint32_t k = 0;
		while (k < CONTIG_MAX_ORDER && !(i & (1u << k)) && (2u << k) <= n)
			k++;
		free_block(i, k);
		i += 1u << k;
		n -= 1u << k;
	}
}

void contig_init(uint64_t base, uint32_t pages)
{
	if (pages > CONTIG_MAX_PAGES)
		pages = CONTIG_MAX_PAGES;
	pool_base = base;
	pool_pages = pages;
	nfree = 0;
	for (int k = 0; k <= CONTIG_MAX_ORDER; k++)
		head[k] = NIL;
	for (uint32_t i = 0; i < pages; i++)
		ord[i] = 0;
	free_span(0, pages);
}

static uint32_t order_for(uint32_t n)
{
	uint32_t k = 0;
	while ((1u << k) < n)
		k++;
	return k;
}

int contig_alloc(uint32_t n, uint64_t *pa)
{
	if (!n || n > (1u << CONTIG_MAX_ORDER))
		return -EINVAL;
	if (!pool_pages)
		return -ENOMEM;                      /* before contig_init */
	uint32_t want = order_for(n), k = want;
	while (k <= CONTIG_MAX_ORDER && head[k] == NIL)
		k++;
	if (k > CONTIG_MAX_ORDER)
		return -ENOMEM;
	uint32_t i = head[k];
	list_del(i, k);
	nfree -= 1u << k;
	/* the block may be far bigger than n: everything past n goes back at once */
	free_span(i + n, (1u << k) - n);
	*pa = pool_base + (uint64_t)i * PG;
	return 0;
}

/* Whether any page of [i, i + n) lies inside a free block (a double free). */
static bool overlaps_free(uint32_t i, uint32_t n)
{
	for (uint32_t k = 0; k <= CONTIG_MAX_ORDER; k++)
		for (uint32_t b = head[k]; b != NIL; b = nxt[b])
			if (b < i + n && i < b + (1u << k))
				return true;
	return false;
}

void contig_free(uint64_t pa, uint32_t n)
{
	uint64_t off = pa - pool_base;
	if (pa < pool_base || (off % PG) || !n || off / PG + n > pool_pages)
		panic("contig_free: run %lx of %u pages is not from the pool", pa, n);
	uint32_t i = (uint32_t)(off / PG);
	if (overlaps_free(i, n))
		panic("contig_free: run %lx of %u pages is free already", pa, n);
	free_span(i, n);
}

uint32_t contig_free_pages(void)
{
	return nfree;
}

uint32_t contig_total_pages(void)
{
	return pool_pages;
}

uint32_t contig_largest(void)
{
	for (int k = CONTIG_MAX_ORDER; k >= 0; k--)
		if (head[k] != NIL)
			return 1u << k;
	return 0;
}
