/*
 * Physically contiguous page runs (for ICAs, kernel/ipc/ica.h): a buddy allocator over one
 * pool of pages set aside at boot (pmm_take_run). Runs of any length are handed out: a
 * request takes the smallest power-of-two block that holds it and gives the unused tail back
 * at once, and freeing a run returns it as the aligned blocks it decomposes into, which merge
 * with their buddies. The bookkeeping lives in static arrays indexed by page number within
 * the pool, so the allocator never allocates and can be tested on the host.
 */
#pragma once
#include <stdint.h>

#define CONTIG_MAX_ORDER 12                  /* blocks of up to 4096 pages (16 MiB) */
#define CONTIG_MAX_PAGES (1u << 15)          /* pool of 128 MiB at most */

/* The pool is [base, base + pages * 4096); base aligned to 4096. Forgets any earlier pool. */
void contig_init(uint64_t base, uint32_t pages);
/* n pages (1 <= n <= 1 << CONTIG_MAX_ORDER) in one run: its address in *pa, or -ENOMEM
 * (-EINVAL for a bad n). The content is undefined. */
int contig_alloc(uint32_t n, uint64_t *pa);
/* Give back a run returned by contig_alloc (the same n). A run outside the pool or a page
 * already free is a kernel bug: panic. */
void contig_free(uint64_t pa, uint32_t n);
uint32_t contig_free_pages(void);
uint32_t contig_total_pages(void);
/* The longest run contig_alloc could give now. */
uint32_t contig_largest(void);
