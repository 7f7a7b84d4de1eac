/* Contiguous kernel views of scattered physical pages (a vmap): an area of consecutive
 * addresses in VMAP_AREA (arch/paging.h) is reserved, its pages are mapped one by one, and
 * releasing it unmaps them (optionally giving them back to the page allocator). Used where
 * code needs one flat view of memory that the page allocator hands out page by page, such as
 * a copy of a run-time file that a program runs from (plate_view_open). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reserves npages of addresses (nothing mapped yet; an unmapped guard page follows):
 * -ENOMEM when the window has no such gap or too many areas exist. */
int vmap_reserve(size_t npages, void **out);
/* Maps physical page pa as page i of the area at base; flags: PTE_W, PTE_NX, and
 * PTE_PCD|PTE_PWT for device memory (the mapping is global, like every kernel mapping outside
 * the direct map). -ENOMEM without memory for a page
 * table, -EINVAL for a page outside the area. */
int vmap_page(void *base, size_t i, uint64_t pa, uint64_t flags);
/* Unmaps the area at base and frees its addresses and the page tables only it used;
 * free_pages: also give every page that was mapped in it back to the page allocator. */
void vmap_release(void *base, bool free_pages);
