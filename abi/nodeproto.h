/*
 * The protocol between node servers (servers/node, docs/migration.md). Standard UDP and TCP
 * over IPv4, so any machine that speaks it could be a node: node N has the address
 * 10.0.3.N on the cluster's network.
 *
 * UDP port NP_PORT: remote procedure calls, one datagram each way. The caller picks a
 * transaction id (xid) and sends again with the same xid until it gets the answer or gives
 * up (NP_TRIES sends, NP_WAIT_MS apart at first, doubling): -EHOSTUNREACH. The answering
 * node keeps its last NP_DUP_CACHE answers by (caller address, port, xid) and sends a kept
 * answer again instead of doing the call twice: each call runs at most once. Announcements
 * (NP_ANNOUNCE) are datagrams that need no answer, every NP_ANNOUNCE_MS to every node.
 *
 * TCP port NP_MIG_PORT: one connection per migration, from the node the process leaves:
 * BEGIN (its image and argument vectors), PAGES (batches of whole pages), END; the node it
 * comes to answers DONE (the process runs there now) or FAIL (it was not made; nothing is
 * left). All numbers are little-endian (both ends are x86-64).
 */
#pragma once
#include <stdint.h>
#include "abi/node.h"
#include "abi/tessera.h"

#define NP_PORT 7100
#define NP_MIG_PORT 7101
#define NP_MAGIC 0x444f4e54u           /* "TNOD" */
#define NP_MAX 1400                    /* bytes of one datagram, header included */
#define NP_TRIES 12
#define NP_WAIT_MS 100
#define NP_DUP_CACHE 128
#define NP_ANNOUNCE_MS 1000
#define NP_NODE_DEAD_MS 3500           /* a node unheard this long is down */
#define NP_NODE_LOST_MS 15000          /* ... and this long, lost: the processes of this node
					* that ran there are reported ended (SIGKILL) */
#define NP_NET 0x0a000300u             /* 10.0.3.0: node N is NP_NET + N */
#define NP_MIG_SOCKBUF (256 << 10)     /* TCP buffers of a migration stream: the sender goes
					* on while the receiver writes a batch of pages (a closed
					* stream keeps them through TIME_WAIT: not more) */

enum np_op {
	NP_PING = 1,        /* -> nothing; <- nothing: is the node there */
	NP_ANNOUNCE,        /* struct np_load, no answer */
	NP_NODES,           /* -> nothing; <- struct np_nodes (from the local node server) */
	NP_RES,             /* -> struct t_node_resop; <- the same, answered */
	NP_KILL,            /* -> struct np_kill */
	NP_EXIT,            /* -> struct np_exit */
	NP_LOCATE,          /* -> struct np_locate */
	NP_CONS,            /* -> struct np_cons: bytes for the home node's console */
	NP_QUERY,           /* -> struct np_query; <- struct np_query (state) */
	NP_MIGRATE,         /* -> struct np_migrate: move one of your processes (drain, balance) */
};
#define NPF_REPLY 1u

struct np_hdr {
	uint32_t magic;
	uint16_t op;
	uint16_t flags;
	uint32_t xid;
	int32_t status;                /* answers: 0 or a negative errno */
	uint32_t from_node;
	uint32_t len;                  /* bytes after the header */
};
#define NP_BODY_MAX (NP_MAX - (int)sizeof(struct np_hdr))

struct np_load {
	uint32_t node;
	uint32_t nproc, runnable, load;   /* load: runnable executions, decaying average x 100 */
	uint32_t visitors, away;
	uint64_t pages_free, pages_total, uptime_ms;
};

#define NP_MAX_NODES 16
struct np_nodes {
	uint32_t n;
	uint32_t pad;
	struct np_node_row {
		struct np_load load;
		uint32_t age_ms;       /* since it was last heard (0: this node) */
		uint32_t up;
	} row[NP_MAX_NODES];
};

struct np_kill {
	int32_t pid;                   /* on the node asked */
	int32_t sig;
	uint32_t uid;                  /* the sender's */
	uint32_t home_node;            /* the process must be this one's (else ESRCH) */
	int32_t home_pid;
};

struct np_exit {
	int32_t home_pid;              /* at the node asked */
	int32_t status;
	int32_t pid;                   /* where it ended (the node is the sender) */
};

struct np_locate {
	int32_t home_pid;
	uint32_t old_node;
	int32_t old_pid;
	uint32_t node;
	int32_t pid;
};

#define NP_CONS_MAX 1024
struct np_cons {
	int32_t home_pid;
	uint32_t len;
	char bytes[NP_CONS_MAX];
};

/* NP_QUERY: is the process of home_node/home_pid here (after a migration stream broke)? */
struct np_query {
	uint32_t home_node;
	int32_t home_pid;
	uint32_t state;                /* answer: TMQ_* (abi/node.h) */
	int32_t pid;                   /* answer: its pid here */
};

/* NP_MIGRATE is answered when the move is over (the caller waits, sending again meanwhile:
 * a repeat of a call still running is not answered) */
struct np_migrate {
	int32_t pid;
	uint32_t node;                 /* where to (0: the least loaded other node); answer: where */
	uint32_t flags;                /* TNODE_MIG_* (user/lib/tnode.h) */
	uint32_t why;                  /* answer, status -EBUSY: TMIG_* */
};

/* ---- the migration stream (TCP) ------------------------------------------------------------ */
/* With pre-copy, PRE messages (pages as PAGES has them, read while the process ran) come
 * before BEGIN: the node keeps them and puts them into the process once it is made, but
 * not into the regions BEGIN marks NPM_SEG_FRESH (new since: they come whole in PAGES). */
enum np_mig_msg { NPM_BEGIN = 1, NPM_PAGES, NPM_END, NPM_DONE, NPM_FAIL, NPM_PRE, NPM_GO };
#define NPM_SEG_FRESH 0x100u           /* in t_mig_seg.flags of BEGIN (taken out before use) */
struct np_mig_hdr {
	uint32_t magic;
	uint32_t type;                 /* enum np_mig_msg */
	uint64_t len;                  /* bytes after this header */
	int64_t value;                 /* END: pages sent; DONE: pid there; FAIL: errno */
};
/* BEGIN: struct np_mig_begin, then img.nseg struct t_mig_seg, then img.args_len bytes of
 * argument vectors. A whole space is several processes in one stream, each BEGIN ... END
 * with NPMB_HOLD (the ones after the first with NPMB_SAME_SPACE), then GO: all are started
 * together and each gets its DONE, in order; or none is, and FAIL says why. */
#define NPMB_HOLD 1u                   /* do not start it at END: wait for GO */
#define NPMB_SAME_SPACE 2u             /* into the space of the stream's first process */
struct np_mig_begin {
	char space_name[T_NAME_MAX];   /* a named space there to join ("": one of its own) */
	uint32_t flags;                /* NPMB_* */
	uint32_t pad;
	struct t_mig_image img;
};
/* PAGES: uint32_t n, uint32_t pad, uint64_t addr[n], then n * 4096 bytes */
