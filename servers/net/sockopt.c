/*
 * Socket options (net_setsockopt, net_getsockopt). Buffer sizes take effect on a socket
 * whose buffers are not allocated yet (before connect or listen: accepted sockets inherit the
 * listener's), or whose buffers are empty and idle.
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <stdlib.h>

#define BUF_MIN 2048u
#define BUF_MAX (4u << 20)

static uint32_t clamp_buf(int val)
{
	uint32_t v = val < 0 ? 0 : (uint32_t)val;

	return v < BUF_MIN ? BUF_MIN : v > BUF_MAX ? BUF_MAX : v;
}

/* A buffer not in use can be given back and taken again at its new size. */
static void resize_idle(struct net *st, struct sock *s, struct ring *r)
{
	bool idle = s->type != NET_SOCK_STREAM || s->tcb.state == NET_TCP_CLOSED;

	if (r->buf && !r->len && idle) {
		net_free(st, r->buf, r->size);
		net_mem_put(st, r->size);
		*r = (struct ring){ 0 };
		sock_bufs(st, s);
	}
}

int net_setsockopt(struct net *st, int sock, enum net_opt opt, int val)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	switch (opt) {
	case NET_SO_REUSEADDR:
		s->reuseaddr = val != 0;
		return 0;
	case NET_SO_KEEPALIVE:
		s->keepalive = val != 0;
		if (s->type == NET_SOCK_STREAM)
			s->tcb.t_keep = s->keepalive && (s->tcb.state == NET_TCP_ESTABLISHED ||
							 s->tcb.state == NET_TCP_CLOSE_WAIT)
				? st->now + st->cfg.keep_idle_ms : 0;
		return 0;
	case NET_SO_SNDBUF:
		s->sndbuf = clamp_buf(val);
		resize_idle(st, s, &s->snd);
		return 0;
	case NET_SO_RCVBUF:
		s->rcvbuf = clamp_buf(val);
		resize_idle(st, s, &s->rcv);
		return 0;
	case NET_TCP_NODELAY:
		if (s->type != NET_SOCK_STREAM)
			return -ENOPROTOOPT;
		s->nodelay = val != 0;
		if (s->nodelay)
			tcp_output(st, s);
		return 0;
	case NET_IP_TTL:                /* Linux: 1..255, or -1 for the default */
		if (val != -1 && (val < 1 || val > 255))
			return -EINVAL;
		s->ttl = val == -1 ? 0 : (uint8_t)val;
		return 0;
	case NET_IP_RECVERR:
		s->recverr = val != 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int net_getsockopt(struct net *st, int sock, enum net_opt opt, int *val)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	switch (opt) {
	case NET_SO_REUSEADDR: *val = s->reuseaddr; return 0;
	case NET_SO_KEEPALIVE: *val = s->keepalive; return 0;
	case NET_SO_SNDBUF: *val = (int)s->sndbuf; return 0;
	case NET_SO_RCVBUF: *val = (int)s->rcvbuf; return 0;
	case NET_SO_TYPE: *val = s->type == NET_SOCK_STREAM ? 1 : 2; return 0;
	case NET_SO_ACCEPTCONN:
		*val = s->type == NET_SOCK_STREAM && s->tcb.state == NET_TCP_LISTEN;
		return 0;
	case NET_SO_ERROR:
		*val = s->err;
		s->err = 0;
		return 0;
	case NET_TCP_NODELAY:
	case NET_TCP_MAXSEG:
		if (s->type != NET_SOCK_STREAM)
			return -ENOPROTOOPT;
		*val = opt == NET_TCP_NODELAY ? s->nodelay : (int)s->tcb.snd_mss;
		return 0;
	case NET_IP_TTL: *val = s->ttl ? s->ttl : NET_TTL_DEFAULT; return 0;
	case NET_IP_RECVERR: *val = s->recverr; return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int net_tcp_state(struct net *st, int sock, enum net_tcp_state *state)
{
	struct sock *s = sock_get(st, sock);

	if (!s || s->type != NET_SOCK_STREAM)
		return -EBADF;
	*state = (enum net_tcp_state)s->tcb.state;
	return 0;
}

int net_tcp_info(struct net *st, int sock, struct net_tcp_info *i)
{
	struct sock *s = sock_get(st, sock);
	struct tcb *t;

	if (!s || s->type != NET_SOCK_STREAM)
		return -EBADF;
	t = &s->tcb;
	*i = (struct net_tcp_info){ t->snd_mss, t->rto, t->srtt8 / 8, t->cwnd, t->snd_wnd,
		t->rcv_adv - t->rcv_nxt, t->retransmits };
	return 0;
}
