/*
 * Processor-time accounting (kernel/proc/cputime.h, docs/compat.md): a busy loop is user time
 * and a loop of system calls system time, in getrusage, times, the CPU clocks and /proc; a
 * child's time reaches its parent's children's time only when it is reaped; a spinning
 * thread's CPU clock grows and a sleeping one's does not; CPU clock ids of unknown processes,
 * of other processes' threads and with a bad clock kind give EINVAL; an Smode process's own
 * code is user time too; /proc/PID/task lists exactly the live threads. The margins are wide
 * (a quarter of what should be there): these check where time goes, not how fast anything is.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "t_thread.h"
#include "utest.h"

#define MS 1000000ll
/* Linux's CPU clock ids (clock_getcpuclockid): ~pid << 3 | kind, bit 2 for a thread. */
#define PROC_CLOCK(pid, kind) ((clockid_t)((~(unsigned)(pid) << 3) | (kind)))
#define THREAD_CLOCK(tid, kind) (PROC_CLOCK(tid, kind) | 4)

static int64_t tv_ns(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000000ll + (int64_t)tv.tv_usec * 1000;
}

static void usage(int who, int64_t *user, int64_t *sys)
{
	struct rusage ru;
	CHECK_EQ(getrusage(who, &ru), 0);
	*user = tv_ns(ru.ru_utime);
	*sys = tv_ns(ru.ru_stime);
}

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	CHECK_EQ(clock_gettime(c, &ts), 0);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Spin for ns of wall time with no system call (the vDSO reads the clock). */
static void spin(int64_t ns)
{
	int64_t end = ut_now_ns() + ns;
	volatile uint64_t x = 0;
	while (ut_now_ns() < end)
		for (int i = 0; i < 1000; i++)
			x += (uint64_t)i;
}

/* Spin until the process has ns of processor time: on a loaded host a wall-clock spin may
 * get less than that, and the tests below count on the amount. */
static void spin_cpu(int64_t ns)
{
	int64_t end = clock_ns(CLOCK_PROCESS_CPUTIME_ID) + ns;
	volatile uint64_t x = 0;
	while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < 1000; i++)
			x += (uint64_t)i;
}

static void busy_loop_is_user(void)
{
	int64_t u0, s0, u1, s1;
	struct tms t0, t1;
	CHECK(times(&t0) > 0);
	usage(RUSAGE_SELF, &u0, &s0);
	int64_t c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	int64_t v0 = clock_ns(PROC_CLOCK(0, 1));       /* the user-time clock (VIRT) */
	spin(400 * MS);
	int64_t v1 = clock_ns(PROC_CLOCK(0, 1));
	int64_t c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	usage(RUSAGE_SELF, &u1, &s1);
	CHECK(times(&t1) > 0);
	if (u1 - u0 < 100 * MS || (s1 - s0) * 4 > u1 - u0)
		FAIL("400 ms of spinning: user %lld ns, system %lld ns", (long long)(u1 - u0),
		     (long long)(s1 - s0));
	/* the clock counts both, and times() the same in ticks (1/100 s) */
	CHECK(c1 - c0 >= u1 - u0 - 20 * MS);
	CHECK(v1 - v0 >= u1 - u0 - 20 * MS && v1 - v0 <= c1 - c0);
	CHECK(t1.tms_utime - t0.tms_utime >= 10);
	CHECK(t1.tms_utime * 10 * MS <= u1 + 10 * MS && t1.tms_utime * 10 * MS >= u1 - 20 * MS);
	/* RUSAGE_THREAD: the only thread has it all */
	int64_t tu, ts;
	usage(RUSAGE_THREAD, &tu, &ts);
	CHECK(tu >= u1 - 10 * MS && tu <= u1 + 10 * MS);
}

static void syscalls_are_system(void)
{
	static char buf[65536];       /* a big copy per call: the kernel's work dominates */
	int64_t u0, s0, u1, s1;
	int fd = open("/dev/zero", O_RDONLY);
	CHECK_OK(fd);
	usage(RUSAGE_SELF, &u0, &s0);
	int64_t end = ut_now_ns() + 400 * MS;
	long n = 0;
	while (ut_now_ns() < end)
		for (int i = 0; i < 50; i++, n++)
			CHECK_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	usage(RUSAGE_SELF, &u1, &s1);
	close(fd);
	if (s1 - s0 < 50 * MS || s1 - s0 < u1 - u0)
		FAIL("%ld reads of 64 KiB: user %lld ns, system %lld ns", n, (long long)(u1 - u0),
		     (long long)(s1 - s0));
	struct tms t;
	times(&t);
	CHECK(t.tms_stime >= 5);
}

/* The state letter of pid in /proc/PID/stat ('?' if it is gone). */
static char proc_state(int pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	char *r = strrchr(buf, ')');
	return r && r[1] == ' ' ? r[2] : '?';
}

/* Field k (1-based, k > 2) of /proc/PID/stat. */
static long long stat_field(const char *path, int k)
{
	char buf[1024];
	int fd = open(path, O_RDONLY);
	CHECK_OK(fd);
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	CHECK(p);
	p += 2;
	for (int f = 3; f < k; f++) {
		p = strchr(p, ' ');
		CHECK(p);
		p++;
	}
	return strtoll(p, NULL, 10);
}

static void children_at_reap(void)
{
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		/* a grandchild spins first and is reaped here: it counts for the test's
		 * children too (about 350 ms in all) */
		int g = fork();
		if (g == 0) {
			spin_cpu(150 * MS);
			_exit(0);
		}
		waitpid(g, NULL, 0);
		spin_cpu(200 * MS);
		_exit(0);
	}
	while (proc_state(pid) != 'Z')
		usleep(10000);
	/* a zombie's time is not its parent's yet (Linux adds it at wait) */
	struct tms t;
	int64_t u, s;
	times(&t);
	usage(RUSAGE_CHILDREN, &u, &s);
	CHECK_EQ(t.tms_cutime + t.tms_cstime, 0);
	CHECK_EQ(u + s, 0);
	CHECK_EQ(stat_field("/proc/self/stat", 16), 0);
	/* the zombie's own /proc/PID/stat shows its time */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	CHECK(stat_field(path, 14) >= 5);
	CHECK_EQ(ut_wait(pid), 0);
	times(&t);
	usage(RUSAGE_CHILDREN, &u, &s);
	if (u < 250 * MS || t.tms_cutime < 25)
		FAIL("after the wait: children's user time %lld ns, %ld ticks", (long long)u,
		     (long)t.tms_cutime);
	CHECK(stat_field("/proc/self/stat", 16) >= 20);
	/* RUSAGE_SELF is the caller's own */
	int64_t su, ss;
	usage(RUSAGE_SELF, &su, &ss);
	CHECK(su < u);
}

/* ---- threads ------------------------------------------------------------------------- */

static volatile int stop;

static void *spinner(void *arg)
{
	(void)arg;
	volatile uint64_t x = 0;
	while (!stop)
		x++;
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	while (!stop)
		usleep(20000);
	return NULL;
}

static int64_t cpu_of(pthread_t t)
{
	clockid_t c;
	CHECK_EQ(pthread_getcpuclockid(t, &c), 0);
	return clock_ns(c);
}

static void thread_clocks(void)
{
	pthread_t a, b;
	stop = 0;
	int64_t p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK_EQ(pthread_create(&a, NULL, spinner, NULL), 0);
	CHECK_EQ(pthread_create(&b, NULL, sleeper, NULL), 0);
	usleep(400000);
	int64_t ca = cpu_of(a), cb = cpu_of(b), me = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	int64_t p1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	stop = 1;
	CHECK_EQ(pthread_join(a, NULL), 0);
	CHECK_EQ(pthread_join(b, NULL), 0);
	if (ca < 100 * MS || cb * 4 > ca || me * 4 > ca)
		FAIL("spinner %lld ns, sleeper %lld ns, main %lld ns", (long long)ca, (long long)cb,
		     (long long)me);
	CHECK(p1 - p0 >= ca);
	/* the ended threads' time stays the process's */
	int64_t u, s;
	usage(RUSAGE_SELF, &u, &s);
	CHECK(u + s >= ca);
	usage(RUSAGE_THREAD, &u, &s);
	CHECK(u + s <= me + 50 * MS);
}


static long raw_gettime(clockid_t c)
{
	struct timespec ts;
	return tsys_call(228, c, (long)&ts, 0, 0, 0, 0);
}

static long raw_getres(clockid_t c)
{
	struct timespec ts;
	return tsys_call(229, c, (long)&ts, 0, 0, 0, 0);
}

static void *park(void *arg)
{
	(void)arg;
	while (!stop)
		usleep(10000);
	return NULL;
}

static void bad_clock_ids(void)
{
	static const clockid_t bad[] = { 12, 16, 100, 0x7fffffff, PROC_CLOCK(0, 3),
					 THREAD_CLOCK(0, 3), PROC_CLOCK(999999, 2),
					 THREAD_CLOCK(999999, 2) };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_ERR(raw_gettime(bad[i]), EINVAL);
		CHECK_ERR(raw_getres(bad[i]), EINVAL);
	}
	int pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK_OK(pid);
	/* another process's clock can be read, its thread's cannot (Linux's rule) */
	CHECK_EQ(raw_gettime(PROC_CLOCK(pid, 2)), 0);
	CHECK_ERR(raw_gettime(THREAD_CLOCK(pid, 2)), EINVAL);
	clockid_t c;
	CHECK_EQ(clock_getcpuclockid(pid, &c), 0);
	CHECK_EQ(raw_gettime(c), 0);
	kill(pid, SIGKILL);
	ut_wait(pid);
	CHECK_ERR(raw_gettime(PROC_CLOCK(pid, 2)), EINVAL);
	/* the caller's own: every kind, by pid and by 0; its thread by tid */
	for (int kind = 0; kind < 3; kind++) {
		CHECK_EQ(raw_gettime(PROC_CLOCK(0, kind)), 0);
		CHECK_EQ(raw_gettime(PROC_CLOCK(getpid(), kind)), 0);
		CHECK_EQ(raw_gettime(THREAD_CLOCK(0, kind)), 0);
		CHECK_EQ(raw_gettime(THREAD_CLOCK(getpid(), kind)), 0);
	}
	/* a thread's tid names a thread clock, not a process clock (it is no process) */
	pthread_t t;
	stop = 0;
	CHECK_EQ(pthread_create(&t, NULL, park, NULL), 0);
	CHECK_EQ(pthread_getcpuclockid(t, &c), 0);
	CHECK_EQ(raw_gettime(c), 0);
	long tid = ~((long)c >> 3);      /* the tid in the clock id musl made */
	CHECK(tid > 0 && tid != getpid());
	CHECK_ERR(raw_gettime(PROC_CLOCK(tid, 2)), EINVAL);
	stop = 1;
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_ERR(raw_gettime(c), EINVAL);
	/* a bad buffer for a good clock */
	CHECK_ERR(tsys_call(228, CLOCK_PROCESS_CPUTIME_ID, 1, 0, 0, 0, 0), EFAULT);
}

static void smode_is_user(void)
{
	int64_t u0, s0, u1, s1;
	ut_switch_self(TRM_SMODE);
	usage(RUSAGE_SELF, &u0, &s0);
	spin(300 * MS);
	usage(RUSAGE_SELF, &u1, &s1);
	ut_switch_self(TRM_UMODE);
	if (u1 - u0 < 75 * MS || (s1 - s0) * 4 > u1 - u0)
		FAIL("Smode spinning: user %lld ns, system %lld ns", (long long)(u1 - u0),
		     (long long)(s1 - s0));
}

/* ---- /proc/PID/task ------------------------------------------------------------------- */

#define NTASK 3
static pthread_barrier_t bar;
static long task_tids[NTASK];

static void *task_thread(void *arg)
{
	task_tids[(long)arg] = ut_gettid();
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	return NULL;
}

/* The thread ids listed in /proc/self/task, sorted. */
static int list_tasks(long *out, int max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;
	CHECK(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && n < max)
			out[n++] = atol(de->d_name);
	closedir(d);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
			long x = out[j];
			out[j] = out[j - 1];
			out[j - 1] = x;
		}
	return n;
}

static long status_field(const char *path, const char *key)
{
	char buf[2048];
	int fd = open(path, O_RDONLY);
	CHECK_OK(fd);
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = '\0';
	char *p = strstr(buf, key);
	CHECK(p);
	return strtol(p + strlen(key), NULL, 10);
}

static void check_task(long tid)
{
	char path[96], comm[32];
	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
	CHECK_EQ(stat_field(path, 4), getppid());
	char buf[64];
	int fd = open(path, O_RDONLY);
	CHECK_OK(fd);
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_EQ(atol(buf), tid);
	CHECK_EQ(stat_field(path, 20), NTASK + 1);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/status", tid);
	CHECK_EQ(status_field(path, "\nPid:\t"), tid);
	CHECK_EQ(status_field(path, "\nTgid:\t"), getpid());
	CHECK_EQ(status_field(path, "\nThreads:\t"), NTASK + 1);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/comm", tid);
	fd = open(path, O_RDONLY);
	CHECK_OK(fd);
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	CHECK(n == 6 && memcmp(comm, "utest\n", 6) == 0);
}

/* Whether /proc's listing names id. */
static bool proc_lists(long id)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool found = false;
	CHECK(d);
	while ((de = readdir(d)))
		found |= atol(de->d_name) == id;
	closedir(d);
	return found;
}

/* /proc/TID of a thread that is not the first: looked up though not listed (Linux), its
 * files show that thread's id with its process's. */
static void check_tid_dir(long tid)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/%ld/status", tid);
	CHECK_EQ(status_field(path, "\nPid:\t"), tid);
	CHECK_EQ(status_field(path, "\nTgid:\t"), getpid());
	CHECK_EQ(status_field(path, "\nThreads:\t"), NTASK + 1);
	snprintf(path, sizeof(path), "/proc/%ld/stat", tid);
	CHECK_EQ(stat_field(path, 4), getppid());
	CHECK_EQ(stat_field(path, 20), NTASK + 1);
	snprintf(path, sizeof(path), "/proc/%ld/task/%d/status", tid, getpid());
	CHECK_EQ(status_field(path, "\nPid:\t"), getpid());
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", tid);
	int fd = open(path, O_RDONLY);
	CHECK_OK(fd);
	close(fd);
	CHECK(!proc_lists(tid));
}

static void task_dir(void)
{
	pthread_t t[NTASK];
	long got[16], want[NTASK + 1];
	CHECK_EQ(list_tasks(got, 16), 1);
	CHECK_EQ(got[0], getpid());
	CHECK_OK(pthread_barrier_init(&bar, NULL, NTASK + 1));
	for (long i = 0; i < NTASK; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, task_thread, (void *)i), 0);
	pthread_barrier_wait(&bar);
	want[0] = getpid();
	for (int i = 0; i < NTASK; i++)
		want[i + 1] = task_tids[i];
	CHECK_EQ(list_tasks(got, 16), NTASK + 1);
	for (int i = 0; i < NTASK + 1; i++) {
		int found = 0;
		for (int j = 0; j < NTASK + 1; j++)
			found |= got[j] == want[i];
		CHECK(found);
		check_task(want[i]);
	}
	CHECK_EQ(status_field("/proc/self/status", "\nThreads:\t"), NTASK + 1);
	CHECK_EQ(stat_field("/proc/self/stat", 20), NTASK + 1);
	for (int i = 0; i < NTASK; i++)
		check_tid_dir(task_tids[i]);
	CHECK(proc_lists(getpid()));
	pthread_barrier_wait(&bar);
	for (int i = 0; i < NTASK; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&bar);
	CHECK_EQ(list_tasks(got, 16), 1);
	CHECK_EQ(got[0], getpid());
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", task_tids[0]);
	CHECK_ERR(tsys_open((long)path, O_RDONLY, 0), ENOENT);
	snprintf(path, sizeof(path), "/proc/%ld/status", task_tids[1]);
	CHECK_ERR(tsys_open((long)path, O_RDONLY, 0), ENOENT);   /* it ended */
	CHECK_ERR(tsys_open((long)"/proc/self/task/0/stat", O_RDONLY, 0), ENOENT);
	CHECK_ERR(tsys_open((long)"/proc/self/task/1/stat", O_RDONLY, 0), ENOENT);
	CHECK_EQ(status_field("/proc/self/status", "\nThreads:\t"), 1);
}

const struct utest ut_cputime_tests[] = {
	{ "cputime_busy_user", busy_loop_is_user },
	{ "cputime_syscalls_system", syscalls_are_system },
	{ "cputime_children_at_reap", children_at_reap },
	{ "cputime_thread_clocks", thread_clocks },
	{ "cputime_bad_clock_ids", bad_clock_ids },
	{ "cputime_smode_user", smode_is_user },
	{ "procfs_task_dir", task_dir },
	{ NULL, NULL },
};
