/*
 * Requests to the virtio-blk driver: each read, write or flush becomes one descriptor chain
 * (header, the data ICA's physical pages, status byte) and is answered when its used-ring
 * entry comes back, so many are in flight at once. The data goes between the disk and the
 * caller's ICA by DMA: the driver never touches it. Requests that find the ring full wait in
 * a backlog, in arrival order.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "drivers/virtio-blk/vblk.h"
#include "libtessera.h"
#include "tsys.h"

void vblk_reply(struct vblk *b, const struct t_msg *req, int status, uint64_t a0, uint64_t a1)
{
	struct t_msg res;
	memset(&res, 0, sizeof(res));
	res.id = req->id;
	res.fn = req->fn;
	res.status = status;
	res.pid = req->pid;
	res.ctl = req->ctl;            /* the caller's ICAs go back with the result */
	res.data = req->data;
	res.arg[0] = a0;
	res.arg[1] = a1;
	if (status)
		b->errors++;
	else
		b->served++;
	/* a caller that died meanwhile has nobody to answer: the kernel dropped its request */
	if (tsys_t_srv_reply((long)&res) < 0)
		b->orphans++;
}

/* Bytes of the ICA rid (its resource information counts its pages). */
static int ica_bytes(rid_t rid, uint64_t *bytes)
{
	struct t_res_info info;
	int err = t_res_info(rid, &info);
	if (err)
		return err;
	if (info.type != RT_ICA)
		return -EINVAL;
	*bytes = info.v[0] * 4096;
	return 0;
}

/* Checks a read or write before anything reaches the device. */
static int check_rw(const struct vblk *b, const struct t_msg *req, bool write)
{
	uint64_t sector = req->arg[0], count = req->arg[1], bytes;
	if (!count || count > VBLK_MAX_SECTORS || !req->data)
		return -EINVAL;
	if (sector >= b->capacity || count > b->capacity - sector)
		return -ERANGE;
	if (write && (b->features & VBLK_F_RO))
		return -EROFS;
	int err = ica_bytes(req->data, &bytes);
	if (err)
		return err;
	return count * VBLK_SECTOR > bytes ? -EINVAL : 0;
}

/* The data buffers of a read or write: the ICA's contiguous bytes, cut at size_max. */
static int data_bufs(const struct vblk *b, const struct t_msg *req, struct virtq_buf *bufs,
		     unsigned *n)
{
	uint64_t pa, left = req->arg[1] * VBLK_SECTOR;
	long err = tsys_t_ica_phys((long)req->data, (long)&pa);
	if (err < 0)
		return (int)err;
	uint64_t seg = b->size_max ? b->size_max : left;
	unsigned max = b->seg_max && b->seg_max < VBLK_MAX_SEGS ? b->seg_max : VBLK_MAX_SEGS;
	for (*n = 0; left; (*n)++) {
		if (*n == max)
			return -EINVAL;       /* a device with tiny segments: too big for it */
		uint64_t len = left < seg ? left : seg;
		bufs[*n] = (struct virtq_buf){ pa, (uint32_t)len };
		pa += len;
		left -= len;
	}
	return 0;
}

/* Puts req on the ring: 0, -ENOSPC (try again after completions) or an error to answer. */
static int submit(struct vblk *b, const struct t_msg *req)
{
	struct virtq_buf bufs[VBLK_MAX_SEGS + 2];
	unsigned n = 0;
	uint32_t op = req->fn - b->fnbase;
	uint16_t head = virtq_next_head(&b->q);
	if (op != TFN_BLK_FLUSH - TFN_BLK_READ) {
		int err = data_bufs(b, req, bufs + 1, &n);
		if (err)
			return err;
	}
	bufs[0] = (struct virtq_buf){ b->hdr_pa + head * sizeof(struct vblk_hdr),
				      sizeof(struct vblk_hdr) };
	bufs[n + 1] = (struct virtq_buf){ b->status_pa + head, 1 };
	bool write = op == TFN_BLK_WRITE - TFN_BLK_READ;
	/* a write's data is read by the device; a read's and the status are written by it */
	int err = virtq_add(&b->q, bufs, write ? n + 1 : 1, write ? 1 : n + 1, &head);
	if (err)
		return err;
	b->hdr[head].type = op == 0 ? VBLK_T_IN : write ? VBLK_T_OUT : VBLK_T_FLUSH;
	b->hdr[head].reserved = 0;
	b->hdr[head].sector = op == TFN_BLK_FLUSH - TFN_BLK_READ ? 0 : req->arg[0];
	b->status[head] = 0xff;
	b->inflight[head] = *req;
	return 0;
}

/* Submits req, or backlogs it behind earlier ones; answers it on an error. */
static void enqueue(struct vblk *b, const struct t_msg *req, bool *queued)
{
	int err = b->bl_count ? -ENOSPC : submit(b, req);
	if (!err) {
		*queued = true;
		return;
	}
	if (err != -ENOSPC) {
		vblk_reply(b, req, err, 0, 0);
		return;
	}
	if (b->bl_count == VBLK_BACKLOG) {
		vblk_reply(b, req, -EAGAIN, 0, 0);
		return;
	}
	b->backlog[(b->bl_head + b->bl_count++) % VBLK_BACKLOG] = *req;
}

void vblk_request(struct vblk *b, const struct t_msg *req, bool *queued)
{
	uint32_t op = req->fn - b->fnbase;
	int err;
	switch (op) {
	case TFN_BLK_INFO - TFN_BLK_READ:
		vblk_reply(b, req, 0, b->capacity, VBLK_SECTOR);
		return;
	case TFN_BLK_FLUSH - TFN_BLK_READ:
		if (!(b->features & VBLK_F_FLUSH)) {
			vblk_reply(b, req, 0, 0, 0);   /* no write cache to flush */
			return;
		}
		enqueue(b, req, queued);
		return;
	case TFN_BLK_READ - TFN_BLK_READ:
	case TFN_BLK_WRITE - TFN_BLK_READ:
		err = check_rw(b, req, op != 0);
		if (err)
			vblk_reply(b, req, err, 0, 0);
		else
			enqueue(b, req, queued);
		return;
	default:
		vblk_reply(b, req, -ENOSYS, 0, 0);
	}
}

static int status_errno(uint8_t s)
{
	return s == VBLK_S_OK ? 0 : s == VBLK_S_UNSUPP ? -EOPNOTSUPP : -EIO;
}

static void drain_backlog(struct vblk *b, bool *queued)
{
	while (b->bl_count) {
		const struct t_msg *req = &b->backlog[b->bl_head];
		int err = submit(b, req);
		if (err == -ENOSPC)
			return;
		if (err)
			vblk_reply(b, req, err, 0, 0);
		else
			*queued = true;
		b->bl_head = (b->bl_head + 1) % VBLK_BACKLOG;
		b->bl_count--;
	}
}

void vblk_complete(struct vblk *b, bool *queued)
{
	uint16_t head;
	uint32_t len;
	while (virtq_next_used(&b->q, &head, &len)) {
		if (head == VIRTQ_BAD) {
			fprintf(stderr, "virtio-blk: device completed an unknown chain\n");
			continue;
		}
		const struct t_msg *req = &b->inflight[head];
		int st = status_errno(b->status[head]);
		bool rw = req->fn - b->fnbase <= TFN_BLK_WRITE - TFN_BLK_READ;
		vblk_reply(b, req, st, st == 0 && rw ? req->arg[1] : 0, 0);
	}
	drain_backlog(b, queued);
}
