/*
 * Container round-trip benchmark (HVS IPC, seed 002 section 5.2.1): a parent sends a
 * container of N bytes to a box, a child echoes it back through a second box, 1000 times per
 * run; the median of RUNS runs is reported for N = 1, 64, 1024, 4096, with the child in a
 * space of its own and (as in the paper's comparison) in the parent's space.
 *
 * It calls the kernel through syscall() and abi/syscalls.def only, like bench/bench.c, so the
 * functions can be compiled into /bin/bench as they are: ipc_bench_child() handles the
 * child's command line, ipc_bench_run() prints "BENCH key value" lines. Built alone (without
 * IPC_BENCH_NO_MAIN) it is /bin/ipcbench. Under Linux the same code measures a pipe round
 * trip of the same sizes instead, for comparison.
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/tessera.h"

enum {
#define SYSCALL(nr, name, nargs) IPCB_NR_##name = nr,
#include "abi/syscalls.def"
#undef SYSCALL
};

#define IPCB_RUNS 5
#define IPCB_ROUNDS 1000
#define IPCB_MAXSIZE 4096

static const size_t ipcb_sizes[] = { 1, 64, 1024, 4096 };
#define IPCB_NSIZES (sizeof(ipcb_sizes) / sizeof(ipcb_sizes[0]))

static char ipcb_buf[IPCB_MAXSIZE];

static uint64_t ipcb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int ipcb_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void ipcb_report(const char *key, uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), ipcb_cmp);
	printf("BENCH %s_runs", key);
	for (int i = 0; i < n; i++)
		printf(" %llu", (unsigned long long)v[i]);
	printf("\nBENCH %s %llu\n", key, (unsigned long long)v[n / 2]);
	fflush(stdout);
}

/* ---- one transport: container boxes (Tessera) or pipes (Linux, for comparison) --------- */

struct ipcb_chan {
	int (*send)(struct ipcb_chan *c, const void *buf, size_t n);
	long (*recv)(struct ipcb_chan *c, void *buf, size_t n);
	rid_t req, rep;        /* boxes: requests to the child, replies back */
	int wfd, rfd;          /* pipes: where this side writes and reads */
};

static int ipcb_box_send(struct ipcb_chan *c, const void *buf, size_t n)
{
	return syscall(IPCB_NR_t_cbox_send, c->req, buf, n, 0) == 0 ? 0 : -1;
}

static long ipcb_box_recv(struct ipcb_chan *c, void *buf, size_t n)
{
	return syscall(IPCB_NR_t_cbox_recv, c->rep, buf, n, 0, NULL);
}

static int ipcb_pipe_send(struct ipcb_chan *c, const void *buf, size_t n)
{
	return write(c->wfd, buf, n) == (ssize_t)n ? 0 : -1;
}

/* A pipe has no message boundaries: read until the whole message of n bytes is in. */
static long ipcb_pipe_recv(struct ipcb_chan *c, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(c->rfd, (char *)buf + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return (long)got;
}

/* Mean nanoseconds of one round trip of size bytes; 0 on failure. */
static uint64_t ipcb_round_trips(struct ipcb_chan *c, size_t size)
{
	uint64_t t0 = ipcb_now_ns();
	for (int i = 0; i < IPCB_ROUNDS; i++) {
		ipcb_buf[0] = (char)i;
		if (c->send(c, ipcb_buf, size) < 0 || c->recv(c, ipcb_buf, size) != (long)size ||
		    ipcb_buf[0] != (char)i)
			return 0;
	}
	return (ipcb_now_ns() - t0) / IPCB_ROUNDS;
}

/* Measures every size over the channel and reports "BENCH <key>_<size> ns". */
static int ipcb_measure(struct ipcb_chan *c, const char *key)
{
	char name[64];
	uint64_t ns[IPCB_RUNS];
	for (size_t s = 0; s < IPCB_NSIZES; s++) {
		ipcb_round_trips(c, ipcb_sizes[s]);    /* warm up: translation cache, pages */
		for (int r = 0; r < IPCB_RUNS; r++)
			if (!(ns[r] = ipcb_round_trips(c, ipcb_sizes[s])))
				return -1;
		snprintf(name, sizeof(name), "%s_%zu", key, ipcb_sizes[s]);
		ipcb_report(name, ns, IPCB_RUNS);
	}
	return 0;
}

/* ---- the child: echo until an empty message ------------------------------------------- */

static int ipcb_echo(struct ipcb_chan *c)
{
	for (;;) {
		long n = c->recv(c, ipcb_buf, sizeof(ipcb_buf));
		if (n <= 0)
			return n == 0 ? 0 : 1;
		if (c->send(c, ipcb_buf, (size_t)n) < 0)
			return 1;
	}
}

/* The child's side of the box echo: reads from req, answers to rep (the parent's view
 * swapped). */
static long ipcb_box_child_recv(struct ipcb_chan *c, void *buf, size_t n)
{
	return syscall(IPCB_NR_t_cbox_recv, c->req, buf, n, 0, NULL);
}

static int ipcb_box_child_send(struct ipcb_chan *c, const void *buf, size_t n)
{
	return syscall(IPCB_NR_t_cbox_send, c->rep, buf, n, 0) == 0 ? 0 : -1;
}

/* A pipe echo child reads the message size first (pipes have no boundaries). */
static int ipcb_pipe_echo(struct ipcb_chan *c)
{
	for (;;) {
		uint32_t n;
		if (ipcb_pipe_recv(c, &n, sizeof(n)) != sizeof(n))
			return 1;
		if (n == 0)
			return 0;
		if (n > sizeof(ipcb_buf) || ipcb_pipe_recv(c, ipcb_buf, n) != (long)n ||
		    ipcb_pipe_send(c, ipcb_buf, n) < 0)
			return 1;
	}
}

/* argv = { self, "ipc-echo", "cbox", REQ, REP } or { self, "ipc-echo", "pipe", RFD, WFD }:
 * runs the echo child and returns its exit status; -1 if argv asks for something else. */
int ipc_bench_child(int argc, char **argv);
int ipc_bench_child(int argc, char **argv)
{
	struct ipcb_chan c = { 0 };
	if (argc != 5 || strcmp(argv[1], "ipc-echo") != 0)
		return -1;
	if (strcmp(argv[2], "cbox") == 0) {
		c.req = strtoull(argv[3], NULL, 16);
		c.rep = strtoull(argv[4], NULL, 16);
		c.send = ipcb_box_child_send;
		c.recv = ipcb_box_child_recv;
		return ipcb_echo(&c);
	}
	c.rfd = atoi(argv[3]);
	c.wfd = atoi(argv[4]);
	return ipcb_pipe_echo(&c);
}

/* ---- the parent ------------------------------------------------------------------------ */

/* The space this process runs in (its process resource's "space" reference), 0 if unknown. */
static rid_t ipcb_own_space(void)
{
	struct t_res_info in;
	rid_t self;
	if (syscall(IPCB_NR_t_proc_rid, getpid(), &self) < 0 ||
	    syscall(IPCB_NR_t_res_info, self, &in) < 0)
		return 0;
	for (uint32_t i = 0; i < in.nrefs; i++)
		if (strcmp(in.refs[i].role, "space") == 0)
			return in.refs[i].rid;
	return 0;
}

static int ipcb_wait(int pid)
{
	int status = -1;
	if (syscall(IPCB_NR_t_proc_wait, pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* One Tessera measurement: boxes, an echo child in space (0: a new one), the sizes. */
static int ipcb_cbox(const char *self, rid_t space, const char *key)
{
	struct ipcb_chan c = { .send = ipcb_box_send, .recv = ipcb_box_recv };
	char req_s[24], rep_s[24], name[T_NAME_MAX];
	int pid = 0, rc = -1;
	snprintf(name, sizeof(name), "ipcb.req.%d", getpid());
	if (syscall(IPCB_NR_t_cbox_create, name, 0, &c.req) < 0)
		return -1;
	snprintf(name, sizeof(name), "ipcb.rep.%d", getpid());
	if (syscall(IPCB_NR_t_cbox_create, name, 0, &c.rep) < 0)
		goto out_req;
	snprintf(req_s, sizeof(req_s), "%llx", (unsigned long long)c.req);
	snprintf(rep_s, sizeof(rep_s), "%llx", (unsigned long long)c.rep);
	const char *const argv[] = { self, "ipc-echo", "cbox", req_s, rep_s, NULL };
	struct t_spawn sp = { .path = self, .argv = argv, .vspace = space, .prio = -1 };
	if (syscall(IPCB_NR_t_proc_create, &sp, &pid) < 0 || pid <= 0) {
		printf("BENCH %s_error the echo child cannot be started in %s\n", key,
		       space ? "this space (is the program position-independent?)" : "a new space");
		goto out_rep;
	}
	rc = ipcb_measure(&c, key);
	ipcb_box_send(&c, ipcb_buf, 0);          /* the empty container ends the echo */
	if (ipcb_wait(pid) < 0)
		rc = -1;
out_rep:
	syscall(IPCB_NR_t_res_delete, c.rep);
out_req:
	syscall(IPCB_NR_t_res_delete, c.req);
	return rc;
}

/* The Linux comparison: the same sizes over two pipes to a posix_spawn'ed echo child. The
 * size travels in a 4-byte header, so the parent sends 4 more bytes than the message. */
static int ipcb_pipe_send_msg(struct ipcb_chan *c, const void *buf, size_t n)
{
	uint32_t len = (uint32_t)n;
	return ipcb_pipe_send(c, &len, sizeof(len)) < 0 ? -1 : ipcb_pipe_send(c, buf, n);
}

static int ipcb_pipes(const char *self)
{
	int to[2], from[2], pid, status, rc;
	char rfd[12], wfd[12];
	if (pipe(to) < 0 || pipe(from) < 0) {
		printf("BENCH pipe_rt_ns_error no pipes\n");
		return -1;
	}
	snprintf(rfd, sizeof(rfd), "%d", to[0]);
	snprintf(wfd, sizeof(wfd), "%d", from[1]);
	char *const argv[] = { (char *)self, "ipc-echo", "pipe", rfd, wfd, NULL };
	if (posix_spawn(&pid, self, NULL, NULL, argv, NULL) != 0)
		return -1;
	close(to[0]);
	close(from[1]);
	struct ipcb_chan c = { .send = ipcb_pipe_send_msg, .recv = ipcb_pipe_recv, .wfd = to[1],
			       .rfd = from[0] };
	rc = ipcb_measure(&c, "pipe_rt_ns");
	ipcb_pipe_send_msg(&c, ipcb_buf, 0);
	close(to[1]);
	close(from[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = -1;
	return rc;
}

/* Prints every measurement as BENCH lines; self is the path of this program. */
int ipc_bench_run(const char *self);
int ipc_bench_run(const char *self)
{
	struct utsname u;
	if (uname(&u) != 0)
		return 1;
	printf("BENCH ipc_rounds %d\n", IPCB_ROUNDS);
	if (strcmp(u.sysname, "Tessera") != 0)
		return ipcb_pipes(self) < 0;
	int rc = ipcb_cbox(self, 0, "cbox_rt_ns") < 0;
	rid_t space = ipcb_own_space();
	if (space && ipcb_cbox(self, space, "cbox_rt_same_ns") < 0)
		rc = 1;
	return rc;
}

#ifndef IPC_BENCH_NO_MAIN
int main(int argc, char **argv)
{
	int rc = ipc_bench_child(argc, argv);
	if (rc >= 0)
		return rc;
	rc = ipc_bench_run(argc > 0 && argv[0][0] == '/' ? argv[0] : "/bin/ipcbench");
	printf("BENCH DONE\n");
	return rc;
}
#endif
