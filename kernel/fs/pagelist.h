/* The content pages of a run-time plate: a radix tree of physical pages as deep as the file
 * needs. Depth 0: the root is data page 0 itself (a file of one page costs one page); depth d:
 * the root is an index page whose PL_PER_IDX entries are subtrees of depth d - 1, so depth 3
 * spans PL_MAX_PAGES (512 GiB). The tree deepens when a page beyond its span is written and
 * gets shallower again when truncation leaves only its first subtree. Pages are allocated on
 * first write; a page never written (a hole) reads as zeros. */
#pragma once
#include <stdint.h>

#define PL_PAGE 4096ul
#define PL_PER_IDX 512ul
#define PL_SHIFT 9                                 /* log2 PL_PER_IDX */
#define PL_DEPTH_MAX 3
#define PL_MAX_PAGES (PL_PER_IDX * PL_PER_IDX * PL_PER_IDX)   /* 512 GiB of content */

struct pagelist {
	uint64_t root;                             /* physical address, 0 = empty */
	uint32_t depth;
};

/* The data page number pgno, or NULL if it has never been written. */
void *pagelist_get(const struct pagelist *pl, uint64_t pgno);
/* The data page pgno, allocated (zeroed) if needed: -EFBIG beyond PL_MAX_PAGES, -ENOSPC when
 * memory is exhausted. */
int pagelist_get_alloc(struct pagelist *pl, uint64_t pgno, void **out);
/* Frees every data page from pgno on, and index pages left empty. */
void pagelist_free_from(struct pagelist *pl, uint64_t pgno);
/* Pages (data and index) all page lists hold now. */
uint64_t pagelist_pages(void);
