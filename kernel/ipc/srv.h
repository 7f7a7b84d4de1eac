/*
 * Server communication (AnT outer core, abi/srv.h, docs/servers.md): requests to function
 * ids, queued for the server process that registered the id; synchronous calls, asynchronous
 * requests whose results wait in the caller's result queue, a server's request loop, and
 * interrupt messages for driver processes in the same queue. ICAs named in a request are
 * lent to the server (kernel/ipc/ica.h) and come back with the result. A server that exits
 * answers everything queued for it or taken by it with -EIO at once.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/srv.h"
#include "kernel/res/res.h"

struct proc;

void srv_init(void);

/* Called at interrupt level (no allocation, never fails): one more interrupt of (dev,
 * vector) for process pid, coalesced with those it has not taken yet, and pid woken. */
void srv_irq_post(int pid, rid_t dev, uint32_t vector);
/* A synchronous call by the kernel on behalf of the current process (the /dev/vda code):
 * the ICAs in io are kernel-held (ica_create_kernel) and come back to the kernel. The server
 * sees the request with pid 0 (the kernel) and the process's uid. Returns
 * the result's status (io filled in), or an error from sending (-ENOENT, -EAGAIN, ...) or
 * -EINTR when the process is killed while waiting (the ICAs come back to the kernel when
 * the server answers: ica_free_kernel on them is safe meanwhile). */
int srv_call_kernel(struct t_msg *io);
/* The same, but only a kill ends the wait (a signal or a metamorphosis waits for the
 * answer): for a call that must not be made twice when the interrupted system call is run
 * again (console output forwarded to another node, kernel/node). */
int srv_call_kernel_patient(struct t_msg *io);
/* An asynchronous request made by the kernel itself, not on behalf of any process (the
 * socket layer's NET_EVENTS and its calls, kernel/net): the ICAs in req are kernel-held,
 * and when the request is answered (by its server, or with -EIO when the server exits) they
 * are the kernel's again and done(ctx, result) runs, in whatever process answered, so it
 * must not sleep. It may send further requests, but never to a server whose answer was
 * -EIO (that server is exiting: it would be answered -EIO again at once, for ever).
 * Returns an error from sending (-ENOENT no server, -EAGAIN queue full, ...): then done
 * never runs. */
int srv_send_kernel(const struct t_msg *req, void (*done)(void *ctx, const struct t_msg *res),
		    void *ctx);
/* The hook of process exit: as a server, every request queued or taken is answered -EIO
 * (its ICAs on their way back to their callers) and its function ids dropped; as a caller,
 * its uncollected results and their ICAs freed, its requests in flight orphaned (their
 * answers free what was the caller's); and the ICAs it holds deleted. */
void srv_proc_exit(int pid);

/* The calls (kernel/ipc/sys_srv.c fetches and checks; p is the caller). */
int srv_fn_register(uint32_t fn, int pid, uint32_t flags);
/* Sync: io in (fn, ctl, data, arg), result out (status, arg, ctl/data and where they are
 * attached again, pid: the server). Returns the status (*done: io holds the result), or an
 * error before there was a result (*done false: io unchanged). */
int srv_call(struct proc *p, struct t_msg *io, bool *done);
int srv_send(struct proc *p, const struct t_msg *req, uint64_t *id);
/* The next result of p's async requests, copied to uout; -ENOENT when none is outstanding,
 * -EAGAIN with TSRV_NONBLOCK when none is there yet. */
int srv_result(struct proc *p, struct t_msg *uout, uint32_t flags);
/* The next message for server p, copied to uout: a replacement notice, an interrupt
 * message, with TSRV_RESULTS a result of its async requests (returns 1), or a request. */
int srv_recv(struct proc *p, struct t_msg *uout, uint32_t flags);
/* Answer request res->id that p has taken: res->status and res->arg go back, with the
 * request's ICAs (res->ctl and res->data are not looked at). -ENOENT if p has no such
 * request. */
int srv_reply(struct proc *p, const struct t_msg *res);
/* Live replacement (srvrepl.c): everything queued for server old, taken by it, its async
 * requests under way and their results waiting, and its pending interrupts become new's
 * (counted into mv). Both are live; old stands at a request boundary. */
void srv_transfer(int old, int new, struct t_repl_result *mv);
/* Wake server pid where it waits for messages (a replacement notice is there for it). */
void srv_wake(int pid);
/* The n-th registered function id for t_srv_stat; false past the last. */
bool srv_stat_nth(uint32_t n, struct t_fn_stat *out);
