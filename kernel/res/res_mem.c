/*
 * Memory for the growing resource tables (res.h): each table gets a window of kernel
 * addresses in TABLE_AREA at registration, with its page tables made at once (so mapping a
 * chunk later needs only the chunk's own pages, and unmapping gives every page back: the
 * leak checks see a table that shrank back exactly where it was). Chunks are mapped page by
 * page from the page allocator while they hold live entries.
 */
#include "kernel/res/res.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/pmm.h"

#define TABLE_AREA_SIZE (256ul << 30)

static uint64_t next_window = TABLE_AREA;

void *res_mem_reserve(size_t bytes)
{
	uint64_t va = next_window;
	bytes = (bytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	next_window += bytes + PAGE_SIZE;           /* an unmapped page between tables */
	if (next_window > TABLE_AREA + TABLE_AREA_SIZE)
		panic("res_mem_reserve: table area full");
	if (pt_prepare(paging_kernel_root(), va, bytes))
		panic("res_mem_reserve: no memory for the tables of a resource table");
	return (void *)va;
}

void res_mem_unmap(void *va, size_t bytes)
{
	for (size_t off = 0; off < bytes; off += PAGE_SIZE) {
		uint64_t pa = pt_unmap(paging_kernel_root(), (uint64_t)va + off);
		if (pa)
			pmm_free(pa);
	}
}

int res_mem_map(void *va, size_t bytes)
{
	for (size_t off = 0; off < bytes; off += PAGE_SIZE) {
		uint64_t pa = pmm_alloc_dirty();
		if (!pa || pt_map(paging_kernel_root(), (uint64_t)va + off, pa,
				  PTE_W | PTE_NX | PTE_G)) {
			if (pa)
				pmm_free(pa);
			res_mem_unmap(va, off);
			return -ENOMEM;
		}
	}
	return 0;
}
