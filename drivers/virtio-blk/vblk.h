/*
 * The virtio-blk driver process (docs/servers.md, "Writing a driver"): its state, shared by
 * main.c (finding and claiming the device, the request loop), dev.c (bringing the device up)
 * and io.c (turning requests into virtqueue chains and completions into results).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/srv.h"
#include "user/libsrv/virtq.h"
#include "user/libsrv/vio.h"

#define VBLK_SECTOR 512u
#define VBLK_MAX_SEGS 64u              /* data descriptors of one request */
#define VBLK_BACKLOG 128u              /* requests waiting for free descriptors */
/* The most one request moves: the biggest ICA. */
#define VBLK_MAX_SECTORS ((uint64_t)T_ICA_MAX_PAGES * 4096 / VBLK_SECTOR)

/* virtio-blk feature bits (spec 5.2.3) and request types and status (5.2.6) */
#define VBLK_F_SIZE_MAX (1u << 1)
#define VBLK_F_SEG_MAX (1u << 2)
#define VBLK_F_RO (1u << 5)
#define VBLK_F_BLK_SIZE (1u << 6)
#define VBLK_F_FLUSH (1u << 9)
#define VBLK_T_IN 0u
#define VBLK_T_OUT 1u
#define VBLK_T_FLUSH 4u
#define VBLK_S_OK 0u
#define VBLK_S_IOERR 1u
#define VBLK_S_UNSUPP 2u

/* The header every request starts with (device-readable). */
struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	rid_t dev;
	uint32_t unit, fnbase;         /* fnbase: TFN_BLK_READ + unit * TFN_BLK_STRIDE */
	struct vio vio;
	uint32_t features;
	uint64_t capacity;             /* sectors */
	uint32_t size_max, seg_max;    /* per data descriptor and per request (0: no limit) */
	uint32_t nvec;
	struct virtq q;
	/* headers and status bytes, one per descriptor (indexed by a chain's head), in the
	 * same ICA as the ring so the device reaches them */
	volatile struct vblk_hdr *hdr;
	volatile uint8_t *status;
	uint64_t hdr_pa, status_pa;
	struct t_msg *inflight;        /* per head: the request it carries */
	struct t_msg backlog[VBLK_BACKLOG];
	unsigned bl_head, bl_count;
	uint64_t served, errors, orphans;  /* orphans: answers nobody waited for any more */
};

/* dev.c */
int vblk_find(uint32_t unit, rid_t *out);
int vblk_setup(struct vblk *b);

/* io.c */
/* Takes one request: answers it at once (bad input, info) or puts it on the device; *queued
 * says whether the device needs a notify for it. */
void vblk_request(struct vblk *b, const struct t_msg *req, bool *queued);
/* Answers every request the device has finished, then moves backlogged requests onto the
 * freed descriptors; *queued as above. */
void vblk_complete(struct vblk *b, bool *queued);
/* Sends the result of req: status, arg[0] = a0, arg[1] = a1, its ICAs handed back. */
void vblk_reply(struct vblk *b, const struct t_msg *req, int status, uint64_t a0, uint64_t a1);
