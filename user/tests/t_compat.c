/*
 * The Linux calls that unmodified programs (musl, busybox) need beyond the basic ones:
 * names (mkdir, unlink, rename), attributes (chmod, utimensat, truncate), pread/pwrite,
 * pipes between processes, poll, statfs, getrandom, limits, kill and the small process
 * calls. Every case also checks the errors for bad input, through the raw tsys_* stubs.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define AT_CWD (-100)

static long make_file(const char *path, const char *content)
{
	long fd = tsys_open((long)path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	CHECK_OK(fd);
	long n = (long)strlen(content);
	CHECK_EQ(tsys_write(fd, (long)content, n), n);
	return fd;
}

static void put_file(const char *path, const char *content)
{
	CHECK_OK(tsys_close(make_file(path, content)));
}

static void check_content(const char *path, const char *want)
{
	char buf[256];
	long fd = tsys_open((long)path, O_RDONLY, 0);
	CHECK_OK(fd);
	long n = tsys_read(fd, (long)buf, sizeof(buf) - 1);
	CHECK_OK(n);
	buf[n] = '\0';
	tsys_close(fd);
	if (strcmp(buf, want) != 0)
		FAIL("%s holds \"%s\", expected \"%s\"", path, buf, want);
}

static long stat_mode(const char *path)
{
	struct stat st;
	long r = tsys_stat((long)path, (long)&st);
	return r < 0 ? r : (long)st.st_mode;
}

static void pread_pwrite(void)
{
	char buf[16] = { 0 };
	int fds[2];
	long fd = make_file("/tmp/ct_p", "0123456789");
	CHECK_EQ(tsys_lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(tsys_pwrite64(fd, (long)"ab", 2, 5), 2);
	CHECK_EQ(tsys_pread64(fd, (long)buf, 4, 4), 4);
	CHECK(memcmp(buf, "4ab7", 4) == 0);
	CHECK_EQ(tsys_lseek(fd, 0, SEEK_CUR), 2);          /* offset untouched */
	CHECK_EQ(tsys_pread64(fd, (long)buf, 4, 100), 0);  /* beyond the end */
	CHECK_ERR(tsys_pread64(fd, (long)buf, 4, -1), EINVAL);
	CHECK_ERR(tsys_pread64(fd, 0, 4, 0), EFAULT);
	CHECK_ERR(tsys_pread64(99, (long)buf, 4, 0), EBADF);
	CHECK_OK(tsys_pipe((long)fds));
	CHECK_ERR(tsys_pread64(fds[0], (long)buf, 1, 0), ESPIPE);
	CHECK_ERR(tsys_pwrite64(fds[1], (long)buf, 1, 0), ESPIPE);
	long dir = tsys_open((long)"/tmp", O_RDONLY | O_DIRECTORY, 0);
	CHECK_ERR(tsys_pread64(dir, (long)buf, 1, 0), EISDIR);
	long ro = tsys_open((long)"/tmp/ct_p", O_RDONLY, 0);
	CHECK_ERR(tsys_pwrite64(ro, (long)buf, 1, 0), EBADF);
	tsys_close(ro), tsys_close(dir), tsys_close(fds[0]), tsys_close(fds[1]), tsys_close(fd);
	check_content("/tmp/ct_p", "01234ab789");
	CHECK_OK(tsys_unlink((long)"/tmp/ct_p"));
}

static void mkdir_rmdir(void)
{
	CHECK_OK(tsys_mkdir((long)"/tmp/ct_d", 0777));
	CHECK_EQ(stat_mode("/tmp/ct_d"), S_IFDIR | 0755);       /* umask 022 */
	CHECK_ERR(tsys_mkdir((long)"/tmp/ct_d", 0755), EEXIST);
	CHECK_OK(tsys_mkdir((long)"/bin/ct_x", 0750));         /* "/" is writable (t_rootfs.c) */
	CHECK_EQ(stat_mode("/bin/ct_x"), S_IFDIR | 0750);
	CHECK_OK(tsys_rmdir((long)"/bin/ct_x"));
	CHECK_ERR(tsys_mkdir((long)"/proc/ct_x", 0755), EROFS);
	CHECK_ERR(tsys_mkdir((long)"/bin", 0755), EEXIST);
	CHECK_ERR(tsys_mkdir((long)"/tmp/none/x", 0755), ENOENT);
	CHECK_ERR(tsys_mkdir((long)"/data/hello.txt/x", 0755), ENOTDIR);
	CHECK_ERR(tsys_mkdir(0, 0755), EFAULT);
	long dfd = tsys_open((long)"/tmp/ct_d", O_RDONLY | O_DIRECTORY, 0);
	CHECK_OK(tsys_mkdirat(dfd, (long)"sub", 0700));
	CHECK_EQ(stat_mode("/tmp/ct_d/sub"), S_IFDIR | 0700);
	CHECK_OK(tsys_mkdir((long)"/tmp/ct_d/t//", 0755));      /* trailing slashes name it */
	CHECK_OK(tsys_rmdir((long)"/tmp/ct_d/t/"));
	put_file("/tmp/ct_d/f", "x");
	CHECK_ERR(tsys_rmdir((long)"/tmp/ct_d"), ENOTEMPTY);
	CHECK_ERR(tsys_rmdir((long)"/tmp/ct_d/f"), ENOTDIR);
	CHECK_ERR(tsys_rmdir((long)"/tmp/ct_d/sub/."), EINVAL);
	CHECK_ERR(tsys_rmdir((long)"/bin"), ENOTEMPTY);
	CHECK_ERR(tsys_rmdir((long)"/tmp"), EBUSY);        /* a mount point */
	CHECK_OK(tsys_unlinkat(dfd, (long)"sub", AT_REMOVEDIR));
	CHECK_ERR(tsys_unlinkat(dfd, (long)"f", 0x8000), EINVAL);
	CHECK_OK(tsys_unlinkat(dfd, (long)"f", 0));
	tsys_close(dfd);
	CHECK_OK(tsys_rmdir((long)"/tmp/ct_d"));
	CHECK_ERR(tsys_rmdir((long)"/tmp/ct_d"), ENOENT);
}

static void unlink_open(void)
{
	char buf[8] = { 0 };
	long fd = make_file("/tmp/ct_u", "alive");
	CHECK_OK(tsys_unlink((long)"/tmp/ct_u"));
	CHECK_ERR(stat_mode("/tmp/ct_u"), ENOENT);
	CHECK_ERR(tsys_unlink((long)"/tmp/ct_u"), ENOENT);
	/* the open file still works until closed */
	CHECK_EQ(tsys_pread64(fd, (long)buf, 5, 0), 5);
	CHECK(memcmp(buf, "alive", 5) == 0);
	CHECK_EQ(tsys_write(fd, (long)"!", 1), 1);
	put_file("/tmp/ct_u", "new");                 /* the name is free for a new plate */
	check_content("/tmp/ct_u", "new");
	CHECK_OK(tsys_close(fd));
	CHECK_ERR(tsys_unlink((long)"/tmp"), EISDIR);
	CHECK_ERR(tsys_unlink((long)"/proc/meminfo"), EROFS);
	CHECK_ERR(tsys_unlink((long)""), ENOENT);
	CHECK_OK(tsys_unlink((long)"/tmp/ct_u"));
}

static void rename_cases(void)
{
	put_file("/tmp/ct_r1", "one");
	put_file("/tmp/ct_r2", "two");
	CHECK_ERR(tsys_renameat2(AT_CWD, (long)"/tmp/ct_r1", AT_CWD, (long)"/tmp/ct_r2", 1),
		  EEXIST);
	CHECK_ERR(tsys_renameat2(AT_CWD, (long)"/tmp/ct_r1", AT_CWD, (long)"/tmp/ct_r2", 2),
		  EINVAL);
	CHECK_OK(tsys_rename((long)"/tmp/ct_r1", (long)"/tmp/ct_r2"));    /* replaces */
	CHECK_ERR(stat_mode("/tmp/ct_r1"), ENOENT);
	check_content("/tmp/ct_r2", "one");
	CHECK_OK(tsys_rename((long)"/tmp/ct_r2", (long)"/tmp/ct_r2"));
	/* a directory moves with its subtree */
	CHECK_OK(tsys_mkdir((long)"/tmp/ct_a", 0755));
	CHECK_OK(tsys_mkdir((long)"/tmp/ct_a/in", 0755));
	put_file("/tmp/ct_a/in/f", "deep");
	CHECK_ERR(tsys_rename((long)"/tmp/ct_a", (long)"/tmp/ct_a/in/x"), EINVAL);
	CHECK_ERR(tsys_rename((long)"/tmp/ct_r2", (long)"/tmp/ct_a"), EISDIR);
	CHECK_ERR(tsys_rename((long)"/tmp/ct_a", (long)"/tmp/ct_r2"), ENOTDIR);
	CHECK_OK(tsys_mkdir((long)"/tmp/ct_b", 0755));
	CHECK_OK(tsys_mkdir((long)"/tmp/ct_b/full", 0755));
	CHECK_ERR(tsys_rename((long)"/tmp/ct_a", (long)"/tmp/ct_b"), ENOTEMPTY);
	CHECK_OK(tsys_renameat(AT_CWD, (long)"/tmp/ct_a", AT_CWD, (long)"/tmp/ct_b/full"));
	check_content("/tmp/ct_b/full/in/f", "deep");
	CHECK_ERR(stat_mode("/tmp/ct_a/in/f"), ENOENT);
	CHECK_ERR(tsys_rename((long)"/bin/sh", (long)"/tmp/sh"), EXDEV);   /* another mount */
	CHECK_ERR(tsys_rename((long)"/proc/meminfo", (long)"/proc/mi"), EROFS);
	CHECK_ERR(tsys_rename((long)"/tmp/none", (long)"/tmp/x"), ENOENT);
	CHECK_ERR(tsys_rename((long)"/tmp/ct_r2", (long)"/tmp/none/x"), ENOENT);
	CHECK_ERR(tsys_rename((long)"/tmp/ct_r2", 0), EFAULT);
	CHECK_OK(tsys_unlink((long)"/tmp/ct_b/full/in/f"));
	CHECK_OK(tsys_rmdir((long)"/tmp/ct_b/full/in"));
	CHECK_OK(tsys_rmdir((long)"/tmp/ct_b/full"));
	CHECK_OK(tsys_rmdir((long)"/tmp/ct_b"));
	CHECK_OK(tsys_unlink((long)"/tmp/ct_r2"));
}

static void truncate_sync(void)
{
	char buf[8];
	int fds[2];
	long fd = make_file("/tmp/ct_t", "abcdef");
	CHECK_OK(tsys_ftruncate(fd, 3));
	CHECK_OK(tsys_ftruncate(fd, 5));            /* grows with zeros */
	CHECK_EQ(tsys_pread64(fd, (long)buf, 8, 0), 5);
	CHECK(memcmp(buf, "abc\0\0", 5) == 0);
	CHECK_ERR(tsys_ftruncate(fd, -1), EINVAL);
	CHECK_OK(tsys_truncate((long)"/tmp/ct_t", 1));
	CHECK_EQ(tsys_lseek(fd, 0, SEEK_END), 1);
	CHECK_ERR(tsys_truncate((long)"/tmp", 0), EISDIR);
	CHECK_ERR(tsys_truncate((long)"/proc/meminfo", 0), EROFS);
	CHECK_ERR(tsys_truncate((long)"/tmp/none", 0), ENOENT);
	long ro = tsys_open((long)"/tmp/ct_t", O_RDONLY, 0);
	CHECK_ERR(tsys_ftruncate(ro, 0), EINVAL);
	CHECK_OK(tsys_fsync(fd));
	CHECK_OK(tsys_fdatasync(ro));
	CHECK_ERR(tsys_fsync(77), EBADF);
	CHECK_OK(tsys_fadvise64(fd, 0, 0, 2));
	CHECK_ERR(tsys_fadvise64(fd, 0, 0, 9), EINVAL);
	CHECK_OK(tsys_pipe2((long)fds, 0));
	CHECK_ERR(tsys_fsync(fds[0]), EINVAL);
	CHECK_ERR(tsys_fadvise64(fds[0], 0, 0, 0), ESPIPE);
	CHECK_ERR(tsys_ftruncate(fds[1], 0), EINVAL);
	tsys_close(fds[0]), tsys_close(fds[1]), tsys_close(ro), tsys_close(fd);
	CHECK_OK(tsys_unlink((long)"/tmp/ct_t"));
}

static void umask_chmod_times(void)
{
	struct stat st;
	CHECK_EQ(tsys_umask(077), 022);
	tsys_close(make_file("/tmp/ct_m", "m"));
	CHECK_EQ(stat_mode("/tmp/ct_m"), S_IFREG | 0600);
	CHECK_EQ(tsys_umask(022), 077);
	CHECK_OK(tsys_chmod((long)"/tmp/ct_m", 04751));
	CHECK_EQ(stat_mode("/tmp/ct_m"), S_IFREG | 04751);
	long fd = tsys_open((long)"/tmp/ct_m", O_RDONLY, 0);
	CHECK_OK(tsys_fchmod(fd, 0640));
	CHECK_EQ(stat_mode("/tmp/ct_m"), S_IFREG | 0640);
	CHECK_OK(tsys_fchmodat(AT_CWD, (long)"/tmp/ct_m", 0644));
	CHECK_ERR(tsys_chmod((long)"/proc/meminfo", 0777), EROFS);
	CHECK_ERR(tsys_chmod((long)"/tmp/none", 0777), ENOENT);
	CHECK_ERR(tsys_fchmod(99, 0777), EBADF);
	struct timespec ts[2] = { { 5, 0 }, { 1000000, 0 } };
	CHECK_OK(tsys_utimensat(AT_CWD, (long)"/tmp/ct_m", (long)ts, 0));
	CHECK_OK(tsys_stat((long)"/tmp/ct_m", (long)&st));
	CHECK_EQ(st.st_mtime, 1000000);
	ts[1].tv_nsec = UTIME_OMIT;
	CHECK_OK(tsys_utimensat(fd, 0, (long)ts, 0));        /* futimens */
	CHECK_OK(tsys_stat((long)"/tmp/ct_m", (long)&st));
	CHECK_EQ(st.st_mtime, 1000000);
	CHECK_OK(tsys_utimensat(AT_CWD, (long)"/tmp/ct_m", 0, 0));   /* now */
	CHECK_OK(tsys_stat((long)"/tmp/ct_m", (long)&st));
	CHECK(st.st_mtime > 1000000);
	ts[0].tv_nsec = 1000000000;
	CHECK_ERR(tsys_utimensat(AT_CWD, (long)"/tmp/ct_m", (long)ts, 0), EINVAL);
	CHECK_ERR(tsys_utimensat(AT_CWD, (long)"/tmp/ct_m", 1, 0), EFAULT);
	CHECK_ERR(tsys_utimensat(AT_CWD, (long)"/tmp/ct_m", 0, 0x4), EINVAL);
	CHECK_ERR(tsys_utimensat(AT_CWD, (long)"/proc/meminfo", 0, 0), EROFS);
	tsys_close(fd);
	CHECK_OK(tsys_unlink((long)"/tmp/ct_m"));
}

static void dirs_and_links(void)
{
	char cwd[64], buf[16];
	long dfd = tsys_open((long)"/tmp", O_RDONLY | O_DIRECTORY, 0);
	long ffd = tsys_open((long)"/data/hello.txt", O_RDONLY, 0);
	CHECK_OK(tsys_fchdir(dfd));
	CHECK_OK(tsys_getcwd((long)cwd, sizeof(cwd)));
	CHECK(strcmp(cwd, "/tmp") == 0);
	CHECK_ERR(tsys_fchdir(ffd), ENOTDIR);
	CHECK_ERR(tsys_fchdir(99), EBADF);
	CHECK_OK(tsys_chdir((long)"/"));
	CHECK_ERR(tsys_readlink((long)"/bin/sh", (long)buf, sizeof(buf)), EINVAL);
	CHECK_ERR(tsys_readlink((long)"/none", (long)buf, sizeof(buf)), ENOENT);
	CHECK_ERR(tsys_readlink((long)"/bin/sh", (long)buf, 0), EINVAL);
	CHECK_EQ(tsys_readlinkat(AT_CWD, (long)"/proc/self/exe", (long)buf, 16), 10);
	CHECK(memcmp(buf, "/bin/utest", 10) == 0);
	long bin = tsys_open((long)"/bin", O_RDONLY | O_DIRECTORY, 0);
	CHECK_OK(tsys_faccessat(bin, (long)"sh", X_OK));
	CHECK_ERR(tsys_faccessat(bin, (long)"nothing", F_OK), ENOENT);
	CHECK_OK(tsys_faccessat2(bin, (long)"sh", W_OK, 0));        /* "/" is writable */
	CHECK_ERR(tsys_faccessat2(AT_CWD, (long)"/proc/meminfo", W_OK, 0), EROFS);
	CHECK_ERR(tsys_faccessat2(bin, (long)"sh", R_OK, 0x4), EINVAL);
	CHECK_ERR(tsys_faccessat(ffd, (long)"x", F_OK), ENOTDIR);
	tsys_close(bin), tsys_close(dfd), tsys_close(ffd);
}

static void statfs_dup3(void)
{
	struct statfs sf;
	CHECK_OK(tsys_statfs((long)"/", (long)&sf));
	CHECK_EQ(sf.f_bsize, 4096);
	CHECK(sf.f_blocks >= sf.f_bfree && sf.f_bfree > 0);
	CHECK(!(sf.f_flags & ST_RDONLY));       /* as Linux's initramfs */
	CHECK_OK(tsys_statfs((long)"/tmp", (long)&sf));
	CHECK(!(sf.f_flags & ST_RDONLY));
	CHECK_OK(tsys_fstatfs(1, (long)&sf));
	CHECK_ERR(tsys_statfs((long)"/none", (long)&sf), ENOENT);
	CHECK_ERR(tsys_statfs((long)"/", 0), EFAULT);
	CHECK_ERR(tsys_fstatfs(99, (long)&sf), EBADF);
	CHECK_EQ(tsys_dup3(1, 20, O_CLOEXEC), 20);
	CHECK_EQ(tsys_fcntl(20, F_GETFD, 0), FD_CLOEXEC);
	CHECK_EQ(tsys_dup3(1, 20, 0), 20);
	CHECK_EQ(tsys_fcntl(20, F_GETFD, 0), 0);
	CHECK_ERR(tsys_dup3(1, 1, 0), EINVAL);
	CHECK_ERR(tsys_dup3(1, 21, 0x1), EINVAL);
	CHECK_ERR(tsys_dup3(99, 21, 0), EBADF);
	CHECK_ERR(tsys_dup3(1, 1024, 0), EBADF);          /* RLIMIT_NOFILE is 1024 */
	tsys_close(20);
}

static void pipe_local(void)
{
	int fds[2];
	char buf[8192];
	struct stat st;
	CHECK_ERR(tsys_pipe2((long)fds, O_APPEND), EINVAL);
	CHECK_ERR(tsys_pipe(0), EFAULT);
	CHECK_OK(tsys_pipe2((long)fds, O_NONBLOCK | O_CLOEXEC));
	CHECK_EQ(tsys_fcntl(fds[0], F_GETFD, 0), FD_CLOEXEC);
	CHECK_ERR(tsys_read(fds[0], (long)buf, 8), EAGAIN);
	CHECK_EQ(tsys_write(fds[1], (long)"hi", 2), 2);
	CHECK_OK(tsys_fstat(fds[0], (long)&st));
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_ERR(tsys_lseek(fds[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERR(tsys_write(fds[0], (long)"x", 1), EBADF);
	CHECK_ERR(tsys_read(fds[1], (long)buf, 1), EBADF);
	CHECK_EQ(tsys_read(fds[0], (long)buf, 8), 2);
	memset(buf, 'z', sizeof(buf));
	/* 16 page slots as Linux's: 100 bytes take one, each 8192 two, the last write goes in
	 * part, then it would block */
	CHECK_EQ(tsys_write(fds[1], (long)buf, 100), 100);
	long n = 100, r;
	while ((r = tsys_write(fds[1], (long)buf, sizeof(buf))) == (long)sizeof(buf))
		n += r;
	CHECK(r > 0 && r < (long)sizeof(buf));
	n += r;
	CHECK_EQ(n, 100 + 7 * 8192 + 4096);
	CHECK_ERR(tsys_write(fds[1], (long)buf, 1), EAGAIN);
	long got = 0;
	while ((r = tsys_read(fds[0], (long)buf, sizeof(buf))) > 0)
		got += r;
	CHECK_ERR(r, EAGAIN);
	CHECK_EQ(got, n);
	CHECK_OK(tsys_close(fds[1]));
	CHECK_EQ(tsys_read(fds[0], (long)buf, 8), 0);           /* end of file */
	CHECK_OK(tsys_close(fds[0]));
	CHECK_OK(tsys_pipe((long)fds));
	CHECK_OK(tsys_close(fds[0]));
	signal(SIGPIPE, SIG_IGN);          /* else the write would end this process */
	CHECK_ERR(tsys_write(fds[1], (long)"x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	CHECK_OK(tsys_close(fds[1]));
}

/* Spawns /bin/cat with descriptor 0 and 1 replaced by in and out (-1: keep). */
static int spawn_cat(int in, int out, const char *arg)
{
	const char *argv[] = { "cat", arg, NULL };
	int save0 = (int)tsys_dup(0), save1 = (int)tsys_dup(1);
	if (in >= 0)
		CHECK_OK(tsys_dup2(in, 0));
	if (out >= 0)
		CHECK_OK(tsys_dup2(out, 1));
	int pid = ut_spawn("/bin/cat", argv);
	tsys_dup2(save0, 0), tsys_dup2(save1, 1), tsys_close(save0), tsys_close(save1);
	return pid;
}

static void pipe_children(void)
{
	int a[2], b[2];
	static char data[6000], got[7000];
	/* a child writes into the pipe; its exit closes the last writer: end of file */
	CHECK_OK(tsys_pipe2((long)a, O_CLOEXEC));
	int pid = spawn_cat(-1, a[1], "/data/hello.txt");
	CHECK_OK(tsys_close(a[1]));
	long n = 0, r;
	while ((r = tsys_read(a[0], (long)got + n, sizeof(got) - n)) > 0)
		n += r;
	CHECK_EQ(r, 0);
	got[n] = '\0';
	CHECK(strcmp(got, "Hello, Tessera!\n") == 0);
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_OK(tsys_close(a[0]));
	/* more than a pipe holds, through a child in the middle: both sides block in turn */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	/* close-on-exec: the child must not hold the ends it does not use */
	CHECK_OK(tsys_pipe2((long)a, O_CLOEXEC));
	CHECK_OK(tsys_pipe2((long)b, O_CLOEXEC));
	pid = spawn_cat(a[0], b[1], NULL);
	tsys_close(a[0]), tsys_close(b[1]);
	CHECK_EQ(tsys_write(a[1], (long)data, sizeof(data)), (long)sizeof(data));
	CHECK_OK(tsys_close(a[1]));
	n = 0;
	while ((r = tsys_read(b[0], (long)got + n, sizeof(got) - n)) > 0)
		n += r;
	CHECK_EQ(n, (long)sizeof(data));
	CHECK(memcmp(got, data, sizeof(data)) == 0);
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_OK(tsys_close(b[0]));
}

static void poll_cases(void)
{
	int fds[2];
	struct pollfd p[3];
	CHECK_OK(tsys_pipe((long)fds));
	p[0] = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	p[2] = (struct pollfd){ .fd = 99, .events = POLLIN };
	CHECK_EQ(tsys_poll((long)p, 1, 0), 0);
	CHECK_EQ(tsys_poll((long)p, 1, 30), 0);               /* times out */
	CHECK_EQ(tsys_poll((long)p, 3, -1), 2);
	CHECK_EQ(p[0].revents, 0);
	CHECK_EQ(p[1].revents, POLLOUT);
	CHECK_EQ(p[2].revents, POLLNVAL);
	CHECK_EQ(tsys_write(fds[1], (long)"x", 1), 1);
	struct timespec ts = { 1, 0 };
	CHECK_EQ(tsys_ppoll((long)p, 1, (long)&ts, 0, 8), 1);
	CHECK_EQ(p[0].revents, POLLIN);
	CHECK_OK(tsys_close(fds[1]));
	CHECK_EQ(tsys_poll((long)p, 1, 0), 1);
	CHECK_EQ(p[0].revents, POLLIN | POLLHUP);
	ts.tv_nsec = -1;
	CHECK_ERR(tsys_ppoll((long)p, 1, (long)&ts, 0, 8), EINVAL);
	CHECK_ERR(tsys_poll(0, 1, 0), EFAULT);
	CHECK_ERR(tsys_poll((long)p, 100000, 0), EINVAL);
	CHECK_OK(tsys_close(fds[0]));
	/* a regular file is always ready */
	long fd = tsys_open((long)"/data/hello.txt", O_RDONLY, 0);
	p[0] = (struct pollfd){ .fd = (int)fd, .events = POLLIN | POLLOUT };
	CHECK_EQ(tsys_poll((long)p, 1, -1), 1);
	CHECK_EQ(p[0].revents, POLLIN | POLLOUT);
	tsys_close(fd);
}

static void random_bytes(void)
{
	unsigned char a[64], b[64];
	CHECK_EQ(tsys_getrandom((long)a, sizeof(a), 0), 64);
	CHECK_EQ(tsys_getrandom((long)b, sizeof(b), 1), 64);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	int zeros = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	CHECK(zeros < 16);
	CHECK_EQ(tsys_getrandom((long)a, 0, 0), 0);
	CHECK_ERR(tsys_getrandom((long)a, 8, 8), EINVAL);
	CHECK_ERR(tsys_getrandom((long)a, 8, 6), EINVAL);   /* INSECURE with RANDOM */
	CHECK_ERR(tsys_getrandom(0, 8, 0), EFAULT);
}

static void limits_info(void)
{
	struct rlimit rl, got;
	struct sysinfo si;
	struct tms t;
	struct rusage ru;
	CHECK_OK(tsys_getrlimit(RLIMIT_NOFILE, (long)&rl));
	CHECK(rl.rlim_cur > 3 && rl.rlim_cur <= rl.rlim_max);
	got = (struct rlimit){ 10, rl.rlim_max };
	CHECK_OK(tsys_setrlimit(RLIMIT_NOFILE, (long)&got));
	CHECK_OK(tsys_prlimit64(0, RLIMIT_NOFILE, 0, (long)&got));
	CHECK_EQ(got.rlim_cur, 10);
	got = (struct rlimit){ 20, 10 };
	CHECK_ERR(tsys_setrlimit(RLIMIT_NOFILE, (long)&got), EINVAL);
	got = (struct rlimit){ 10, 1 << 20 };
	CHECK_ERR(tsys_setrlimit(RLIMIT_NOFILE, (long)&got), EPERM);
	CHECK_ERR(tsys_getrlimit(99, (long)&rl), EINVAL);
	CHECK_ERR(tsys_getrlimit(RLIMIT_STACK, 0), EFAULT);
	CHECK_ERR(tsys_prlimit64(999999, RLIMIT_STACK, 0, (long)&rl), ESRCH);
	CHECK_OK(tsys_sysinfo((long)&si));
	CHECK(si.totalram > si.freeram && si.freeram > 0 && si.mem_unit == 1);
	CHECK(si.procs >= 2);
	CHECK_ERR(tsys_sysinfo(0), EFAULT);
	CHECK(tsys_times((long)&t) > 0);
	CHECK_ERR(tsys_times(1), EFAULT);
	CHECK_OK(tsys_getrusage(RUSAGE_SELF, (long)&ru));
	CHECK_ERR(tsys_getrusage(5, (long)&ru), EINVAL);
}

static void signals_groups(void)
{
	int self = (int)tsys_getpid();
	char name[16];
	CHECK_OK(tsys_kill(self, 0));
	CHECK_OK(tsys_kill(self, SIGCHLD));                 /* ignored by default */
	CHECK_ERR(tsys_kill(self, 65), EINVAL);
	CHECK_ERR(tsys_kill(999999, SIGTERM), ESRCH);
	CHECK_ERR(tsys_tgkill(self, self + 1, 0), ESRCH);
	CHECK_OK(tsys_tgkill(self, self, 0));
	CHECK_ERR(tsys_tkill(0, 0), EINVAL);
	/* a sleeping child ends with the signal */
	const char *argv[] = { "sleep", "30", NULL };
	int pid = ut_spawn("/bin/sleep", argv);
	CHECK_OK(tsys_kill(pid, SIGTERM));
	int st = ut_wait(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	/* groups and sessions in detail: t_jobctl.c */
	CHECK_EQ(tsys_getpgid(0), tsys_getpgrp());
	CHECK_EQ(tsys_getsid(0), tsys_getsid(self));
	CHECK_ERR(tsys_getpgid(999999), ESRCH);
	CHECK_OK(tsys_prctl(15, (long)"ctname", 0, 0, 0));
	CHECK_OK(tsys_prctl(16, (long)name, 0, 0, 0));
	CHECK(strcmp(name, "ctname") == 0);
	CHECK_ERR(tsys_prctl(9999, 0, 0, 0, 0), EINVAL);
	stack_t ss = { .ss_sp = name, .ss_size = 1024 }, old;
	CHECK_ERR(tsys_sigaltstack((long)&ss, 0), ENOMEM);
	static char stack[8192];
	ss = (stack_t){ .ss_sp = stack, .ss_size = sizeof(stack) };
	CHECK_OK(tsys_sigaltstack((long)&ss, 0));
	CHECK_OK(tsys_sigaltstack(0, (long)&old));
	CHECK(old.ss_sp == stack && old.ss_size == sizeof(stack));
	ss.ss_flags = 0x40;
	CHECK_ERR(tsys_sigaltstack((long)&ss, 0), EINVAL);
	CHECK_ERR(tsys_sigaltstack(1, 0), EFAULT);
}

static void memory_advice(void)
{
	long p = tsys_mmap(0, 3 * 4096, 3, 0x22, -1, 0);
	CHECK_OK(p);
	((char *)p)[0] = 1;
	CHECK_OK(tsys_madvise(p, 3 * 4096, 4));           /* MADV_DONTNEED */
	CHECK_OK(tsys_madvise(p, 4096, 1));
	CHECK_ERR(tsys_madvise(p + 1, 4096, 0), EINVAL);
	CHECK_ERR(tsys_madvise(p, 4096, 999), EINVAL);
	CHECK_ERR(tsys_mremap(p, 3 * 4096, 8 * 4096, 0, 0), ENOMEM);
	CHECK_EQ(tsys_mremap(p, 3 * 4096, 4096, 0, 0), p);
	CHECK_ERR(tsys_mremap(p + 1, 4096, 4096, 0, 0), EINVAL);
	CHECK_ERR(tsys_mremap(p, 4096, 0, 0, 0), EINVAL);
	CHECK_OK(tsys_munmap(p, 4096));
	CHECK_ERR(tsys_call(999, 0, 0, 0, 0, 0, 0), ENOSYS);   /* reported on the console */
}

const struct utest ut_compat_tests[] = {
	{ "compat_pread_pwrite", pread_pwrite },
	{ "compat_mkdir_rmdir", mkdir_rmdir },
	{ "compat_unlink_open", unlink_open },
	{ "compat_rename", rename_cases },
	{ "compat_truncate_sync", truncate_sync },
	{ "compat_umask_chmod_times", umask_chmod_times },
	{ "compat_dirs_links", dirs_and_links },
	{ "compat_statfs_dup3", statfs_dup3 },
	{ "compat_pipe_local", pipe_local },
	{ "compat_pipe_children", pipe_children },
	{ "compat_poll", poll_cases },
	{ "compat_getrandom", random_bytes },
	{ "compat_limits_info", limits_info },
	{ "compat_signals_groups", signals_groups },
	{ "compat_memory_advice", memory_advice },
	{ NULL, NULL },
};
