/*
 * The TFN_NET_* requests that are not socket data: options with Linux's level and option
 * numbers, the interface configuration (NET_IFCONFIG) and the statistics (NET_STATS), both
 * through the request's control ICA (abi/netproto.h).
 */
#include <errno.h>
#include <string.h>
#include "abi/netproto.h"
#include "servers/net/server.h"
#include "srv.h"

#define L_SOL_SOCKET 1
#define L_IPPROTO_TCP 6
#define L_SO_REUSEADDR 2
#define L_SO_TYPE 3
#define L_SO_ERROR 4
#define L_SO_SNDBUF 7
#define L_SO_RCVBUF 8
#define L_SO_KEEPALIVE 9
#define L_SO_ACCEPTCONN 30
#define L_IPPROTO_IP 0
#define L_IP_TTL 2
#define L_IP_RECVERR 11
#define L_TCP_NODELAY 1
#define L_TCP_MAXSEG 2

/* Linux's (level, option) as the stack's option, or -ENOPROTOOPT. */
static int option(uint64_t level, uint64_t opt)
{
	static const struct { uint8_t level, opt; enum net_opt o; } map[] = {
		{ L_SOL_SOCKET, L_SO_REUSEADDR, NET_SO_REUSEADDR },
		{ L_SOL_SOCKET, L_SO_TYPE, NET_SO_TYPE },
		{ L_SOL_SOCKET, L_SO_ERROR, NET_SO_ERROR },
		{ L_SOL_SOCKET, L_SO_SNDBUF, NET_SO_SNDBUF },
		{ L_SOL_SOCKET, L_SO_RCVBUF, NET_SO_RCVBUF },
		{ L_SOL_SOCKET, L_SO_KEEPALIVE, NET_SO_KEEPALIVE },
		{ L_SOL_SOCKET, L_SO_ACCEPTCONN, NET_SO_ACCEPTCONN },
		{ L_IPPROTO_TCP, L_TCP_NODELAY, NET_TCP_NODELAY },
		{ L_IPPROTO_TCP, L_TCP_MAXSEG, NET_TCP_MAXSEG },
		{ L_IPPROTO_IP, L_IP_TTL, NET_IP_TTL },
		{ L_IPPROTO_IP, L_IP_RECVERR, NET_IP_RECVERR },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].level == level && map[i].opt == opt)
			return (int)map[i].o;
	return -ENOPROTOOPT;
}

int nsrv_setopt(struct nsrv *s, struct t_msg *m)
{
	int o = option(m->arg[1], m->arg[2]);
	if (o < 0)
		return o;
	if (m->arg[3] > UINT32_MAX)       /* the kernel passes the int as its 32 bits */
		return -EINVAL;
	return net_setsockopt(s->st, (int)m->arg[0], (enum net_opt)o,
			      (int)(int32_t)(uint32_t)m->arg[3]);
}

int nsrv_getopt(struct nsrv *s, struct t_msg *m)
{
	int o = option(m->arg[1], m->arg[2]), v;
	if (o < 0)
		return o;
	int err = net_getsockopt(s->st, (int)m->arg[0], (enum net_opt)o, &v);
	if (!err)
		m->arg[0] = (uint64_t)(int64_t)v;
	return err;
}

static void if_get(struct nsrv *s, struct t_net_ifconf *c)
{
	struct net_ifconfig ic;
	uint32_t mtu = 0;
	enum net_dhcp_state ds = NET_DHCP_OFF;
	uint32_t lease;
	memset(c, 0, sizeof(*c));
	if (net_if_get(s->st, s->ifid, &ic, &mtu, c->mac) == 0) {
		c->addr = ic.addr;
		c->netmask = ic.netmask;
		c->gateway = ic.gateway;
	}
	c->dns = net_get_dns(s->st);
	c->mtu = (uint16_t)mtu;
	c->up = s->have_nic ? vnet_link_up(&s->nic) : 1;
	if (s->have_nic && net_dhcp_state(s->st, s->ifid, &ds, &lease) == 0)
		c->dhcp = ds == NET_DHCP_BOUND || ds == NET_DHCP_RENEWING;
}

/* A netmask must be contiguous ones; an address not 0, broadcast, multicast or loopback. */
static bool usable(const struct t_net_ifconf *c)
{
	uint32_t inv = ~c->netmask;
	if (inv & (inv + 1))
		return false;
	uint8_t top = (uint8_t)(c->addr >> 24);
	return c->addr && c->addr != NET_BROADCAST && top != 127 && top < 224;
}

int nsrv_ifconfig(struct nsrv *s, struct t_msg *m)
{
	struct t_net_ifconf *c = srv_ctl(m);
	int err = 0;
	if (!c)
		return -EINVAL;
	if (m->arg[0] == TNET_IF_SET) {
		struct net_ifconfig ic = { c->addr, c->netmask, c->gateway };
		if (!s->have_nic)
			return -ENODEV;
		if (!usable(c))
			return -EINVAL;
		if ((err = net_if_config(s->st, s->ifid, &ic)) == 0 && c->dns)
			err = net_set_dns(s->st, c->dns);
	} else if (m->arg[0] == TNET_IF_DHCP) {
		err = s->have_nic ? net_dhcp_start(s->st, s->ifid) : -ENODEV;
	} else if (m->arg[0] != TNET_IF_GET) {
		return -EINVAL;
	}
	if (!err)
		if_get(s, c);
	return err;
}

int nsrv_stats(struct nsrv *s, struct t_msg *m)
{
	struct t_net_stats *o = srv_ctl(m);
	struct net_stats ns;
	if (!o)
		return -EINVAL;
	net_get_stats(s->st, &ns);
	memset(o, 0, sizeof(*o));
	o->frames_in = ns.rx_frames;
	o->frames_out = ns.tx_frames;
	o->frames_dropped = ns.rx_bad + ns.tx_fail + s->nic.stats.rx_bad + s->nic.stats.tx_full +
			    s->rx_fault.dropped + s->tx_fault.dropped;
	o->tcp_segs_in = ns.tcp_in;
	o->tcp_segs_out = ns.tcp_out;
	o->tcp_retransmits = ns.tcp_retransmits;
	o->tcp_fast_retransmits = ns.tcp_fast_retransmits;
	for (uint32_t i = 0; i < NSRV_MAX_SOCKETS; i++) {
		o->tcp_active += s->sock_type[i] == TNET_STREAM;
		o->udp_active += s->sock_type[i] == TNET_DGRAM;
	}
	o->sockets_open = ns.sockets_used;
	o->mem_used = ns.mem_used;
	o->nobufs = ns.nobufs;
	return 0;
}
