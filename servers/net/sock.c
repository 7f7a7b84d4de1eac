/*
 * The socket table and the socket API of net.h. A handle is (generation << 16 | index): a
 * closed socket's handle stays invalid when its slot is reused. A closed TCP socket keeps its
 * slot (orphan) until the connection has finished; a not yet accepted connection belongs to
 * its listener (parent). Neither is reachable through a handle.
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <stdlib.h>
#include <string.h>

int sock_handle(const struct net *st, int idx)
{
	return (int)st->socks[idx].gen << 16 | idx;
}

int sock_idx(const struct net *st, const struct sock *s)
{
	return (int)(s - st->socks);
}

struct sock *sock_get(struct net *st, int handle)
{
	uint32_t idx = (uint32_t)handle & 0xffff;
	struct sock *s;

	if (handle < 0 || idx >= st->cfg.max_sockets)
		return NULL;
	s = &st->socks[idx];
	if (!s->used || s->orphan || s->parent >= 0 || s->gen != (uint32_t)handle >> 16)
		return NULL;
	return s;
}

/* The closed connection in TIME_WAIT that ends soonest (-1: none). When the table is full
 * it gives its slot to a new socket, as Linux drops TIME_WAIT sockets beyond
 * tcp_max_tw_buckets: a server closing first at a high rate would otherwise fill the table
 * with connections that only wait out 2*MSL. */
static int oldest_time_wait(const struct net *st)
{
	int best = -1;
	for (uint32_t i = 0; i < st->cfg.max_sockets; i++) {
		const struct sock *s = &st->socks[i];
		if (s->used && s->orphan && s->type == NET_SOCK_STREAM &&
		    s->tcb.state == NET_TCP_TIME_WAIT &&
		    (best < 0 || s->tcb.t_close < st->socks[best].tcb.t_close))
			best = (int)i;
	}
	return best;
}

static void sock_init(struct net *st, struct sock *s, uint8_t type)
{
	uint16_t gen = (uint16_t)(s->gen % 32767 + 1);
	*s = (struct sock){ .used = true, .type = type, .gen = gen, .parent = -1,
		.next_accept = -1, .acc_head = -1, .acc_tail = -1 };
	s->sndbuf = st->cfg.tcp_sndbuf;
	s->rcvbuf = type == NET_SOCK_STREAM ? st->cfg.tcp_rcvbuf : st->cfg.udp_rcvbuf;
}

int sock_alloc(struct net *st, uint8_t type, int *idx)
{
	int free_idx = -1;
	for (uint32_t i = 0; i < st->cfg.max_sockets && free_idx < 0; i++)
		if (!st->socks[i].used)
			free_idx = (int)i;
	if (free_idx < 0 && (free_idx = oldest_time_wait(st)) >= 0) {
		st->st.tcp_tw_recycled++;
		tcp_closed(st, &st->socks[free_idx]);     /* an orphan: its slot is freed */
	}
	if (free_idx < 0) {
		st->st.nobufs++;
		return -EMFILE;
	}
	sock_init(st, &st->socks[free_idx], type);
	*idx = free_idx;
	return 0;
}

static void ring_release(struct net *st, struct ring *r)
{
	if (r->buf) {
		net_free(st, r->buf, r->size);
		net_mem_put(st, r->size);
	}
	*r = (struct ring){ 0 };
}

void sock_trim_bufs(struct net *st, struct sock *s)
{
	if (!s->snd.len)
		ring_release(st, &s->snd);
	if (s->orphan)
		ring_release(st, &s->rcv);
}

void sock_free(struct net *st, int idx)
{
	struct sock *s = &st->socks[idx];

	ring_release(st, &s->snd);
	ring_release(st, &s->rcv);
	s->used = false;
}

static int ring_get(struct net *st, struct ring *r, uint32_t size)
{
	if (r->buf)
		return 0;
	if (!net_mem_get(st, size))
		return -ENOBUFS;
	r->buf = net_alloc(st, size, false);
	if (!r->buf) {
		net_mem_put(st, size);
		st->st.nobufs++;
		return -ENOBUFS;
	}
	r->size = size;
	r->head = r->len = 0;
	return 0;
}

/* The buffers a socket needs before it carries data: allocated late, so a listener or a
   socket never connected costs none. */
int sock_bufs(struct net *st, struct sock *s)
{
	int err = ring_get(st, &s->rcv, s->rcvbuf);

	if (!err && s->type == NET_SOCK_STREAM)
		err = ring_get(st, &s->snd, s->sndbuf);
	return err;
}

static bool port_conflict(struct net *st, struct sock *s, uint32_t ip, uint16_t port)
{
	for (uint32_t i = 0; i < st->cfg.max_sockets; i++) {
		struct sock *o = &st->socks[i];
		if (o == s || !o->used || !o->bound || o->type != s->type || o->local.port != port)
			continue;
		if (o->local.ip != NET_ANY && ip != NET_ANY && o->local.ip != ip)
			continue;
		if (s->type == NET_SOCK_STREAM && s->reuseaddr && o->tcb.state != NET_TCP_LISTEN)
			continue;
		if (s->type != NET_SOCK_STREAM && s->reuseaddr && o->reuseaddr)
			continue;
		return true;
	}
	return false;
}

int sock_bind_port(struct net *st, struct sock *s, uint32_t ip, uint16_t port)
{
	if (ip != NET_ANY && !ip_is_local(st, ip))
		return -EADDRNOTAVAIL;
	if (port == 0) {
		uint32_t span = 65536 - NET_EPHEMERAL_LO, start = (uint32_t)(net_rand(st) % span);
		for (uint32_t i = 0; i < span && !port; i++) {
			uint16_t p = (uint16_t)(NET_EPHEMERAL_LO + (start + i) % span);
			if (!port_conflict(st, s, ip, p))
				port = p;
		}
		if (!port)
			return -EADDRINUSE;
	} else if (port_conflict(st, s, ip, port)) {
		return -EADDRINUSE;
	}
	s->local = (struct net_addr){ ip, port };
	s->bound = true;
	return 0;
}

uint32_t sock_poll(struct net *st, struct sock *s)
{
	uint32_t ev;

	(void)st;
	if (s->type == NET_SOCK_STREAM)
		return tcp_poll(s);
	ev = NET_POLLOUT;
	if (s->rcv.len || s->shut_rd)
		ev |= NET_POLLIN;
	if (s->err)
		ev |= NET_POLLERR;
	return ev;
}

/* After a call on s: its caller knows the state now, so events report changes from here
   (a socket drained to -EAGAIN and then fed again must give an event). */
static int synced(struct net *st, struct sock *s, int ret)
{
	if (s->used)
		s->last_events = sock_poll(st, s);
	return ret;
}

int net_socket(struct net *st, enum net_sock_type type, int *sock)
{
	int idx, err;

	if (type < NET_SOCK_STREAM || type > NET_SOCK_PING)
		return -EPROTONOSUPPORT;
	err = sock_alloc(st, (uint8_t)type, &idx);
	if (err)
		return err;
	if (type != NET_SOCK_STREAM && (err = sock_bufs(st, &st->socks[idx])) < 0) {
		sock_free(st, idx);
		return err;
	}
	*sock = sock_handle(st, idx);
	return 0;
}

int net_bind(struct net *st, int sock, const struct net_addr *a)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	if (s->bound || (s->type == NET_SOCK_STREAM && s->tcb.state != NET_TCP_CLOSED))
		return -EINVAL;
	return sock_bind_port(st, s, a->ip, a->port);
}

int net_listen(struct net *st, int sock, int backlog)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	if (s->type != NET_SOCK_STREAM)
		return -EOPNOTSUPP;
	return tcp_listen(st, s, backlog);
}

int net_accept(struct net *st, int sock, int *newsock, struct net_addr *peer)
{
	struct sock *s = sock_get(st, sock);
	int idx, err;

	if (!s)
		return -EBADF;
	if (s->type != NET_SOCK_STREAM)
		return -EOPNOTSUPP;
	err = synced(st, s, tcp_accept(st, s, &idx));
	if (err)
		return err;
	*newsock = sock_handle(st, idx);
	if (peer)
		*peer = st->socks[idx].remote;
	return 0;
}

int net_connect(struct net *st, int sock, const struct net_addr *a)
{
	struct sock *s = sock_get(st, sock);
	int err;

	if (!s)
		return -EBADF;
	if (s->type == NET_SOCK_STREAM) {
		err = tcp_connect(st, s, a);
		net_after_event(st);
		return err;
	}
	if (a->ip == NET_ANY) {         /* AF_UNSPEC: dissolve the association */
		s->connected = false;
		return 0;
	}
	if (!s->bound && (err = sock_bind_port(st, s, NET_ANY, 0)) < 0)
		return err;
	s->remote = *a;
	s->connected = true;
	return 0;
}

int net_send(struct net *st, int sock, const void *buf, size_t len, uint32_t flags,
	     const struct net_addr *to, size_t *sent)
{
	struct sock *s = sock_get(st, sock);

	(void)flags;
	if (!s)
		return -EBADF;
	if (len && !buf)
		return -EFAULT;
	*sent = 0;
	if (s->type == NET_SOCK_STREAM)
		return synced(st, s, tcp_send(st, s, buf, len, sent));
	return synced(st, s, dgram_send(st, s, buf, len, to, sent));
}

int net_recv(struct net *st, int sock, void *buf, size_t len, uint32_t flags,
	     struct net_addr *from, size_t *got, size_t *full)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	if (len && !buf)
		return -EFAULT;
	*got = 0;
	if (s->type != NET_SOCK_STREAM)
		return synced(st, s, dgram_recv(st, s, buf, len, flags, from, got, full));
	if (from)
		*from = s->remote;
	if (full)
		*full = 0;
	return synced(st, s, tcp_recv(st, s, buf, len, flags, got));
}

int net_shutdown(struct net *st, int sock, enum net_shut how)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	if (how > NET_SHUT_RDWR)
		return -EINVAL;
	if (s->type == NET_SOCK_STREAM)
		return synced(st, s, tcp_shutdown(st, s, how));
	if (!s->connected)
		return -ENOTCONN;
	s->shut_rd |= how != NET_SHUT_WR;
	s->shut_wr |= how != NET_SHUT_RD;
	return 0;
}

int net_close(struct net *st, int sock)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	if (s->type == NET_SOCK_STREAM)
		tcp_close(st, s);
	else
		sock_free(st, sock_idx(st, s));
	return 0;
}

int net_getsockname(struct net *st, int sock, struct net_addr *a)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	*a = s->bound ? s->local : (struct net_addr){ 0, 0 };
	return 0;
}

int net_getpeername(struct net *st, int sock, struct net_addr *a)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	if (s->type == NET_SOCK_STREAM ? s->tcb.state < NET_TCP_SYN_RCVD : !s->connected)
		return -ENOTCONN;
	*a = s->remote;
	return 0;
}

int net_sock_poll(struct net *st, int sock, uint32_t *events)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	*events = sock_poll(st, s);
	return synced(st, s, 0);
}

int net_sock_nread(struct net *st, int sock, uint32_t *n)
{
	struct sock *s = sock_get(st, sock);

	if (!s)
		return -EBADF;
	*n = s->type == NET_SOCK_STREAM ? s->rcv.len : dgram_next_len(s);
	return 0;
}
