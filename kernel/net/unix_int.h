/* The table of unix sockets and the helpers shared by unix.c (the table, the open-file
 * variant, the receive queues, send and recv) and unix_conn.c (names, bind, listen,
 * connect, accept, shutdown, options). Not for use outside kernel/net. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/net/unix.h"

#define NUX 256                       /* sockets at once */
#define UX_QCAP (32u << 10)           /* a receive queue's bytes (records with their headers) */

enum { UX_FREE, UX_UNCONN, UX_LISTEN, UX_CONN, UX_EMBRYO };

/* A socket. Sockets refer to each other by id (ux_id: slot and generation), so a peer that
 * went away is noticed, never followed. */
struct usock {
	uint8_t state;
	uint8_t type;                 /* L_SOCK_STREAM, L_SOCK_DGRAM, L_SOCK_SEQPACKET */
	bool rd_shut;                 /* nothing more comes in: end of file once drained */
	bool wr_shut;                 /* nothing more may go out: EPIPE */
	bool peer_left;               /* a connection's peer closed */
	bool bound;                   /* the name is its own (an accepted socket shows its
				       * listener's name without holding it) */
	uint16_t gen;
	int err;                      /* SO_ERROR (positive errno) */
	uint32_t peer;                /* the connected peer's id (0: none) */
	uint32_t listener;            /* an embryo's listener (a connection not yet accepted) */
	uint32_t seq;                 /* an embryo's place in its listener's queue */
	int backlog;
	rid_t node;                   /* the socket node bound to (0: none, or abstract) */
	struct ux_addr name;
	struct ux_addr peer_name;     /* a connection's peer's name as it left (getpeername
				       * still answers then, as on Linux) */
	uint8_t *q;                   /* the receive queue (kbig, on first use) */
	uint32_t qlen, nrec;          /* bytes queued; records queued (datagram, seqpacket) */
	uint64_t rcvtimeo_ns, sndtimeo_ns;
	int32_t cred_pid;             /* SO_PEERCRED of the peer: who connected / was connected */
	uint32_t cred_uid, cred_gid;
	uint32_t own_pid, own_uid, own_gid;   /* who made this socket (or connected it) */
};

extern struct usock ux_tab[NUX];

uint32_t ux_id(const struct usock *s);
/* The live socket of id (NULL: none, or gone). */
struct usock *ux_get(uint32_t id);
struct usock *ux_of(struct file *f);
/* A free slot as a new socket of type (state UX_UNCONN); NULL: -ENFILE. */
struct usock *ux_alloc(uint8_t type);
/* A new open file for s (freed with s on failure). */
int ux_file(struct usock *s, int flags, struct file **out);
/* Frees s and what it holds; its connections see the end. */
void ux_free(struct usock *s);
/* Something about s changed: wake its sleepers and any poll. */
void ux_changed(struct usock *s);
/* Sleep until s changes or deadline: 0, -EAGAIN at the deadline, -ERESTARTSYS (-EINTR with
 * a deadline) for a signal. */
int ux_wait(struct usock *s, uint64_t deadline);
bool ux_conn_type(const struct usock *s);
/* The name of s's peer (the one it had if it left); empty if none. */
void ux_peer_name(struct usock *s, struct ux_addr *out);
/* Connect a and b to each other (records who each peer is for SO_PEERCRED). */
void ux_link(struct usock *a, struct usock *b);
/* The bound socket named a (a path's node, or an abstract name held by a socket of type):
 * -ENOENT (no such path), -ECONNREFUSED (no socket bound there). */
int ux_lookup(const struct ux_addr *a, uint8_t type, struct usock **out);
