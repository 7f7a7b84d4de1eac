/*
 * Linux sockets through the real network server (servers/net, started at boot by svc):
 * loopback TCP and UDP inside the guest through 127.0.0.1 and the interface's 10.0.2.15,
 * 1 MiB echoed with a checksum, non-blocking connect and SO_ERROR, poll and select
 * readiness, SO_RCVTIMEO, shutdown, EPIPE, 200 connections opened and closed, and the
 * server stopped with svc while calls wait (they fail at once; after `svc start net` new
 * sockets work). The runner's leak check covers pages and ICAs after each test.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/netproto.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define LOOP 0x7f000001u
#define IFADDR 0x0a00020fu          /* QEMU's user network: the guest's address */
#define MIB (1u << 20)

static long E(long r)
{
	return r < 0 ? -errno : r;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void svc_net(const char *op)
{
	const char *argv[] = { "svc", op, "net", NULL };
	CHECK_EQ(ut_run("/bin/svc", argv), 0);
}

/* Each test leaves a network server as fresh as the one started at boot: a server that
 * has served keeps memory (buffers, page tables of the ICA addresses it was passed), which
 * the runner's leak check would count, and the kernel's session with it ends with it. */
static void fresh_server(void)
{
	svc_net("stop");
	svc_net("start");
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	return (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
				     .sin_addr.s_addr = htonl(addr) };
}

/* A listening TCP socket on addr, any port; *port gets it. */
static int listener(uint32_t addr, uint16_t *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	CHECK_OK(s);
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)));
	struct sockaddr_in a = sin_of(addr, 0);
	socklen_t len = sizeof(a);
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(s, 16));
	CHECK_OK(getsockname(s, (struct sockaddr *)&a, &len));
	CHECK(a.sin_port != 0);
	*port = ntohs(a.sin_port);
	return s;
}

static void small_bufs(int s)
{
	int v = 4096;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
}

static int connect_small(uint32_t addr, uint16_t port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(s);
	small_bufs(s);
	struct sockaddr_in a = sin_of(addr, port);
	CHECK_OK(E(connect(s, (struct sockaddr *)&a, sizeof(a))));
	return s;
}

static int connect_to(uint32_t addr, uint16_t port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(s);
	struct sockaddr_in a = sin_of(addr, port);
	CHECK_OK(E(connect(s, (struct sockaddr *)&a, sizeof(a))));
	return s;
}

static uint32_t crc_step(uint32_t c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1));
	}
	return c;
}

/* The client: sends 1 MiB of a seeded pattern, then reads it back; exit 0 if the
 * checksums of what went out and what came back agree. */
static int echo_client(uint32_t addr, uint16_t port)
{
	static uint8_t buf[16384], in[16384];
	int s = connect_to(addr, port);
	uint32_t out_crc = ~0u, in_crc = ~0u;
	size_t sent = 0, got = 0;
	while (sent < MIB || got < MIB) {
		struct pollfd p = { s, (short)(POLLIN | (sent < MIB ? POLLOUT : 0)), 0 };
		if (poll(&p, 1, 20000) != 1)
			return 2;
		if ((p.revents & POLLOUT) && sent < MIB) {
			size_t n = MIB - sent < sizeof(buf) ? MIB - sent : sizeof(buf);
			for (size_t i = 0; i < n; i++) {
				uint32_t at = (uint32_t)(sent + i);
				buf[i] = (uint8_t)((at * 2654435761u) >> 13 ^ at >> 9);
			}
			ssize_t w = send(s, buf, n, MSG_DONTWAIT);
			if (w < 0 && errno != EAGAIN)
				return 3;
			if (w > 0) {
				out_crc = crc_step(out_crc, buf, (size_t)w);
				sent += (size_t)w;
			}
			if (sent == MIB)
				shutdown(s, SHUT_WR);
		}
		if (p.revents & (POLLIN | POLLHUP)) {
			ssize_t r = recv(s, in, sizeof(in), MSG_DONTWAIT);
			if (r == 0)
				break;
			if (r > 0) {
				in_crc = crc_step(in_crc, in, (size_t)r);
				got += (size_t)r;
			}
		}
	}
	close(s);
	return got == MIB && in_crc == out_crc ? 0 : 4;
}

/* Accept one connection and echo it (readv/writev) until the peer's end. */
static void echo_serve(int l, uint32_t expect_peer)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int c = accept4(l, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	CHECK_OK(c);
	CHECK_EQ(ntohl(peer.sin_addr.s_addr), expect_peer);
	struct sockaddr_in pn;
	len = sizeof(pn);
	CHECK_OK(getpeername(c, (struct sockaddr *)&pn, &len));
	CHECK_EQ(pn.sin_port, peer.sin_port);
	static char buf[30000];
	size_t total = 0;
	for (;;) {
		ssize_t r = read(c, buf, sizeof(buf));
		CHECK_OK(r);
		if (r == 0)
			break;
		struct iovec v[2] = { { buf, (size_t)r / 2 }, { buf + r / 2, (size_t)r - (size_t)r / 2 } };
		size_t done = 0;
		while (done < (size_t)r) {
			ssize_t w = write(c, buf + done, (size_t)r - done);
			if (done == 0 && w < 0)
				w = writev(c, v, 2);
			CHECK_OK(w);
			done += (size_t)w;
		}
		total += (size_t)r;
	}
	CHECK_EQ(total, MIB);
	close(c);
}

static void echo_over(uint32_t addr)
{
	uint16_t port;
	int l = listener(addr, &port);
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0)
		_exit(echo_client(addr, port));
	echo_serve(l, addr);
	CHECK_EQ(ut_wait(pid), 0);
	close(l);
}

static void test_tcp_echo_body(void)
{
	int64_t t0 = ut_now_ns();
	echo_over(LOOP);
	int64_t t1 = ut_now_ns();
	echo_over(IFADDR);
	printf("sock_tcp_echo: 1 MiB each way in %ld ms (127.0.0.1), %ld ms (10.0.2.15)\n",
	       (long)((t1 - t0) / 1000000), (long)((ut_now_ns() - t1) / 1000000));
}

static void test_udp_body(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK_OK(a);
	CHECK_OK(b);
	struct sockaddr_in sa = sin_of(LOOP, 0), sb = sin_of(IFADDR, 0), from;
	socklen_t len = sizeof(sb);
	CHECK_OK(bind(b, (struct sockaddr *)&sb, sizeof(sb)));
	CHECK_OK(getsockname(b, (struct sockaddr *)&sb, &len));
	char buf[2000], big[1500];
	CHECK_ERR(E(recv(b, buf, sizeof(buf), 0)), EAGAIN);
	memset(big, 'x', sizeof(big));
	for (int i = 0; i < 50; i++) {
		snprintf(buf, sizeof(buf), "datagram %d", i);
		CHECK_EQ(sendto(a, buf, strlen(buf) + 1, 0, (struct sockaddr *)&sb, sizeof(sb)),
			 (long)strlen(buf) + 1);
		struct pollfd p = { b, POLLIN, 0 };
		CHECK_EQ(poll(&p, 1, 5000), 1);
		len = sizeof(from);
		char got[64];
		CHECK_EQ(recvfrom(b, got, sizeof(got), 0, (struct sockaddr *)&from, &len),
			 (long)strlen(buf) + 1);
		CHECK(!strcmp(got, buf));
		if (i == 0) {
			/* the reply goes to where it came from */
			CHECK_EQ(sendto(b, "back", 4, 0, (struct sockaddr *)&from, len), 4);
			CHECK_EQ(recv(a, got, sizeof(got), 0), 4);
		}
	}
	/* a datagram cut short: MSG_TRUNC in msg_flags */
	CHECK_EQ(sendto(a, big, sizeof(big), 0, (struct sockaddr *)&sb, sizeof(sb)), sizeof(big));
	struct iovec v = { buf, 100 };
	struct msghdr mh = { .msg_iov = &v, .msg_iovlen = 1 };
	struct pollfd p = { b, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_EQ(recvmsg(b, &mh, 0), 100);
	CHECK(mh.msg_flags & MSG_TRUNC);
	/* connected: send and recv without addresses */
	CHECK_OK(connect(a, (struct sockaddr *)&sb, sizeof(sb)));
	CHECK_EQ(send(a, "conn", 4, 0), 4);
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_EQ(recv(b, buf, sizeof(buf), 0), 4);
	(void)sa;
	close(a);
	close(b);
}

static void test_nonblock_connect_body(void)
{
	uint16_t port;
	int l = listener(LOOP, &port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_OK(s);
	struct sockaddr_in a = sin_of(LOOP, port);
	long r = E(connect(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK(r == 0 || r == -EINPROGRESS);
	struct pollfd p = { s, POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	int err = -1;
	socklen_t len = sizeof(err);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
	CHECK_EQ(err, 0);
	p = (struct pollfd){ l, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);        /* the listener is readable: one is waiting */
	int c = accept(l, NULL, NULL);
	CHECK_OK(c);
	close(c);
	close(s);
	/* nobody listens: refused, blocking and not */
	close(l);
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(E(connect(s, (struct sockaddr *)&a, sizeof(a))), ECONNREFUSED);
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = E(connect(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK(r == -EINPROGRESS || r == -ECONNREFUSED);
	if (r == -EINPROGRESS) {
		p = (struct pollfd){ s, POLLOUT, 0 };
		CHECK_EQ(poll(&p, 1, 5000), 1);
		CHECK(p.revents & (POLLERR | POLLHUP));
		CHECK_OK(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
		CHECK_EQ(err, ECONNREFUSED);
	}
	close(s);
}

/* select and poll follow a connection: listener readable, both writable, readable after
 * the peer writes, end of stream after it closes; SO_RCVTIMEO ends a wait. */
static void test_readiness_body(void)
{
	uint16_t port;
	int l = listener(LOOP, &port);
	int s = connect_to(LOOP, port);
	fd_set r, w;
	FD_ZERO(&r);
	FD_SET(l, &r);
	struct timeval tv = { 5, 0 };
	CHECK_EQ(select(l + 1, &r, NULL, NULL, &tv), 1);
	int c = accept(l, NULL, NULL);
	CHECK_OK(c);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(c, &r);
	FD_SET(s, &w);
	tv = (struct timeval){ 0, 0 };
	CHECK_EQ(select((c > s ? c : s) + 1, &r, &w, NULL, &tv), 1);
	CHECK(FD_ISSET(s, &w) && !FD_ISSET(c, &r));
	struct timeval to = { 0, 200000 };
	CHECK_OK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &to, sizeof(to)));
	char buf[8];
	int64_t t0 = ut_now_ns();
	CHECK_ERR(E(read(c, buf, 1)), EAGAIN);
	CHECK(ut_now_ns() - t0 >= 190000000);
	CHECK_EQ(write(s, "ping", 4), 4);
	struct pollfd p = { c, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	int n = 0;
	CHECK_OK(ioctl(c, FIONREAD, &n));
	CHECK_EQ(n, 4);
	CHECK_EQ(read(c, buf, sizeof(buf)), 4);
	CHECK_OK(close(s));
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_EQ(read(c, buf, sizeof(buf)), 0);
	close(c);
	close(l);
}

/* shutdown(SHUT_WR): the peer reads the end and can still answer; writing after it, and
 * to a peer that is gone, gives EPIPE (SIGPIPE unless MSG_NOSIGNAL). */
static void test_shutdown_epipe_body(void)
{
	uint16_t port;
	int l = listener(LOOP, &port);
	int s = connect_to(LOOP, port);
	int c = accept(l, NULL, NULL);
	CHECK_OK(c);
	CHECK_OK(shutdown(s, SHUT_WR));
	char buf[8];
	CHECK_EQ(read(c, buf, sizeof(buf)), 0);
	CHECK_EQ(write(c, "late", 4), 4);
	CHECK_EQ(read(s, buf, sizeof(buf)), 4);
	CHECK_ERR(E(send(s, "x", 1, MSG_NOSIGNAL)), EPIPE);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(E(write(s, "x", 1)), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		(void)write(s, "x", 1);
		_exit(0);
	}
	int st = ut_wait(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	CHECK_ERR(E(shutdown(l, SHUT_RDWR)), ENOTCONN);
	close(s);
	close(c);
	close(l);
}

/* The server's count of open TCP sockets (NET_STATS, root). */
static uint64_t tcp_active(void)
{
	struct t_net_stats *st;
	struct t_msg m = { .fn = TFN_NET_STATS };
	struct t_ica ica;
	CHECK_OK(t_ica_create(1, 0, &ica));
	m.ctl = ica.rid;
	CHECK_OK(t_srv_call(&m));
	st = (struct t_net_stats *)m.ctl_addr;
	uint64_t n = st->tcp_active;
	CHECK_OK(t_res_delete(ica.rid));
	return n;
}

/* 200 connections from 10 processes at once (20 open at a time), all closed: the server's TCP
 * sockets go back to where they were (TIME_WAIT ones leave the table on their own). */
static void test_200_body(void)
{
	uint16_t port;
	uint64_t before = tcp_active();
	int l = listener(LOOP, &port);
	CHECK_OK(listen(l, 128));                /* room for all that connect at once */
	/* small buffers: the server keeps a closed connection's buffers through TIME_WAIT, and
	 * 200 of 128 KiB each would be most of its memory budget */
	small_bufs(l);
	struct timeval to = { 30, 0 };
	CHECK_OK(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &to, sizeof(to)));
	int kids[10];
	for (int k = 0; k < 10; k++) {
		kids[k] = fork();
		CHECK_OK(kids[k]);
		if (kids[k] == 0) {
			int fds[2];              /* 20 each, 2 open at a time */
			for (int round = 0; round < 10; round++) {
				for (int i = 0; i < 2; i++)
					fds[i] = connect_small(LOOP, port);
				for (int i = 0; i < 2; i++)
					close(fds[i]);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < 200; i++) {
		int c = accept(l, NULL, NULL);
		CHECK_OK(E(c));
		close(c);
	}
	for (int k = 0; k < 10; k++)
		CHECK_EQ(ut_wait(kids[k]), 0);
	close(l);
	uint64_t after = 0;
	for (int i = 0; i < 600 && (after = tcp_active()) > before; i++)
		msleep(100);
	CHECK_EQ(after, before);
}

/* svc stops the server while calls wait in other processes: each returns an error at
 * once; `svc start net` and new sockets work, the old ones stay dead. */
static void test_server_killed_body(void)
{
	uint16_t port;
	int l = listener(LOOP, &port);
	int s = connect_to(LOOP, port);
	int c = accept(l, NULL, NULL);           /* kid 1 waits for a second one */
	CHECK_OK(c);
	int kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		CHECK_OK(kids[k]);
		if (kids[k] == 0) {
			char c;
			long r = k ? E(accept(l, NULL, NULL)) : E(read(s, &c, 1));
			_exit(r == -ENETDOWN ? 0 : 10 + (int)-r);
		}
	}
	msleep(200);
	int64_t t0 = ut_now_ns();
	svc_net("stop");
	for (int k = 0; k < 2; k++)
		CHECK_EQ(ut_wait(kids[k]), 0);
	CHECK(ut_now_ns() - t0 < 5000000000ll);
	struct pollfd p = { s, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK(p.revents & POLLERR);
	CHECK_ERR(E(socket(AF_INET, SOCK_STREAM, 0)), ENETDOWN);
	svc_net("start");
	close(s);
	close(l);
	close(c);
	l = listener(LOOP, &port);
	s = connect_to(LOOP, port);
	c = accept(l, NULL, NULL);
	CHECK_OK(c);
	CHECK_EQ(write(s, "again", 5), 5);
	char buf[8];
	CHECK_EQ(read(c, buf, sizeof(buf)), 5);
	close(c);
	close(s);
	close(l);
}

static void test_tcp_echo(void)
{
	test_tcp_echo_body();
	fresh_server();
}

static void test_udp(void)
{
	test_udp_body();
	fresh_server();
}

static void test_nonblock_connect(void)
{
	test_nonblock_connect_body();
	fresh_server();
}

static void test_readiness(void)
{
	test_readiness_body();
	fresh_server();
}

static void test_shutdown_epipe(void)
{
	test_shutdown_epipe_body();
	fresh_server();
}

static void test_200(void)
{
	test_200_body();
	fresh_server();
}

static void test_server_killed(void)
{
	test_server_killed_body();
	fresh_server();
}

/* For the runner, once before the tests: the first socket calls and the first restart of
 * the server grow kernel structures for good (the page tables of the system-wide
 * addresses of the session's ICAs, slab pages), which is no test's leak. */
void ut_sock_warm(void)
{
	struct t_fn_stat st[64];
	uint32_t total = 0;
	int n = t_srv_stat(st, 64, &total), have = 0;
	for (int i = 0; i < n; i++)
		have |= st[i].fn == TFN_NET_SOCKET;
	if (!have)
		return;
	fresh_server();
	echo_over(LOOP);
	test_udp_body();
	fresh_server();
}

/* IP_TTL (1..255, -1 for the default 64) and IP_RECVERR, which glibc's resolver sets on its
 * UDP socket and gives up without. */
static void test_ip_options(void)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(u);
	CHECK_OK(t);
	int v = 0;
	socklen_t len = sizeof(v);
	CHECK_OK(getsockopt(u, IPPROTO_IP, IP_TTL, &v, &len));
	CHECK_EQ(v, 64);
	v = 5;
	CHECK_OK(setsockopt(t, IPPROTO_IP, IP_TTL, &v, sizeof(v)));
	CHECK_OK(getsockopt(t, IPPROTO_IP, IP_TTL, &v, &len));
	CHECK_EQ(v, 5);
	int bad[] = { 0, 256, -2 };
	for (int i = 0; i < 3; i++)
		CHECK_ERR(E(setsockopt(u, IPPROTO_IP, IP_TTL, &bad[i], sizeof(int))), EINVAL);
	v = -1;
	CHECK_OK(setsockopt(t, IPPROTO_IP, IP_TTL, &v, sizeof(v)));
	CHECK_OK(getsockopt(t, IPPROTO_IP, IP_TTL, &v, &len));
	CHECK_EQ(v, 64);
	v = 1;
	CHECK_OK(setsockopt(u, IPPROTO_IP, IP_RECVERR, &v, sizeof(v)));
	v = 0;
	CHECK_OK(getsockopt(u, IPPROTO_IP, IP_RECVERR, &v, &len));
	CHECK_EQ(v, 1);
	CHECK_ERR(E(setsockopt(u, IPPROTO_IP, 9999, &v, sizeof(v))), ENOPROTOOPT);
	close(u);
	close(t);
}

/* sendmmsg and recvmmsg: three datagrams each way in one call, lengths written back;
 * MSG_WAITFORONE returns what is there once one has come; bad vectors get EFAULT. */
static void test_mmsg(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_OK(a);
	CHECK_OK(b);
	struct sockaddr_in sb = sin_of(LOOP, 0);
	socklen_t len = sizeof(sb);
	CHECK_OK(bind(b, (struct sockaddr *)&sb, sizeof(sb)));
	CHECK_OK(getsockname(b, (struct sockaddr *)&sb, &len));
	CHECK_OK(connect(a, (struct sockaddr *)&sb, sizeof(sb)));
	static const char *const words[] = { "one", "three", "fifteen" };
	struct iovec iov[3];
	struct mmsghdr m[4];
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 3; i++) {
		iov[i] = (struct iovec){ (void *)words[i], strlen(words[i]) };
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK_EQ(sendmmsg(a, m, 3, 0), 3);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(m[i].msg_len, strlen(words[i]));
	char bufs[4][32];
	struct iovec riov[4];
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 4; i++) {
		riov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
		m[i].msg_hdr.msg_iov = &riov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	struct pollfd p = { b, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	int got = 0;
	for (int tries = 0; got < 3 && tries < 50; tries++) {
		int n = recvmmsg(b, m + got, 4 - got, MSG_WAITFORONE, NULL);
		CHECK(n >= 1);
		got += n;
	}
	CHECK_EQ(got, 3);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(m[i].msg_len, strlen(words[i]));
		CHECK(memcmp(bufs[i], words[i], strlen(words[i])) == 0);
	}
	CHECK_ERR(E(recvmmsg(b, m, 1, MSG_DONTWAIT, NULL)), EAGAIN);
	/* musl does sendmmsg in user space and touches the vector first: the raw calls */
	CHECK_EQ(tsys_sendmmsg(a, (long)m, 0, 0), 0);
	CHECK_ERR(tsys_sendmmsg(a, 8, 2, 0), EFAULT);
	CHECK_ERR(tsys_recvmmsg(b, 8, 2, 0, 0), EFAULT);
	struct timespec bad = { 0, 2000000000 };
	CHECK_ERR(tsys_recvmmsg(b, (long)m, 1, 0, (long)&bad), EINVAL);
	CHECK_EQ(tsys_sendmmsg(a, (long)m, 1, 0), 1);     /* what recvmmsg just filled */
	CHECK_EQ(tsys_recvmmsg(b, (long)m, 1, 0, 0), 1);
	close(a);
	close(b);
}

const struct utest ut_sock_tests[] = {
	{ "sock_mmsg", test_mmsg },
	{ "sock_ip_options", test_ip_options },
	{ "sock_tcp_echo", test_tcp_echo },
	{ "sock_udp", test_udp },
	{ "sock_nonblock_connect", test_nonblock_connect },
	{ "sock_readiness", test_readiness },
	{ "sock_shutdown_epipe", test_shutdown_epipe },
	{ "sock_200", test_200 },
	{ "sock_server_killed", test_server_killed },
	{ NULL, NULL },
};
