/*
 * The benchmark binary shared by Tessera and Linux: one static non-PIE musl program, so both
 * systems run exactly the same machine code. It measures
 *   - a minimal system call (getpid);
 *   - a clock read, clock_gettime(CLOCK_MONOTONIC), through the C library (which calls the
 *     vDSO when the system maps one: AT_SYSINFO_EHDR) and as the system call itself;
 *   - creating a process, letting it exit and waiting for it: this binary itself (spawn_us)
 *     and Debian's busybox-static running "true" (spawn_busybox_us);
 *   - pipe round trips of 1..4096 bytes between two processes and between two threads
 *     (bench/ipc_bench.c);
 *   - sched_yield ping-pong between two threads and between two processes (time per switch);
 *   - creating and joining a thread (pthread_create + pthread_join), and a futex wake/wait
 *     round trip between two threads;
 *   - fork + exit + wait of a process with 1 or 8 MiB of touched private memory, the child
 *     writing none or a few of its pages (what copy-on-write makes cheap);
 *   - copying 4 KiB, 64 KiB and 1 MiB through a pipe to a child that reads one byte of every
 *     page and sends the bytes back through a second pipe (what passing an ICA to a server
 *     avoids: bench/srv_bench.c, table K);
 *   - path lookups under /tmp (issue 18): stat of a short path and of one of about 4000
 *     characters, and open+close of the short one.
 * Results are printed as machine-readable "BENCH key value" lines that `make bench`
 * (tools/bench_report.py) collects.
 *
 * Each measurement is repeated RUNS times and the median is reported: under QEMU TCG single
 * runs are disturbed by translation-cache fills and host scheduling, the median is stable.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/tessera.h"
#include "bench/ipc_bench.h"

/* Native call numbers of Tessera, taken from the one list of system calls. */
enum {
#define SYSCALL(nr, name, nargs) TNR_##name = nr,
#include "abi/syscalls.def"
#undef SYSCALL
};

#define RUNS 5
#define GETPID_ITERS 20000
#define CLOCK_ITERS 20000
#define SPAWN_ITERS 10
#define YIELD_ITERS 10000     /* yields per side: 2 * YIELD_ITERS switches per run */
#define BUSYBOX "/bin/busybox"
#define FORK_ITERS 20
#define FORK_DIRTY 4          /* pages the writing child changes */
#define THREAD_ITERS 200      /* thread create + join per run */
#define FUTEX_ITERS 10000     /* futex round trips per run */

extern char **environ;
static const char *self_os = "";       /* uname's sysname */

/* How a process running argv[0] with argv is created (inheriting this process's descriptors)
 * and waited for, on this system. */
struct spawner {
	const char *name;
	int (*spawn)(const char *const *argv);        /* pid or -1 */
	int (*wait)(int pid);                          /* 0 if it exited with status 0 */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_u64);
	return v[n / 2];
}

static int linux_spawn(const char *const *argv)
{
	pid_t pid;

	if (posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0)
		return -1;
	return pid;
}

static int linux_wait(int pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* t_proc_create(spawn, &pid) into a new space (this binary is not position-independent) and
 * t_proc_wait(pid, &status, 0), as abi/tessera.h defines them; musl's syscall() turns a
 * negative result into -1. */
static int tessera_spawn(const char *const *argv)
{
	struct t_spawn sp = { .path = argv[0], .argv = argv, .prio = -1 };
	int pid = 0;

	if (syscall(TNR_t_proc_create, &sp, &pid) < 0 || pid <= 0)
		return -1;
	return pid;
}

static int tessera_wait(int pid)
{
	int status = -1;

	if (syscall(TNR_t_proc_wait, pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static const struct spawner linux_spawner = { "posix_spawn+waitpid", linux_spawn, linux_wait };
static const struct spawner tessera_spawner = { "t_proc_create+t_proc_wait", tessera_spawn,
						 tessera_wait };

/* "BENCH key median" and, to show the spread, "BENCH key_runs v1 v2 ..." (sorted). */
static void report(const char *key, uint64_t *v, int n)
{
	uint64_t med = median(v, n);

	printf("BENCH %s_runs", key);
	for (int i = 0; i < n; i++)
		printf(" %llu", (unsigned long long)v[i]);
	printf("\nBENCH %s %llu\n", key, (unsigned long long)med);
	fflush(stdout);
}

/* ---- getpid and process creation ------------------------------------------------------ */

/* Mean nanoseconds of one raw getpid system call (no libc caching). */
static uint64_t bench_getpid_once(void)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < GETPID_ITERS; i++)
		syscall(SYS_getpid);
	return (now_ns() - t0) / GETPID_ITERS;
}

/* Mean ns of one clock_gettime(CLOCK_MONOTONIC): musl's (through the vDSO if there is one)
 * or the system call. */
static uint64_t bench_clock_once(int libc)
{
	struct timespec ts;
	uint64_t t0 = now_ns();

	for (int i = 0; i < CLOCK_ITERS; i++) {
		if (libc)
			clock_gettime(CLOCK_MONOTONIC, &ts);
		else
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	}
	return (now_ns() - t0) / CLOCK_ITERS;
}

static void bench_clock(void)
{
	uint64_t vdso[RUNS], sys[RUNS];

	printf("BENCH clock_vdso_present %d\n", getauxval(AT_SYSINFO_EHDR) != 0);
	for (int i = 0; i < RUNS; i++) {      /* interleaved: QEMU's speed drifts */
		vdso[i] = bench_clock_once(1);
		sys[i] = bench_clock_once(0);
	}
	report("clock_libc_ns", vdso, RUNS);
	report("clock_syscall_ns", sys, RUNS);
}

/* ---- path lookups (issue 18) ------------------------------------------------------------ */

#define PATH_ITERS 2000
static char bench_long_path[4200];

/* Mean nanoseconds of one stat of path (open_close: open + close instead). */
static uint64_t bench_path_once(const char *path, int open_close)
{
	struct stat st;
	uint64_t t0 = now_ns();

	for (int i = 0; i < PATH_ITERS; i++) {
		if (open_close)
			close(open(path, O_RDONLY));
		else
			stat(path, &st);
	}
	return (now_ns() - t0) / PATH_ITERS;
}

/* /tmp/pathbench/ddd.../f: directories of 200-character names, about 4000 characters. */
static int make_long_path(int make)
{
	strcpy(bench_long_path, "/tmp/pathbench");
	int ok = !make || mkdir(bench_long_path, 0755) == 0;
	while (strlen(bench_long_path) + 202 < 4000) {
		size_t at = strlen(bench_long_path);
		bench_long_path[at] = '/';
		memset(bench_long_path + at + 1, 'd', 200);
		bench_long_path[at + 201] = '\0';
		ok = ok && (!make || mkdir(bench_long_path, 0755) == 0);
	}
	strcat(bench_long_path, "/f");
	return ok && (!make || close(open(bench_long_path, O_CREAT | O_WRONLY, 0644)) == 0);
}

static void remove_long_path(void)
{
	make_long_path(0);
	unlink(bench_long_path);
	for (char *s; (s = strrchr(bench_long_path, '/')) && s != bench_long_path + 4;) {
		*s = '\0';
		rmdir(bench_long_path);
	}
}

static int bench_paths(void)
{
	uint64_t st_short[RUNS], st_long[RUNS], oc[RUNS];
	int has_long = make_long_path(1);

	mkdir("/tmp/pathbench", 0755);
	if (close(open("/tmp/pathbench/s", O_CREAT | O_WRONLY, 0644))) {
		printf("BENCH path_error cannot make /tmp/pathbench/s\n");
		return 1;
	}
	if (!has_long)           /* a system with a small path limit */
		printf("BENCH stat_4000_ns_error cannot make a path of 4000 characters\n");
	/* each kind in runs of its own: the long lookups would otherwise flush the translated
	 * code and the TLB that the short ones find warm on a system without them */
	for (int i = 0; i < RUNS; i++)
		st_short[i] = bench_path_once("/tmp/pathbench/s", 0);
	for (int i = 0; i < RUNS; i++)
		oc[i] = bench_path_once("/tmp/pathbench/s", 1);
	for (int i = 0; has_long && i < RUNS; i++)
		st_long[i] = bench_path_once(bench_long_path, 0);
	report("stat_short_ns", st_short, RUNS);
	if (has_long)
		report("stat_4000_ns", st_long, RUNS);
	report("open_close_ns", oc, RUNS);
	unlink("/tmp/pathbench/s");
	remove_long_path();
	return 0;
}

/* Mean microseconds of one create+exit+wait of argv; 0 if a spawn failed. */
static uint64_t bench_spawn_once(const struct spawner *sp, const char *const *argv)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < SPAWN_ITERS; i++) {
		int pid = sp->spawn(argv);

		if (pid < 0 || sp->wait(pid) != 0)
			return 0;
	}
	return (now_ns() - t0) / SPAWN_ITERS / 1000;
}

static int bench_spawn(const struct spawner *sp, const char *key, const char *const *argv)
{
	uint64_t us[RUNS];

	for (int i = 0; i < RUNS; i++) {
		us[i] = bench_spawn_once(sp, argv);
		if (us[i] == 0) {
			printf("BENCH %s_error %s failed for %s\n", key, sp->name, argv[0]);
			return 1;
		}
	}
	report(key, us, RUNS);
	return 0;
}

/* ---- sched_yield ping-pong ------------------------------------------------------------ */

/* One side: wait for the start byte (so both sides start together), yield YIELD_ITERS
 * times, report the elapsed nanoseconds. With the other side runnable too, every yield is a
 * switch to it, so the elapsed time covers 2 * YIELD_ITERS switches. */
static int yield_side(int startfd, int resultfd)
{
	char go;
	uint64_t t0, dt;

	if (read(startfd, &go, 1) != 1)
		return 1;
	t0 = now_ns();
	for (int i = 0; i < YIELD_ITERS; i++)
		syscall(SYS_sched_yield);
	dt = now_ns() - t0;
	return write(resultfd, &dt, sizeof(dt)) == sizeof(dt) ? 0 : 1;
}

struct yield_pipes {
	int start[2], result[2];
};

static void yield_pipes_close(struct yield_pipes *yp)
{
	for (int i = 0; i < 2; i++) {
		if (yp->start[i] >= 0)
			close(yp->start[i]);
		if (yp->result[i] >= 0)
			close(yp->result[i]);
	}
}

static void *yield_thread(void *arg)
{
	struct yield_pipes *yp = arg;

	return (void *)(intptr_t)yield_side(yp->start[0], yp->result[1]);
}

/* Starts both sides, collects their times: nanoseconds per switch, 0 on failure. */
static uint64_t yield_collect(struct yield_pipes *yp)
{
	uint64_t dt[2];
	size_t got = 0;

	if (write(yp->start[1], "gg", 2) != 2)
		return 0;
	while (got < sizeof(dt)) {
		ssize_t r = read(yp->result[0], (char *)dt + got, sizeof(dt) - got);

		if (r <= 0)
			return 0;
		got += (size_t)r;
	}
	return (dt[0] + dt[1]) / 2 / (2 * YIELD_ITERS);
}

/* One run with two threads; 0 on failure. */
static uint64_t yield_threads_once(struct yield_pipes *yp)
{
	pthread_t t[2];
	void *ret;
	uint64_t ns;

	if (pthread_create(&t[0], NULL, yield_thread, yp) != 0)
		return 0;
	if (pthread_create(&t[1], NULL, yield_thread, yp) != 0) {
		close(yp->start[1]);          /* the first thread's read fails: it ends */
		yp->start[1] = -1;
		pthread_join(t[0], &ret);
		return 0;
	}
	ns = yield_collect(yp);
	for (int i = 0; i < 2; i++)
		if (pthread_join(t[i], &ret) != 0 || ret != NULL)
			ns = 0;
	return ns;
}

/* One run with two child processes running self; 0 on failure. */
static uint64_t yield_procs_once(const struct spawner *sp, const char *self,
				 struct yield_pipes *yp)
{
	char sfd[12], rfd[12];
	int pid[2];
	uint64_t ns;

	snprintf(sfd, sizeof(sfd), "%d", yp->start[0]);
	snprintf(rfd, sizeof(rfd), "%d", yp->result[1]);
	const char *const argv[] = { self, "yield-side", sfd, rfd, NULL };
	pid[0] = sp->spawn(argv);
	if (pid[0] < 0)
		return 0;
	pid[1] = sp->spawn(argv);
	if (pid[1] < 0) {
		close(yp->start[1]);          /* the first child's read fails: it ends */
		yp->start[1] = -1;
		sp->wait(pid[0]);
		return 0;
	}
	ns = yield_collect(yp);
	for (int i = 0; i < 2; i++)
		if (sp->wait(pid[i]) != 0)
			ns = 0;
	return ns;
}

/* key: yield_thread_ns (sp NULL) or yield_proc_ns. */
static int bench_yield(const struct spawner *sp, const char *self, const char *key)
{
	uint64_t ns[RUNS];

	for (int i = 0; i < RUNS; i++) {
		struct yield_pipes yp = { { -1, -1 }, { -1, -1 } };

		if (pipe(yp.start) < 0 || pipe(yp.result) < 0) {
			yield_pipes_close(&yp);
			printf("BENCH %s_error no pipes\n", key);
			return 1;
		}
		ns[i] = sp ? yield_procs_once(sp, self, &yp) : yield_threads_once(&yp);
		yield_pipes_close(&yp);
		if (ns[i] == 0) {
			printf("BENCH %s_error a ping-pong run failed\n", key);
			return 1;
		}
	}
	report(key, ns, RUNS);
	return 0;
}

/* ---- threads: create + join, futex round trip ---------------------------------------- */

static void *thread_nop(void *arg)
{
	return arg;
}

/* Mean nanoseconds of one pthread_create + pthread_join; 0 on failure. */
static uint64_t thread_create_once(void)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < THREAD_ITERS; i++) {
		pthread_t t;
		void *r;

		if (pthread_create(&t, NULL, thread_nop, (void *)(long)(i + 1)) != 0)
			return 0;
		if (pthread_join(t, &r) != 0 || r != (void *)(long)(i + 1))
			return 0;
	}
	return (now_ns() - t0) / THREAD_ITERS;
}

static long futex_call(volatile int *w, int op, int val)
{
	return syscall(SYS_futex, w, op | 128 /* FUTEX_PRIVATE_FLAG */, val, NULL, NULL, 0);
}

/* The word two threads hand back and forth: 1 = the echo thread's turn, 0 = the timer's;
 * -1 ends the echo thread. */
static volatile int futex_word;

static void *futex_echo(void *arg)
{
	(void)arg;
	for (;;) {
		int v;
		while ((v = futex_word) == 0)
			futex_call(&futex_word, 0 /* WAIT */, 0);
		if (v < 0)
			return NULL;
		futex_word = 0;
		futex_call(&futex_word, 1 /* WAKE */, 1);
	}
}

/* Mean nanoseconds of one round trip: wake the other thread, which wakes this one back. */
static uint64_t futex_rt_once(void)
{
	pthread_t t;

	futex_word = 0;
	if (pthread_create(&t, NULL, futex_echo, NULL) != 0)
		return 0;
	uint64_t t0 = now_ns();
	for (int i = 0; i < FUTEX_ITERS; i++) {
		futex_word = 1;
		futex_call(&futex_word, 1, 1);
		while (futex_word == 1)
			futex_call(&futex_word, 0, 1);
	}
	uint64_t ns = (now_ns() - t0) / FUTEX_ITERS;
	futex_word = -1;
	futex_call(&futex_word, 1, 1);
	return pthread_join(t, NULL) == 0 ? ns : 0;
}

static int bench_threads(void)
{
	uint64_t create[RUNS], rt[RUNS];

	for (int i = 0; i < RUNS; i++) {
		create[i] = thread_create_once();
		rt[i] = futex_rt_once();
		if (!create[i] || !rt[i]) {
			printf("BENCH thread_error a thread could not be made or joined\n");
			return 1;
		}
	}
	printf("BENCH thread_iters %d\nBENCH futex_iters %d\n", THREAD_ITERS, FUTEX_ITERS);
	report("thread_create_ns", create, RUNS);
	report("futex_rt_ns", rt, RUNS);
	return 0;
}

/* ---- fork + exit + wait ---------------------------------------------------------------- */

/* Mean microseconds of one fork, child exit and wait, the child writing dirty pages of mem
 * (spread over it); 0 if a fork failed. */
static uint64_t bench_fork_once(unsigned char *mem, size_t size, int dirty)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < FORK_ITERS; i++) {
		int pid = fork(), st;

		if (pid == 0) {
			for (int k = 0; k < dirty; k++)
				mem[size / (size_t)dirty * (size_t)k] = (unsigned char)i;
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
			return 0;
	}
	return (now_ns() - t0) / FORK_ITERS / 1000;
}

/* fork_<mib>mib_<dirty>w_us: a process with mib MiB of touched memory (an anonymous
 * mapping, every page written) forking children that write 0 or FORK_DIRTY pages. */
static int bench_fork(int mib)
{
	size_t size = (size_t)mib << 20;
	unsigned char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				  -1, 0);
	int rc = 0;

	if (mem == MAP_FAILED) {
		printf("BENCH fork_%dmib_error no memory\n", mib);
		return 1;
	}
	memset(mem, 1, size);
	for (int dirty = 0; dirty <= FORK_DIRTY && !rc; dirty += FORK_DIRTY) {
		uint64_t us[RUNS];
		char key[32];

		snprintf(key, sizeof(key), "fork_%dmib_%dw_us", mib, dirty);
		for (int i = 0; i < RUNS && !rc; i++) {
			us[i] = bench_fork_once(mem, size, dirty);
			if (us[i] == 0) {
				printf("BENCH %s_error a fork failed\n", key);
				rc = 1;
			}
		}
		if (!rc)
			report(key, us, RUNS);
	}
	munmap(mem, size);
	return rc;
}

/* ---- bulk copy through pipes, there and back ------------------------------------------ */

static const size_t copy_sizes[] = { 4096, 65536, 1048576 };
static const int copy_rounds[] = { 400, 100, 10 };
#define NCOPY (sizeof(copy_sizes) / sizeof(copy_sizes[0]))

static int read_full(int fd, char *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			return got == 0 && r == 0 ? 1 : -1;     /* 1: end of the stream */
		got += (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const char *buf, size_t n)
{
	for (size_t put = 0; put < n;) {
		ssize_t w = write(fd, buf + put, n - put);
		if (w <= 0)
			return -1;
		put += (size_t)w;
	}
	return 0;
}

/* The child: takes size bytes, reads one byte of every page as the echo server does with
 * an ICA, gives the bytes back; rounds times. (It counts rounds rather than wait for the
 * end of the stream: it inherited the parent's write end too.) */
static int copy_side(int rfd, int wfd, size_t size, int rounds)
{
	static char buf[1 << 20];
	volatile unsigned sum = 0;
	if (size > sizeof(buf))
		return 1;
	for (int r = 0; r < rounds; r++) {
		if (read_full(rfd, buf, size))
			return 1;
		for (size_t i = 0; i < size; i += 4096)
			sum += (unsigned char)buf[i];
		if (write_full(wfd, buf, size))
			return 1;
	}
	return 0;
}

/* Nanoseconds per round (size bytes there and back) with a child on the pipes. */
static int copy_measure(const struct spawner *sp, const char *self, size_t size, int rounds,
			uint64_t *ns)
{
	static char buf[1 << 20];
	int to[2], from[2], pid, rc = -1;
	char rfd[12], wfd[12], sz[24], nr[12];
	if (pipe(to) < 0)
		return -1;
	if (pipe(from) < 0)
		goto out_to;
	snprintf(rfd, sizeof(rfd), "%d", to[0]);
	snprintf(wfd, sizeof(wfd), "%d", from[1]);
	snprintf(sz, sizeof(sz), "%zu", size);
	snprintf(nr, sizeof(nr), "%d", rounds);
	const char *const argv[] = { self, "copy-side", rfd, wfd, sz, nr, NULL };
	if ((pid = sp->spawn(argv)) < 0)
		goto out_from;
	close(to[0]);
	close(from[1]);
	to[0] = from[1] = -1;
	uint64_t t0 = now_ns();
	int broken = 0;
	for (int i = 0; i < rounds && !broken; i++)
		broken = write_full(to[1], buf, size) || read_full(from[0], buf, size);
	if (broken)
		kill(pid, SIGKILL);              /* it would wait for the rest for ever */
	*ns = (now_ns() - t0) / (uint64_t)rounds;
	close(to[1]);
	to[1] = -1;
	rc = sp->wait(pid) || broken ? -1 : 0;
out_from:
	close(from[0]);
	if (from[1] >= 0)
		close(from[1]);
out_to:
	if (to[0] >= 0)
		close(to[0]);
	if (to[1] >= 0)
		close(to[1]);
	return rc;
}

static int bench_copy(const struct spawner *sp, const char *self)
{
	static uint64_t ns[NCOPY][RUNS];
	for (int r = 0; r < RUNS; r++) {
		for (size_t s = 0; s < NCOPY; s++) {
			if (copy_measure(sp, self, copy_sizes[s], copy_rounds[s], &ns[s][r])) {
				printf("BENCH pipe_copy_ns_error a copy child failed\n");
				return 1;
			}
		}
	}
	for (size_t s = 0; s < NCOPY; s++) {
		char key[48];
		snprintf(key, sizeof(key), "pipe_copy_ns_%zu", copy_sizes[s]);
		report(key, ns[s], RUNS);
	}
	return 0;
}

/* ---- all of it ------------------------------------------------------------------------ */

static int run_benchmarks(const struct spawner *sp, const char *self)
{
	const char *const self_argv[] = { self, "exit", NULL };
	const char *const busybox_argv[] = { BUSYBOX, "true", NULL };
	uint64_t getpid_ns[RUNS];
	int rc = 0;

	for (int i = 0; i < RUNS; i++)
		getpid_ns[i] = bench_getpid_once();
	report("getpid_ns", getpid_ns, RUNS);
	bench_clock();
	printf("BENCH spawn_method %s\n", sp->name);
	rc |= bench_spawn(sp, "spawn_us", self_argv);
	if (access(BUSYBOX, X_OK) == 0)
		rc |= bench_spawn(sp, "spawn_busybox_us", busybox_argv);
	else
		printf("BENCH spawn_busybox_us_error no %s\n", BUSYBOX);
	rc |= ipc_bench_pipes(self) != 0;
	rc |= ipc_bench_pipe_threads() != 0;
	rc |= bench_yield(NULL, self, "yield_thread_ns");
	rc |= bench_threads();
	rc |= bench_yield(sp, self, "yield_proc_ns");
	printf("BENCH fork_dirty_pages %d\nBENCH fork_iters %d\n", FORK_DIRTY, FORK_ITERS);
	rc |= bench_fork(1);
	rc |= bench_fork(8);
	rc |= bench_copy(sp, self);
	rc |= bench_paths();
	return rc;
}

int main(int argc, char **argv)
{
	static struct utsname u;      /* self_os points into it */
	const struct spawner *sp;
	int rc;

	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return 0;
	if (argc == 2 && strcmp(argv[1], "clock") == 0) {
		bench_clock();               /* table S alone (tools/bench_clock.sh) */
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "paths") == 0)
		return bench_paths();        /* the path lookups alone */
	if (argc == 4 && strcmp(argv[1], "yield-side") == 0)
		return yield_side(atoi(argv[2]), atoi(argv[3]));
	if (argc == 6 && strcmp(argv[1], "copy-side") == 0)
		return copy_side(atoi(argv[2]), atoi(argv[3]), (size_t)atol(argv[4]), atoi(argv[5]));
	if ((rc = ipc_bench_child(argc, argv)) >= 0)
		return rc;
	if (uname(&u) != 0) {
		perror("bench: uname");
		return 1;
	}
	self_os = u.sysname;
	sp = strcmp(u.sysname, "Tessera") == 0 ? &tessera_spawner : &linux_spawner;
	printf("BENCH os %s\n", u.sysname);
	printf("BENCH runs %d\n", RUNS);
	fflush(stdout);
	/* argv[0] is how we were started: an absolute path under both inits. */
	rc = run_benchmarks(sp, argc > 0 && argv[0][0] == '/' ? argv[0] : "/bin/bench");
	printf("BENCH DONE\n");
	return rc;
}
