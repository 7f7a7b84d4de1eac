/*
 * The network server (docs/network.md, "The server"): the state shared by its event loop
 * (main.c), the TFN_NET_* protocol handlers (proto.c) and the readiness events it reports to
 * the kernel (events.c). The server is one process: the TCP/IP stack of this directory, the
 * virtio-net driver (drivers/virtio-net) and the loopback interface.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/srv.h"
#include "drivers/virtio-net/vnet.h"
#include "servers/net/net.h"
#include "servers/net/sheap.h"

#define NSRV_MAX_SOCKETS 1024u
/* The state heap (sheap.h): the stack's pools (about 1.5 MiB with 1024 sockets) and its
 * socket buffers (the stack's 32 MiB budget), with room for fragmentation. Only what is
 * used becomes resident. */
#define NSRV_HEAP_BYTES (48ull << 20)
/* The layout version of the state (struct nsrv as the root, the stack's structures in the
 * heap, struct vnet's queues in their ICA): raise it when any of them changes. */
#define NSRV_STATE_VERSION 2u   /* 2: per-interface counters (struct net_iface) */

#define NSRV_HOLDERS 4                  /* callers that may each hold a NET_EVENTS request */

struct nsrv_event {
	int32_t handle;
	uint32_t revents;
	bool queued;                    /* news not yet taken */
};

/* fault.c: the fault switch */
struct nsrv_fault {
	bool on;
	uint32_t drop, dup, reorder;    /* per cent */
	uint64_t rng;
	uint8_t held[VNET_MAX_FRAME];
	size_t held_len;
	uint64_t dropped, duplicated, reordered;
};
typedef void (*nsrv_pass)(void *ctx, const void *frame, size_t len);
/* Passes frame to out (or not, twice, or later) as the switch says. */
void nsrv_fault_pass(struct nsrv_fault *f, nsrv_pass out, void *ctx, const void *frame,
		     size_t len);
/* Passes a frame still held back. */
void nsrv_fault_flush(struct nsrv_fault *f, nsrv_pass out, void *ctx);

/* The server's root object: all of it, and everything it points to, is state memory that a
 * replacement takes over at the same addresses (docs/replacement.md). */
struct nsrv {
	struct sheap *heap;             /* where the stack's memory comes from */
	struct net *st;
	uint64_t now;                   /* ms since boot, as last given to the stack */
	bool have_nic;
	int ifid;                       /* the Ethernet interface, or NET_IF_LOOPBACK */
	struct vnet nic;
	/* readiness changes not yet reported, and the NET_EVENTS requests waiting for them */
	struct nsrv_event ev[NSRV_MAX_SOCKETS];
	uint32_t ev_count;
	struct t_msg ev_req[NSRV_HOLDERS];
	bool ev_held[NSRV_HOLDERS];
	/* per table slot: the type (0 free, for statistics) and the creator (pid, 0 the kernel),
	 * whose NET_EVENTS requests get the socket's news */
	uint8_t sock_type[NSRV_MAX_SOCKETS];
	int32_t owner[NSRV_MAX_SOCKETS];
	struct nsrv_fault rx_fault, tx_fault;
	uint64_t requests, denied;
};

/* proto.c: one request, answered at once (or, NET_EVENTS with nothing to report, held). */
void nsrv_request(struct nsrv *s, struct t_msg *m);
/* Answers request m with status and its arg[] (the caller's ICAs go back with it). */
void nsrv_reply(struct t_msg *m, int status);

/* proto_cfg.c: options, interface configuration, statistics */
int nsrv_setopt(struct nsrv *s, struct t_msg *m);
int nsrv_getopt(struct nsrv *s, struct t_msg *m);
int nsrv_ifconfig(struct nsrv *s, struct t_msg *m);
int nsrv_stats(struct nsrv *s, struct t_msg *m);

/* proto_info.c: NET_INFO, the interfaces, sockets and ARP cache as records */
int nsrv_info(struct nsrv *s, struct t_msg *m);

/* events.c */
void nsrv_event_note(void *ctx, int sock, uint32_t events);   /* the stack's callback */
/* Holds a NET_EVENTS request, or answers it at once when there is news. */
void nsrv_events_request(struct nsrv *s, struct t_msg *m);
/* Answers the held NET_EVENTS request when there is news. */
void nsrv_events_flush(struct nsrv *s);
