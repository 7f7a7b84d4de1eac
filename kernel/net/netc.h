/*
 * The socket layer's connection to the network server (abi/netproto.h, docs/network.md):
 * a session per server, made when the first socket is created while that server has the
 * NET_* ids, and ended when the server exits. Sockets name their session by its id, not
 * the server's pid: a live replacement (kernel/ipc/srvrepl.c) hands the session to the new
 * server process with the ids, and the sockets go on (netc_replaced). A session holds the
 * kernel's ICAs (one page for NET_EVENTS records, a few data buffers) and keeps one
 * NET_EVENTS request outstanding; each event record goes to sock_event (the readiness
 * cache). Calls are asynchronous kernel requests (srv_send_kernel) that the calling process
 * waits for; the server never waits, so only a kill stops that wait (the request is then
 * abandoned and its completion cleans up: a socket the server made for it is closed again).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/srv.h"
#include "kernel/res/res.h"

#define NETC_BUF_PAGES 8u
#define NETC_BUF_BYTES (NETC_BUF_PAGES * 4096u)

/* A data buffer lent to one call at a time (idx -1: none, or taken over by an abandoned
 * call). */
struct netc_buf {
	int idx;
	rid_t rid;
	void *kva;
};

/* The id of the current session, making the session if the server with the NET_* ids has
 * none yet: -ENETDOWN when no server has them (or no memory for the session). */
int netc_up(uint32_t *sess);
/* A function id was registered or given up: a server that has both NET_SOCKET and
 * NET_EVENTS gets its session now (so the session's ICAs exist from the server's start, not
 * from the first socket, and no later test or fuzzer counts them), and a server that lost
 * NET_SOCKET loses its session. */
void netc_fn_changed(void);
/* The server (pid) of the current session, 0 if none. */
int netc_server(void);
/* The server old was replaced by new (at the commit, after the ids moved): the session, its
 * sockets and the requests at the server (moved with it) go on with new. */
void netc_replaced(int old, int new);
/* Whether a NET_EVENTS request is at the server (sending one if there is a session and none
 * is: a full queue may have refused the last). */
bool netc_watching(void);
/* A free data buffer of the session (waits while all are busy): -ENETDOWN, -EINTR. */
int netc_buf_get(struct netc_buf *b);
void netc_buf_put(struct netc_buf *b);
/* Call the server of session sess (if it is still the current one, else -ENETDOWN) with io
 * (fn, arg), b's ICA as data if b is not NULL; io gets the result. Returns its status;
 * -ENETDOWN when the session ended or ends meanwhile, -EINTR when the caller is killed (b
 * taken over: b->idx is -1). */
int netc_call(uint32_t sess, struct t_msg *io, struct netc_buf *b);
/* Send fn(handle) and forget it (NET_CLOSE from a release, which may not wait). */
void netc_post_close(uint32_t sess, int32_t handle);
