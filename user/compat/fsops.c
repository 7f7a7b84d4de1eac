/* Compatibility program: the file-system and process calls that real programs use beyond
 * open/read/write (mkdir, rename, unlink, truncate, pread/pwrite, chmod, umask, pipes, poll,
 * dup3, getrandom), printing each result so that the output can be compared with Linux.
 * Works in a scratch directory under /tmp; argv[1] (the data root) is not needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compat.h"

static void names(const char *dir)
{
	char a[128], b[128], c[128];
	struct stat st;
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(c, sizeof(c), "%s/sub", dir);
	show("mkdir sub", mkdir(c, 0750));
	show("mkdir sub again", mkdir(c, 0750));
	show("stat sub mode", stat(c, &st) == 0 ? (long)(st.st_mode & 07777) : -1);
	int fd = open(a, O_CREAT | O_RDWR, 0666);
	show("write a", write(fd, "0123456789", 10));
	show("pwrite a", pwrite(fd, "xy", 2, 4));
	char buf[16] = { 0 };
	show("pread a", pread(fd, buf, 6, 2));
	printf("pread got %s\n", buf);
	show("offset", lseek(fd, 0, SEEK_CUR));
	show("ftruncate", ftruncate(fd, 3));
	show("fstat size", fstat(fd, &st) == 0 ? (long)st.st_size : -1);
	show("fsync", fsync(fd));
	close(fd);
	show("rename a b", rename(a, b));
	show("stat a", stat(a, &st));
	show("rmdir non-empty", rmdir(dir));
	show("unlink sub", unlink(c));
	show("rmdir sub", rmdir(c));
	show("chmod b", chmod(b, 0604));
	show("stat b mode", stat(b, &st) == 0 ? (long)(st.st_mode & 07777) : -1);
	show("truncate b", truncate(b, 7));
	show("stat b size", stat(b, &st) == 0 ? (long)st.st_size : -1);
	show("unlink b", unlink(b));
	show("unlink b again", unlink(b));
}

static void pipes(void)
{
	int p[2];
	char buf[8] = { 0 };
	show("pipe2", pipe2(p, O_CLOEXEC));
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	show("poll empty", poll(&pf, 1, 0));
	show("write pipe", write(p[1], "ping", 4));
	show("poll ready", poll(&pf, 1, 100));
	printf("revents %d\n", pf.revents);
	show("read pipe", read(p[0], buf, sizeof(buf)));
	printf("read got %s\n", buf);
	show("dup3 same", dup3(p[0], p[0], 0));
	close(p[1]);
	show("read at end", read(p[0], buf, sizeof(buf)));
	close(p[0]);
}

int main(void)
{
	char dir[64];
	unsigned char r1[16], r2[16];
	snprintf(dir, sizeof(dir), "/tmp/fsops.%d", (int)getpid());
	show("umask", umask(027));
	show("mkdir dir", mkdir(dir, 0777));
	names(dir);
	show("rmdir dir", rmdir(dir));
	show("umask back", umask(022));
	pipes();
	show("getrandom", getrandom(r1, sizeof(r1), 0));
	getrandom(r2, sizeof(r2), 0);
	printf("random differs %d\n", memcmp(r1, r2, sizeof(r1)) != 0);
	show("readlink", readlink("/", (char *)r1, sizeof(r1)));
	return 0;
}
