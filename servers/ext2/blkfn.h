/* A block unit of the blk.* function ids as the ext2 code's block device (blkfn.c). */
#pragma once
#include <stdint.h>
#include "abi/srv.h"
#include "servers/ext2/blkdev.h"

struct blkfn {
	struct ext2_blkdev dev;         /* what ext2_mount takes; dev.ctx is this */
	uint32_t unit;
	struct t_ica xfer;              /* the transfer ICA lent to the driver */
};

/* Asks the unit's driver for its size; -ENXIO when no driver serves the unit. */
int blkfn_open(struct blkfn *b, uint32_t unit);
void blkfn_close(struct blkfn *b);
/* Its code pointers for this program (a replacement took b over from another). */
void blkfn_rebind(struct blkfn *b);
