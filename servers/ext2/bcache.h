/*
 * A write-back cache of file-system blocks: a fixed number of buffers, found by a hash of the
 * block number, recycled least-recently-used first. A buffer in use is pinned (bc_get ..
 * bc_put) and never recycled. Dirty buffers carry an owner, the inode whose data they hold (0
 * for metadata), so that fsync can write one file's data and the metadata without the rest.
 * Writes go to the device sorted by block number, adjacent blocks in one request.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "servers/ext2/blkdev.h"
#include "servers/ext2/ext2.h"

struct bc_buf {
	uint64_t blk;
	uint8_t *data;
	uint32_t owner;                 /* inode whose data this is; 0 = metadata */
	uint16_t refs;
	bool valid, dirty;
	uint32_t prev, next;            /* LRU list (index; n = the list head) */
	uint32_t hnext;                 /* hash chain (index; UINT32_MAX = end) */
};

struct bcache {
	const struct ext2_blkdev *dev;
	const struct ext2_mem *alloc;   /* where its memory comes from (the file system's) */
	uint32_t bs, spb;               /* block size; sectors per block */
	uint64_t nblocks;               /* blocks on the device: bigger block numbers are refused */
	uint32_t n;                     /* buffers */
	struct bc_buf *bufs;            /* n + 1: the last is the LRU list head */
	uint32_t *hash;
	uint32_t hmask;
	uint8_t *mem;                   /* n blocks of buffer data */
	uint8_t *stage;                 /* BC_RUN blocks: a run of adjacent dirty blocks */
	uint64_t *order;                /* n: dirty buffers sorted for a sync */
	uint64_t reads, writes;         /* device requests, for statistics */
};

#define BC_RUN 32u                      /* at most this many blocks per device request */
_Static_assert(BC_RUN * 4096u <= EXT2_MAX_REQ, "requests fit the promised size");

int bc_init(struct bcache *bc, const struct ext2_blkdev *dev, const struct ext2_mem *alloc,
	    uint32_t bs, uint32_t nbufs);
void bc_fini(struct bcache *bc);
/* The buffer of block blk, read from the device if not cached; pinned until bc_put. */
int bc_get(struct bcache *bc, uint64_t blk, struct bc_buf **out);
/* The same, without reading: the buffer is zeroed, for a block about to be filled whole. */
int bc_get_zero(struct bcache *bc, uint64_t blk, struct bc_buf **out);
void bc_put(struct bcache *bc, struct bc_buf *b);
bool bc_cached(const struct bcache *bc, uint64_t blk);
/* Reads the uncached blocks from blk on (up to count, stopping at the first cached one) in
 * one device request: sequential reads of a file cost one request per run, not per block. */
int bc_prefetch(struct bcache *bc, uint64_t blk, uint32_t count);
/* Marks b dirty on behalf of owner (0 = metadata; two different owners make it metadata). */
void bc_dirty(struct bcache *bc, struct bc_buf *b, uint32_t owner);
/* Block blk was freed: its cached contents, dirty or not, are dropped unwritten. */
void bc_forget(struct bcache *bc, uint64_t blk);
/* Writes the dirty buffers of owner (BC_ALL: every one). No device flush. */
#define BC_ALL UINT32_MAX
int bc_sync(struct bcache *bc, uint32_t owner);
