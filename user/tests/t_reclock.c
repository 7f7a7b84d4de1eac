/* fcntl(2) record locks (kernel/fs/reclock.c): ranges (SEEK_SET/CUR/END, length 0 to the
 * end, negative lengths), splitting and merging, conflicts between processes, a blocked
 * F_SETLKW woken by the unlock or ended by a signal (EINTR), release at any close and at
 * exit, EDEADLK, OFD locks owned by the open file, bad input and the bound on their number.
 * A lock of this process is looked at through another open file of the same file (an OFD
 * request is another owner), so most checks need no second process. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define FILE_ "/tmp/ut-rlk"

static long lk(int fd, int cmd, int type, int whence, int64_t start, int64_t len)
{
	struct flock fl = { .l_type = (short)type, .l_whence = (short)whence, .l_start = start,
			    .l_len = len };
	return tsys_fcntl(fd, cmd, (long)&fl);
}

/* What F_OFD_GETLK through probe says of a write lock over start..start+len-1: the
 * conflicting lock as "T start len pid" ("U" for none). */
static void probe(int fd, int64_t start, int64_t len, int type, const char *want)
{
	struct flock fl = { .l_type = (short)type, .l_whence = SEEK_SET, .l_start = start,
			    .l_len = len };
	char got[96];
	CHECK_OK(tsys_fcntl(fd, F_OFD_GETLK, (long)&fl));
	if (fl.l_type == F_UNLCK)
		snprintf(got, sizeof(got), "U");
	else
		snprintf(got, sizeof(got), "%c %lld %lld %d", fl.l_type == F_WRLCK ? 'W' : 'R',
			 (long long)fl.l_start, (long long)fl.l_len, (int)fl.l_pid);
	if (strcmp(got, want) != 0)
		FAIL("probe %lld+%lld: got \"%s\", want \"%s\"", (long long)start, (long long)len,
		     got, want);
}

static int open_file(int flags)
{
	int fd = open(FILE_, flags | O_CREAT, 0644);
	CHECK(fd >= 0);
	return fd;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Ranges as SEEK_SET, SEEK_CUR and SEEK_END give them, to the end (length 0) and backwards
 * (negative length); an unlock in the middle splits a lock, a lock of the other type there
 * makes three, the same type merges them back, and touching locks of a type merge. */
static void reclock_ranges(void)
{
	int a = open_file(O_RDWR), b = open_file(O_RDWR);
	char line[64];
	snprintf(line, sizeof(line), "W 0 100 %d", getpid());
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
	probe(b, 50, 1, F_RDLCK, line);
	probe(b, 100, 10, F_WRLCK, "U");
	CHECK_OK(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 40, 20));
	probe(b, 40, 20, F_WRLCK, "U");
	snprintf(line, sizeof(line), "W 60 40 %d", getpid());
	probe(b, 59, 2, F_WRLCK, line);
	snprintf(line, sizeof(line), "W 0 40 %d", getpid());
	probe(b, 39, 1, F_WRLCK, line);
	CHECK_OK(lk(a, F_SETLK, F_RDLCK, SEEK_SET, 30, 40));    /* W 0-29, R 30-69, W 70-99 */
	probe(b, 35, 30, F_RDLCK, "U");
	snprintf(line, sizeof(line), "R 30 40 %d", getpid());
	probe(b, 35, 30, F_WRLCK, line);
	snprintf(line, sizeof(line), "W 70 30 %d", getpid());
	probe(b, 69, 5, F_RDLCK, line);
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 30, 40));    /* one write lock again */
	snprintf(line, sizeof(line), "W 0 100 %d", getpid());
	probe(b, 99, 1, F_RDLCK, line);
	CHECK_OK(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));      /* everything */
	probe(b, 0, 0, F_WRLCK, "U");
	CHECK_OK(lk(a, F_SETLK, F_RDLCK, SEEK_SET, 0, 10));
	CHECK_OK(lk(a, F_SETLK, F_RDLCK, SEEK_SET, 10, 10));    /* touching: one lock */
	snprintf(line, sizeof(line), "R 0 20 %d", getpid());
	probe(b, 5, 1, F_WRLCK, line);
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 200, 0));    /* to the end and beyond */
	snprintf(line, sizeof(line), "W 200 0 %d", getpid());
	probe(b, (int64_t)1 << 50, 1, F_RDLCK, line);
	CHECK_OK(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 300, -50));  /* 250..299 */
	snprintf(line, sizeof(line), "W 250 50 %d", getpid());
	probe(b, 0, 0, F_RDLCK, line);
	CHECK_OK(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	CHECK_EQ(lseek(a, 1000, SEEK_SET), 1000);
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_CUR, 10, 5));
	snprintf(line, sizeof(line), "W 1010 5 %d", getpid());
	probe(b, 0, 0, F_RDLCK, line);
	CHECK_OK(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	CHECK_OK(ftruncate(a, 4096));
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_END, -10, 10));
	snprintf(line, sizeof(line), "W 4086 10 %d", getpid());
	probe(b, 0, 0, F_RDLCK, line);
	CHECK_OK(close(a));
	probe(b, 0, 0, F_WRLCK, "U");
	CHECK_OK(close(b));
	CHECK_OK(unlink(FILE_));
}

/* Bad input: types, whence, ranges before 0 or past the largest offset, a lock the open
 * mode does not allow, bad descriptors and struct pointers, an OFD request with l_pid. */
static void reclock_bad_input(void)
{
	int rw = open_file(O_RDWR), ro = open(FILE_, O_RDONLY), wo = open(FILE_, O_WRONLY);
	CHECK(ro >= 0 && wo >= 0);
	CHECK_ERR(lk(rw, F_SETLK, 9, SEEK_SET, 0, 1), EINVAL);
	CHECK_ERR(lk(rw, F_GETLK, F_UNLCK, SEEK_SET, 0, 1), EINVAL);
	CHECK_ERR(lk(rw, F_SETLK, F_WRLCK, 7, 0, 1), EINVAL);
	CHECK_ERR(lk(rw, F_SETLK, F_WRLCK, SEEK_SET, -1, 1), EINVAL);
	CHECK_ERR(lk(rw, F_SETLK, F_WRLCK, SEEK_SET, 10, -20), EINVAL);
	CHECK_ERR(lk(rw, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 2), EOVERFLOW);
	CHECK_EQ(lseek(rw, 10, SEEK_SET), 10);
	CHECK_ERR(lk(rw, F_SETLK, F_WRLCK, SEEK_CUR, INT64_MAX, 1), EOVERFLOW);
	CHECK_OK(lk(rw, F_SETLK, F_WRLCK, SEEK_CUR, INT64_MAX - 10, 1));   /* the last byte */
	CHECK_ERR(lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_ERR(lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_OK(lk(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	CHECK_OK(lk(wo, F_SETLK, F_WRLCK, SEEK_SET, 5, 1));
	CHECK_OK(lk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));     /* unlock needs no mode */
	CHECK_ERR(lk(99, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_ERR(lk(-1, F_GETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_ERR(tsys_fcntl(rw, F_SETLK, 1), EFAULT);
	CHECK_ERR(tsys_fcntl(rw, F_GETLK, (long)0xffff800000000000ul), EFAULT);
	CHECK_ERR(tsys_fcntl(rw, F_SETLKW, 0), EFAULT);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 5 };
	CHECK_ERR(tsys_fcntl(rw, F_OFD_SETLK, (long)&fl), EINVAL);
	CHECK_ERR(tsys_fcntl(rw, F_OFD_GETLK, (long)&fl), EINVAL);
	fl.l_pid = 77;                                           /* ignored by the POSIX forms */
	CHECK_OK(tsys_fcntl(rw, F_SETLK, (long)&fl));
	int p[2];
	CHECK_OK(pipe(p));                                       /* any file can be locked */
	CHECK_OK(lk(p[1], F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	close(p[0]);
	close(p[1]);
	close(rw);
	close(ro);
	close(wo);
	CHECK_OK(unlink(FILE_));
}

/* The state letter of /proc/PID/stat ('S': blocked). */
static char proc_state(int pid)
{
	char path[32], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	CHECK(p && p[1] == ' ');
	return p[2];
}

/* Waits (up to 10 s) until process pid blocks. */
static void until_blocked(int pid)
{
	for (int i = 0; i < 1000 && proc_state(pid) != 'S'; i++)
		sleep_ms(10);
	CHECK_EQ(proc_state(pid), 'S');
}

static int reap(int pid)
{
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	return st;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* Between a parent and its child: a conflict (EAGAIN, F_GETLK names the holder's pid), a
 * child's lock gone with its exit, a blocked F_SETLKW woken by the unlock, one ended by a
 * caught signal without SA_RESTART (EINTR), and the parent's lock gone when it closes
 * another descriptor of the file. A forked child does not inherit POSIX locks. */
static void reclock_processes(void)
{
	int a = open_file(O_RDWR), b = open_file(O_RDWR);
	int parent = getpid();
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5,
				    .l_len = 1 };
		CHECK_ERR(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 5, 1), EAGAIN);   /* not inherited */
		CHECK_OK(tsys_fcntl(a, F_GETLK, (long)&fl));
		CHECK(fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 10);
		CHECK_EQ(fl.l_pid, parent);
		CHECK_OK(lk(a, F_SETLK, F_RDLCK, SEEK_SET, 10, 5));
		_exit(0);
	}
	CHECK_EQ(reap(pid), 0);
	probe(b, 10, 5, F_WRLCK, "U");                            /* gone with the child */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK_OK(lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));   /* waits for the parent */
		_exit(lk(a, F_GETLK, F_WRLCK, SEEK_SET, 0, 1) == 0 ? 0 : 3);
	}
	until_blocked(pid);
	CHECK_OK(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 10));
	CHECK_EQ(reap(pid), 0);
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;                     /* no SA_RESTART */
		CHECK_OK(sigaction(SIGALRM, &sa, NULL));
		alarm(1);
		CHECK_ERR(lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1), EINTR);
		CHECK_EQ(alarms, 1);
		_exit(0);
	}
	CHECK_EQ(reap(pid), 0);
	char line[32];
	snprintf(line, sizeof(line), "W 0 10 %d", parent);
	probe(b, 0, 0, F_WRLCK, line);
	int c = open(FILE_, O_RDONLY);
	CHECK(c >= 0);
	CHECK_OK(close(c));                       /* any close by the process lets go of them */
	probe(b, 0, 0, F_WRLCK, "U");
	CHECK_OK(close(a));
	CHECK_OK(close(b));
	CHECK_OK(unlink(FILE_));
}

/* A circle of two waiting processes: the second to wait gets EDEADLK at once. */
static void reclock_deadlock(void)
{
	int a = open_file(O_RDWR);
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	int ready[2];
	CHECK_OK(pipe(ready));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
		CHECK_EQ(write(ready[1], "x", 1), 1);
		CHECK_OK(lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));   /* waits for the parent */
		_exit(0);
	}
	char x;
	CHECK_EQ(read(ready[0], &x, 1), 1);
	until_blocked(pid);
	CHECK_ERR(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 1, 1), EAGAIN);
	CHECK_ERR(lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1), EDEADLK);
	CHECK_OK(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));        /* the child goes on */
	CHECK_EQ(reap(pid), 0);
	CHECK_OK(lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));       /* its locks went at exit */
	close(ready[0]);
	close(ready[1]);
	CHECK_OK(close(a));
	CHECK_OK(unlink(FILE_));
}

/* OFD locks belong to the open file: another open file of the same process conflicts,
 * POSIX locks of the process too; dup'd descriptors and a forked child share them; closing
 * one descriptor keeps them, the last reference lets go (waking a waiter). */
static void reclock_ofd(void)
{
	int a = open_file(O_RDWR), b = open_file(O_RDWR);
	CHECK_OK(lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	CHECK_ERR(lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
	CHECK_ERR(lk(b, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
	probe(b, 0, 1, F_RDLCK, "W 0 10 -1");
	int c = dup(a);
	CHECK(c >= 0);
	CHECK_OK(lk(c, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 5));   /* the same open file */
	CHECK_OK(close(c));
	probe(b, 0, 0, F_WRLCK, "R 0 5 -1");                      /* still there */
	CHECK_OK(lk(b, F_SETLK, F_WRLCK, SEEK_SET, 20, 5));       /* the process's own */
	CHECK_ERR(lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 22, 1), EAGAIN);
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK_OK(lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));   /* shared by fork */
		_exit(0);
	}
	CHECK_EQ(reap(pid), 0);
	probe(b, 0, 0, F_WRLCK, "W 0 10 -1");                     /* the child's exit kept it */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(a);
		int d = open(FILE_, O_RDWR);
		CHECK(d >= 0);
		CHECK_OK(lk(d, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 0, 1));   /* waits for a */
		_exit(0);
	}
	until_blocked(pid);
	CHECK_OK(close(a));                                        /* the last reference */
	CHECK_EQ(reap(pid), 0);
	probe(b, 0, 0, F_WRLCK, "U");                              /* d went with the child */
	CHECK_OK(close(b));
	CHECK_OK(unlink(FILE_));
}

/* The number of locks is bounded: single bytes apart until ENOLCK (the locks held before
 * stay as they were), one unlock frees them all; touching locks merge and cost one. */
static void reclock_many(void)
{
	int a = open_file(O_RDWR), b = open_file(O_RDWR);
	long n = 0, err = 0;
	char line[48];
	CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	while (n < 100000 && (err = lk(a, F_SETLK, F_WRLCK, SEEK_SET, 20 + 2 * n, 1)) == 0)
		n++;
	CHECK_EQ(err, -ENOLCK);
	CHECK(n >= 1000 && n < 4096);
	snprintf(line, sizeof(line), "W %ld 1 %d", 20 + 2 * (n - 1), getpid());
	probe(b, 20 + 2 * (n - 1), 2, F_RDLCK, line);
	probe(b, 20 + 2 * n, 1, F_RDLCK, "U");
	CHECK_ERR(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 4, 1), ENOLCK);   /* a split: one more */
	CHECK_ERR(lk(a, F_SETLK, F_RDLCK, SEEK_SET, 4, 1), ENOLCK);
	snprintf(line, sizeof(line), "W 0 10 %d", getpid());
	probe(b, 4, 1, F_RDLCK, line);                                  /* unchanged */
	CHECK_OK(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));             /* a trim needs none */
	CHECK_OK(lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	probe(b, 0, 0, F_WRLCK, "U");
	for (long i = 0; i < 10000; i++)
		CHECK_OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, i, 1));
	snprintf(line, sizeof(line), "W 0 10000 %d", getpid());
	probe(b, 0, 0, F_RDLCK, line);
	CHECK_OK(close(a));
	CHECK_OK(close(b));
	CHECK_OK(unlink(FILE_));
}

const struct utest ut_reclock_tests[] = {
	{ "reclock_ranges", reclock_ranges },
	{ "reclock_bad_input", reclock_bad_input },
	{ "reclock_processes", reclock_processes },
	{ "reclock_deadlock", reclock_deadlock },
	{ "reclock_ofd", reclock_ofd },
	{ "reclock_many", reclock_many },
	{ NULL, NULL },
};
