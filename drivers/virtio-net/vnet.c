/*
 * virtio-net driver (vnet.h): finding and claiming the device, bringing it up with its two
 * queues, and moving frames. Receive buffers are posted once and handed back after each
 * frame is delivered; a transmit buffer belongs to the descriptor head that carries it, so
 * a completed chain frees its buffer with no bookkeeping. Transmit completions raise no
 * interrupt: they are reclaimed when the next frame needs a buffer. struct vnet and its ICA
 * are the network server's state memory: a replacement takes the device over as it is.
 */
#include <errno.h>
#include <string.h>
#include "drivers/virtio-net/vnet.h"
#include "libtessera.h"
#include "srvstate.h"
#include "tsys.h"

#define PCI_VENDOR_VIRTIO 0x1af4u
#define RXQ 0
#define TXQ 1

int vnet_find(rid_t *out)
{
	rid_t rid = 0;
	while (t_res_next(RT_DEVICE, rid, &rid) == 0) {
		struct t_dev_info info;
		if (tsys_t_dev_info((long)rid, (long)&info) < 0)
			continue;
		if (info.vendor == PCI_VENDOR_VIRTIO && info.device == PCI_DEVICE_VIRTIO_NET_LEGACY) {
			*out = rid;
			return 0;
		}
	}
	return -ENODEV;
}

static int claim(struct vnet *v, rid_t dev)
{
	struct t_dev_info info;
	struct t_dev_claim c;
	long err = tsys_t_dev_info((long)dev, (long)&info);
	if (err < 0)
		return (int)err;
	if (info.bar_kind[0] != TBAR_IO || info.bar_size[0] < 32)
		return -ENODEV;       /* modern-only: no legacy registers */
	if ((err = tsys_t_dev_claim((long)dev, (long)&c)) < 0)
		return (int)err;
	v->dev = dev;
	v->vio.io = (uint16_t)info.bar_base[0];
	v->vio.msix = c.msix != 0;
	return 0;
}

static size_t ring_bytes(uint16_t qsize)
{
	return (virtq_area_size(qsize) + 4095) & ~(size_t)4095;
}

/* One ICA: receive ring, transmit ring, receive buffers, transmit buffers. */
static int make_queues(struct vnet *v, uint16_t rxsize, uint16_t txsize)
{
	v->nrx = rxsize < VNET_NBUF ? rxsize : VNET_NBUF;
	v->ntx = txsize < VNET_NBUF ? txsize : VNET_NBUF;
	size_t rr = ring_bytes(rxsize), tr = ring_bytes(txsize);
	size_t bytes = rr + tr + (size_t)(v->nrx + v->ntx) * VNET_BUF;
	uint64_t pa;
	long err;
	/* state memory: a replacement server takes the rings over as the device left them */
	uint8_t *mem = srv_salloc(bytes);
	if (!mem)
		return -ENOMEM;
	v->ica = srv_state_rid(mem);
	if ((err = tsys_t_ica_phys((long)v->ica, (long)&pa)) < 0)
		return (int)err;
	if ((err = virtq_init(&v->rx, mem, pa, rxsize)) < 0 ||
	    (err = virtq_init(&v->tx, mem + rr, pa + rr, txsize)) < 0)
		return (int)err;
	v->rxbuf = mem + rr + tr;
	v->rxbuf_pa = pa + rr + tr;
	v->txbuf = v->rxbuf + (size_t)v->nrx * VNET_BUF;
	v->txbuf_pa = v->rxbuf_pa + (uint64_t)v->nrx * VNET_BUF;
	/* completions of sent frames are collected when buffers are needed, not signalled */
	v->tx.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	return 0;
}

/* Receive buffer i goes (back) to the device. Descriptor heads are taken in order from a
 * fresh queue, so buffer i is head i for the queue's life. */
static int post_rx(struct vnet *v, uint16_t i)
{
	struct virtq_buf b = { v->rxbuf_pa + (uint64_t)i * VNET_BUF, VNET_BUF };
	uint16_t head;
	if (virtq_next_head(&v->rx) != i)
		return -EIO;
	return virtq_add(&v->rx, &b, 0, 1, &head);
}

static void read_mac(struct vnet *v)
{
	uint32_t lo = vio_cfg32(&v->vio, 0), hi = vio_cfg32(&v->vio, 4);
	for (int i = 0; i < 4; i++)
		v->mac[i] = (uint8_t)(lo >> (8 * i));
	v->mac[4] = (uint8_t)hi;
	v->mac[5] = (uint8_t)(hi >> 8);
}

int vnet_setup(struct vnet *v, rid_t dev)
{
	int err = claim(v, dev);
	if (err)
		return err;
	vio_start(&v->vio, VNET_F_MAC | VNET_F_STATUS, &v->features);
	if (!(v->features & VNET_F_MAC)) {
		err = -ENODEV;        /* QEMU always offers one; without it we would invent one */
		goto fail;
	}
	read_mac(v);
	uint16_t rs = vio_queue_size(&v->vio, RXQ), ts = vio_queue_size(&v->vio, TXQ);
	if (!rs || !ts || (rs & (rs - 1)) || (ts & (ts - 1))) {
		err = -ENODEV;
		goto fail;
	}
	if ((err = make_queues(v, rs, ts)) ||
	    (err = vio_queue_setup(&v->vio, RXQ, v->rx.pa, 0)) ||
	    (err = vio_queue_setup(&v->vio, TXQ, v->tx.pa, VIO_NO_VECTOR)))
		goto fail;
	for (uint16_t i = 0; i < v->nrx && !err; i++)
		err = post_rx(v, i);
	if (err)
		goto fail;
	virtq_publish(&v->rx);
	vio_ready(&v->vio);
	vio_notify(&v->vio, RXQ);
	return 0;
fail:
	vio_fail(&v->vio);
	return err;
}

bool vnet_link_up(const struct vnet *v)
{
	if (!(v->features & VNET_F_STATUS))
		return true;
	return (vio_cfg32(&v->vio, 4) >> 16) & VNET_S_LINK_UP;
}

/* Sent frames the device is done with free their descriptors (and so their buffers). */
static void reclaim_tx(struct vnet *v)
{
	uint16_t head;
	uint32_t len;
	while (virtq_next_used(&v->tx, &head, &len))
		;
}

int vnet_send(struct vnet *v, const void *frame, size_t len)
{
	if (len > VNET_MAX_FRAME)
		return -EMSGSIZE;
	reclaim_tx(v);        /* one read of the used index when there is nothing */
	/* only heads below ntx own a buffer; the ring may be larger than the buffer area */
	uint16_t head = virtq_next_head(&v->tx);
	if (!virtq_free(&v->tx) || head >= v->ntx) {
		v->stats.tx_full++;
		return -ENOBUFS;
	}
	uint8_t *buf = v->txbuf + (size_t)head * VNET_BUF;
	memset(buf, 0, VNET_HDR);
	memcpy(buf + VNET_HDR, frame, len);
	struct virtq_buf b = { v->txbuf_pa + (uint64_t)head * VNET_BUF, (uint32_t)(VNET_HDR + len) };
	int err = virtq_add(&v->tx, &b, 1, 0, &head);
	if (err)
		return err;
	v->stats.tx_frames++;
	if (++v->tx_unkicked >= 32)
		vnet_kick(v);
	return 0;
}

void vnet_kick(struct vnet *v)
{
	if (!v->tx_unkicked)
		return;
	v->tx_unkicked = 0;
	if (virtq_publish(&v->tx))
		vio_notify(&v->vio, TXQ);
}

int vnet_receive(struct vnet *v, vnet_deliver deliver, void *ctx)
{
	uint16_t head;
	uint32_t len;
	int n = 0;
	while (virtq_next_used(&v->rx, &head, &len)) {
		if (head == VIRTQ_BAD || head >= v->nrx) {
			v->stats.rx_bad++;
			continue;     /* a broken device: that buffer is lost, never reused */
		}
		if (len > VNET_HDR && len <= VNET_BUF) {
			deliver(ctx, v->rxbuf + (size_t)head * VNET_BUF + VNET_HDR, len - VNET_HDR);
			v->stats.rx_frames++;
		} else {
			v->stats.rx_bad++;
		}
		struct virtq_buf b = { v->rxbuf_pa + (uint64_t)head * VNET_BUF, VNET_BUF };
		if (virtq_add(&v->rx, &b, 0, 1, &head) == 0)
			n++;
	}
	if (n && virtq_publish(&v->rx))
		vio_notify(&v->vio, RXQ);
	return n;
}

void vnet_irq(struct vnet *v)
{
	v->stats.irqs++;
	if (!v->vio.msix) {
		vio_isr(&v->vio);     /* reading the ISR lowers the line */
		tsys_t_dev_irq_ack((long)v->dev, 0);
	}
}
