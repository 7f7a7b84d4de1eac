/*
 * Copies between files inside the kernel (sendfile, copy_file_range) and supplementary groups
 * (getgroups, setgroups): what each moves or keeps, the offsets, and every error for bad
 * descriptors, kinds of file, offsets, flags and pointers.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

static long make(const char *path, const char *content)
{
	long fd = tsys_open((long)path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	CHECK_OK(fd);
	CHECK_EQ(tsys_write(fd, (long)content, (long)strlen(content)), (long)strlen(content));
	return fd;
}

static void sendfile_cases(void)
{
	char buf[64] = { 0 };
	int p[2];
	long off = 7;
	long in = tsys_open((long)"/data/hello.txt", O_RDONLY, 0);    /* "Hello, Tessera!\n" */
	CHECK_OK(in);
	CHECK_OK(pipe(p));
	CHECK_EQ(tsys_sendfile(p[1], in, (long)&off, 7), 7);          /* at an offset: */
	CHECK_EQ(off, 14);                                             /* it moves on, */
	CHECK_EQ(tsys_lseek(in, 0, SEEK_CUR), 0);                      /* the file's stays */
	CHECK_EQ(tsys_sendfile(p[1], in, 0, 5), 5);                    /* at the file's offset */
	CHECK_EQ(tsys_lseek(in, 0, SEEK_CUR), 5);
	CHECK_EQ(tsys_read(p[0], (long)buf, sizeof(buf)), 12);
	CHECK(memcmp(buf, "TesseraHello", 12) == 0);
	CHECK_EQ(tsys_sendfile(p[1], in, 0, 0), 0);
	off = 100;
	CHECK_EQ(tsys_sendfile(p[1], in, (long)&off, 5), 0);           /* past the end */
	/* to a file */
	long out = make("/tmp/sf", "");
	CHECK_EQ(tsys_sendfile(out, in, 0, 1000), 11);
	CHECK_EQ(tsys_pread64(out, (long)buf, sizeof(buf), 0), 11);
	CHECK(memcmp(buf, ", Tessera!\n", 11) == 0);
	/* errors */
	off = -1;
	CHECK_ERR(tsys_sendfile(p[1], in, (long)&off, 5), EINVAL);
	CHECK_ERR(tsys_sendfile(p[1], in, 1, 5), EFAULT);
	CHECK_ERR(tsys_sendfile(p[1], 99, 0, 5), EBADF);
	CHECK_ERR(tsys_sendfile(99, in, 0, 5), EBADF);
	CHECK_ERR(tsys_sendfile(in, in, 0, 5), EBADF);                 /* out not writable */
	CHECK_ERR(tsys_sendfile(out, p[0], 0, 5), EINVAL);             /* in not a file */
	long dir = tsys_open((long)"/tmp", O_RDONLY | O_DIRECTORY, 0);
	CHECK_ERR(tsys_sendfile(p[1], dir, 0, 5), EINVAL);
	long app = tsys_open((long)"/tmp/sf", O_WRONLY | O_APPEND, 0);
	CHECK_ERR(tsys_sendfile(app, in, 0, 5), EINVAL);
	tsys_close(app), tsys_close(dir), tsys_close(out), tsys_close(in);
	close(p[0]), close(p[1]);
	CHECK_OK(tsys_unlink((long)"/tmp/sf"));
}

static void copy_range_cases(void)
{
	char buf[64] = { 0 };
	long in_off = 2, out_off = 1;
	long a = make("/tmp/cra", "0123456789"), b = make("/tmp/crb", "xxxxxxxx");
	CHECK_EQ(tsys_copy_file_range(a, (long)&in_off, b, (long)&out_off, 4, 0), 4);
	CHECK(in_off == 6 && out_off == 5);
	CHECK_EQ(tsys_pread64(b, (long)buf, sizeof(buf), 0), 8);
	CHECK(memcmp(buf, "x2345xxx", 8) == 0);
	/* without offsets the files' own move */
	CHECK_EQ(tsys_lseek(a, 8, SEEK_SET), 8);
	CHECK_EQ(tsys_lseek(b, 0, SEEK_END), 8);
	CHECK_EQ(tsys_copy_file_range(a, 0, b, 0, 100, 0), 2);
	CHECK_EQ(tsys_lseek(a, 0, SEEK_CUR), 10);
	CHECK_EQ(tsys_pread64(b, (long)buf, sizeof(buf), 0), 10);
	CHECK(memcmp(buf, "x2345xxx89", 10) == 0);
	/* from the boot image into memory */
	long img = tsys_open((long)"/data/hello.txt", O_RDONLY, 0);
	in_off = 0, out_off = 0;
	CHECK_EQ(tsys_copy_file_range(img, (long)&in_off, b, (long)&out_off, 5, 0), 5);
	/* errors */
	in_off = 0, out_off = 2;
	CHECK_ERR(tsys_copy_file_range(a, (long)&in_off, a, (long)&out_off, 4, 0), EINVAL);
	CHECK_ERR(tsys_copy_file_range(a, 0, b, 0, 4, 1), EINVAL);
	CHECK_ERR(tsys_copy_file_range(a, 1, b, 0, 4, 0), EFAULT);
	CHECK_ERR(tsys_copy_file_range(a, 0, b, 1, 4, 0), EFAULT);
	CHECK_ERR(tsys_copy_file_range(a, 0, img, 0, 4, 0), EBADF);
	CHECK_ERR(tsys_copy_file_range(99, 0, b, 0, 4, 0), EBADF);
	long dir = tsys_open((long)"/tmp", O_RDONLY | O_DIRECTORY, 0);
	CHECK_ERR(tsys_copy_file_range(dir, 0, b, 0, 4, 0), EISDIR);
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_ERR(tsys_copy_file_range(a, 0, p[1], 0, 4, 0), EINVAL);
	close(p[0]), close(p[1]);
	tsys_close(dir), tsys_close(img), tsys_close(a), tsys_close(b);
	CHECK_OK(tsys_unlink((long)"/tmp/cra"));
	CHECK_OK(tsys_unlink((long)"/tmp/crb"));
}

static void groups(void)
{
	unsigned g[40] = { 5, 6 }, got[40];
	CHECK_OK(tsys_setgroups(2, (long)g));
	CHECK_EQ(tsys_getgroups(0, 0), 2);
	CHECK_EQ(tsys_getgroups(40, (long)got), 2);
	CHECK(got[0] == 5 && got[1] == 6);
	CHECK_ERR(tsys_getgroups(1, (long)got), EINVAL);
	CHECK_ERR(tsys_getgroups(-1, (long)got), EINVAL);
	CHECK_ERR(tsys_getgroups(2, 1), EFAULT);
	CHECK_ERR(tsys_setgroups(33, (long)g), EINVAL);
	CHECK_ERR(tsys_setgroups(65537, (long)g), EINVAL);
	CHECK_ERR(tsys_setgroups(2, 1), EFAULT);
	CHECK_EQ(tsys_getgroups(0, 0), 2);                   /* unchanged by the failures */
	char status[2048];
	long fd = tsys_open((long)"/proc/self/status", O_RDONLY, 0);
	long n = tsys_read(fd, (long)status, sizeof(status) - 1);
	tsys_close(fd);
	CHECK(n > 0);
	status[n] = '\0';
	CHECK(strstr(status, "\nGroups:\t5 6 \n") != NULL);
	int pid = fork(), st;
	if (pid == 0) {
		unsigned mine[4];
		int ok = tsys_getgroups(4, (long)mine) == 2 && mine[1] == 6;   /* inherited */
		ok = ok && setuid(1000) == 0 && tsys_setgroups(0, 0) == -EPERM;
		_exit(ok ? 0 : 1);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	CHECK_OK(tsys_setgroups(0, 0));
	CHECK_EQ(tsys_getgroups(0, 0), 0);
}

const struct utest ut_copy_tests[] = {
	{ "copy_sendfile", sendfile_cases },
	{ "copy_file_range", copy_range_cases },
	{ "copy_groups", groups },
	{ NULL, NULL },
};
