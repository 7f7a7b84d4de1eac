/*
 * nettest: the network server tested through its TFN_NET_* ids directly, without the
 * kernel's socket layer (root). tools/net_suite.py drives it against QEMU's user network
 * and python peers on the host; each command prints one result line the suite checks.
 *
 *   nettest ping ADDR COUNT                     ICMP echo through a TNET_PING socket
 *   nettest udp ADDR PORT COUNT SIZE            datagrams to an echo peer and back
 *   nettest tcpconn ADDR PORT send|recv BYTES SEED   connect, then send or receive
 *   nettest tcpserve PORT send|recv BYTES SEED  accept one connection, then send or receive
 *   nettest sockconn ADDR PORT send|recv BYTES SEED  as tcpconn, through the kernel's Linux
 *                                               sockets (socket, connect, write, read)
 *   nettest loop BYTES                          TCP and UDP over 127.0.0.1 inside the guest
 *   nettest count                               the server's open TCP and UDP handles
 *   nettest -R N COMMAND ...                    COMMAND while a child replaces the network
 *                                               server N times (docs/replacement.md), 10 ms
 *                                               apart; it prints how many succeeded, how
 *                                               many during COMMAND, and their times
 * The data is a seeded xorshift64* stream; its CRC-32 (IEEE) is printed for the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/netproto.h"
#include "libtessera.h"
#include "tnet.h"

#define BUF (256u * 1024)
#define WAIT_MS 20000u

static struct tnet tn;
static uint32_t crc_table[256];

static uint64_t ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 255] ^ (crc >> 8);
	return ~crc;
}

/* The pattern: 8 bytes (little-endian) per xorshift64* step. pos counts bytes made. */
struct pat { uint64_t x, word; uint64_t pos; };

static void pat_init(struct pat *p, uint64_t seed)
{
	p->x = seed * 2 + 1;
	p->pos = 0;
}

static void pat_fill(struct pat *p, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++, p->pos++) {
		if (!(p->pos & 7)) {
			p->x ^= p->x >> 12;
			p->x ^= p->x << 25;
			p->x ^= p->x >> 27;
			p->word = p->x * 0x2545F4914F6CDD1Dull;
		}
		buf[i] = (uint8_t)(p->word >> (8 * (p->pos & 7)));
	}
}

/* Calls f until it stops saying -EAGAIN or the time is up (the server never waits). */
static bool wait_more(uint64_t since)
{
	if (ms() - since >= WAIT_MS)
		return false;
	usleep(200);
	return true;
}
#define RETRY(expr) ({ int _e; uint64_t _t = ms(); \
	do { _e = (expr); } while (_e == -EAGAIN && wait_more(_t)); _e; })

static int fail(const char *what, int err)
{
	printf("FAIL %s: %s\n", what, strerror(-err));
	return 1;
}

static int ping(uint32_t addr, int count)
{
	int h, err, ok = 0;
	uint64_t total = 0;
	if ((err = tnet_socket(TNET_PING, &h)))
		return fail("socket", err);
	uint8_t *b = (uint8_t *)tn.data.addr;
	for (int i = 0; i < count; i++) {
		size_t n;
		memset(b, 0, 64);
		b[0] = 8;                            /* echo request; id and checksum: the stack's */
		b[7] = (uint8_t)i;                   /* sequence number */
		memcpy(b + 8, "tessera-ping", 12);
		uint64_t t0 = ms();
		if ((err = tnet_send(&tn, h, 64, addr, 0, &n)))
			break;
		err = RETRY(tnet_recv(&tn, h, BUF, &n, NULL, NULL));
		if (err)
			break;
		if (n >= 20 && b[0] == 0 && b[7] == (uint8_t)i && !memcmp(b + 8, "tessera-ping", 12))
			ok++;
		total += ms() - t0;
	}
	tnet_sclose(h);
	if (err)
		return fail("ping", err);
	printf("PING %d/%d replies, avg %llu ms\n", ok, count, (unsigned long long)(total / count));
	return ok == count ? 0 : 1;
}

static int udp(uint32_t addr, uint16_t port, int count, size_t size)
{
	int h, err, ok = 0;
	uint8_t *b = (uint8_t *)tn.data.addr, want[1472];
	if (size > sizeof(want) || (err = tnet_socket(TNET_DGRAM, &h)))
		return fail("socket", size > sizeof(want) ? -EINVAL : err);
	for (int i = 0; i < count && !err; i++) {
		struct pat p;
		size_t n;
		uint32_t from;
		uint16_t fport;
		pat_init(&p, (uint64_t)i);
		pat_fill(&p, want, size);
		memcpy(b, want, size);
		if ((err = tnet_send(&tn, h, size, addr, port, &n)))
			break;
		err = RETRY(tnet_recv(&tn, h, BUF, &n, &from, &fport));
		ok += !err && n == size && from == addr && fport == port && !memcmp(b, want, size);
	}
	tnet_sclose(h);
	if (err)
		return fail("udp", err);
	printf("UDP %d/%d echoed\n", ok, count);
	return ok == count ? 0 : 1;
}

/* Sends bytes of the pattern on connected socket h. */
static int tcp_send(int h, uint64_t bytes, uint64_t seed, uint32_t *crc)
{
	struct pat p;
	uint8_t *b = (uint8_t *)tn.data.addr;
	uint64_t made = 0;
	size_t have = 0;                       /* made, not yet taken, at the ICA's start */
	pat_init(&p, seed);
	*crc = 0;
	while (made < bytes || have) {
		if (!have) {
			have = bytes - made < BUF ? (size_t)(bytes - made) : BUF;
			pat_fill(&p, b, have);
			*crc = crc32(*crc, b, have);
			made += have;
		}
		size_t n;
		int err = RETRY(tnet_send(&tn, h, have, 0, 0, &n));
		if (err)
			return err;
		memmove(b, b + n, have - n);
		have -= n;
	}
	return 0;
}

/* Receives until the end of the stream; counts and checksums what came. */
static int tcp_recv(int h, uint64_t *bytes, uint32_t *crc)
{
	uint8_t *b = (uint8_t *)tn.data.addr;
	*bytes = 0;
	*crc = 0;
	for (;;) {
		size_t n;
		int err = RETRY(tnet_recv(&tn, h, BUF, &n, NULL, NULL));
		if (err)
			return err;
		if (!n)
			return 0;
		*crc = crc32(*crc, b, n);
		*bytes += n;
	}
}

static int wait_connected(int h)
{
	uint32_t ev, nr;
	uint64_t t0 = ms();
	for (;;) {
		int err = tnet_poll(h, &ev, &nr);
		if (err)
			return err;
		if (ev & 0x008u)                     /* POLLERR */
			return -ECONNREFUSED;
		if (ev & 0x004u)                     /* POLLOUT: connected */
			return 0;
		if (ms() - t0 > WAIT_MS)
			return -ETIMEDOUT;
		usleep(500);
	}
}

/* One side of a transfer on connected socket h; prints the result line. */
static int transfer(int h, int sending, uint64_t bytes, uint64_t seed)
{
	uint32_t crc;
	uint64_t got = bytes, t0 = ms();
	int err = sending ? tcp_send(h, bytes, seed, &crc) : tcp_recv(h, &got, &crc);
	if (!err && sending)
		err = tnet_shutdown(h, 1);
	if (!err && sending) {              /* the peer closes after reading everything */
		uint64_t n;
		uint32_t c;
		err = tcp_recv(h, &n, &c);
	}
	tnet_sclose(h);
	if (err)
		return fail("transfer", err);
	uint64_t dt = ms() - t0 ? ms() - t0 : 1;
	printf("TCP %s %llu bytes crc %08x in %llu ms (%llu KiB/s)\n", sending ? "sent" : "received",
	       (unsigned long long)got, crc, (unsigned long long)dt,
	       (unsigned long long)(got * 1000 / 1024 / dt));
	return 0;
}

static int tcpconn(uint32_t addr, uint16_t port, int sending, uint64_t bytes, uint64_t seed)
{
	int h, err;
	if ((err = tnet_socket(TNET_STREAM, &h)))
		return fail("socket", err);
	err = tnet_connect(h, addr, port);
	if (err == -EINPROGRESS)
		err = wait_connected(h);
	if (err) {
		tnet_sclose(h);
		return fail("connect", err);
	}
	return transfer(h, sending, bytes, seed);
}

static int tcpserve(uint16_t port, int sending, uint64_t bytes, uint64_t seed)
{
	int l, h, err;
	uint32_t a;
	uint16_t p;
	if ((err = tnet_socket(TNET_STREAM, &l)))
		return fail("socket", err);
	if ((err = tnet_setopt(l, 1, 2, 1)) || (err = tnet_bind(l, 0, port)) ||
	    (err = tnet_listen(l, 4))) {
		tnet_sclose(l);
		return fail("listen", err);
	}
	printf("LISTENING %u\n", port);
	fflush(stdout);
	uint64_t t0 = ms();
	while ((err = tnet_accept(l, &h, &a, &p)) == -EAGAIN && ms() - t0 < 3 * WAIT_MS)
		usleep(1000);
	tnet_sclose(l);
	if (err)
		return fail("accept", err);
	return transfer(h, sending, bytes, seed);
}

/* tcpconn through Linux sockets: the kernel's socket layer between this program and the
 * server (its session survives a replacement of the server). */
static int sockconn(uint32_t addr, uint16_t port, int sending, uint64_t bytes, uint64_t seed)
{
	static uint8_t b[65536];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(addr) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		return fail("socket connect", -errno);
	struct pat p;
	uint32_t crc = 0;
	uint64_t done = 0, t0 = ms();
	pat_init(&p, seed);
	int err = 0;
	while (!err && (!sending || done < bytes)) {
		size_t want = sending && bytes - done < sizeof(b) ? (size_t)(bytes - done) : sizeof(b);
		if (sending)
			pat_fill(&p, b, want);
		for (size_t off = 0; sending && off < want;) {
			ssize_t w = write(s, b + off, want - off);
			if (w <= 0) {
				err = -errno;
				break;
			}
			off += (size_t)w;
		}
		ssize_t r = sending ? (ssize_t)want : read(s, b, sizeof(b));
		if (r < 0)
			err = -errno;
		if (r <= 0)
			break;
		crc = crc32(crc, b, (size_t)r);
		done += (uint64_t)r;
	}
	if (!err && sending && !shutdown(s, SHUT_WR))
		while (read(s, b, sizeof(b)) > 0)
			;                      /* the peer closes after reading everything */
	close(s);
	if (err)
		return fail("socket transfer", err);
	uint64_t dt = ms() - t0 ? ms() - t0 : 1;
	printf("TCP %s %llu bytes crc %08x in %llu ms (%llu KiB/s)\n", sending ? "sent" : "received",
	       (unsigned long long)done, crc, (unsigned long long)dt,
	       (unsigned long long)(done * 1000 / 1024 / dt));
	return 0;
}

/* A connected pair over 127.0.0.1 (listener l, client c, accepted a). */
static int loop_pair(int *l, int *c, int *a)
{
	uint32_t ad;
	uint16_t port, p;
	int err;
	if ((err = tnet_socket(TNET_STREAM, l)) || (err = tnet_bind(*l, 0x7f000001, 0)) ||
	    (err = tnet_listen(*l, 1)) || (err = tnet_getname(*l, 0, &ad, &port)) ||
	    (err = tnet_socket(TNET_STREAM, c)))
		return err;
	err = tnet_connect(*c, 0x7f000001, port);
	if (err == -EINPROGRESS)
		err = wait_connected(*c);
	return err ? err : RETRY(tnet_accept(*l, a, &ad, &p));
}

/* bytes from c to a over loopback, the sender's and the receiver's CRC compared. */
static int loop_tcp(int c, int a, uint64_t bytes)
{
	static uint8_t src[64 * 1024];
	uint8_t *b = (uint8_t *)tn.data.addr;
	struct pat p;
	uint64_t sent = 0, got = 0, t0 = ms();
	uint32_t scrc = 0, rcrc = 0;
	size_t have = 0, n;
	pat_init(&p, 7);
	while (got < bytes && ms() - t0 < WAIT_MS) {
		if (!have && sent < bytes) {
			have = bytes - sent < sizeof(src) ? (size_t)(bytes - sent) : sizeof(src);
			pat_fill(&p, src, have);
			scrc = crc32(scrc, src, have);
		}
		memcpy(b, src, have);
		int err = have ? tnet_send(&tn, c, have, 0, 0, &n) : -EAGAIN;
		if (!err) {
			memmove(src, src + n, have - n);
			have -= n;
			sent += n;
		} else if (err != -EAGAIN) {
			return err;
		}
		if ((err = tnet_recv(&tn, a, BUF, &n, NULL, NULL)) == 0) {
			rcrc = crc32(rcrc, b, n);
			got += n;
		} else if (err != -EAGAIN) {
			return err;
		}
	}
	printf("LOOP tcp %llu/%llu bytes crc %08x/%08x\n", (unsigned long long)got,
	       (unsigned long long)bytes, rcrc, scrc);
	return got == bytes && rcrc == scrc ? 0 : -EIO;
}

/* One datagram from u1 to u2 over loopback. */
static int loop_udp(void)
{
	int u1, u2, err;
	uint32_t a;
	uint16_t p2, from;
	size_t n;
	if ((err = tnet_socket(TNET_DGRAM, &u1)) || (err = tnet_socket(TNET_DGRAM, &u2)))
		return err;
	if (!(err = tnet_bind(u2, 0x7f000001, 0)) && !(err = tnet_getname(u2, 0, &a, &p2))) {
		memcpy((void *)tn.data.addr, "loopback datagram", 17);
		if (!(err = tnet_send(&tn, u1, 17, 0x7f000001, p2, &n)))
			err = RETRY(tnet_recv(&tn, u2, BUF, &n, &a, &from));
	}
	if (!err && (n != 17 || memcmp((void *)tn.data.addr, "loopback datagram", 17)))
		err = -EIO;
	tnet_sclose(u1);
	tnet_sclose(u2);
	if (!err)
		printf("LOOP udp ok\n");
	return err;
}

static int loop(uint64_t bytes)
{
	int l = -1, c = -1, a = -1;
	int err = loop_pair(&l, &c, &a);
	if (!err)
		err = loop_tcp(c, a, bytes);
	tnet_sclose(l);
	tnet_sclose(c);
	tnet_sclose(a);
	if (!err)
		err = loop_udp();
	return err ? fail("loop", err) : 0;
}

static int count(void)
{
	struct t_net_stats s;
	int err = tnet_stats(&tn, &s);
	if (err)
		return fail("stats", err);
	printf("HANDLES tcp %llu udp %llu\n", (unsigned long long)s.tcp_active,
	       (unsigned long long)s.udp_active);
	return 0;
}

static int dispatch(int argc, char **argv)
{
	uint32_t addr = 0;
	const char *c = argv[1];
	if (argc >= 3 && strcmp(c, "tcpserve") && strcmp(c, "loop") && tnet_parse_ip(argv[2], &addr))
		return fail("address", -EINVAL);
	if (!strcmp(c, "ping") && argc == 4)
		return ping(addr, atoi(argv[3]));
	if (!strcmp(c, "udp") && argc == 6)
		return udp(addr, (uint16_t)atoi(argv[3]), atoi(argv[4]), (size_t)atoi(argv[5]));
	if (!strcmp(c, "tcpconn") && argc == 7)
		return tcpconn(addr, (uint16_t)atoi(argv[3]), !strcmp(argv[4], "send"),
			       strtoull(argv[5], NULL, 0), strtoull(argv[6], NULL, 0));
	if (!strcmp(c, "sockconn") && argc == 7)
		return sockconn(addr, (uint16_t)atoi(argv[3]), !strcmp(argv[4], "send"),
				strtoull(argv[5], NULL, 0), strtoull(argv[6], NULL, 0));
	if (!strcmp(c, "tcpserve") && argc == 6)
		return tcpserve((uint16_t)atoi(argv[2]), !strcmp(argv[3], "send"),
				strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
	if (!strcmp(c, "loop") && argc == 3)
		return loop(strtoull(argv[2], NULL, 0));
	if (!strcmp(c, "count"))
		return count();
	fprintf(stderr, "usage: see the comment at the top of user/bin/nettest.c\n");
	return 2;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

#define MAX_REPL 1000

/* The replacing child: n replacements of the server of TFN_NET_SOCKET, 10 ms apart; those
 * made before the command ended (the pipe's other end still open) count as during it. */
static _Noreturn void replacer(int n, int done_fd)
{
	static uint64_t t[MAX_REPL], step[TREPL_NSTEPS][MAX_REPL];
	int ok = 0, during = 0, first_err = 0;
	/* the paper's requester priority, as svc replace and the benchmark take: above the
	 * server (3), so the time measured ends at the commit, not when the new server lets
	 * the requester run */
	t_set_prio(0, 1);
	for (int i = 0; i < n; i++) {
		static const char *const argv[] = { "/servers/net", NULL };
		struct t_repl_req req = { .fn = TFN_NET_SOCKET, .path = argv[0], .argv = argv };
		struct t_repl_result res;
		usleep(10000);
		char c;
		bool still = read(done_fd, &c, 1) < 0 && errno == EAGAIN;
		int err = t_repl_request(&req, &res);
		if (err) {
			first_err = first_err ? first_err : err;
			continue;
		}
		for (int k = 0; k < TREPL_NSTEPS; k++)
			step[k][ok] = res.at_ns[k] - (k ? res.at_ns[k - 1] : 0);
		t[ok++] = res.total_ns;
		during += still;
	}
	qsort(t, (size_t)ok, sizeof(t[0]), cmp_u64);
	printf("REPLACED %d/%d during %d median %llu us max %llu us%s%s\n", ok, n, during,
	       ok ? (unsigned long long)t[ok / 2] / 1000 : 0,
	       ok ? (unsigned long long)t[ok - 1] / 1000 : 0, first_err ? " error " : "",
	       first_err ? strerror(-first_err) : "");
	printf("REPLACED steps (median us): created notified handed taken ready done:");
	for (int k = 0; k < TREPL_NSTEPS && ok; k++) {
		qsort(step[k], (size_t)ok, sizeof(step[k][0]), cmp_u64);
		printf(" %llu", (unsigned long long)step[k][ok / 2] / 1000);
	}
	printf("\n");
	fflush(stdout);
	_exit(ok == n ? 0 : 1);
}

/* -R N: the command runs while a child replaces the server; both must succeed. */
static int with_replacements(int n, int argc, char **argv)
{
	int fds[2];
	if (n < 1 || n > MAX_REPL || pipe(fds))
		return fail("-R", -EINVAL);
	fflush(stdout);
	int pid = fork();
	if (pid < 0)
		return fail("fork", -errno);
	if (pid == 0) {
		close(fds[1]);
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
		replacer(n, fds[0]);
	}
	close(fds[0]);
	int st = dispatch(argc, argv);
	close(fds[1]);                         /* the command is over */
	int ws = 0;
	if (waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws) || WEXITSTATUS(ws))
		st = st ? st : 1;
	return st;
}

int main(int argc, char **argv)
{
	crc_init();
	if (argc > 3 && !strcmp(argv[1], "-R")) {
		int n = atoi(argv[2]);
		argv += 2;
		argc -= 2;
		argv[0] = "nettest";
		int err = tnet_open(&tn, BUF);
		if (err)
			return fail("ica", err);
		int st = with_replacements(n, argc, argv);
		tnet_close(&tn);
		return st;
	}
	if (argc < 2)
		return dispatch(1, argv);
	int err = tnet_open(&tn, BUF);
	if (err)
		return fail("ica", err);
	int st = dispatch(argc, argv);
	tnet_close(&tn);
	return st;
}
