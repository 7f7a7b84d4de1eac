/*
 * virtio-net: the driver of a transitional virtio-net-pci device (1af4:1000), linked into
 * the network server (servers/net/main.c), which claims the device and owns it: one process,
 * no frame copied between a driver and a server (docs/network.md, "The driver"). The legacy
 * transport (user/libsrv/vio.h) and split virtqueues (user/libsrv/virtq.h) as virtio-blk
 * uses them; queue 0 receives, queue 1 transmits, and both the rings and the frame buffers
 * live in one ICA whose physical address the device gets (t_ica_phys).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/srv.h"
#include "user/libsrv/virtq.h"
#include "user/libsrv/vio.h"

#define PCI_DEVICE_VIRTIO_NET_LEGACY 0x1000u

/* feature bits (virtio 1.x spec 5.1.3) */
#define VNET_F_MAC (1u << 5)
#define VNET_F_STATUS (1u << 16)
#define VNET_S_LINK_UP 1u

/* The header before every frame without VIRTIO_NET_F_MRG_RXBUF (spec 5.1.6, legacy: 10
 * bytes). Nothing is offloaded, so it stays zero on transmit and is ignored on receive. */
#define VNET_HDR 10u
#define VNET_BUF 2048u                  /* header + the largest frame (1514), per buffer */
#define VNET_MAX_FRAME 1514u
#define VNET_NBUF 256u                  /* buffers each way, at most */

struct vnet_stats {
	uint64_t rx_frames, tx_frames, rx_bad, tx_full, irqs;
};

struct vnet {
	rid_t dev;
	struct vio vio;
	uint32_t features;
	uint8_t mac[6];
	struct virtq rx, tx;
	uint8_t *rxbuf, *txbuf;         /* VNET_BUF per buffer, indexed by descriptor head */
	uint64_t rxbuf_pa, txbuf_pa;
	uint16_t nrx, ntx;              /* buffers posted to / usable on each queue */
	uint16_t tx_unkicked;           /* published transmit chains not yet notified */
	rid_t ica;
	struct vnet_stats stats;
};

/* The first virtio-net function (bus order), or -ENODEV. */
int vnet_find(rid_t *out);
/* Claims dev, resets it, sets up both queues and posts the receive buffers. */
int vnet_setup(struct vnet *v, rid_t dev);
/* Copies one frame into a transmit buffer and queues it (the device learns of it at
 * vnet_kick). -ENOBUFS when every buffer is still in the device, -EMSGSIZE when too long. */
int vnet_send(struct vnet *v, const void *frame, size_t len);
/* Tells the device of the frames queued since the last kick. */
void vnet_kick(struct vnet *v);
/* Hands every received frame to deliver, then gives its buffer back to the device. */
typedef void (*vnet_deliver)(void *ctx, const void *frame, size_t len);
int vnet_receive(struct vnet *v, vnet_deliver deliver, void *ctx);
/* An interrupt message came: with INTx, quiets the device and unmasks the line. */
void vnet_irq(struct vnet *v);
/* Link status (true when the device has no STATUS feature). */
bool vnet_link_up(const struct vnet *v);
