/*
 * Symbolic and hard links in the file system in memory (/tmp): targets relative and absolute,
 * links through directories, into /proc and onto the disk, loops (ELOOP after 40 links),
 * O_NOFOLLOW and lstat; hard links sharing one file across names, unlink and rename of either
 * name, and the errors for every bad request. Each test removes what it made.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define AT_CWD (-100)

static void put(const char *path, const char *content)
{
	long fd = tsys_open((long)path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK_OK(fd);
	CHECK_EQ(tsys_write(fd, (long)content, (long)strlen(content)), (long)strlen(content));
	tsys_close(fd);
}

/* The content of path (at most 63 bytes) or "" when it cannot be opened. */
static const char *get(const char *path)
{
	static char buf[64];
	long fd = tsys_open((long)path, O_RDONLY, 0);
	buf[0] = '\0';
	if (fd < 0)
		return buf;
	long n = tsys_read(fd, (long)buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	tsys_close(fd);
	return buf;
}

static void check_link(const char *path, const char *target)
{
	char buf[300];
	long n = tsys_readlink((long)path, (long)buf, sizeof(buf));
	CHECK_EQ(n, (long)strlen(target));
	CHECK(memcmp(buf, target, (size_t)n) == 0);
}

static void symlink_basics(void)
{
	struct stat st;
	CHECK_OK(tsys_symlink((long)"/data/hello.txt", (long)"/tmp/l1"));
	check_link("/tmp/l1", "/data/hello.txt");
	CHECK_OK(tsys_lstat((long)"/tmp/l1", (long)&st));
	CHECK(S_ISLNK(st.st_mode) && st.st_size == 15 && (st.st_mode & 0777) == 0777);
	CHECK_OK(tsys_stat((long)"/tmp/l1", (long)&st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 16);
	CHECK(strcmp(get("/tmp/l1"), "Hello, Tessera!\n") == 0);
	CHECK_ERR(tsys_open((long)"/tmp/l1", O_RDONLY | O_NOFOLLOW, 0), ELOOP);
	/* a link to a directory in the middle of a path, and in a listing */
	CHECK_OK(tsys_symlink((long)"/data/sub", (long)"/tmp/l2"));
	CHECK(strlen(get("/tmp/l2/note.txt")) > 0);
	DIR *d = opendir("/tmp");
	struct dirent *e;
	int seen = 0;
	while (d && (e = readdir(d)))
		seen += !strcmp(e->d_name, "l2") && e->d_type == DT_LNK;
	closedir(d);
	CHECK_EQ(seen, 1);
	/* creating through a dangling link makes its target */
	CHECK_OK(tsys_symlink((long)"made", (long)"/tmp/l3"));
	put("/tmp/l3", "via link");
	CHECK(strcmp(get("/tmp/made"), "via link") == 0);
	CHECK_ERR(tsys_open((long)"/tmp/l3", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	/* a program runs through a link to it */
	const char *argv[] = { "lx", NULL };
	CHECK_OK(tsys_symlink((long)"/bin/true", (long)"/tmp/lx"));
	CHECK_EQ(ut_run("/tmp/lx", argv), 0);
	CHECK_OK(tsys_unlink((long)"/tmp/lx"));
	/* removing a link leaves its target */
	CHECK_OK(tsys_unlink((long)"/tmp/l1"));
	CHECK_OK(tsys_stat((long)"/data/hello.txt", (long)&st));
	CHECK_OK(tsys_unlink((long)"/tmp/l2"));
	CHECK_OK(tsys_unlink((long)"/tmp/l3"));
	CHECK_OK(tsys_unlink((long)"/tmp/made"));
}

static void symlink_relative(void)
{
	CHECK_OK(tsys_mkdir((long)"/tmp/sr", 0755));
	CHECK_OK(tsys_mkdir((long)"/tmp/sr/sub", 0755));
	put("/tmp/sr/sub/f", "rel");
	CHECK_OK(tsys_symlink((long)"sub/f", (long)"/tmp/sr/a"));           /* from the link's dir */
	CHECK_OK(tsys_symlink((long)"../a", (long)"/tmp/sr/sub/b"));        /* a link to a link */
	CHECK_OK(tsys_symlink((long)"./sub/../sub", (long)"/tmp/sr/c"));
	CHECK(strcmp(get("/tmp/sr/a"), "rel") == 0);
	CHECK(strcmp(get("/tmp/sr/sub/b"), "rel") == 0);
	CHECK(strcmp(get("/tmp/sr/c/f"), "rel") == 0);
	CHECK_OK(chdir("/tmp/sr/c"));
	CHECK(strcmp(get("f"), "rel") == 0);
	CHECK_OK(chdir("/"));
	/* symlinkat relative to a directory descriptor */
	long dfd = tsys_open((long)"/tmp/sr", O_RDONLY | O_DIRECTORY, 0);
	CHECK_OK(tsys_symlinkat((long)"sub", dfd, (long)"d"));
	char buf[8];
	CHECK_EQ(tsys_readlinkat(dfd, (long)"d", (long)buf, sizeof(buf)), 3);
	CHECK_OK(tsys_unlinkat(dfd, (long)"d", 0));
	tsys_close(dfd);
	CHECK_OK(tsys_unlink((long)"/tmp/sr/c"));
	CHECK_OK(tsys_unlink((long)"/tmp/sr/sub/b"));
	CHECK_OK(tsys_unlink((long)"/tmp/sr/a"));
	CHECK_OK(tsys_unlink((long)"/tmp/sr/sub/f"));
	CHECK_OK(tsys_rmdir((long)"/tmp/sr/sub"));
	CHECK_OK(tsys_rmdir((long)"/tmp/sr"));
}

/* Linux follows at most 40 links in one lookup. */
static void symlink_loops(void)
{
	char from[32], to[32];
	struct stat st;
	CHECK_OK(tsys_symlink((long)"/tmp/lb", (long)"/tmp/la"));
	CHECK_OK(tsys_symlink((long)"/tmp/la", (long)"/tmp/lb"));
	CHECK_ERR(tsys_open((long)"/tmp/la", O_RDONLY, 0), ELOOP);
	CHECK_ERR(tsys_stat((long)"/tmp/la/x", (long)&st), ELOOP);
	CHECK_OK(tsys_lstat((long)"/tmp/la", (long)&st));
	CHECK_OK(tsys_unlink((long)"/tmp/la"));
	CHECK_OK(tsys_unlink((long)"/tmp/lb"));
	/* c0 -> c1 -> ... -> c40 -> the file: 41 links are one too many, 40 are fine */
	put("/tmp/cf", "end");
	for (int i = 0; i <= 40; i++) {
		snprintf(from, sizeof(from), "/tmp/c%d", i);
		snprintf(to, sizeof(to), i == 40 ? "cf" : "c%d", i + 1);
		CHECK_OK(tsys_symlink((long)to, (long)from));
	}
	CHECK_ERR(tsys_open((long)"/tmp/c0", O_RDONLY, 0), ELOOP);
	CHECK(strcmp(get("/tmp/c1"), "end") == 0);
	for (int i = 0; i <= 40; i++) {
		snprintf(from, sizeof(from), "/tmp/c%d", i);
		CHECK_OK(tsys_unlink((long)from));
	}
	CHECK_OK(tsys_unlink((long)"/tmp/cf"));
}

/* Links lead into the other file systems: /proc and the disk. */
static void symlink_across(void)
{
	char buf[32];
	struct stat a, b;
	struct statfs sf;
	CHECK_OK(tsys_symlink((long)"/proc/self", (long)"/tmp/me"));
	CHECK_EQ(tsys_readlink((long)"/tmp/me/exe", (long)buf, sizeof(buf)), 10);
	CHECK(memcmp(buf, "/bin/utest", 10) == 0);
	CHECK_OK(tsys_unlink((long)"/tmp/me"));
	if (statfs("/disk", &sf) || sf.f_type != 0xef53)
		return;                      /* no disk in this machine */
	CHECK_OK(tsys_symlink((long)"/disk", (long)"/tmp/dk"));
	CHECK_OK(tsys_stat((long)"/tmp/dk/.", (long)&a));
	CHECK_OK(tsys_stat((long)"/disk", (long)&b));
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CHECK_OK(tsys_unlink((long)"/tmp/dk"));
}

static void symlink_errors(void)
{
	char buf[16], longt[4097];
	uintptr_t bad[UT_NBAD];
	CHECK_ERR(tsys_symlink((long)"", (long)"/tmp/le"), ENOENT);
	CHECK_ERR(tsys_symlink((long)"x", (long)"/tmp"), EEXIST);
	CHECK_ERR(tsys_symlink((long)"x", (long)"/proc/newlink"), EROFS);
	CHECK_ERR(tsys_symlink((long)"x", (long)"/tmp/none/l"), ENOENT);
	memset(longt, 'a', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = '\0';
	CHECK_ERR(tsys_symlink((long)longt, (long)"/tmp/le"), ENAMETOOLONG);
	CHECK_OK(tsys_symlink((long)"target", (long)"/tmp/le"));
	CHECK_ERR(tsys_readlink((long)"/tmp/le", (long)buf, 0), EINVAL);
	CHECK_EQ(tsys_readlink((long)"/tmp/le", (long)buf, 3), 3);     /* cut, as Linux does */
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(tsys_readlink((long)"/tmp/le", (long)bad[i], 8), EFAULT);
		CHECK_ERR(tsys_symlink((long)bad[i], (long)"/tmp/lf"), EFAULT);
	}
	CHECK_ERR(tsys_readlink((long)"/data/hello.txt", (long)buf, sizeof(buf)), EINVAL);
	CHECK_OK(tsys_unlink((long)"/tmp/le"));
}

static void hard_links(void)
{
	struct stat a, b;
	put("/tmp/h1", "one");
	CHECK_OK(tsys_link((long)"/tmp/h1", (long)"/tmp/h2"));
	CHECK_OK(tsys_stat((long)"/tmp/h1", (long)&a));
	CHECK_OK(tsys_stat((long)"/tmp/h2", (long)&b));
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_nlink == 2);
	put("/tmp/h2", "two");                           /* one file behind both names */
	CHECK(strcmp(get("/tmp/h1"), "two") == 0);
	CHECK_OK(tsys_mkdir((long)"/tmp/hd", 0755));
	CHECK_OK(tsys_link((long)"/tmp/h2", (long)"/tmp/hd/h3"));
	CHECK_OK(tsys_stat((long)"/tmp/hd/h3", (long)&b));
	CHECK_EQ(b.st_nlink, 3);
	CHECK_ERR(tsys_rmdir((long)"/tmp/hd"), ENOTEMPTY);
	/* the first name goes: the others keep the file */
	CHECK_OK(tsys_unlink((long)"/tmp/h1"));
	CHECK_ERR(tsys_stat((long)"/tmp/h1", (long)&a), ENOENT);
	CHECK(strcmp(get("/tmp/h2"), "two") == 0);
	CHECK_OK(tsys_stat((long)"/tmp/h2", (long)&a));
	CHECK_EQ(a.st_nlink, 2);
	/* rename of either name; rename onto another name of the same file does nothing */
	CHECK_OK(tsys_rename((long)"/tmp/hd/h3", (long)"/tmp/h4"));
	CHECK_OK(tsys_rename((long)"/tmp/h4", (long)"/tmp/h2"));
	CHECK_OK(tsys_stat((long)"/tmp/h4", (long)&b));
	CHECK_OK(tsys_rename((long)"/tmp/h2", (long)"/tmp/h5"));
	CHECK(strcmp(get("/tmp/h5"), "two") == 0 && strcmp(get("/tmp/h4"), "two") == 0);
	/* rename over a further name of another file replaces only that name */
	put("/tmp/o1", "other");
	CHECK_OK(tsys_link((long)"/tmp/o1", (long)"/tmp/o2"));
	CHECK_OK(tsys_rename((long)"/tmp/h5", (long)"/tmp/o2"));
	CHECK(strcmp(get("/tmp/o2"), "two") == 0 && strcmp(get("/tmp/o1"), "other") == 0);
	CHECK_OK(tsys_stat((long)"/tmp/o1", (long)&a));
	CHECK_EQ(a.st_nlink, 1);
	/* a directory with a further name moves it along */
	CHECK_OK(tsys_link((long)"/tmp/o1", (long)"/tmp/hd/o3"));
	CHECK_OK(tsys_rename((long)"/tmp/hd", (long)"/tmp/he"));
	CHECK(strcmp(get("/tmp/he/o3"), "other") == 0);
	CHECK_OK(tsys_unlink((long)"/tmp/he/o3"));
	CHECK_OK(tsys_rmdir((long)"/tmp/he"));
	CHECK_OK(tsys_unlink((long)"/tmp/o1"));
	CHECK_OK(tsys_unlink((long)"/tmp/o2"));
	CHECK_OK(tsys_unlink((long)"/tmp/h4"));
}

/* An open file outlives all its names. */
static void hard_link_open(void)
{
	struct stat st;
	char buf[8];
	put("/tmp/ho", "kept");
	CHECK_OK(tsys_link((long)"/tmp/ho", (long)"/tmp/hp"));
	long fd = tsys_open((long)"/tmp/hp", O_RDONLY, 0);
	CHECK_OK(fd);
	CHECK_OK(tsys_unlink((long)"/tmp/hp"));
	CHECK_OK(tsys_unlink((long)"/tmp/ho"));
	CHECK_OK(tsys_fstat(fd, (long)&st));
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(tsys_read(fd, (long)buf, sizeof(buf)), 4);
	tsys_close(fd);
	/* a hard link to a symbolic link links the link itself, unless asked to follow */
	CHECK_OK(tsys_symlink((long)"/data/hello.txt", (long)"/tmp/hs"));
	CHECK_OK(tsys_linkat(AT_CWD, (long)"/tmp/hs", AT_CWD, (long)"/tmp/ht", 0));
	CHECK_OK(tsys_lstat((long)"/tmp/ht", (long)&st));
	CHECK(S_ISLNK(st.st_mode) && st.st_nlink == 2);
	CHECK_ERR(tsys_linkat(AT_CWD, (long)"/tmp/hs", AT_CWD, (long)"/tmp/hu", 0x400),
		  EXDEV);                     /* AT_SYMLINK_FOLLOW: /data is another file system */
	CHECK_OK(tsys_unlink((long)"/tmp/ht"));
	CHECK_OK(tsys_unlink((long)"/tmp/hs"));
}

static void hard_link_errors(void)
{
	put("/tmp/hx", "x");
	CHECK_ERR(tsys_link((long)"/tmp/hx", (long)"/tmp/hx"), EEXIST);
	CHECK_ERR(tsys_link((long)"/tmp", (long)"/tmp/hdir"), EPERM);
	CHECK_ERR(tsys_link((long)"/data/hello.txt", (long)"/tmp/hy"), EXDEV);
	CHECK_ERR(tsys_link((long)"/proc/meminfo", (long)"/tmp/hy"), EXDEV);
	CHECK_ERR(tsys_link((long)"/tmp/hx", (long)"/bin/hy"), EXDEV);   /* "/" is another */
	CHECK_ERR(tsys_link((long)"/tmp/none", (long)"/tmp/hy"), ENOENT);
	CHECK_ERR(tsys_link((long)"/tmp/hx", (long)"/tmp/none/hy"), ENOENT);
	CHECK_ERR(tsys_linkat(AT_CWD, (long)"/tmp/hx", AT_CWD, (long)"/tmp/hy", 0x1), EINVAL);
	CHECK_OK(tsys_unlink((long)"/tmp/hx"));
}

const struct utest ut_links_tests[] = {
	{ "links_symlink_basics", symlink_basics },
	{ "links_symlink_relative", symlink_relative },
	{ "links_symlink_loops", symlink_loops },
	{ "links_symlink_across", symlink_across },
	{ "links_symlink_errors", symlink_errors },
	{ "links_hard", hard_links },
	{ "links_hard_open", hard_link_open },
	{ "links_hard_errors", hard_link_errors },
	{ NULL, NULL },
};
