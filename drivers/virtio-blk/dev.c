/*
 * Finding, claiming and starting the virtio-blk device: the legacy transport's steps (spec
 * 3.1.1), one request queue with MSI-X vector 0 (or INTx), and the ring area in an ICA whose
 * physical address the device gets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "drivers/virtio-blk/vblk.h"
#include "libtessera.h"
#include "srvstate.h"
#include "tsys.h"

#define PCI_VENDOR_VIRTIO 0x1af4u
#define PCI_DEVICE_VIRTIO_BLK_LEGACY 0x1001u   /* transitional: legacy and modern */

/* The unit-th virtio-blk function in bus order. */
int vblk_find(uint32_t unit, rid_t *out)
{
	rid_t rid = 0;
	uint32_t seen = 0;
	while (t_res_next(RT_DEVICE, rid, &rid) == 0) {
		struct t_dev_info info;
		if (tsys_t_dev_info((long)rid, (long)&info) < 0)
			continue;
		if (info.vendor != PCI_VENDOR_VIRTIO || info.device != PCI_DEVICE_VIRTIO_BLK_LEGACY)
			continue;
		if (seen++ == unit) {
			*out = rid;
			return 0;
		}
	}
	return -ENODEV;
}

/* Claims the device and finds its legacy registers (I/O BAR0). */
static int claim(struct vblk *b)
{
	struct t_dev_info info;
	struct t_dev_claim c;
	long err = tsys_t_dev_info((long)b->dev, (long)&info);
	if (err < 0)
		return (int)err;
	if (info.bar_kind[0] != TBAR_IO || info.bar_size[0] < 24)
		return -ENODEV;       /* modern-only device: no legacy registers */
	err = tsys_t_dev_claim((long)b->dev, (long)&c);
	if (err < 0)
		return (int)err;
	b->vio.io = (uint16_t)info.bar_base[0];
	b->vio.msix = c.msix != 0;
	b->nvec = c.nvec;
	return 0;
}

static void read_config(struct vblk *b)
{
	b->capacity = vio_cfg64(&b->vio, 0);
	b->size_max = (b->features & VBLK_F_SIZE_MAX) ? vio_cfg32(&b->vio, 8) : 0;
	b->seg_max = (b->features & VBLK_F_SEG_MAX) ? vio_cfg32(&b->vio, 12) : 0;
	if (b->size_max && b->size_max < 4096)
		b->size_max = 4096;   /* a page at least, or a 4 MiB ICA could not fit */
}

/* The ring, then one header and one status byte per descriptor, in one zeroed ICA. */
static int make_queue(struct vblk *b, uint16_t qsize)
{
	size_t ring = (virtq_area_size(qsize) + 15) & ~(size_t)15;
	size_t bytes = ring + qsize * sizeof(struct vblk_hdr) + qsize;
	uint64_t pa;
	/* state memory: a replacement driver takes the ring over as it is, with the requests
	 * the device has in flight (docs/replacement.md) */
	char *mem = srv_salloc(bytes);
	if (!mem)
		return -ENOMEM;
	long err = tsys_t_ica_phys((long)srv_state_rid(mem), (long)&pa);
	if (err < 0)
		return (int)err;
	err = virtq_init(&b->q, mem, pa, qsize);
	if (err < 0)
		return (int)err;
	b->hdr = (volatile struct vblk_hdr *)(mem + ring);
	b->hdr_pa = pa + ring;
	b->status = (volatile uint8_t *)(mem + ring + qsize * sizeof(struct vblk_hdr));
	b->status_pa = b->hdr_pa + qsize * sizeof(struct vblk_hdr);
	b->inflight = srv_salloc(qsize * sizeof(struct t_msg));
	return b->inflight ? 0 : -ENOMEM;
}

int vblk_setup(struct vblk *b)
{
	int err = claim(b);
	if (err)
		return err;
	vio_start(&b->vio, VBLK_F_SIZE_MAX | VBLK_F_SEG_MAX | VBLK_F_RO | VBLK_F_FLUSH,
		  &b->features);
	read_config(b);
	uint16_t qsize = vio_queue_size(&b->vio, 0);
	/* legacy queues have the device's size; a power of 2 is all the ring code needs */
	if (!qsize || (qsize & (qsize - 1)) || qsize > VIRTQ_MAX_SIZE) {
		err = -ENODEV;
		goto fail;
	}
	err = make_queue(b, qsize);
	if (!err)
		err = vio_queue_setup(&b->vio, 0, b->q.pa, 0);
	if (err)
		goto fail;
	vio_ready(&b->vio);
	return 0;
fail:
	vio_fail(&b->vio);
	return err;
}
