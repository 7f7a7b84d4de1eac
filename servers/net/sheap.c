/* The network server's state heap (sheap.h): first fit over a page bitmap kept at the start
 * of the region. */
#include "servers/net/sheap.h"
#include <string.h>

static bool bit(const struct sheap *h, uint32_t i)
{
	return h->bits[i / 64] >> (i % 64) & 1;
}

static void set_run(struct sheap *h, uint32_t i, uint32_t n, bool on)
{
	for (uint32_t k = i; k < i + n; k++) {
		if (on)
			h->bits[k / 64] |= 1ull << (k % 64);
		else
			h->bits[k / 64] &= ~(1ull << (k % 64));
	}
}

static uint32_t pages_of(size_t bytes)
{
	return (uint32_t)((bytes + SHEAP_PAGE - 1) / SHEAP_PAGE);
}

struct sheap *sheap_init(void *mem, size_t bytes)
{
	struct sheap *h = mem;
	if (!mem || (uintptr_t)mem % SHEAP_PAGE || bytes < 4 * SHEAP_PAGE ||
	    bytes / SHEAP_PAGE > UINT32_MAX / 2)
		return NULL;
	uint32_t n = (uint32_t)(bytes / SHEAP_PAGE);
	uint32_t meta = pages_of(sizeof(*h) + ((size_t)n + 63) / 64 * 8);
	if (meta >= n)
		return NULL;
	h->magic = SHEAP_MAGIC;
	h->npages = n;
	h->first = h->fresh = h->hint = meta;
	set_run(h, 0, meta, true);
	return h;
}

/* The first run of n free pages at or after from, or npages. */
static uint32_t find_run(const struct sheap *h, uint32_t from, uint32_t n)
{
	uint32_t run = 0;
	for (uint32_t i = from; i < h->npages; i++) {
		if (i % 64 == 0 && run == 0 && h->bits[i / 64] == ~0ull) {
			i += 63;              /* a full word: nothing starts here */
			continue;
		}
		run = bit(h, i) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return h->npages;
}

void *sheap_alloc(struct sheap *h, size_t bytes, bool zero)
{
	uint32_t n = pages_of(bytes ? bytes : 1);
	if (!h || h->magic != SHEAP_MAGIC || bytes > (size_t)h->npages * SHEAP_PAGE)
		return NULL;
	uint32_t i = find_run(h, h->hint, n);
	if (i == h->npages)
		i = find_run(h, h->first, n);
	if (i == h->npages)
		return NULL;
	set_run(h, i, n, true);
	h->used += n;
	if (h->used > h->peak)
		h->peak = h->used;
	h->hint = i + n < h->npages ? i + n : h->first;
	uint8_t *p = (uint8_t *)h + (size_t)i * SHEAP_PAGE;
	if (zero && i < h->fresh)             /* pages used before: zero them again */
		memset(p, 0, (size_t)((i + n < h->fresh ? i + n : h->fresh) - i) * SHEAP_PAGE);
	if (i + n > h->fresh)
		h->fresh = i + n;
	return p;
}

int sheap_free(struct sheap *h, void *p, size_t bytes)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)h;
	uint32_t n = pages_of(bytes ? bytes : 1);
	if (!h || !p || (uintptr_t)p < (uintptr_t)h || off % SHEAP_PAGE)
		return -1;
	uint32_t i = (uint32_t)(off / SHEAP_PAGE);
	if (i < h->first || i >= h->npages || n > h->npages - i)
		return -1;
	for (uint32_t k = i; k < i + n; k++)
		if (!bit(h, k))
			return -1;
	set_run(h, i, n, false);
	h->used -= n;
	if (i < h->hint)
		h->hint = i;                  /* low addresses first: less spread */
	return 0;
}
