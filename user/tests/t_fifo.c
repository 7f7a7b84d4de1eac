/* FIFOs (kernel/fs/fifo.c) and mknod/mknodat (device nodes: t_devnode.c): the node and its
 * type, Linux's blocking and non-blocking opens (a reader waits for a writer and the
 * reverse; O_NONBLOCK: a reader opens at once, a lone writer gets ENXIO; O_RDWR never waits),
 * then pipe behaviour: data in order, end of file after the last writer, EPIPE after the last
 * reader, poll, and the refusals of the other node types. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define F "/tmp/ut-fifo"

static void nap(void)
{
	struct timespec ts = { 0, 50000000 };
	nanosleep(&ts, NULL);
}

static void fifo_mknod(void)
{
	struct stat st;
	CHECK_OK(tsys_mknod((long)F, S_IFIFO | 0666, 0));
	CHECK_OK(stat(F, &st));
	CHECK_EQ(st.st_mode, S_IFIFO | (0666 & ~022));
	CHECK_EQ(st.st_size, 0);
	CHECK_ERR(tsys_mknod((long)F, S_IFIFO | 0600, 0), EEXIST);
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-dev", S_IFDIR | 0700, 0), EPERM);
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-dev", 0170000 | 0600, 0), EINVAL);
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-dev", 0030000 | 0600, 0), EINVAL);
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-none/x", S_IFIFO | 0600, 0), ENOENT);
	CHECK_ERR(tsys_mknod(16, S_IFIFO | 0600, 0), EFAULT);
	CHECK_ERR(tsys_mknod((long)"/proc/ut-x", S_IFIFO | 0600, 0), EROFS);
	CHECK_EQ(stat("/tmp/ut-dev", &st), -1);
	CHECK_OK(tsys_mknod((long)"/tmp/ut-reg", S_IFREG | 0600, 0));       /* a plain file */
	CHECK_OK(stat("/tmp/ut-reg", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0600);
	CHECK_OK(unlink("/tmp/ut-reg"));
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	CHECK_OK(tsys_mknodat(dir, (long)"ut-fifo2", S_IFIFO | 0600, 0));
	CHECK_OK(stat("/tmp/ut-fifo2", &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_OK(unlinkat(dir, "ut-fifo2", 0));
	close(dir);
	int pid = fork();                          /* a user: devices EPERM, FIFOs fine */
	CHECK(pid >= 0);
	if (pid == 0) {
		int ok = tsys_setuid(1000) == 0 &&
			 tsys_mknod((long)"/tmp/ut-dev", S_IFCHR | 0600, 0x0103) == -EPERM &&
			 tsys_mknod((long)"/tmp/ut-ufifo", S_IFIFO | 0600, 0) == 0 &&
			 stat("/tmp/ut-ufifo", &st) == 0 && st.st_uid == 1000 &&
			 unlink("/tmp/ut-ufifo") == 0;
		_exit(ok ? 0 : 1);
	}
	int s;
	CHECK_EQ(waitpid(pid, &s, 0), pid);
	CHECK_EQ(s, 0);
	CHECK_OK(unlink(F));
}

/* O_NONBLOCK: the reader opens alone, a writer without a reader gets ENXIO; then it is a pipe:
 * data in order, EAGAIN when empty with a writer, end of file (and POLLHUP) after it. */
static void fifo_nonblock(void)
{
	char buf[16];
	struct stat st;
	CHECK_OK(mkfifo(F, 0600));
	CHECK_ERR(tsys_open((long)F, O_WRONLY | O_NONBLOCK, 0), ENXIO);
	int r = open(F, O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0);
	struct pollfd pf = { .fd = r, .events = POLLIN };
	CHECK_EQ(poll(&pf, 1, 0), 0);              /* no writer came yet: not a hang-up */
	CHECK_EQ(read(r, buf, sizeof(buf)), 0);    /* Linux: no writer is end of file */
	int w = open(F, O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0);
	CHECK_ERR(tsys_read(r, (long)buf, sizeof(buf)), EAGAIN);
	CHECK_EQ(write(w, "hello", 5), 5);
	CHECK_EQ(write(w, " fifo", 5), 5);
	CHECK_EQ(poll(&pf, 1, 0), 1);
	CHECK_EQ(pf.revents, POLLIN);
	CHECK_EQ(read(r, buf, sizeof(buf)), 10);
	CHECK(memcmp(buf, "hello fifo", 10) == 0);
	CHECK_OK(fstat(w, &st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_ERR(tsys_lseek(w, 0, SEEK_SET), ESPIPE);
	CHECK_ERR(tsys_pread64(r, (long)buf, 1, 0), ESPIPE);
	CHECK_OK(close(w));
	CHECK_EQ(poll(&pf, 1, 0), 1);
	CHECK_EQ(pf.revents, POLLHUP);
	CHECK_EQ(read(r, buf, sizeof(buf)), 0);
	CHECK_OK(close(r));
	CHECK_OK(unlink(F));
}

/* A blocking reader waits for a writer from another process, and a writer for a reader. */
static void fifo_block(void)
{
	char buf[16];
	int st;
	CHECK_OK(mkfifo(F, 0600));
	for (int round = 0; round < 2; round++) {
		int pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			nap();
			int fd = open(F, round ? O_RDONLY : O_WRONLY);
			if (fd < 0)
				_exit(1);
			if (round == 0)
				_exit(write(fd, "from child", 10) == 10 ? 0 : 2);
			_exit(read(fd, buf, sizeof(buf)) == 11 && !memcmp(buf, "from parent", 11)
				      ? 0 : 3);
		}
		int fd = open(F, round ? O_WRONLY : O_RDONLY);       /* waits for the child */
		CHECK(fd >= 0);
		if (round == 0) {
			CHECK_EQ(read(fd, buf, sizeof(buf)), 10);
			CHECK(memcmp(buf, "from child", 10) == 0);
			CHECK_EQ(read(fd, buf, sizeof(buf)), 0);      /* the writer is gone */
		} else {
			CHECK_EQ(write(fd, "from parent", 11), 11);
		}
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK_EQ(st, 0);
		CHECK_OK(close(fd));
	}
	CHECK_OK(unlink(F));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* O_RDWR opens at once and reads back its own writes; a write after the last reader is EPIPE
 * (with SIGPIPE ignored); a blocking open is interrupted by a caught signal (EINTR). */
static void fifo_rdwr_epipe(void)
{
	char buf[8];
	CHECK_OK(mkfifo(F, 0600));
	int rw = open(F, O_RDWR);
	CHECK(rw >= 0);
	CHECK_EQ(write(rw, "abc", 3), 3);
	CHECK_EQ(read(rw, buf, sizeof(buf)), 3);
	int r = open(F, O_RDONLY);                 /* a writer (rw) is there: no wait */
	int w = open(F, O_WRONLY);
	CHECK(r >= 0 && w >= 0);
	CHECK_OK(close(rw));
	CHECK_OK(close(r));
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(tsys_write(w, (long)"x", 1), EPIPE);
	CHECK_OK(close(w));
	struct sigaction sa = { .sa_handler = on_alarm };       /* no SA_RESTART */
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	CHECK_ERR(tsys_open((long)F, O_RDONLY, 0), EINTR);
	CHECK_OK(unlink(F));
}

/* On an ext2 disk (the test boots mount one at /disk): its FIFO inode type holds the node,
 * and opening it gives the same pipe as a FIFO in memory; chown clears S_ISUID there too. */
static void fifo_disk(void)
{
	char d[64], f[80], buf[8];
	struct stat st;
	snprintf(d, sizeof(d), "/disk/ut-fifo-%d", getpid());
	snprintf(f, sizeof(f), "%s/f", d);
	CHECK_OK(mkdir(d, 0755));
	CHECK_OK(tsys_mknod((long)f, S_IFIFO | 0640, 0));
	CHECK_OK(stat(f, &st));
	CHECK_EQ(st.st_mode, S_IFIFO | 0640);
	CHECK_ERR(tsys_open((long)f, O_WRONLY | O_NONBLOCK, 0), ENXIO);
	int r = open(f, O_RDONLY | O_NONBLOCK), w = open(f, O_WRONLY);
	CHECK(r >= 0 && w >= 0);
	CHECK_EQ(write(w, "disk", 4), 4);
	CHECK_EQ(read(r, buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "disk", 4) == 0);
	CHECK_OK(close(w));
	CHECK_EQ(read(r, buf, sizeof(buf)), 0);
	CHECK_OK(close(r));
	CHECK_ERR(tsys_mknod((long)f, S_IFIFO | 0640, 0), EEXIST);
	CHECK_OK(unlink(f));
	/* on the disk too a change of owner takes the set-user-id bit off */
	int fd = open(f, O_CREAT | O_WRONLY, 0755);
	CHECK(fd >= 0);
	close(fd);
	CHECK_OK(chmod(f, 04755));
	CHECK_OK(stat(f, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 04755);
	CHECK_OK(chown(f, 1000, 1000));
	CHECK_OK(stat(f, &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0755);
	CHECK_EQ(st.st_uid, 1000);
	CHECK_OK(unlink(f));
	CHECK_OK(rmdir(d));
}

const struct utest ut_fifo_tests[] = {
	{ "fifo_disk", fifo_disk },
	{ "fifo_mknod", fifo_mknod },
	{ "fifo_nonblock", fifo_nonblock },
	{ "fifo_block", fifo_block },
	{ "fifo_rdwr_epipe", fifo_rdwr_epipe },
	{ NULL, NULL },
};
