/*
 * Time and the things driven by it: net_time runs the loopback queue, the ARP retries and
 * every socket's TCP timers, then tells the server which sockets' readiness changed;
 * net_deadline says when that must happen next. Also randomness: the user's random source
 * and SipHash-2-4 as the keyed hash of RFC 6528's initial sequence numbers.
 */
#include "servers/net/net_int.h"
#include <string.h>

uint64_t net_rand(struct net *st)
{
	return st->cfg.random(st->cfg.random_ctx);
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

/* SipHash-2-4 of two 64-bit words (the 4-tuple), keyed by the stack's secret. */
static uint64_t siphash2(const uint64_t k[2], uint64_t m0, uint64_t m1)
{
	uint64_t v[4] = { k[0] ^ 0x736f6d6570736575ull, k[1] ^ 0x646f72616e646f6dull,
			  k[0] ^ 0x6c7967656e657261ull, k[1] ^ 0x7465646279746573ull };
	uint64_t m[3] = { m0, m1, (uint64_t)16 << 56 };

	for (int i = 0; i < 3; i++) {
		v[3] ^= m[i];
		sip_round(v);
		sip_round(v);
		v[0] ^= m[i];
	}
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint32_t net_hash4(struct net *st, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	uint64_t h = siphash2(st->hash_key, (uint64_t)a << 32 | b, (uint64_t)c << 32 | d);
	return (uint32_t)(h ^ (h >> 32));
}

void net_loop_put(struct net *st, const uint8_t *pkt, size_t len)
{
	struct loop_slot *s;

	if (st->loop_len == st->cfg.loop_slots || len > NET_LOOP_MTU) {
		st->st.nobufs++;
		st->st.tx_fail++;
		net_count_tx(st, NET_IF_LOOPBACK, len + NET_ETH_HDR, false);
		return;
	}
	s = &st->loop[(st->loop_head + st->loop_len) % st->cfg.loop_slots];
	memcpy(s->pkt, pkt, len);
	s->len = (uint16_t)len;
	st->loop_len++;
	st->st.tx_frames++;
	net_count_tx(st, NET_IF_LOOPBACK, len + NET_ETH_HDR, true);
}

/* Deliver what the loopback queue holds; packets these produce wait for the next round, so
   two sockets talking over loopback cannot keep one call busy for ever. */
static void loop_run(struct net *st)
{
	uint32_t n = st->loop_len;
	uint8_t *pkt = st->loop_rx;

	while (n--) {
		struct loop_slot *s = &st->loop[st->loop_head];
		size_t len = s->len;

		memcpy(pkt, s->pkt, len);
		st->loop_head = (st->loop_head + 1) % st->cfg.loop_slots;
		st->loop_len--;
		st->st.rx_frames++;
		net_count_rx(st, NET_IF_LOOPBACK, NULL, len + NET_ETH_HDR);
		ip_input(st, NET_IF_LOOPBACK, pkt, len, false);
	}
}

static void notify_all(struct net *st)
{
	if (!st->cfg.event)
		return;
	for (uint32_t i = 0; i < st->cfg.max_sockets; i++) {
		struct sock *s = &st->socks[i];
		uint32_t ev;
		if (!s->used || s->orphan || s->parent >= 0)
			continue;
		ev = sock_poll(st, s);
		if (ev != s->last_events) {
			s->last_events = ev;
			st->cfg.event(st->cfg.event_ctx, sock_handle(st, (int)i), ev);
		}
	}
}

void net_time(struct net *st, uint64_t now_ms)
{
	if (now_ms > st->now)
		st->now = now_ms;
	for (int round = 0; round < 4 && st->loop_len; round++)
		loop_run(st);
	arp_timers(st);
	dhcp_timers(st);
	for (uint32_t i = 0; i < st->cfg.max_sockets; i++)
		if (st->socks[i].used && st->socks[i].type == NET_SOCK_STREAM)
			tcp_timers(st, &st->socks[i]);
	notify_all(st);
}

uint64_t net_deadline(const struct net *st)
{
	uint64_t d = arp_deadline(st), dh = dhcp_deadline(st);

	if (dh < d)
		d = dh;
	if (st->loop_len)
		return st->now;
	for (uint32_t i = 0; i < st->cfg.max_sockets; i++) {
		const struct sock *s = &st->socks[i];
		if (s->used && s->type == NET_SOCK_STREAM) {
			uint64_t t = tcp_deadline(s);
			if (t < d)
				d = t;
		}
	}
	return d;
}

/* After an input frame or a socket call, the server hears about readiness changes at once. */
void net_after_event(struct net *st)
{
	notify_all(st);
}
