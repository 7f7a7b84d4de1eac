/*
 * The block device the ext2 code runs over: 512-byte sectors, read and written in runs. In
 * Tessera the server implements it with the blk.* function ids (data through an ICA); on the
 * host, the tests implement it over an image file or a buffer.
 */
#pragma once
#include <stdint.h>

#define EXT2_SECTOR 512u
#define EXT2_MAX_REQ (32u * 4096u)     /* BC_RUN blocks of the largest block size */

struct ext2_blkdev {
	void *ctx;
	uint64_t sectors;               /* capacity */
	/* Each returns 0 or a negative errno; count >= 1, the run lies inside the device, and
	 * no request is larger than EXT2_MAX_REQ bytes (size the transfer ICA by it). */
	int (*read)(void *ctx, uint64_t sector, uint32_t count, void *buf);
	int (*write)(void *ctx, uint64_t sector, uint32_t count, const void *buf);
	int (*flush)(void *ctx);        /* everything written so far is on stable storage */
};
