/*
 * Tests of the kernel's socket layer (kernel/net, docs/network.md) against a small fake
 * network server that runs in a child of the test and speaks abi/netproto.h: every socket
 * loops back to itself (what is sent on it is what it receives), connect completes one
 * event after its -EINPROGRESS, accept never has a connection. So the kernel's part is
 * tested alone: the asynchronous NET_EVENTS request and the readiness cache, blocking and
 * waking, poll and select, timeouts, signals, argument checks, and the server's death.
 * (t_sock.c tests real TCP and UDP through servers/net.)
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/netproto.h"
#include "abi/srv.h"
#include "libtessera.h"
#include "utest.h"

#define NFAKE 24
#define FAKE_CAP 8192

struct fsock {
	bool used, connecting, connected, shut_wr;
	size_t n;
	uint8_t buf[FAKE_CAP];
};

static struct fsock fs[NFAKE];
static struct t_msg ev_req;              /* the NET_EVENTS request held, if ev_held */
static bool ev_held;
static struct t_net_event pend[64];
static int npend;

/* A call's result as the kernel gave it: -errno on failure. */
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

static uint32_t readiness(int h)
{
	return (fs[h].n || fs[h].shut_wr ? POLLIN : 0) | POLLOUT;
}

/* Answer the held NET_EVENTS with what is pending. */
static void flush_events(void)
{
	if (!ev_held || !npend)
		return;
	struct t_msg r = ev_req;
	int n = npend < (int)r.arg[0] ? npend : (int)r.arg[0];
	memcpy((void *)r.data_addr, pend, (size_t)n * sizeof(pend[0]));
	r.status = 0;
	r.arg[0] = (uint64_t)n;
	npend = 0;
	ev_held = false;
	t_srv_reply(&r);
}

static void push_event(int h)
{
	for (int i = 0; i < npend; i++) {
		if (pend[i].handle == h) {
			pend[i].revents = readiness(h);
			return;
		}
	}
	if (npend < 64)
		pend[npend++] = (struct t_net_event){ h, readiness(h) };
}

static int fake_recv(struct t_msg *m, int h)
{
	size_t len = m->arg[1];
	if (!fs[h].n)
		return fs[h].shut_wr ? (m->arg[0] = 0, 0) : -EAGAIN;
	size_t got = len < fs[h].n ? len : fs[h].n;
	memcpy((void *)m->data_addr, fs[h].buf, got);
	m->arg[3] = fs[h].n;
	if (!(m->arg[2] & TNET_MSG_PEEK)) {
		memmove(fs[h].buf, fs[h].buf + got, fs[h].n - got);
		fs[h].n -= got;
	}
	m->arg[0] = got;
	m->arg[1] = 0x7f000001;
	m->arg[2] = 4242;
	return 0;
}

static int fake_send(struct t_msg *m, int h)
{
	size_t len = m->arg[1], room = FAKE_CAP - fs[h].n;
	if (fs[h].shut_wr)
		return -EPIPE;
	if (!room)
		return -EAGAIN;
	size_t put = len < room ? len : room;
	memcpy(fs[h].buf + fs[h].n, (void *)m->data_addr, put);
	fs[h].n += put;
	m->arg[0] = put;
	push_event(h);
	return 0;
}

static int fake_connect(struct t_msg *m, int h)
{
	(void)m;
	if (fs[h].connected)
		return -EISCONN;
	if (fs[h].connecting) {
		return -EALREADY;
	}
	fs[h].connecting = true;
	fs[h].connected = true;          /* done by the next event */
	push_event(h);
	return -EINPROGRESS;
}

static int fake_socket(struct t_msg *m)
{
	for (int h = 1; h < NFAKE; h++) {
		if (!fs[h].used) {
			memset(&fs[h], 0, sizeof(fs[h]));
			fs[h].used = true;
			m->arg[0] = (uint64_t)h;
			return 0;
		}
	}
	return -ENOMEM;
}

static int open_count(void)
{
	int n = 0;
	for (int h = 1; h < NFAKE; h++)
		n += fs[h].used;
	return n;
}

/* One request; returns its status (the held NET_EVENTS: 1, no answer now). */
static int fake_handle(struct t_msg *m)
{
	int h = (int)m->arg[0];
	if (m->fn == TFN_NET_EVENTS) {
		ev_req = *m;
		ev_held = true;
		return 1;
	}
	if (m->fn == TFN_NET_SOCKET)
		return fake_socket(m);
	if (m->fn == TFN_NET_STATS) {
		m->arg[0] = (uint64_t)open_count();
		return 0;
	}
	if (h < 1 || h >= NFAKE || !fs[h].used)
		return -EBADF;
	switch (m->fn) {
	case TFN_NET_CLOSE: fs[h].used = false; return 0;
	case TFN_NET_RECV: return fake_recv(m, h);
	case TFN_NET_SEND: return fake_send(m, h);
	case TFN_NET_CONNECT: return fake_connect(m, h);
	case TFN_NET_ACCEPT: return -EAGAIN;
	case TFN_NET_POLL: m->arg[0] = readiness(h); m->arg[1] = fs[h].n; return 0;
	case TFN_NET_SHUTDOWN: fs[h].shut_wr = m->arg[1] != 0; push_event(h); return 0;
	case TFN_NET_GETNAME: m->arg[0] = 0x0a00020f; m->arg[1] = 1000 + (uint64_t)h; return 0;
	case TFN_NET_GETOPT: m->arg[0] = 1234; return 0;
	case TFN_NET_BIND: case TFN_NET_LISTEN: case TFN_NET_SETOPT: return 0;
	default: return -ENOSYS;
	}
}

static _Noreturn void fake_main(void)
{
	struct t_msg m;
	for (;;) {
		if (t_srv_recv(&m, 0) < 0)
			_exit(3);
		int st = fake_handle(&m);
		if (st != 1) {
			m.status = st;
			t_srv_reply(&m);
		}
		flush_events();
	}
}

static bool real_stopped;               /* the real server is to be started again */

static void svc_net(const char *op)
{
	const char *argv[] = { "svc", op, "net", NULL };
	CHECK_EQ(ut_run("/bin/svc", argv), 0);
}

/* The fake server in a child, holding the NET_* ids (the real one stopped meanwhile). */
static int start_fake(void)
{
	struct t_fn_stat st[64];
	uint32_t total = 0;
	int n = t_srv_stat(st, 64, &total);
	for (int i = 0; i < n; i++) {
		if (st[i].fn == TFN_NET_SOCKET) {
			svc_net("stop");
			real_stopped = true;
		}
	}
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0)
		fake_main();
	for (uint32_t fn = TFN_NET_SOCKET; fn <= TFN_NET_STATS; fn++)
		CHECK_OK(t_fn_register(fn, pid, 0));
	return pid;
}

static void stop_fake(int pid)
{
	CHECK_OK(kill(pid, SIGKILL));
	ut_wait(pid);
	if (real_stopped)
		svc_net("start");
	real_stopped = false;
}

/* Sockets the fake server has open (asked directly: root may call NET_* ids). */
static int fake_open(void)
{
	struct t_msg m = { .fn = TFN_NET_STATS };
	CHECK_OK(t_srv_call(&m));
	return (int)m.arg[0];
}

static int tcp_socket(int flags)
{
	int s = socket(AF_INET, SOCK_STREAM | flags, 0);
	CHECK_OK(s);
	return s;
}

static void test_basic(void)
{
	int pid = start_fake();
	int s = tcp_socket(SOCK_CLOEXEC);
	struct stat st;
	CHECK_OK(fstat(s, &st));
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_EQ(fcntl(s, F_GETFD), FD_CLOEXEC);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80) };
	CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof(a)));
	socklen_t len = sizeof(a);
	CHECK_OK(getsockname(s, (struct sockaddr *)&a, &len));
	CHECK_EQ(len, sizeof(a));
	CHECK_EQ(ntohl(a.sin_addr.s_addr), 0x0a00020f);
	CHECK_EQ(a.sin_family, AF_INET);
	int v = 0;
	len = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
	CHECK_EQ(v, SOCK_STREAM);
	CHECK_OK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len));
	CHECK_EQ(v, 1234);                       /* the server's answer */
	struct timeval tv = { 2, 500000 };
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	memset(&tv, 0, sizeof(tv));
	len = sizeof(tv);
	CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
	CHECK(tv.tv_sec == 2 && tv.tv_usec == 500000 && len == sizeof(tv));
	/* gathered out, peeked, counted, scattered in */
	char a1[] = "hello ", a2[] = "sockets";
	struct iovec out[2] = { { a1, 6 }, { a2, 7 } };
	struct msghdr mh = { .msg_iov = out, .msg_iovlen = 2 };
	CHECK_EQ(sendmsg(s, &mh, 0), 13);
	int n = 0;
	CHECK_OK(ioctl(s, FIONREAD, &n));
	CHECK_EQ(n, 13);
	char b1[5], b2[20];
	CHECK_EQ(recv(s, b2, 5, MSG_PEEK), 5);
	CHECK(!memcmp(b2, "hello", 5));
	struct iovec in[2] = { { b1, 5 }, { b2, sizeof(b2) } };
	struct sockaddr_in from;
	mh = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = in,
			      .msg_iovlen = 2 };
	CHECK_EQ(recvmsg(s, &mh, 0), 13);
	CHECK(!memcmp(b1, "hello", 5) && !memcmp(b2, " sockets", 8));
	CHECK_EQ(ntohs(from.sin_port), 4242);
	CHECK_EQ(mh.msg_namelen, sizeof(from));
	CHECK_EQ(fake_open(), 1);
	int d = dup(s);
	CHECK_OK(close(s));
	CHECK_EQ(fake_open(), 1);               /* the socket lives while a descriptor does */
	CHECK_OK(close(d));
	CHECK_EQ(fake_open(), 0);
	stop_fake(pid);
}

/* A child writes later; a blocked read, poll and select each wake for it. */
static void test_wake(void)
{
	int pid = start_fake();
	int s = tcp_socket(0);
	char buf[16];
	for (int round = 0; round < 3; round++) {
		int c = fork();
		CHECK_OK(c);
		if (c == 0) {
			msleep(100);
			_exit(write(s, "wake", 4) == 4 ? 0 : 1);
		}
		int64_t t0 = ut_now_ns();
		if (round == 1) {
			struct pollfd p = { s, POLLIN, 0 };
			CHECK_EQ(poll(&p, 1, 5000), 1);
			CHECK(p.revents & POLLIN);
		} else if (round == 2) {
			fd_set r;
			FD_ZERO(&r);
			FD_SET(s, &r);
			struct timeval tv = { 5, 0 };
			CHECK_EQ(select(s + 1, &r, NULL, NULL, &tv), 1);
			CHECK(FD_ISSET(s, &r));
		}
		CHECK_EQ(read(s, buf, sizeof(buf)), 4);
		CHECK(ut_now_ns() - t0 >= 90000000 && ut_now_ns() - t0 < 3000000000ll);
		CHECK_EQ(ut_wait(c), 0);
	}
	close(s);
	stop_fake(pid);
}

static void test_timeouts(void)
{
	int pid = start_fake();
	int s = tcp_socket(SOCK_NONBLOCK);
	char c;
	CHECK_ERR(E(read(s, &c, 1)), EAGAIN);
	CHECK_OK(fcntl(s, F_SETFL, 0));
	CHECK_ERR(E(recv(s, &c, 1, MSG_DONTWAIT)), EAGAIN);
	int on = 1;
	CHECK_OK(ioctl(s, FIONBIO, &on));
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK);
	on = 0;
	CHECK_OK(ioctl(s, FIONBIO, &on));
	struct timeval tv = { 0, 200000 };
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	int64_t t0 = ut_now_ns();
	CHECK_ERR(E(read(s, &c, 1)), EAGAIN);
	int64_t took = ut_now_ns() - t0;
	CHECK(took >= 190000000 && took < 2000000000);
	struct pollfd p = { s, POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLOUT);
	p.events = POLLIN;
	t0 = ut_now_ns();
	CHECK_EQ(poll(&p, 1, 150), 0);
	CHECK(ut_now_ns() - t0 >= 140000000);
	close(s);
	stop_fake(pid);
}

static void test_connect(void)
{
	int pid = start_fake();
	int s = tcp_socket(SOCK_NONBLOCK);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7),
				 .sin_addr.s_addr = htonl(0x7f000001) };
	CHECK_ERR(E(connect(s, (struct sockaddr *)&a, sizeof(a))), EINPROGRESS);
	struct pollfd p = { s, POLLOUT, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK_ERR(E(connect(s, (struct sockaddr *)&a, sizeof(a))), EISCONN);
	int b = tcp_socket(0);
	CHECK_OK(connect(b, (struct sockaddr *)&a, sizeof(a)));   /* waits for the event */
	close(s);
	close(b);
	stop_fake(pid);
}

static volatile int got_alarm;
static void on_alarm(int sig)
{
	(void)sig;
	got_alarm = 1;
}

/* A signal ends a blocked accept (EINTR: no SA_RESTART) and a blocked read. */
static void test_signal(void)
{
	int pid = start_fake();
	int s = tcp_socket(0);
	struct sigaction sa = { .sa_handler = on_alarm };
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	int64_t t0 = ut_now_ns();
	CHECK_ERR(E(accept(s, NULL, NULL)), EINTR);
	CHECK(got_alarm && ut_now_ns() - t0 < 5000000000ll);
	got_alarm = 0;
	alarm(1);
	char c;
	CHECK_ERR(E(read(s, &c, 1)), EINTR);
	CHECK(got_alarm);
	close(s);
	stop_fake(pid);
}

/* The server killed while calls wait: they end at once with ENETDOWN, the sockets read
 * POLLERR|POLLHUP, new sockets fail until a server has the ids again. */
static void test_dead(void)
{
	int pid = start_fake();
	int s = tcp_socket(0);
	int c = fork();
	CHECK_OK(c);
	if (c == 0) {
		msleep(150);
		kill(pid, SIGKILL);
		_exit(0);
	}
	char ch;
	int64_t t0 = ut_now_ns();
	CHECK_ERR(E(read(s, &ch, 1)), ENETDOWN);
	CHECK(ut_now_ns() - t0 < 3000000000ll);
	CHECK_EQ(ut_wait(c), 0);
	ut_wait(pid);
	struct pollfd p = { s, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 0), 1);
	CHECK_EQ(p.revents, POLLERR | POLLHUP);
	CHECK_ERR(E(write(s, "x", 1)), ENETDOWN);
	CHECK_ERR(E(socket(AF_INET, SOCK_DGRAM, 0)), ENETDOWN);
	pid = start_fake();
	int s2 = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_OK(s2);
	CHECK_EQ(sendto(s2, "ok", 2, 0, NULL, 0), 2);
	CHECK_EQ(recv(s2, &ch, 1, 0), 1);
	CHECK_ERR(E(read(s, &ch, 1)), ENETDOWN);      /* the old one stays dead */
	close(s);
	close(s2);
	CHECK_EQ(fake_open(), 0);
	stop_fake(pid);
}

/* shutdown(SHUT_WR): the reader sees the end, the writer EPIPE and SIGPIPE. */
static void test_epipe(void)
{
	int pid = start_fake();
	int s = tcp_socket(0);
	CHECK_OK(shutdown(s, SHUT_WR));
	char c;
	CHECK_EQ(read(s, &c, 1), 0);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(E(write(s, "x", 1)), EPIPE);
	CHECK_ERR(E(send(s, "x", 1, MSG_NOSIGNAL)), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	int ch = fork();
	CHECK_OK(ch);
	if (ch == 0) {
		(void)write(s, "x", 1);
		_exit(0);
	}
	int st = ut_wait(ch);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	close(s);
	stop_fake(pid);
}

/* A caller killed in a blocked call and in the middle of many: nothing left behind (the
 * runner counts pages and ICAs), the server's sockets all closed. */
static void test_killed_caller(void)
{
	int pid = start_fake();
	int c = fork();
	CHECK_OK(c);
	if (c == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		char ch;
		(void)read(s, &ch, 1);
		_exit(1);
	}
	msleep(100);
	CHECK_OK(kill(c, SIGKILL));
	CHECK(WIFSIGNALED(ut_wait(c)));
	for (int i = 0; i < 20 && fake_open(); i++)
		msleep(10);
	CHECK_EQ(fake_open(), 0);
	stop_fake(pid);
}

static void test_bad_args(void)
{
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	CHECK_ERR(E(socket(AF_IPX, SOCK_STREAM, 0)), EAFNOSUPPORT);   /* AF_UNIX: t_unix.c */
	CHECK_ERR(E(socket(AF_INET6, SOCK_STREAM, 0)), EAFNOSUPPORT);
	CHECK_ERR(E(socket(AF_INET, SOCK_STREAM | 0x100, 0)), EINVAL);
	CHECK_ERR(E(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)), EPROTONOSUPPORT);
	int pfd[2];
	CHECK_OK(pipe(pfd));
	struct sockaddr_in a = { .sin_family = AF_INET };
	CHECK_ERR(E(bind(pfd[0], (struct sockaddr *)&a, sizeof(a))), ENOTSOCK);
	CHECK_ERR(E(listen(99, 1)), EBADF);
	int pid = start_fake();
	int s = tcp_socket(0);
	CHECK_ERR(E(bind(s, (struct sockaddr *)&a, 3)), EINVAL);
	a.sin_family = AF_INET6;
	CHECK_ERR(E(bind(s, (struct sockaddr *)&a, sizeof(a))), EAFNOSUPPORT);
	CHECK_ERR(E(shutdown(s, 7)), EINVAL);
	/* the call itself: musl's accept4 falls back to accept on EINVAL */
	CHECK_ERR(E(syscall(SYS_accept4, s, 0, 0, 0x40)), EINVAL);
	socklen_t len = sizeof(a);
	int v = 0;
	for (int i = 0; i < UT_NBAD; i++) {
		void *b = (void *)bad[i];
		CHECK_ERR(E(bind(s, b, sizeof(a))), EFAULT);
		CHECK_ERR(E(getsockname(s, b, &len)), EFAULT);
		CHECK_ERR(E(getsockname(s, (struct sockaddr *)&a, b)), EFAULT);
		CHECK_ERR(E(write(s, b, 10)), EFAULT);
		CHECK_ERR(E(syscall(SYS_sendmsg, s, b, 0)), EFAULT);   /* musl copies the header */
		CHECK_ERR(E(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, b, 4)), EFAULT);
		CHECK_ERR(E(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, b)), EFAULT);
		if (b)                   /* no sets at all is fine: it would wait for ever */
			CHECK_ERR(E(select(s + 1, b, NULL, NULL, NULL)), EFAULT);
	}
	CHECK_ERR(E(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, 2)), EINVAL);
	struct iovec iov = { (void *)bad[2], 4 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_ERR(E(sendmsg(s, &mh, 0)), EFAULT);
	mh.msg_iovlen = 5000;
	CHECK_ERR(E(sendmsg(s, &mh, 0)), EMSGSIZE);
	/* recvfrom checks where the sender's address goes before taking data */
	CHECK_EQ(write(s, "ab", 2), 2);
	char c;
	CHECK_ERR(E(recvfrom(s, &c, 1, 0, (void *)bad[2], &len)), EFAULT);
	CHECK_EQ(recv(s, &c, 1, 0), 1);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(20, &r);
	CHECK_ERR(E(select(21, &r, NULL, NULL, NULL)), EBADF);
	CHECK_ERR(E(select(-1, NULL, NULL, NULL, NULL)), EINVAL);
	close(s);
	close(pfd[0]);
	close(pfd[1]);
	stop_fake(pid);
}

/* select and pselect6 on pipes (any kind of descriptor, not only sockets). */
static void test_select_pipes(void)
{
	int p[2];
	CHECK_OK(pipe(p));
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timeval tv = { 0, 0 };
	CHECK_EQ(select(p[1] + 1, &r, &w, NULL, &tv), 1);
	CHECK(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	CHECK_EQ(write(p[1], "x", 1), 1);
	FD_SET(p[0], &r);
	struct timespec ts = { 1, 0 };
	sigset_t mask;
	sigemptyset(&mask);
	CHECK_EQ(pselect(p[0] + 1, &r, NULL, NULL, &ts, &mask), 1);
	CHECK(FD_ISSET(p[0], &r));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK_OK(close(p[1]));
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(select(p[0] + 1, &r, NULL, NULL, NULL), 1);   /* the end counts as readable */
	tv = (struct timeval){ 0, 100000 };
	int64_t t0 = ut_now_ns();
	CHECK_EQ(select(0, NULL, NULL, NULL, &tv), 0);
	CHECK(ut_now_ns() - t0 >= 90000000);
	close(p[0]);
}

const struct utest ut_sockfake_tests[] = {
	{ "sock_fake_basic", test_basic },
	{ "sock_fake_wake", test_wake },
	{ "sock_fake_timeouts", test_timeouts },
	{ "sock_fake_connect", test_connect },
	{ "sock_fake_signal", test_signal },
	{ "sock_fake_dead", test_dead },
	{ "sock_fake_epipe", test_epipe },
	{ "sock_fake_killed_caller", test_killed_caller },
	{ "sock_bad_args", test_bad_args },
	{ "select_pipes", test_select_pipes },
	{ NULL, NULL },
};
