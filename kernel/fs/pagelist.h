/* The content pages of a run-time plate: a two-level list. Each of PL_IDX index pages holds
 * the physical addresses of PL_PER_IDX data pages, so a plate of up to PL_MAX_PAGES pages
 * costs only PL_IDX words in its table entry. Pages are allocated on first write; a page
 * never written (a hole) reads as zeros. */
#pragma once
#include <stdint.h>

#define PL_PAGE 4096ul
#define PL_PER_IDX 512ul
#define PL_IDX 8ul
#define PL_MAX_PAGES (PL_IDX * PL_PER_IDX)        /* 16 MiB of content */

struct pagelist {
	uint64_t idx[PL_IDX];                      /* physical addresses of index pages, 0 = none */
};

/* The data page number pgno, or NULL if it has never been written. */
void *pagelist_get(const struct pagelist *pl, uint64_t pgno);
/* The data page pgno, allocated (zeroed) if needed: -EFBIG beyond PL_MAX_PAGES, -ENOSPC when
 * memory is exhausted. */
int pagelist_get_alloc(struct pagelist *pl, uint64_t pgno, void **out);
/* Frees every data page from pgno on, and index pages left empty. */
void pagelist_free_from(struct pagelist *pl, uint64_t pgno);
