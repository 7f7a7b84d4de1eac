/*
 * Readiness events for the kernel (abi/netproto.h): the stack reports a socket whose
 * readiness changed through its event callback; the news wait here, one entry per socket
 * (a second change before the kernel asked only updates it), in the order they came, until
 * the kernel's NET_EVENTS request takes them. The kernel keeps one such request here; it is
 * answered as soon as there is news, so the kernel never polls.
 */
#include <errno.h>
#include <string.h>
#include "abi/netproto.h"
#include "servers/net/server.h"
#include "srv.h"

#define NIL 0xffffffffu

void nsrv_event_note(void *ctx, int sock, uint32_t events)
{
	struct nsrv *s = ctx;
	uint32_t i = (uint32_t)sock & 0xffffu;
	if (i >= NSRV_MAX_SOCKETS)
		return;
	struct nsrv_event *e = &s->ev[i];
	e->handle = sock;
	e->revents = events;
	if (e->queued)
		return;
	e->queued = true;
	e->next = NIL;
	if (s->ev_count++)
		s->ev[s->ev_tail].next = i;
	else
		s->ev_head = i;
	s->ev_tail = i;
}

/* Writes up to max records into the request's data ICA; the number written. */
static uint32_t take(struct nsrv *s, struct t_msg *m, uint64_t max)
{
	struct t_net_event *out = srv_data(m);
	uint64_t room = out ? srv_ica_pages(m->data) * 4096 / sizeof(*out) : 0;
	uint32_t n = 0;
	if (max > room)
		max = room;
	while (s->ev_count && n < max) {
		struct nsrv_event *e = &s->ev[s->ev_head];
		out[n].handle = e->handle;
		out[n].revents = e->revents;
		n++;
		e->queued = false;
		s->ev_head = e->next;
		s->ev_count--;
	}
	return n;
}

static void answer(struct nsrv *s, struct t_msg *m)
{
	if (!m->data) {
		nsrv_reply(m, -EINVAL);
		return;
	}
	m->arg[0] = take(s, m, m->arg[0]);
	nsrv_reply(m, 0);
}

void nsrv_events_request(struct nsrv *s, struct t_msg *m)
{
	if (s->ev_held) {
		/* a newer one replaces it: the old one goes back empty, nothing is lost */
		s->ev_req.arg[0] = 0;
		nsrv_reply(&s->ev_req, 0);
		s->ev_held = false;
	}
	if (s->ev_count || !m->data || !m->arg[0]) {
		answer(s, m);
		return;
	}
	s->ev_req = *m;
	s->ev_held = true;
}

void nsrv_events_flush(struct nsrv *s)
{
	if (!s->ev_held || !s->ev_count)
		return;
	s->ev_held = false;
	answer(s, &s->ev_req);
}
