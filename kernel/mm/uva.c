/*
 * System-wide user address allocator (see uva.h). [UVA_BASE, UVA_END) is cut into spans, a
 * sorted array in which each span runs from its start to the next one's: a span is free
 * (no holders) or held by a count of holders (a process and its fork children each hold the
 * ranges they use). Free spans are always merged with free neighbours; held spans are not,
 * because their boundaries are where holders may later let go of a part.
 */
#include "kernel/mm/uva.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/vattach.h"
#include <stdbool.h>

/* Room for as many held spans as the system has attachments (NVATTACH), each with a free
 * span beside it, and the images of PIE programs. A full table makes taking addresses fail
 * (ENOMEM), never letting go. */
#define MAX_SPANS (2 * NVATTACH + 2 * 4096)

static struct span {
	uint64_t start;
	uint32_t holders;       /* 0: free */
} spans[MAX_SPANS];
static int nspans;

void uva_init(void)
{
	spans[0] = (struct span){ UVA_BASE, 0 };
	nspans = 1;
}

static uint64_t span_end(int i)
{
	return i + 1 < nspans ? spans[i + 1].start : UVA_END;
}

/* The span holding addr (UVA_BASE <= addr < UVA_END). */
static int find(uint64_t addr)
{
	int lo = 0, hi = nspans - 1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (spans[mid].start <= addr)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static bool in_range(uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	return size && !(addr & 0xfff) && !(size & 0xfff) && end > addr && addr >= UVA_BASE &&
	       end <= UVA_END;
}

/* How many new spans cutting at addr and at end would take. */
static int cuts_needed(uint64_t addr, uint64_t end)
{
	int n = spans[find(addr)].start != addr;
	return n + (end < UVA_END && spans[find(end)].start != end);
}

/* Make addr the start of a span (room checked by the caller). */
static void cut(uint64_t addr)
{
	if (addr >= UVA_END)
		return;
	int i = find(addr);
	if (spans[i].start == addr)
		return;
	memmove(&spans[i + 2], &spans[i + 1], (nspans - i - 1) * sizeof(spans[0]));
	spans[i + 1] = (struct span){ addr, spans[i].holders };
	nspans++;
}

static void remove_at(int i)
{
	memmove(&spans[i], &spans[i + 1], (nspans - i - 1) * sizeof(spans[0]));
	nspans--;
}

/* Merge the free spans among [first, last] (and last's right neighbour) with free neighbours. */
static void merge_free(int first, int last)
{
	if (first < 1)
		first = 1;
	for (int i = last + 1 < nspans ? last + 1 : last; i >= first; i--)
		if (!spans[i].holders && !spans[i - 1].holders)
			remove_at(i);
}

/* Add delta (+1 or -1) to the holders of every span in [addr, end), cutting at both ends. */
static void add_holders(uint64_t addr, uint64_t end, int delta)
{
	cut(addr);
	cut(end);
	int first = find(addr), i = first;
	for (; i < nspans && spans[i].start < end; i++)
		spans[i].holders += (uint32_t)delta;
	merge_free(first, i - 1);
}

/* The largest holder count in [addr, end). */
static uint32_t max_holders(uint64_t addr, uint64_t end)
{
	uint32_t m = 0;
	for (int i = find(addr); i < nspans && spans[i].start < end; i++)
		m = spans[i].holders > m ? spans[i].holders : m;
	return m;
}

/* Take [addr, end), all of it free, for one holder. */
static int take(uint64_t addr, uint64_t end)
{
	if (nspans + cuts_needed(addr, end) > MAX_SPANS)
		return -ENOMEM;
	add_holders(addr, end, 1);
	return 0;
}

int uva_alloc(uint64_t size, uint64_t align, uint64_t *addr)
{
	if (!size || (size & 0xfff) || align < 4096 || (align & (align - 1)))
		return -EINVAL;
	for (int i = 0; i < nspans; i++) {
		uint64_t a = (spans[i].start + align - 1) & ~(align - 1);
		if (spans[i].holders || a < spans[i].start || a + size < a || a + size > span_end(i))
			continue;
		int err = take(a, a + size);
		if (!err)
			*addr = a;
		return err;
	}
	return -ENOMEM;
}

int uva_reserve(uint64_t addr, uint64_t size)
{
	if (!size || (addr & 0xfff) || (size & 0xfff) || addr + size < addr)
		return -EINVAL;
	if (!in_range(addr, size) || max_holders(addr, addr + size))
		return -ENOMEM;
	return take(addr, addr + size);
}

int uva_share(uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	if (!in_range(addr, size))
		panic("uva_share: [%lx, %lx) is not a user address range", addr, end);
	for (int i = find(addr); i < nspans && spans[i].start < end; i++)
		if (!spans[i].holders)
			panic("uva_share: [%lx, %lx) is not all held", addr, end);
	if (nspans + cuts_needed(addr, end) > MAX_SPANS)
		return -ENOMEM;
	add_holders(addr, end, 1);
	return 0;
}

int uva_take(uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	if (!in_range(addr, size))
		return -EINVAL;
	if (nspans + cuts_needed(addr, end) > MAX_SPANS)
		return -ENOMEM;
	add_holders(addr, end, 1);
	return 0;
}

int uva_split(uint64_t addr)
{
	if (addr <= UVA_BASE || addr >= UVA_END || (addr & 0xfff))
		return 0;
	int i = find(addr);
	if (spans[i].start == addr || !spans[i].holders)
		return 0;                   /* a boundary already, or free (nobody lets go of it) */
	if (nspans == MAX_SPANS)
		return -ENOMEM;
	cut(addr);
	return 0;
}

uint32_t uva_holders(uint64_t addr, uint64_t size)
{
	return in_range(addr, size) ? max_holders(addr, addr + size) : 0;
}

void uva_free(uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	if (!in_range(addr, size))
		panic("uva_free: [%lx, %lx) is not a user address range", addr, end);
	for (int i = find(addr); i < nspans && spans[i].start < end; i++)
		if (!spans[i].holders)
			panic("uva_free: [%lx, %lx) is not all held", addr, end);
	/* holders cut a range with uva_split before they let go of a part of it, so this needs
	 * no room; a cut missing and no room for it is a kernel bug */
	if (nspans + cuts_needed(addr, end) > MAX_SPANS)
		panic("uva_free: no boundary at [%lx, %lx) and no room to cut", addr, end);
	add_holders(addr, end, -1);
}
