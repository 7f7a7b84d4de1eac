// HOST-TEST-SOURCES: servers/net/clock.c servers/net/core.c servers/net/eth.c servers/net/ipv4.c servers/net/ring.c servers/net/sock.c servers/net/sockopt.c servers/net/tcp.c servers/net/tcp_ack.c servers/net/tcp_in.c servers/net/tcp_out.c servers/net/tcp_timer.c servers/net/udp.c tests/host/net_sim.c
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
