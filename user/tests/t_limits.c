/*
 * No fixed small limits (issue 18): the file system in memory holds as many files as memory
 * allows (20 000 in one directory of /tmp: made, found, listed, removed; the old table failed
 * at the 683rd), a run-time file grows beyond the old 16 MiB cap (64 MiB written and read
 * back), statfs counts files truthfully, and pipes hold 64 KiB with Linux's rules: nonblocking
 * writes fill exactly 65536 bytes, POLLOUT only while a page slot is free, writes of at most
 * PIPE_BUF bytes whole or not at all, F_GETPIPE_SZ / F_SETPIPE_SZ; a process holds as many
 * descriptors as RLIMIT_NOFILE allows (1024, raised to 4096), children inherit them all. Each
 * test removes what it made (the runner's leak check sees every page and plate come back).
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define NFILES 20000

static void name_of(char *buf, size_t n, int i)
{
	snprintf(buf, n, "/tmp/lim/f%05d", i);
}

static void many_files(void)
{
	char path[64];
	struct stat st;
	struct statfs sf0, sf1;
	CHECK_OK(tsys_mkdir((long)"/tmp/lim", 0755));
	CHECK_EQ(statfs("/tmp", &sf0), 0);
	CHECK(sf0.f_files >= NFILES && sf0.f_ffree >= NFILES);
	for (int i = 0; i < NFILES; i++) {
		name_of(path, sizeof(path), i);
		long fd = tsys_open((long)path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			FAIL("file %d: open gives %ld", i, fd);
		if (i % 7 == 0)
			CHECK_EQ(tsys_write(fd, (long)path, 8), 8);
		tsys_close(fd);
	}
	/* statfs counts them: the free count went down by what was made */
	CHECK_EQ(statfs("/tmp", &sf1), 0);
	CHECK(sf1.f_ffree + NFILES <= sf0.f_ffree + 64);
	CHECK(sf1.f_files - sf1.f_ffree >= (unsigned long)NFILES);
	for (int i = NFILES - 1; i >= 0; i--) {
		name_of(path, sizeof(path), i);
		if (stat(path, &st))
			FAIL("stat %s fails", path);
		CHECK_EQ(st.st_size, i % 7 == 0 ? 8 : 0);
	}
	/* the listing holds every one, once, in order */
	DIR *d = opendir("/tmp/lim");
	CHECK(d != NULL);
	int seen = 0, ordered = 1;
	char last[256] = "";
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		ordered &= strcmp(last, e->d_name) < 0;
		memcpy(last, e->d_name, sizeof(last));
		seen++;
	}
	closedir(d);
	CHECK_EQ(seen, NFILES);
	CHECK(ordered);
	CHECK_ERR(tsys_rmdir((long)"/tmp/lim"), ENOTEMPTY);
	for (int i = 0; i < NFILES; i++) {
		name_of(path, sizeof(path), i);
		CHECK_OK(tsys_unlink((long)path));
	}
	CHECK_OK(tsys_rmdir((long)"/tmp/lim"));
	CHECK_EQ(stat("/tmp/lim/f00000", &st), -1);
}

/* A run-time file of 64 MiB, each MiB its own pattern, read back whole; then truncated. */
static void big_file(void)
{
	enum { MB = 1 << 20, N = 64 };
	char *buf = malloc(MB);
	struct stat st;
	CHECK(buf != NULL);
	long fd = tsys_open((long)"/tmp/limbig", O_CREAT | O_TRUNC | O_RDWR, 0600);
	CHECK_OK(fd);
	for (int m = 0; m < N; m++) {
		memset(buf, 'A' + m % 50, MB);
		snprintf(buf, 16, "MiB %d", m);
		CHECK_EQ(tsys_write(fd, (long)buf, MB), MB);
	}
	CHECK_EQ(fstat((int)fd, &st), 0);
	CHECK_EQ(st.st_size, (long)N * MB);
	CHECK_EQ(tsys_lseek(fd, 0, SEEK_SET), 0);
	for (int m = 0; m < N; m++) {
		char want[16];
		CHECK_EQ(tsys_read(fd, (long)buf, MB), MB);
		snprintf(want, sizeof(want), "MiB %d", m);
		CHECK(strcmp(buf, want) == 0);
		CHECK_EQ(buf[MB - 1], 'A' + m % 50);
		CHECK_EQ(buf[MB / 2], 'A' + m % 50);
	}
	CHECK_EQ(tsys_read(fd, (long)buf, MB), 0);
	/* a write far beyond, leaving a hole, and back */
	CHECK_EQ(pwrite((int)fd, "end", 3, 3ll << 30), 3);
	CHECK_EQ(fstat((int)fd, &st), 0);
	CHECK_EQ(st.st_size, (3ll << 30) + 3);
	CHECK_EQ(ftruncate((int)fd, 5), 0);
	CHECK_EQ(pread((int)fd, buf, 16, 0), 5);
	CHECK(memcmp(buf, "MiB 0", 5) == 0);
	tsys_close(fd);
	CHECK_OK(tsys_unlink((long)"/tmp/limbig"));
	free(buf);
}

static int writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

static long fill(int fd, size_t chunk)
{
	static char buf[4096];
	long total = 0, r;
	while ((r = write(fd, buf, chunk)) > 0)
		total += r;
	CHECK_EQ(r, -1);
	return total;
}

static void pipe_capacity(void)
{
	int p[2];
	static char buf[8192];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK(writable(p[1]));
	CHECK_EQ(fill(p[1], 1), 65536);              /* one byte at a time: all of it */
	CHECK(!writable(p[1]));
	CHECK_EQ(read(p[0], buf, 4095), 4095);       /* a page less one byte: no slot free */
	CHECK(!writable(p[1]));
	CHECK_EQ(write(p[1], buf, 4096), -1);        /* PIPE_BUF: whole or not at all */
	CHECK_EQ(write(p[1], buf, 100), -1);         /* the newest page is full */
	CHECK_EQ(read(p[0], buf, 1), 1);             /* the first page is free again */
	CHECK(writable(p[1]));
	CHECK_EQ(write(p[1], buf, 5000), 4096);      /* beyond PIPE_BUF: in part */
	CHECK(!writable(p[1]));
	/* everything reads back in order, then end of file after the writer closes */
	long total = 0, r;
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		total += r;
	CHECK_EQ(total, 65536 - 4096 + 4096);
	CHECK(writable(p[1]));
	CHECK_EQ(fill(p[1], 512), 65536);
	close(p[1]);
	total = 0;
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		total += r;
	CHECK_EQ(total, 65536);
	CHECK_EQ(r, 0);
	close(p[0]);
}

static void pipe_size(void)
{
	int p[2];
	static char buf[4096];
	CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 5000), 8192);      /* a power of two pages */
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 8192);
	CHECK_EQ(fill(p[1], 1000), 8000);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 4096), -1);        /* content in two pages */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 1 << 20), 1 << 20);
	CHECK_EQ(read(p[0], buf, 10), 10);                    /* the content moved along */
	CHECK_EQ(fill(p[1], 4096), (1 << 20) - 8192);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, (1 << 20) + 1), -1);  /* beyond pipe-max-size */
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 0), -1);
	long total = 0, r;
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		total += r;
	CHECK_EQ(total, (1 << 20) - 8192 + 8000 - 10);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 0), 4096);         /* empty: one page */
	CHECK_EQ(fill(p[1], 1), 4096);
	CHECK_EQ(fcntl(0, F_GETPIPE_SZ), -1);                  /* not a pipe */
	close(p[0]);
	close(p[1]);
}

/* Descriptors up to RLIMIT_NOFILE: 1024 at first (EMFILE beyond), 4096 once raised. */
static void many_fds(void)
{
	struct rlimit rl;
	struct stat st;
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK_EQ(rl.rlim_cur, 1024);
	CHECK_EQ(rl.rlim_max, 4096);
	int last = -1, fd;
	while ((fd = dup(0)) >= 0)
		last = fd;
	CHECK_EQ(last, 1023);
	CHECK_EQ(dup2(0, 1024), -1);                        /* beyond the soft limit: EBADF */
	rl.rlim_cur = 4096;
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((fd = dup(0)) >= 0)
		last = fd;
	CHECK_EQ(last, 4095);
	rl.rlim_max = 4097;
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), -1);        /* the table holds at most 4096 */
	CHECK_EQ(fcntl(3000, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ(fcntl(3000, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(3001, F_GETFD), 0);
	CHECK_EQ(stat("/proc/self/fd/4000", &st), 0);
	CHECK_EQ(close(4000), 0);
	CHECK_EQ(fcntl(0, F_DUPFD, 3990), 4000);            /* the lowest free from 3990 */
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)          /* the child has every one of them */
		_exit(fcntl(4095, F_GETFD) == 0 && fcntl(3000, F_GETFD) == FD_CLOEXEC &&
			      fcntl(40, F_GETFD) == 0 ? 0 : 7);
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(status, 0);
	for (fd = 3; fd <= 4095; fd++)
		CHECK_EQ(close(fd), 0);
	CHECK_EQ(fcntl(4095, F_GETFD), -1);
}

/* poll and select as Linux bounds them: poll takes as many descriptors as RLIMIT_NOFILE
 * allows (EINVAL beyond), select every descriptor below FD_SETSIZE (1024). */
static void many_polled(void)
{
	struct rlimit rl = { 4096, 4096 };
	int p[2];
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK_EQ(pipe(p), 0);
	CHECK(p[0] >= 3 && p[1] >= 3);                     /* 0-2 are open: 3-4095 will be */
	CHECK_EQ(write(p[1], "x", 1), 1);
	int last = -1, fd;
	while ((fd = dup(p[0])) >= 0)
		last = fd;
	CHECK_EQ(last, 4095);
	struct pollfd *fds = calloc(4097, sizeof(*fds));
	CHECK(fds != NULL);
	for (int i = 0; i < 4096; i++)
		fds[i] = (struct pollfd){ .fd = i < 3 ? -1 : i, .events = POLLIN };
	/* 3-4095 are the read end and its copies, ready, and the write end, not readable */
	CHECK_EQ(poll(fds, 4096, 0), 4093 - 1);
	CHECK_EQ(fds[4095].revents, POLLIN);
	CHECK_EQ(tsys_poll((long)fds, 4097, 0), -EINVAL);     /* beyond RLIMIT_NOFILE */
	fd_set rd;
	FD_ZERO(&rd);
	for (fd = 3; fd < FD_SETSIZE; fd++)
		if (fd != p[1])
			FD_SET(fd, &rd);
	struct timeval tv = { 0, 0 };
	CHECK_EQ(select(FD_SETSIZE, &rd, NULL, NULL, &tv), FD_SETSIZE - 4);
	CHECK(FD_ISSET(1023, &rd) && !FD_ISSET(p[1], &rd));
	free(fds);
	for (fd = 3; fd <= 4095; fd++)
		CHECK_EQ(close(fd), 0);
}

const struct utest ut_limits_tests[] = {
	{ "limits_many_files", many_files },
	{ "limits_big_file", big_file },
	{ "limits_pipe_capacity", pipe_capacity },
	{ "limits_pipe_size", pipe_size },
	{ "limits_many_fds", many_fds },
	{ "limits_many_polled", many_polled },
	{ NULL, NULL },
};
