/* Permission bits as Linux checks them (kernel/fs/plate.c plate_permission) on the file
 * system in memory: a user reads, writes, runs and searches only what the owner's, a group
 * member's (its group or a supplementary one, setgroups) or everybody's bits allow; root
 * bypasses all but a file's execute bits. Each test prepares files as root and checks them
 * from a forked child that took another identity. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define GRP 500                      /* the files' group */

/* Runs fn in a child as uid 1000, gid 100, with the supplementary groups given; the child
 * exits 0 when every check passed. */
static void as_user(void (*fn)(void), const unsigned *groups, long ngroups)
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK_OK(tsys_setgroups(ngroups, (long)groups));
		CHECK_OK(tsys_setresgid(100, 100, 100));
		CHECK_OK(tsys_setresuid(1000, 1000, 1000));
		fn();
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
}

static void make_file(const char *path, unsigned mode, unsigned uid, unsigned gid)
{
	long fd = tsys_open((long)path, O_CREAT | O_EXCL | O_WRONLY, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(tsys_write(fd, (long)"#!/bin/sh\nexit 7\n", 17), 17);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(tsys_chown((long)path, uid, gid));
	CHECK_OK(tsys_chmod((long)path, mode));
}

static void make_dir(const char *path, unsigned mode, unsigned uid, unsigned gid)
{
	CHECK_OK(tsys_mkdir((long)path, 0700));
	CHECK_OK(tsys_chown((long)path, uid, gid));
	CHECK_OK(tsys_chmod((long)path, mode));
}

/* Runs path in a child; the exit status word. */
static int run(const char *path)
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char *const argv[] = { (char *)path, NULL };
		long err = tsys_execve((long)path, (long)argv, 0);
		_exit(err == -EACCES ? 13 : 12);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	return st;
}

static void member_side(void)
{
	unsigned got[32] = { 0 };
	long n = tsys_getgroups(32, (long)got), in = 0;
	for (long i = 0; i < n; i++)
		in += got[i] == GRP;
	CHECK_EQ(in, 1);
	long fd = tsys_open((long)"/tmp/ut-pg/file", O_RDONLY, 0);
	CHECK(fd >= 0);                                   /* 0640 of group 500 */
	CHECK_OK(tsys_close(fd));
	CHECK_ERR(tsys_open((long)"/tmp/ut-pg/file", O_WRONLY, 0), EACCES);
	CHECK_OK(tsys_access((long)"/tmp/ut-pg/file", R_OK));
	CHECK_ERR(tsys_access((long)"/tmp/ut-pg/file", W_OK), EACCES);
	CHECK_EQ(run("/tmp/ut-pg/prog"), 7 << 8);         /* 0750: runs by its group bits */
	fd = tsys_open((long)"/tmp/ut-pg/gw", O_WRONLY, 0);
	CHECK(fd >= 0);                                   /* 0620: group write */
	CHECK_OK(tsys_close(fd));
	fd = tsys_open((long)"/tmp/ut-pg/new", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);                                   /* the directory is 0770 of 500 */
	CHECK_OK(tsys_close(fd));
	CHECK_OK(tsys_unlink((long)"/tmp/ut-pg/new"));
	/* chown to a group the caller is in: its own, a supplementary one; not another */
	fd = tsys_open((long)"/tmp/ut-pg/mine", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(tsys_chown((long)"/tmp/ut-pg/mine", -1, GRP));
	CHECK_ERR(tsys_chown((long)"/tmp/ut-pg/mine", -1, 501), EPERM);
	CHECK_OK(tsys_chmod((long)"/tmp/ut-pg/mine", 02755));   /* in the group: S_ISGID kept */
	struct stat st;
	CHECK_OK(stat("/tmp/ut-pg/mine", &st));
	CHECK_EQ(st.st_mode & 07777, 02755);
	CHECK_EQ(st.st_gid, GRP);
	CHECK_OK(tsys_unlink((long)"/tmp/ut-pg/mine"));
}

static void outsider_side(void)
{
	CHECK_EQ(tsys_getgroups(0, 0), 0);
	CHECK_ERR(tsys_open((long)"/tmp/ut-pg/file", O_RDONLY, 0), EACCES);   /* 0770 dir */
	CHECK_ERR(tsys_access((long)"/tmp/ut-pg/file", F_OK), EACCES);
	CHECK_ERR(tsys_chdir((long)"/tmp/ut-pg"), EACCES);
	CHECK_EQ(run("/tmp/ut-pg/prog"), 13 << 8);
	CHECK_ERR(tsys_open((long)"/tmp/ut-pg2/file", O_RDONLY, 0), EACCES);  /* 0640 file */
	long fd = tsys_open((long)"/tmp/ut-pg2/file", O_CREAT | O_WRONLY, 0644);
	CHECK_EQ(fd, -EACCES);                            /* no write right on 0755 of root */
	/* a file it owns in a directory of another group: S_ISGID dropped by chmod */
	CHECK_OK(tsys_chmod((long)"/tmp/ut-pg2/own", 02755));
	struct stat st;
	CHECK_OK(stat("/tmp/ut-pg2/own", &st));
	CHECK_EQ(st.st_mode & 07777, 0755);
}

/* A user in the files' group (a supplementary group) reads a 0640 file, runs a 0750
 * program, writes a 0620 file and creates in a 0770 directory of that group, may give its
 * file to that group (chown) and keep S_ISGID on it; one without the group is refused all
 * of it, and chmod drops S_ISGID of a file whose group it is not in. */
static void perm_supplementary_groups(void)
{
	make_dir("/tmp/ut-pg", 0770, 0, GRP);
	make_file("/tmp/ut-pg/file", 0640, 0, GRP);
	make_file("/tmp/ut-pg/prog", 0750, 0, GRP);
	make_file("/tmp/ut-pg/gw", 0620, 0, GRP);
	make_dir("/tmp/ut-pg2", 0755, 0, 0);
	make_file("/tmp/ut-pg2/file", 0640, 0, GRP);
	make_file("/tmp/ut-pg2/own", 0755, 1000, GRP);
	const unsigned member[] = { GRP };
	as_user(member_side, member, 1);
	as_user(outsider_side, NULL, 0);
	const unsigned many[] = { 1, 2, 3, 4, 5, GRP, 7 };
	as_user(member_side, many, 7);
	const char *files[] = { "/tmp/ut-pg/file", "/tmp/ut-pg/prog", "/tmp/ut-pg/gw",
				"/tmp/ut-pg2/file", "/tmp/ut-pg2/own" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		CHECK_OK(tsys_unlink((long)files[i]));
	CHECK_OK(tsys_rmdir((long)"/tmp/ut-pg"));
	CHECK_OK(tsys_rmdir((long)"/tmp/ut-pg2"));
}

static void others_side(void)
{
	struct stat st;
	CHECK_ERR(tsys_open((long)"/tmp/ut-po/secret", O_RDONLY, 0), EACCES);     /* 0600 */
	CHECK_ERR(tsys_access((long)"/tmp/ut-po/secret", R_OK), EACCES);
	long fd = tsys_open((long)"/tmp/ut-po/public", O_RDONLY, 0);               /* 0604 */
	CHECK(fd >= 0);
	CHECK_OK(tsys_close(fd));
	CHECK_ERR(tsys_open((long)"/tmp/ut-po/public", O_RDWR, 0), EACCES);
	CHECK_ERR(tsys_open((long)"/tmp/ut-po/closed", O_RDONLY | O_DIRECTORY, 0), EACCES);
	CHECK_ERR(stat("/tmp/ut-po/closed/f", &st) == 0 ? 0 : -EACCES, EACCES);   /* 0700 */
	CHECK_ERR(tsys_open((long)"/tmp/ut-po/xonly", O_RDONLY | O_DIRECTORY, 0), EACCES);
	CHECK_OK(stat("/tmp/ut-po/xonly/f", &st));                                 /* 0711 */
	fd = tsys_open((long)"/tmp/ut-po/ronly", O_RDONLY | O_DIRECTORY, 0);       /* 0744 */
	CHECK(fd >= 0);
	char buf[512];
	CHECK(tsys_getdents64(fd, (long)buf, sizeof(buf)) > 0);
	CHECK_OK(tsys_close(fd));
	CHECK(stat("/tmp/ut-po/ronly/f", &st) != 0);
	CHECK_ERR(tsys_open((long)"/tmp/ut-po/n", O_CREAT | O_WRONLY, 0644), EACCES);
	CHECK_ERR(tsys_unlink((long)"/tmp/ut-po/public"), EACCES);
	CHECK_ERR(tsys_mkdir((long)"/tmp/ut-po/d", 0755), EACCES);
	CHECK_ERR(tsys_unlink((long)"/tmp/ut-po/sticky/f"), EPERM);   /* 01777, root's file */
	CHECK_ERR(tsys_chdir((long)"/tmp/ut-po/xonly/../closed"), EACCES);
	CHECK_OK(tsys_chdir((long)"/tmp/ut-po/xonly"));
	CHECK_OK(tsys_chdir((long)"/"));
	fd = tsys_open((long)"/etc/passwd", O_RDONLY, 0);               /* the boot image */
	CHECK(fd >= 0);
	CHECK_OK(tsys_close(fd));
}

/* Everybody's bits on files and directories in memory (/tmp used to let anyone read): no
 * read of a 0600 file, no listing without r, no lookup inside without x, no new or removed
 * entries without w, the sticky bit; root reads a 0000 file and searches a 0000 directory
 * but runs no file without an execute bit. */
static void perm_other_bits(void)
{
	make_dir("/tmp/ut-po", 0755, 0, 0);
	make_file("/tmp/ut-po/secret", 0600, 0, 0);
	make_file("/tmp/ut-po/public", 0604, 0, 0);
	make_file("/tmp/ut-po/none", 0000, 0, 0);
	const char *dirs[] = { "/tmp/ut-po/closed", "/tmp/ut-po/xonly", "/tmp/ut-po/ronly" };
	const unsigned modes[] = { 0700, 0711, 0744 };
	for (int i = 0; i < 3; i++) {
		char path[64];
		make_dir(dirs[i], 0700, 0, 0);
		snprintf(path, sizeof(path), "%s/f", dirs[i]);
		make_file(path, 0644, 0, 0);
		CHECK_OK(tsys_chmod((long)dirs[i], modes[i]));
	}
	make_dir("/tmp/ut-po/sticky", 01777, 0, 0);
	make_file("/tmp/ut-po/sticky/f", 0666, 0, 0);
	as_user(others_side, NULL, 0);
	long fd = tsys_open((long)"/tmp/ut-po/none", O_RDWR, 0);        /* root */
	CHECK(fd >= 0);
	CHECK_OK(tsys_close(fd));
	CHECK_ERR(tsys_access((long)"/tmp/ut-po/none", X_OK), EACCES);
	CHECK_EQ(run("/tmp/ut-po/public"), 13 << 8);
	CHECK_OK(tsys_chmod((long)"/tmp/ut-po/closed", 0));
	struct stat st;
	CHECK_OK(stat("/tmp/ut-po/closed/f", &st));
	CHECK_OK(tsys_access((long)"/tmp/ut-po/closed", X_OK));
	const char *files[] = { "/tmp/ut-po/secret", "/tmp/ut-po/public", "/tmp/ut-po/none",
				"/tmp/ut-po/closed/f", "/tmp/ut-po/xonly/f", "/tmp/ut-po/ronly/f",
				"/tmp/ut-po/sticky/f" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		CHECK_OK(tsys_unlink((long)files[i]));
	for (int i = 0; i < 3; i++)
		CHECK_OK(tsys_rmdir((long)dirs[i]));
	CHECK_OK(tsys_rmdir((long)"/tmp/ut-po/sticky"));
	CHECK_OK(tsys_rmdir((long)"/tmp/ut-po"));
}

const struct utest ut_perm_tests[] = {
	{ "perm_supplementary_groups", perm_supplementary_groups },
	{ "perm_other_bits", perm_other_bits },
	{ NULL, NULL },
};
