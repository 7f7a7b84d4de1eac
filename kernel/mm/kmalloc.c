/* Kernel heap. Objects up to 1 KiB come from slab pages of one power-of-two size class each
 * (a small header at the start of the page counts live objects, and an empty page goes back
 * to the page allocator at once, so the heap never hides pages from the leak checks);
 * bigger objects get a page of their own. */
#include "kernel/mm/kmalloc.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "arch/paging.h"
#include "kernel/mm/contig.h"
#include <stdint.h>

#define MIN_SHIFT 5
#define MAX_SHIFT 10
#define SLAB_MAGIC 0x51ab51abu
#define PAGE_MAGIC 0xb16a6e00u
#define PAGE_HDR 16

struct slab {
	uint32_t magic;
	uint16_t shift;
	uint16_t live;
	void *free;                    /* free objects of this page */
	struct slab *next, *prev;      /* the class's list of pages with free objects */
};

static struct slab *partial[MAX_SHIFT + 1];

static void list_remove(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[s->shift] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void list_push(struct slab *s)
{
	s->prev = NULL;
	s->next = partial[s->shift];
	if (s->next)
		s->next->prev = s;
	partial[s->shift] = s;
}

static struct slab *new_slab(int shift)
{
	uint64_t pa = pmm_alloc_dirty();
	if (!pa)
		return NULL;
	struct slab *s = phys_to_virt(pa);
	size_t size = 1ul << shift;
	size_t first = (sizeof(struct slab) + size - 1) & ~(size - 1);
	*s = (struct slab){ .magic = SLAB_MAGIC, .shift = (uint16_t)shift };
	for (size_t off = PAGE_SIZE - size; off >= first; off -= size) {
		void **obj = (void **)((char *)s + off);
		*obj = s->free;
		s->free = obj;
	}
	list_push(s);
	return s;
}

static void *page_alloc(void)
{
	uint64_t pa = pmm_alloc_dirty();
	if (!pa)
		return NULL;
	uint32_t *hdr = phys_to_virt(pa);
	hdr[0] = PAGE_MAGIC;
	return (char *)hdr + PAGE_HDR;
}

void *kmalloc(size_t size)
{
	if (size > PAGE_SIZE - PAGE_HDR)
		return NULL;
	if (size > (1ul << MAX_SHIFT))
		return page_alloc();
	int shift = MIN_SHIFT;
	while ((1ul << shift) < size)
		shift++;
	struct slab *s = partial[shift] ? partial[shift] : new_slab(shift);
	if (!s)
		return NULL;
	void **obj = s->free;
	s->free = *obj;
	s->live++;
	if (!s->free)
		list_remove(s);
	return obj;
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
	char *page = (char *)((uintptr_t)p & ~(PAGE_SIZE - 1));
	if ((char *)p - page == PAGE_HDR && *(uint32_t *)page == PAGE_MAGIC) {
		*(uint32_t *)page = 0;
		pmm_free(virt_to_phys(page));
		return;
	}
	struct slab *s = (struct slab *)page;
	if (s->magic != SLAB_MAGIC || s->shift < MIN_SHIFT || s->shift > MAX_SHIFT ||
	    ((uintptr_t)p & ((1ul << s->shift) - 1)) || !s->live)
		panic("kfree: bad or double free of %p", p);
	if (!s->free)
		list_push(s);
	*(void **)p = s->free;
	s->free = p;
	if (--s->live == 0) {
		list_remove(s);
		s->magic = 0;
		pmm_free(virt_to_phys(s));
	}
}

static uint32_t kbig_pages(size_t size)
{
	return (uint32_t)((size + 4095) / 4096);
}

void *kbig_alloc(size_t size)
{
	uint64_t pa;
	if (size <= PAGE_SIZE - PAGE_HDR)          /* what kmalloc's own page holds */
		return kmalloc(size ? size : 1);
	if (size > KBIG_MAX || contig_alloc(kbig_pages(size), &pa))
		return NULL;
	return phys_to_virt(pa);
}

void kbig_free(void *p, size_t size)
{
	if (size <= PAGE_SIZE - PAGE_HDR)
		kfree(p);
	else if (p)
		contig_free(virt_to_phys(p), kbig_pages(size));
}
