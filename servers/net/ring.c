/* The byte ring of the socket buffers (ring.h). */
#include "servers/net/ring.h"
#include <string.h>

/* A released ring (size 0, sock_trim_bufs) is only ever asked for nothing. */
void ring_write_at(struct ring *r, uint32_t off, const uint8_t *src, uint32_t n)
{
	if (!n)
		return;
	uint32_t pos = (uint32_t)(((uint64_t)r->head + off) % r->size);
	uint32_t first = r->size - pos < n ? r->size - pos : n;

	memcpy(r->buf + pos, src, first);
	memcpy(r->buf, src + first, n - first);
}

void ring_read_at(const struct ring *r, uint32_t off, uint8_t *dst, uint32_t n)
{
	if (!n)
		return;
	uint32_t pos = (uint32_t)(((uint64_t)r->head + off) % r->size);
	uint32_t first = r->size - pos < n ? r->size - pos : n;

	memcpy(dst, r->buf + pos, first);
	memcpy(dst + first, r->buf, n - first);
}

uint32_t ring_append(struct ring *r, const uint8_t *src, uint32_t n)
{
	if (n > ring_free(r))
		n = ring_free(r);
	if (n) {
		ring_write_at(r, r->len, src, n);
		r->len += n;
	}
	return n;
}

void ring_drop(struct ring *r, uint32_t n)
{
	if (n > r->len)
		n = r->len;
	r->head = r->size ? (uint32_t)(((uint64_t)r->head + n) % r->size) : 0;
	r->len -= n;
}
