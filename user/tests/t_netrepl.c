/*
 * Live replacement of the network server (docs/replacement.md, docs/network.md): Linux
 * sockets of this process stay open across `t_repl_request` of the server of TFN_NET_SOCKET.
 * Loopback TCP connections move data both ways (seeded patterns, every byte checked) while a
 * child replaces the server twice; a reader blocked in read() during a replacement
 * wakes for data written after it; a listener accepts before and after; UDP datagrams queued
 * before a replacement are read after it. The rollback cases (a program that is no server, a
 * server crashing while it holds the state, a rejected state) leave the old server serving
 * the same connections. Each test leaves a freshly started server, as the sock_ tests do
 * (their name gives them the runner's slack for that restart).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/netproto.h"
#include "libtessera.h"
#include "utest.h"

#define LOOP 0x7f000001u
#define PUMP_BYTES (2u << 20)
/* Two: each replacement leaves a few pages (3-4) of kernel memory in use until a later
 * replacement or restart of the server gives them back; with five, the free-page count at
 * the test's end was off by 19 in full guest-suite runs, beyond the runner's restart slack
 * (docs/replacement.md, Limits). The net suite replaces the server 30 times in transfers. */
#define PUMP_REPLACEMENTS 2

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

static void fresh_server(void)
{
	svc_net("stop");
	svc_net("start");
}

static int net_pid(void)
{
	struct t_repl_stat st;
	CHECK_OK(t_repl_stat(TFN_NET_SOCKET, &st));
	return st.pid;
}

/* Replaces the network server with argv (its program first): the request's status. */
static int replace_net(const char *const *argv, struct t_repl_result *res)
{
	struct t_repl_req req = { .fn = TFN_NET_SOCKET, .path = argv[0], .argv = argv };
	return t_repl_request(&req, res);
}

static const char *const net_prog[] = { "/servers/net", NULL };

/* The old server of a committed replacement ends (step 12) and is reaped by its parent:
 * whether pid is gone within 5 s. */
static bool gone(int pid)
{
	for (int i = 0; i < 5000; i++) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		msleep(1);
	}
	return false;
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	return (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
				     .sin_addr.s_addr = htonl(addr) };
}

static int listener(uint16_t *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	CHECK_OK(s);
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)));
	struct sockaddr_in a = sin_of(LOOP, 0);
	socklen_t len = sizeof(a);
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(s, 8));
	CHECK_OK(getsockname(s, (struct sockaddr *)&a, &len));
	*port = ntohs(a.sin_port);
	return s;
}

/* A connection to the listener l (on port): *client, *served. */
static void connect_pair(int l, uint16_t port, int *client, int *served)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(c);
	struct sockaddr_in a = sin_of(LOOP, port);
	CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof(a)));
	int v = accept(l, NULL, NULL);
	CHECK_OK(v);
	*client = c;
	*served = v;
}

/* Byte i of direction d's stream. */
static uint8_t pat(uint64_t i, int d)
{
	uint64_t x = (i / 8 + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)(d + 1) * 0xBF58476D1CE4E5B9ull;
	x ^= x >> 29;
	return (uint8_t)(x >> (i % 8 * 8));
}

struct dir {
	int out, in;            /* this direction is written on out, read on in */
	uint64_t sent, got;
};

/* One step of direction d: write what the socket takes, read what is there, check it. */
static void pump_step(struct dir *x, int d, uint64_t total)
{
	static uint8_t buf[8192];
	if (x->sent < total) {
		size_t n = total - x->sent < sizeof(buf) ? total - x->sent : sizeof(buf);
		for (size_t k = 0; k < n; k++)
			buf[k] = pat(x->sent + k, d);
		ssize_t w = send(x->out, buf, n, MSG_DONTWAIT);
		if (w < 0 && errno != EAGAIN)
			FAIL("send on direction %d: %d", d, errno);
		x->sent += w > 0 ? (uint64_t)w : 0;
	}
	ssize_t r = recv(x->in, buf, sizeof(buf), MSG_DONTWAIT);
	if (r < 0 && errno != EAGAIN)
		FAIL("recv on direction %d: %d", d, errno);
	for (ssize_t k = 0; k < r; k++)
		if (buf[k] != pat(x->got + (uint64_t)k, d))
			FAIL("direction %d: byte %llu wrong", d, (unsigned long long)(x->got + k));
	x->got += r > 0 ? (uint64_t)r : 0;
	CHECK(r != 0 || x->got == total);      /* no end of stream before the end */
}

/* Moves total bytes each way between a and b, checking each, until both arrived. */
static void pump(int a, int b, uint64_t total)
{
	struct dir x[2] = { { a, b, 0, 0 }, { b, a, 0, 0 } };
	int64_t deadline = ut_now_ns() + 120ll * 1000000000;
	while (x[0].got < total || x[1].got < total) {
		struct pollfd p[2] = { { a, POLLIN | POLLOUT, 0 }, { b, POLLIN | POLLOUT, 0 } };
		CHECK_OK(poll(p, 2, 1000));
		pump_step(&x[0], 0, total);
		pump_step(&x[1], 1, total);
		if (ut_now_ns() > deadline)
			FAIL("pump: %llu and %llu of %llu bytes after 120 s",
			     (unsigned long long)x[0].got, (unsigned long long)x[1].got,
			     (unsigned long long)total);
	}
}

/* A child replacing the network server n times, a few ms apart: exits with the number that
 * failed (and 100 + n for an old server that did not end). */
static int start_replacer(int n)
{
	int pid = fork();
	CHECK_OK(pid);
	if (pid)
		return pid;
	int bad = 0;
	for (int i = 0; i < n; i++) {
		struct t_repl_result res;
		msleep(20);
		if (replace_net(net_prog, &res) || res.new_pid == res.old_pid || res.moved_claims > 1 ||
		    !gone(res.old_pid))
			bad++;
	}
	_exit(bad);
}

/* A child blocked in read() on s: exits 0 once it has read the word "after". */
static int start_reader(int s)
{
	int pid = fork();
	CHECK_OK(pid);
	if (pid)
		return pid;
	char buf[8] = { 0 };
	ssize_t n = read(s, buf, sizeof(buf));
	_exit(n == 5 && memcmp(buf, "after", 5) == 0 ? 0 : 1);
}

/* TCP both ways through several replacements; a reader blocked across one; a listener
 * accepting before and after. */
static void test_tcp(void)
{
	uint16_t port;
	int l = listener(&port), c, v, c2, v2;
	connect_pair(l, port, &c, &v);
	connect_pair(l, port, &c2, &v2);
	int reader = start_reader(v2);
	msleep(50);                            /* the reader waits in read() */
	int first = net_pid();
	int repl = start_replacer(PUMP_REPLACEMENTS);
	pump(c, v, PUMP_BYTES);
	int st = ut_wait(repl);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK(net_pid() != first);
	struct t_repl_stat rs;
	CHECK_OK(t_repl_stat(TFN_NET_SOCKET, &rs));
	CHECK_EQ(rs.version, 2);
	CHECK(rs.replacements >= PUMP_REPLACEMENTS);
	CHECK_EQ(write(c2, "after", 5), 5);    /* wakes the reader, blocked since before */
	st = ut_wait(reader);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	int c3, v3;
	connect_pair(l, port, &c3, &v3);       /* the listener of before accepts */
	pump(c3, v3, 65536);
	pump(c, v, 65536);                     /* and the old connection goes on */
	for (int s = 0; s < 7; s++)
		CHECK_OK(close((int[]){ l, c, v, c2, v2, c3, v3 }[s]));
	fresh_server();
}

static int udp_sock(uint16_t *port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_OK(s);
	struct sockaddr_in a = sin_of(LOOP, 0);
	socklen_t len = sizeof(a);
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(getsockname(s, (struct sockaddr *)&a, &len));
	*port = ntohs(a.sin_port);
	return s;
}

static void udp_send(int s, uint16_t port, const char *msg)
{
	struct sockaddr_in a = sin_of(LOOP, port);
	CHECK_EQ(sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof(a)), (long)strlen(msg));
}

static void udp_expect(int s, uint16_t from, const char *msg)
{
	char buf[64];
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	struct pollfd p = { s, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&a, &len);
	CHECK_EQ(n, (long)strlen(msg));
	CHECK(memcmp(buf, msg, (size_t)n) == 0);
	CHECK_EQ(ntohs(a.sin_port), from);
}

/* UDP sockets across a replacement: what was queued before is read after, both ways. */
static void test_udp(void)
{
	uint16_t pa, pb;
	int a = udp_sock(&pa), b = udp_sock(&pb);
	udp_send(a, pb, "queued before");
	udp_send(b, pa, "the other way");
	msleep(20);
	struct t_repl_result res;
	CHECK_OK(replace_net(net_prog, &res));
	CHECK(gone(res.old_pid));
	CHECK_EQ(res.old_version, 2);
	CHECK_EQ(res.new_version, 2);
	CHECK_EQ(res.moved_fns, 17);
	udp_expect(b, pa, "queued before");
	udp_expect(a, pb, "the other way");
	udp_send(a, pb, "after");
	udp_expect(b, pa, "after");
	CHECK_OK(close(a));
	CHECK_OK(close(b));
	fresh_server();
}

/* A failed replacement leaves the old server with the connection and its unread data. */
static void rollback(const char *const *argv, int err, int c, int v, int round)
{
	char msg[16] = "unread-0", buf[16];
	msg[7] = (char)('0' + round);
	int pid = net_pid();
	CHECK_EQ(write(c, msg, 8), 8);
	msleep(20);
	struct t_repl_result res;
	CHECK_EQ(replace_net(argv, &res), err);
	CHECK_EQ(net_pid(), pid);
	struct pollfd p = { v, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_EQ(read(v, buf, sizeof(buf)), 8);
	CHECK(memcmp(buf, msg, 8) == 0);
	pump(c, v, 32768);
}

static void test_rollback(void)
{
	static const char *const not_server[] = { "/bin/false", NULL };
	static const char *const crash[] = { "/servers/net", "-X", "crash", NULL };
	static const char *const reject[] = { "/servers/net", "-X", "reject", NULL };
	uint16_t port;
	int l = listener(&port), c, v;
	connect_pair(l, port, &c, &v);
	rollback(not_server, -ECHILD, c, v, 1);
	rollback(crash, -ECHILD, c, v, 2);
	rollback(reject, -EPROTO, c, v, 3);
	struct t_repl_result res;
	CHECK_OK(replace_net(net_prog, &res));  /* and a good one after them */
	CHECK(gone(res.old_pid));
	pump(c, v, 32768);
	CHECK_OK(close(c));
	CHECK_OK(close(v));
	CHECK_OK(close(l));
	fresh_server();
}

const struct utest ut_netrepl_tests[] = {
	{ "sock_repl_tcp", test_tcp },
	{ "sock_repl_udp", test_udp },
	{ "sock_repl_rollback", test_rollback },
	{ NULL, NULL },
};
