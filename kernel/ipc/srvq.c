/* The request slots, lists and interrupt counters of server communication (see srvq.h).
 * Lists are doubly linked through the slots' next/prev indices, so a request leaves the
 * middle of a list (answered out of order, its caller gone) in constant time. */
#include "kernel/ipc/srvq.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

#define IDX_BITS 10u

struct srvq_req srvq_reqs[SRVQ_NREQ];
static struct srvq_list free_list;
static uint64_t seq;

_Static_assert(SRVQ_NREQ == 1u << IDX_BITS, "srvq: ids carry the slot index in IDX_BITS");

void srvq_list_init(struct srvq_list *l)
{
	l->head = l->tail = SRVQ_NIL;
	l->n = 0;
}

void srvq_push(struct srvq_list *l, uint32_t idx)
{
	struct srvq_req *r = &srvq_reqs[idx];
	r->next = SRVQ_NIL;
	r->prev = l->tail;
	if (l->tail != SRVQ_NIL)
		srvq_reqs[l->tail].next = (uint16_t)idx;
	else
		l->head = (uint16_t)idx;
	l->tail = (uint16_t)idx;
	l->n++;
}

void srvq_remove(struct srvq_list *l, uint32_t idx)
{
	struct srvq_req *r = &srvq_reqs[idx];
	if (r->prev != SRVQ_NIL)
		srvq_reqs[r->prev].next = r->next;
	else
		l->head = r->next;
	if (r->next != SRVQ_NIL)
		srvq_reqs[r->next].prev = r->prev;
	else
		l->tail = r->prev;
	if (!l->n)
		panic("srvq_remove: slot %u taken from an empty list", idx);
	l->n--;
	r->next = r->prev = SRVQ_NIL;
}

uint32_t srvq_pop(struct srvq_list *l)
{
	uint32_t idx = l->head;
	if (idx != SRVQ_NIL)
		srvq_remove(l, idx);
	return idx;
}

void srvq_init(void)
{
	srvq_list_init(&free_list);
	for (uint32_t i = 0; i < SRVQ_NREQ; i++) {
		srvq_reqs[i] = (struct srvq_req){ .state = RQ_FREE };
		srvq_push(&free_list, i);
	}
}

int srvq_alloc(uint32_t *idx)
{
	uint32_t i = srvq_pop(&free_list);
	if (i == SRVQ_NIL)
		return -EAGAIN;
	struct srvq_req *r = &srvq_reqs[i];
	*r = (struct srvq_req){ .next = SRVQ_NIL, .prev = SRVQ_NIL, .state = RQ_QUEUED };
	r->id = (++seq << IDX_BITS) | i;
	*idx = i;
	return 0;
}

void srvq_free(uint32_t idx)
{
	struct srvq_req *r = &srvq_reqs[idx];
	if (r->state == RQ_FREE)
		panic("srvq_free: slot %u is free already", idx);
	r->state = RQ_FREE;
	r->id = 0;
	srvq_push(&free_list, idx);
}

uint32_t srvq_nfree(void)
{
	return free_list.n;
}

struct srvq_req *srvq_find(uint64_t id)
{
	struct srvq_req *r = &srvq_reqs[id & (SRVQ_NREQ - 1)];
	return id && r->state != RQ_FREE && r->id == id ? r : NULL;
}

void srvq_box_reset(struct srvq_box *b, int pid)
{
	memset(b, 0, sizeof(*b));
	b->pid = pid;
	srvq_list_init(&b->queue);
	srvq_list_init(&b->taken);
	srvq_list_init(&b->results);
}

void srvq_irq_add(struct srvq_box *b, rid_t dev, uint32_t vector, uint32_t n)
{
	struct srvq_irq *free_slot = NULL;
	for (uint32_t i = 0; i < SRVQ_NIRQ; i++) {
		struct srvq_irq *q = &b->irq[i];
		if (q->count && q->dev == dev && q->vector == vector) {
			q->count += n;
			return;
		}
		if (!q->count && !free_slot)
			free_slot = q;
	}
	if (!free_slot) {
		b->irq_overflow += n;
		return;
	}
	*free_slot = (struct srvq_irq){ dev, vector, n };
	b->nirq++;
}

bool srvq_irq_pending(const struct srvq_box *b)
{
	return b->nirq || b->irq_overflow;
}

bool srvq_irq_take(struct srvq_box *b, struct t_msg *out)
{
	memset(out, 0, sizeof(*out));
	out->fn = T_FN_IRQ;
	for (uint32_t i = 0; b->nirq && i < SRVQ_NIRQ; i++) {
		struct srvq_irq *q = &b->irq[i];
		if (!q->count)
			continue;
		out->arg[0] = q->dev;
		out->arg[1] = q->vector;
		out->arg[2] = q->count;
		q->count = 0;
		b->nirq--;
		return true;
	}
	if (!b->irq_overflow)
		return false;
	out->arg[1] = SRVQ_VEC_ANY;
	out->arg[2] = b->irq_overflow;
	b->irq_overflow = 0;
	return true;
}

uint32_t srvq_irq_merge(struct srvq_box *dst, struct srvq_box *src)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < SRVQ_NIRQ; i++) {
		struct srvq_irq *q = &src->irq[i];
		if (!q->count)
			continue;
		srvq_irq_add(dst, q->dev, q->vector, q->count);
		q->count = 0;
		n++;
	}
	src->nirq = 0;
	if (src->irq_overflow) {
		dst->irq_overflow += src->irq_overflow;
		src->irq_overflow = 0;
		n++;
	}
	return n;
}
