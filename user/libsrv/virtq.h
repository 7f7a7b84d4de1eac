/*
 * Split virtqueues (virtio 1.x spec, section 2.6), shared by every virtio driver process.
 * The ring memory is given by the caller (an ICA, whose physical address the device gets);
 * this code only keeps the rings: free descriptors, publishing chains in the available ring,
 * taking completions from the used ring. It makes no system call, so it runs on the host too
 * (tests/host/test_virtq.c drives it with a simulated device).
 *
 * Layout: the legacy (transitional) interface puts the three parts in one area, the used ring
 * starting at the next VIRTQ_LEGACY_ALIGN boundary after the available ring; that layout also
 * meets the modern interface's alignment rules (16 for descriptors, 2 and 4 for the rings).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_LEGACY_ALIGN 4096u
#define VIRTQ_MAX_SIZE 32768u          /* queue sizes are powers of 2 up to this */

#define VIRTQ_DESC_F_NEXT 1u           /* the chain continues at .next */
#define VIRTQ_DESC_F_WRITE 2u          /* the device writes this buffer (else it reads it) */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY 1u

struct virtq_desc {
	uint64_t addr;                 /* guest-physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;                  /* where the driver puts the next entry (mod size) */
	uint16_t ring[];               /* heads of chains; then used_event */
};

struct virtq_used_elem {
	uint32_t id;                   /* head of the chain the device finished */
	uint32_t len;                  /* bytes it wrote into the chain */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* then avail_event */
};

/* One buffer of a chain: physical address and length. */
struct virtq_buf {
	uint64_t pa;
	uint32_t len;
};

struct virtq {
	uint16_t size;                 /* entries: a power of 2 */
	uint16_t num_free;             /* free descriptors */
	uint16_t free_head;            /* first free descriptor (free ones are chained by .next) */
	uint16_t last_used;            /* used-ring entries taken so far (mod 2^16) */
	uint16_t avail_shadow;         /* avail->idx as the driver will publish it */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint16_t *chain_len;           /* per head: descriptors of its chain, 0 if not a head in
	                                * flight (the driver's own, after the used ring) */
	uint64_t pa;                   /* physical address of the area (the descriptor table) */
};

/* Bytes of the area a queue of size entries needs (legacy layout, then 2 bytes per entry of
 * the driver's bookkeeping); 0 if size is not a power of 2 in 1..VIRTQ_MAX_SIZE. */
size_t virtq_area_size(uint32_t size);
/* Lays out a queue in the zeroed area mem (physical address pa, VIRTQ_LEGACY_ALIGN aligned,
 * virtq_area_size(size) bytes). -EINVAL for a bad size or a misaligned pa. */
int virtq_init(struct virtq *q, void *mem, uint64_t pa, uint32_t size);
/* Physical addresses of the three parts, for a modern device's queue registers. */
uint64_t virtq_avail_pa(const struct virtq *q);
uint64_t virtq_used_pa(const struct virtq *q);

/* Puts a chain of nout device-readable buffers followed by nin device-writable ones into the
 * descriptor table and the available ring (not yet visible to the device: virtq_publish).
 * *head identifies the chain in its completion. -ENOSPC if too few descriptors are free,
 * -EINVAL for an empty chain or a zero-length buffer. */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
	      uint16_t *head);
/* The head the next virtq_add will use (so a driver can place per-request data indexed by
 * it, such as a header the chain's first descriptor points to). */
static inline uint16_t virtq_next_head(const struct virtq *q)
{
	return q->free_head;
}
/* Makes the chains added so far visible to the device; true if it asks to be notified. */
bool virtq_publish(struct virtq *q);
/* The next chain the device has finished: its head and the bytes it wrote, its descriptors
 * freed. false when there is none. An entry naming no chain in flight (a broken device) is
 * skipped and reported as *head == VIRTQ_BAD with true. */
#define VIRTQ_BAD 0xffffu
bool virtq_next_used(struct virtq *q, uint16_t *head, uint32_t *len);
/* Whether the device has finished chains the driver has not taken yet. */
bool virtq_has_used(const struct virtq *q);
/* Descriptors free now. */
static inline unsigned virtq_free(const struct virtq *q)
{
	return q->num_free;
}
