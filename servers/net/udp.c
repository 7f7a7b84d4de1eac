/*
 * Datagram sockets: UDP (RFC 768) and ping sockets (ICMP echo, as Linux's unprivileged
 * SOCK_DGRAM/IPPROTO_ICMP). Received datagrams wait in the socket's receive ring as records
 * (a 12-byte header: length, source address and port, then the bytes); one that does not fit
 * is dropped and counted.
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <string.h>

#define REC_HDR 12

static void dgram_enqueue(struct net *st, struct sock *s, uint32_t ip, uint16_t port,
			  const uint8_t *data, size_t len)
{
	uint8_t h[REC_HDR] = { 0 };

	if (s->shut_rd || !s->rcv.buf || REC_HDR + len > ring_free(&s->rcv)) {
		st->st.udp_queue_drops++;
		return;
	}
	put32(h, (uint32_t)len);
	put32(h + 4, ip);
	put16(h + 8, port);
	ring_append(&s->rcv, h, REC_HDR);
	ring_append(&s->rcv, data, (uint32_t)len);
}

static struct sock *dgram_lookup(struct net *st, uint8_t type, uint32_t dst, uint16_t dport,
				 uint32_t src, uint16_t sport)
{
	struct sock *best = NULL;

	for (uint32_t i = 0; i < st->cfg.max_sockets; i++) {
		struct sock *s = &st->socks[i];
		if (!s->used || s->type != type || !s->bound || s->local.port != dport)
			continue;
		if (s->local.ip != NET_ANY && s->local.ip != dst)
			continue;
		if (s->connected) {
			if (s->remote.ip != src || (type == NET_SOCK_DGRAM && s->remote.port != sport))
				continue;
			return s;
		}
		if (!best)
			best = s;
	}
	return best;
}

void udp_input(struct net *st, const uint8_t *ip, const uint8_t *p, size_t len)
{
	uint32_t src = get32(ip + 12), dst = get32(ip + 16);
	uint16_t ulen;
	struct sock *s;

	if (len < 8 || (ulen = get16(p + 4)) < 8 || ulen > len)
		goto bad;
	if (get16(p + 6) && net_csum(net_pseudo(src, dst, IPPROTO_UDP_, ulen), p, ulen) != 0)
		goto bad;
	st->st.udp_in++;
	s = dgram_lookup(st, NET_SOCK_DGRAM, dst, get16(p + 2), src, get16(p));
	if (!s) {
		st->st.udp_no_port++;
		if (ip_is_local(st, dst))
			icmp_port_unreach(st, ip, (size_t)((ip[0] & 15) * 4) + ulen);
		return;
	}
	dgram_enqueue(st, s, src, get16(p), p + 8, ulen - 8u);
	return;
bad:
	st->st.rx_bad++;
}

void icmp_echo_reply_input(struct net *st, uint32_t src, const uint8_t *p, size_t len)
{
	struct sock *s = dgram_lookup(st, NET_SOCK_PING, NET_ANY, get16(p + 4), src, 0);

	if (!s) {
		/* bound to a specific address: try the ones we have */
		for (uint32_t i = 0; i < st->cfg.max_sockets && !s; i++) {
			struct sock *t = &st->socks[i];
			if (t->used && t->type == NET_SOCK_PING && t->bound && t->local.port == get16(p + 4))
				s = t;
		}
	}
	if (s)
		dgram_enqueue(st, s, src, 0, p, len);
}

static int udp_build(struct net *st, struct sock *s, const struct route *r, uint32_t dst,
		     uint16_t dport, const uint8_t *buf, size_t len)
{
	uint8_t *p = ip_payload(st);
	uint32_t src = s->local.ip ? s->local.ip : r->src;
	uint16_t c;

	put16(p, s->local.port);
	put16(p + 2, dport);
	put16(p + 4, (uint16_t)(len + 8));
	put16(p + 6, 0);
	memcpy(p + 8, buf, len);
	c = net_csum(net_pseudo(src, dst, IPPROTO_UDP_, (uint32_t)len + 8), p, len + 8);
	put16(p + 6, c ? c : 0xffff);
	st->st.udp_out++;
	return 0;
}

static int ping_build(struct net *st, struct sock *s, const uint8_t *buf, size_t len)
{
	uint8_t *p = ip_payload(st);

	if (len < 8 || buf[0] != 8 || buf[1] != 0)
		return -EINVAL;
	memcpy(p, buf, len);
	put16(p + 4, s->local.port);
	put16(p + 2, 0);
	put16(p + 2, net_csum(0, p, len));
	st->st.icmp_sent++;
	return 0;
}

int dgram_send(struct net *st, struct sock *s, const uint8_t *buf, size_t len,
	       const struct net_addr *to, size_t *sent)
{
	struct net_addr dst;
	struct route r;
	int err;

	if (s->shut_wr)
		return -EPIPE;
	if (!to && !s->connected)
		return -EDESTADDRREQ;
	dst = to ? *to : s->remote;
	if (s->type == NET_SOCK_DGRAM && dst.port == 0)
		return -EINVAL;
	if (!s->bound && (err = sock_bind_port(st, s, NET_ANY, 0)) < 0)
		return err;
	if ((err = ip_route(st, dst.ip, &r)) < 0)
		return err;
	if (len + 8 + NET_IP_HDR > ip_mtu(st, &r))
		return -EMSGSIZE;
	if (s->type == NET_SOCK_DGRAM)
		err = udp_build(st, s, &r, dst.ip, dst.port, buf, len);
	else
		err = ping_build(st, s, buf, len);
	if (err)
		return err;
	if (s->local.ip)
		r.src = s->local.ip;
	r.ttl = s->ttl;
	ip_send(st, &r, dst.ip, s->type == NET_SOCK_DGRAM ? IPPROTO_UDP_ : IPPROTO_ICMP_,
		len + (s->type == NET_SOCK_DGRAM ? 8 : 0));
	*sent = len;
	return 0;
}

uint32_t dgram_next_len(const struct sock *s)
{
	uint8_t h[REC_HDR];

	if (s->rcv.len < REC_HDR)
		return 0;
	ring_read_at(&s->rcv, 0, h, REC_HDR);
	return get32(h);
}

int dgram_recv(struct net *st, struct sock *s, uint8_t *buf, size_t len, uint32_t flags,
	       struct net_addr *from, size_t *got, size_t *full)
{
	uint8_t h[REC_HDR];
	uint32_t n;

	(void)st;
	if (s->rcv.len < REC_HDR) {
		if (s->shut_rd) {
			*got = 0;
			return 0;
		}
		return -EAGAIN;
	}
	ring_read_at(&s->rcv, 0, h, REC_HDR);
	n = get32(h);
	*got = n < len ? n : len;
	ring_read_at(&s->rcv, REC_HDR, buf, (uint32_t)*got);
	if (from)
		*from = (struct net_addr){ get32(h + 4), get16(h + 8) };
	if (full)
		*full = n;
	if (!(flags & NET_MSG_PEEK))
		ring_drop(&s->rcv, REC_HDR + n);
	return 0;
}
