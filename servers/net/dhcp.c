/*
 * A DHCP client (RFC 2131, options of RFC 2132) for an Ethernet interface: DISCOVER, the
 * first OFFER taken, REQUEST, and on ACK the interface gets address, netmask and gateway and
 * the stack its DNS server. The lease is renewed at half its time and the address dropped
 * when it runs out. Messages are broadcast (the interface may have no address yet), retried
 * with a doubling interval. It lives beside the socket layer, not on a socket: it needs port
 * 68 before the interface has an address.
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <string.h>

#define BOOTP_LEN 240                   /* fixed part and magic cookie */
#define DHCP_MSG_MIN 300                /* BOOTP's minimum message */
#define DHCP_RETRY_MS 2000
#define DHCP_RETRY_MAX_MS 32000

enum { DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK };

struct dhcp_reply {
	uint8_t type;
	uint32_t yiaddr, server, mask, router, dns, lease_s;
};

static uint32_t put_opts(uint8_t *o, const struct net_dhcp *d, uint8_t type)
{
	uint32_t n = 0;

	o[n++] = 53; o[n++] = 1; o[n++] = type;
	o[n++] = 55; o[n++] = 3; o[n++] = 1; o[n++] = 3; o[n++] = 6;   /* mask, router, DNS */
	if (type == DHCPREQUEST && d->state == NET_DHCP_REQUESTING) {
		o[n++] = 50; o[n++] = 4; put32(o + n, d->offered); n += 4;
		o[n++] = 54; o[n++] = 4; put32(o + n, d->server); n += 4;
	}
	o[n++] = 255;
	return n;
}

static void dhcp_send(struct net *st, int ifid, uint8_t type)
{
	struct net_dhcp *d = &st->dhcp[ifid];
	struct route r = { .ifid = ifid, .src = 0, .nexthop = NET_BROADCAST };
	uint8_t *u = ip_payload(st), *b = u + 8;
	uint32_t len;

	memset(b, 0, DHCP_MSG_MIN);
	b[0] = 1;                       /* BOOTREQUEST, Ethernet */
	b[1] = 1;
	b[2] = 6;
	put32(b + 4, d->xid);
	put16(b + 8, (uint16_t)((st->now - d->started) / 1000));
	if (d->state == NET_DHCP_RENEWING) {
		put32(b + 12, st->ifs[ifid].cfg.addr);
		r.src = st->ifs[ifid].cfg.addr;
	} else {
		put16(b + 10, 0x8000);  /* broadcast the reply: we cannot take unicast yet */
	}
	memcpy(b + 28, st->ifs[ifid].mac, 6);
	put32(b + 236, 0x63825363);     /* magic cookie */
	len = BOOTP_LEN + put_opts(b + BOOTP_LEN, d, type);
	if (len < DHCP_MSG_MIN)
		len = DHCP_MSG_MIN;
	put16(u, 68);
	put16(u + 2, 67);
	put16(u + 4, (uint16_t)(len + 8));
	put16(u + 6, 0);
	put16(u + 6, net_csum(net_pseudo(r.src, NET_BROADCAST, IPPROTO_UDP_, len + 8), u, len + 8));
	ip_send(st, &r, NET_BROADCAST, IPPROTO_UDP_, len + 8);
}

static void dhcp_retry_in(struct net *st, struct net_dhcp *d)
{
	d->deadline = st->now + d->retry_ms;
	d->retry_ms = d->retry_ms * 2 > DHCP_RETRY_MAX_MS ? DHCP_RETRY_MAX_MS : d->retry_ms * 2;
}

static void dhcp_discover(struct net *st, int ifid)
{
	struct net_dhcp *d = &st->dhcp[ifid];

	d->state = NET_DHCP_SELECTING;
	d->xid = (uint32_t)net_rand(st);
	d->started = st->now;
	d->retry_ms = DHCP_RETRY_MS;
	dhcp_send(st, ifid, DHCPDISCOVER);
	dhcp_retry_in(st, d);
}

int net_dhcp_start(struct net *st, int ifid)
{
	if (ifid <= 0 || ifid >= NET_MAX_IFS || !st->ifs[ifid].used)
		return -ENODEV;
	dhcp_discover(st, ifid);
	return 0;
}

int net_dhcp_state(struct net *st, int ifid, enum net_dhcp_state *state, uint32_t *lease_s)
{
	if (ifid <= 0 || ifid >= NET_MAX_IFS || !st->ifs[ifid].used)
		return -ENODEV;
	*state = (enum net_dhcp_state)st->dhcp[ifid].state;
	if (lease_s)
		*lease_s = st->dhcp[ifid].lease_s;
	return 0;
}

bool dhcp_wants(const struct net *st, int ifid)
{
	return ifid > 0 && st->dhcp[ifid].state != NET_DHCP_OFF;
}

static void parse_opts(const uint8_t *o, size_t n, struct dhcp_reply *r)
{
	size_t i = 0;

	while (i < n && o[i] != 255) {
		uint8_t code = o[i], len;
		if (code == 0) {
			i++;
			continue;
		}
		if (i + 2 > n || i + 2 + (len = o[i + 1]) > n)
			break;
		if (code == 53 && len == 1)
			r->type = o[i + 2];
		else if (len >= 4 && (code == 1 || code == 3 || code == 6 || code == 51 || code == 54)) {
			uint32_t v = get32(o + i + 2);
			if (code == 1) r->mask = v;
			else if (code == 3) r->router = v;
			else if (code == 6) r->dns = v;
			else if (code == 51) r->lease_s = v;
			else r->server = v;
		}
		i += 2u + len;
	}
}

static void dhcp_bound(struct net *st, int ifid, const struct dhcp_reply *r)
{
	struct net_dhcp *d = &st->dhcp[ifid];
	struct net_ifconfig c = { r->yiaddr, r->mask ? r->mask : NET_IP(255, 255, 255, 0), 0 };
	uint32_t lease = r->lease_s < 60 ? 60 : r->lease_s;

	if (r->router && (r->router & c.netmask) == (c.addr & c.netmask))
		c.gateway = r->router;
	if (net_if_apply(st, ifid, &c) < 0) {  /* an address we cannot use */
		dhcp_discover(st, ifid);
		return;
	}
	if (r->dns)
		st->dns = r->dns;
	d->state = NET_DHCP_BOUND;
	d->lease_s = lease;
	d->expires = st->now + (uint64_t)lease * 1000;
	d->deadline = st->now + (uint64_t)lease * 500;         /* T1: renew at half */
}

/* A UDP datagram to port 68 on an interface running DHCP (p: the UDP header). */
void dhcp_input(struct net *st, int ifid, const uint8_t *p, size_t len)
{
	struct net_dhcp *d = &st->dhcp[ifid];
	struct dhcp_reply r = { 0 };
	const uint8_t *b = p + 8;
	uint16_t ulen = get16(p + 4);

	if (ulen < 8 + BOOTP_LEN || ulen > len || b[0] != 2 || get32(b + 4) != d->xid ||
	    memcmp(b + 28, st->ifs[ifid].mac, 6) != 0 || get32(b + 236) != 0x63825363)
		return;
	parse_opts(b + BOOTP_LEN, ulen - 8u - BOOTP_LEN, &r);
	r.yiaddr = get32(b + 16);
	if (r.type == DHCPOFFER && d->state == NET_DHCP_SELECTING && r.yiaddr && r.server) {
		d->offered = r.yiaddr;
		d->server = r.server;
		d->state = NET_DHCP_REQUESTING;
		d->retry_ms = DHCP_RETRY_MS;
		dhcp_send(st, ifid, DHCPREQUEST);
		dhcp_retry_in(st, d);
	} else if (r.type == DHCPACK && (d->state == NET_DHCP_REQUESTING ||
					 d->state == NET_DHCP_RENEWING) && r.yiaddr) {
		dhcp_bound(st, ifid, &r);
	} else if (r.type == DHCPNAK && d->state != NET_DHCP_SELECTING) {
		dhcp_discover(st, ifid);
	}
}

static void dhcp_timer(struct net *st, int ifid)
{
	struct net_dhcp *d = &st->dhcp[ifid];

	if (d->state != NET_DHCP_OFF && d->state != NET_DHCP_SELECTING && d->expires &&
	    st->now >= d->expires) {
		struct net_ifconfig none = { 0 };
		st->ifs[ifid].cfg = none;       /* the lease is over: the address is not ours */
		arp_flush_if(st, ifid);
		d->expires = 0;
		dhcp_discover(st, ifid);
		return;
	}
	if (d->state == NET_DHCP_REQUESTING && d->retry_ms == DHCP_RETRY_MAX_MS) {
		dhcp_discover(st, ifid);        /* the offer went stale */
		return;
	}
	if (d->state == NET_DHCP_BOUND) {
		d->state = NET_DHCP_RENEWING;
		d->retry_ms = DHCP_RETRY_MS;
		d->xid = (uint32_t)net_rand(st);
	}
	dhcp_send(st, ifid, d->state == NET_DHCP_SELECTING ? DHCPDISCOVER : DHCPREQUEST);
	dhcp_retry_in(st, d);
	if (d->state == NET_DHCP_RENEWING && d->deadline > d->expires)
		d->deadline = d->expires;
}

void dhcp_timers(struct net *st)
{
	for (int i = 1; i < NET_MAX_IFS; i++)
		if (st->dhcp[i].state != NET_DHCP_OFF && st->dhcp[i].deadline <= st->now)
			dhcp_timer(st, i);
}

uint64_t dhcp_deadline(const struct net *st)
{
	uint64_t d = UINT64_MAX;

	for (int i = 1; i < NET_MAX_IFS; i++)
		if (st->dhcp[i].state != NET_DHCP_OFF && st->dhcp[i].deadline < d)
			d = st->dhcp[i].deadline;
	return d;
}
