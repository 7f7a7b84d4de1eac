/*
 * Split virtqueues for virtio driver processes (see virtq.h). The driver owns the descriptor
 * table and the available ring, the device the used ring; the only shared indices are
 * avail->idx (written here, read by the device) and used->idx (the other way round), so the
 * ordering rules of spec section 2.6.13 come down to two fences: entries before the index
 * that publishes them, and reading an index before the entries it covers.
 */
#include "user/libsrv/virtq.h"
#include <errno.h>
#include <string.h>

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static bool size_ok(uint32_t size)
{
	return size && size <= VIRTQ_MAX_SIZE && !(size & (size - 1));
}

/* descriptors, then flags+idx+ring+used_event */
static size_t part1(uint32_t size)
{
	return sizeof(struct virtq_desc) * size + 2 * (3 + size);
}

/* flags+idx+ring+avail_event */
static size_t part2(uint32_t size)
{
	return 2 * 3 + sizeof(struct virtq_used_elem) * size;
}

size_t virtq_area_size(uint32_t size)
{
	if (!size_ok(size))
		return 0;
	return align_up(part1(size), VIRTQ_LEGACY_ALIGN) + align_up(part2(size), 2) +
	       2 * (size_t)size;
}

int virtq_init(struct virtq *q, void *mem, uint64_t pa, uint32_t size)
{
	if (!size_ok(size) || (pa & (VIRTQ_LEGACY_ALIGN - 1)))
		return -EINVAL;
	char *base = mem;
	size_t used_off = align_up(part1(size), VIRTQ_LEGACY_ALIGN);
	memset(q, 0, sizeof(*q));
	q->size = (uint16_t)size;
	q->desc = (volatile struct virtq_desc *)base;
	q->avail = (volatile struct virtq_avail *)(base + sizeof(struct virtq_desc) * size);
	q->used = (volatile struct virtq_used *)(base + used_off);
	q->chain_len = (uint16_t *)(base + used_off + align_up(part2(size), 2));
	q->pa = pa;
	for (uint32_t i = 0; i < size; i++) {
		q->desc[i].next = (uint16_t)(i + 1 < size ? i + 1 : 0);
		q->chain_len[i] = 0;
	}
	q->free_head = 0;
	q->num_free = (uint16_t)size;
	return 0;
}

uint64_t virtq_avail_pa(const struct virtq *q)
{
	return q->pa + sizeof(struct virtq_desc) * q->size;
}

uint64_t virtq_used_pa(const struct virtq *q)
{
	return q->pa + align_up(part1(q->size), VIRTQ_LEGACY_ALIGN);
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
	      uint16_t *head)
{
	unsigned n = nout + nin;
	if (!n || n > q->size)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!bufs[i].len)
			return -EINVAL;
	if (n > q->num_free)
		return -ENOSPC;
	uint16_t first = q->free_head, d = first;
	for (unsigned i = 0; i < n; i++) {
		q->desc[d].addr = bufs[i].pa;
		q->desc[d].len = bufs[i].len;
		q->desc[d].flags = (uint16_t)((i >= nout ? VIRTQ_DESC_F_WRITE : 0) |
					      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		d = q->desc[d].next;
	}
	q->free_head = d;             /* the next of the chain's last is the rest of the list */
	q->num_free = (uint16_t)(q->num_free - n);
	q->chain_len[first] = (uint16_t)n;
	q->avail->ring[q->avail_shadow & (q->size - 1)] = first;
	q->avail_shadow++;
	*head = first;
	return 0;
}

bool virtq_publish(struct virtq *q)
{
	/* the ring entries and descriptors before the index that hands them over */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail->idx = q->avail_shadow;
	/* the index store before reading the device's flag (store-load: a full fence), else a
	 * device going to sleep could miss the new entries */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(q->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_has_used(const struct virtq *q)
{
	return q->used->idx != q->last_used;
}

/* Puts the chain starting at head back on the free list. */
static void free_chain(struct virtq *q, uint16_t head)
{
	uint16_t n = q->chain_len[head], d = head;
	for (uint16_t i = 1; i < n; i++)
		d = q->desc[d].next;
	q->desc[d].next = q->free_head;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + n);
	q->chain_len[head] = 0;
}

bool virtq_next_used(struct virtq *q, uint16_t *head, uint32_t *len)
{
	if (q->used->idx == q->last_used)
		return false;
	/* the index before the entry it covers */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	volatile struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
	uint32_t id = e->id, n = e->len;
	q->last_used++;
	if (id >= q->size || !q->chain_len[id]) {
		*head = VIRTQ_BAD;
		*len = 0;
		return true;
	}
	free_chain(q, (uint16_t)id);
	*head = (uint16_t)id;
	*len = n;
	return true;
}
