/*
 * A byte ring: the socket buffers. Reads and writes at an offset from the oldest byte, so
 * TCP can retransmit from the send ring and place out-of-order data ahead of the in-order
 * bytes of the receive ring without a second buffer.
 */
#pragma once
#include <stdint.h>

struct ring {
	uint8_t *buf;                   /* NULL until the socket needs it */
	uint32_t size, head, len;       /* len: bytes held, starting at head */
};

/* Copy n bytes to/from offset off (from head); the caller keeps off + n within size. */
void ring_write_at(struct ring *r, uint32_t off, const uint8_t *src, uint32_t n);
void ring_read_at(const struct ring *r, uint32_t off, uint8_t *dst, uint32_t n);
/* Append what fits; returns how much did. */
uint32_t ring_append(struct ring *r, const uint8_t *src, uint32_t n);
void ring_drop(struct ring *r, uint32_t n);
static inline uint32_t ring_free(const struct ring *r) { return r->size - r->len; }
