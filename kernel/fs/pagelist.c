/* Two-level page lists for run-time plate content (see pagelist.h). */
#include "kernel/fs/pagelist.h"
#include <stddef.h>
#include "abi/errno.h"
#include "kernel/mm/pmm.h"

static uint64_t *index_page(const struct pagelist *pl, uint64_t i)
{
	return pl->idx[i] ? phys_to_virt(pl->idx[i]) : NULL;
}

void *pagelist_get(const struct pagelist *pl, uint64_t pgno)
{
	if (pgno >= PL_MAX_PAGES)
		return NULL;
	uint64_t *ix = index_page(pl, pgno / PL_PER_IDX);
	if (!ix || !ix[pgno % PL_PER_IDX])
		return NULL;
	return phys_to_virt(ix[pgno % PL_PER_IDX]);
}

int pagelist_get_alloc(struct pagelist *pl, uint64_t pgno, void **out)
{
	if (pgno >= PL_MAX_PAGES)
		return -EFBIG;
	uint64_t i = pgno / PL_PER_IDX;
	if (!pl->idx[i] && !(pl->idx[i] = pmm_alloc()))
		return -ENOSPC;
	uint64_t *ix = index_page(pl, i);
	uint64_t *slot = &ix[pgno % PL_PER_IDX];
	if (!*slot && !(*slot = pmm_alloc()))
		return -ENOSPC;
	*out = phys_to_virt(*slot);
	return 0;
}

static int index_empty(const uint64_t *ix)
{
	for (uint64_t k = 0; k < PL_PER_IDX; k++)
		if (ix[k])
			return 0;
	return 1;
}

void pagelist_free_from(struct pagelist *pl, uint64_t pgno)
{
	for (uint64_t i = pgno / PL_PER_IDX; i < PL_IDX; i++) {
		uint64_t *ix = index_page(pl, i);
		if (!ix)
			continue;
		uint64_t first = i == pgno / PL_PER_IDX ? pgno % PL_PER_IDX : 0;
		for (uint64_t k = first; k < PL_PER_IDX; k++) {
			if (ix[k])
				pmm_free(ix[k]);
			ix[k] = 0;
		}
		if (index_empty(ix)) {
			pmm_free(pl->idx[i]);
			pl->idx[i] = 0;
		}
	}
}
