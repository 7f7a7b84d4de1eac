/*
 * Readiness events (abi/netproto.h): the stack reports a socket whose readiness changed
 * through its event callback; the news wait here, one entry per socket (a second change
 * before anybody asked only updates it), until a NET_EVENTS request of the socket's owner
 * takes them. The owner is who created the socket: the kernel (pid 0) for socket
 * descriptors, or a root process calling directly; each gets only its own sockets' news, so
 * a root tool waiting for events takes nothing from the kernel. Each owner keeps one
 * request here, answered as soon as there is news for it, so nobody polls.
 */
#include <errno.h>
#include <string.h>
#include "abi/netproto.h"
#include "servers/net/server.h"
#include "srv.h"

void nsrv_event_note(void *ctx, int sock, uint32_t events)
{
	struct nsrv *s = ctx;
	uint32_t i = (uint32_t)sock & 0xffffu;
	if (i >= NSRV_MAX_SOCKETS)
		return;
	struct nsrv_event *e = &s->ev[i];
	e->handle = sock;
	e->revents = events;
	if (!e->queued) {
		e->queued = true;
		s->ev_count++;
	}
}

/* Whether news waits for owner pid. */
static bool news_for(const struct nsrv *s, int32_t pid)
{
	for (uint32_t i = 0; s->ev_count && i < NSRV_MAX_SOCKETS; i++)
		if (s->ev[i].queued && s->owner[i] == pid)
			return true;
	return false;
}

/* Writes up to max records of the caller's sockets into the request's data ICA. */
static uint32_t take(struct nsrv *s, struct t_msg *m, uint64_t max)
{
	struct t_net_event *out = srv_data(m);
	uint64_t room = out ? srv_ica_pages(m->data) * 4096 / sizeof(*out) : 0;
	uint32_t n = 0;
	if (max > room)
		max = room;
	for (uint32_t i = 0; s->ev_count && n < max && i < NSRV_MAX_SOCKETS; i++) {
		struct nsrv_event *e = &s->ev[i];
		if (!e->queued || s->owner[i] != m->pid)
			continue;
		out[n].handle = e->handle;
		out[n].revents = e->revents;
		n++;
		e->queued = false;
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

/* Answers held request h with no records and frees its slot. */
static void release(struct nsrv *s, int h)
{
	s->ev_req[h].arg[0] = 0;
	nsrv_reply(&s->ev_req[h], 0);
	s->ev_held[h] = false;
}

/* A slot for pid's request: its old one's (answered empty: a newer request replaces it,
 * nothing is lost), a free one, or a root process's (answered empty: a tool that died
 * leaves its request here for ever, and the kernel must always find a slot). */
static int holder_for(struct nsrv *s, int32_t pid)
{
	int free = -1, root = -1;
	for (int i = 0; i < NSRV_HOLDERS; i++) {
		if (s->ev_held[i] && s->ev_req[i].pid == pid) {
			release(s, i);
			return i;
		}
		if (!s->ev_held[i] && free < 0)
			free = i;
		if (s->ev_held[i] && s->ev_req[i].pid != 0 && root < 0)
			root = i;
	}
	if (free < 0 && root >= 0)
		release(s, root);
	return free >= 0 ? free : root;
}

void nsrv_events_request(struct nsrv *s, struct t_msg *m)
{
	int h = holder_for(s, m->pid);
	if (!m->data || !m->arg[0] || news_for(s, m->pid) || h < 0) {
		answer(s, m);
		return;
	}
	s->ev_req[h] = *m;
	s->ev_held[h] = true;
}

void nsrv_events_flush(struct nsrv *s)
{
	for (int i = 0; s->ev_count && i < NSRV_HOLDERS; i++) {
		if (!s->ev_held[i] || !news_for(s, s->ev_req[i].pid))
			continue;
		s->ev_held[i] = false;
		answer(s, &s->ev_req[i]);
	}
}
