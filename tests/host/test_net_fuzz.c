// HOST-TEST-SOURCES: servers/net/clock.c servers/net/core.c servers/net/dhcp.c servers/net/eth.c servers/net/info.c servers/net/ipv4.c servers/net/ring.c servers/net/sock.c servers/net/sockopt.c servers/net/tcp.c servers/net/tcp_ack.c servers/net/tcp_in.c servers/net/tcp_out.c servers/net/tcp_timer.c servers/net/udp.c tests/host/net_sim.c
/*
 * A seeded fuzzer for the network stack (servers/net): frames recorded from a real session
 * (ARP, ICMP, UDP, TCP handshakes, data, FINs) are mutated (bytes flipped, cut short,
 * lengthened, checksums repaired half of the time so the damage reaches the upper layers),
 * and TCP segments with random flags, options, sequence and acknowledgment numbers are aimed
 * at live connections and a listener. Tens of thousands of them go into a stack that also
 * keeps its own connections running: no crash, no sanitizer report, and afterwards the stack
 * still carries a clean transfer and gives every socket and buffer back.
 * NET_FUZZ_FRAMES=N and NET_FUZZ_SEED=S in the environment change the run.
 */
#define _POSIX_C_SOURCE 200809L
#include "tests/host/harness.h"
#include "tests/host/net_sim.h"
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORPUS_MAX 3000

struct corpus {
	int n, arp;             /* arp: a genuine ARP frame of side 0, or -1 */
	uint16_t len[CORPUS_MAX];
	uint8_t f[CORPUS_MAX][1514];
};
static struct corpus corp;

static void record(void *ctx, int from, const uint8_t *f, size_t len)
{
	struct corpus *c = ctx;
	if (c->n < CORPUS_MAX && len <= 1514) {
		if (from == 0 && f[12] == 8 && f[13] == 6)
			c->arp = c->n;
		memcpy(c->f[c->n], f, len);
		c->len[c->n++] = (uint16_t)len;
	}
}

static void fill_corpus(void)
{
	static struct sim s;
	int c, v, p, u;
	uint8_t req[40] = { 8 };
	size_t n;

	corp.arp = -1;
	sim_init(&s, 77, NULL, 0, 0);
	s.tap = record;
	s.tap_ctx = &corp;
	s.loss_pct = 3;
	s.jitter_ms = 5;
	s.reorder_pct = 10;
	if (sim_connect(&s, 80, &c, &v, NULL))
		sim_transfer(&s, (int[]){ c, v }, 300000, 200000, 60000);
	net_socket(s.n[0], NET_SOCK_PING, &p);
	net_send(s.n[0], p, req, sizeof(req), 0, &(struct net_addr){ NET_IP(10, 0, 2, 2), 0 }, &n);
	net_socket(s.n[0], NET_SOCK_DGRAM, &u);
	net_send(s.n[0], u, "dns?", 4, 0, &(struct net_addr){ NET_IP(10, 0, 2, 2), 53 }, &n);
	sim_idle(&s, 3000);
	sim_free(&s);
}

static void be16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static uint16_t csum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Make the IP and transport checksums right again, where the lengths allow. */
static void fix_checksums(uint8_t *f, size_t len)
{
	uint8_t *ip = f + 14, *l4;
	size_t hl, tot;
	uint32_t sum;

	if (len < 34 || f[12] != 8 || f[13] != 0 || (hl = (size_t)(ip[0] & 15) * 4) < 20 || 14 + hl > len)
		return;
	be16(ip + 10, 0);
	be16(ip + 10, csum(0, ip, hl));
	tot = (size_t)(ip[2] << 8 | ip[3]);
	if (tot < hl || 14 + tot > len)
		return;
	l4 = ip + hl;
	sum = (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) +
	      (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]) + ip[9] + (uint32_t)(tot - hl);
	if (ip[9] == 6 && tot - hl >= 20) {
		be16(l4 + 16, 0);
		be16(l4 + 16, csum(sum, l4, tot - hl));
	} else if (ip[9] == 17 && tot - hl >= 8) {
		be16(l4 + 6, 0);
		be16(l4 + 6, csum(sum, l4, tot - hl));
	} else if (ip[9] == 1 && tot - hl >= 4) {
		be16(l4 + 2, 0);
		be16(l4 + 2, csum(0, l4, tot - hl));
	}
}

static size_t mutate(uint64_t *r, uint8_t *f)
{
	int k = (int)(sim_rand(r) % (uint64_t)corp.n);
	size_t len = corp.len[k];
	int flips = (int)(sim_rand(r) % 8);

	memcpy(f, corp.f[k], len);
	for (int i = 0; i < flips; i++) {
		size_t at = sim_rand(r) % 100 < 70 ? 14 + sim_rand(r) % 60 : sim_rand(r) % len;
		if (at < len)
			f[at] = (uint8_t)sim_rand(r);
	}
	switch (sim_rand(r) % 6) {
	case 0:
		len = sim_rand(r) % (len + 1);          /* cut short */
		break;
	case 1:
		for (size_t add = sim_rand(r) % 64; add && len < 1514; add--)
			f[len++] = (uint8_t)sim_rand(r);
		break;
	}
	if (sim_rand(r) % 2)
		fix_checksums(f, len);
	return len;
}

/* A TCP segment for a live connection (or the listener), with random everything. */
static size_t aimed(struct sim *s, uint64_t *r, uint8_t *f, const struct tcb *t, uint16_t sport,
		    uint16_t dport)
{
	static const uint32_t spread[] = { 0, 1, 100, 65535, 1u << 20, 1u << 31 };
	uint8_t data[64];
	uint32_t seq = t->rcv_nxt + (uint32_t)(sim_rand(r) % 3 - 1) * spread[sim_rand(r) % 6];
	uint32_t ack = t->snd_una + (uint32_t)(sim_rand(r) % 3 - 1) * spread[sim_rand(r) % 6];
	size_t len = sim_rand(r) % 4 ? 0 : sim_rand(r) % sizeof(data), n;

	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)sim_rand(r);
	n = sim_craft_tcp(s, 1, f, NET_IP(10, 0, 2, 15), NET_IP(10, 0, 2, 2), sport, dport, seq, ack,
			  (uint8_t)sim_rand(r), (uint16_t)sim_rand(r), data, len);
	if (sim_rand(r) % 4 == 0) {     /* options: random bytes in a longer header */
		uint8_t *tcp = f + 34;
		size_t olen = 4 * (1 + sim_rand(r) % 10);
		memmove(tcp + 20 + olen, tcp + 20, len);
		for (size_t i = 0; i < olen; i++)
			tcp[20 + i] = sim_rand(r) % 3 ? (uint8_t)(sim_rand(r) % 5) : (uint8_t)sim_rand(r);
		tcp[12] = (uint8_t)((20 + olen) / 4 << 4);
		be16(f + 16, (uint32_t)(40 + olen + len));
		n += olen;
		fix_checksums(f, n);
	}
	return n;
}

TEST(net_fuzz_malformed_frames)
{
	static struct sim s;
	static uint8_t f[1600];
	struct net_config cfg = { .max_sockets = 64, .tcp_retries = 6 };
	const char *e = getenv("NET_FUZZ_FRAMES"), *es = getenv("NET_FUZZ_SEED");
	long frames = e ? atol(e) : 200000;
	uint64_t r = es ? (uint64_t)atoll(es) : 12345;
	struct net_stats st;
	struct net_addr ca;
	int c, v, l, u, p, reconnects = 0;
	uint16_t port = 1000;

	fill_corpus();
	REQUIRE(corp.n > 100 && corp.arp >= 0);
	sim_init(&s, 78, &cfg, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, &l));
	net_getsockname(s.n[0], c, &ca);
	u = -1;
	net_socket(s.n[1], NET_SOCK_DGRAM, &u);
	net_bind(s.n[1], u, &(struct net_addr){ 0, 53 });
	net_socket(s.n[1], NET_SOCK_PING, &p);
	for (long i = 0; i < frames; i++) {
		size_t n;
		struct sock *k = &s.n[1]->socks[v & 0xffff];
		enum net_tcp_state ts = NET_TCP_CLOSED;
		if (net_tcp_state(s.n[1], v, &ts) < 0 || ts != NET_TCP_ESTABLISHED) {
			/* the fuzzer killed it (an exact RST, say): a new one to aim at */
			net_close(s.n[0], c);
			net_close(s.n[1], v);
			s.drop_in[0] = s.drop_in[1] = -1;
			REQUIRE(sim_connect(&s, port++, &c, &v, NULL));
			net_getsockname(s.n[0], c, &ca);
			reconnects++;
			continue;
		}
		if (i % 3 == 0)
			n = aimed(&s, &r, f, &k->tcb, i % 6 ? ca.port : (uint16_t)sim_rand(&r),
				  i % 5 ? (uint16_t)(port - 1 < 1000 ? 80 : port - 1) : (uint16_t)(sim_rand(&r) % 100));
		else
			n = mutate(&r, f);
		sim_inject(&s, 1, f, n);
		/* ARP has no authentication: a damaged sender MAC poisons the cache for a minute.
		   The real host announces itself again, so the connections can go on. */
		if (n >= 14 && f[12] == 8 && f[13] == 6)
			sim_inject(&s, 1, corp.f[corp.arp], corp.len[corp.arp]);
		if (i % 50 == 0) {
			size_t got;
			uint8_t buf[256];
			net_send(s.n[0], c, "data", 4, 0, NULL, &got);
			net_recv(s.n[1], v, buf, sizeof(buf), 0, NULL, &got, NULL);
			while (net_accept(s.n[1], l, &u, NULL) == 0)
				net_close(s.n[1], u);
			sim_step(&s, s.now + 20);
		}
	}
	net_get_stats(s.n[1], &st);
	printf("  %d connections reset or broken by the fuzzer and replaced\n", reconnects);
	printf("  %ld frames: %llu bad, %llu bad TCP checksums, %llu out of window, %llu challenge ACKs, "
	       "%llu resets sent\n", frames, (unsigned long long)st.rx_bad,
	       (unsigned long long)st.tcp_bad_csum, (unsigned long long)st.tcp_out_of_window,
	       (unsigned long long)st.tcp_challenge_acks, (unsigned long long)st.tcp_rst_out);
	CHECK(st.rx_bad > (uint64_t)frames / 10);
	/* the stack still works */
	sim_idle(&s, 5000);
	net_close(s.n[0], c);
	if (net_sock_poll(s.n[1], v, &(uint32_t){ 0 }) == 0)
		net_close(s.n[1], v);
	net_close(s.n[1], l);
	sim_idle(&s, 120000);
	{
		int c2, v2;
		REQUIRE(sim_connect(&s, 81, &c2, &v2, NULL));
		CHECK(sim_transfer(&s, (int[]){ c2, v2 }, 1 << 20, 1 << 20, 60000));
		net_close(s.n[0], c2);
		net_close(s.n[1], v2);
	}
	net_close(s.n[1], p);
	while (net_accept(s.n[1], l, &u, NULL) == 0)
		net_close(s.n[1], u);
	sim_idle(&s, 600000);   /* connections the fuzzer desynchronized time out */
	net_get_stats(s.n[0], &st);
	CHECK_EQ(st.sockets_used, 0);
	net_get_stats(s.n[1], &st);
	CHECK_EQ(st.sockets_used, 1);   /* the UDP socket */
	CHECK_EQ(st.mem_used, 65536);
	sim_free(&s);
}

struct xid_tap { uint8_t xid[4]; bool seen; };

static void grab_xid(void *ctx, int from, const uint8_t *f, size_t len)
{
	struct xid_tap *x = ctx;

	if (from == 0 && len > 42 + 240 && f[23] == 17 && f[37] == 67) {
		memcpy(x->xid, f + 42 + 4, 4);
		x->seen = true;
	}
}

/* DHCP replies with the right transaction id, damaged: options with lying lengths, bad
   addresses (loopback, multicast, zero), short messages. The client never crashes, and takes
   a good answer afterwards. */
TEST(net_fuzz_dhcp_replies)
{
	static struct sim s;
	static struct xid_tap x;
	static uint8_t f[1600];
	struct net_ifconfig c = { 0, 0, 0 };
	enum net_dhcp_state ds = NET_DHCP_OFF;
	uint64_t r = 99;
	size_t n;

	sim_init(&s, 79, NULL, 0, 0);
	net_if_config(s.n[0], s.ifid[0], &c);
	s.tap = grab_xid;
	s.tap_ctx = &x;
	REQUIRE(net_dhcp_start(s.n[0], s.ifid[0]) == 0);
	REQUIRE(x.seen);
	for (int i = 0; i < 50000; i++) {
		static const uint32_t addrs[] = { 0, NET_IP(127, 0, 0, 1), NET_IP(224, 0, 0, 1),
						  NET_IP(10, 0, 2, 15), 0xffffffff, 0x0a000200 };
		n = sim_craft_dhcp(&s, 0, f, x.xid, (uint8_t)(1 + sim_rand(&r) % 7),
				   addrs[sim_rand(&r) % 6], (uint32_t)sim_rand(&r));
		for (int k = (int)(sim_rand(&r) % 6); k > 0; k--)
			f[42 + 240 + sim_rand(&r) % 60] = (uint8_t)sim_rand(&r);
		if (sim_rand(&r) % 4 == 0)
			n = 42 + sim_rand(&r) % (n - 42);
		if (sim_rand(&r) % 3 == 0) {    /* a lying UDP length */
			f[38] = (uint8_t)sim_rand(&r);
			f[39] = (uint8_t)sim_rand(&r);
		}
		sim_inject(&s, 0, f, n);
		if (i % 100 == 0)
			sim_step(&s, s.now + 50);
	}
	/* a clean exchange from whatever state that left */
	c = (struct net_ifconfig){ 0, 0, 0 };
	net_if_config(s.n[0], s.ifid[0], &c);
	x.seen = false;
	REQUIRE(net_dhcp_start(s.n[0], s.ifid[0]) == 0);
	REQUIRE(x.seen);
	sim_inject(&s, 0, f, sim_craft_dhcp(&s, 0, f, x.xid, 2, NET_IP(10, 0, 2, 15), 3600));
	sim_inject(&s, 0, f, sim_craft_dhcp(&s, 0, f, x.xid, 5, NET_IP(10, 0, 2, 15), 3600));
	CHECK_EQ(net_dhcp_state(s.n[0], s.ifid[0], &ds, NULL), 0);
	CHECK_EQ(ds, NET_DHCP_BOUND);
	sim_free(&s);
}
