/* Compatibility program: what a user meets with many files, a big file and a full pipe. A
 * pipe holds 64 KiB (counted with nonblocking writes of 512 bytes, which divide a page, so
 * Linux's page-merging and a byte ring agree); the write end polls writable only while
 * PIPE_BUF bytes fit; a write of at most PIPE_BUF bytes goes whole or not at all, a larger one
 * in part; fcntl F_GETPIPE_SZ/F_SETPIPE_SZ round to powers of two pages and refuse to shrink
 * below the content. Then 3000 files in one scratch directory under /tmp (made, listed,
 * stat'ed, removed) and a 20 MiB file written and read back (beyond the old 16 MiB cap).
 * Output has no pid or time in it; argv[1] (the data root) is not needed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compat.h"

static int writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

static long fill(int fd)
{
	static char buf[512];
	long total = 0, r;
	while ((r = write(fd, buf, sizeof(buf))) > 0)
		total += r;
	return total;
}

static void pipes(void)
{
	int p[2];
	static char buf[8192];
	if (pipe2(p, O_NONBLOCK))
		return;
	show("F_GETPIPE_SZ", fcntl(p[1], F_GETPIPE_SZ));
	show("writable when empty", writable(p[1]));
	show("capacity", fill(p[1]));
	show("write when full", write(p[1], buf, 1));
	show("writable when full", writable(p[1]));
	show("read 4095", read(p[0], buf, 4095));
	show("writable with 4095 free", writable(p[1]));
	show("write 4096 atomic", write(p[1], buf, 4096));
	show("write 5000 partial", write(p[1], buf, 5000));
	show("read 4096", read(p[0], buf, 4096));
	show("writable with 4096 free", writable(p[1]));
	show("F_SETPIPE_SZ 4096 while full", fcntl(p[1], F_SETPIPE_SZ, 4096));
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	show("F_SETPIPE_SZ 5000", fcntl(p[1], F_SETPIPE_SZ, 5000));
	show("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
	show("capacity", fill(p[1]));
	show("F_SETPIPE_SZ 1 MiB", fcntl(p[1], F_SETPIPE_SZ, 1 << 20));
	show("capacity after the content", fill(p[1]) + 8192);
	show("read back", read(p[0], buf, 100));
	show("F_SETPIPE_SZ 0", fcntl(p[1], F_SETPIPE_SZ, 0));
	show("F_GETPIPE_SZ of a file", fcntl(0, F_GETPIPE_SZ) < 0 ? -1 : 0);
	close(p[0]);
	close(p[1]);
}

static void many(const char *dir)
{
	char path[128];
	struct stat st;
	long made = 0, statted = 0, listed = 0, gone = 0;
	for (int i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0600);
		if (fd >= 0 && write(fd, path, 4) == 4)
			made++;
		close(fd);
	}
	for (int i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		statted += stat(path, &st) == 0 && st.st_size == 4;
	}
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		listed += e->d_name[0] == 'f';
	if (d)
		closedir(d);
	for (int i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		gone += unlink(path) == 0;
	}
	printf("files made %ld, stat %ld, listed %ld, removed %ld\n", made, statted, listed, gone);
}

static void big(const char *dir)
{
	char path[128];
	enum { MB = 1 << 20, SIZE = 20 * MB };
	char *buf = malloc(MB);
	long good = 0;
	snprintf(path, sizeof(path), "%s/big", dir);
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	for (int m = 0; buf && fd >= 0 && m < SIZE / MB; m++) {
		memset(buf, 'a' + m % 26, MB);
		if (write(fd, buf, MB) != MB)
			break;
	}
	struct stat st;
	show("big size", fstat(fd, &st) ? -1 : (long)st.st_size);
	lseek(fd, 0, SEEK_SET);
	for (int m = 0; buf && m < SIZE / MB; m++) {
		if (read(fd, buf, MB) != MB)
			break;
		good += buf[0] == 'a' + m % 26 && buf[MB - 1] == 'a' + m % 26;
	}
	printf("big MiB read back right: %ld\n", good);
	close(fd);
	show("unlink big", unlink(path));
	free(buf);
}

int main(void)
{
	char dir[64];
	setvbuf(stdout, NULL, _IONBF, 0);
	pipes();
	snprintf(dir, sizeof(dir), "/tmp/bigfiles.%d", (int)getpid());
	if (mkdir(dir, 0700))
		return 1;
	many(dir);
	big(dir);
	show("rmdir", rmdir(dir));
	return 0;
}
