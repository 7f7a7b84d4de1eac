/*
 * The sending side of a migration, inside libtessera (tmig.c, tmigpre.c; tnode.h has the
 * interface): one migration's state and the stream helpers its two files share.
 */
#pragma once
#include <stdint.h>
#include "tnode.h"

#define PAGE 4096u

/* A PAGES (or PRE) message as it goes: this header, then the pages */
struct pages_msg {
	struct np_mig_hdr h;
	uint32_t n, pad;
	uint64_t addr[T_MIG_BATCH];
};
#define TMIG_BUF_BYTES (sizeof(struct pages_msg) + T_MIG_BATCH * PAGE)

struct mig {
	int pid, fd;
	uint32_t node;
	struct t_mig_image *img;
	struct t_mig_seg *segs;
	char *args;
	char *buf;                     /* a PAGES message: header, count, addresses, pages */
	struct tnode_mig_stats *st;
	uint64_t *ids;                 /* pre-copy: the regions the last live round read */
	uint32_t nids;
};

uint64_t tmig_now_ns(void);
int tmig_send_all(int fd, const void *buf, size_t n);
int tmig_recv_all(int fd, void *buf, size_t n);
/* A migration stream to node's receiver (TCP, timeouts, buffers). */
int tmig_connect(uint32_t node, int *out);
/* BEGIN with m's image, regions and vectors; flags NPMB_*. */
int tmig_send_begin(struct mig *m, const char *space_name, uint32_t flags);
/* The pages that go while it is stopped, then END. */
int tmig_send_pages(struct mig *m, uint64_t *sent);
/* After a stream broke: whether the copy of m runs on its node (1, its pid in *rpid). */
int tmig_ask(struct mig *m, int *rpid);
/* The copy runs as rpid: m's process leaves here (or, ended here meanwhile, the copy is
 * killed: the error). */
int tmig_commit(struct mig *m, int rpid);
/* The pages of segment s that t_mig_read gives with flags, as messages of type (NPM_PAGES,
 * NPM_PRE); *sent counts them. */
int tmig_send_seg(struct mig *m, const struct t_mig_seg *s, uint32_t flags, uint32_t type,
		  uint64_t *sent);
/* Pre-copy: rounds while the process runs (its layout read anew each round), until few
 * pages change between two rounds, or they stop getting fewer, or TMIG_PRE_ROUNDS. */
int tmig_precopy(struct mig *m);
/* Whether region id was read in the last live round. */
int tmig_seen(const struct mig *m, uint64_t id);
