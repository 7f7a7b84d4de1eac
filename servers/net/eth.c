/*
 * Ethernet framing and ARP (RFC 826): a cache of resolved addresses that expire, and frames
 * held (a bounded number, per address and in all) while an address is being resolved, with
 * retried requests; an address that never answers drops its frames.
 */
#include "servers/net/net_int.h"
#include <string.h>

#define ETH_IP 0x0800
#define ETH_ARP 0x0806
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void eth_put(struct net *st, int ifid, uint8_t *f, size_t len)
{
	struct net_iface *i = &st->ifs[ifid];
	uint8_t pad[60];

	size_t sent = len;

	if (len < 60) {         /* the minimum frame: padding would else be the device's job */
		memcpy(pad, f, len);
		memset(pad + len, 0, 60 - len);
		f = pad;
		len = 60;
	}
	if (i->ops.send(i->ctx, f, len) < 0) {
		st->st.tx_fail++;
		net_count_tx(st, ifid, sent, false);
	} else {
		st->st.tx_frames++;
		net_count_tx(st, ifid, sent, true);
	}
}

static void eth_header(struct net *st, int ifid, uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, st->ifs[ifid].mac, 6);
	put16(f + 12, type);
}

static void arp_send(struct net *st, int ifid, uint16_t op, const uint8_t *tha, uint32_t tpa)
{
	uint8_t f[NET_ETH_HDR + 28];
	uint8_t *a = f + NET_ETH_HDR;

	eth_header(st, ifid, f, op == 1 ? bcast_mac : tha, ETH_ARP);
	put16(a, 1);
	put16(a + 2, ETH_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, st->ifs[ifid].mac, 6);
	put32(a + 14, st->ifs[ifid].cfg.addr);
	memcpy(a + 18, op == 1 ? (const uint8_t[6]){ 0 } : tha, 6);
	put32(a + 24, tpa);
	if (op == 1)
		st->st.arp_requests++;
	else
		st->st.arp_replies++;
	eth_put(st, ifid, f, sizeof(f));
}

static int arp_find(struct net *st, int ifid, uint32_t ip)
{
	for (uint32_t i = 0; i < st->cfg.arp_entries; i++)
		if (st->arp[i].state != ARP_FREE && st->arp[i].ip == ip && st->arp[i].ifid == ifid)
			return (int)i;
	return -1;
}

static void pend_drop(struct net *st, int entry)
{
	for (uint32_t i = 0; i < st->cfg.arp_pending; i++)
		if (st->pend[i].entry == entry) {
			st->pend[i].entry = -1;
			st->st.arp_pending_drops++;
		}
	st->arp[entry].npend = 0;
}

/* A free entry, or the valid one closest to expiry; -1 when all are being resolved. */
static int arp_slot(struct net *st)
{
	int best = -1;

	for (uint32_t i = 0; i < st->cfg.arp_entries; i++) {
		struct arp_entry *e = &st->arp[i];
		if (e->state == ARP_FREE)
			return (int)i;
		if (e->state == ARP_VALID && (best < 0 || e->deadline < st->arp[best].deadline))
			best = (int)i;
	}
	return best;
}

static void arp_learn(struct net *st, int ifid, int e, const uint8_t *mac)
{
	struct arp_entry *a = &st->arp[e];

	memcpy(a->mac, mac, 6);
	a->state = ARP_VALID;
	a->deadline = st->now + NET_ARP_VALID_MS;
	for (uint32_t i = 0; i < st->cfg.arp_pending; i++) {
		struct arp_pend *p = &st->pend[i];
		if (p->entry != e)
			continue;
		memcpy(p->frame, mac, 6);
		p->entry = -1;
		eth_put(st, ifid, p->frame, p->len);
	}
	a->npend = 0;
}

static void arp_input(struct net *st, int ifid, const uint8_t *a, size_t len)
{
	uint32_t spa, tpa, me = st->ifs[ifid].cfg.addr;
	uint16_t op;
	int e;

	if (len < 28 || get16(a) != 1 || get16(a + 2) != ETH_IP || a[4] != 6 || a[5] != 4) {
		st->st.rx_bad++;
		return;
	}
	op = get16(a + 6);
	spa = get32(a + 14);
	tpa = get32(a + 24);
	if ((a[8] & 1) || spa == 0 || !me)
		return;
	e = arp_find(st, ifid, spa);
	if (e < 0 && tpa == me) {
		e = arp_slot(st);
		if (e >= 0) {
			st->arp[e] = (struct arp_entry){ .state = ARP_PENDING, .ifid = (int8_t)ifid, .ip = spa };
			pend_drop(st, e);
		}
	}
	if (e >= 0)
		arp_learn(st, ifid, e, a + 8);
	if (op == 1 && tpa == me)
		arp_send(st, ifid, 2, a + 8, spa);
}

static void arp_hold(struct net *st, int e, const uint8_t *frame, size_t len)
{
	if (st->arp[e].npend >= NET_ARP_PER_ENTRY)
		goto drop;
	for (uint32_t i = 0; i < st->cfg.arp_pending; i++) {
		struct arp_pend *p = &st->pend[i];
		if (p->entry >= 0)
			continue;
		p->entry = (int16_t)e;
		p->len = (uint16_t)len;
		memcpy(p->frame, frame, len);
		st->arp[e].npend++;
		return;
	}
	st->st.nobufs++;
drop:
	st->st.arp_pending_drops++;
}

/* frame: an Ethernet frame whose header this fills in; sent now or once nexthop resolves. */
void eth_output(struct net *st, int ifid, uint32_t nexthop, uint8_t *frame, size_t len)
{
	const struct net_ifconfig *c = &st->ifs[ifid].cfg;
	int e;

	if (nexthop == NET_BROADCAST || nexthop == (c->addr | ~c->netmask)) {
		eth_header(st, ifid, frame, bcast_mac, ETH_IP);
		eth_put(st, ifid, frame, len);
		return;
	}
	eth_header(st, ifid, frame, bcast_mac, ETH_IP);
	e = arp_find(st, ifid, nexthop);
	if (e >= 0 && st->arp[e].state == ARP_VALID) {
		memcpy(frame, st->arp[e].mac, 6);
		eth_put(st, ifid, frame, len);
		return;
	}
	if (e < 0) {
		e = arp_slot(st);
		if (e < 0) {
			st->st.nobufs++;
			st->st.arp_pending_drops++;
			return;
		}
		pend_drop(st, e);
		st->arp[e] = (struct arp_entry){ .state = ARP_PENDING, .ifid = (int8_t)ifid,
			.ip = nexthop, .tries = 1, .deadline = st->now + NET_ARP_RETRY_MS };
		arp_send(st, ifid, 1, NULL, nexthop);
	}
	arp_hold(st, e, frame, len);
}

void arp_timers(struct net *st)
{
	for (uint32_t i = 0; i < st->cfg.arp_entries; i++) {
		struct arp_entry *e = &st->arp[i];
		if (e->state == ARP_FREE || e->deadline > st->now)
			continue;
		if (e->state == ARP_VALID) {
			e->state = ARP_FREE;
		} else if (e->tries >= NET_ARP_TRIES) {
			st->st.arp_timeouts++;
			pend_drop(st, (int)i);
			e->state = ARP_FREE;
		} else {
			e->tries++;
			e->deadline = st->now + NET_ARP_RETRY_MS;
			arp_send(st, e->ifid, 1, NULL, e->ip);
		}
	}
}

uint64_t arp_deadline(const struct net *st)
{
	uint64_t d = UINT64_MAX;

	for (uint32_t i = 0; i < st->cfg.arp_entries; i++)
		if (st->arp[i].state != ARP_FREE && st->arp[i].deadline < d)
			d = st->arp[i].deadline;
	return d;
}

void arp_flush_if(struct net *st, int ifid)
{
	for (uint32_t i = 0; i < st->cfg.arp_entries; i++)
		if (st->arp[i].state != ARP_FREE && st->arp[i].ifid == ifid) {
			pend_drop(st, (int)i);
			st->arp[i].state = ARP_FREE;
		}
}

void eth_input(struct net *st, int ifid, const uint8_t *f, size_t len)
{
	const uint8_t *mac = st->ifs[ifid].mac;
	bool bcast;

	net_count_rx(st, ifid, f, len);
	if (len < NET_ETH_HDR) {
		st->st.rx_bad++;
		st->ifs[ifid].cnt.rx_errs++;
		return;
	}
	bcast = memcmp(f, bcast_mac, 6) == 0;
	if (!bcast && memcmp(f, mac, 6) != 0)
		return;         /* another host's, or multicast we never joined */
	switch (get16(f + 12)) {
	case ETH_IP:
		ip_input(st, ifid, f + NET_ETH_HDR, len - NET_ETH_HDR, bcast);
		break;
	case ETH_ARP:
		arp_input(st, ifid, f + NET_ETH_HDR, len - NET_ETH_HDR);
		break;
	default:
		break;
	}
}
