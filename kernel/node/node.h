/*
 * This machine as a node of a cluster (abi/node.h, docs/migration.md): its id and the
 * cluster's size from the command line, its share of the system-wide user addresses, and
 * the kernel's calls to the node server (servers/node), which carries them to other nodes:
 * the uniform resource interface on another node's resources, signals to processes of this
 * node that run elsewhere, and the end of a process whose home is elsewhere.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/node.h"
#include "kernel/res/res.h"

/* `node=N` and `nodes=M` among the words of the command line (before uva_init). */
void node_boot_args(const char *cmdline);
/* After uva_init: a node takes its addresses from a slice of the system-wide range of its own,
 * so the addresses a process brings from another node are free here (kernel/proc/migrate.c). */
void node_init(void);
uint32_t node_self(void);
/* Whether rid names another node's resource (*node: which); an id with this node's own
 * field is made local in *local. Ids with a bad type or generation stay local (their
 * lookup gives the usual EINVAL), as does node 255. */
bool node_rid_remote(rid_t rid, uint32_t *node, rid_t *local);
int node_info(struct t_node_info *out);

/* The uniform interface on node's resource: io->op, rid (local to that node), arg, arg2 are
 * the request; the answer comes back in io (out_rid, info). The caller's uid and gid travel
 * with it. -EHOSTUNREACH when this node is in no cluster, has no node server, or the node
 * does not answer. */
int node_res_remote(uint32_t node, struct t_node_resop *io, const struct cred *cred);
/* The same operation here for a caller on another node (the node server asks, as root). */
int node_res_local(struct t_node_resop *io);

/* Asynchronous notes through the node server (never wait; lost if there is none): a signal
 * for the process that runs as pid on node (home_pid here), and the end of a process here
 * whose home is home_node (home_pid there). */
void node_send_kill(uint32_t node, int pid, int sig, int home_pid, uint32_t uid);
void node_send_exit(uint32_t home_node, int home_pid, int status, int pid);
