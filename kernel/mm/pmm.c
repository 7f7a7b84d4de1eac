/* Physical page allocator: a LIFO free list threaded through the free pages themselves, plus
 * a bitmap of allocated pages so that a double free or a foreign address is caught at once,
 * and a reference count per page (pages regions share copy-on-write have several holders). */
#include "kernel/mm/pmm.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

#define MAX_PHYS (16ul << 30)                 /* 16 GiB of RAM at most */
#define NPAGES (MAX_PHYS / PAGE_SIZE)

static uint64_t free_bitmap[NPAGES / 64];     /* 1 = on the free list */
static uint64_t free_head;                    /* physical address, 0 = empty */
static uint64_t cold_head;                    /* pages that held code: used last */
static uint64_t nfree, ntotal;
static uint32_t *refs;                        /* holders of each allocated page */
static uint64_t nrefs;                        /* pages the table covers */

#define NRESERVED 8
static struct {
	uint64_t base, end;
} reserved[NRESERVED];
static int nreserved;

void pmm_reserve(uint64_t base, uint64_t len)
{
	assert(nreserved < NRESERVED);
	reserved[nreserved].base = base & ~(PAGE_SIZE - 1);
	reserved[nreserved].end = (base + len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	nreserved++;
}

int pmm_refs_place(uint64_t base, uint64_t len, uint64_t top)
{
	if (top > MAX_PHYS)
		top = MAX_PHYS;
	uint64_t bytes = (top / PAGE_SIZE * sizeof(*refs) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t at = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (at < 0x100000)
		at = 0x100000;                        /* the first MiB is the firmware's */
	/* past every reserved range it would overlap; start over after each move */
	for (int i = 0; i < nreserved; i++) {
		if (at < reserved[i].end && reserved[i].base < at + bytes) {
			at = reserved[i].end;
			i = -1;
		}
	}
	if (at + bytes > base + len || at + bytes > MAX_PHYS || nreserved == NRESERVED)
		return -ENOMEM;
	refs = phys_to_virt(at);
	nrefs = top / PAGE_SIZE;
	memset(refs, 0, bytes);
	pmm_reserve(at, bytes);
	return 0;
}

static uint32_t *ref_of(uint64_t pa, const char *who)
{
	if (pa / PAGE_SIZE >= nrefs)
		panic("%s: %lx is beyond the reference table", who, pa);
	return &refs[pa / PAGE_SIZE];
}

static int is_reserved(uint64_t pa)
{
	for (int i = 0; i < nreserved; i++)
		if (pa >= reserved[i].base && pa < reserved[i].end)
			return 1;
	return 0;
}

static void push_list(uint64_t *head, uint64_t pa)
{
	free_bitmap[pa / PAGE_SIZE / 64] |= 1ul << (pa / PAGE_SIZE % 64);
	*(uint64_t *)phys_to_virt(pa) = *head;
	*head = pa;
	nfree++;
}

static void push_free(uint64_t pa)
{
	push_list(&free_head, pa);
}

void pmm_add_range(uint64_t base, uint64_t len)
{
	uint64_t start = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t end = (base + len) & ~(PAGE_SIZE - 1);
	if (start < 0x100000)
		start = 0x100000;                     /* leave the first MiB to firmware */
	if (end > MAX_PHYS)
		end = MAX_PHYS;
	/* push from the top down so low pages are handed out first */
	for (uint64_t pa = end; pa > start;) {
		pa -= PAGE_SIZE;
		if (is_reserved(pa))
			continue;
		push_free(pa);
		ntotal++;
	}
}

static int (*reclaim_fn)(uint64_t pages);

void pmm_set_reclaim(int (*reclaim)(uint64_t pages))
{
	reclaim_fn = reclaim;
}

static uint64_t reserve_pages;
static bool (*reserve_may_use)(void);

void pmm_set_reserve(uint64_t pages, bool (*may_use)(void))
{
	reserve_pages = pages;
	reserve_may_use = may_use;
}

bool pmm_user_room(uint64_t pages)
{
	if (nfree >= reserve_pages + pages)
		return true;
	if (reclaim_fn)
		reclaim_fn(reserve_pages + pages - nfree);
	return nfree >= reserve_pages + pages;
}

uint64_t pmm_alloc_dirty(void)
{
	if (nfree <= reserve_pages && reserve_may_use && !reserve_may_use() && !pmm_user_room(1))
		return 0;
	if (!free_head && !cold_head && reclaim_fn)
		reclaim_fn(64);
	uint64_t *head = free_head ? &free_head : &cold_head;
	uint64_t pa = *head;
	if (!pa)
		return 0;
	*head = *(uint64_t *)phys_to_virt(pa);
	nfree--;
	uint64_t *w = &free_bitmap[pa / PAGE_SIZE / 64];
	assert(*w & (1ul << (pa / PAGE_SIZE % 64)));
	*w &= ~(1ul << (pa / PAGE_SIZE % 64));
	*ref_of(pa, "pmm_alloc_dirty") = 1;
	return pa;
}

uint64_t pmm_alloc(void)
{
	uint64_t pa = pmm_alloc_dirty();
	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

/* Drop one reference; true when it was the last (the page is to be put on a free list). */
static bool put_ref(uint64_t pa, const char *who)
{
	if ((pa & (PAGE_SIZE - 1)) || pa >= MAX_PHYS)
		panic("%s: bad address %lx", who, pa);
	if (free_bitmap[pa / PAGE_SIZE / 64] & (1ul << (pa / PAGE_SIZE % 64)))
		panic("%s: double free of %lx", who, pa);
	uint32_t *r = ref_of(pa, who);
	if (*r > 1) {
		(*r)--;
		return false;
	}
	*r = 0;
	return true;
}

void pmm_free(uint64_t pa)
{
	if (put_ref(pa, "pmm_free"))
		push_free(pa);
}

void pmm_free_cold(uint64_t pa)
{
	if (put_ref(pa, "pmm_free_cold"))
		push_list(&cold_head, pa);
}

void pmm_share(uint64_t pa)
{
	uint32_t *r = ref_of(pa, "pmm_share");
	if (!*r || *r == UINT32_MAX)
		panic("pmm_share: page %lx has %u references", pa, *r);
	(*r)++;
}

uint32_t pmm_refs(uint64_t pa)
{
	return *ref_of(pa, "pmm_refs");
}

static bool page_free(uint64_t idx)
{
	return free_bitmap[idx / 64] & (1ul << (idx % 64));
}

/* The first page of an aligned run of n free pages, or 0 (page 0 is never free). */
static uint64_t find_run(uint64_t n, uint64_t align)
{
	for (uint64_t start = align; start + n <= nrefs; start += align) {
		uint64_t i = 0;
		while (i < n && page_free(start + i))
			i++;
		if (i == n)
			return start;
	}
	return 0;
}

/* Unlink every page of [lo, hi) from the list at head (walked once: boot time only). */
static void unlink_range(uint64_t *head, uint64_t lo, uint64_t hi)
{
	uint64_t *link = head;
	while (*link) {
		uint64_t pa = *link;
		if (pa >= lo && pa < hi)
			*link = *(uint64_t *)phys_to_virt(pa);
		else
			link = (uint64_t *)phys_to_virt(pa);
	}
}

int pmm_take_run(uint64_t n, uint64_t align, uint64_t *pa)
{
	uint64_t first = n && align ? find_run(n, align) : 0;
	if (!first)
		return -ENOMEM;
	uint64_t lo = first * PAGE_SIZE, hi = lo + n * PAGE_SIZE;
	unlink_range(&free_head, lo, hi);
	unlink_range(&cold_head, lo, hi);
	for (uint64_t i = first; i < first + n; i++) {
		free_bitmap[i / 64] &= ~(1ul << (i % 64));
		refs[i] = 1;
	}
	nfree -= n;
	*pa = lo;
	return 0;
}

uint64_t pmm_free_pages(void)
{
	return nfree;
}

uint64_t pmm_total_pages(void)
{
	return ntotal;
}
