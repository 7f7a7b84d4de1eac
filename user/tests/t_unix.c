/*
 * Unix domain sockets (docs/network.md, "Unix domain sockets"), the kernel's own: socketpair
 * of each type with a child at the other end, record boundaries, end of file and EPIPE, the
 * non-blocking calls and poll, sockets bound to a path and to an abstract name with
 * listen/connect/accept, datagrams with their sender's name, and hostile arguments (socket
 * address lengths, a path of 108 bytes without its 0, bad pointers, control data). Each test
 * ends with every socket closed: the runner's leak check finds a queue or slot left.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "utest.h"

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

/* A sockaddr_un for path (abstract: a 0 byte first, then path), and its length. */
static socklen_t mkaddr(struct sockaddr_un *a, const char *path, int abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	size_t n = strlen(path);
	memcpy(a->sun_path + (abstract ? 1 : 0), path, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (abstract ? 1 : 1));
}

static void pair_echo(int type)
{
	int sv[2];
	char buf[64];
	CHECK_OK(E(socketpair(AF_UNIX, type, 0, sv)));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		for (;;) {
			long n = read(sv[1], buf, sizeof(buf));
			if (n <= 0)
				_exit(n == 0 ? 0 : 3);
			for (long i = 0; i < n; i++)
				buf[i] = (char)(buf[i] - 'a' + 'A');
			if (write(sv[1], buf, (size_t)n) != n)
				_exit(4);
		}
	}
	close(sv[1]);
	for (int i = 0; i < 20; i++) {
		CHECK_EQ(E(write(sv[0], "hello", 5)), 5);
		CHECK_EQ(E(read(sv[0], buf, sizeof(buf))), 5);
		CHECK(!memcmp(buf, "HELLO", 5));
	}
	CHECK_EQ(E(send(sv[0], "", 0, 0)), 0);  /* a datagram's end: an empty one */
	close(sv[0]);                          /* a connection's: the end of file */
	CHECK_EQ(ut_wait(pid), 0);
}

static void test_pair_stream(void)
{
	pair_echo(SOCK_STREAM);
	pair_echo(SOCK_SEQPACKET);
	pair_echo(SOCK_DGRAM);
}

/* Datagram and seqpacket records keep their boundaries; a short buffer cuts (MSG_TRUNC). */
static void records(int type)
{
	int sv[2];
	char buf[64];
	struct iovec v = { buf, 4 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	CHECK_OK(E(socketpair(AF_UNIX, type, 0, sv)));
	CHECK_EQ(E(send(sv[0], "a", 1, 0)), 1);
	CHECK_EQ(E(send(sv[0], "bb", 2, 0)), 2);
	CHECK_EQ(E(send(sv[0], "0123456789", 10, 0)), 10);
	CHECK_EQ(E(send(sv[0], "", 0, 0)), 0);
	CHECK_EQ(E(send(sv[0], "last", 4, 0)), 4);
	int n = -1;
	CHECK_OK(E(ioctl(sv[1], FIONREAD, &n)));
	CHECK_EQ(n, type == SOCK_DGRAM ? 1 : 17);  /* the next record's size; all records' */
	CHECK_EQ(E(recv(sv[1], buf, sizeof(buf), 0)), 1);
	CHECK_EQ(E(recv(sv[1], buf, sizeof(buf), MSG_PEEK)), 2);
	CHECK_EQ(E(recv(sv[1], buf, sizeof(buf), 0)), 2);
	CHECK(!memcmp(buf, "bb", 2));
	CHECK_EQ(E(recvmsg(sv[1], &m, 0)), 4);
	CHECK(m.msg_flags & MSG_TRUNC);
	CHECK(!memcmp(buf, "0123", 4));
	CHECK_EQ(E(recv(sv[1], buf, sizeof(buf), 0)), 0);   /* the empty record */
	CHECK_EQ(E(recv(sv[1], buf, 2, MSG_TRUNC)), 4);      /* its full size */
	CHECK_EQ(E(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT)), -EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

static void test_records(void)
{
	records(SOCK_DGRAM);
	records(SOCK_SEQPACKET);
}

static int sigpipes;

static void on_pipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void test_eof_epipe(void)
{
	int sv[2];
	char buf[16];
	struct sigaction sa = { .sa_handler = on_pipe };
	CHECK_OK(E(sigaction(SIGPIPE, &sa, NULL)));
	CHECK_OK(E(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)));
	CHECK_EQ(E(write(sv[0], "bye", 3)), 3);
	close(sv[0]);
	CHECK_EQ(E(read(sv[1], buf, sizeof(buf))), 3);       /* the bytes, then the end */
	CHECK_EQ(E(read(sv[1], buf, sizeof(buf))), 0);
	struct pollfd p = { sv[1], POLLIN | POLLOUT, 0 };
	CHECK_EQ(E(poll(&p, 1, 0)), 1);
	CHECK((p.revents & (POLLIN | POLLHUP)) == (POLLIN | POLLHUP));
	CHECK_EQ(E(send(sv[1], "x", 1, MSG_NOSIGNAL)), -EPIPE);
	CHECK_EQ(E(send(sv[1], "", 0, MSG_NOSIGNAL)), -EPIPE);   /* nothing: still EPIPE, as Linux */
	CHECK_EQ(sigpipes, 0);
	CHECK_EQ(E(write(sv[1], "x", 1)), -EPIPE);
	CHECK_EQ(sigpipes, 1);
	close(sv[1]);
	/* shutdown: the peer reads the end, the shut side may not write */
	CHECK_OK(E(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)));
	CHECK_OK(E(shutdown(sv[0], SHUT_WR)));
	CHECK_EQ(E(read(sv[1], buf, sizeof(buf))), 0);
	CHECK_EQ(E(send(sv[0], "x", 1, MSG_NOSIGNAL)), -EPIPE);
	CHECK_EQ(E(write(sv[1], "back", 4)), 4);             /* the other way is open */
	CHECK_EQ(E(read(sv[0], buf, sizeof(buf))), 4);
	CHECK_EQ(E(shutdown(sv[0], 7)), -EINVAL);
	close(sv[0]);
	close(sv[1]);
	signal(SIGPIPE, SIG_DFL);
}

static void test_nonblock_poll(void)
{
	int sv[2], n = 0, v = -1;
	char buf[4096];
	socklen_t len = sizeof(v);
	CHECK_OK(E(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv)));
	CHECK(fcntl(sv[0], F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(sv[0], F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(E(read(sv[1], buf, sizeof(buf))), -EAGAIN);
	struct pollfd p[2] = { { sv[0], POLLOUT, 0 }, { sv[1], POLLIN, 0 } };
	CHECK_EQ(E(poll(p, 2, 0)), 1);
	CHECK(p[0].revents == POLLOUT && p[1].revents == 0);
	memset(buf, 'q', sizeof(buf));
	long total = 0, r;
	while ((r = write(sv[0], buf, sizeof(buf))) > 0)
		total += r;
	CHECK_EQ(E(r), -EAGAIN);
	CHECK(total >= 4096);
	CHECK_EQ(E(poll(p, 2, 0)), 1);
	CHECK(p[0].revents == 0 && p[1].revents == POLLIN);
	CHECK_OK(E(ioctl(sv[1], FIONREAD, &n)));
	CHECK_EQ(n, total);
	fd_set rd, wr;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(sv[1], &rd);
	FD_SET(sv[0], &wr);
	struct timeval tv = { 0, 0 };
	CHECK_EQ(E(select(sv[1] + 1, &rd, &wr, NULL, &tv)), 1);
	CHECK(FD_ISSET(sv[1], &rd) && !FD_ISSET(sv[0], &wr));
	CHECK_EQ(E(read(sv[1], buf, sizeof(buf))), 4096);
	CHECK_EQ(E(poll(p, 1, 0)), 1);                        /* room again */
	CHECK_OK(E(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &len)));
	CHECK_EQ(v, 0);
	CHECK_OK(E(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len)));
	CHECK_EQ(v, SOCK_STREAM);
	CHECK_EQ(E(getsockopt(sv[0], IPPROTO_TCP, 1, &v, &len)), -EOPNOTSUPP);
	CHECK_EQ(E(setsockopt(sv[0], IPPROTO_TCP, 1, &v, sizeof(v))), -EOPNOTSUPP);
	CHECK_EQ(E(setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, sizeof(v))), -ENOPROTOOPT);
	struct sockaddr_un a;
	len = sizeof(a);
	CHECK_OK(E(getsockname(sv[0], (struct sockaddr *)&a, &len)));
	CHECK_EQ(len, 2);
	CHECK_EQ(a.sun_family, AF_UNIX);
	len = sizeof(a);
	CHECK_OK(E(getpeername(sv[0], (struct sockaddr *)&a, &len)));
	CHECK_EQ(len, 2);
	struct ucred cr;
	len = sizeof(cr);
	CHECK_OK(E(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len)));
	CHECK_EQ(cr.pid, getpid());
	close(sv[0]);
	close(sv[1]);
}

/* A listener at a (alen bytes); a child connects, sends, reads the answer. */
static void listen_connect(const struct sockaddr_un *a, socklen_t alen)
{
	char buf[32];
	int l = (int)E(socket(AF_UNIX, SOCK_STREAM, 0));
	CHECK_OK(l);
	CHECK_OK(E(bind(l, (const struct sockaddr *)a, alen)));
	CHECK_OK(E(listen(l, 4)));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (const struct sockaddr *)a, alen) || write(c, "ping", 4) != 4)
			_exit(2);
		_exit(read(c, buf, sizeof(buf)) == 4 && !memcmp(buf, "pong", 4) ? 0 : 3);
	}
	struct sockaddr_un peer;
	socklen_t plen = sizeof(peer);
	int s = (int)E(accept(l, (struct sockaddr *)&peer, &plen));
	CHECK_OK(s);
	CHECK_EQ(plen, 0 + 2);                                /* the child's is unnamed */
	CHECK_EQ(E(read(s, buf, sizeof(buf))), 4);
	CHECK_EQ(E(write(s, "pong", 4)), 4);
	CHECK_EQ(ut_wait(pid), 0);
	plen = sizeof(peer);
	CHECK_OK(E(getsockname(s, (struct sockaddr *)&peer, &plen)));
	CHECK_EQ(plen, alen);                                 /* the listener's name */
	CHECK(!memcmp(peer.sun_path, a->sun_path, alen - 2));
	CHECK_EQ(E(read(s, buf, sizeof(buf))), 0);
	int d = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_EQ(E(bind(d, (const struct sockaddr *)a, alen)), -EADDRINUSE);
	close(d);
	close(s);
	close(l);
}

static void test_path(void)
{
	struct sockaddr_un a;
	struct stat st;
	unlink("/tmp/ut-unix-l");
	socklen_t alen = mkaddr(&a, "/tmp/ut-unix-l", 0);
	listen_connect(&a, alen);
	CHECK_OK(E(stat("/tmp/ut-unix-l", &st)));
	CHECK(S_ISSOCK(st.st_mode));                           /* the node stays, as Linux */
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_EQ(E(connect(c, (struct sockaddr *)&a, alen)), -ECONNREFUSED);
	CHECK_OK(E(unlink("/tmp/ut-unix-l")));
	CHECK_EQ(E(connect(c, (struct sockaddr *)&a, alen)), -ENOENT);
	close(c);
}

/* The line of /proc/net/unix whose inode is ino, into line; false if none. */
static bool proc_line(unsigned long ino, char *line, size_t size)
{
	FILE *f = fopen("/proc/net/unix", "r");
	bool found = false;
	CHECK(f != NULL);
	CHECK(fgets(line, (int)size, f) != NULL);
	CHECK(!strcmp(line, "Num       RefCount Protocol Flags    Type St Inode Path\n"));
	while (!found && fgets(line, (int)size, f)) {
		unsigned long i = 0;
		found = sscanf(line, "%*s %*s %*s %*s %*s %*s %lu", &i) == 1 && i == ino;
	}
	fclose(f);
	return found;
}

static void test_proc_net(void)
{
	struct sockaddr_un a;
	struct stat st;
	char line[256];
	int sv[2];
	unlink("/tmp/ut-unix-p");
	socklen_t alen = mkaddr(&a, "/tmp/ut-unix-p", 0);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(E(bind(l, (struct sockaddr *)&a, alen)));
	CHECK_OK(E(listen(l, 1)));
	CHECK_OK(E(fstat(l, &st)));
	CHECK(proc_line((unsigned long)st.st_ino, line, sizeof(line)));
	CHECK(strstr(line, " 00010000 0001 01 ") != NULL);            /* listening, stream */
	CHECK(strstr(line, " /tmp/ut-unix-p\n") != NULL);
	CHECK_OK(E(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)));
	CHECK_OK(E(fstat(sv[1], &st)));
	CHECK(proc_line((unsigned long)st.st_ino, line, sizeof(line)));
	CHECK(strstr(line, " 00000000 0002 03 ") != NULL);            /* connected datagrams */
	alen = mkaddr(&a, "ut-unix-p", 1);
	CHECK_OK(E(bind(sv[0], (struct sockaddr *)&a, alen + 1)));  /* with a 0 at the end */
	CHECK_OK(E(fstat(sv[0], &st)));
	CHECK(proc_line((unsigned long)st.st_ino, line, sizeof(line)));
	CHECK(strstr(line, " @ut-unix-p@\n") != NULL);               /* abstract: 0 bytes as @ */
	close(sv[0]);
	CHECK(!proc_line((unsigned long)st.st_ino, line, sizeof(line)));
	close(sv[1]);
	close(l);
	CHECK_OK(E(unlink("/tmp/ut-unix-p")));
}

static void test_abstract(void)
{
	struct sockaddr_un a;
	socklen_t alen = mkaddr(&a, "ut-unix-abs", 1);
	listen_connect(&a, alen - 1);                          /* no 0 at the end */
	int c = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_EQ(E(connect(c, (struct sockaddr *)&a, alen - 1)), -ECONNREFUSED);
	/* abstract names are per type, as Linux: a datagram socket may hold a stream's name */
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(E(bind(l, (struct sockaddr *)&a, alen - 1)));
	CHECK_OK(E(bind(d, (struct sockaddr *)&a, alen - 1)));
	CHECK_EQ(E(sendto(c, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, alen - 1)), -EOPNOTSUPP);
	CHECK_EQ(E(connect(c, (struct sockaddr *)&a, alen - 1)), -ECONNREFUSED);   /* no listen */
	close(l);
	close(d);
	/* autobind: a bare family gives a name of the kernel's */
	CHECK_OK(E(bind(c, (struct sockaddr *)&a, 2)));
	socklen_t len = sizeof(a);
	CHECK_OK(E(getsockname(c, (struct sockaddr *)&a, &len)));
	CHECK_EQ(len, 2 + 6);
	CHECK_EQ(a.sun_path[0], 0);
	close(c);
}

static void test_dgram_names(void)
{
	struct sockaddr_un a, b, from;
	char buf[16];
	unlink("/tmp/ut-unix-a");
	unlink("/tmp/ut-unix-b");
	socklen_t alen = mkaddr(&a, "/tmp/ut-unix-a", 0), blen = mkaddr(&b, "/tmp/ut-unix-b", 0);
	int x = socket(AF_UNIX, SOCK_DGRAM, 0), y = socket(AF_UNIX, SOCK_DGRAM, 0);
	int z = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK(E(bind(x, (struct sockaddr *)&a, alen)));
	CHECK_OK(E(bind(y, (struct sockaddr *)&b, blen)));
	CHECK_EQ(E(sendto(x, "to b", 4, 0, (struct sockaddr *)&b, blen)), 4);
	CHECK_EQ(E(sendto(z, "anon", 4, 0, (struct sockaddr *)&b, blen)), 4);
	socklen_t flen = sizeof(from);
	CHECK_EQ(E(recvfrom(y, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen)), 4);
	CHECK_EQ(flen, alen);
	CHECK(!strcmp(from.sun_path, "/tmp/ut-unix-a"));
	flen = sizeof(from);
	CHECK_EQ(E(recvfrom(y, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen)), 4);
	CHECK_EQ(flen, 0);                                    /* an unnamed sender */
	CHECK_EQ(E(send(z, "x", 1, 0)), -ENOTCONN);
	CHECK_OK(E(connect(z, (struct sockaddr *)&a, alen)));
	CHECK_EQ(E(send(z, "via", 3, 0)), 3);
	CHECK_EQ(E(recv(x, buf, sizeof(buf), 0)), 3);
	CHECK_OK(E(connect(x, (struct sockaddr *)&b, blen)));  /* x takes b's only */
	CHECK_EQ(E(send(z, "no", 2, 0)), -EPERM);
	CHECK_OK(E(unlink("/tmp/ut-unix-a")));
	CHECK_OK(E(unlink("/tmp/ut-unix-b")));
	CHECK_EQ(E(sendto(z, "x", 1, 0, (struct sockaddr *)&b, blen)), -ENOENT);
	CHECK_EQ(E(listen(z, 1)), -EOPNOTSUPP);
	close(x);
	close(y);
	close(z);
}

static void test_hostile(void)
{
	struct sockaddr_un a;
	char long_path[UT_NBAD + 200];
	uintptr_t bad[UT_NBAD];
	int sv[2] = { -1, -1 };
	ut_bad_addrs(bad);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t alen = mkaddr(&a, "/tmp/ut-unix-h", 0);
	CHECK_EQ(E(bind(s, (struct sockaddr *)&a, 1)), -EINVAL);
	CHECK_EQ(E(bind(s, (struct sockaddr *)&a, sizeof(a) + 1)), -EINVAL);
	CHECK_EQ(E(connect(s, (struct sockaddr *)&a, 0)), -EINVAL);
	a.sun_family = AF_INET;
	CHECK_EQ(E(bind(s, (struct sockaddr *)&a, alen)), -EINVAL);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_EQ(E(bind(s, (struct sockaddr *)bad[i], alen)), -EFAULT);
		CHECK_EQ(E(connect(s, (struct sockaddr *)bad[i], alen)), -EFAULT);
		CHECK_EQ(E(socketpair(AF_UNIX, SOCK_STREAM, 0, (int *)bad[i])), -EFAULT);
	}
	CHECK_EQ(E(socketpair(AF_INET, SOCK_STREAM, 0, sv)), -EOPNOTSUPP);
	CHECK_EQ(E(socketpair(AF_UNIX, SOCK_STREAM, 7, sv)), -EPROTONOSUPPORT);
	CHECK_EQ(E(socketpair(AF_UNIX, 9, 0, sv)), -ESOCKTNOSUPPORT);
	CHECK_EQ(E(listen(s, 1)), -EINVAL);                   /* not bound */
	CHECK_EQ(E(accept(s, NULL, NULL)), -EINVAL);
	CHECK_EQ(E(recv(s, long_path, 1, 0)), -EINVAL);       /* not connected */
	CHECK_EQ(E(send(s, long_path, 1, 0)), -ENOTCONN);
	/* a path of all 108 bytes, no 0: taken as Linux does, read back with its 0 */
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, "/tmp/", 5);
	memset(a.sun_path + 5, 'p', sizeof(a.sun_path) - 5);
	memcpy(long_path, a.sun_path, sizeof(a.sun_path));
	long_path[sizeof(a.sun_path)] = 0;
	unlink(long_path);
	CHECK_OK(E(bind(s, (struct sockaddr *)&a, sizeof(a))));
	struct { struct sockaddr_un a; char more[8]; } got;
	socklen_t len = sizeof(got);
	CHECK_OK(E(getsockname(s, (struct sockaddr *)&got, &len)));
	CHECK_EQ(len, sizeof(a) + 1);
	CHECK(!memcmp(got.a.sun_path, long_path, sizeof(a.sun_path) + 1));
	CHECK_EQ(E(bind(s, (struct sockaddr *)&a, sizeof(a))), -EINVAL);   /* bound already */
	CHECK_OK(E(unlink(long_path)));
	/* control data is not carried: refused, not dropped */
	CHECK_OK(E(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)));
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec v = { "x", 1 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_RIGHTS, c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &s, sizeof(int));
	CHECK_EQ(E(sendmsg(sv[0], &m, 0)), -EOPNOTSUPP);
	for (int i = 0; i < UT_NBAD; i++)
		CHECK_EQ(E(send(sv[0], (void *)bad[i], 1, 0)), -EFAULT);
	for (int i = 0; i < UT_NBAD; i++) {       /* a datagram copied out nowhere is lost */
		CHECK_EQ(E(send(sv[0], long_path, 1, 0)), 1);
		CHECK_EQ(E(recv(sv[1], (void *)bad[i], 1, 0)), -EFAULT);
	}
	while (recv(sv[1], long_path, 1, MSG_DONTWAIT) == 1)  /* those refused before taking */
		;
	close(sv[0]);
	close(sv[1]);
	close(s);
}

/* Calls blocked in read, accept and write end cleanly when the other side goes or a signal
 * kills the caller. */
static void test_blocked(void)
{
	int sv[2];
	char buf[4096];
	CHECK_OK(E(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)));
	int pid = fork();
	if (pid == 0) {
		close(sv[1]);
		_exit(read(sv[0], buf, sizeof(buf)) == 0 ? 0 : 5);
	}
	msleep(50);
	close(sv[1]);                                          /* the child's read ends */
	CHECK_EQ(ut_wait(pid), 0);
	close(sv[0]);
	/* a writer blocked on a full queue, killed */
	CHECK_OK(E(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)));
	pid = fork();
	if (pid == 0) {
		memset(buf, 1, sizeof(buf));
		for (;;)
			if (write(sv[0], buf, sizeof(buf)) < 0)
				_exit(6);
	}
	msleep(50);
	CHECK_OK(E(kill(pid, SIGKILL)));
	int st = ut_wait(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(sv[0]);
	close(sv[1]);
	/* an acceptor killed, and a connection left unaccepted when the listener closes */
	struct sockaddr_un a;
	socklen_t alen = mkaddr(&a, "ut-unix-blk", 1);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(E(bind(l, (struct sockaddr *)&a, alen)));
	CHECK_OK(E(listen(l, 0)));
	pid = fork();
	if (pid == 0)
		_exit(accept(l, NULL, NULL) >= 0 ? 7 : 8);
	msleep(50);
	CHECK_OK(E(kill(pid, SIGKILL)));
	st = ut_wait(pid);
	CHECK(WIFSIGNALED(st));
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_OK(E(connect(c, (struct sockaddr *)&a, alen)));
	int d = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_EQ(E(connect(d, (struct sockaddr *)&a, alen)), -EAGAIN);   /* backlog 0 is full */
	CHECK_EQ(E(write(c, "unread", 6)), 6);
	close(l);
	CHECK_EQ(E(read(c, buf, sizeof(buf))), -ECONNRESET);  /* never accepted, as Linux */
	CHECK_EQ(E(read(c, buf, sizeof(buf))), 0);
	close(c);
	close(d);
}

const struct utest ut_unix_tests[] = {
	{ "unix_pair_echo", test_pair_stream },
	{ "unix_records", test_records },
	{ "unix_eof_epipe", test_eof_epipe },
	{ "unix_nonblock_poll", test_nonblock_poll },
	{ "unix_path", test_path },
	{ "unix_abstract", test_abstract },
	{ "unix_dgram_names", test_dgram_names },
	{ "unix_hostile", test_hostile },
	{ "unix_blocked", test_blocked },
	{ "unix_proc_net", test_proc_net },
	{ NULL, NULL },
};
