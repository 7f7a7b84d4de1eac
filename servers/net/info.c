/*
 * Inspection of the stack (net.h, "inspection"): the per-interface counters, the sockets and
 * the ARP cache as Linux's /proc/net files and interface ioctls want them. The network
 * server's NET_INFO request copies these out for the kernel, which formats them; nothing
 * here changes the state, and every table is read by index so a reader pages through it.
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <string.h>

void net_count_rx(struct net *st, int ifid, const uint8_t *frame, size_t len)
{
	struct net_if_counters *c = &st->ifs[ifid].cnt;
	c->rx_packets++;
	c->rx_bytes += len;
	if (frame && len >= 6 && (frame[0] & 1))
		c->rx_multicast++;
}

void net_count_tx(struct net *st, int ifid, size_t len, bool ok)
{
	struct net_if_counters *c = &st->ifs[ifid].cnt;
	if (!ok) {
		c->tx_drop++;           /* the device's queue was full: Linux counts a drop */
		return;
	}
	c->tx_packets++;
	c->tx_bytes += len;
}

int net_if_counters(const struct net *st, int ifid, struct net_if_counters *c)
{
	if (ifid < 0 || ifid >= NET_MAX_IFS || !st->ifs[ifid].used)
		return -ENODEV;
	*c = st->ifs[ifid].cnt;
	c->tx_queue = st->ifs[ifid].loop ? st->cfg.loop_slots : 0;
	return 0;
}

/* Completed connections waiting in listener s's accept queue. */
static uint32_t accept_ready(const struct net *st, const struct sock *s)
{
	uint32_t n = 0;
	for (int i = s->acc_head; i >= 0 && n < st->cfg.max_sockets; i = st->socks[i].next_accept)
		n++;
	return n;
}

/* The timer that fires first, as Linux's "tr" field names it. */
static void tcp_timer_info(const struct net *st, const struct sock *s, struct net_sock_info *o)
{
	const struct tcb *t = &s->tcb;
	uint64_t when = 0;
	if (t->state == NET_TCP_TIME_WAIT && t->t_close) {
		o->timer = 3;
		when = t->t_close;
	} else if (t->t_rexmt) {
		o->timer = 1;
		when = t->t_rexmt;
	} else if (t->t_persist) {
		o->timer = 4;
		when = t->t_persist;
	} else if (t->t_keep || t->t_close) {
		o->timer = 2;
		when = t->t_keep && (!t->t_close || t->t_keep < t->t_close) ? t->t_keep : t->t_close;
	}
	o->timer_ms = when > st->now ? when - st->now : 0;
}

static void tcp_info_of(const struct net *st, const struct sock *s, struct net_sock_info *o)
{
	const struct tcb *t = &s->tcb;
	uint32_t mss = t->snd_mss ? t->snd_mss : 536;
	o->state = t->state;
	if (t->state == NET_TCP_LISTEN) {
		o->txq = s->backlog;
		o->rxq = accept_ready(st, s);
	} else {
		o->txq = s->snd.len;
		o->rxq = s->rcv.len;
	}
	tcp_timer_info(st, s, o);
	o->backoff = t->backoff;
	o->rto_ms = t->rto;
	o->cwnd = t->cwnd / mss;
	o->ssthresh = t->ssthresh >= 1u << 30 ? UINT32_MAX : t->ssthresh / mss;
}

int net_sock_info(const struct net *st, uint32_t idx, int *handle, struct net_sock_info *out)
{
	if (idx >= st->cfg.max_sockets)
		return -ERANGE;
	const struct sock *s = &st->socks[idx];
	if (!s->used || (s->type == NET_SOCK_STREAM && s->tcb.state == NET_TCP_CLOSED) ||
	    (s->type != NET_SOCK_STREAM && !s->bound))
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->type = s->type;
	out->has_handle = !s->orphan && s->parent < 0;
	out->local = s->bound || s->type == NET_SOCK_STREAM ? s->local : (struct net_addr){ 0, 0 };
	out->remote = s->connected || s->type == NET_SOCK_STREAM ? s->remote
								  : (struct net_addr){ 0, 0 };
	if (s->type == NET_SOCK_STREAM) {
		tcp_info_of(st, s, out);
	} else {
		out->state = s->connected ? NET_TCP_ESTABLISHED : NET_TCP_CLOSED;
		out->rxq = s->rcv.len;
	}
	*handle = (int)s->gen << 16 | (int)idx;
	return 0;
}

int net_arp_info(const struct net *st, uint32_t i, struct net_arp_info *out)
{
	if (i >= st->cfg.arp_entries)
		return -ERANGE;
	const struct arp_entry *a = &st->arp[i];
	if (a->state == ARP_FREE)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->ip = a->ip;
	out->complete = a->state == ARP_VALID;
	if (out->complete)
		memcpy(out->mac, a->mac, 6);
	out->ifid = a->ifid;
	return 0;
}
