/*
 * The benchmark binary shared by Tessera and Linux: one static non-PIE musl program, so both
 * systems run exactly the same machine code. It measures the cost of a minimal system call
 * (getpid) and of creating a process, letting it exit and waiting for it. Results are printed
 * as machine-readable "BENCH key value" lines that `make bench` (tools/bench.py) collects.
 *
 * Each measurement is repeated RUNS times and the median is reported: under QEMU TCG single
 * runs are disturbed by translation-cache fills and host scheduling, the median is stable.
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

/* Native call numbers of Tessera, taken from the one list of system calls. */
enum {
#define SYSCALL(nr, name, nargs) TNR_##name = nr,
#include "abi/syscalls.def"
#undef SYSCALL
};

#define RUNS 5
#define GETPID_ITERS 20000
#define SPAWN_ITERS 10

extern char **environ;

/* How one "create a child running this binary with argument exit, wait for it" is done. */
struct spawner {
	const char *name;
	int (*spawn_wait)(const char *self);
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

static int linux_spawn_wait(const char *self)
{
	char *const argv[] = { (char *)self, "exit", NULL };
	pid_t pid;
	int status;

	if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

/* t_proc_create(spawn, &pid) then t_proc_wait(pid, &status, 0), as abi/tessera.h defines
 * them; musl's syscall() turns a negative result into -1. */
static int tessera_spawn_wait(const char *self)
{
	const char *const argv[] = { self, "exit", NULL };
	struct t_spawn sp = { .path = self, .argv = argv, .prio = -1 };
	int pid = 0, status = -1;

	if (syscall(TNR_t_proc_create, &sp, &pid) < 0 || pid <= 0)
		return -1;
	if (syscall(TNR_t_proc_wait, pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static const struct spawner linux_spawner = { "posix_spawn+waitpid", linux_spawn_wait };
static const struct spawner tessera_spawner = { "t_proc_create+t_proc_wait",
						 tessera_spawn_wait };

/* Mean nanoseconds of one raw getpid system call (no libc caching). */
static uint64_t bench_getpid_once(void)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < GETPID_ITERS; i++)
		syscall(SYS_getpid);
	return (now_ns() - t0) / GETPID_ITERS;
}

/* Mean microseconds of one create+exit+wait; 0 if a spawn failed. */
static uint64_t bench_spawn_once(const struct spawner *sp, const char *self)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < SPAWN_ITERS; i++)
		if (sp->spawn_wait(self) != 0)
			return 0;
	return (now_ns() - t0) / SPAWN_ITERS / 1000;
}

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

static int run_benchmarks(const struct spawner *sp, const char *self)
{
	uint64_t getpid_ns[RUNS], spawn_us[RUNS];

	for (int i = 0; i < RUNS; i++)
		getpid_ns[i] = bench_getpid_once();
	report("getpid_ns", getpid_ns, RUNS);
	for (int i = 0; i < RUNS; i++) {
		spawn_us[i] = bench_spawn_once(sp, self);
		if (spawn_us[i] == 0) {
			printf("BENCH spawn_error %s failed for %s\n", sp->name, self);
			return 1;
		}
	}
	printf("BENCH spawn_method %s\n", sp->name);
	report("spawn_us", spawn_us, RUNS);
	return 0;
}

int main(int argc, char **argv)
{
	struct utsname u;
	const struct spawner *sp;
	int rc;

	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return 0;
	if (uname(&u) != 0) {
		perror("bench: uname");
		return 1;
	}
	sp = strcmp(u.sysname, "Tessera") == 0 ? &tessera_spawner : &linux_spawner;
	printf("BENCH os %s\n", u.sysname);
	printf("BENCH runs %d\n", RUNS);
	fflush(stdout);
	/* argv[0] is how we were started: an absolute path under both inits. */
	rc = run_benchmarks(sp, argc > 0 && argv[0][0] ? argv[0] : "/bin/bench");
	printf("BENCH DONE\n");
	return rc;
}
