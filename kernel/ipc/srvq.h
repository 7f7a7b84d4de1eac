/*
 * The queues of server communication (kernel/ipc/srv.c), as plain data so that the host
 * tests can run them (tests/host/test_srvq.c): a fixed pool of request slots, and per
 * process a box with three lists of them (requests queued for it as a server, requests it
 * has taken and not answered, results of its asynchronous requests waiting for it) and its
 * interrupt messages. Nothing here allocates, so srv_irq_post can queue from an interrupt.
 *
 * Interrupt messages are not request slots: each box has SRVQ_NIRQ counters, one per
 * (device, vector) that has fired since the driver last looked; a second interrupt of the
 * same source adds to its count (coalesced, never lost). A box whose counters are all taken
 * by other sources adds to its overflow count, delivered as a message with vector
 * SRVQ_VEC_ANY ("look at every source of every device").
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/srv.h"

#define SRVQ_NREQ 1024u            /* requests and results in flight in the whole system */
#define SRVQ_NIL 0xffffu
#define SRVQ_NIRQ 6u
#define SRVQ_VEC_ANY 0xffffffffu

enum srvq_state { RQ_FREE, RQ_QUEUED, RQ_TAKEN, RQ_DONE };
/* RQ_KCB: an asynchronous request of the kernel itself (srv_send_kernel): no caller
 * process; its result goes to a completion function instead of a result queue. */
enum srvq_kind { RQ_SYNC, RQ_ASYNC, RQ_KERNEL, RQ_KCB };

struct t_msg;
typedef void (*srvq_done_fn)(void *ctx, const struct t_msg *res);

struct srvq_req {
	uint64_t id;               /* slot index in the low 10 bits, a sequence number above */
	uint16_t next, prev;
	uint8_t state, kind;
	bool abandoned;            /* a sync caller stopped waiting (killed, signal) */
	int caller;                /* pid; 0: the caller has exited */
	int server;
	uint32_t caller_box;
	struct t_msg msg;          /* the request, later its result */
	srvq_done_fn done;         /* RQ_KCB: called with the result */
	void *done_ctx;
};

struct srvq_list {
	uint16_t head, tail;
	uint32_t n;
};

struct srvq_irq {
	rid_t dev;
	uint32_t vector;
	uint32_t count;            /* 0: free counter */
};

struct srvq_box {
	int pid;                   /* 0: not in use */
	struct srvq_list queue, taken, results;
	uint32_t outstanding;      /* its async requests not yet collected */
	uint32_t as_caller;        /* its requests anywhere (async and abandoned sync) */
	struct srvq_irq irq[SRVQ_NIRQ];
	uint32_t irq_overflow;
	uint32_t nirq;             /* counters in use */
	uint64_t served;           /* requests it has taken since it started */
};

extern struct srvq_req srvq_reqs[SRVQ_NREQ];

void srvq_init(void);
/* A free slot (state RQ_FREE -> RQ_QUEUED, a fresh id): its index, or -EAGAIN. */
int srvq_alloc(uint32_t *idx);
void srvq_free(uint32_t idx);
/* Free slots now. */
uint32_t srvq_nfree(void);
/* The slot holding request id, or NULL if no live request has that id. */
struct srvq_req *srvq_find(uint64_t id);
void srvq_list_init(struct srvq_list *l);
void srvq_push(struct srvq_list *l, uint32_t idx);
/* The oldest of l, unlinked; SRVQ_NIL when empty. */
uint32_t srvq_pop(struct srvq_list *l);
void srvq_remove(struct srvq_list *l, uint32_t idx);
void srvq_box_reset(struct srvq_box *b, int pid);
/* Count n interrupts of (dev, vector) for the box. */
void srvq_irq_add(struct srvq_box *b, rid_t dev, uint32_t vector, uint32_t n);
bool srvq_irq_pending(const struct srvq_box *b);
/* Every interrupt counted in src is counted in dst instead (a driver's pending interrupts
 * follow it to its replacement); returns how many sources moved. */
uint32_t srvq_irq_merge(struct srvq_box *dst, struct srvq_box *src);
/* A pending source as an interrupt message (fn T_FN_IRQ; its counter freed);
 * false when none is pending. */
bool srvq_irq_take(struct srvq_box *b, struct t_msg *out);
