/*
 * Files: reading and seeking in image files, stat, directory listing, files created in
 * /tmp (written, read back, deleted through the resource interface), the current
 * directory, descriptor limits and duplication, vectored writes, the console as a tty.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define LOREM_LINES 150
#define LOREM_LINE_LEN 54
#define LOREM_SIZE (LOREM_LINES * LOREM_LINE_LEN)
#define L_TCGETS 0x5401

/* Byte i of /data/lorem.txt, which is made of lines "line NNN: the quick ... dog\n". */
static char lorem_byte(long i)
{
	char line[128];
	snprintf(line, sizeof(line), "line %03ld: the quick brown fox jumps over the lazy dog\n",
		 i / LOREM_LINE_LEN);
	return line[i % LOREM_LINE_LEN];
}

static void check_lorem(const char *buf, long off, long n)
{
	for (long i = 0; i < n; i++)
		if (buf[i] != lorem_byte(off + i))
			FAIL("lorem.txt byte %ld is 0x%02x, expected '%c'", off + i,
			     (unsigned char)buf[i], lorem_byte(off + i));
}

static void file_read_seek(void)
{
	char buf[300];
	long fd = tsys_open((long)"/data/lorem.txt", O_RDONLY, 0);
	CHECK_OK(fd);
	long off = 0, n;
	while ((n = tsys_read(fd, (long)buf, 77)) > 0) {   /* odd size: crosses pages */
		check_lorem(buf, off, n);
		off += n;
	}
	CHECK_EQ(n, 0);
	CHECK_EQ(off, LOREM_SIZE);
	CHECK_EQ(tsys_read(fd, (long)buf, 10), 0);
	CHECK_EQ(tsys_lseek(fd, 0, SEEK_END), LOREM_SIZE);
	CHECK_EQ(tsys_lseek(fd, 4090, SEEK_SET), 4090);
	CHECK_EQ(tsys_read(fd, (long)buf, 20), 20);
	check_lorem(buf, 4090, 20);
	CHECK_EQ(tsys_lseek(fd, -10, SEEK_CUR), 4100);
	CHECK_EQ(tsys_read(fd, (long)buf, 5), 5);
	check_lorem(buf, 4100, 5);
	CHECK_EQ(tsys_lseek(fd, -4, SEEK_END), LOREM_SIZE - 4);
	CHECK_EQ(tsys_read(fd, (long)buf, 100), 4);
	check_lorem(buf, LOREM_SIZE - 4, 4);
	CHECK_EQ(tsys_lseek(fd, LOREM_SIZE + 1000, SEEK_SET), LOREM_SIZE + 1000);
	CHECK_EQ(tsys_read(fd, (long)buf, 10), 0);
	struct stat st;
	CHECK_OK(tsys_fstat(fd, (long)&st));
	CHECK_EQ(st.st_size, LOREM_SIZE);
	CHECK(S_ISREG(st.st_mode));
	CHECK_OK(tsys_close(fd));
}

static void stat_files(void)
{
	struct stat st, st2;
	CHECK_OK(stat("/bin/sh", &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK(st.st_size > 1000);
	CHECK(st.st_mode & 0100);
	CHECK_OK(stat("/bin", &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_OK(stat("/", &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_OK(stat("/data/lorem.txt", &st));
	CHECK_EQ(st.st_size, LOREM_SIZE);
	CHECK_OK(stat("/data/../data/./lorem.txt", &st2));
	CHECK_EQ(st2.st_ino, st.st_ino);
	CHECK_OK(stat("/data/empty", &st));
	CHECK_EQ(st.st_size, 0);
	CHECK_OK(fstat(1, &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_OK(tsys_newfstatat(AT_FDCWD, (long)"/bin/sh", (long)&st2, 0));
	CHECK_OK(stat("/bin/sh", &st));
	CHECK_EQ(st2.st_size, st.st_size);
	CHECK_OK(tsys_access((long)"/bin/sh", R_OK | X_OK));
	CHECK_ERR(tsys_access((long)"/nope", F_OK), ENOENT);
}

/* A Linux dirent64 record (musl's struct dirent has a fixed 256-byte name). */
struct ut_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/* Reads every name of dir with raw getdents64 through a small buffer. */
static int list_dir(const char *dir, char names[][64], unsigned char *types, int max)
{
	_Alignas(8) char buf[256];
	int n = 0;
	long fd = tsys_open((long)dir, O_RDONLY | O_DIRECTORY, 0);
	CHECK_OK(fd);
	long got;
	while ((got = tsys_getdents64(fd, (long)buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			struct ut_dirent64 *d = (struct ut_dirent64 *)(buf + off);
			CHECK(d->d_reclen > 0 && off + d->d_reclen <= got);
			CHECK(n < max);
			snprintf(names[n], 64, "%.63s", d->d_name);
			types[n++] = d->d_type;
			off += d->d_reclen;
		}
	}
	CHECK_EQ(got, 0);
	CHECK_OK(tsys_close(fd));
	return n;
}

static int count_name(char names[][64], int n, const char *name, unsigned char *types,
		      unsigned char *type)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			c++, *type = types[i];
	return c;
}

static void getdents_bin(void)
{
	static char names[1024][64];
	static unsigned char types[1024];
	unsigned char t = 0;
	int n = list_dir("/bin", names, types, 1024);     /* busybox applets are there too */
	static const char *const want[] = { "sh", "init", "utest", "true", "ls", "cat", "hello" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (count_name(names, n, want[i], types, &t) != 1)
			FAIL("/bin/%s listed %d times", want[i], count_name(names, n, want[i], types, &t));
		CHECK_EQ(t, DT_REG);
	}
	CHECK_EQ(count_name(names, n, ".", types, &t), 1);
	CHECK_EQ(t, DT_DIR);
	CHECK_EQ(count_name(names, n, "..", types, &t), 1);
	n = list_dir("/data", names, types, 256);
	CHECK_EQ(count_name(names, n, "sub", types, &t), 1);
	CHECK_EQ(t, DT_DIR);
	CHECK_EQ(count_name(names, n, "note.txt", types, &t), 0);   /* only direct children */
}

static void tmp_path(char *buf, size_t n, const char *what)
{
	snprintf(buf, n, "/tmp/ut-%s.%d", what, getpid());
}

static void delete_plate(const char *path)
{
	rid_t rid;
	CHECK_OK(t_res_lookup(RT_PLATE, path, &rid));
	CHECK_OK(t_res_delete(rid));
}

static void tmp_file(void)
{
	enum { N = 20000 };
	static char data[N], back[N];
	char path[T_NAME_MAX];
	for (int i = 0; i < N; i++)
		data[i] = (char)(i * 13 + i / 251);
	tmp_path(path, sizeof(path), "file");
	long fd = tsys_open((long)path, O_CREAT | O_EXCL | O_RDWR, 0644);
	CHECK_OK(fd);
	for (int off = 0; off < N; off += 3000)
		CHECK_EQ(tsys_write(fd, (long)data + off, N - off < 3000 ? N - off : 3000),
			 N - off < 3000 ? N - off : 3000);
	struct stat st;
	CHECK_OK(tsys_fstat(fd, (long)&st));
	CHECK_EQ(st.st_size, N);
	CHECK_EQ(tsys_lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(tsys_read(fd, (long)back, N), N);
	CHECK(memcmp(data, back, N) == 0);
	CHECK_ERR(tsys_open((long)path, O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
	CHECK_OK(tsys_close(fd));
	fd = tsys_open((long)path, O_RDONLY, 0);   /* the content stays after close */
	CHECK_OK(fd);
	memset(back, 0, N);
	CHECK_EQ(tsys_read(fd, (long)back, N), N);
	CHECK(memcmp(data, back, N) == 0);
	CHECK_ERR(tsys_write(fd, (long)"x", 1), EBADF);
	CHECK_OK(tsys_close(fd));
	fd = tsys_open((long)path, O_WRONLY | O_APPEND, 0);
	CHECK_OK(fd);
	CHECK_EQ(tsys_write(fd, (long)"tail", 4), 4);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(stat(path, &st));
	CHECK_EQ(st.st_size, N + 4);
	fd = tsys_open((long)path, O_RDWR | O_TRUNC, 0);
	CHECK_OK(fd);
	CHECK_OK(tsys_fstat(fd, (long)&st));
	CHECK_EQ(st.st_size, 0);
	CHECK_OK(tsys_close(fd));
	delete_plate(path);
	CHECK_ERR(tsys_stat((long)path, (long)&st), ENOENT);
}

static void tmp_listing(void)
{
	static char names[256][64];
	unsigned char types[256], t;
	char paths[3][T_NAME_MAX];
	static const char *const what[] = { "a", "b", "c" };
	for (int i = 0; i < 3; i++) {
		tmp_path(paths[i], sizeof(paths[i]), what[i]);
		long fd = tsys_open((long)paths[i], O_CREAT | O_WRONLY, 0600);
		CHECK_OK(fd);
		CHECK_OK(tsys_close(fd));
	}
	int n = list_dir("/tmp", names, types, 256);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(count_name(names, n, strrchr(paths[i], '/') + 1, types, &t), 1);
		CHECK_EQ(t, DT_REG);
		delete_plate(paths[i]);
	}
	n = list_dir("/tmp", names, types, 256);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(count_name(names, n, strrchr(paths[i], '/') + 1, types, &t), 0);
}

static void expect_cwd(const char *want)
{
	char buf[256];
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	if (strcmp(buf, want) != 0)
		FAIL("cwd is '%s', expected '%s'", buf, want);
}

static void cwd_chdir(void)
{
	CHECK_OK(chdir("/bin"));
	expect_cwd("/bin");
	long fd = tsys_open((long)"sh", O_RDONLY, 0);   /* relative to the cwd */
	CHECK_OK(fd);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(chdir(".."));
	expect_cwd("/");
	CHECK_OK(chdir("/data/../bin/."));
	expect_cwd("/bin");
	CHECK_OK(chdir("../data/sub"));
	expect_cwd("/data/sub");
	CHECK_ERR(tsys_chdir((long)"/nonexistent"), ENOENT);
	CHECK_ERR(tsys_chdir((long)"/bin/sh"), ENOTDIR);
	expect_cwd("/data/sub");
	CHECK_OK(chdir("/"));
	CHECK_OK(chdir(".."));   /* the parent of / is / */
	expect_cwd("/");
}

static void fd_exhaust(void)
{
	static int fds[1100];
	int n = 0;
	long fd;
	while ((fd = tsys_open((long)"/data/hello.txt", O_RDONLY, 0)) >= 0) {
		CHECK(n < 1100);
		fds[n++] = (int)fd;
	}
	CHECK_ERR(fd, EMFILE);                   /* at RLIMIT_NOFILE, 1024 */
	CHECK(n >= 1000);
	CHECK_ERR(tsys_dup(1), EMFILE);
	for (int i = 0; i < n; i++)
		CHECK_OK(tsys_close(fds[i]));
	fd = tsys_open((long)"/data/hello.txt", O_RDONLY, 0);
	CHECK_EQ(fd, fds[0]);   /* the lowest free descriptor again */
	CHECK_OK(tsys_close(fd));
}

static void dup_fds(void)
{
	char a[8], b[8];
	long fd = tsys_open((long)"/data/lorem.txt", O_RDONLY, 0);
	CHECK_OK(fd);
	long d = tsys_dup(fd);
	CHECK(d > fd);
	CHECK_EQ(tsys_read(fd, (long)a, 5), 5);   /* one offset, shared */
	CHECK_EQ(tsys_read(d, (long)b, 5), 5);
	check_lorem(a, 0, 5);
	check_lorem(b, 5, 5);
	CHECK_EQ(tsys_dup2(fd, 20), 20);
	CHECK_EQ(tsys_lseek(20, 0, SEEK_CUR), 10);
	CHECK_EQ(tsys_dup2(20, 20), 20);
	CHECK_ERR(tsys_dup2(25, 26), EBADF);
	CHECK_OK(tsys_close(fd));
	CHECK_EQ(tsys_read(d, (long)a, 5), 5);   /* still open through the copies */
	check_lorem(a, 10, 5);
	CHECK_OK(tsys_close(d));
	CHECK_OK(tsys_close(20));
	long c = tsys_dup(1);
	CHECK_OK(c);
	CHECK_EQ(tsys_write(c, (long)"dup ok\n", 7), 7);
	CHECK_OK(tsys_close(c));
}

static void writev_console(void)
{
	struct iovec iov[3] = {
		{ "writev: ", 8 }, { "three ", 6 }, { "parts\n", 6 },
	};
	CHECK_EQ(tsys_writev(1, (long)iov, 3), 20);
	CHECK_ERR(tsys_writev(1, 0xffff800000000000l, 3), EFAULT);
	iov[0].iov_base = (void *)0x1;   /* nothing written yet: the error itself */
	CHECK_ERR(tsys_writev(1, (long)iov, 3), EFAULT);
	iov[0].iov_base = "writev: ";     /* after a good buffer: a short count, as on Linux */
	iov[1].iov_base = (void *)0x1;
	long r = tsys_writev(1, (long)iov, 3);
	CHECK(r == 8 || r == -EFAULT);
	CHECK_EQ(tsys_write(1, (long)"\n", 1), 1);
	CHECK_ERR(tsys_writev(1, (long)iov, -1), EINVAL);
}

static void console_tty(void)
{
	char t[64];
	CHECK_OK(tsys_ioctl(0, L_TCGETS, (long)t));
	CHECK_OK(tsys_ioctl(1, L_TCGETS, (long)t));
	CHECK(isatty(1));
	CHECK_EQ(tsys_write(1, (long)"console ok\n", 11), 11);
	CHECK_ERR(tsys_ioctl(1, L_TCGETS, 0xffff800000000000l), EFAULT);
}

/* /dev/random and /dev/urandom: character devices 1:8 and 1:9 that read random bytes (two
 * reads differ, and are not all zero), take writes, and refuse a bad buffer. */
static void fs_dev_random(void)
{
	static const char *const paths[] = { "/dev/random", "/dev/urandom" };
	for (int d = 0; d < 2; d++) {
		unsigned char a[64], b[64], zero[64] = { 0 };
		struct stat st;
		uintptr_t bad[UT_NBAD];
		int fd = open(paths[d], O_RDWR);
		CHECK_OK(fd);
		CHECK_OK(fstat(fd, &st));
		CHECK(S_ISCHR(st.st_mode));
		CHECK_EQ(st.st_rdev, 0x0108 + d);
		CHECK_EQ(read(fd, a, sizeof(a)), sizeof(a));
		CHECK_EQ(read(fd, b, sizeof(b)), sizeof(b));
		CHECK(memcmp(a, b, sizeof(a)) != 0 && memcmp(a, zero, sizeof(a)) != 0);
		CHECK_EQ(write(fd, a, sizeof(a)), sizeof(a));
		ut_bad_addrs(bad);
		for (int i = 0; i < UT_NBAD; i++)
			CHECK_ERR(tsys_read(fd, (long)bad[i], 16), EFAULT);
		CHECK_OK(close(fd));
	}
}

const struct utest ut_fs_tests[] = {
	{ "file_read_seek", file_read_seek },
	{ "stat_files", stat_files },
	{ "getdents_bin", getdents_bin },
	{ "tmp_file", tmp_file },
	{ "tmp_listing", tmp_listing },
	{ "cwd_chdir", cwd_chdir },
	{ "fd_exhaust", fd_exhaust },
	{ "dup_fds", dup_fds },
	{ "writev_console", writev_console },
	{ "console_tty", console_tty },
	{ "fs_dev_random", fs_dev_random },
	{ NULL, NULL },
};
