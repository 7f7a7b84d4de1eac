/* Compatibility program: unix domain sockets. socketpair of each type (bytes, record
 * boundaries, MSG_TRUNC, shutdown, end of file, EPIPE, poll bits, names), a listener bound
 * to a path and one to an abstract name with a child connecting to each, datagrams between
 * two named sockets with the sender's name, and the errors of bad names. argv[1] is not
 * needed; the sockets live under /tmp. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compat.h"

static socklen_t mkaddr(struct sockaddr_un *a, const char *name, int abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path + (abstract ? 1 : 0), name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1);
}

static void showname(const char *what, int fd, int peer)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	memset(&a, 0, sizeof(a));
	long r = peer ? getpeername(fd, (struct sockaddr *)&a, &len)
		      : getsockname(fd, (struct sockaddr *)&a, &len);
	if (r < 0)
		show(what, r);
	else
		printf("%s: len %u family %d path \"%s\"%s\n", what, (unsigned)len, a.sun_family,
		       a.sun_path[0] ? a.sun_path : a.sun_path + 1,
		       len > 2 && !a.sun_path[0] ? " (abstract)" : "");
}

static void stream_pair(void)
{
	int sv[2], n = -1, v = 0;
	char buf[64];
	socklen_t len = sizeof(v);
	show("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	show("write", write(sv[0], "hello ", 6));
	show("write", write(sv[0], "world", 5));
	show("FIONREAD", ioctl(sv[1], FIONREAD, &n));
	printf("queued %d\n", n);
	show("read", read(sv[1], buf, sizeof(buf)));
	getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len);
	printf("SO_TYPE %d\n", v);
	showname("getsockname", sv[0], 0);
	showname("getpeername", sv[0], 1);
	struct pollfd p = { sv[1], POLLIN | POLLOUT | POLLRDHUP, 0 };
	poll(&p, 1, 0);
	printf("poll idle: %#x\n", p.revents);
	show("shutdown wr", shutdown(sv[0], SHUT_WR));
	poll(&p, 1, 0);
	printf("poll after shutdown: %#x\n", p.revents);
	show("read at end", read(sv[1], buf, sizeof(buf)));
	show("send after shutdown", send(sv[0], "x", 1, MSG_NOSIGNAL));
	show("write back", write(sv[1], "back", 4));
	show("read back", read(sv[0], buf, sizeof(buf)));
	close(sv[0]);
	poll(&p, 1, 0);
	printf("poll after close: %#x\n", p.revents);
	show("send to closed", send(sv[1], "x", 1, MSG_NOSIGNAL));
	close(sv[1]);
}

static void record_pair(int type, const char *name)
{
	int sv[2];
	char buf[64];
	struct iovec v = { buf, 3 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	printf("-- %s\n", name);
	show("socketpair", socketpair(AF_UNIX, type, 0, sv));
	show("send 1", send(sv[0], "1", 1, 0));
	show("send 22", send(sv[0], "22", 2, 0));
	show("send 7", send(sv[0], "7777777", 7, 0));
	show("recv", recv(sv[1], buf, sizeof(buf), 0));
	show("recv peek", recv(sv[1], buf, sizeof(buf), MSG_PEEK));
	show("recv", recv(sv[1], buf, sizeof(buf), 0));
	show("recvmsg short", recvmsg(sv[1], &m, 0));
	printf("truncated %d\n", !!(m.msg_flags & MSG_TRUNC));
	show("recv empty", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);
}

/* A listener at a; a child connects and greets; the names each side sees. */
static void listener(const struct sockaddr_un *a, socklen_t alen, const char *what)
{
	char buf[32] = { 0 };
	printf("-- %s\n", what);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	show("bind", bind(l, (const struct sockaddr *)a, alen));
	show("listen", listen(l, 5));
	showname("listener name", l, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (const struct sockaddr *)a, alen) == 0) {
			showname("client peer", c, 1);
			fflush(stdout);
			write(c, "hi there", 8);
		}
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	show("read", read(s, buf, sizeof(buf) - 1));
	printf("got \"%s\"\n", buf);
	showname("accepted name", s, 0);
	showname("accepted peer", s, 1);
	waitpid(pid, NULL, 0);
	show("read at end", read(s, buf, sizeof(buf)));
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	show("bind taken", bind(d, (const struct sockaddr *)a, alen));
	close(d);
	close(s);
	close(l);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	show("connect after close", connect(c, (const struct sockaddr *)a, alen));
	close(c);
}

static void datagrams(void)
{
	struct sockaddr_un a, b, from;
	char buf[16] = { 0 };
	printf("-- datagrams\n");
	unlink("/tmp/cu-unix-a");
	unlink("/tmp/cu-unix-b");
	socklen_t alen = mkaddr(&a, "/tmp/cu-unix-a", 0), blen = mkaddr(&b, "/tmp/cu-unix-b", 0);
	int x = socket(AF_UNIX, SOCK_DGRAM, 0), y = socket(AF_UNIX, SOCK_DGRAM, 0);
	show("bind a", bind(x, (struct sockaddr *)&a, alen));
	show("bind b", bind(y, (struct sockaddr *)&b, blen));
	show("sendto b", sendto(x, "from a", 6, 0, (struct sockaddr *)&b, blen));
	socklen_t flen = sizeof(from);
	show("recvfrom", recvfrom(y, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen));
	printf("got \"%s\" from \"%s\" len %u\n", buf, from.sun_path, (unsigned)flen);
	show("send unconnected", send(x, "x", 1, 0));
	show("listen dgram", listen(x, 1));
	show("unlink b", unlink("/tmp/cu-unix-b"));
	show("sendto gone", sendto(x, "x", 1, 0, (struct sockaddr *)&b, blen));
	unlink("/tmp/cu-unix-a");
	close(x);
	close(y);
}

static void errors(void)
{
	struct sockaddr_un a;
	int sv[2];
	printf("-- errors\n");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t alen = mkaddr(&a, "/tmp/cu-unix-none", 0);
	unlink(a.sun_path);
	show("connect missing", connect(s, (struct sockaddr *)&a, alen));
	show("bind len 1", bind(s, (struct sockaddr *)&a, 1));
	show("bind len 111", bind(s, (struct sockaddr *)&a, sizeof(a) + 1));
	show("listen unbound", listen(s, 1));
	show("accept unbound", accept(s, NULL, NULL));
	show("send unconnected", send(s, "x", 1, MSG_NOSIGNAL));
	show("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	show("socketpair proto", socketpair(AF_UNIX, SOCK_STREAM, 9, sv));
	mknod("/tmp/cu-unix-node", S_IFSOCK | 0666, 0);
	alen = mkaddr(&a, "/tmp/cu-unix-node", 0);
	show("connect to a bare node", connect(s, (struct sockaddr *)&a, alen));
	unlink("/tmp/cu-unix-node");
	close(s);
}

int main(void)
{
	struct sockaddr_un a;
	setvbuf(stdout, NULL, _IOLBF, 0);
	stream_pair();
	record_pair(SOCK_DGRAM, "dgram pair");
	record_pair(SOCK_SEQPACKET, "seqpacket pair");
	unlink("/tmp/cu-unix-l");
	socklen_t alen = mkaddr(&a, "/tmp/cu-unix-l", 0);
	listener(&a, alen, "path");
	struct stat st;
	show("stat", stat("/tmp/cu-unix-l", &st));
	printf("socket node %d\n", S_ISSOCK(st.st_mode));
	show("unlink", unlink("/tmp/cu-unix-l"));
	alen = mkaddr(&a, "cu-unix-abstract", 1);
	listener(&a, alen, "abstract");
	datagrams();
	errors();
	return 0;
}
