/*
 * libsrv: what server and driver programs share (docs/servers.md). A request loop that hands
 * each request and interrupt message to a handler and answers the request with what the
 * handler left in it, replying and taking the next one in a single call; and small helpers
 * for ICAs (the memory requests carry).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/srv.h"

/* Handles one message. For a request (m->fn != T_FN_IRQ) the return value becomes its
 * status and m->arg[] its results; for an interrupt message (m->fn == T_FN_IRQ: arg[0] the
 * device, arg[1] the vector, arg[2] how many came) the return value is ignored. */
typedef int (*srv_handler)(struct t_msg *m, void *ctx);

/* Serve for ever: returns only when a call fails (a negative errno: -EINTR when the
 * process is signalled, for one). */
int srv_loop(srv_handler handle, void *ctx);
/* Register every id of fns[0..n-1] for the caller (root only). */
int srv_register(const uint32_t *fns, int n);

/* A new ICA of at least bytes bytes, attached in the caller's space. */
int srv_ica_new(size_t bytes, struct t_ica *out);
/* Delete an ICA the caller holds. */
int srv_ica_free(rid_t ica);
/* Where a request's control / data ICA is attached at the receiver (NULL: none). */
void *srv_ctl(const struct t_msg *m);
void *srv_data(const struct t_msg *m);
/* The pages of an ICA the caller holds (attaching it at its own address if it is not). 0 on
 * error. */
uint64_t srv_ica_pages(rid_t ica);
