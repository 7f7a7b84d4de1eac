/*
 * migbench: the migration benchmark (make bench-cluster, tools/mig_bench.py,
 * docs/migration.md), run on node 1 of a two-node cluster with `migbench sink` on node 2.
 * For each size of touched memory it measures, run by run in turn:
 *   sc      stop-and-copy migration of an idle process to node 2: total and downtime;
 *   scw     the same for a process writing 1 MiB/s into its image;
 *   pre     pre-copy migration of that writing process: total and downtime;
 *   raw     the same bytes sent over TCP to node 2's sink (same stack, same link);
 *   restart killing the process and starting it again from scratch until it has touched
 *           its memory again (what migration spares).
 * Each moved process is killed on node 2 afterwards (through its stub here).
 *   migbench run NODE RUNS MIB...     BENCH lines: mig_<case>_<what>_<MIB> median min max
 *   migbench hog MIB KIBPS            touch MIB MiB, READY on descriptor 3, then write KIBPS KiB/s
 *   migbench sink PORT                accept connections, read to the end, answer 1 byte
 *   migbench spin                     compute for ever, silently (the balancer's test)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tnode.h"

#define SINK_PORT 7200
#define MAX_RUNS 9
#define WRITE_KIBPS 1024

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- the process that is moved --------------------------------------------------------- */

static int hog(long mib, long kibps)
{
	size_t bytes = (size_t)mib << 20, at = 0;
	char *mem = bytes ? malloc(bytes) : NULL;
	if (bytes && !mem)
		return 1;
	for (size_t i = 0; i < bytes; i += 4096)
		mem[i] = (char)i;
	/* READY on its parent's pipe (descriptor 3), which then goes: an open file would make it
	 * unmovable (the console may move); the parent reads to the pipe's end */
	if (write(3, "READY\n", 6) == 6)      /* (started by hand: no descriptor 3) */
		close(3);
	size_t per_tick = (size_t)kibps * 1024 / 100;      /* every 10 ms */
	for (uint64_t n = 0;; n++) {
		for (size_t k = 0; bytes && k < per_tick; k += 4096, at = (at + 4096) % bytes)
			mem[at] = (char)n;
		usleep(10000);
	}
}

/* A hog child; returns when it has touched its memory (its READY on a pipe). */
static int start_hog(long mib, long kibps)
{
	int p[2];
	char line[16], a[24], b[24];
	if (pipe(p))
		return -1;
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		close(p[0]);                       /* (it may be descriptor 3 itself) */
		if (p[1] != 3) {
			dup2(p[1], 3);
			close(p[1]);
		}
		snprintf(a, sizeof(a), "%ld", mib);
		snprintf(b, sizeof(b), "%ld", kibps);
		execl("/bin/migbench", "migbench", "hog", a, b, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	ssize_t n = read(p[0], line, sizeof(line)), got = n;
	while (n > 0)
		n = read(p[0], line, sizeof(line));       /* to the end: it let go of the pipe */
	close(p[0]);
	return got > 0 ? pid : -1;
}

/* ---- the cases ---------------------------------------------------------------------------- */

struct sample {
	double total_ms, down_ms;
};

static void end_hog(int pid)
{
	kill(pid, SIGKILL);                    /* here, or forwarded to where it runs */
	waitpid(pid, NULL, 0);
}

static int migrate_case(uint32_t node, long mib, long kibps, uint32_t flags, struct sample *s)
{
	struct tnode_mig_stats st;
	int pid = start_hog(mib, kibps);
	if (pid < 0)
		return -1;
	int err = tnode_migrate(pid, node, NULL, flags, &st);
	s->total_ms = st.total_ns / 1e6;
	s->down_ms = st.down_ns / 1e6;
	if (err)
		printf("migbench: %ld MiB: %s\n", mib, err == -EBUSY ? tnode_why_str(st.why)
								: strerror(-err));
	end_hog(pid);
	return err;
}

static int raw_case(uint32_t node, long mib, struct sample *s)
{
	static char chunk[256 << 10];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(SINK_PORT),
				  .sin_addr.s_addr = htonl(tnode_addr(node)) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char ack;
	uint64_t t0 = now_ns(), left = (uint64_t)mib << 20;
	int buf = NP_MIG_SOCKBUF;                  /* as a migration stream has them */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (fd < 0 || connect(fd, (void *)&to, sizeof(to)) < 0) {
		printf("migbench: raw: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (left) {
		ssize_t k = send(fd, chunk, left < sizeof(chunk) ? left : sizeof(chunk), 0);
		if (k <= 0)
			break;
		left -= (uint64_t)k;
	}
	shutdown(fd, SHUT_WR);
	ssize_t got = recv(fd, &ack, 1, 0);
	close(fd);
	s->total_ms = s->down_ms = (now_ns() - t0) / 1e6;
	return left || got != 1 ? -1 : 0;
}

static int restart_case(long mib, struct sample *s)
{
	int pid = start_hog(mib, 0);
	if (pid < 0)
		return -1;
	uint64_t t0 = now_ns();
	end_hog(pid);
	pid = start_hog(mib, 0);
	s->total_ms = s->down_ms = (now_ns() - t0) / 1e6;
	if (pid > 0)
		end_hog(pid);
	return pid > 0 ? 0 : -1;
}

/* ---- reporting ----------------------------------------------------------------------------- */

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, const char *what, long mib, double *v, int n)
{
	if (n <= 0)
		return;
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("BENCH mig_%s_%s_%ld %.3f %.3f %.3f\n", name, what, mib, v[n / 2], v[0], v[n - 1]);
}

enum { SC, SCW, PRE, RAW, RESTART, NCASES };
static const char *const case_names[NCASES] = { "sc", "scw", "pre", "raw", "restart" };

static int run_case(int c, uint32_t node, long mib, struct sample *s)
{
	switch (c) {
	case SC:
		return migrate_case(node, mib, 0, 0, s);
	case SCW:
		return migrate_case(node, mib, WRITE_KIBPS, 0, s);
	case PRE:
		return migrate_case(node, mib, WRITE_KIBPS, TNODE_MIG_PRECOPY, s);
	case RAW:
		return raw_case(node, mib, s);
	default:
		return restart_case(mib, s);
	}
}

static void size_runs(uint32_t node, long mib, int runs)
{
	double total[NCASES][MAX_RUNS], down[NCASES][MAX_RUNS];
	int n[NCASES] = { 0 };
	for (int r = 0; r < runs; r++) {
		for (int c = 0; c < NCASES; c++) {
			struct sample s;
			if (run_case(c, node, mib, &s))
				continue;
			total[c][n[c]] = s.total_ms;
			down[c][n[c]++] = s.down_ms;
		}
	}
	for (int c = 0; c < NCASES; c++) {
		report(case_names[c], "total", mib, total[c], n[c]);
		if (c <= PRE)
			report(case_names[c], "down", mib, down[c], n[c]);
	}
	fflush(stdout);
}

/* ---- the sink on the other node -------------------------------------------------------------- */

static int sink(int port)
{
	static char buf[256 << 10];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0), bufsz = NP_MIG_SOCKBUF;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if (fd < 0 || bind(fd, (void *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		printf("migbench: sink: %s\n", strerror(errno));
		return 1;
	}
	printf("SINK READY %d\n", port);
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		while (recv(c, buf, sizeof(buf), 0) > 0)
			;
		send(c, "k", 1, 0);
		close(c);
	}
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "spin"))
		for (volatile uint64_t n = 0;; n++)
			;                                  /* CPU-bound, silent: for balance */
	if (argc >= 4 && !strcmp(argv[1], "hog"))
		return hog(atol(argv[2]), atol(argv[3]));
	if (argc >= 2 && !strcmp(argv[1], "sink"))
		return sink(argc > 2 ? atoi(argv[2]) : SINK_PORT);
	if (argc >= 5 && !strcmp(argv[1], "run")) {
		uint32_t node = (uint32_t)atoi(argv[2]);
		int runs = atoi(argv[3]);
		runs = runs < 1 ? 1 : runs > MAX_RUNS ? MAX_RUNS : runs;
		for (int i = 4; i < argc; i++)
			size_runs(node, atol(argv[i]), runs);
		printf("BENCH mig_done 1\n");
		return 0;
	}
	fprintf(stderr, "usage: migbench run NODE RUNS MIB... | hog MIB KIBPS | sink [PORT]\n");
	return 2;
}
