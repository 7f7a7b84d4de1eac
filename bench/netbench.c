/*
 * netbench: the guest's side of the network benchmark (tools/web_bench.py, docs/network.md).
 * One static non-PIE musl binary that Linux runs unchanged, so both systems serve the host's
 * measurements with the same program; all timing is done on the host.
 *
 *   netbench SINK SOURCE UDPECHO     serve for ever, in the background (it forks and the
 *                                    parent exits once the sockets are bound):
 *     SINK     TCP: reads everything a connection sends, then answers the byte count as
 *              8 bytes (little-endian) and closes (host -> guest throughput)
 *     SOURCE   TCP: reads an 8-byte count N, writes N bytes and closes (guest -> host)
 *     UDPECHO  UDP: sends every datagram back to where it came from (round trips)
 * Connections are served one at a time, which is all the host asks for.
 */
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF (64 * 1024)

static char buf[BUF];

static int bound(int type, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, type, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 8) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void sink(int lfd)
{
	int c = accept(lfd, NULL, NULL);
	if (c < 0)
		return;
	uint64_t total = 0;
	ssize_t n;
	while ((n = read(c, buf, sizeof(buf))) > 0)
		total += (uint64_t)n;
	write_all(c, (const char *)&total, sizeof(total));
	close(c);
}

static void source(int lfd)
{
	int c = accept(lfd, NULL, NULL);
	if (c < 0)
		return;
	uint64_t want = 0;
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(want) && (n = read(c, (char *)&want + got, sizeof(want) - got)) > 0)
		got += (size_t)n;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 131 + 7);
	while (got == sizeof(want) && want) {
		size_t chunk = want < sizeof(buf) ? (size_t)want : sizeof(buf);
		if (write_all(c, buf, chunk) != 0)
			break;
		want -= chunk;
	}
	close(c);
}

static void echo(int ufd)
{
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	ssize_t n = recvfrom(ufd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	if (n >= 0)
		sendto(ufd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: netbench SINK_PORT SOURCE_PORT UDPECHO_PORT\n");
		return 2;
	}
	struct pollfd p[3] = { { .fd = bound(SOCK_STREAM, atoi(argv[1])), .events = POLLIN },
			       { .fd = bound(SOCK_STREAM, atoi(argv[2])), .events = POLLIN },
			       { .fd = bound(SOCK_DGRAM, atoi(argv[3])), .events = POLLIN } };
	if (p[0].fd < 0 || p[1].fd < 0 || p[2].fd < 0) {
		perror("netbench: bind");
		return 1;
	}
	pid_t pid = fork();
	if (pid != 0) {
		printf("netbench: serving (pid %d)\n", (int)pid);
		return pid < 0;
	}
	for (;;) {
		if (poll(p, 3, -1) <= 0)
			continue;
		if (p[0].revents & POLLIN)
			sink(p[0].fd);
		if (p[1].revents & POLLIN)
			source(p[1].fd);
		if (p[2].revents & POLLIN)
			echo(p[2].fd);
	}
}
