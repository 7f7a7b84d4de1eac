/*
 * The node server (docs/migration.md): this machine's part in a cluster of Tessera nodes.
 * Three processes, each waiting on one thing only:
 *  - the main one serves the kernel's function ids TFN_NODE_* (abi/fnids.def): resource
 *    operations on other nodes, signals for processes away, ends of visitors, their console
 *    output, each carried as a remote procedure call (kreq.c);
 *  - the responder answers the other nodes' calls on UDP port NP_PORT, at most once each,
 *    announces this node's load every second and keeps the table of nodes (resp.c);
 *  - the receiver takes migrations on TCP port NP_MIG_PORT and builds the processes that
 *    come (recv.c).
 * The children end when the main process does (svc stop node).
 */
#pragma once
#include <stdint.h>
#include "abi/nodeproto.h"
#include "abi/srv.h"
#include "tnode.h"

extern uint32_t node_id, node_count;

int kreq_handle(struct t_msg *m, void *ctx);
_Noreturn void resp_main(int parent);
_Noreturn void recv_main(int parent);
/* Whether the main process (pid parent) is gone: then a child ends too. */
int parent_gone(int parent);
/* Bind fd to port, waiting up to 5 s while the port is taken (by the children of an
 * instance that was just stopped, which end within a second). */
int bind_port(int fd, uint16_t port);
