/*
 * NET_INFO (abi/netproto.h): the interfaces, TCP and UDP sockets and the ARP cache copied into
 * the request's data ICA as records, for the kernel's /proc/net files and interface ioctls.
 * A table longer than the ICA holds is read in pages: the answer says where to go on. The
 * records come from the stack (servers/net/info.c) and, for the NIC, the driver's and the
 * fault switch's counts; everything lives in the state a replacement takes over, so the
 * counters go on across a live replacement.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "abi/netproto.h"
#include "servers/net/server.h"
#include "srv.h"

/* Linux's TCP state numbers (include/net/tcp_states.h) for enum net_tcp_state. */
static uint8_t linux_state(uint8_t s)
{
	static const uint8_t map[] = {
		[NET_TCP_CLOSED] = 7, [NET_TCP_LISTEN] = 10, [NET_TCP_SYN_SENT] = 2,
		[NET_TCP_SYN_RCVD] = 3, [NET_TCP_ESTABLISHED] = 1, [NET_TCP_FIN_WAIT_1] = 4,
		[NET_TCP_FIN_WAIT_2] = 5, [NET_TCP_CLOSE_WAIT] = 8, [NET_TCP_CLOSING] = 11,
		[NET_TCP_LAST_ACK] = 9, [NET_TCP_TIME_WAIT] = 6,
	};
	return s < sizeof(map) ? map[s] : 7;
}

static void if_name(int ifid, char name[16])
{
	if (ifid == NET_IF_LOOPBACK)
		strcpy(name, "lo");
	else
		snprintf(name, 16, "eth%d", ifid - 1);
}

/* Interface ifid's record: false when there is none. */
static bool if_record(struct nsrv *s, int ifid, struct t_net_ifinfo *r)
{
	struct net_ifconfig c;
	struct net_if_counters n;
	uint32_t mtu;
	memset(r, 0, sizeof(*r));
	if (net_if_get(s->st, ifid, &c, &mtu, r->mac) || net_if_counters(s->st, ifid, &n))
		return false;
	if_name(ifid, r->name);
	r->index = (uint32_t)ifid + 1;
	r->addr = c.addr;
	r->netmask = c.netmask;
	r->gateway = c.gateway;
	r->mtu = mtu;
	if (ifid == NET_IF_LOOPBACK) {
		r->flags = TNET_IFF_UP | TNET_IFF_LOOPBACK | TNET_IFF_RUNNING;
	} else {
		bool nic = s->have_nic && ifid == s->ifid;
		r->flags = TNET_IFF_UP | TNET_IFF_BROADCAST | TNET_IFF_MULTICAST |
			   (!nic || vnet_link_up(&s->nic) ? TNET_IFF_RUNNING : 0);
		if (nic) {                /* what never reached the stack */
			n.tx_queue = s->nic.ntx;
			n.rx_errs += s->nic.stats.rx_bad;
			n.rx_drop += s->rx_fault.dropped;
			n.tx_drop += s->tx_fault.dropped;
		}
	}
	r->rx_bytes = n.rx_bytes, r->rx_packets = n.rx_packets, r->rx_errs = n.rx_errs;
	r->rx_drop = n.rx_drop, r->rx_multicast = n.rx_multicast;
	r->tx_bytes = n.tx_bytes, r->tx_packets = n.tx_packets, r->tx_errs = n.tx_errs;
	r->tx_drop = n.tx_drop;
	r->txqlen = n.tx_queue;
	return true;
}

/* Socket slot idx's record: false when Linux would list nothing there; *end past the table. */
static bool sock_record(struct nsrv *s, uint32_t idx, struct t_net_sockinfo *r, bool *end)
{
	struct net_sock_info i;
	int h, err = net_sock_info(s->st, idx, &h, &i);
	*end = err == -ERANGE;
	if (err || (i.type != NET_SOCK_STREAM && i.type != NET_SOCK_DGRAM))
		return false;
	*r = (struct t_net_sockinfo){ .handle = i.has_handle ? h : -1,
		.type = i.type == NET_SOCK_STREAM ? TNET_STREAM : TNET_DGRAM,
		.state = linux_state(i.state), .timer = i.timer, .laddr = i.local.ip,
		.raddr = i.remote.ip, .lport = i.local.port, .rport = i.remote.port,
		.txq = i.txq, .rxq = i.rxq, .backoff = i.backoff, .rto_ms = i.rto_ms,
		.cwnd = i.cwnd, .ssthresh = i.ssthresh,
		.timer_ms = i.timer_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)i.timer_ms };
	return true;
}

static bool arp_record(struct nsrv *s, uint32_t idx, struct t_net_arpinfo *r, bool *end)
{
	struct net_arp_info a;
	int err = net_arp_info(s->st, idx, &a);
	*end = err == -ERANGE;
	if (err)
		return false;
	memset(r, 0, sizeof(*r));
	r->addr = a.ip;
	memcpy(r->mac, a.mac, 6);
	r->complete = a.complete;
	if_name(a.ifid, r->dev);
	return true;
}

/* One record of table kind at idx into out: 1 written, 0 none there, -1 past the end. */
static int record(struct nsrv *s, uint64_t kind, uint32_t idx, void *out)
{
	bool end = false, got;
	if (kind == TNET_INFO_IF) {
		end = idx >= NET_MAX_IFS;
		got = !end && if_record(s, (int)idx, out);
	} else if (kind == TNET_INFO_SOCK) {
		got = sock_record(s, idx, out, &end);
	} else {
		got = arp_record(s, idx, out, &end);
	}
	return end ? -1 : got;
}

int nsrv_info(struct nsrv *s, struct t_msg *m)
{
	static const size_t size[] = { sizeof(struct t_net_ifinfo),
		sizeof(struct t_net_sockinfo), sizeof(struct t_net_arpinfo) };
	uint8_t *buf = srv_data(m);
	uint64_t kind = m->arg[0];
	if (kind > TNET_INFO_ARP || m->arg[1] > UINT32_MAX)
		return -EINVAL;
	size_t room = buf ? srv_ica_pages(m->data) * 4096 / size[kind] : 0, n = 0;
	if (!room)
		return -EINVAL;
	uint32_t idx = (uint32_t)m->arg[1];
	int r = 0;
	while (n < room && idx != TNET_INFO_END && (r = record(s, kind, idx, buf + n * size[kind])) >= 0) {
		n += (size_t)r;
		idx++;
	}
	m->arg[0] = n;
	m->arg[1] = r < 0 || idx == TNET_INFO_END ? TNET_INFO_END : idx;
	return 0;
}
