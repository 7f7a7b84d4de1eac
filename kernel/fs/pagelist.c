/* Radix trees of pages for run-time plate content (see pagelist.h). */
#include "kernel/fs/pagelist.h"
#include <stdbool.h>
#include <stddef.h>
#include "abi/errno.h"
#include "kernel/mm/pmm.h"

static uint64_t held;            /* pages of every page list, for /proc/meminfo and statfs */

uint64_t pagelist_pages(void)
{
	return held;
}

/* Pages a subtree of depth d spans. */
static uint64_t span(uint32_t d)
{
	return 1ull << (PL_SHIFT * d);
}

static uint64_t new_page(void)
{
	uint64_t pa = pmm_alloc();
	if (pa)
		held++;
	return pa;
}

static void free_page(uint64_t pa)
{
	pmm_free(pa);
	held--;
}

void *pagelist_get(const struct pagelist *pl, uint64_t pgno)
{
	uint64_t node = pl->root;
	if (!node || pgno >= span(pl->depth))
		return NULL;
	for (uint32_t d = pl->depth; d > 0 && node; d--) {
		const uint64_t *ix = phys_to_virt(node);
		node = ix[(pgno >> (PL_SHIFT * (d - 1))) & (PL_PER_IDX - 1)];
	}
	return node ? phys_to_virt(node) : NULL;
}

/* Makes the tree deep enough to hold page pgno (a new root above the old one). */
static int deepen(struct pagelist *pl, uint64_t pgno)
{
	while (pgno >= span(pl->depth)) {
		if (!pl->root) {
			pl->depth++;
			continue;
		}
		uint64_t top = new_page();
		if (!top)
			return -ENOSPC;
		((uint64_t *)phys_to_virt(top))[0] = pl->root;
		pl->root = top;
		pl->depth++;
	}
	return 0;
}

int pagelist_get_alloc(struct pagelist *pl, uint64_t pgno, void **out)
{
	if (pgno >= PL_MAX_PAGES)
		return -EFBIG;
	int err = deepen(pl, pgno);
	if (err)
		return err;
	uint64_t *slot = &pl->root;
	for (uint32_t d = pl->depth; d > 0; d--) {
		if (!*slot && !(*slot = new_page()))
			return -ENOSPC;
		uint64_t *ix = phys_to_virt(*slot);
		slot = &ix[(pgno >> (PL_SHIFT * (d - 1))) & (PL_PER_IDX - 1)];
	}
	if (!*slot && !(*slot = new_page()))
		return -ENOSPC;
	*out = phys_to_virt(*slot);
	return 0;
}

static bool index_empty(const uint64_t *ix, uint64_t from)
{
	for (uint64_t k = from; k < PL_PER_IDX; k++)
		if (ix[k])
			return false;
	return true;
}

/* Frees the pages at or beyond first (relative to the subtree) of the subtree at *node of
 * depth d; the subtree's own page goes too when nothing is left in it. */
static void free_subtree(uint64_t *node, uint32_t d, uint64_t first)
{
	if (!*node)
		return;
	if (d > 0) {
		uint64_t *ix = phys_to_virt(*node);
		uint64_t sub = span(d - 1);
		for (uint64_t k = first / sub; k < PL_PER_IDX; k++)
			free_subtree(&ix[k], d - 1, k * sub < first ? first - k * sub : 0);
		if (!index_empty(ix, 0))
			return;
	} else if (first) {
		return;                                    /* a data page before the cut stays */
	}
	free_page(*node);
	*node = 0;
}

void pagelist_free_from(struct pagelist *pl, uint64_t pgno)
{
	if (pgno < span(pl->depth))
		free_subtree(&pl->root, pl->depth, pgno);
	/* a root holding only its first subtree is replaced by that subtree */
	while (pl->root && pl->depth > 0 && index_empty(phys_to_virt(pl->root), 1)) {
		uint64_t old = pl->root;
		pl->root = ((uint64_t *)phys_to_virt(old))[0];
		free_page(old);
		pl->depth--;
	}
	if (!pl->root)
		pl->depth = 0;
}
