// HOST-TEST-SOURCES: servers/net/clock.c servers/net/core.c servers/net/dhcp.c servers/net/eth.c servers/net/info.c servers/net/ipv4.c servers/net/ring.c servers/net/sock.c servers/net/sockopt.c servers/net/tcp.c servers/net/tcp_ack.c servers/net/tcp_in.c servers/net/tcp_out.c servers/net/tcp_timer.c servers/net/udp.c tests/host/net_sim.c
/*
 * Host tests of TCP's timers and sending rules in the network stack (servers/net):
 * keepalive probes answered and unanswered, a connection and a connect dropped after their
 * retries, RTT estimation on a slow link, the listen backlog, Nagle's rule and TCP_NODELAY.
 */
#define _POSIX_C_SOURCE 200809L
#include "tests/host/harness.h"
#include "tests/host/net_sim.h"
#include "abi/errno.h"
#include <stdio.h>
#include <string.h>

#define GW NET_IP(10, 0, 2, 2)

static struct net_stats stats(struct net *n)
{
	struct net_stats s;
	net_get_stats(n, &s);
	return s;
}

static enum net_tcp_state state_of(struct net *n, int sock)
{
	enum net_tcp_state st = NET_TCP_CLOSED;
	net_tcp_state(n, sock, &st);
	return st;
}

TEST(net_tcp_keepalive)
{
	static struct sim s;
	struct net_config cfg = { .keep_idle_ms = 1000, .keep_intvl_ms = 500, .keep_cnt = 3 };
	int c, v, err = 0;
	uint32_t ev;

	sim_init(&s, 31, &cfg, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	CHECK_EQ(net_setsockopt(s.n[0], c, NET_SO_KEEPALIVE, 1), 0);
	sim_idle(&s, 5500);
	CHECK_EQ(stats(s.n[0]).tcp_keepalives, 5);      /* one a second, each answered */
	CHECK_EQ(stats(s.n[1]).tcp_keepalives, 0);
	CHECK_EQ(state_of(s.n[0], c), NET_TCP_ESTABLISHED);
	s.down = true;                                  /* the peer is gone */
	sim_idle(&s, 1000 + 3 * 500 + 600);
	CHECK_EQ(state_of(s.n[0], c), NET_TCP_CLOSED);
	CHECK_EQ(net_sock_poll(s.n[0], c, &ev), 0);
	CHECK(ev & NET_POLLERR);
	CHECK_EQ(net_getsockopt(s.n[0], c, NET_SO_ERROR, &err), 0);
	CHECK_EQ(err, ETIMEDOUT);
	sim_free(&s);
}

TEST(net_tcp_retransmission_gives_up)
{
	static struct sim s;
	struct net_config cfg = { .tcp_retries = 4, .syn_retries = 2 };
	char buf[16];
	int c, v, x;
	size_t n;

	sim_init(&s, 32, &cfg, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	s.down = true;
	CHECK_EQ(net_send(s.n[0], c, "lost", 4, 0, NULL, &n), 0);
	sim_idle(&s, 200 + 400 + 800 + 1600 + 100);    /* RTO 200 ms, doubled each time */
	CHECK_EQ(state_of(s.n[0], c), NET_TCP_ESTABLISHED);
	CHECK_EQ(stats(s.n[0]).tcp_retransmits, 4);
	sim_idle(&s, 3200);
	CHECK_EQ(state_of(s.n[0], c), NET_TCP_CLOSED);
	CHECK_EQ(net_recv(s.n[0], c, buf, sizeof(buf), 0, NULL, &n, NULL), -ETIMEDOUT);
	CHECK_EQ(stats(s.n[0]).tcp_dropped_conns, 1);
	/* a connect nobody answers */
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &x) == 0);
	CHECK_EQ(net_connect(s.n[0], x, &(struct net_addr){ GW, 80 }), -EINPROGRESS);
	sim_idle(&s, 1000 + 2000 + 3900);
	CHECK_EQ(state_of(s.n[0], x), NET_TCP_SYN_SENT);
	sim_idle(&s, 200);
	CHECK_EQ(state_of(s.n[0], x), NET_TCP_CLOSED);
	CHECK_EQ(net_connect(s.n[0], x, &(struct net_addr){ GW, 80 }), -ETIMEDOUT);
	sim_free(&s);
}

TEST(net_tcp_rtt_estimation_and_window_scaling)
{
	static struct sim s;
	struct net_tcp_info ti;
	struct net_config cfg = { .tcp_sndbuf = 1 << 20, .tcp_rcvbuf = 1 << 20 };
	uint64_t start;
	int c, v;

	sim_init(&s, 33, &cfg, 0, 0);
	s.delay_ms = 150;                               /* 300 ms round trips */
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	start = s.now;
	CHECK(sim_transfer(&s, (int[]){ c, v }, 8 << 20, 0, 120000));
	CHECK_EQ(net_tcp_info(s.n[0], c, &ti), 0);
	printf("  300 ms link, 1 MiB buffers: 8 MiB in %llu ms; srtt %u ms, rto %u ms, cwnd %u, "
	       "window %u\n", (unsigned long long)(s.now - start), ti.srtt_ms, ti.rto_ms, ti.cwnd,
	       ti.snd_wnd);
	CHECK(ti.snd_wnd > 65535);                      /* window scaling at work */
	CHECK(s.now - start < 10000);   /* a 64 KiB window would need 128 round trips, 38 s */
	/* the first sample, the handshake's, waited for ARP too (600 ms); gain 1/8 per sample */
	CHECK(ti.srtt_ms >= 300 && ti.srtt_ms <= 360);
	CHECK(ti.rto_ms >= ti.srtt_ms && ti.rto_ms < 1000);
	CHECK_EQ(stats(s.n[0]).tcp_timeouts, 0);
	sim_free(&s);
}

TEST(net_tcp_listen_backlog)
{
	static struct sim s;
	int l, c[5], v, accepted = 0;

	sim_init(&s, 34, NULL, 0, 0);
	REQUIRE(net_socket(s.n[1], NET_SOCK_STREAM, &l) == 0);
	CHECK_EQ(net_bind(s.n[1], l, &(struct net_addr){ 0, 80 }), 0);
	CHECK_EQ(net_listen(s.n[1], l, 2), 0);
	{       /* resolve the address first: ARP holds only 4 frames for one address */
		int u;
		size_t n;
		REQUIRE(net_socket(s.n[0], NET_SOCK_DGRAM, &u) == 0);
		net_send(s.n[0], u, "x", 1, 0, &(struct net_addr){ GW, 9 }, &n);
		sim_idle(&s, 50);
		net_close(s.n[0], u);
	}
	for (int i = 0; i < 5; i++) {
		REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &c[i]) == 0);
		net_connect(s.n[0], c[i], &(struct net_addr){ GW, 80 });
	}
	sim_idle(&s, 300);
	CHECK_EQ(stats(s.n[1]).sockets_used, 3);        /* the listener and 2 waiting */
	CHECK_EQ(stats(s.n[1]).tcp_backlog_drops, 3);
	for (int round = 0; round < 100 && accepted < 5; round++) {
		while (net_accept(s.n[1], l, &v, NULL) == 0)
			accepted++;
		sim_idle(&s, 100);
	}
	CHECK_EQ(accepted, 5);                          /* the others got in on their retries */
	for (int i = 0; i < 5; i++)
		CHECK_EQ(state_of(s.n[0], c[i]), NET_TCP_ESTABLISHED);
	sim_free(&s);
}

struct segcount { int data[2]; };

static void count_data(void *ctx, int from, const uint8_t *f, size_t len)
{
	struct segcount *sc = ctx;
	size_t ihl, tot, doff;

	if (len < 54 || f[12] != 8 || f[13] != 0 || f[23] != 6)
		return;
	ihl = (size_t)(f[14] & 15) * 4;
	tot = (size_t)(f[16] << 8 | f[17]);
	doff = (size_t)(f[14 + ihl + 12] >> 4) * 4;
	if (tot > ihl + doff)
		sc->data[from]++;
}

TEST(net_tcp_nagle_and_nodelay)
{
	static struct sim s;
	struct segcount sc = { { 0, 0 } };
	char buf[64];
	int c, v;
	size_t n, got = 0;

	sim_init(&s, 35, NULL, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	s.tap = count_data;
	s.tap_ctx = &sc;
	for (int i = 0; i < 10; i++)            /* ten small writes, no ACK in between */
		CHECK_EQ(net_send(s.n[0], c, "x", 1, 0, NULL, &n), 0);
	sim_idle(&s, 100);
	CHECK_EQ(sc.data[0], 2);                /* the first alone, the rest once it is acked */
	while (net_recv(s.n[1], v, buf, sizeof(buf), 0, NULL, &n, NULL) == 0 && n)
		got += n;
	CHECK_EQ(got, 10);
	CHECK_EQ(net_setsockopt(s.n[0], c, NET_TCP_NODELAY, 1), 0);
	sc.data[0] = 0;
	for (int i = 0; i < 10; i++)
		CHECK_EQ(net_send(s.n[0], c, "x", 1, 0, NULL, &n), 0);
	sim_idle(&s, 100);
	CHECK_EQ(sc.data[0], 10);
	sim_free(&s);
}

struct fincount { int fin[2], rst[2]; };

static void count_fin(void *ctx, int from, const uint8_t *f, size_t len)
{
	struct fincount *fc = ctx;
	size_t ihl;

	if (len < 54 || f[12] != 8 || f[13] != 0 || f[23] != 6)
		return;
	ihl = (size_t)(f[14] & 15) * 4;
	fc->fin[from] += !!(f[14 + ihl + 13] & 0x01);
	fc->rst[from] += !!(f[14 + ihl + 13] & 0x04);
}

/* On a clean link a close sends one FIN each way and nothing after the last ACK. */
TEST(net_tcp_one_fin_each_way)
{
	static struct sim s;
	struct fincount fc = { { 0, 0 }, { 0, 0 } };
	uint64_t sent;
	int c, v;

	sim_init(&s, 36, NULL, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	s.tap = count_fin;
	s.tap_ctx = &fc;
	CHECK(sim_transfer(&s, (int[]){ c, v }, 100000, 0, 10000));     /* both shut down */
	sim_idle(&s, 100);
	sent = s.sent[0] + s.sent[1];
	sim_idle(&s, 5000);
	CHECK_EQ(fc.fin[0], 1);
	CHECK_EQ(fc.fin[1], 1);
	CHECK_EQ(fc.rst[0] + fc.rst[1], 0);
	CHECK_EQ(s.sent[0] + s.sent[1], sent);
	CHECK_EQ(stats(s.n[0]).tcp_retransmits + stats(s.n[1]).tcp_retransmits, 0);
	sim_free(&s);
}

/* Shut down in SYN_RCVD (simultaneous open): the FIN follows once the handshake is done. */
TEST(net_tcp_shutdown_in_syn_rcvd)
{
	static struct sim s;
	struct fincount fc = { { 0, 0 }, { 0, 0 } };
	int a, b, steps = 0;
	char buf[8];
	size_t n;

	sim_init(&s, 37, NULL, 0, 0);
	s.tap = count_fin;
	s.tap_ctx = &fc;
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &a) == 0 && net_socket(s.n[1], NET_SOCK_STREAM, &b) == 0);
	net_bind(s.n[0], a, &(struct net_addr){ 0, 7000 });
	net_bind(s.n[1], b, &(struct net_addr){ 0, 7001 });
	net_connect(s.n[0], a, &(struct net_addr){ GW, 7001 });
	net_connect(s.n[1], b, &(struct net_addr){ NET_IP(10, 0, 2, 15), 7000 });
	while (state_of(s.n[0], a) != NET_TCP_SYN_RCVD && steps++ < 100)
		sim_step(&s, s.now + 1000);
	REQUIRE(state_of(s.n[0], a) == NET_TCP_SYN_RCVD);
	CHECK_EQ(net_shutdown(s.n[0], a, NET_SHUT_WR), 0);
	sim_idle(&s, 200);
	CHECK_EQ(state_of(s.n[0], a), NET_TCP_FIN_WAIT_2);
	CHECK_EQ(state_of(s.n[1], b), NET_TCP_CLOSE_WAIT);
	CHECK_EQ(net_recv(s.n[1], b, buf, sizeof(buf), 0, NULL, &n, NULL), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(fc.fin[0], 1);
	sim_free(&s);
}

/* A SYN with a higher sequence number ends TIME_WAIT early: the same 4-tuple reconnects. */
TEST(net_tcp_syn_reopens_time_wait)
{
	static struct sim s;
	struct net_addr ca;
	enum net_tcp_state st;
	int c, v, l, c2, v2;

	sim_init(&s, 38, &(struct net_config){ .msl_ms = 30000 }, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, &l));
	net_getsockname(s.n[0], c, &ca);
	net_close(s.n[1], v);                   /* the server closes first: its TIME_WAIT */
	sim_idle(&s, 50);
	net_close(s.n[0], c);
	sim_idle(&s, 1000);
	CHECK_EQ(stats(s.n[1]).sockets_used, 2);        /* listener and TIME_WAIT */
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &c2) == 0);
	CHECK_EQ(net_bind(s.n[0], c2, &ca), 0);
	CHECK_EQ(net_connect(s.n[0], c2, &(struct net_addr){ GW, 80 }), -EINPROGRESS);
	sim_idle(&s, 100);
	CHECK_EQ(net_tcp_state(s.n[0], c2, &st), 0);
	CHECK_EQ(st, NET_TCP_ESTABLISHED);
	CHECK_EQ(net_accept(s.n[1], l, &v2, NULL), 0);
	CHECK_EQ(stats(s.n[1]).sockets_used, 2);        /* listener and the new connection */
	sim_free(&s);
}

/* SYNs from forged addresses (nobody answers the SYN-ACKs) fill a listener's queue. Once their
   SYN-ACKs have been retransmitted they give way to new SYNs, so a real client gets in a
   second after the flood instead of minutes; a connection that completed is never given up. */
TEST(net_tcp_syn_flood_gives_way)
{
	static struct sim s;
	uint8_t f[128];
	int l, c, v;
	size_t n;

	sim_init(&s, 35, NULL, 0, 0);
	REQUIRE(net_socket(s.n[1], NET_SOCK_STREAM, &l) == 0);
	CHECK_EQ(net_bind(s.n[1], l, &(struct net_addr){ 0, 80 }), 0);
	CHECK_EQ(net_listen(s.n[1], l, 2), 0);
	for (int i = 0; i < 6; i++) {
		n = sim_craft_tcp(&s, 1, f, NET_IP(10, 0, 2, 99), GW, (uint16_t)(40000 + i), 80,
				  1000u * (uint32_t)i, 0, 0x02, 65535, NULL, 0);
		sim_inject(&s, 1, f, n);
	}
	sim_idle(&s, 100);
	CHECK_EQ(stats(s.n[1]).sockets_used, 3);        /* the listener and 2 half-open */
	CHECK_EQ(stats(s.n[1]).tcp_backlog_drops, 4);
	CHECK_EQ(stats(s.n[1]).tcp_half_open_evicted, 0);
	sim_idle(&s, 1500);                             /* one SYN-ACK retransmission: kept */
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &c) == 0);
	CHECK_EQ(net_connect(s.n[0], c, &(struct net_addr){ GW, 80 }), -EINPROGRESS);
	sim_idle(&s, 300);
	CHECK_EQ(net_accept(s.n[1], l, &v, NULL), -EAGAIN);
	CHECK_EQ(stats(s.n[1]).tcp_half_open_evicted, 0);
	net_close(s.n[0], c);
	sim_idle(&s, 2500);                             /* a second one: now they are stale */
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &c) == 0);
	CHECK_EQ(net_connect(s.n[0], c, &(struct net_addr){ GW, 80 }), -EINPROGRESS);
	sim_idle(&s, 300);
	CHECK_EQ(net_accept(s.n[1], l, &v, NULL), 0);   /* in at its first SYN */
	CHECK_EQ(stats(s.n[1]).tcp_half_open_evicted, 1);
	CHECK(stats(s.n[1]).tcp_backlog_drops >= 5);   /* and the refused client's SYN */
	net_close(s.n[0], c);
	net_close(s.n[1], v);
	net_close(s.n[1], l);
	sim_idle(&s, 200000);                           /* the last half-open one times out */
	CHECK_EQ(stats(s.n[1]).sockets_used, 0);
	sim_free(&s);
}
