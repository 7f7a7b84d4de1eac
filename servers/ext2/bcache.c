/*
 * The block cache (see bcache.h). Buffers live in one array; the LRU list and the hash chains
 * link them by index. Memory is taken once at bc_init and never again.
 */
#include "servers/ext2/bcache.h"
#include "abi/errno.h"
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

static uint32_t hash_of(const struct bcache *bc, uint64_t blk)
{
	return (uint32_t)((blk * 0x9E3779B97F4A7C15ull) >> 40) & bc->hmask;
}

static void lru_unlink(struct bcache *bc, uint32_t i)
{
	struct bc_buf *b = &bc->bufs[i];
	bc->bufs[b->prev].next = b->next;
	bc->bufs[b->next].prev = b->prev;
}

/* Most recently used at the head's next, least at its prev. */
static void lru_push_front(struct bcache *bc, uint32_t i)
{
	struct bc_buf *h = &bc->bufs[bc->n], *b = &bc->bufs[i];
	b->prev = bc->n;
	b->next = h->next;
	bc->bufs[h->next].prev = i;
	h->next = i;
}

int bc_init(struct bcache *bc, const struct ext2_blkdev *dev, const struct ext2_mem *alloc,
	    uint32_t bs, uint32_t nbufs)
{
	memset(bc, 0, sizeof(*bc));
	if (nbufs < 16)
		nbufs = 16;
	if (nbufs > (1u << 24) || bs % EXT2_SECTOR)
		return -EINVAL;
	uint32_t hsize = 1;
	while (hsize < nbufs * 2)
		hsize <<= 1;
	bc->dev = dev;
	bc->alloc = alloc;
	bc->bs = bs;
	bc->spb = bs / EXT2_SECTOR;
	bc->nblocks = dev->sectors / bc->spb;
	bc->n = nbufs;
	bc->hmask = hsize - 1;
	bc->bufs = alloc->alloc((nbufs + 1) * sizeof(*bc->bufs));
	bc->hash = alloc->alloc(hsize * sizeof(*bc->hash));
	bc->mem = alloc->alloc((size_t)nbufs * bs);
	bc->stage = alloc->alloc((size_t)BC_RUN * bs);
	bc->order = alloc->alloc((nbufs > BC_RUN ? nbufs : BC_RUN) * sizeof(*bc->order));
	if (!bc->bufs || !bc->hash || !bc->mem || !bc->stage || !bc->order) {
		bc_fini(bc);
		return -ENOMEM;
	}
	memset(bc->hash, 0xff, hsize * sizeof(*bc->hash));
	bc->bufs[nbufs].next = bc->bufs[nbufs].prev = nbufs;
	for (uint32_t i = 0; i < nbufs; i++) {
		bc->bufs[i].data = bc->mem + (size_t)i * bs;
		bc->bufs[i].hnext = NIL;
		lru_push_front(bc, i);
	}
	return 0;
}

void bc_fini(struct bcache *bc)
{
	const struct ext2_mem *alloc = bc->alloc;
	if (alloc) {
		alloc->free(bc->bufs);
		alloc->free(bc->hash);
		alloc->free(bc->mem);
		alloc->free(bc->stage);
		alloc->free(bc->order);
	}
	memset(bc, 0, sizeof(*bc));
}

static uint32_t find(const struct bcache *bc, uint64_t blk)
{
	for (uint32_t i = bc->hash[hash_of(bc, blk)]; i != NIL; i = bc->bufs[i].hnext)
		if (bc->bufs[i].valid && bc->bufs[i].blk == blk)
			return i;
	return NIL;
}

static void unhash(struct bcache *bc, uint32_t i)
{
	uint32_t *p = &bc->hash[hash_of(bc, bc->bufs[i].blk)];
	while (*p != NIL && *p != i)
		p = &bc->bufs[*p].hnext;
	if (*p == i)
		*p = bc->bufs[i].hnext;
	bc->bufs[i].valid = false;
	bc->bufs[i].dirty = false;
}

static int write_one(struct bcache *bc, struct bc_buf *b)
{
	int r = bc->dev->write(bc->dev->ctx, b->blk * bc->spb, bc->spb, b->data);
	bc->writes++;
	if (r == 0)
		b->dirty = false;
	return r;
}

static bool dirty_at(const struct bcache *bc, uint64_t blk)
{
	uint32_t i = find(bc, blk);
	return i != NIL && bc->bufs[i].dirty;
}

static int write_run(struct bcache *bc, uint32_t i, uint32_t len);

/* Writes the dirty block blk together with the dirty blocks adjacent to it, in one request:
 * a file written sequentially leaves the cache in runs, not block by block. */
static int write_cluster(struct bcache *bc, uint64_t blk)
{
	uint64_t start = blk;
	while (start > 0 && blk - start < BC_RUN / 2 && dirty_at(bc, start - 1))
		start--;
	uint32_t len = 0;
	while (len < BC_RUN && dirty_at(bc, start + len)) {
		bc->order[len] = (start + len) << 24 | find(bc, start + len);
		len++;
	}
	return write_run(bc, 0, len);
}

/* An unpinned buffer to reuse, written back first if dirty. */
static int victim(struct bcache *bc, uint32_t *out)
{
	for (uint32_t i = bc->bufs[bc->n].prev; i != bc->n; i = bc->bufs[i].prev) {
		struct bc_buf *b = &bc->bufs[i];
		if (b->refs)
			continue;
		if (b->valid && b->dirty) {
			int r = write_cluster(bc, b->blk);
			if (r)
				return r;
		}
		if (b->valid)
			unhash(bc, i);
		*out = i;
		return 0;
	}
	return -ENOMEM;
}

static int get(struct bcache *bc, uint64_t blk, bool zero, struct bc_buf **out)
{
	if (blk >= bc->nblocks)
		return -EIO;
	uint32_t i = find(bc, blk);
	if (i == NIL) {
		int r = victim(bc, &i);
		if (r)
			return r;
		struct bc_buf *b = &bc->bufs[i];
		if (!zero) {
			r = bc->dev->read(bc->dev->ctx, blk * bc->spb, bc->spb, b->data);
			bc->reads++;
			if (r)
				return r;
		}
		b->blk = blk;
		b->valid = true;
		b->dirty = false;
		b->owner = 0;
		uint32_t h = hash_of(bc, blk);
		b->hnext = bc->hash[h];
		bc->hash[h] = i;
	}
	struct bc_buf *b = &bc->bufs[i];
	if (zero)
		memset(b->data, 0, bc->bs);
	b->refs++;
	lru_unlink(bc, i);
	lru_push_front(bc, i);
	*out = b;
	return 0;
}

int bc_get(struct bcache *bc, uint64_t blk, struct bc_buf **out)
{
	return get(bc, blk, false, out);
}

int bc_get_zero(struct bcache *bc, uint64_t blk, struct bc_buf **out)
{
	return get(bc, blk, true, out);
}

bool bc_cached(const struct bcache *bc, uint64_t blk)
{
	return find(bc, blk) != NIL;
}

/* Fills buffer i (taken by victim) with block blk's data. */
static void install(struct bcache *bc, uint32_t i, uint64_t blk, const uint8_t *data)
{
	struct bc_buf *b = &bc->bufs[i];
	memcpy(b->data, data, bc->bs);
	b->blk = blk;
	b->valid = true;
	b->dirty = false;
	b->owner = 0;
	uint32_t h = hash_of(bc, blk);
	b->hnext = bc->hash[h];
	bc->hash[h] = i;
	lru_unlink(bc, i);
	lru_push_front(bc, i);
}

int bc_prefetch(struct bcache *bc, uint64_t blk, uint32_t count)
{
	uint32_t idx[BC_RUN], n = 0, got = 0;
	if (count > BC_RUN)
		count = BC_RUN;
	if (count > bc->n / 4)
		count = bc->n / 4;
	while (n < count && blk + n < bc->nblocks && find(bc, blk + n) == NIL)
		n++;
	if (n < 2)
		return 0;
	int r = 0;
	/* buffers first (a victim's write-back uses the staging area), held by a reference */
	for (; got < n && !(r = victim(bc, &idx[got])); got++)
		bc->bufs[idx[got]].refs = 1;
	if (!r) {
		r = bc->dev->read(bc->dev->ctx, blk * bc->spb, n * bc->spb, bc->stage);
		bc->reads++;
	}
	for (uint32_t k = 0; k < got; k++) {
		bc->bufs[idx[k]].refs = 0;
		if (!r)
			install(bc, idx[k], blk + k, bc->stage + (size_t)k * bc->bs);
	}
	return r;
}

void bc_put(struct bcache *bc, struct bc_buf *b)
{
	(void)bc;
	if (b && b->refs)
		b->refs--;
}

void bc_dirty(struct bcache *bc, struct bc_buf *b, uint32_t owner)
{
	(void)bc;
	if (b->dirty && b->owner != owner)
		owner = 0;
	b->owner = owner;
	b->dirty = true;
}

void bc_forget(struct bcache *bc, uint64_t blk)
{
	uint32_t i = find(bc, blk);
	if (i == NIL)
		return;
	bc->bufs[i].dirty = false;
	if (!bc->bufs[i].refs)
		unhash(bc, i);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* order[] holds block << 24 | buffer index: sorting it sorts by block. */
#define ORDER_IDX(v) ((uint32_t)((v) & 0xffffffu))

/* Writes order[i..i+len) (adjacent blocks) in one request. */
static int write_run(struct bcache *bc, uint32_t i, uint32_t len)
{
	struct bc_buf *first = &bc->bufs[ORDER_IDX(bc->order[i])];
	if (len == 1)
		return write_one(bc, first);
	for (uint32_t k = 0; k < len; k++)
		memcpy(bc->stage + (size_t)k * bc->bs, bc->bufs[ORDER_IDX(bc->order[i + k])].data, bc->bs);
	int r = bc->dev->write(bc->dev->ctx, first->blk * bc->spb, len * bc->spb, bc->stage);
	bc->writes++;
	if (r)
		return r;
	for (uint32_t k = 0; k < len; k++)
		bc->bufs[ORDER_IDX(bc->order[i + k])].dirty = false;
	return 0;
}

int bc_sync(struct bcache *bc, uint32_t owner)
{
	uint32_t cnt = 0;
	for (uint32_t i = 0; i < bc->n; i++) {
		struct bc_buf *b = &bc->bufs[i];
		if (b->valid && b->dirty && (owner == BC_ALL || b->owner == owner))
			bc->order[cnt++] = b->blk << 24 | i;
	}
	qsort(bc->order, cnt, sizeof(*bc->order), cmp_u64);
	int err = 0;
	for (uint32_t i = 0; i < cnt;) {
		uint32_t len = 1;
		while (i + len < cnt && len < BC_RUN &&
		       (bc->order[i + len] >> 24) == (bc->order[i] >> 24) + len)
			len++;
		int r = write_run(bc, i, len);
		if (r && !err)
			err = r;
		i += len;
	}
	return err;
}
