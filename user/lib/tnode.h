/*
 * tnode: nodes and migration from user space (abi/node.h, abi/nodeproto.h,
 * docs/migration.md). Wrappers of the t_node_* and t_mig_* calls, the remote procedure
 * call of the node servers (UDP, retried, at most once at the other end), and the sending
 * side of a migration, which /bin/migrate, drain and the balancer use.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/node.h"
#include "abi/nodeproto.h"

int t_node_info(struct t_node_info *out);
int t_node_resop(struct t_node_resop *io);
int t_node_signal(int pid, int sig, uint32_t uid, uint32_t home_node, int home_pid);
/* flags: TMF_*; *why: the reason of a refusal (-EBUSY) */
int t_mig_freeze(int pid, struct t_mig_image *img, struct t_mig_seg *segs, void *args,
		 uint32_t flags, uint32_t *why);
int t_mig_read(int pid, struct t_mig_pages *io);
/* The regions of pid as it runs (T_MIG_MAXSEG): how many, or a negative errno. */
int t_mig_layout(int pid, struct t_mig_seg *segs);
int t_mig_thaw(int pid);
int t_mig_commit(int pid, uint32_t node, int rpid, uint64_t *late);
int t_mig_create(const struct t_mig_image *img, const struct t_mig_seg *segs, const void *args,
		 rid_t space, int *pid);
int t_mig_write(int pid, const struct t_mig_pages *io);
int t_mig_start(int pid, uint64_t late);
int t_mig_discard(int pid);
int t_mig_exited(int home_pid, int status, uint32_t from_node, int from_pid);
int t_mig_locate(int home_pid, uint32_t old_node, int old_pid, uint32_t node, int pid);
/* TMQ_* (>= 0), *pid its pid here; or a negative errno. */
int t_mig_query(uint32_t home_node, int home_pid, int *pid);
/* Why a process cannot move, in words (TMIG_*). */
const char *tnode_why_str(uint32_t why);

/* This node's id (0: not in a cluster). */
uint32_t tnode_self(void);
/* Node n's address on the cluster network (host order); node 0: 127.0.0.1. */
uint32_t tnode_addr(uint32_t node);

/* ---- remote procedure calls ------------------------------------------------------------- */
struct tnode_rpc {
	int sock;                      /* a UDP socket, bound on first use */
	uint32_t xid;
	int tries;                     /* sends before giving up (NP_TRIES) */
};
int tnode_rpc_open(struct tnode_rpc *r);
void tnode_rpc_close(struct tnode_rpc *r);
/* Call op at node (0: this node's own server) with req; the answer's body (at most
 * resp_max bytes) in resp, its length in *resp_len. Returns the answer's status, or
 * -EHOSTUNREACH when no answer came after r->tries sends. */
int tnode_call(struct tnode_rpc *r, uint32_t node, uint16_t op, const void *req, size_t req_len,
	       void *resp, size_t resp_max, size_t *resp_len);

/* ---- migration ---------------------------------------------------------------------------- */
#define TNODE_MIG_PRECOPY 1u           /* copy while it runs, then stop and copy what changed */
#define TNODE_MIG_QUIET 2u

struct tnode_mig_stats {
	int remote_pid;                /* its pid on the node it went to */
	uint32_t why;                  /* -EBUSY: why it could not move (TMIG_*) */
	uint64_t pages, bytes;         /* sent in all (pre-copy rounds too) */
	uint64_t pages_final;          /* sent while it was stopped */
	uint32_t rounds;               /* pre-copy rounds before the stop */
	uint64_t total_ns;             /* from the call to the commit */
	uint64_t down_ns;              /* from the stop to the commit: the process ran nowhere */
};
/* Move process pid of this node to node; space_name: a named space there to join (NULL: a
 * space of its own). 0 when it runs there now (stats in *st); otherwise it goes on here as
 * before and the error says why (-EBUSY: st->why; -EHOSTUNREACH: the node did not answer). */
int tnode_migrate(int pid, uint32_t node, const char *space_name, uint32_t flags,
		  struct tnode_mig_stats *st);
/* Move every process of space (a space of this node) to node, into one space there: all of
 * them or none. -EBUSY with st->why and *who (the process that cannot move) when one cannot;
 * the space's processes may only share it with each other (TMF_SPACE). */
int tnode_migrate_space(rid_t space, uint32_t node, struct tnode_mig_stats *st, int *who);
/* The same for a process of this node wherever it runs now (pid: its pid here): here, it is
 * moved from here; elsewhere, the node it runs on is asked to move it (NP_MIGRATE; st gets
 * only why). A process already on node is left there (0). */
int tnode_move(int pid, uint32_t node, uint32_t flags, struct tnode_mig_stats *st);
