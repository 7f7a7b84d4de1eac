/*
 * Contiguous kernel views of scattered pages (see vmap.h). Areas are handed out first fit
 * from a small table sorted by address, each followed by an unmapped guard page. Page tables
 * are made as pages are mapped and freed when the last area using them goes, so an idle
 * window holds no memory (the leak checks then see every page come back). Tables are freed
 * only where no reserved area lies: an area being filled (whose page-table walk may make the
 * page allocator reclaim, and so release other areas) never loses a table under it.
 */
#include "kernel/mm/vmap.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"

#define VMAP_MAX_AREAS 128
#define GIB (1ul << 30)

struct area {
	uint64_t start;
	uint64_t pages;          /* guard page included */
};

static struct area areas[VMAP_MAX_AREAS];       /* sorted by start */
static int nareas;

static uint64_t area_end(int i)
{
	return areas[i].start + areas[i].pages * PAGE_SIZE;
}

int vmap_reserve(size_t npages, void **out)
{
	if (npages == 0 || npages >= VMAP_AREA_SIZE / PAGE_SIZE || nareas == VMAP_MAX_AREAS)
		return -ENOMEM;
	uint64_t need = (npages + 1) * PAGE_SIZE, at = VMAP_AREA;
	int i = 0;
	for (; i < nareas && areas[i].start - at < need; i++)
		at = area_end(i);
	if (VMAP_AREA + VMAP_AREA_SIZE - at < need)
		return -ENOMEM;
	memmove(&areas[i + 1], &areas[i], (size_t)(nareas - i) * sizeof(areas[0]));
	areas[i] = (struct area){ at, npages + 1 };
	nareas++;
	*out = (void *)at;
	return 0;
}

static int find(const void *base)
{
	for (int i = 0; i < nareas; i++)
		if (areas[i].start == (uint64_t)base)
			return i;
	return -1;
}

int vmap_page(void *base, size_t i, uint64_t pa, uint64_t flags)
{
	int a = find(base);
	if (a < 0 || i + 1 >= areas[a].pages)
		return -EINVAL;
	return pt_map(paging_kernel_root(), (uint64_t)base + i * PAGE_SIZE, pa,
		      (flags & (PTE_W | PTE_NX | PTE_PCD | PTE_PWT)) | PTE_G);
}

void vmap_release(void *base, bool free_pages)
{
	int i = find(base);
	if (i < 0)
		panic("vmap_release: no area at %p", base);
	uint64_t start = areas[i].start, end = area_end(i);
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t pa = pt_unmap(paging_kernel_root(), va);
		if (pa && free_pages)
			pmm_free(pa);
	}
	/* the gap the area leaves, within the 1 GiB spans it touched (tables elsewhere in the
	 * gap went with earlier areas) */
	uint64_t lo = i ? area_end(i - 1) : VMAP_AREA;
	uint64_t hi = i + 1 < nareas ? areas[i + 1].start : VMAP_AREA + VMAP_AREA_SIZE;
	lo = lo > (start & ~(GIB - 1)) ? lo : start & ~(GIB - 1);
	hi = hi < ((end + GIB - 1) & ~(GIB - 1)) ? hi : (end + GIB - 1) & ~(GIB - 1);
	memmove(&areas[i], &areas[i + 1], (size_t)(nareas - i - 1) * sizeof(areas[0]));
	nareas--;
	pt_release_tables(paging_kernel_root(), lo, hi - lo);
}
