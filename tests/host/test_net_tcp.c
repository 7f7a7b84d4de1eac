// HOST-TEST-SOURCES: servers/net/clock.c servers/net/core.c servers/net/dhcp.c servers/net/eth.c servers/net/info.c servers/net/ipv4.c servers/net/ring.c servers/net/sock.c servers/net/sockopt.c servers/net/tcp.c servers/net/tcp_ack.c servers/net/tcp_in.c servers/net/tcp_out.c servers/net/tcp_timer.c servers/net/udp.c tests/host/net_sim.c
/*
 * Host tests of TCP in the network stack (servers/net) over the simulated link
 * (tests/host/net_sim.c): handshake, bulk transfers both ways checked byte by byte on a clean
 * and on a lossy, duplicating, reordering link, simultaneous open and close, TIME_WAIT, resets,
 * zero windows and their probes, fast retransmit, MSS clamping, keepalive, and 200
 * connections at once with every pool back to zero afterwards.
 */
#define _POSIX_C_SOURCE 200809L
#include "tests/host/harness.h"
#include "tests/host/net_sim.h"
#include "servers/net/net_int.h"    /* white box: sequence numbers, timers */
#include "abi/errno.h"
#include <stdio.h>
#include <string.h>

static uint32_t used_socks(struct net *n)
{
	struct net_stats st;
	net_get_stats(n, &st);
	return st.sockets_used;
}

TEST(net_tcp_handshake_and_small_transfer)
{
	static struct sim s;
	int c, v;
	enum net_tcp_state state;
	struct net_addr a;

	sim_init(&s, 1, NULL, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	CHECK_EQ(net_tcp_state(s.n[0], c, &state), 0);
	CHECK_EQ(state, NET_TCP_ESTABLISHED);
	CHECK_EQ(net_getpeername(s.n[1], v, &a), 0);
	CHECK_EQ(a.ip, NET_IP(10, 0, 2, 15));
	CHECK_EQ(net_getsockname(s.n[0], c, &a), 0);
	CHECK_EQ(a.ip, NET_IP(10, 0, 2, 15));
	CHECK(a.port >= 49152);
	CHECK(sim_transfer(&s, (int[]){ c, v }, 1000, 3000, 10000));
	net_close(s.n[0], c);
	net_close(s.n[1], v);
	sim_idle(&s, 2000);
	CHECK_EQ(used_socks(s.n[0]), 0);
	CHECK_EQ(used_socks(s.n[1]), 0);
	sim_free(&s);
}

static void bulk(uint64_t seed, uint32_t loss, uint32_t dup, uint32_t reorder, uint64_t bytes)
{
	static struct sim s;
	struct net_stats st0, st1;
	struct net_tcp_info ti;
	int c, v;

	sim_init(&s, seed, NULL, 0, 0);
	REQUIRE(sim_connect(&s, 5001, &c, &v, NULL));
	s.loss_pct = loss;
	s.dup_pct = dup;
	s.reorder_pct = reorder;
	s.jitter_ms = reorder ? 8 : 0;
	CHECK(sim_transfer(&s, (int[]){ c, v }, bytes, bytes, 3600ull * 1000));
	net_get_stats(s.n[0], &st0);
	net_get_stats(s.n[1], &st1);
	CHECK_EQ(net_tcp_info(s.n[0], c, &ti), 0);
	printf("  loss %u%% dup %u%% reorder %u%%: %llu MiB each way in %llu simulated ms; "
	       "retransmits %llu+%llu (fast %llu+%llu, timeouts %llu+%llu), ooo %llu+%llu, "
	       "frames lost %llu duplicated %llu; rto %u srtt %u\n",
	       loss, dup, reorder, (unsigned long long)(bytes >> 20),
	       (unsigned long long)s.now, (unsigned long long)st0.tcp_retransmits,
	       (unsigned long long)st1.tcp_retransmits, (unsigned long long)st0.tcp_fast_retransmits,
	       (unsigned long long)st1.tcp_fast_retransmits, (unsigned long long)st0.tcp_timeouts,
	       (unsigned long long)st1.tcp_timeouts, (unsigned long long)st0.tcp_ooo_segments,
	       (unsigned long long)st1.tcp_ooo_segments, (unsigned long long)s.lost,
	       (unsigned long long)s.duped, ti.rto_ms, ti.srtt_ms);
	if (loss)
		CHECK(st0.tcp_retransmits > 0 && st1.tcp_retransmits > 0);
	else if (!dup && !reorder)
		CHECK_EQ(st0.tcp_retransmits + st1.tcp_retransmits, 0);
	net_close(s.n[0], c);
	net_close(s.n[1], v);
	s.loss_pct = 0;
	sim_idle(&s, 5000);
	CHECK_EQ(used_socks(s.n[0]), 0);
	CHECK_EQ(used_socks(s.n[1]), 0);
	net_get_stats(s.n[0], &st0);
	CHECK_EQ(st0.mem_used, 0);
	sim_free(&s);
}

TEST(net_tcp_10mib_both_ways_clean)
{
	bulk(2, 0, 0, 0, 10u << 20);
}

TEST(net_tcp_10mib_both_ways_lossy)
{
	bulk(3, 7, 3, 10, 10u << 20);
}

TEST(net_tcp_10mib_both_ways_heavy_loss)
{
	bulk(4, 10, 5, 20, 10u << 20);
}

static enum net_tcp_state state_of(struct net *n, int sock)
{
	enum net_tcp_state st = NET_TCP_CLOSED;
	net_tcp_state(n, sock, &st);
	return st;
}

static struct tcb *tcb_of(struct net *n, int sock)
{
	return &n->socks[sock & 0xffff].tcb;
}

struct both { int a, b; enum net_tcp_state sa, sb; bool saw_closing[2]; };

static bool both_in(struct sim *s, void *ctx)
{
	struct both *w = ctx;
	enum net_tcp_state a = state_of(s->n[0], w->a), b = state_of(s->n[1], w->b);

	w->saw_closing[0] |= a == NET_TCP_CLOSING;
	w->saw_closing[1] |= b == NET_TCP_CLOSING;
	return a == w->sa && b == w->sb;
}

TEST(net_tcp_simultaneous_open_and_close)
{
	static struct sim s;
	struct both w;
	int a, b;

	sim_init(&s, 5, NULL, 0, 0);
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &a) == 0 && net_socket(s.n[1], NET_SOCK_STREAM, &b) == 0);
	CHECK_EQ(net_bind(s.n[0], a, &(struct net_addr){ 0, 7000 }), 0);
	CHECK_EQ(net_bind(s.n[1], b, &(struct net_addr){ 0, 7001 }), 0);
	CHECK_EQ(net_connect(s.n[0], a, &(struct net_addr){ NET_IP(10, 0, 2, 2), 7001 }), -EINPROGRESS);
	CHECK_EQ(net_connect(s.n[1], b, &(struct net_addr){ NET_IP(10, 0, 2, 15), 7000 }), -EINPROGRESS);
	CHECK_EQ(net_connect(s.n[0], a, &(struct net_addr){ NET_IP(10, 0, 2, 2), 7001 }), -EALREADY);
	w = (struct both){ a, b, NET_TCP_ESTABLISHED, NET_TCP_ESTABLISHED, { 0 } };
	REQUIRE(sim_run(&s, both_in, &w, 100));        /* no timeout needed: each SYN-ACK counts */
	{
		struct net_stats s0, s1;
		net_get_stats(s.n[0], &s0);
		net_get_stats(s.n[1], &s1);
		CHECK_EQ(s0.tcp_timeouts + s1.tcp_timeouts, 0);
	}
	{
		char buf[8] = { 0 };
		size_t n;
		CHECK_EQ(net_send(s.n[0], a, "ab", 2, 0, NULL, &n), 0);
		CHECK_EQ(net_send(s.n[1], b, "cd", 2, 0, NULL, &n), 0);
		sim_idle(&s, 50);
		CHECK_EQ(net_recv(s.n[1], b, buf, 8, 0, NULL, &n, NULL), 0);
		CHECK_STR(buf, "ab");
		CHECK_EQ(net_recv(s.n[0], a, buf, 8, 0, NULL, &n, NULL), 0);
		CHECK_STR(buf, "cd");
	}
	CHECK_EQ(net_connect(s.n[0], a, &(struct net_addr){ NET_IP(10, 0, 2, 2), 7001 }), -EISCONN);
	/* both FINs cross: FIN_WAIT_1 -> CLOSING -> TIME_WAIT on both sides */
	CHECK_EQ(net_shutdown(s.n[0], a, NET_SHUT_WR), 0);
	CHECK_EQ(net_shutdown(s.n[1], b, NET_SHUT_WR), 0);
	w = (struct both){ a, b, NET_TCP_TIME_WAIT, NET_TCP_TIME_WAIT, { 0 } };
	CHECK(sim_run(&s, both_in, &w, 5000));
	CHECK(w.saw_closing[0] && w.saw_closing[1]);
	/* TIME_WAIT lasts 2 MSL (500 ms here), then the held sockets are CLOSED */
	sim_idle(&s, 400);
	CHECK_EQ(state_of(s.n[0], a), NET_TCP_TIME_WAIT);
	sim_idle(&s, 200);
	CHECK_EQ(state_of(s.n[0], a), NET_TCP_CLOSED);
	CHECK_EQ(state_of(s.n[1], b), NET_TCP_CLOSED);
	net_close(s.n[0], a);
	net_close(s.n[1], b);
	CHECK_EQ(used_socks(s.n[0]) + used_socks(s.n[1]), 0);
	sim_free(&s);
}

static bool side1_empty(struct sim *s, void *ctx)
{
	(void)ctx;
	return used_socks(s->n[1]) == 0;
}

TEST(net_tcp_time_wait_reacks_a_lost_final_ack)
{
	static struct sim s;
	struct net_stats st;
	int c, v;

	sim_init(&s, 6, NULL, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	CHECK_EQ(net_close(s.n[0], c), 0);      /* active close: client goes to TIME_WAIT */
	CHECK_EQ(net_send(s.n[0], c, "x", 1, 0, NULL, &(size_t){ 0 }), -EBADF);
	sim_idle(&s, 50);
	CHECK_EQ(state_of(s.n[1], v), NET_TCP_CLOSE_WAIT);
	s.drop_in[0] = 0;                       /* the client's ACK of the server's FIN is lost */
	CHECK_EQ(net_close(s.n[1], v), 0);
	sim_idle(&s, 50);
	CHECK_EQ(used_socks(s.n[1]), 1);        /* LAST_ACK, retransmitting its FIN */
	CHECK(sim_run(&s, side1_empty, NULL, 3000));
	net_get_stats(s.n[1], &st);
	CHECK(st.tcp_retransmits >= 1);
	CHECK_EQ(used_socks(s.n[0]), 1);        /* still in TIME_WAIT (restarted by the FIN) */
	sim_idle(&s, 600);
	CHECK_EQ(used_socks(s.n[0]), 0);
	sim_free(&s);
}

TEST(net_tcp_refused_and_reset)
{
	static struct sim s;
	struct net_stats st;
	uint32_t ev = 0;
	int c, v, err = 0;
	size_t n;
	char buf[64];

	sim_init(&s, 7, NULL, 0, 0);
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &c) == 0);
	CHECK_EQ(net_connect(s.n[0], c, &(struct net_addr){ NET_IP(10, 0, 2, 2), 9 }), -EINPROGRESS);
	sim_idle(&s, 100);
	CHECK_EQ(net_sock_poll(s.n[0], c, &ev), 0);
	CHECK(ev & NET_POLLERR);
	CHECK_EQ(net_connect(s.n[0], c, &(struct net_addr){ NET_IP(10, 0, 2, 2), 9 }), -ECONNREFUSED);
	net_close(s.n[0], c);
	/* a server that closes with unread data resets the connection */
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	CHECK_EQ(net_send(s.n[0], c, "hello", 5, 0, NULL, &n), 0);
	sim_idle(&s, 50);
	CHECK_EQ(net_close(s.n[1], v), 0);
	sim_idle(&s, 50);
	CHECK_EQ(net_recv(s.n[0], c, buf, sizeof(buf), 0, NULL, &n, NULL), -ECONNRESET);
	CHECK_EQ(net_getsockopt(s.n[0], c, NET_SO_ERROR, &err), 0);
	CHECK_EQ(net_send(s.n[0], c, "x", 1, 0, NULL, &n), -EPIPE);
	CHECK_EQ(net_recv(s.n[0], c, buf, sizeof(buf), 0, NULL, &n, NULL), 0);
	CHECK_EQ(n, 0);
	net_get_stats(s.n[1], &st);
	CHECK_EQ(st.tcp_rst_out, 2);            /* to the SYN for port 9, and the abort */
	net_close(s.n[0], c);
	CHECK_EQ(used_socks(s.n[0]) + used_socks(s.n[1]), 0);
	sim_free(&s);
}

/* RFC 5961: blind resets and SYNs get a challenge ACK; only the exact sequence resets. */
TEST(net_tcp_rst_and_syn_checks)
{
	static struct sim s;
	struct net_stats st;
	uint8_t f[128];
	uint32_t cli = NET_IP(10, 0, 2, 15), srv = NET_IP(10, 0, 2, 2);
	struct net_addr ca;
	struct tcb *t;
	int c, v;
	size_t n;

	sim_init(&s, 8, NULL, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	net_getsockname(s.n[0], c, &ca);
	t = tcb_of(s.n[1], v);
	n = sim_craft_tcp(&s, 1, f, cli, srv, ca.port, 80, t->rcv_nxt + 100, 0, 0x04, 0, NULL, 0);
	sim_inject(&s, 1, f, n);
	n = sim_craft_tcp(&s, 1, f, cli, srv, ca.port, 80, t->rcv_nxt + 5, 0, 0x02, 1000, NULL, 0);
	sim_inject(&s, 1, f, n);
	n = sim_craft_tcp(&s, 1, f, cli, srv, ca.port, 80, t->rcv_nxt + 1000000, 0, 0x04, 0, NULL, 0);
	sim_inject(&s, 1, f, n);        /* outside the window: dropped silently */
	n = sim_craft_tcp(&s, 1, f, cli, srv, ca.port, 80, t->rcv_nxt, t->snd_nxt + 99999, 0x10, 1000, NULL, 0);
	sim_inject(&s, 1, f, n);        /* ACK of data never sent: an ACK back, no effect */
	net_get_stats(s.n[1], &st);
	CHECK_EQ(st.tcp_challenge_acks, 2);
	CHECK_EQ(state_of(s.n[1], v), NET_TCP_ESTABLISHED);
	sim_idle(&s, 100);
	CHECK(sim_transfer(&s, (int[]){ c, v }, 5000, 5000, 10000));
	/* the exact next sequence number resets */
	REQUIRE(sim_connect(&s, 81, &c, &v, NULL));
	net_getsockname(s.n[0], c, &ca);
	t = tcb_of(s.n[1], v);
	n = sim_craft_tcp(&s, 1, f, cli, srv, ca.port, 81, t->rcv_nxt, 0, 0x04, 0, NULL, 0);
	sim_inject(&s, 1, f, n);
	CHECK_EQ(state_of(s.n[1], v), NET_TCP_CLOSED);
	CHECK_EQ(net_recv(s.n[1], v, f, 10, 0, NULL, &n, NULL), -ECONNRESET);
	/* a segment for no connection gets a reset (its ACK as our sequence number) */
	net_get_stats(s.n[1], &st);
	n = sim_craft_tcp(&s, 1, f, cli, srv, 1234, 4321, 5, 777, 0x10, 1000, NULL, 0);
	sim_inject(&s, 1, f, n);
	{
		struct net_stats st2;
		net_get_stats(s.n[1], &st2);
		CHECK_EQ(st2.tcp_rst_out, st.tcp_rst_out + 1);
	}
	sim_free(&s);
}

TEST(net_tcp_zero_window_and_probes)
{
	static struct sim s;
	struct net_stats st;
	uint8_t buf[4096];
	uint64_t total = 0, got = 0;
	int c, v, l;
	size_t n;

	sim_init(&s, 9, NULL, 0, 0);
	REQUIRE(net_socket(s.n[1], NET_SOCK_STREAM, &l) == 0);
	CHECK_EQ(net_setsockopt(s.n[1], l, NET_SO_RCVBUF, 4096), 0);
	CHECK_EQ(net_bind(s.n[1], l, &(struct net_addr){ 0, 90 }), 0);
	CHECK_EQ(net_listen(s.n[1], l, 4), 0);
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &c) == 0);
	net_connect(s.n[0], c, &(struct net_addr){ NET_IP(10, 0, 2, 2), 90 });
	sim_idle(&s, 100);
	REQUIRE(net_accept(s.n[1], l, &v, NULL) == 0);
	{
		int val = 0;    /* the listener's buffer size went to the accepted socket */
		CHECK_EQ(net_getsockopt(s.n[1], v, NET_SO_RCVBUF, &val), 0);
		CHECK_EQ(val, 4096);
	}
	/* fill the receiver: its 4 KiB buffer fills, the window closes */
	for (int i = 0; i < 20; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		if (net_send(s.n[0], c, buf, sizeof(buf), 0, NULL, &n) == 0)
			total += n;
		sim_idle(&s, 10);
	}
	sim_idle(&s, 10000);
	CHECK_EQ(tcb_of(s.n[0], c)->snd_wnd, 0);
	net_get_stats(s.n[0], &st);
	printf("  zero window: %llu probes in 10 s, rto %u\n",
	       (unsigned long long)st.tcp_zero_window_probes, tcb_of(s.n[0], c)->rto);
	CHECK(st.tcp_zero_window_probes >= 3);
	CHECK_EQ(st.tcp_timeouts, 0);
	CHECK_EQ(state_of(s.n[0], c), NET_TCP_ESTABLISHED);
	/* reading opens the window; everything arrives */
	for (int i = 0; i < 2000 && got < total; i++) {
		if (net_recv(s.n[1], v, buf, sizeof(buf), 0, NULL, &n, NULL) == 0)
			got += n;
		sim_idle(&s, 5);
	}
	CHECK_EQ(got, total);
	CHECK(total > 16384);
	sim_free(&s);
}

TEST(net_tcp_fast_retransmit_one_lost_segment)
{
	static struct sim s;
	struct net_stats st;
	int c, v;

	sim_init(&s, 10, NULL, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	s.drop_in[0] = 40;      /* one data segment in the middle of the stream */
	CHECK(sim_transfer(&s, (int[]){ c, v }, 1 << 20, 0, 60000));
	net_get_stats(s.n[0], &st);
	CHECK_EQ(st.tcp_fast_retransmits, 1);
	CHECK_EQ(st.tcp_timeouts, 0);
	CHECK(st.tcp_dup_acks >= 3);
	CHECK(st.tcp_retransmits >= 1);
	sim_free(&s);
}

struct maxframe { size_t max[2]; };

static void tap_max(void *ctx, int from, const uint8_t *f, size_t len)
{
	struct maxframe *m = ctx;
	(void)f;
	if (len > m->max[from])
		m->max[from] = len;
}

TEST(net_tcp_mss_clamped_to_mtu)
{
	static struct sim s;
	struct maxframe m = { { 0, 0 } };
	struct net_tcp_info i0, i1;
	int c, v, mss = 0;

	sim_init(&s, 11, NULL, 1000, 1500);     /* side 0 has the smaller MTU */
	s.tap = tap_max;
	s.tap_ctx = &m;
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	CHECK_EQ(net_tcp_info(s.n[0], c, &i0), 0);
	CHECK_EQ(net_tcp_info(s.n[1], v, &i1), 0);
	CHECK_EQ(i0.snd_mss, 960);
	CHECK_EQ(i1.snd_mss, 960);              /* the peer's MSS option, under its own 1460 */
	CHECK_EQ(net_getsockopt(s.n[1], v, NET_TCP_MAXSEG, &mss), 0);
	CHECK_EQ(mss, 960);
	CHECK(sim_transfer(&s, (int[]){ c, v }, 200000, 200000, 60000));
	CHECK_EQ(m.max[0], 14 + 1000);
	CHECK_EQ(m.max[1], 14 + 1000);
	sim_free(&s);
}

struct many { int cli[200], srv[200], lis, accepted; };

static bool all_accepted(struct sim *s, void *ctx)
{
	struct many *m = ctx;
	while (m->accepted < 200 && net_accept(s->n[1], m->lis, &m->srv[m->accepted], NULL) == 0)
		m->accepted++;
	return m->accepted == 200;
}

TEST(net_tcp_200_connections_no_leak)
{
	static struct sim s;
	static struct many m;
	struct net_config cfg = { .max_sockets = 512 };
	struct net_stats st0, st1;
	char buf[128];
	size_t n;
	int ok = 0;

	sim_init(&s, 12, &cfg, 0, 0);
	m.accepted = 0;
	REQUIRE(net_socket(s.n[1], NET_SOCK_STREAM, &m.lis) == 0);
	CHECK_EQ(net_bind(s.n[1], m.lis, &(struct net_addr){ 0, 8080 }), 0);
	CHECK_EQ(net_listen(s.n[1], m.lis, 256), 0);
	for (int i = 0; i < 200; i++) {
		REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &m.cli[i]) == 0);
		CHECK_EQ(net_connect(s.n[0], m.cli[i], &(struct net_addr){ NET_IP(10, 0, 2, 2), 8080 }),
			 -EINPROGRESS);
	}
	REQUIRE(sim_run(&s, all_accepted, &m, 10000));
	net_get_stats(s.n[1], &st1);
	CHECK_EQ(st1.sockets_used, 201);
	CHECK_EQ(st1.mem_used, 200u * 2 * 65536);
	for (int i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "request %d", i);
		CHECK_EQ(net_send(s.n[0], m.cli[i], buf, strlen(buf) + 1, 0, NULL, &n), 0);
	}
	sim_idle(&s, 200);
	for (int i = 0; i < 200; i++) {
		int k;
		if (net_recv(s.n[1], m.srv[i], buf, sizeof(buf), 0, NULL, &n, NULL) == 0 &&
		    sscanf(buf, "request %d", &k) == 1 && net_send(s.n[1], m.srv[i], buf, n, 0, NULL, &n) == 0)
			ok++;
		net_close(s.n[1], m.srv[i]);    /* the server closes first: TIME_WAIT is its */
	}
	CHECK_EQ(ok, 200);
	sim_idle(&s, 200);
	ok = 0;
	for (int i = 0; i < 200; i++) {
		char want[32];
		snprintf(want, sizeof(want), "request %d", i);
		if (net_recv(s.n[0], m.cli[i], buf, sizeof(buf), 0, NULL, &n, NULL) == 0 && !strcmp(buf, want) &&
		    net_recv(s.n[0], m.cli[i], buf, sizeof(buf), 0, NULL, &n, NULL) == 0 && n == 0)
			ok++;
		net_close(s.n[0], m.cli[i]);
	}
	CHECK_EQ(ok, 200);
	net_close(s.n[1], m.lis);
	sim_idle(&s, 100);
	net_get_stats(s.n[1], &st1);
	CHECK_EQ(st1.sockets_used, 200);        /* all in TIME_WAIT */
	sim_idle(&s, 1000);
	net_get_stats(s.n[0], &st0);
	net_get_stats(s.n[1], &st1);
	CHECK_EQ(st0.sockets_used + st1.sockets_used, 0);
	CHECK_EQ(st0.mem_used + st1.mem_used, 0);
	CHECK_EQ(st0.loop_used + st1.loop_used + st0.arp_pending_used + st1.arp_pending_used, 0);
	CHECK_EQ(st0.tcp_rst_out + st1.tcp_rst_out, 0);
	sim_free(&s);
}

/* A forged in-window segment desynchronizes the two ends: each finds the other's ACKs
   unusable and answers them. Without a limit that is an endless ACK war. */
TEST(net_tcp_ack_war_is_rate_limited)
{
	static struct sim s;
	uint8_t f[128];
	struct net_addr ca;
	uint64_t before;
	int c, v;
	size_t n;

	sim_init(&s, 13, NULL, 0, 0);
	REQUIRE(sim_connect(&s, 80, &c, &v, NULL));
	net_getsockname(s.n[0], c, &ca);
	n = sim_craft_tcp(&s, 1, f, NET_IP(10, 0, 2, 15), NET_IP(10, 0, 2, 2), ca.port, 80,
			  tcb_of(s.n[1], v)->rcv_nxt, tcb_of(s.n[1], v)->snd_nxt, 0x18, 1000,
			  (const uint8_t *)"forged", 6);
	sim_inject(&s, 1, f, n);
	before = s.sent[0] + s.sent[1];
	sim_idle(&s, 5000);
	printf("  ACK war: %llu frames in 5 s\n", (unsigned long long)(s.sent[0] + s.sent[1] - before));
	CHECK(s.sent[0] + s.sent[1] - before < 50);
	sim_free(&s);
}

struct tw_conn { int lis, cli, srv; };

static bool tw_accepted(struct sim *s, void *ctx)
{
	struct tw_conn *w = ctx;
	uint32_t ev = 0;

	if (w->srv < 0 && net_accept(s->n[1], w->lis, &w->srv, NULL) < 0)
		return false;
	return net_sock_poll(s->n[0], w->cli, &ev) == 0 && (ev & NET_POLLOUT);
}

/* A web server closes first, so its side keeps every connection in TIME_WAIT for 2*MSL. Those
   hold no buffer, and when the socket table is full the one that ends soonest gives way to a
   new connection (Linux's tcp_max_tw_buckets), instead of the server refusing connections
   for 2*MSL. */
TEST(net_tcp_time_wait_holds_no_buffer_and_gives_way)
{
	static struct sim s;
	struct net_config cfg = { .max_sockets = 8, .msl_ms = 30000 };
	struct net_stats st;
	struct tw_conn w = { -1, -1, -1 };
	struct net_addr a = { NET_ANY, 80 };

	sim_init(&s, 21, &cfg, 0, 0);
	REQUIRE(net_socket(s.n[1], NET_SOCK_STREAM, &w.lis) == 0);
	REQUIRE(net_bind(s.n[1], w.lis, &a) == 0 && net_listen(s.n[1], w.lis, 4) == 0);
	for (int i = 0; i < 30; i++) {
		w.srv = -1;
		REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &w.cli) == 0);
		a.ip = NET_IP(10, 0, 2, 2);
		REQUIRE(net_connect(s.n[0], w.cli, &a) == -EINPROGRESS);
		REQUIRE(sim_run(&s, tw_accepted, &w, 5000));
		CHECK(sim_transfer(&s, (int[]){ w.cli, w.srv }, 100, 2000, 10000));
		CHECK_EQ(net_close(s.n[1], w.srv), 0);           /* the server closes first */
		sim_idle(&s, 50);
		CHECK_EQ(net_close(s.n[0], w.cli), 0);
		sim_idle(&s, 100);
		CHECK_EQ(state_of(s.n[0], w.cli), NET_TCP_CLOSED);
		net_get_stats(s.n[1], &st);
		CHECK_EQ(st.mem_used, 0);                      /* TIME_WAIT keeps no buffer */
		CHECK(st.sockets_used <= 8);
	}
	net_get_stats(s.n[1], &st);
	CHECK_EQ(st.sockets_used, 8);                      /* the listener and 7 in TIME_WAIT */
	CHECK_EQ(st.tcp_tw_recycled, 30 - 7);
	net_close(s.n[1], w.lis);
	sim_idle(&s, 61000);
	CHECK_EQ(used_socks(s.n[1]), 0);
	sim_free(&s);
}
