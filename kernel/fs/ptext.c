/* Generated text (see ptext.h). */
#include "kernel/fs/ptext.h"
#include <stdarg.h>
#include "arch/paging.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"

void ptext_init(struct ptext *t)
{
	*t = (struct ptext){ 0 };
}

void ptext_free(struct ptext *t)
{
	for (uint32_t i = 0; i < t->npages; i++)
		pmm_free(t->pages[i]);
	if (t->pages)
		pmm_free(virt_to_phys(t->pages));
	ptext_init(t);
}

void ptext_reset(struct ptext *t)
{
	t->len = 0;
	t->cut = false;
}

/* Room for the byte at t->len: a new page when the text reaches the end of its pages. */
static bool room(struct ptext *t)
{
	if (t->len < (size_t)t->npages * PAGE_SIZE)
		return true;
	if (t->cut || t->npages == PTEXT_MAX_PAGES)
		return false;
	if (!t->pages) {
		uint64_t list = pmm_alloc_dirty();
		if (!list)
			return false;
		t->pages = phys_to_virt(list);
	}
	uint64_t pa = pmm_alloc_dirty();
	if (!pa)
		return false;
	t->pages[t->npages++] = pa;
	return true;
}

void ptext_put(struct ptext *t, const void *s, size_t n)
{
	const char *src = s;
	while (n > 0) {
		if (!room(t)) {
			t->cut = true;
			return;
		}
		size_t in = t->len % PAGE_SIZE, chunk = PAGE_SIZE - in;
		if (chunk > n)
			chunk = n;
		memcpy((char *)phys_to_virt(t->pages[t->len / PAGE_SIZE]) + in, src, chunk);
		t->len += chunk;
		src += chunk;
		n -= chunk;
	}
}

void ptext_str(struct ptext *t, const char *s)
{
	ptext_put(t, s, strlen(s));
}

void ptext_char(struct ptext *t, char c)
{
	ptext_put(t, &c, 1);
}

void ptext_fmt(struct ptext *t, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ptext_put(t, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

size_t ptext_span(const struct ptext *t, size_t off, const void **p)
{
	if (off >= t->len)
		return 0;
	size_t in = off % PAGE_SIZE, n = PAGE_SIZE - in;
	if (n > t->len - off)
		n = t->len - off;
	*p = (const char *)phys_to_virt(t->pages[off / PAGE_SIZE]) + in;
	return n;
}
