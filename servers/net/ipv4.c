/*
 * IPv4 (RFC 791, 1122): the Internet checksum, routing to the loopback interface, a directly
 * connected network or the gateway, sending, and checking received packets before they reach
 * ICMP, UDP or TCP. Fragments are dropped (counted): nothing here sends any, and the MSS
 * option keeps TCP peers from needing them. ICMP (RFC 792): echo requests are answered,
 * replies go to ping sockets, UDP to a closed port gets "port unreachable".
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <string.h>

uint32_t net_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t s = sum;

	for (; len >= 2; b += 2, len -= 2)
		s += (uint32_t)(b[0] << 8 | b[1]);
	if (len)
		s += (uint32_t)b[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t net_csum(uint32_t sum, const void *p, size_t len)
{
	sum = net_csum_add(sum, p, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t net_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

bool ip_is_local(const struct net *st, uint32_t ip)
{
	if (ip >> 24 == 127)
		return true;
	for (int i = 1; i < NET_MAX_IFS; i++)
		if (st->ifs[i].used && st->ifs[i].cfg.addr && st->ifs[i].cfg.addr == ip)
			return true;
	return false;
}

int ip_route(struct net *st, uint32_t dst, struct route *r)
{
	if (ip_is_local(st, dst)) {
		*r = (struct route){ NET_IF_LOOPBACK, dst >> 24 == 127 ? NET_LOOPBACK : dst, dst, 0 };
		return 0;
	}
	for (int i = 1; i < NET_MAX_IFS; i++) {
		const struct net_ifconfig *c = &st->ifs[i].cfg;
		if (!st->ifs[i].used || !c->addr)
			continue;
		if (dst == NET_BROADCAST || (dst & c->netmask) == (c->addr & c->netmask)) {
			*r = (struct route){ i, c->addr, dst, 0 };
			return 0;
		}
	}
	for (int i = 1; i < NET_MAX_IFS; i++) {
		const struct net_ifconfig *c = &st->ifs[i].cfg;
		if (st->ifs[i].used && c->addr && c->gateway) {
			*r = (struct route){ i, c->addr, c->gateway, 0 };
			return 0;
		}
	}
	return -ENETUNREACH;
}

uint32_t ip_mtu(const struct net *st, const struct route *r)
{
	return st->ifs[r->ifid].mtu;
}

uint8_t *ip_payload(struct net *st)
{
	return st->tx + NET_ETH_HDR + NET_IP_HDR;
}

/* The payload is at ip_payload(st), len bytes, its checksum done. */
void ip_send(struct net *st, const struct route *r, uint32_t dst, uint8_t proto, size_t len)
{
	uint8_t *h = st->tx + NET_ETH_HDR;

	h[0] = 0x45;
	h[1] = 0;
	put16(h + 2, (uint16_t)(NET_IP_HDR + len));
	put16(h + 4, st->ip_id++);
	put16(h + 6, 0x4000);   /* don't fragment */
	h[8] = r->ttl ? r->ttl : NET_TTL_DEFAULT;
	h[9] = proto;
	put16(h + 10, 0);
	put32(h + 12, r->src);
	put32(h + 16, dst);
	put16(h + 10, net_csum(0, h, NET_IP_HDR));
	if (r->ifid == NET_IF_LOOPBACK)
		net_loop_put(st, h, NET_IP_HDR + len);
	else
		eth_output(st, r->ifid, r->nexthop, st->tx, NET_ETH_HDR + NET_IP_HDR + len);
}

static void icmp_send(struct net *st, uint32_t dst, size_t len)
{
	struct route r;
	uint8_t *p = ip_payload(st);

	if (ip_route(st, dst, &r) < 0 || len + NET_IP_HDR > ip_mtu(st, &r))
		return;
	put16(p + 2, 0);
	put16(p + 2, net_csum(0, p, len));
	st->st.icmp_sent++;
	ip_send(st, &r, dst, IPPROTO_ICMP_, len);
}

/* Port unreachable for a UDP datagram nobody is bound to: its IP header and 8 bytes back. */
void icmp_port_unreach(struct net *st, const uint8_t *ip, size_t iplen)
{
	size_t n = (size_t)(ip[0] & 15) * 4 + 8;
	uint8_t *p = ip_payload(st);

	if (n > iplen)
		n = iplen;
	memset(p, 0, 8);
	p[0] = 3;
	p[1] = 3;
	memcpy(p + 8, ip, n);
	icmp_send(st, get32(ip + 12), 8 + n);
}

static void icmp_input(struct net *st, uint32_t src, const uint8_t *p, size_t len, bool bcast)
{
	if (len < 8 || net_csum(0, p, len) != 0) {
		st->st.rx_bad++;
		return;
	}
	if (p[0] == 8 && p[1] == 0 && !bcast) {
		uint8_t *q = ip_payload(st);
		memcpy(q, p, len);
		q[0] = 0;
		st->st.icmp_echo_answered++;
		icmp_send(st, src, len);
	} else if (p[0] == 0 && p[1] == 0) {
		icmp_echo_reply_input(st, src, p, len);
	}
}

static bool ip_for_us(const struct net *st, int ifid, uint32_t dst)
{
	const struct net_ifconfig *c = &st->ifs[ifid].cfg;

	if (ifid == NET_IF_LOOPBACK)
		return ip_is_local(st, dst);
	return dst == NET_BROADCAST || (c->addr && (dst == c->addr || dst == (c->addr | ~c->netmask)));
}

void ip_input(struct net *st, int ifid, const uint8_t *p, size_t len, bool bcast)
{
	size_t hlen, tot;
	uint32_t src, dst;

	if (len < NET_IP_HDR || p[0] >> 4 != 4 || (p[0] & 15) < 5)
		goto bad;
	hlen = (size_t)(p[0] & 15) * 4;
	tot = get16(p + 2);
	if (tot < hlen || tot > len)
		goto bad;
	if (net_csum(0, p, hlen) != 0) {
		st->st.ip_bad_csum++;
		goto bad;
	}
	if (get16(p + 6) & 0x3fff) {
		st->st.ip_frags_dropped++;
		return;
	}
	src = get32(p + 12);
	dst = get32(p + 16);
	if (p[9] == IPPROTO_UDP_ && tot - hlen >= 8 && get16(p + hlen + 2) == 68 && dhcp_wants(st, ifid)) {
		if (!get16(p + hlen + 6) ||
		    net_csum(net_pseudo(src, dst, IPPROTO_UDP_, (uint32_t)(tot - hlen)), p + hlen, tot - hlen) == 0)
			dhcp_input(st, ifid, p + hlen, tot - hlen);
		return;
	}
	if (!ip_for_us(st, ifid, dst) || src == NET_BROADCAST || src >> 28 == 14 ||
	    (ifid != NET_IF_LOOPBACK && ip_is_local(st, src))) {
		st->st.ip_not_ours++;
		return;
	}
	bcast = bcast || dst == NET_BROADCAST || dst != st->ifs[ifid].cfg.addr;
	if (ifid == NET_IF_LOOPBACK)
		bcast = false;
	switch (p[9]) {
	case IPPROTO_ICMP_:
		icmp_input(st, src, p + hlen, tot - hlen, bcast);
		break;
	case IPPROTO_UDP_:
		udp_input(st, p, p + hlen, tot - hlen);
		break;
	case IPPROTO_TCP_:
		if (!bcast)
			tcp_input(st, p, p + hlen, tot - hlen);
		break;
	}
	return;
bad:
	st->st.rx_bad++;
}
