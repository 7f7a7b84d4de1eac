/* Older and smaller Linux calls (kernel/sys/sys_compat_extra.c): creat, the old getdents with
 * d_type in each record's last byte, sched_getaffinity/sched_setaffinity on one processor,
 * and eventfd/eventfd2 (kernel/fs/eventfd.c): counter and semaphore reads, blocking and
 * non-blocking forms, poll, and their error codes. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define EFD_SEMAPHORE 1
#define EFD_NONBLOCK O_NONBLOCK
#define EFD_CLOEXEC O_CLOEXEC

static void extra_creat(void)
{
	struct stat st;
	long fd = tsys_creat((long)"/tmp/ut-creat", 0640);
	CHECK(fd >= 0);
	CHECK_EQ(tsys_write(fd, (long)"abcdef", 6), 6);
	CHECK_ERR(tsys_read(fd, (long)&st, 1), EBADF);        /* write-only */
	CHECK_OK(tsys_close(fd));
	CHECK_OK(stat("/tmp/ut-creat", &st));
	CHECK_EQ(st.st_size, 6);
	CHECK_EQ(st.st_mode & 0777, 0640 & ~022);
	fd = tsys_creat((long)"/tmp/ut-creat", 0600);            /* truncates */
	CHECK(fd >= 0);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(stat("/tmp/ut-creat", &st));
	CHECK_EQ(st.st_size, 0);
	CHECK_ERR(tsys_creat((long)"/tmp/ut-nodir/x", 0600), ENOENT);
	CHECK_ERR(tsys_creat((long)"/tmp", 0600), EISDIR);
	CHECK_ERR(tsys_creat(16, 0600), EFAULT);
	CHECK_OK(unlink("/tmp/ut-creat"));
}

struct old_dirent {
	unsigned long d_ino;
	unsigned long d_off;
	unsigned short d_reclen;
	char d_name[];
};

/* Lists /tmp/ut-gd (a file, a directory) with the old call in a small buffer: every name
 * once, its type in the record's last byte, the name NUL-terminated in place. */
static void extra_getdents(void)
{
	char buf[64];
	int seen = 0;
	CHECK_OK(mkdir("/tmp/ut-gd", 0755));
	CHECK_OK(mkdir("/tmp/ut-gd/sub", 0755));
	int f = open("/tmp/ut-gd/file-with-a-longer-name", O_CREAT | O_WRONLY, 0644);
	CHECK(f >= 0);
	close(f);
	int fd = open("/tmp/ut-gd", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK_ERR(tsys_getdents(fd, (long)buf, 8), EINVAL);     /* not one record fits */
	long n;
	while ((n = tsys_getdents(fd, (long)buf, sizeof(buf))) > 0) {
		for (long at = 0; at < n;) {
			struct old_dirent *d = (struct old_dirent *)(buf + at);
			char type = buf[at + d->d_reclen - 1];
			CHECK(d->d_reclen % 8 == 0 && d->d_reclen <= n - at);
			CHECK(d->d_ino != 0);
			if (strcmp(d->d_name, "sub") == 0) {
				CHECK_EQ(type, 4);                       /* DT_DIR */
				seen |= 1;
			} else if (strcmp(d->d_name, "file-with-a-longer-name") == 0) {
				CHECK_EQ(type, 8);                       /* DT_REG */
				seen |= 2;
			} else if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				FAIL("unexpected name %s", d->d_name);
			at += d->d_reclen;
		}
	}
	CHECK_EQ(n, 0);
	CHECK_EQ(seen, 3);
	CHECK_EQ(tsys_getdents(fd, 16, sizeof(buf)), 0);          /* at the end: nothing to write */
	CHECK_OK(lseek(fd, 0, SEEK_SET));
	CHECK_ERR(tsys_getdents(fd, 16, sizeof(buf)), EFAULT);
	close(fd);
	fd = open("/tmp/ut-gd/sub/../file-with-a-longer-name", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERR(tsys_getdents(fd, (long)buf, sizeof(buf)), ENOTDIR);
	close(fd);
	CHECK_ERR(tsys_getdents(99, (long)buf, sizeof(buf)), EBADF);
	CHECK_OK(unlink("/tmp/ut-gd/file-with-a-longer-name"));
	CHECK_OK(rmdir("/tmp/ut-gd/sub"));
	CHECK_OK(rmdir("/tmp/ut-gd"));
}

/* One processor: the mask is bit 0 in 8 bytes; sizes below a long or not a multiple of one
 * are EINVAL; setting a mask without processor 0 is EINVAL; other users' processes EPERM. */
static void extra_affinity(void)
{
	uint64_t mask[4] = { ~0ull, ~0ull, ~0ull, ~0ull };
	CHECK_EQ(tsys_sched_getaffinity(0, sizeof(mask), (long)mask), 8);
	CHECK_EQ(mask[0], 1);
	CHECK_EQ(mask[1], ~0ull);                         /* only the first long is written */
	CHECK_EQ(tsys_sched_getaffinity(getpid(), 8, (long)mask), 8);
	CHECK_ERR(tsys_sched_getaffinity(0, 4, (long)mask), EINVAL);
	CHECK_ERR(tsys_sched_getaffinity(0, 12, (long)mask), EINVAL);
	CHECK_ERR(tsys_sched_getaffinity(0, 0, (long)mask), EINVAL);
	CHECK_ERR(tsys_sched_getaffinity(0, 8, 16), EFAULT);
	CHECK_ERR(tsys_sched_getaffinity(999999, 8, (long)mask), ESRCH);
	CHECK_ERR(tsys_sched_getaffinity(-5, 8, (long)mask), ESRCH);
	mask[0] = 1;
	CHECK_OK(tsys_sched_setaffinity(0, 8, (long)mask));
	CHECK_OK(tsys_sched_setaffinity(0, 1, (long)mask));
	mask[0] = 6;
	CHECK_ERR(tsys_sched_setaffinity(0, 8, (long)mask), EINVAL);
	CHECK_ERR(tsys_sched_setaffinity(0, 0, (long)mask), EINVAL);
	CHECK_ERR(tsys_sched_setaffinity(0, 8, 16), EFAULT);
	mask[0] = 1;
	CHECK_ERR(tsys_sched_setaffinity(999999, 8, (long)mask), ESRCH);
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int ok = tsys_setuid(1000) == 0 &&
			 tsys_sched_setaffinity(getppid(), 8, (long)mask) == -EPERM &&
			 tsys_sched_getaffinity(getppid(), 8, (long)mask) == 8 &&
			 tsys_sched_setaffinity(0, 8, (long)mask) == 0;
		_exit(ok ? 0 : 1);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
}

static uint64_t efd_get(long fd)
{
	uint64_t v = 0;
	CHECK_EQ(tsys_read(fd, (long)&v, 8), 8);
	return v;
}

static void efd_put(long fd, uint64_t v)
{
	CHECK_EQ(tsys_write(fd, (long)&v, 8), 8);
}

/* Counter mode: a read takes the sum of the writes and leaves zero; semaphore mode: 1 a time.
 * Reads and writes of less than 8 bytes, and a write of all ones, are EINVAL. */
static void eventfd_counter(void)
{
	uint64_t v = 0;
	long fd = tsys_eventfd2(5, EFD_NONBLOCK);
	CHECK(fd >= 0);
	efd_put(fd, 3);
	efd_put(fd, 0);
	CHECK_EQ(efd_get(fd), 8);
	CHECK_ERR(tsys_read(fd, (long)&v, 8), EAGAIN);
	CHECK_ERR(tsys_read(fd, (long)&v, 4), EINVAL);
	CHECK_ERR(tsys_write(fd, (long)&v, 7), EINVAL);
	v = ~0ull;
	CHECK_ERR(tsys_write(fd, (long)&v, 8), EINVAL);
	efd_put(fd, 0xfffffffffffffffeull);                 /* the most it holds */
	v = 1;
	CHECK_ERR(tsys_write(fd, (long)&v, 8), EAGAIN);
	CHECK_EQ(efd_get(fd), 0xfffffffffffffffeull);
	CHECK_ERR(tsys_write(fd, 16, 8), EFAULT);
	efd_put(fd, 1);
	CHECK_ERR(tsys_read(fd, 16, 8), EFAULT);
	CHECK_EQ(efd_get(fd), 1);                           /* the fault took nothing */
	CHECK_ERR(tsys_lseek(fd, 0, SEEK_SET), ESPIPE);
	struct stat st;
	CHECK_OK(fstat((int)fd, &st));
	CHECK_EQ(st.st_mode, 0600);
	char link[64] = { 0 }, path[48];
	snprintf(path, sizeof(path), "/proc/self/fd/%ld", fd);
	CHECK(readlink(path, link, sizeof(link) - 1) > 0);
	CHECK(strcmp(link, "anon_inode:[eventfd]") == 0);
	CHECK_OK(tsys_close(fd));
	fd = tsys_eventfd2(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_EQ(fcntl((int)fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(efd_get(fd), 1);
	CHECK_EQ(efd_get(fd), 1);
	CHECK_ERR(tsys_read(fd, (long)&v, 8), EAGAIN);
	CHECK_OK(tsys_close(fd));
	fd = tsys_eventfd(7);                                 /* the old call: no flags */
	CHECK(fd >= 0);
	CHECK_EQ(fcntl((int)fd, F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ(efd_get(fd), 7);
	CHECK_OK(tsys_close(fd));
	CHECK_ERR(tsys_eventfd2(0, 2), EINVAL);
	CHECK_ERR(tsys_eventfd2(0, O_RDWR | 0x100000), EINVAL);
}

/* A blocking read waits for a write from another process (and poll says readable then);
 * a blocking write waits for room; a signal interrupts the wait. */
static void eventfd_block(void)
{
	long fd = tsys_eventfd2(0, 0);
	CHECK(fd >= 0);
	struct pollfd pf = { .fd = (int)fd, .events = POLLIN | POLLOUT };
	CHECK_EQ(poll(&pf, 1, 0), 1);
	CHECK_EQ(pf.revents, POLLOUT);
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
		uint64_t v = 42;
		_exit(tsys_write(fd, (long)&v, 8) == 8 ? 0 : 1);
	}
	pf.events = POLLIN;
	CHECK_EQ(poll(&pf, 1, 5000), 1);
	CHECK_EQ(pf.revents, POLLIN);
	CHECK_EQ(efd_get(fd), 42);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	efd_put(fd, 0xfffffffffffffff0ull);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		uint64_t v = 0x20;                                /* waits for the read below */
		_exit(tsys_write(fd, (long)&v, 8) == 8 ? 0 : 1);
	}
	struct timespec ts = { 0, 50000000 };
	nanosleep(&ts, NULL);
	CHECK_EQ(efd_get(fd), 0xfffffffffffffff0ull);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	CHECK_EQ(efd_get(fd), 0x20);
	pid = fork();                                         /* a read ended by a signal */
	CHECK(pid >= 0);
	if (pid == 0) {
		uint64_t v;
		tsys_read(fd, (long)&v, 8);
		_exit(1);
	}
	nanosleep(&ts, NULL);
	CHECK_OK(kill(pid, SIGTERM));
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	CHECK_OK(tsys_close(fd));
}

#define LOCK_SH_ 1
#define LOCK_EX_ 2
#define LOCK_NB_ 4
#define LOCK_UN_ 8

/* flock: a lock belongs to the open file (dup'd descriptors share it; another open of the
 * same file conflicts), shared locks coexist, exclusive ones do not, and the lock goes with
 * the last descriptor of its open file; a blocked flock waits for the holder to let go. */
static void flock_rules(void)
{
	int a = open("/tmp/ut-flk", O_CREAT | O_RDWR, 0644), b = open("/tmp/ut-flk", O_RDONLY);
	CHECK(a >= 0 && b >= 0);
	CHECK_OK(tsys_flock(a, LOCK_EX_));
	CHECK_OK(tsys_flock(a, LOCK_EX_ | LOCK_NB_));            /* again: nothing changes */
	CHECK_ERR(tsys_flock(b, LOCK_SH_ | LOCK_NB_), EAGAIN);
	CHECK_ERR(tsys_flock(b, LOCK_EX_ | LOCK_NB_), EAGAIN);
	int c = dup(a);
	CHECK_OK(tsys_flock(c, LOCK_EX_ | LOCK_NB_));            /* the same open file */
	CHECK_OK(close(a));
	CHECK_ERR(tsys_flock(b, LOCK_SH_ | LOCK_NB_), EAGAIN);  /* c still holds it */
	CHECK_OK(close(c));
	CHECK_OK(tsys_flock(b, LOCK_SH_ | LOCK_NB_));
	a = open("/tmp/ut-flk", O_RDONLY);
	CHECK_OK(tsys_flock(a, LOCK_SH_ | LOCK_NB_));            /* shared with shared */
	CHECK_ERR(tsys_flock(a, LOCK_EX_ | LOCK_NB_), EAGAIN);  /* b shares it */
	CHECK_OK(tsys_flock(b, LOCK_UN_));
	CHECK_OK(tsys_flock(b, LOCK_UN_));                       /* nothing to let go of */
	CHECK_OK(tsys_flock(a, LOCK_EX_ | LOCK_NB_));            /* a conversion */
	CHECK_ERR(tsys_flock(a, 0), EINVAL);
	CHECK_ERR(tsys_flock(a, LOCK_SH_ | LOCK_EX_), EINVAL);
	CHECK_ERR(tsys_flock(a, LOCK_NB_), EINVAL);
	CHECK_ERR(tsys_flock(99, LOCK_SH_), EBADF);
	CHECK_ERR(tsys_flock(-1, LOCK_SH_), EBADF);
	int pid = fork();                    /* the child shares a's lock; b waits for both */
	CHECK(pid >= 0);
	if (pid == 0) {
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	CHECK_OK(close(a));                  /* the child's copy still holds it */
	CHECK_ERR(tsys_flock(b, LOCK_EX_ | LOCK_NB_), EAGAIN);
	CHECK_OK(tsys_flock(b, LOCK_EX_));   /* waits for the child's exit */
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	CHECK_OK(close(b));
	CHECK_OK(unlink("/tmp/ut-flk"));
}

const struct utest ut_extra_tests[] = {
	{ "flock_rules", flock_rules },
	{ "extra_creat", extra_creat },
	{ "extra_getdents", extra_getdents },
	{ "extra_affinity", extra_affinity },
	{ "eventfd_counter", eventfd_counter },
	{ "eventfd_block", eventfd_block },
	{ NULL, NULL },
};
