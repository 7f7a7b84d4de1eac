// HOST-TEST-SOURCES: user/libsrv/virtq.c
/*
 * Host tests of the split-virtqueue code shared by virtio drivers (user/libsrv/virtq.c): the
 * legacy layout, chains of readable and writable buffers, completions in any order, running
 * out of descriptors, the 16-bit indices wrapping, and a broken device naming no chain. A
 * simulated device walks the rings as the spec says a device does; "physical" addresses are
 * host pointers.
 */
#include "user/libsrv/virtq.h"
#include "tests/host/harness.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sim {
	struct virtq q;
	void *mem;
	uint16_t dev_avail;            /* avail entries the device has taken */
	uint16_t pending[64];          /* heads taken, not yet completed */
	int npending;
};

static void sim_open(struct sim *s, uint32_t size)
{
	size_t bytes = virtq_area_size(size);
	s->mem = aligned_alloc(VIRTQ_LEGACY_ALIGN, (bytes + 4095) & ~(size_t)4095);
	memset(s->mem, 0, bytes);
	s->dev_avail = 0;
	s->npending = 0;
	CHECK_EQ(virtq_init(&s->q, s->mem, (uint64_t)(uintptr_t)s->mem, size), 0);
}

/* The device takes every published chain: it fills each writable buffer with the byte
 * 'fill' and remembers the head. */
static void sim_take(struct sim *s, uint8_t fill)
{
	while (s->dev_avail != s->q.avail->idx) {
		uint16_t head = s->q.avail->ring[s->dev_avail++ & (s->q.size - 1)];
		uint16_t d = head;
		for (;;) {
			if (s->q.desc[d].flags & VIRTQ_DESC_F_WRITE)
				memset((void *)(uintptr_t)s->q.desc[d].addr, fill, s->q.desc[d].len);
			if (!(s->q.desc[d].flags & VIRTQ_DESC_F_NEXT))
				break;
			d = s->q.desc[d].next;
		}
		s->pending[s->npending++] = head;
	}
}

/* The device finishes the pending chain number i (in taking order), writing len bytes. */
static void sim_done(struct sim *s, int i, uint32_t len)
{
	uint16_t u = s->q.used->idx;
	s->q.used->ring[u & (s->q.size - 1)].id = s->pending[i];
	s->q.used->ring[u & (s->q.size - 1)].len = len;
	s->q.used->idx = (uint16_t)(u + 1);
	memmove(&s->pending[i], &s->pending[i + 1], sizeof(uint16_t) * (size_t)(s->npending - i - 1));
	s->npending--;
}

TEST(layout_legacy)
{
	/* 256 entries: descriptors 4096 + avail 518 -> used ring at 8192, 2054 bytes, then 512
	 * bytes of bookkeeping */
	CHECK_EQ(virtq_area_size(256), 8192 + 2054 + 512);
	CHECK_EQ(virtq_area_size(0), 0);
	CHECK_EQ(virtq_area_size(100), 0);
	CHECK_EQ(virtq_area_size(65536), 0);
	struct sim s;
	sim_open(&s, 256);
	CHECK_EQ(virtq_avail_pa(&s.q) - s.q.pa, 4096);
	CHECK_EQ(virtq_used_pa(&s.q) - s.q.pa, 8192);
	CHECK_EQ(virtq_free(&s.q), 256);
	struct virtq q;
	CHECK_EQ(virtq_init(&q, s.mem, s.q.pa + 8, 256), -EINVAL);
	free(s.mem);
}

TEST(chain_and_complete)
{
	struct sim s;
	sim_open(&s, 8);
	uint8_t hdr[16] = { 1 }, data[512], status = 0xee;
	struct virtq_buf b[3] = { { (uintptr_t)hdr, 16 }, { (uintptr_t)data, 512 },
				  { (uintptr_t)&status, 1 } };
	uint16_t head, got;
	uint32_t len;
	CHECK_EQ(virtq_add(&s.q, b, 1, 2, &head), 0);
	CHECK_EQ(virtq_free(&s.q), 5);
	CHECK(!virtq_has_used(&s.q));
	CHECK(virtq_publish(&s.q));
	sim_take(&s, 0x5a);
	CHECK_EQ(data[511], 0x5a);
	CHECK_EQ(status, 0x5a);
	CHECK_EQ(hdr[0], 1);          /* readable: untouched by the device */
	CHECK(!virtq_next_used(&s.q, &got, &len));
	sim_done(&s, 0, 513);
	CHECK(virtq_has_used(&s.q));
	CHECK(virtq_next_used(&s.q, &got, &len));
	CHECK_EQ(got, head);
	CHECK_EQ(len, 513);
	CHECK_EQ(virtq_free(&s.q), 8);
	free(s.mem);
}

TEST(bad_chains)
{
	struct sim s;
	sim_open(&s, 4);
	uint8_t x[8];
	struct virtq_buf b[5];
	for (int i = 0; i < 5; i++)
		b[i] = (struct virtq_buf){ (uintptr_t)x, 8 };
	uint16_t head;
	CHECK_EQ(virtq_add(&s.q, b, 0, 0, &head), -EINVAL);
	CHECK_EQ(virtq_add(&s.q, b, 3, 2, &head), -EINVAL);     /* longer than the queue */
	b[1].len = 0;
	CHECK_EQ(virtq_add(&s.q, b, 2, 0, &head), -EINVAL);
	b[1].len = 8;
	CHECK_EQ(virtq_add(&s.q, b, 2, 1, &head), 0);
	CHECK_EQ(virtq_add(&s.q, b, 1, 1, &head), -ENOSPC);     /* one descriptor left */
	CHECK_EQ(virtq_free(&s.q), 1);
	free(s.mem);
}

/* Completions out of order, many rounds: the indices wrap past 65535 and the free list never
 * loses or duplicates a descriptor. */
TEST(out_of_order_and_wrap)
{
	struct sim s;
	sim_open(&s, 16);
	uint8_t x[8];
	struct virtq_buf b[3] = { { (uintptr_t)x, 1 }, { (uintptr_t)x, 2 }, { (uintptr_t)x, 3 } };
	unsigned seen[16] = { 0 };
	int bad = 0;
	for (int round = 0; round < 30000; round++) {
		uint16_t h1, h2, h3, got;
		uint32_t len;
		if (virtq_add(&s.q, b, 1, 2, &h1) || virtq_add(&s.q, b, 2, 1, &h2) ||
		    virtq_add(&s.q, b, 1, 0, &h3)) {
			bad++;
			break;
		}
		virtq_publish(&s.q);
		sim_take(&s, 0);
		sim_done(&s, 1, 7);
		sim_done(&s, 1, 0);
		sim_done(&s, 0, 3);
		uint16_t want[3] = { h2, h3, h1 };
		for (int i = 0; i < 3; i++) {
			if (!virtq_next_used(&s.q, &got, &len) || got != want[i])
				bad++;
			else
				seen[got]++;
		}
		if (virtq_free(&s.q) != 16)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(s.q.last_used, (uint16_t)(3 * 30000));
	int distinct = 0;
	for (int i = 0; i < 16; i++)
		distinct += seen[i] != 0;
	CHECK(distinct >= 3);          /* freed descriptors come back as other chains' heads */
	free(s.mem);
}

TEST(broken_device_id)
{
	struct sim s;
	sim_open(&s, 8);
	uint8_t x[8];
	struct virtq_buf b = { (uintptr_t)x, 8 };
	uint16_t head, got;
	uint32_t len;
	CHECK_EQ(virtq_add(&s.q, &b, 1, 0, &head), 0);
	virtq_publish(&s.q);
	/* the device names a descriptor that heads no chain, then one out of range */
	s.q.used->ring[0].id = (uint32_t)head + 1;
	s.q.used->ring[1].id = 99;
	s.q.used->idx = 2;
	CHECK(virtq_next_used(&s.q, &got, &len));
	CHECK_EQ(got, VIRTQ_BAD);
	CHECK(virtq_next_used(&s.q, &got, &len));
	CHECK_EQ(got, VIRTQ_BAD);
	CHECK(!virtq_next_used(&s.q, &got, &len));
	CHECK_EQ(virtq_free(&s.q), 7);  /* the real chain is still in flight */
	free(s.mem);
}

TEST(no_notify_flag)
{
	struct sim s;
	sim_open(&s, 8);
	uint8_t x[8];
	struct virtq_buf b = { (uintptr_t)x, 8 };
	uint16_t head;
	s.q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	CHECK_EQ(virtq_add(&s.q, &b, 1, 0, &head), 0);
	CHECK(!virtq_publish(&s.q));
	CHECK_EQ(s.q.avail->idx, 1);
	free(s.mem);
}
