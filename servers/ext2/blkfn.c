/*
 * The ext2 code's block device (blkdev.h) in Tessera: block unit u of the blk.* function ids
 * (abi/fnids.def), called synchronously. The driver moves the data by DMA into and out of one
 * transfer ICA per mount (EXT2_MAX_REQ bytes, the largest request the cache makes), which
 * the server holds and lends to the driver with each request; the only copy is the cache's,
 * between its buffers and the transfer ICA (docs/storage.md). The struct blkfn and the
 * transfer ICA are state memory: a replacement server takes them over (blkfn_rebind).
 */
#include <string.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "servers/ext2/blkfn.h"
#include "srv.h"
#include "srvstate.h"

static int blk_call(struct blkfn *b, uint32_t fn, uint64_t sector, uint32_t count)
{
	struct t_msg m;
	memset(&m, 0, sizeof(m));
	m.fn = fn + b->unit * TFN_BLK_STRIDE;
	m.data = count ? b->xfer.rid : 0;
	m.arg[0] = sector;
	m.arg[1] = count;
	int err = t_srv_call(&m);
	if (err == -ENOENT || err == -EAGAIN || err == -EINTR)
		return -EIO;
	if (!err && count && m.arg[0] != count)
		return -EIO;
	return err;
}

static int rd(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
	struct blkfn *b = ctx;
	if ((uint64_t)count * EXT2_SECTOR > EXT2_MAX_REQ)
		return -EINVAL;
	int err = blk_call(b, TFN_BLK_READ, sector, count);
	if (!err)
		memcpy(buf, (void *)b->xfer.addr, (size_t)count * EXT2_SECTOR);
	return err;
}

static int wr(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
	struct blkfn *b = ctx;
	if ((uint64_t)count * EXT2_SECTOR > EXT2_MAX_REQ)
		return -EINVAL;
	memcpy((void *)b->xfer.addr, buf, (size_t)count * EXT2_SECTOR);
	return blk_call(b, TFN_BLK_WRITE, sector, count);
}

static int fl(void *ctx)
{
	return blk_call(ctx, TFN_BLK_FLUSH, 0, 0);
}

int blkfn_open(struct blkfn *b, uint32_t unit)
{
	struct t_msg m;
	memset(b, 0, sizeof(*b));
	memset(&m, 0, sizeof(m));
	if (unit >= TFN_BLK_UNITS)
		return -ENXIO;
	b->unit = unit;
	m.fn = TFN_BLK_INFO + unit * TFN_BLK_STRIDE;
	int err = t_srv_call(&m);
	if (err == -ENOENT)
		return -ENXIO;
	if (err)
		return err;
	if (m.arg[1] != EXT2_SECTOR || !m.arg[0])
		return -EINVAL;
	void *xfer = srv_salloc(EXT2_MAX_REQ);
	if (!xfer)
		return -ENOMEM;
	b->xfer = (struct t_ica){ srv_state_rid(xfer), (uint64_t)(uintptr_t)xfer,
				  EXT2_MAX_REQ / 4096 };
	b->dev.sectors = m.arg[0];
	blkfn_rebind(b);
	return 0;
}

void blkfn_rebind(struct blkfn *b)
{
	b->dev.ctx = b;
	b->dev.read = rd;
	b->dev.write = wr;
	b->dev.flush = fl;
}

void blkfn_close(struct blkfn *b)
{
	if (b->xfer.addr)
		srv_sfree((void *)(uintptr_t)b->xfer.addr);
	memset(b, 0, sizeof(*b));
}
