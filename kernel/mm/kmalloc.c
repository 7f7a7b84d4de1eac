/* Kernel heap: power-of-two size classes from 32 bytes to a page, each object preceded by a
 * 16-byte header naming its class; free objects are kept on per-class lists. */
#include "kernel/mm/kmalloc.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include <stdint.h>

#define MIN_SHIFT 5
#define MAX_SHIFT 12
#define HDR 16
#define MAGIC 0x7e55e7a0u

struct hdr {
	uint32_t magic;
	uint32_t shift;
	void *next_free;
};

static struct hdr *free_list[MAX_SHIFT + 1];

static int class_of(size_t total)
{
	int s = MIN_SHIFT;
	while ((1ul << s) < total)
		s++;
	return s;
}

static int refill(int shift)
{
	uint64_t pa = pmm_alloc_dirty();
	if (!pa)
		return -1;
	char *page = phys_to_virt(pa);
	for (size_t off = 0; off < PAGE_SIZE; off += 1ul << shift) {
		struct hdr *h = (struct hdr *)(page + off);
		h->shift = shift;
		h->magic = 0;
		h->next_free = free_list[shift];
		free_list[shift] = h;
	}
	return 0;
}

void *kmalloc(size_t size)
{
	if (size > PAGE_SIZE - HDR)
		return NULL;
	int s = class_of(size + HDR);
	if (!free_list[s] && refill(s))
		return NULL;
	struct hdr *h = free_list[s];
	free_list[s] = h->next_free;
	h->magic = MAGIC;
	return (char *)h + HDR;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct hdr *h = (struct hdr *)((char *)p - HDR);
	if (h->magic != MAGIC || h->shift < MIN_SHIFT || h->shift > MAX_SHIFT)
		panic("kfree: bad or double free of %p", p);
	h->magic = 0;
	h->next_free = free_list[h->shift];
	free_list[h->shift] = h;
}
