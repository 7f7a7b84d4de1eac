/*
 * The stack as a whole: creation with its fixed pools, interfaces and their addresses, the
 * clock (net_time runs timers and the loopback queue), the memory budget of socket buffers,
 * randomness and the keyed hash behind initial sequence numbers (RFC 6528), statistics.
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <stdlib.h>
#include <string.h>

static void cfg_defaults(struct net_config *c)
{
#define DEF(f, v) if (!c->f) c->f = (v)
	DEF(max_sockets, 256);
	DEF(mem_limit, 32u << 20);
	DEF(arp_entries, 32);
	DEF(arp_pending, 32);
	DEF(loop_slots, 64);
	DEF(tcp_sndbuf, 65536);
	DEF(tcp_rcvbuf, 65536);
	DEF(udp_rcvbuf, 65536);
	DEF(msl_ms, 30000);
	DEF(rto_min_ms, 200);
	DEF(rto_max_ms, 60000);
	DEF(rto_init_ms, 1000);
	DEF(tcp_retries, 12);
	DEF(syn_retries, 6);
	DEF(keep_idle_ms, 7200000);
	DEF(keep_intvl_ms, 75000);
	DEF(keep_cnt, 9);
	DEF(fin_wait2_ms, 60000);
#undef DEF
}

static void *cfg_alloc(const struct net_config *c, size_t bytes, bool zero)
{
	if (c->alloc)
		return c->alloc(c->mem_ctx, bytes, zero);
	return zero ? calloc(1, bytes) : malloc(bytes);
}

static void cfg_free(const struct net_config *c, void *p, size_t bytes)
{
	if (!p)
		return;
	if (c->free)
		c->free(c->mem_ctx, p, bytes);
	else
		free(p);
}

void *net_alloc(struct net *st, size_t bytes, bool zero)
{
	return cfg_alloc(&st->cfg, bytes, zero);
}

void net_free(struct net *st, void *p, size_t bytes)
{
	cfg_free(&st->cfg, p, bytes);
}

static int alloc_pools(struct net *st)
{
	const struct net_config *c = &st->cfg;

	st->arp = net_alloc(st, c->arp_entries * sizeof(*st->arp), true);
	st->pend = net_alloc(st, c->arp_pending * sizeof(*st->pend), true);
	st->loop = net_alloc(st, c->loop_slots * sizeof(*st->loop), true);
	st->socks = net_alloc(st, c->max_sockets * sizeof(*st->socks), true);
	if (!st->arp || !st->pend || !st->loop || !st->socks)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->arp_pending; i++)
		st->pend[i].entry = -1;
	return 0;
}

/* Writes one byte of every page of [p, p+n) with its own value: the pages become resident. */
static void touch(void *p, size_t n)
{
	volatile uint8_t *b = p;
	for (size_t i = 0; i < n; i += 4096)
		b[i] = b[i];
	if (n)
		b[n - 1] = b[n - 1];
}

void net_touch(struct net *st)
{
	const struct net_config *c = &st->cfg;
	touch(st, sizeof(*st));
	touch(st->arp, c->arp_entries * sizeof(*st->arp));
	touch(st->pend, c->arp_pending * sizeof(*st->pend));
	touch(st->loop, c->loop_slots * sizeof(*st->loop));
	touch(st->socks, c->max_sockets * sizeof(*st->socks));
}

int net_create(const struct net_config *cfg, uint64_t now_ms, struct net **out)
{
	struct net *st;
	int err;

	if (!cfg->random || cfg->max_sockets > 32767 || !cfg->alloc != !cfg->free)
		return -EINVAL;
	st = cfg_alloc(cfg, sizeof(*st), true);
	if (!st)
		return -ENOMEM;
	st->cfg = *cfg;
	cfg_defaults(&st->cfg);
	st->now = now_ms;
	err = alloc_pools(st);
	if (err)
		goto fail;
	st->hash_key[0] = net_rand(st);
	st->hash_key[1] = net_rand(st);
	st->dns = NET_IP(10, 0, 2, 3);
	st->ifs[NET_IF_LOOPBACK] = (struct net_iface){ .used = true, .loop = true, .mtu = NET_LOOP_MTU,
		.cfg = { NET_LOOPBACK, NET_IP(255, 0, 0, 0), 0 } };
	*out = st;
	return 0;
fail:
	net_destroy(st);
	return err;
}

void net_destroy(struct net *st)
{
	if (!st)
		return;
	const struct net_config *c = &st->cfg;
	for (uint32_t i = 0; st->socks && i < c->max_sockets; i++) {
		net_free(st, st->socks[i].snd.buf, st->socks[i].snd.size);
		net_free(st, st->socks[i].rcv.buf, st->socks[i].rcv.size);
	}
	net_free(st, st->arp, c->arp_entries * sizeof(*st->arp));
	net_free(st, st->pend, c->arp_pending * sizeof(*st->pend));
	net_free(st, st->loop, c->loop_slots * sizeof(*st->loop));
	net_free(st, st->socks, c->max_sockets * sizeof(*st->socks));
	struct net_config keep = *c;
	cfg_free(&keep, st, sizeof(*st));
}

void net_rebind(struct net *st, const struct net_config *cfg)
{
	st->cfg.random = cfg->random;
	st->cfg.random_ctx = cfg->random_ctx;
	st->cfg.event = cfg->event;
	st->cfg.event_ctx = cfg->event_ctx;
	st->cfg.alloc = cfg->alloc;
	st->cfg.free = cfg->free;
	st->cfg.mem_ctx = cfg->mem_ctx;
}

int net_if_rebind(struct net *st, int ifid, const struct net_if_ops *ops, void *ctx)
{
	if (ifid <= 0 || ifid >= NET_MAX_IFS || !st->ifs[ifid].used || !ops || !ops->send)
		return -ENODEV;
	st->ifs[ifid].ops = *ops;
	st->ifs[ifid].ctx = ctx;
	return 0;
}

int net_if_add(struct net *st, const struct net_if_ops *ops, void *ctx, const uint8_t mac[6],
	       uint32_t mtu, int *ifid)
{
	if (!ops || !ops->send || mtu < 576 || mtu > NET_ETH_MTU_MAX || (mac[0] & 1))
		return -EINVAL;
	for (int i = 1; i < NET_MAX_IFS; i++) {
		struct net_iface *f = &st->ifs[i];
		if (f->used)
			continue;
		*f = (struct net_iface){ .used = true, .ops = *ops, .ctx = ctx, .mtu = mtu };
		memcpy(f->mac, mac, 6);
		*ifid = i;
		return 0;
	}
	return -ENOBUFS;
}

void net_ifconfig_qemu(struct net_ifconfig *c)
{
	c->addr = NET_IP(10, 0, 2, 15);
	c->netmask = NET_IP(255, 255, 255, 0);
	c->gateway = NET_IP(10, 0, 2, 2);
}

static bool mask_ok(uint32_t m)
{
	return (~m & (~m + 1)) == 0;    /* ones, then zeros */
}

int net_if_config(struct net *st, int ifid, const struct net_ifconfig *c)
{
	int err = net_if_apply(st, ifid, c);

	if (!err)
		st->dhcp[ifid].state = NET_DHCP_OFF;
	return err;
}

int net_if_apply(struct net *st, int ifid, const struct net_ifconfig *c)
{
	if (ifid <= 0 || ifid >= NET_MAX_IFS || !st->ifs[ifid].used)
		return -ENODEV;
	if (!mask_ok(c->netmask) || (c->addr >> 24) == 127 || (c->addr >> 24) >= 224)
		return -EINVAL;
	if (c->gateway && (c->gateway & c->netmask) != (c->addr & c->netmask))
		return -EINVAL;
	st->ifs[ifid].cfg = *c;
	arp_flush_if(st, ifid);
	return 0;
}

int net_if_get(struct net *st, int ifid, struct net_ifconfig *c, uint32_t *mtu, uint8_t mac[6])
{
	if (ifid < 0 || ifid >= NET_MAX_IFS || !st->ifs[ifid].used)
		return -ENODEV;
	*c = st->ifs[ifid].cfg;
	*mtu = st->ifs[ifid].mtu;
	memcpy(mac, st->ifs[ifid].mac, 6);
	return 0;
}

int net_set_dns(struct net *st, uint32_t dns)
{
	st->dns = dns;
	return 0;
}

uint32_t net_get_dns(const struct net *st)
{
	return st->dns;
}

void net_input(struct net *st, int ifid, const void *frame, size_t len)
{
	st->st.rx_frames++;
	if (ifid <= 0 || ifid >= NET_MAX_IFS || !st->ifs[ifid].used || !frame) {
		st->st.rx_bad++;
		return;
	}
	eth_input(st, ifid, frame, len);
	net_after_event(st);
}

bool net_mem_get(struct net *st, uint32_t bytes)
{
	if (st->st.mem_used + bytes > st->cfg.mem_limit) {
		st->st.nobufs++;
		return false;
	}
	st->st.mem_used += bytes;
	return true;
}

void net_mem_put(struct net *st, uint32_t bytes)
{
	st->st.mem_used -= bytes;
}

void net_get_stats(const struct net *st, struct net_stats *s)
{
	*s = st->st;
	s->sockets_used = s->arp_entries_used = s->arp_pending_used = 0;
	for (uint32_t i = 0; i < st->cfg.max_sockets; i++)
		s->sockets_used += st->socks[i].used;
	for (uint32_t i = 0; i < st->cfg.arp_entries; i++)
		s->arp_entries_used += st->arp[i].state != ARP_FREE;
	for (uint32_t i = 0; i < st->cfg.arp_pending; i++)
		s->arp_pending_used += st->pend[i].entry >= 0;
	s->loop_used = st->loop_len;
}
