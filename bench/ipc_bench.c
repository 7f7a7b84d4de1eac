/*
 * Container round-trip benchmark (HVS IPC, seed 002 section 5.2.1): a parent sends a
 * container of N bytes to a box, a child echoes it back through a second box, 1000 times per
 * run; the median of RUNS runs is reported for N = 1, 64, 1024, 4096, with the child in a
 * space of its own and (as in the paper's comparison) in the parent's space.
 *
 * It calls the kernel through syscall() and abi/syscalls.def only, like bench/bench.c, so the
 * functions are also compiled into /bin/bench (bench/ipc_bench.h, -DIPC_BENCH_NO_MAIN), which
 * runs unchanged on Linux and on Tessera: ipc_bench_child() handles an echo child's command
 * line, ipc_bench_pipes() measures pipe round trips between two processes (both systems) and
 * ipc_bench_pipe_threads() between two threads. Built alone (without IPC_BENCH_NO_MAIN) it
 * is /bin/ipcbench: container boxes on Tessera, pipes between processes under Linux.
 */
#define _GNU_SOURCE
#include <pthread.h>
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
#include "bench/ipc_bench.h"

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

extern char **environ;

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
	char buf[IPCB_MAXSIZE]; /* one per side: an echo thread shares the address space */
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
		c->buf[0] = (char)i;
		if (c->send(c, c->buf, size) < 0 || c->recv(c, c->buf, size) != (long)size ||
		    c->buf[0] != (char)i)
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
		long n = c->recv(c, c->buf, sizeof(c->buf));
		if (n <= 0)
			return n == 0 ? 0 : 1;
		if (c->send(c, c->buf, (size_t)n) < 0)
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
		if (n > sizeof(c->buf) || ipcb_pipe_recv(c, c->buf, n) != (long)n ||
		    ipcb_pipe_send(c, c->buf, n) < 0)
			return 1;
	}
}

int ipc_bench_child(int argc, char **argv)
{
	static struct ipcb_chan c;
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

static int ipcb_on_tessera(void)
{
	struct utsname u;
	return uname(&u) == 0 && strcmp(u.sysname, "Tessera") == 0;
}

/* Starts argv[0] with argv as a new process that inherits this one's descriptors (those not
 * close-on-exec). Tessera: t_proc_create into space (0: a new space); Linux: posix_spawn.
 * Returns the pid, or -1. */
static int ipcb_spawn(const char *const *argv, rid_t space)
{
	if (ipcb_on_tessera()) {
		struct t_spawn sp = { .path = argv[0], .argv = argv, .vspace = space, .prio = -1 };
		int pid = 0;
		if (syscall(IPCB_NR_t_proc_create, &sp, &pid) < 0 || pid <= 0)
			return -1;
		return pid;
	}
	pid_t pid;
	if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0)
		return -1;
	return pid;
}

/* Waits for pid; 0 if it exited with status 0. */
static int ipcb_wait(int pid)
{
	int status = -1;
	if (ipcb_on_tessera()) {
		if (syscall(IPCB_NR_t_proc_wait, pid, &status, 0) != pid)
			return -1;
	} else if (waitpid(pid, &status, 0) != pid) {
		return -1;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

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

/* One Tessera measurement: boxes, an echo child in space (0: a new one), the sizes. */
static int ipcb_cbox(const char *self, rid_t space, const char *key)
{
	static struct ipcb_chan c;
	char req_s[24], rep_s[24], name[T_NAME_MAX];
	int pid, rc = -1;
	c.send = ipcb_box_send;
	c.recv = ipcb_box_recv;
	snprintf(name, sizeof(name), "ipcb.req.%d", getpid());
	if (syscall(IPCB_NR_t_cbox_create, name, 0, &c.req) < 0)
		return -1;
	snprintf(name, sizeof(name), "ipcb.rep.%d", getpid());
	if (syscall(IPCB_NR_t_cbox_create, name, 0, &c.rep) < 0)
		goto out_req;
	snprintf(req_s, sizeof(req_s), "%llx", (unsigned long long)c.req);
	snprintf(rep_s, sizeof(rep_s), "%llx", (unsigned long long)c.rep);
	const char *const argv[] = { self, "ipc-echo", "cbox", req_s, rep_s, NULL };
	if ((pid = ipcb_spawn(argv, space)) < 0) {
		printf("BENCH %s_error the echo child cannot be started in %s\n", key,
		       space ? "this space (is the program position-independent?)" : "a new space");
		goto out_rep;
	}
	rc = ipcb_measure(&c, key);
	ipcb_box_send(&c, c.buf, 0);          /* the empty container ends the echo */
	if (ipcb_wait(pid) < 0)
		rc = -1;
out_rep:
	syscall(IPCB_NR_t_res_delete, c.rep);
out_req:
	syscall(IPCB_NR_t_res_delete, c.req);
	return rc;
}

/* Pipes carry no message boundaries: the size travels in a 4-byte header, so the parent
 * sends 4 more bytes than the message. Header and message go in one write, as one message
 * would: two writes could cost the echo side an extra wake-up and switch per round trip. */
static int ipcb_pipe_send_msg(struct ipcb_chan *c, const void *buf, size_t n)
{
	static char msg[sizeof(uint32_t) + IPCB_MAXSIZE];
	uint32_t len = (uint32_t)n;
	if (n > IPCB_MAXSIZE)
		return -1;
	memcpy(msg, &len, sizeof(len));
	memcpy(msg + sizeof(len), buf, n);
	return ipcb_pipe_send(c, msg, sizeof(len) + n);
}

/* Two pipes: to[] carries requests to the echo side, from[] the answers back. */
static int ipcb_pipe_pair(int to[2], int from[2])
{
	if (pipe(to) < 0)
		return -1;
	if (pipe(from) < 0) {
		close(to[0]);
		close(to[1]);
		return -1;
	}
	return 0;
}

/* Measures over the parent's ends, then ends the echo with an empty message. */
static int ipcb_pipe_measure(int wfd, int rfd, const char *key)
{
	static struct ipcb_chan c;
	c.send = ipcb_pipe_send_msg;
	c.recv = ipcb_pipe_recv;
	c.wfd = wfd;
	c.rfd = rfd;
	int rc = ipcb_measure(&c, key);
	if (ipcb_pipe_send_msg(&c, c.buf, 0) < 0)
		rc = -1;
	return rc;
}

int ipc_bench_pipes(const char *self)
{
	int to[2], from[2], pid, rc = -1;
	char rfd[12], wfd[12];
	if (ipcb_pipe_pair(to, from) < 0) {
		printf("BENCH pipe_rt_ns_error no pipes\n");
		return -1;
	}
	snprintf(rfd, sizeof(rfd), "%d", to[0]);
	snprintf(wfd, sizeof(wfd), "%d", from[1]);
	const char *const argv[] = { self, "ipc-echo", "pipe", rfd, wfd, NULL };
	pid = ipcb_spawn(argv, 0);
	close(to[0]);
	close(from[1]);
	if (pid < 0) {
		printf("BENCH pipe_rt_ns_error the echo child cannot be started\n");
		goto out;
	}
	rc = ipcb_pipe_measure(to[1], from[0], "pipe_rt_ns");
	if (ipcb_wait(pid) < 0)
		rc = -1;
out:
	close(to[1]);
	close(from[0]);
	return rc;
}

static void *ipcb_echo_thread(void *arg)
{
	return (void *)(intptr_t)ipcb_pipe_echo(arg);
}

int ipc_bench_pipe_threads(void)
{
	static struct ipcb_chan echo;
	int to[2], from[2], rc = -1;
	pthread_t t;
	void *ret;
	if (ipcb_pipe_pair(to, from) < 0) {
		printf("BENCH pipe_rt_thread_ns_error no pipes\n");
		return -1;
	}
	echo.rfd = to[0];
	echo.wfd = from[1];
	if (pthread_create(&t, NULL, ipcb_echo_thread, &echo) != 0) {
		printf("BENCH pipe_rt_thread_ns_error pthread_create failed\n");
		goto out;
	}
	rc = ipcb_pipe_measure(to[1], from[0], "pipe_rt_thread_ns");
	if (pthread_join(t, &ret) != 0 || ret != NULL)
		rc = -1;
out:
	close(to[0]);
	close(to[1]);
	close(from[0]);
	close(from[1]);
	return rc;
}

int ipc_bench_run(const char *self)
{
	printf("BENCH ipc_rounds %d\n", IPCB_ROUNDS);
	if (!ipcb_on_tessera())
		return ipc_bench_pipes(self) < 0;
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
