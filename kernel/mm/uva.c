/* System-wide user address allocator (see uva.h): a sorted array of free ranges. */
#include "kernel/mm/uva.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include <stdbool.h>

#define MAX_RANGES 1024

static struct range {
	uint64_t start, end;
} ranges[MAX_RANGES];
static int nranges;

void uva_init(void)
{
	ranges[0] = (struct range){ UVA_BASE, UVA_END };
	nranges = 1;
}

static void remove_at(int i)
{
	memmove(&ranges[i], &ranges[i + 1], (nranges - i - 1) * sizeof(ranges[0]));
	nranges--;
}

static int insert_at(int i, uint64_t start, uint64_t end)
{
	if (nranges == MAX_RANGES)
		return -ENOMEM;
	memmove(&ranges[i + 1], &ranges[i], (nranges - i) * sizeof(ranges[0]));
	ranges[i] = (struct range){ start, end };
	nranges++;
	return 0;
}

int uva_alloc(uint64_t size, uint64_t align, uint64_t *addr)
{
	if (!size || (size & 0xfff) || align < 4096 || (align & (align - 1)))
		return -EINVAL;
	for (int i = 0; i < nranges; i++) {
		struct range *r = &ranges[i];
		uint64_t a = (r->start + align - 1) & ~(align - 1);
		if (a < r->start || a + size > r->end || a + size < a)
			continue;
		uint64_t s = r->start, e = r->end;
		if (a > s && a + size < e) {
			if (insert_at(i + 1, a + size, e))
				return -ENOMEM;
			ranges[i].end = a;
		} else if (a > s) {
			r->end = a;
		} else if (a + size < e) {
			r->start = a + size;
		} else {
			remove_at(i);
		}
		*addr = a;
		return 0;
	}
	return -ENOMEM;
}

#define MAX_SHARED 256

static struct shared {
	uint64_t addr, size;
	uint32_t extra;          /* holders beyond the first */
} shared[MAX_SHARED];

int uva_share(uint64_t addr, uint64_t size)
{
	struct shared *free_slot = NULL;
	for (int i = 0; i < MAX_SHARED; i++) {
		if (shared[i].extra && shared[i].addr == addr && shared[i].size == size) {
			shared[i].extra++;
			return 0;
		}
		if (!shared[i].extra && !free_slot)
			free_slot = &shared[i];
	}
	if (!free_slot)
		return -ENOMEM;
	*free_slot = (struct shared){ addr, size, 1 };
	return 0;
}

/* A holder of a shared range lets go: true if others still hold it. */
static bool drop_shared(uint64_t addr, uint64_t size)
{
	for (int i = 0; i < MAX_SHARED; i++) {
		if (shared[i].extra && shared[i].addr == addr && shared[i].size == size) {
			shared[i].extra--;
			return true;
		}
	}
	return false;
}

void uva_free(uint64_t addr, uint64_t size)
{
	if (drop_shared(addr, size))
		return;
	uint64_t end = addr + size;
	int i = 0;
	while (i < nranges && ranges[i].start < addr)
		i++;
	assert(i == 0 || ranges[i - 1].end <= addr);
	assert(i == nranges || ranges[i].start >= end);
	int left = i > 0 && ranges[i - 1].end == addr;
	int right = i < nranges && ranges[i].start == end;
	if (left && right) {
		ranges[i - 1].end = ranges[i].end;
		remove_at(i);
	} else if (left) {
		ranges[i - 1].end = end;
	} else if (right) {
		ranges[i].start = addr;
	} else if (insert_at(i, addr, end)) {
		panic("uva_free: range table full");
	}
}

int uva_reserve(uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	if (!size || (addr & 0xfff) || (size & 0xfff) || end < addr)
		return -EINVAL;
	for (int i = 0; i < nranges; i++) {
		struct range *r = &ranges[i];
		if (addr < r->start || end > r->end)
			continue;
		if (addr > r->start && end < r->end) {
			if (insert_at(i + 1, end, r->end))
				return -ENOMEM;
			ranges[i].end = addr;
		} else if (addr > r->start) {
			r->end = addr;
		} else if (end < r->end) {
			r->start = end;
		} else {
			remove_at(i);
		}
		return 0;
	}
	return -ENOMEM;
}
