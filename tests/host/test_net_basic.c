// HOST-TEST-SOURCES: servers/net/clock.c servers/net/core.c servers/net/dhcp.c servers/net/eth.c servers/net/info.c servers/net/ipv4.c servers/net/ring.c servers/net/sock.c servers/net/sockopt.c servers/net/tcp.c servers/net/tcp_ack.c servers/net/tcp_in.c servers/net/tcp_out.c servers/net/tcp_timer.c servers/net/udp.c tests/host/net_sim.c
/*
 * Host tests of the network stack's lower layers and socket API (servers/net): ARP
 * resolution, held frames, timeouts and expiry; ICMP echo answered and ping sockets; UDP
 * round trips, truncation, bounded receive queues, port unreachable; the loopback interface
 * (TCP and UDP inside one stack); handles, errors, options, exhausted pools and the event
 * callback.
 */
#define _POSIX_C_SOURCE 200809L
#include "tests/host/harness.h"
#include "tests/host/net_sim.h"
#include "abi/errno.h"
#include <stdio.h>
#include <string.h>

#define GW NET_IP(10, 0, 2, 2)
#define ME NET_IP(10, 0, 2, 15)

static struct net_stats stats(struct net *n)
{
	struct net_stats s;
	net_get_stats(n, &s);
	return s;
}

static int udp_sock(struct net *n, uint16_t port)
{
	int s = -1;
	if (net_socket(n, NET_SOCK_DGRAM, &s) == 0 && port)
		net_bind(n, s, &(struct net_addr){ NET_ANY, port });
	return s;
}

TEST(net_arp_resolves_and_holds_frames)
{
	static struct sim s;
	int a, b;
	char buf[64];
	size_t n;
	struct net_addr from;

	sim_init(&s, 21, NULL, 0, 0);
	a = udp_sock(s.n[0], 0);
	b = udp_sock(s.n[1], 53);
	for (int i = 0; i < 3; i++)     /* all three wait for the one ARP answer */
		CHECK_EQ(net_send(s.n[0], a, "abc", 4, 0, &(struct net_addr){ GW, 53 }, &n), 0);
	CHECK_EQ(stats(s.n[0]).arp_pending_used, 3);
	CHECK_EQ(stats(s.n[0]).arp_requests, 1);
	sim_idle(&s, 100);
	CHECK_EQ(stats(s.n[1]).arp_replies, 1);
	CHECK_EQ(stats(s.n[0]).arp_pending_used, 0);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(net_recv(s.n[1], b, buf, sizeof(buf), 0, &from, &n, NULL), 0);
		CHECK_EQ(n, 4);
		CHECK_EQ(from.ip, ME);
	}
	/* the answering side learned us from the request: its reply needs no ARP of its own */
	CHECK_EQ(net_send(s.n[1], b, "x", 1, 0, &from, &n), 0);
	CHECK_EQ(stats(s.n[1]).arp_requests, 0);
	sim_idle(&s, 100);
	CHECK_EQ(net_recv(s.n[0], a, buf, sizeof(buf), 0, NULL, &n, NULL), 0);
	/* entries expire after a minute */
	CHECK_EQ(stats(s.n[0]).arp_entries_used, 1);
	sim_idle(&s, 61000);
	CHECK_EQ(stats(s.n[0]).arp_entries_used, 0);
	sim_free(&s);
}

/* The inspection calls of /proc/net (info.c): per-interface counters follow the frames, the
 * ARP cache and the sockets are read by index, a socket Linux would not list is not. */
TEST(net_info_counters_arp_and_sockets)
{
	static struct sim s;
	struct net_if_counters c0, c1;
	struct net_sock_info si;
	struct net_arp_info ai;
	int a, b, cli, srv, lis, h, listed = 0;
	size_t n;

	sim_init(&s, 23, NULL, 0, 0);
	a = udp_sock(s.n[0], 0);
	b = udp_sock(s.n[1], 53);
	CHECK_EQ(net_send(s.n[0], a, "abcd", 4, 0, &(struct net_addr){ GW, 53 }, &n), 0);
	sim_idle(&s, 100);
	CHECK_EQ(net_if_counters(s.n[0], s.ifid[0], &c0), 0);
	CHECK_EQ(net_if_counters(s.n[1], s.ifid[1], &c1), 0);
	/* side 0: ARP request (broadcast) and the datagram out, the ARP reply in */
	CHECK_EQ(c0.tx_packets, 2);
	CHECK_EQ(c0.rx_packets, 1);
	CHECK_EQ(c1.rx_packets, 2);
	CHECK_EQ(c1.rx_multicast, 1);
	CHECK_EQ(c0.tx_bytes, 42 + 14 + 20 + 8 + 4);   /* the frames as built, before padding */
	CHECK_EQ(c1.rx_bytes, 60 + 60);                /* both arrive padded to Ethernet's 60 */
	CHECK_EQ(net_if_counters(s.n[0], NET_MAX_IFS, &c0), -ENODEV);
	CHECK_EQ(net_arp_info(s.n[0], 0, &ai), 0);
	CHECK(ai.complete && ai.ip == GW && ai.ifid == s.ifid[0]);
	CHECK_EQ(net_arp_info(s.n[0], 1, &ai), -ENOENT);
	CHECK_EQ(net_arp_info(s.n[0], 1000, &ai), -ERANGE);
	/* a bound UDP socket is listed (CLOSED), an unbound stream socket is not */
	CHECK_EQ(net_socket(s.n[0], NET_SOCK_STREAM, &h), 0);
	CHECK(sim_connect(&s, 80, &cli, &srv, &lis));
	for (uint32_t i = 0; net_sock_info(s.n[1], i, &h, &si) != -ERANGE; i++) {
		if (net_sock_info(s.n[1], i, &h, &si))
			continue;
		listed++;
		if (si.type == NET_SOCK_DGRAM)
			CHECK(h == b && si.state == NET_TCP_CLOSED && si.local.port == 53);
		else if (si.state == NET_TCP_LISTEN)
			CHECK(h == lis && si.local.port == 80 && si.has_handle && si.txq > 0);
		else
			CHECK(h == srv && si.state == NET_TCP_ESTABLISHED && si.remote.ip == ME);
	}
	CHECK_EQ(listed, 3);
	listed = 0;
	for (uint32_t i = 0; net_sock_info(s.n[0], i, &h, &si) != -ERANGE; i++)
		listed += net_sock_info(s.n[0], i, &h, &si) == 0;
	CHECK_EQ(listed, 1 + 1);        /* a, and the connected client; not the unbound stream */
	sim_free(&s);
}

TEST(net_arp_timeout_drops_held_frames)
{
	static struct sim s;
	struct net_stats st;
	int a;
	size_t n;

	sim_init(&s, 22, NULL, 0, 0);
	a = udp_sock(s.n[0], 0);
	for (int i = 0; i < 6; i++)     /* 4 held for one address, 2 dropped at once */
		CHECK_EQ(net_send(s.n[0], a, "abc", 3, 0, &(struct net_addr){ NET_IP(10, 0, 2, 77), 9 }, &n), 0);
	st = stats(s.n[0]);
	CHECK_EQ(st.arp_pending_used, 4);
	CHECK_EQ(st.arp_pending_drops, 2);
	sim_idle(&s, 1500);
	CHECK_EQ(stats(s.n[0]).arp_requests, 2);        /* retried */
	sim_idle(&s, 2000);
	st = stats(s.n[0]);
	CHECK_EQ(st.arp_requests, 3);
	CHECK_EQ(st.arp_timeouts, 1);
	CHECK_EQ(st.arp_pending_used, 0);
	CHECK_EQ(st.arp_pending_drops, 6);
	CHECK_EQ(st.arp_entries_used, 0);
	/* off the subnet: resolved through the gateway, which is not the destination */
	CHECK_EQ(net_send(s.n[0], a, "abc", 3, 0, &(struct net_addr){ NET_IP(8, 8, 8, 8), 53 }, &n), 0);
	sim_idle(&s, 100);
	CHECK_EQ(stats(s.n[1]).ip_not_ours, 1);
	/* no gateway and another network: unreachable */
	{
		struct net_ifconfig c = { ME, NET_IP(255, 255, 255, 0), 0 };
		CHECK_EQ(net_if_config(s.n[0], s.ifid[0], &c), 0);
		CHECK_EQ(net_send(s.n[0], a, "abc", 3, 0, &(struct net_addr){ NET_IP(8, 8, 8, 8), 53 }, &n),
			 -ENETUNREACH);
		c.netmask = NET_IP(255, 0, 255, 0);
		CHECK_EQ(net_if_config(s.n[0], s.ifid[0], &c), -EINVAL);
	}
	sim_free(&s);
}

TEST(net_icmp_echo_and_ping_sockets)
{
	static struct sim s;
	uint8_t req[64], rep[128];
	struct net_addr from;
	size_t n, full;
	int p;

	sim_init(&s, 23, NULL, 0, 0);
	REQUIRE(net_socket(s.n[0], NET_SOCK_PING, &p) == 0);
	memset(req, 0, sizeof(req));
	req[0] = 8;
	for (int i = 8; i < 64; i++)
		req[i] = (uint8_t)i;
	for (uint16_t seq = 1; seq <= 5; seq++) {
		req[6] = (uint8_t)(seq >> 8);
		req[7] = (uint8_t)seq;
		CHECK_EQ(net_send(s.n[0], p, req, sizeof(req), 0, &(struct net_addr){ GW, 0 }, &n), 0);
		sim_idle(&s, 50);
		CHECK_EQ(net_recv(s.n[0], p, rep, sizeof(rep), 0, &from, &n, &full), 0);
		CHECK_EQ(n, 64);
		CHECK_EQ(from.ip, GW);
		CHECK_EQ(rep[0], 0);                    /* echo reply */
		CHECK_EQ(rep[7], seq);
		CHECK(memcmp(rep + 8, req + 8, 56) == 0);
	}
	CHECK_EQ(stats(s.n[1]).icmp_echo_answered, 5);
	/* our own address and loopback answer too, without the link */
	CHECK_EQ(net_send(s.n[0], p, req, sizeof(req), 0, &(struct net_addr){ NET_LOOPBACK, 0 }, &n), 0);
	CHECK_EQ(net_send(s.n[0], p, req, sizeof(req), 0, &(struct net_addr){ ME, 0 }, &n), 0);
	net_time(s.n[0], s.now);
	net_time(s.n[0], s.now);
	CHECK_EQ(net_recv(s.n[0], p, rep, sizeof(rep), 0, &from, &n, NULL), 0);
	CHECK_EQ(from.ip, NET_LOOPBACK);
	CHECK_EQ(net_recv(s.n[0], p, rep, sizeof(rep), 0, &from, &n, NULL), 0);
	CHECK_EQ(from.ip, ME);
	CHECK_EQ(net_recv(s.n[0], p, rep, sizeof(rep), 0, &from, &n, NULL), -EAGAIN);
	req[0] = 13;                                    /* only echo requests go out */
	CHECK_EQ(net_send(s.n[0], p, req, sizeof(req), 0, &(struct net_addr){ GW, 0 }, &n), -EINVAL);
	sim_free(&s);
}

TEST(net_udp_round_trips_and_limits)
{
	static struct sim s;
	static uint8_t buf[2000], got[2000];
	struct net_addr from, peer;
	size_t n, full;
	int a, b, ok = 0;

	sim_init(&s, 24, NULL, 0, 0);
	a = udp_sock(s.n[0], 0);
	b = udp_sock(s.n[1], 7);
	for (int i = 0; i < 200; i++) {
		size_t len = (size_t)(i * 37 % 1473);
		for (size_t k = 0; k < len; k++)
			buf[k] = sim_pattern(k + (size_t)i, 0);
		if (net_send(s.n[0], a, buf, len, 0, &(struct net_addr){ GW, 7 }, &n) || n != len)
			continue;
		sim_idle(&s, 20);
		if (net_recv(s.n[1], b, got, sizeof(got), 0, &from, &n, NULL) || n != len)
			continue;
		if (net_send(s.n[1], b, got, n, 0, &from, &n))
			continue;
		sim_idle(&s, 20);
		if (net_recv(s.n[0], a, got, sizeof(got), 0, &peer, &n, NULL) == 0 && n == len &&
		    !memcmp(got, buf, len) && peer.ip == GW && peer.port == 7)
			ok++;
	}
	CHECK_EQ(ok, 200);
	CHECK_EQ(net_send(s.n[0], a, buf, 1473, 0, &(struct net_addr){ GW, 7 }, &n), -EMSGSIZE);
	/* a short buffer truncates and reports the full length */
	CHECK_EQ(net_send(s.n[0], a, buf, 100, 0, &(struct net_addr){ GW, 7 }, &n), 0);
	sim_idle(&s, 20);
	CHECK_EQ(net_recv(s.n[1], b, got, 10, NET_MSG_PEEK, NULL, &n, &full), 0);
	CHECK_EQ(full, 100);
	{
		uint32_t nr = 0;
		CHECK_EQ(net_sock_nread(s.n[1], b, &nr), 0);
		CHECK_EQ(nr, 100);
	}
	CHECK_EQ(net_recv(s.n[1], b, got, 10, 0, NULL, &n, &full), 0);
	CHECK_EQ(n, 10);
	CHECK_EQ(net_recv(s.n[1], b, got, 10, 0, NULL, &n, &full), -EAGAIN);
	/* a small receive queue drops what does not fit */
	CHECK_EQ(net_setsockopt(s.n[1], b, NET_SO_RCVBUF, 2048), 0);
	for (int i = 0; i < 10; i++)
		net_send(s.n[0], a, buf, 500, 0, &(struct net_addr){ GW, 7 }, &n);
	sim_idle(&s, 20);
	CHECK_EQ(stats(s.n[1]).udp_queue_drops, 6);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(net_recv(s.n[1], b, got, sizeof(got), 0, NULL, &n, NULL), 0);
	/* nobody on the port: ICMP port unreachable */
	net_send(s.n[0], a, buf, 10, 0, &(struct net_addr){ GW, 4444 }, &n);
	sim_idle(&s, 20);
	CHECK_EQ(stats(s.n[1]).udp_no_port, 1);
	CHECK_EQ(stats(s.n[1]).icmp_sent, 1);
	/* connected: the default peer, and only its datagrams */
	CHECK_EQ(net_connect(s.n[1], b, &(struct net_addr){ ME, 1 }), 0);
	net_send(s.n[0], a, buf, 10, 0, &(struct net_addr){ GW, 7 }, &n);
	sim_idle(&s, 20);
	CHECK_EQ(net_recv(s.n[1], b, got, sizeof(got), 0, NULL, &n, NULL), -EAGAIN);
	CHECK_EQ(stats(s.n[1]).udp_no_port, 2);
	CHECK_EQ(net_send(s.n[0], a, buf, 10, 0, NULL, &n), -EDESTADDRREQ);
	sim_free(&s);
}

/* Run one stack alone: its loopback queue and timers, 1 ms per round. */
static void spin(struct sim *s, uint64_t *now, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		*now += 1;
		net_time(s->n[0], *now);
	}
}

static bool loop_pair(struct sim *s, uint64_t *now, uint32_t ip, int *c, int *v, int *l)
{
	struct net_addr a = { ip, 8000 };

	if (net_socket(s->n[0], NET_SOCK_STREAM, l) || net_bind(s->n[0], *l, &a) ||
	    net_listen(s->n[0], *l, 4) || net_socket(s->n[0], NET_SOCK_STREAM, c))
		return false;
	if (net_connect(s->n[0], *c, &a) != -EINPROGRESS)
		return false;
	spin(s, now, 5);
	return net_accept(s->n[0], *l, v, NULL) == 0;
}

/* Move n bytes each way between two sockets of one stack, checking every byte. */
static bool loop_transfer(struct sim *s, uint64_t *now, int c, int v, uint64_t total)
{
	static uint8_t buf[20000];
	uint64_t sent[2] = { 0, 0 }, rcvd[2] = { 0, 0 };
	int sock[2] = { c, v };
	size_t n;

	for (int round = 0; round < 100000 && (rcvd[0] < total || rcvd[1] < total); round++) {
		for (int i = 0; i < 2; i++) {
			size_t want = total - sent[i] < sizeof(buf) ? total - sent[i] : sizeof(buf);
			for (size_t k = 0; k < want; k++)
				buf[k] = sim_pattern(sent[i] + k, i);
			if (want && net_send(s->n[0], sock[i], buf, want, 0, NULL, &n) == 0)
				sent[i] += n;
			if (net_recv(s->n[0], sock[i], buf, sizeof(buf), 0, NULL, &n, NULL) == 0) {
				for (size_t k = 0; k < n; k++)
					if (buf[k] != sim_pattern(rcvd[i] + k, !i))
						return false;
				rcvd[i] += n;
			}
		}
		spin(s, now, 1);
	}
	return rcvd[0] == total && rcvd[1] == total;
}

TEST(net_loopback_tcp_and_udp)
{
	static struct sim s;
	uint64_t now;
	struct net_tcp_info ti;
	struct net_addr a;
	int c, v, l, u1, u2;
	char buf[32];
	size_t n;

	sim_init(&s, 25, NULL, 0, 0);
	now = s.now;
	REQUIRE(loop_pair(&s, &now, NET_LOOPBACK, &c, &v, &l));
	CHECK_EQ(net_tcp_info(s.n[0], c, &ti), 0);
	CHECK_EQ(ti.snd_mss, 16384 - 40);
	CHECK_EQ(net_getpeername(s.n[0], v, &a), 0);
	CHECK_EQ(a.ip, NET_LOOPBACK);
	CHECK(loop_transfer(&s, &now, c, v, 4u << 20));
	net_close(s.n[0], c);
	net_close(s.n[0], v);
	net_close(s.n[0], l);
	spin(&s, &now, 1000);
	CHECK_EQ(stats(s.n[0]).sockets_used, 0);
	/* our own interface address goes over loopback too: nothing on the link */
	REQUIRE(loop_pair(&s, &now, ME, &c, &v, &l));
	CHECK(loop_transfer(&s, &now, c, v, 100000));
	CHECK_EQ(s.sent[0], 0);
	/* UDP */
	u1 = udp_sock(s.n[0], 5353);
	u2 = udp_sock(s.n[0], 0);
	CHECK_EQ(net_send(s.n[0], u2, "hello", 6, 0, &(struct net_addr){ NET_LOOPBACK, 5353 }, &n), 0);
	spin(&s, &now, 1);
	CHECK_EQ(net_recv(s.n[0], u1, buf, sizeof(buf), 0, &a, &n, NULL), 0);
	CHECK_STR(buf, "hello");
	CHECK_EQ(a.ip, NET_LOOPBACK);
	sim_free(&s);
}

struct evlog { int n; int sock[64]; uint32_t ev[64]; };

static void on_event(void *ctx, int sock, uint32_t ev)
{
	struct evlog *l = ctx;
	if (l->n < 64) {
		l->sock[l->n] = sock;
		l->ev[l->n++] = ev;
	}
}

TEST(net_socket_api_errors_and_events)
{
	static struct sim s;
	static struct evlog log;
	struct net_config cfg = { .max_sockets = 8, .mem_limit = 3 * 65536, .event = on_event,
				  .event_ctx = &log };
	uint64_t now;
	int c, v, l, x, socks[8], k = 0, val;
	uint32_t ev;
	size_t n;
	char buf[8];

	sim_init(&s, 26, &cfg, 0, 0);
	now = s.now;
	CHECK_EQ(net_send(s.n[0], 12345, "x", 1, 0, NULL, &n), -EBADF);
	CHECK_EQ(net_socket(s.n[0], 9, &x), -EPROTONOSUPPORT);
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &x) == 0);
	CHECK_EQ(net_recv(s.n[0], x, buf, 8, 0, NULL, &n, NULL), -ENOTCONN);
	CHECK_EQ(net_send(s.n[0], x, "x", 1, 0, NULL, &n), -ENOTCONN);
	CHECK_EQ(net_accept(s.n[0], x, &c, NULL), -EINVAL);
	CHECK_EQ(net_bind(s.n[0], x, &(struct net_addr){ NET_IP(1, 2, 3, 4), 80 }), -EADDRNOTAVAIL);
	CHECK_EQ(net_bind(s.n[0], x, &(struct net_addr){ NET_ANY, 80 }), 0);
	CHECK_EQ(net_bind(s.n[0], x, &(struct net_addr){ NET_ANY, 81 }), -EINVAL);
	CHECK_EQ(net_listen(s.n[0], x, 2), 0);
	CHECK_EQ(net_getsockopt(s.n[0], x, NET_SO_ACCEPTCONN, &val), 0);
	CHECK_EQ(val, 1);
	CHECK_EQ(net_accept(s.n[0], x, &c, NULL), -EAGAIN);
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &l) == 0);
	CHECK_EQ(net_bind(s.n[0], l, &(struct net_addr){ NET_LOOPBACK, 80 }), -EADDRINUSE);
	CHECK_EQ(net_setsockopt(s.n[0], l, NET_SO_REUSEADDR, 1), 0);
	CHECK_EQ(net_bind(s.n[0], l, &(struct net_addr){ NET_LOOPBACK, 80 }), -EADDRINUSE);
	net_close(s.n[0], l);
	CHECK_EQ(net_close(s.n[0], x), 0);
	CHECK_EQ(net_close(s.n[0], x), -EBADF);
	/* a stale handle stays dead when its slot is reused */
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &c) == 0);
	CHECK((c & 0xffff) == (x & 0xffff) && c != x);
	CHECK_EQ(net_sock_poll(s.n[0], x, &ev), -EBADF);
	net_close(s.n[0], c);
	/* the socket table runs out: EMFILE */
	while (k < 8 && net_socket(s.n[0], NET_SOCK_STREAM, &socks[k]) == 0)
		k++;
	CHECK_EQ(k, 8);
	CHECK_EQ(net_socket(s.n[0], NET_SOCK_DGRAM, &x), -EMFILE);
	while (k)
		net_close(s.n[0], socks[--k]);
	/* the buffer budget (3 x 64 KiB) runs out: a connection needs 2 x 64 KiB per end */
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &l) == 0);
	net_bind(s.n[0], l, &(struct net_addr){ NET_LOOPBACK, 80 });
	net_listen(s.n[0], l, 4);
	REQUIRE(net_socket(s.n[0], NET_SOCK_STREAM, &c) == 0);
	log.n = 0;
	CHECK_EQ(net_connect(s.n[0], c, &(struct net_addr){ NET_LOOPBACK, 80 }), -EINPROGRESS);
	spin(&s, &now, 5);
	CHECK_EQ(net_accept(s.n[0], l, &v, NULL), -EAGAIN);     /* the SYN found no memory */
	CHECK(stats(s.n[0]).nobufs > 0);
	REQUIRE(net_socket(s.n[0], NET_SOCK_DGRAM, &x) == 0);
	net_close(s.n[0], x);
	CHECK_EQ(net_setsockopt(s.n[0], l, NET_SO_RCVBUF, 4096), 0);
	CHECK_EQ(net_setsockopt(s.n[0], l, NET_SO_SNDBUF, 4096), 0);
	spin(&s, &now, 1500);                   /* the SYN is retried */
	CHECK_EQ(net_accept(s.n[0], l, &v, NULL), 0);
	/* the client saw POLLOUT through the callback */
	val = 0;
	for (int i = 0; i < log.n; i++)
		if (log.sock[i] == c && (log.ev[i] & NET_POLLOUT))
			val = 1;
	CHECK_EQ(val, 1);
	CHECK_EQ(net_sock_poll(s.n[0], v, &ev), 0);
	CHECK_EQ(ev, NET_POLLOUT);
	CHECK_EQ(net_send(s.n[0], c, "hi", 3, 0, NULL, &n), 0);
	spin(&s, &now, 2);
	CHECK_EQ(net_sock_poll(s.n[0], v, &ev), 0);
	CHECK_EQ(ev, NET_POLLIN | NET_POLLOUT);
	CHECK_EQ(net_shutdown(s.n[0], c, NET_SHUT_WR), 0);
	CHECK_EQ(net_send(s.n[0], c, "x", 1, 0, NULL, &n), -EPIPE);
	spin(&s, &now, 2);
	CHECK_EQ(net_sock_poll(s.n[0], v, &ev), 0);
	CHECK_EQ(ev, NET_POLLIN | NET_POLLOUT | NET_POLLRDHUP);
	CHECK_EQ(net_recv(s.n[0], v, buf, 8, 0, NULL, &n, NULL), 0);
	CHECK_STR(buf, "hi");
	CHECK_EQ(net_recv(s.n[0], v, buf, 8, 0, NULL, &n, NULL), 0);
	CHECK_EQ(n, 0);
	/* drained to -EAGAIN, then fed again: a new event says so */
	net_close(s.n[0], c);
	net_close(s.n[0], v);
	net_close(s.n[0], l);
	spin(&s, &now, 600);            /* TIME_WAIT ends, the budget is back */
	CHECK_EQ(stats(s.n[0]).mem_used, 0);
	REQUIRE(net_socket(s.n[0], NET_SOCK_DGRAM, &x) == 0);
	net_bind(s.n[0], x, &(struct net_addr){ NET_LOOPBACK, 99 });
	for (int round = 0; round < 2; round++) {
		log.n = 0;
		CHECK_EQ(net_send(s.n[0], x, "ab", 2, 0, &(struct net_addr){ NET_LOOPBACK, 99 }, &n), 0);
		spin(&s, &now, 1);
		CHECK_EQ(log.n, 1);
		CHECK_EQ(log.sock[0], x);
		CHECK_EQ(log.ev[0], NET_POLLIN | NET_POLLOUT);
		CHECK_EQ(net_recv(s.n[0], x, buf, 8, 0, NULL, &n, NULL), 0);
		CHECK_EQ(net_recv(s.n[0], x, buf, 8, 0, NULL, &n, NULL), -EAGAIN);
	}
	sim_free(&s);
}

/* A DHCP server in the test: it answers what side 0 broadcast to port 67. */
struct fake_dhcp { bool pending, answer; uint8_t type; uint8_t req[600]; size_t len; int acks; };

static void dhcp_tap(void *ctx, int from, const uint8_t *f, size_t len)
{
	struct fake_dhcp *d = ctx;

	if (from == 0 && len > 42 + 240 && len <= sizeof(d->req) && f[23] == 17 && f[36] == 0 && f[37] == 67) {
		memcpy(d->req, f, len);
		d->len = len;
		d->pending = true;
	}
}

static uint8_t opt_type(const uint8_t *b)     /* the DHCP message type of a BOOTP message */
{
	for (size_t i = 240; i + 2 < 300 && b[i] != 255; i += b[i] ? 2u + b[i + 1] : 1u)
		if (b[i] == 53)
			return b[i + 2];
	return 0;
}

static void dhcp_answer(struct sim *s, struct fake_dhcp *d)
{
	uint8_t f[400];
	const uint8_t *q = d->req + 42;
	uint8_t t = opt_type(q);

	d->pending = false;
	if (!d->answer || (t != 1 && t != 3))
		return;
	d->acks += t == 3;
	sim_inject(s, 0, f, sim_craft_dhcp(s, 0, f, q + 4, t == 1 ? 2 : 5, ME, 120));
}

static void dhcp_run(struct sim *s, struct fake_dhcp *d, uint64_t ms)
{
	uint64_t end = s->now + ms;

	while (sim_step(s, end))
		if (d->pending)
			dhcp_answer(s, d);
	s->now = end;
	net_time(s->n[0], end);
	if (d->pending)
		dhcp_answer(s, d);
}

TEST(net_dhcp_lease_renewal_and_expiry)
{
	static struct sim s;
	static struct fake_dhcp d;
	struct net_ifconfig c = { 0, 0, 0 };
	enum net_dhcp_state ds;
	uint32_t mtu, lease;
	uint8_t mac[6];
	int p;
	size_t n;
	uint8_t req[16] = { 8 }, rep[64];

	sim_init(&s, 27, NULL, 0, 0);
	CHECK_EQ(net_if_config(s.n[0], s.ifid[0], &c), 0);     /* no address at all */
	s.tap = dhcp_tap;
	s.tap_ctx = &d;
	d.answer = true;
	CHECK_EQ(net_dhcp_start(s.n[0], s.ifid[0]), 0);
	dhcp_run(&s, &d, 1000);
	CHECK_EQ(net_dhcp_state(s.n[0], s.ifid[0], &ds, &lease), 0);
	CHECK_EQ(ds, NET_DHCP_BOUND);
	CHECK_EQ(lease, 120);
	CHECK_EQ(net_if_get(s.n[0], s.ifid[0], &c, &mtu, mac), 0);
	CHECK_EQ(c.addr, ME);
	CHECK_EQ(c.netmask, NET_IP(255, 255, 255, 0));
	CHECK_EQ(c.gateway, GW);
	CHECK_EQ(net_get_dns(s.n[0]), NET_IP(10, 0, 2, 9));
	/* the address works */
	REQUIRE(net_socket(s.n[0], NET_SOCK_PING, &p) == 0);
	CHECK_EQ(net_send(s.n[0], p, req, sizeof(req), 0, &(struct net_addr){ GW, 0 }, &n), 0);
	dhcp_run(&s, &d, 100);
	CHECK_EQ(net_recv(s.n[0], p, rep, sizeof(rep), 0, NULL, &n, NULL), 0);
	/* renewed at half the lease */
	dhcp_run(&s, &d, 100000);
	CHECK_EQ(d.acks, 2);
	net_dhcp_state(s.n[0], s.ifid[0], &ds, NULL);
	CHECK_EQ(ds, NET_DHCP_BOUND);
	/* the server goes silent: renewals fail and the lease runs out */
	d.answer = false;
	dhcp_run(&s, &d, 130000);
	net_dhcp_state(s.n[0], s.ifid[0], &ds, NULL);
	CHECK_EQ(ds, NET_DHCP_SELECTING);
	net_if_get(s.n[0], s.ifid[0], &c, &mtu, mac);
	CHECK_EQ(c.addr, 0);
	CHECK_EQ(net_send(s.n[0], p, req, sizeof(req), 0, &(struct net_addr){ GW, 0 }, &n), -ENETUNREACH);
	/* and comes back */
	d.answer = true;
	dhcp_run(&s, &d, 40000);
	net_dhcp_state(s.n[0], s.ifid[0], &ds, NULL);
	CHECK_EQ(ds, NET_DHCP_BOUND);
	sim_free(&s);
}
