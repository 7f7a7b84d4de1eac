/*
 * A simulated Ethernet between two instances of the network stack (servers/net) on a
 * simulated clock: frames are delayed, and by a seeded choice lost, duplicated or reordered.
 * Side 0 is 10.0.2.15, side 1 is 10.0.2.2 (the gateway), both on 10.0.2.0/24.
 */
#pragma once
#include "servers/net/net.h"
#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_FRAMES 16384

struct sim_frame {
	uint64_t at;
	int to;
	uint16_t len;
	uint8_t data[1514];
};

struct sim {
	struct net *n[2];
	int ifid[2];
	uint64_t now;
	uint64_t rng;                   /* the link's choices */
	uint64_t rng_stack[2];          /* each stack's random source */
	uint32_t delay_ms, jitter_ms;   /* one way; jitter reorders */
	uint32_t loss_pct, dup_pct, reorder_pct;
	bool down;                      /* every frame lost */
	int32_t drop_in[2];             /* >= 0: the frame after that many more from a side is lost */
	uint32_t nframes;
	struct sim_frame *q[SIM_MAX_FRAMES];    /* sorted by at, stable */
	uint64_t sent[2], lost, duped;
	/* sees every frame a side sends (before loss); may be NULL */
	void (*tap)(void *ctx, int from, const uint8_t *f, size_t len);
	void *tap_ctx;
	uint32_t mtu[2];
};

/* cfg may be NULL: test defaults (MSL 500 ms). mtu 0 = 1500. */
void sim_init(struct sim *s, uint64_t seed, const struct net_config *cfg, uint32_t mtu0,
	      uint32_t mtu1);
void sim_free(struct sim *s);
/* Advance to the next event (frame or timer) no later than limit; false if none. */
bool sim_step(struct sim *s, uint64_t limit);
/* Run until done(ctx) or ms simulated milliseconds pass; whether done. */
bool sim_run(struct sim *s, bool (*done)(struct sim *s, void *ctx), void *ctx, uint64_t ms);
/* Run for ms milliseconds. */
void sim_idle(struct sim *s, uint64_t ms);
uint64_t sim_rand(uint64_t *x);
/* Inject a frame as if it came over the link to side `to`, at now. */
void sim_inject(struct sim *s, int to, const uint8_t *f, size_t len);

/* A stream of bytes from `from` to the other side, checked byte by byte on arrival. */
static inline uint8_t sim_pattern(uint64_t i, int dir)
{
	return (uint8_t)((i * 2654435761u >> 13) ^ (i >> 9) ^ (uint64_t)dir * 0x5a);
}

/* Connect side 0 to a listener on side 1 at port; cli/srv get the two ends. */
bool sim_connect(struct sim *s, uint16_t port, int *cli, int *srv, int *lis);
/* Move n01 bytes from sock[0] (side 0) to sock[1] and n10 back, then shut both down and read
   to the end; whether every byte arrived in order and the ends saw EOF. */
bool sim_transfer(struct sim *s, const int sock[2], uint64_t n01, uint64_t n10, uint64_t max_ms);

/* An Ethernet frame carrying a TCP segment to side `to` from the other side; its length. */
size_t sim_craft_tcp(struct sim *s, int to, uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
		     const uint8_t *data, size_t len);
/* A DHCP reply from side !to's address to side `to` (broadcast): xid (4 bytes, as in the
   request), type (2 OFFER, 5 ACK, 6 NAK), yiaddr, lease; mask /24, router and server
   10.0.2.2, DNS 10.0.2.9. */
size_t sim_craft_dhcp(struct sim *s, int to, uint8_t *f, const uint8_t *xid, uint8_t type,
		      uint32_t yiaddr, uint32_t lease_s);
