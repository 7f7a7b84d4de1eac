/* Compatibility program: processor-time accounting as Linux gives it, printed as facts that
 * hold on any machine, also a loaded one (never the times themselves; how small the system
 * time of a busy loop is, and major faults, vary with the host's memory pressure): a busy loop is user time, a loop of
 * reads system time, in getrusage, times, the CPU clocks and /proc/self/stat; a child's time
 * is its parent's only after the wait; clock ids, good and bad; getrusage's other fields;
 * /proc/self/task with and without threads. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ll

static void yes(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
}

static long long now_ns(clockid_t c)
{
	struct timespec ts;
	if (clock_gettime(c, &ts))
		return -1;
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static long long tv(struct timeval t)
{
	return t.tv_sec * 1000000000ll + t.tv_usec * 1000ll;
}

/* Spin for ns of the process's own processor time (a loaded host gives it less than the wall
 * clock), reading the clock seldom so that its calls stay a small part. */
static void spin(long long ns)
{
	long long end = now_ns(CLOCK_PROCESS_CPUTIME_ID) + ns;
	volatile unsigned long x = 0;
	while (now_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < 200000; i++)
			x += (unsigned long)i;
}

/* Field k (1-based, k > 2) of a /proc stat file. */
static long long stat_field(const char *path, int k)
{
	char buf[1024];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	p += 2;
	for (int f = 3; f < k && p; f++)
		if ((p = strchr(p, ' ')))
			p++;
	return p ? strtoll(p, NULL, 10) : -1;
}

static void busy_and_calls(void)
{
	struct rusage a, b, c;
	struct tms t;
	static char buf[65536];       /* a big copy per call: the kernel's work dominates */
	getrusage(RUSAGE_SELF, &a);
	long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	spin(300 * MS);
	long long c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	getrusage(RUSAGE_SELF, &b);
	long long du = tv(b.ru_utime) - tv(a.ru_utime), ds = tv(b.ru_stime) - tv(a.ru_stime);
	yes("busy loop: user time grew", du >= 100 * MS);
	yes("busy loop: process clock counts it", c1 - c0 >= du - 20 * MS);
	clock_t up = times(&t);
	yes("times: returns ticks since boot", up > 0);
	yes("times: utime in ticks", t.tms_utime >= 10);
	yes("stat: utime (field 14) in ticks", stat_field("/proc/self/stat", 14) >= 10);
	int fd = open("/dev/zero", O_RDONLY);
	long long end = now_ns(CLOCK_PROCESS_CPUTIME_ID) + 300 * MS;
	while (now_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < 50; i++)
			if (read(fd, buf, sizeof(buf)) != (long)sizeof(buf))
				printf("read failed\n");
	close(fd);
	getrusage(RUSAGE_SELF, &c);
	du = tv(c.ru_utime) - tv(b.ru_utime);
	ds = tv(c.ru_stime) - tv(b.ru_stime);
	yes("reads: system time grew", ds >= 50 * MS);
	yes("reads: more system than user time", ds > du);
}

static void children(void)
{
	struct tms t;
	struct rusage ru;
	int pid = fork();
	if (pid == 0) {
		spin(200 * MS);
		_exit(0);
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (;;) {
		char buf[256];
		int fd = open(path, O_RDONLY);
		long n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = '\0';
		char *r = strrchr(buf, ')');
		if (r && r[2] == 'Z')
			break;
		usleep(10000);
	}
	times(&t);
	getrusage(RUSAGE_CHILDREN, &ru);
	yes("zombie child: not in cutime yet", t.tms_cutime == 0);
	yes("zombie child: not in RUSAGE_CHILDREN yet", tv(ru.ru_utime) == 0);
	yes("zombie child: its own stat has its utime", stat_field(path, 14) >= 5);
	waitpid(pid, NULL, 0);
	times(&t);
	getrusage(RUSAGE_CHILDREN, &ru);
	yes("reaped child: in cutime", t.tms_cutime >= 5);
	yes("reaped child: in RUSAGE_CHILDREN", tv(ru.ru_utime) >= 50 * MS);
	yes("reaped child: in stat's cutime (field 16)", stat_field("/proc/self/stat", 16) >= 5);
}

static void other_fields(void)
{
	struct rusage a, b;
	getrusage(RUSAGE_SELF, &a);
	size_t len = 8 << 20;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < len; i += 4096)
		m[i] = 1;
	usleep(1000);
	getrusage(RUSAGE_SELF, &b);
	yes("maxrss in KiB is at least the 8 MiB touched", b.ru_maxrss >= 8 * 1024);
	yes("minflt grew", b.ru_minflt > a.ru_minflt);
	yes("nvcsw grew after a sleep", b.ru_nvcsw > a.ru_nvcsw);
	munmap(m, len);
	getrusage(RUSAGE_SELF, &a);
	yes("maxrss stays after munmap", a.ru_maxrss >= b.ru_maxrss);
	errno = 0;
	yes("getrusage(5): EINVAL", getrusage(5, &a) == -1 && errno == EINVAL);
	yes("getrusage(RUSAGE_THREAD) works", getrusage(RUSAGE_THREAD, &a) == 0);
}

static int einval(clockid_t c)
{
	struct timespec ts;
	long r = syscall(SYS_clock_gettime, c, &ts);
	long r2 = syscall(SYS_clock_getres, c, &ts);
	return r == -1 && errno == EINVAL && r2 == -1 && errno == EINVAL;
}

#define PROC_CLOCK(pid, kind) ((clockid_t)((~(unsigned)(pid) << 3) | (kind)))
#define THREAD_CLOCK(tid, kind) (PROC_CLOCK(tid, kind) | 4)

static volatile int stop;
static pthread_barrier_t bar;

static void *spinner(void *arg)
{
	(void)arg;
	volatile unsigned long x = 0;
	pthread_barrier_wait(&bar);
	while (!stop)
		x++;
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&bar);
	while (!stop)
		usleep(10000);
	return NULL;
}

static int task_count_now(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The entries of /proc/self/task once it has want of them (a joined thread may still be
 * on its way out for a moment on Linux), or what it has after a second. */
static int task_count(int want)
{
	int n = task_count_now();
	for (int i = 0; i < 100 && n != want; i++) {
		usleep(10000);
		n = task_count_now();
	}
	return n;
}

static long long thread_ns(pthread_t t)
{
	clockid_t c;
	return pthread_getcpuclockid(t, &c) ? -1 : now_ns(c);
}

static void clocks_and_tasks(void)
{
	struct timespec res;
	yes("clock_getres(CLOCK_PROCESS_CPUTIME_ID) is 1 ns",
	    clock_getres(CLOCK_PROCESS_CPUTIME_ID, &res) == 0 && res.tv_sec == 0 &&
		    res.tv_nsec == 1);
	yes("clock 12: EINVAL", einval(12));
	yes("clock 100: EINVAL", einval(100));
	yes("process clock of kind 3: EINVAL", einval(PROC_CLOCK(0, 3)));
	yes("process clock of pid 4000000: EINVAL", einval(PROC_CLOCK(4000000, 2)));
	yes("thread clock of tid 4000000: EINVAL", einval(THREAD_CLOCK(4000000, 2)));
	yes("own process clock by pid", now_ns(PROC_CLOCK(getpid(), 2)) >= 0);
	yes("own user-time clock (kind 1)", now_ns(PROC_CLOCK(0, 1)) >= 0);
	clockid_t c;
	yes("clock_getcpuclockid(getpid())", clock_getcpuclockid(getpid(), &c) == 0 &&
						    now_ns(c) > 0);
	int pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	usleep(10000);
	yes("a child's process clock", now_ns(PROC_CLOCK(pid, 2)) >= 0);
	yes("a child's thread clock: EINVAL", einval(THREAD_CLOCK(pid, 2)));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	yes("task: one entry alone", task_count(1) == 1);
	pthread_t a, b;
	stop = 0;
	pthread_barrier_init(&bar, NULL, 3);
	pthread_create(&a, NULL, spinner, NULL);
	pthread_create(&b, NULL, sleeper, NULL);
	pthread_barrier_wait(&bar);
	yes("task: three entries with two threads", task_count(3) == 3);
	usleep(300000);
	long long sa = thread_ns(a), sb = thread_ns(b);
	yes("spinning thread's clock grew", sa >= 50 * MS);
	yes("sleeping thread's clock small", sb * 4 < sa);
	stop = 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	yes("task: one entry after the joins", task_count(1) == 1);
}

int main(void)
{
	busy_and_calls();
	children();
	other_fields();
	clocks_and_tasks();
	return 0;
}
