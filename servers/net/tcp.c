/*
 * TCP (RFC 793, 9293) as the socket calls see it: opening (active and passive), sending and
 * receiving through the socket buffers, shutdown and close, state changes, and the end of a
 * connection (an orphan is freed, a listener's unaccepted child leaves its queue).
 * Segment arrival is tcp_in.c, sending tcp_out.c, timers tcp_timer.c.
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <string.h>

/* RFC 6528: a clock ticking every 4 us plus a keyed hash of the connection's 4-tuple. */
uint32_t tcp_isn(struct net *st, const struct sock *s)
{
	return (uint32_t)(st->now * 250) +
	       net_hash4(st, s->local.ip, s->remote.ip,
			 (uint32_t)s->local.port << 16 | s->remote.port, 0x5eed);
}

void tcp_init_tcb(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;

	memset(t, 0, sizeof(*t));
	t->rto = st->cfg.rto_init_ms;
	t->snd_mss = 536;
	t->ssthresh = 1u << 30;
	while ((s->rcvbuf >> t->rcv_wscale) > 65535 && t->rcv_wscale < 14)
		t->rcv_wscale++;
}

/* From the peer's SYN: the MSS it can take (536 without the option, RFC 1122), clamped to
   what our interface can carry, and window scaling if both sides offered it (RFC 7323). */
void tcp_set_mss(struct net *st, struct sock *s, uint32_t peer_mss, int peer_ws)
{
	struct tcb *t = &s->tcb;
	struct route r;
	uint32_t ours = 536;

	if (ip_route(st, s->remote.ip, &r) == 0)
		ours = ip_mtu(st, &r) - NET_IP_HDR - NET_TCP_HDR;
	t->rcv_mss = ours;
	if (!peer_mss)
		peer_mss = 536;
	t->snd_mss = peer_mss < ours ? peer_mss : ours;
	if (t->snd_mss < NET_TCP_MIN_MSS)
		t->snd_mss = NET_TCP_MIN_MSS;
	t->ws_ok = peer_ws >= 0;
	t->snd_wscale = t->ws_ok ? (uint8_t)(peer_ws > 14 ? 14 : peer_ws) : 0;
	if (!t->ws_ok)
		t->rcv_wscale = 0;
}

/* RFC 6928's initial window. */
void tcp_init_cwnd(struct tcb *t)
{
	uint32_t iw = 2 * t->snd_mss > 14600 ? 2 * t->snd_mss : 14600;

	t->cwnd = 10 * t->snd_mss < iw ? 10 * t->snd_mss : iw;
}

static bool tuple_taken(struct net *st, const struct sock *s, uint32_t lip, uint16_t lport)
{
	for (uint32_t i = 0; i < st->cfg.max_sockets; i++) {
		const struct sock *o = &st->socks[i];
		if (o != s && o->used && o->type == NET_SOCK_STREAM && o->tcb.state > NET_TCP_LISTEN &&
		    o->local.port == lport && o->local.ip == lip && o->remote.ip == s->remote.ip &&
		    o->remote.port == s->remote.port)
			return true;
	}
	return false;
}

static int connect_check(struct sock *s)
{
	switch (s->tcb.state) {
	case NET_TCP_CLOSED:
		if (!s->connected)
			return 0;
		if (s->err) {
			int e = s->err;
			s->err = 0;
			return -e;
		}
		return -EISCONN;
	case NET_TCP_LISTEN:
		return -EINVAL;
	case NET_TCP_SYN_SENT:
		return -EALREADY;
	default:
		return -EISCONN;
	}
}

int tcp_connect(struct net *st, struct sock *s, const struct net_addr *a)
{
	struct net_addr to = *a;
	struct route r;
	int err = connect_check(s);

	if (err)
		return err;
	if (to.ip == NET_ANY)
		to.ip = NET_LOOPBACK;
	if (to.port == 0 || to.ip == NET_BROADCAST || to.ip >> 28 >= 14)
		return to.port == 0 ? -ECONNREFUSED : -ENETUNREACH;
	if ((err = ip_route(st, to.ip, &r)) < 0)
		return err;
	s->remote = to;
	if (!s->bound && (err = sock_bind_port(st, s, NET_ANY, 0)) < 0)
		return err;
	if (s->local.ip == NET_ANY)
		s->local.ip = r.src;
	if (tuple_taken(st, s, s->local.ip, s->local.port))
		return -EADDRNOTAVAIL;
	if ((err = sock_bufs(st, s)) < 0)
		return err;
	tcp_init_tcb(st, s);
	tcp_set_mss(st, s, 0, 0);
	s->tcb.snd_mss = s->tcb.rcv_mss < 536 ? s->tcb.rcv_mss : 536;
	s->tcb.iss = s->tcb.snd_una = s->tcb.snd_nxt = s->tcb.snd_max = tcp_isn(st, s);
	s->connected = true;
	s->err = 0;
	tcp_set_state(st, s, NET_TCP_SYN_SENT);
	tcp_output(st, s);
	return -EINPROGRESS;
}

int tcp_listen(struct net *st, struct sock *s, int backlog)
{
	int err;

	if (s->tcb.state != NET_TCP_CLOSED && s->tcb.state != NET_TCP_LISTEN)
		return -EINVAL;
	if (s->connected)
		return -EINVAL;
	if (!s->bound && (err = sock_bind_port(st, s, NET_ANY, 0)) < 0)
		return err;
	if (backlog < 1)
		backlog = 1;
	if ((uint32_t)backlog > st->cfg.max_sockets)
		backlog = (int)st->cfg.max_sockets;
	s->backlog = (uint16_t)backlog;
	if (s->tcb.state == NET_TCP_LISTEN)
		return 0;
	/* a port someone else listens on (both with SO_REUSEADDR passed bind) is refused now */
	for (uint32_t i = 0; i < st->cfg.max_sockets; i++) {
		struct sock *o = &st->socks[i];
		if (o != s && o->used && o->type == NET_SOCK_STREAM && o->tcb.state == NET_TCP_LISTEN &&
		    o->local.port == s->local.port &&
		    (o->local.ip == s->local.ip || !o->local.ip || !s->local.ip))
			return -EADDRINUSE;
	}
	tcp_init_tcb(st, s);
	s->tcb.state = NET_TCP_LISTEN;
	return 0;
}

int tcp_accept(struct net *st, struct sock *s, int *newidx)
{
	struct sock *c;
	int idx;

	if (s->tcb.state != NET_TCP_LISTEN)
		return -EINVAL;
	if (s->acc_head < 0)
		return -EAGAIN;
	idx = s->acc_head;
	c = &st->socks[idx];
	s->acc_head = c->next_accept;
	if (s->acc_head < 0)
		s->acc_tail = -1;
	c->next_accept = -1;
	c->in_acceptq = false;
	c->parent = -1;
	s->n_pending--;
	c->last_events = 0;
	*newidx = idx;
	return 0;
}

static int stream_error(struct sock *s, int otherwise)
{
	if (s->err) {
		int e = s->err;
		s->err = 0;
		return -e;
	}
	return otherwise;
}

int tcp_send(struct net *st, struct sock *s, const uint8_t *buf, size_t len, size_t *sent)
{
	uint32_t n;

	switch (s->tcb.state) {
	case NET_TCP_ESTABLISHED:
	case NET_TCP_CLOSE_WAIT:
		break;
	case NET_TCP_SYN_SENT:
	case NET_TCP_SYN_RCVD:
		return -EAGAIN;
	case NET_TCP_CLOSED:
	case NET_TCP_LISTEN:
		return stream_error(s, s->connected ? -EPIPE : -ENOTCONN);
	default:
		return -EPIPE;
	}
	if (s->shut_wr)
		return -EPIPE;
	n = ring_append(&s->snd, buf, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
	if (!n)
		return -EAGAIN;
	*sent = n;
	tcp_output(st, s);
	return 0;
}

/* After the application read: tell the peer if the window opened by enough to matter
   (RFC 1122's receiver-side silly window avoidance: a segment, or half the buffer). */
static void window_update(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;
	uint32_t open = tcp_rcv_window(t, &s->rcv, false) - (t->rcv_adv - t->rcv_nxt);
	uint32_t enough = 2 * t->rcv_mss < s->rcv.size / 2 ? 2 * t->rcv_mss : s->rcv.size / 2;

	if (t->state != NET_TCP_ESTABLISHED && t->state != NET_TCP_FIN_WAIT_1 &&
	    t->state != NET_TCP_FIN_WAIT_2)
		return;
	if ((int32_t)open >= (int32_t)enough) {
		t->ack_now = true;
		tcp_output(st, s);
	}
}

int tcp_recv(struct net *st, struct sock *s, uint8_t *buf, size_t len, uint32_t flags,
	     size_t *got)
{
	uint32_t n = s->rcv.len;

	if (n) {
		if (n > len)
			n = (uint32_t)len;
		ring_read_at(&s->rcv, 0, buf, n);
		*got = n;
		if (!(flags & NET_MSG_PEEK)) {
			ring_drop(&s->rcv, n);
			window_update(st, s);
		}
		return 0;
	}
	if (s->tcb.fin_rcvd || s->shut_rd)
		return 0;
	switch (s->tcb.state) {
	case NET_TCP_CLOSED:
		return stream_error(s, s->connected ? 0 : -ENOTCONN);
	case NET_TCP_LISTEN:
		return -ENOTCONN;
	default:
		return -EAGAIN;
	}
}

/* Queue our FIN after the data (it goes once everything before it is sent). */
static void send_fin(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;

	if (t->fin_queued)
		return;
	t->fin_queued = true;
	if (t->state == NET_TCP_ESTABLISHED)
		tcp_set_state(st, s, NET_TCP_FIN_WAIT_1);
	else if (t->state == NET_TCP_CLOSE_WAIT)
		tcp_set_state(st, s, NET_TCP_LAST_ACK);
	tcp_output(st, s);
}

int tcp_shutdown(struct net *st, struct sock *s, enum net_shut how)
{
	uint8_t state = s->tcb.state;

	if (state == NET_TCP_CLOSED || state == NET_TCP_LISTEN)
		return -ENOTCONN;
	if (how != NET_SHUT_WR)
		s->shut_rd = true;
	if (how == NET_SHUT_RD)
		return 0;
	s->shut_wr = true;
	if (state == NET_TCP_SYN_SENT)
		tcp_closed(st, s);
	else
		send_fin(st, s);
	return 0;
}

void tcp_close(struct net *st, struct sock *s)
{
	int idx = sock_idx(st, s);
	uint8_t state = s->tcb.state;

	s->orphan = true;
	if (state == NET_TCP_TIME_WAIT) {
		s->shut_wr = s->shut_rd = true;
		sock_trim_bufs(st, s);
	} else if (state == NET_TCP_LISTEN) {
		for (uint32_t i = 0; i < st->cfg.max_sockets; i++)
			if (st->socks[i].used && st->socks[i].parent == idx)
				tcp_abort(st, &st->socks[i]);
		sock_free(st, idx);
	} else if (state == NET_TCP_CLOSED || state == NET_TCP_SYN_SENT) {
		sock_free(st, idx);
	} else if (s->rcv.len && (state == NET_TCP_ESTABLISHED || state == NET_TCP_CLOSE_WAIT ||
				  state == NET_TCP_FIN_WAIT_1 || state == NET_TCP_FIN_WAIT_2)) {
		tcp_abort(st, s);       /* unread data: RFC 2525 says reset */
	} else {
		s->shut_wr = s->shut_rd = true;
		send_fin(st, s);
		if (s->used && s->tcb.state == NET_TCP_FIN_WAIT_2)
			s->tcb.t_close = st->now + st->cfg.fin_wait2_ms;
	}
}

static void accept_enqueue(struct net *st, struct sock *c)
{
	struct sock *l = &st->socks[c->parent];
	int idx = sock_idx(st, c);

	c->in_acceptq = true;
	c->next_accept = -1;
	if (l->acc_tail >= 0)
		st->socks[l->acc_tail].next_accept = (int16_t)idx;
	else
		l->acc_head = (int16_t)idx;
	l->acc_tail = (int16_t)idx;
}

void tcp_set_state(struct net *st, struct sock *s, uint8_t state)
{
	struct tcb *t = &s->tcb;

	t->state = state;
	switch (state) {
	case NET_TCP_ESTABLISHED:
		if (t->fin_queued) {    /* shut down in SYN_RCVD: the FIN goes now */
			t->state = NET_TCP_FIN_WAIT_1;
			break;
		}
		if (s->parent >= 0 && !s->in_acceptq)
			accept_enqueue(st, s);
		if (s->keepalive)
			t->t_keep = st->now + st->cfg.keep_idle_ms;
		break;
	case NET_TCP_FIN_WAIT_2:
		if (s->orphan)
			t->t_close = st->now + st->cfg.fin_wait2_ms;
		break;
	case NET_TCP_TIME_WAIT:
		t->t_rexmt = t->t_persist = t->t_keep = 0;
		t->t_close = st->now + 2ull * st->cfg.msl_ms;
		sock_trim_bufs(st, s);
		break;
	}
}

static void accept_remove(struct net *st, struct sock *l, int idx)
{
	int16_t *link = &l->acc_head;
	int16_t prev = -1;

	while (*link >= 0 && *link != idx) {
		prev = *link;
		link = &st->socks[*link].next_accept;
	}
	if (*link == idx) {
		*link = st->socks[idx].next_accept;
		if (l->acc_tail == idx)
			l->acc_tail = prev;
	}
}

/* The connection is over. Whoever still holds the socket sees CLOSED (and SO_ERROR). */
void tcp_closed(struct net *st, struct sock *s)
{
	int idx = sock_idx(st, s);
	struct tcb *t = &s->tcb;

	t->state = NET_TCP_CLOSED;
	t->t_rexmt = t->t_persist = t->t_keep = t->t_close = 0;
	if (s->parent >= 0) {
		struct sock *l = &st->socks[s->parent];
		if (s->in_acceptq)
			accept_remove(st, l, idx);
		l->n_pending--;
		sock_free(st, idx);
	} else if (s->orphan) {
		sock_free(st, idx);
	}
}

void tcp_drop(struct net *st, struct sock *s, int err)
{
	s->err = err;
	st->st.tcp_dropped_conns++;
	tcp_closed(st, s);
}

/* Reset the connection from our side (RFC 793 ABORT). */
void tcp_abort(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;

	if (t->state >= NET_TCP_SYN_RCVD && t->state != NET_TCP_TIME_WAIT)
		tcp_send_rst(st, s->local.ip, s->remote.ip, s->local.port, s->remote.port,
			     t->snd_nxt, t->rcv_nxt, true);
	tcp_drop(st, s, ECONNRESET);
}

uint32_t tcp_poll(const struct sock *s)
{
	const struct tcb *t = &s->tcb;
	uint32_t ev = s->err ? NET_POLLERR : 0;

	switch (t->state) {
	case NET_TCP_LISTEN:
		return ev | (s->acc_head >= 0 ? NET_POLLIN : 0);
	case NET_TCP_CLOSED:
		return ev | NET_POLLOUT | NET_POLLHUP | (s->connected ? NET_POLLIN | NET_POLLRDHUP : 0);
	case NET_TCP_SYN_SENT:
	case NET_TCP_SYN_RCVD:
		return ev;
	}
	if (s->rcv.len || t->fin_rcvd || s->shut_rd)
		ev |= NET_POLLIN;
	if (t->fin_rcvd)
		ev |= NET_POLLRDHUP;
	if (s->shut_wr || ring_free(&s->snd) >= s->snd.size / 4)
		ev |= NET_POLLOUT;
	if (s->shut_wr && t->fin_rcvd)
		ev |= NET_POLLHUP;
	return ev;
}
