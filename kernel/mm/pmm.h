/* The physical page allocator: every free 4 KiB page of RAM from the boot memory map. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "arch/paging.h"

/* Add the RAM range [base, base+len) as free pages (called per memory-map entry at boot). */
void pmm_add_range(uint64_t base, uint64_t len);
/* Keep [base, base+len) out of the allocator (kernel image, boot modules); call before add. */
void pmm_reserve(uint64_t base, uint64_t len);
/* Place the table of page reference counts (4 bytes a page of RAM below top) inside the RAM
 * range [base, base+len), away from every reserved range, and reserve it: 0, or -ENOMEM when
 * it does not fit there. Called at boot for each RAM range, before pmm_add_range, until one
 * takes it. */
int pmm_refs_place(uint64_t base, uint64_t len, uint64_t top);
/* A zeroed page's physical address, or 0 when memory is exhausted. Every allocated page
 * starts with one reference. */
uint64_t pmm_alloc(void);
/* A page whose content is undefined (the caller overwrites it all). */
uint64_t pmm_alloc_dirty(void);
/* Drop one reference to the page: it goes back to the free list with its last one. */
void pmm_free(uint64_t pa);
/* One more holder of an allocated page (a region sharing it copy-on-write). */
void pmm_share(uint64_t pa);
/* How many holders the allocated page has (1 for a page nobody shares). */
uint32_t pmm_refs(uint64_t pa);
/* pmm_free for a page that held program text: it is handed out again only when no other page is
 * free. (Under an emulator, writing to a page that held executed code costs the discarding
 * of its translations; keeping such pages back avoids that on every new process.) */
void pmm_free_cold(uint64_t pa);
/* Called when no page is free: should give back at least 'pages' pages if it can (the
 * reusable-resource table registers itself here). */
void pmm_set_reclaim(int (*reclaim)(uint64_t pages));
/* Keep the last `pages` free pages for callers for whom may_use() is true (the kernel and
 * root: kernel/proc/ulimit.h); others get 0 from pmm_alloc once only those are left. */
void pmm_set_reserve(uint64_t pages, bool (*may_use)(void));
/* Whether `pages` more pages could be had (reclaiming cached ones if need be) without
 * touching the reserve. */
bool pmm_user_room(uint64_t pages);
/* At boot: take n free pages in one run starting at a multiple of align pages (the pool of
 * contiguous runs, kernel/mm/contig.h); each gets one reference, held by the caller for
 * good. -ENOMEM when no such run is free. */
int pmm_take_run(uint64_t n, uint64_t align, uint64_t *pa);
uint64_t pmm_free_pages(void);
uint64_t pmm_total_pages(void);
