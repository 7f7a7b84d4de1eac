/*
 * Disks (issue 13): the ext2 file system init mounts at /disk, used through ordinary Linux
 * calls that the kernel forwards to the ext2 server. Each test works in a directory of its
 * own below /disk and removes everything it made (the runner counts plates too). The host
 * checks what these calls leave on the image in tools/disk_suite.py.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define EXT2_MAGIC 0xef53
#define AT_FDCWD_ (-100)

static char dir[64];

/* This test's directory, /disk/ut-NAME-PID, made empty. */
static const char *testdir(void)
{
	snprintf(dir, sizeof(dir), "/disk/ut-%s-%d", ut_name, getpid());
	CHECK_OK(tsys_mkdir((long)dir, 0755));
	return dir;
}

static const char *at(const char *name)
{
	static char buf[4][128];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static uint8_t pat(uint64_t i, unsigned seed)
{
	return (uint8_t)((i * 131u + seed * 7u + (i >> 9)) & 0xff);
}

static void fill(uint8_t *b, size_t n, uint64_t off, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = pat(off + i, seed);
}

static void expect_pat(const uint8_t *b, size_t n, uint64_t off, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != pat(off + i, seed))
			FAIL("byte %llu is 0x%02x, expected 0x%02x", (unsigned long long)(off + i),
			     b[i], pat(off + i, seed));
}

static void disk_mounted(void)
{
	struct statfs fs;
	struct stat d, root;
	CHECK_OK(statfs("/disk", &fs));
	CHECK_EQ(fs.f_type, EXT2_MAGIC);
	CHECK(fs.f_blocks > 0 && fs.f_bfree <= fs.f_blocks && fs.f_files > 0);
	CHECK_OK(stat("/disk", &d));
	CHECK_OK(stat("/", &root));
	CHECK(d.st_dev != root.st_dev);
	CHECK_EQ(d.st_ino, 2);                 /* ext2's root directory */
	CHECK(S_ISDIR(d.st_mode));
	/* the mount point stays: it is busy, by name and as a resource */
	CHECK_ERR(tsys_rmdir((long)"/disk"), EBUSY);
	rid_t plate;
	CHECK_OK(t_res_lookup(RT_PLATE, "/disk", &plate));
	CHECK_ERR(t_res_delete(plate), EBUSY);
}

static uint8_t big[64 * 1024], back[64 * 1024];

/* create, write, read back, pread/pwrite, lseek, O_APPEND, vectored I/O */
static void disk_rw(void)
{
	testdir();
	const char *f = at("data");
	int fd = open(f, O_CREAT | O_EXCL | O_RDWR, 0640);
	CHECK_OK(fd);
	fill(big, sizeof(big), 0, 1);
	CHECK_EQ(write(fd, big, sizeof(big)), sizeof(big));
	CHECK_OK(close(fd));
	CHECK_ERR(tsys_open((long)f, O_CREAT | O_EXCL | O_RDWR, 0640), EEXIST);
	struct stat st;
	CHECK_OK(stat(f, &st));
	CHECK_EQ(st.st_size, sizeof(big));
	CHECK_EQ(st.st_mode, S_IFREG | 0640);
	CHECK_EQ(st.st_nlink, 1);
	fd = open(f, O_RDWR);
	CHECK_OK(fd);
	CHECK_EQ(read(fd, back, sizeof(back)), sizeof(back));
	expect_pat(back, sizeof(back), 0, 1);
	CHECK_EQ(read(fd, back, 10), 0);
	fill(big, 3000, 12345, 2);
	CHECK_EQ(pwrite(fd, big, 3000, 12345), 3000);
	CHECK_EQ(pread(fd, back, 3000, 12345), 3000);
	expect_pat(back, 3000, 12345, 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), sizeof(big));      /* pread/pwrite leave the offset */
	CHECK_EQ(lseek(fd, -100, SEEK_END), sizeof(big) - 100);
	CHECK_OK(fsync(fd));
	CHECK_OK(fdatasync(fd));
	CHECK_OK(syncfs(fd));
	CHECK_OK(close(fd));
	/* O_APPEND and writev/readv */
	fd = open(f, O_WRONLY | O_APPEND);
	CHECK_OK(fd);
	struct iovec iov[2] = { { big, 100 }, { big + 100, 200 } };
	fill(big, 300, sizeof(back), 3);
	CHECK_EQ(writev(fd, iov, 2), 300);
	CHECK_OK(close(fd));
	fd = open(f, O_RDONLY);
	CHECK_EQ(lseek(fd, sizeof(back), SEEK_SET), sizeof(back));
	struct iovec riov[2] = { { back, 150 }, { back + 150, 150 } };
	CHECK_EQ(readv(fd, riov, 2), 300);
	expect_pat(back, 300, sizeof(big), 3);
	CHECK_OK(close(fd));
	sync();
	CHECK_OK(unlink(f));
	CHECK_ERR(tsys_open((long)f, O_RDONLY, 0), ENOENT);
	CHECK_OK(rmdir(dir));
}

/* truncation both ways and sparse writes past the end read as zeros */
static void disk_truncate(void)
{
	testdir();
	const char *f = at("t");
	int fd = open(f, O_CREAT | O_RDWR, 0600);
	CHECK_OK(fd);
	fill(big, 8192, 0, 4);
	CHECK_EQ(write(fd, big, 8192), 8192);
	CHECK_OK(ftruncate(fd, 1000));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 1000);
	CHECK_OK(truncate(f, 5000));
	CHECK_EQ(pread(fd, back, 5000, 0), 5000);
	expect_pat(back, 1000, 0, 4);
	for (int i = 1000; i < 5000; i++)
		CHECK_EQ(back[i], 0);
	/* sparse: 4 MiB past the end */
	CHECK_EQ(pwrite(fd, "x", 1, 4 << 20), 1);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, (4 << 20) + 1);
	CHECK(st.st_blocks * 512 < 1 << 20);       /* the hole takes no blocks */
	CHECK_EQ(pread(fd, back, 4096, 2 << 20), 4096);
	for (int i = 0; i < 4096; i++)
		CHECK_EQ(back[i], 0);
	CHECK_ERR(tsys_ftruncate(fd, -1), EINVAL);
	CHECK_OK(close(fd));
	CHECK_ERR(tsys_truncate((long)dir, 0), EISDIR);
	CHECK_OK(unlink(f));
	CHECK_OK(rmdir(dir));
}

static int count_entries(const char *path, const char *want, int *found)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;
	*found = 0;
	CHECK(d != NULL);
	while ((e = readdir(d))) {
		n++;
		if (want && strcmp(e->d_name, want) == 0)
			*found = 1;
	}
	closedir(d);
	return n;
}

static void touch(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK_OK(fd);
	CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	CHECK_OK(close(fd));
}

static void expect_text(const char *path, const char *text)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	CHECK_OK(fd);
	CHECK_EQ(read(fd, buf, sizeof(buf) - 1), (long)strlen(text));
	CHECK(strcmp(buf, text) == 0);
	CHECK_OK(close(fd));
}

/* mkdir, rename (across directories, replacing), rmdir, unlink, listings */
static void disk_names(void)
{
	int found;
	testdir();
	CHECK_OK(mkdir(at("a"), 0755));
	CHECK_OK(mkdir(at("b"), 0700));
	CHECK_ERR(tsys_mkdir((long)at("a"), 0755), EEXIST);
	touch(at("a/one"), "one");
	touch(at("b/two"), "two");
	CHECK_EQ(count_entries(at("a"), "one", &found), 3);
	CHECK(found);
	CHECK_OK(rename(at("a/one"), at("b/one")));               /* across directories */
	expect_text(at("b/one"), "one");
	CHECK_ERR(tsys_open((long)at("a/one"), O_RDONLY, 0), ENOENT);
	CHECK_OK(rename(at("b/one"), at("b/two")));               /* replacing */
	expect_text(at("b/two"), "one");
	CHECK_EQ(count_entries(at("b"), "one", &found), 3);
	CHECK(!found);
	CHECK_ERR(tsys_rmdir((long)at("b")), ENOTEMPTY);
	CHECK_OK(rename(at("b"), at("a/b")));                     /* a directory moves */
	expect_text(at("a/b/two"), "one");
	struct stat st;
	CHECK_OK(stat(at("a"), &st));
	CHECK_EQ(st.st_nlink, 3);                                  /* ., its entry, b's .. */
	CHECK_ERR(tsys_rename((long)at("a"), (long)at("a/b/c")), EINVAL);
	CHECK_ERR(tsys_unlink((long)at("a")), EISDIR);
	CHECK_ERR(tsys_rmdir((long)at("a/b/two")), ENOTDIR);
	CHECK_OK(unlink(at("a/b/two")));
	CHECK_OK(rmdir(at("a/b")));
	CHECK_OK(rmdir(at("a")));
	CHECK_EQ(count_entries(dir, NULL, &found), 2);
	CHECK_OK(rmdir(dir));
}

/* hard and symbolic links; a file unlinked while open lives on */
static void disk_links(void)
{
	char buf[64];
	struct stat st;
	testdir();
	touch(at("f"), "hello");
	CHECK_OK(link(at("f"), at("g")));
	CHECK_OK(stat(at("g"), &st));
	CHECK_EQ(st.st_nlink, 2);
	struct stat sf;
	CHECK_OK(stat(at("f"), &sf));
	CHECK_EQ(sf.st_ino, st.st_ino);
	CHECK_ERR(tsys_link((long)dir, (long)at("d2")), EPERM);    /* no links to directories */
	CHECK_ERR(tsys_link((long)at("f"), (long)at("g")), EEXIST);
	CHECK_OK(unlink(at("f")));
	expect_text(at("g"), "hello");
	CHECK_OK(symlink("g", at("s")));
	CHECK_OK(symlink(at("s"), at("s2")));                      /* a link to a link */
	expect_text(at("s2"), "hello");
	CHECK_OK(lstat(at("s"), &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(readlink(at("s"), buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'g');
	CHECK_ERR(tsys_readlink((long)at("g"), (long)buf, sizeof(buf)), EINVAL);
	CHECK_OK(symlink("loop2", at("loop1")));
	CHECK_OK(symlink("loop1", at("loop2")));
	CHECK_ERR(tsys_open((long)at("loop1"), O_RDONLY, 0), ELOOP);
	CHECK_ERR(tsys_open((long)at("s"), O_RDONLY | O_NOFOLLOW, 0), ELOOP);
	CHECK_OK(mkdir(at("d"), 0755));
	CHECK_OK(symlink("d", at("sd")));
	touch(at("sd/inner"), "in");                               /* through a link to a dir */
	expect_text(at("d/inner"), "in");
	/* unlinked while open */
	int fd = open(at("d/inner"), O_RDONLY);
	CHECK_OK(fd);
	CHECK_OK(unlink(at("d/inner")));
	CHECK_EQ(read(fd, buf, sizeof(buf)), 2);
	CHECK_OK(close(fd));
	/* replaced by a rename while open */
	touch(at("old"), "old");
	touch(at("new"), "newer");
	fd = open(at("old"), O_RDONLY);
	CHECK_OK(fd);
	CHECK_OK(rename(at("new"), at("old")));
	CHECK_EQ(read(fd, buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "old", 3) == 0);
	CHECK_OK(close(fd));
	expect_text(at("old"), "newer");
	CHECK_OK(unlink(at("old")));
	const char *names[] = { "g", "s", "s2", "loop1", "loop2", "sd" };
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK_OK(unlink(at(names[i])));
	CHECK_OK(rmdir(at("d")));
	CHECK_OK(rmdir(dir));
}

/* the disk is a file system of its own: no rename or link into the RAM plates */
static void disk_exdev(void)
{
	char tmp[64];
	testdir();
	touch(at("x"), "x");
	snprintf(tmp, sizeof(tmp), "/tmp/ut-exdev-%d", getpid());
	CHECK_ERR(tsys_rename((long)at("x"), (long)tmp), EXDEV);
	CHECK_ERR(tsys_link((long)at("x"), (long)tmp), EXDEV);
	touch(tmp, "t");
	CHECK_ERR(tsys_rename((long)tmp, (long)at("y")), EXDEV);
	CHECK_OK(unlink(tmp));
	CHECK_OK(unlink(at("x")));
	CHECK_OK(rmdir(dir));
}

/* attributes: chmod, chown, utimensat */
static void disk_attrs(void)
{
	struct stat st;
	testdir();
	touch(at("f"), "f");
	CHECK_OK(chmod(at("f"), 0604));
	CHECK_OK(stat(at("f"), &st));
	CHECK_EQ(st.st_mode & 07777, 0604);
	CHECK_OK(chown(at("f"), 1000, 1001));
	CHECK_OK(stat(at("f"), &st));
	CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(st.st_gid, 1001);
	struct timespec ts[2] = { { 1000000, 0 }, { 2000000, 0 } };
	CHECK_OK(utimensat(AT_FDCWD_, at("f"), ts, 0));
	CHECK_OK(stat(at("f"), &st));
	CHECK_EQ(st.st_mtime, 2000000);
	int fd = open(at("f"), O_RDONLY);
	CHECK_OK(fchmod(fd, 0600));
	CHECK_OK(fchown(fd, 0, 0));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(st.st_uid, 0);
	CHECK_OK(close(fd));
	CHECK_OK(unlink(at("f")));
	CHECK_OK(rmdir(dir));
}

/* What uid 1000 may not do on files of root's (run in a child that dropped root). */
static int refusals(void)
{
	if (setgid(1000) || setuid(1000))
		return 10;
	if (tsys_open((long)at("secret"), O_RDONLY, 0) != -EACCES)
		return 11;
	if (tsys_open((long)at("public"), O_WRONLY, 0) != -EACCES)
		return 12;
	int fd = open(at("public"), O_RDONLY);
	if (fd < 0)
		return 13;
	close(fd);
	if (tsys_open((long)at("new"), O_CREAT | O_WRONLY, 0644) != -EACCES)
		return 14;
	if (tsys_unlink((long)at("public")) != -EACCES)
		return 15;
	if (tsys_chmod((long)at("public"), 0777) != -EPERM)
		return 16;
	if (tsys_chown((long)at("public"), 1000, 1000) != -EPERM)
		return 17;
	if (tsys_mkdir((long)at("newdir"), 0755) != -EACCES)
		return 18;
	if (tsys_mount((long)"/dev/vda", (long)"/mnt", (long)"ext2", 0, 0) != -EPERM)
		return 19;
	if (tsys_umount2((long)"/disk", 0) != -EPERM)
		return 20;
	/* in its own directory it may */
	fd = open(at("mine/f"), O_CREAT | O_WRONLY, 0600);
	if (fd < 0)
		return 21;
	close(fd);
	return unlink(at("mine/f")) ? 22 : 0;
}

static void disk_perm(void)
{
	testdir();
	touch(at("secret"), "s");
	CHECK_OK(chmod(at("secret"), 0600));
	touch(at("public"), "p");
	CHECK_OK(mkdir(at("mine"), 0755));
	CHECK_OK(chown(at("mine"), 1000, 1000));
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0)
		_exit(refusals());
	int st = ut_wait(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("the uid-1000 child failed at step %d (status 0x%x)", WEXITSTATUS(st), st);
	CHECK_OK(unlink(at("secret")));
	CHECK_OK(unlink(at("public")));
	CHECK_OK(rmdir(at("mine")));
	CHECK_OK(rmdir(dir));
}

static void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_TRUNC | O_WRONLY, 0755);
	long n;
	CHECK_OK(in);
	CHECK_OK(out);
	while ((n = read(in, big, sizeof(big))) > 0)
		CHECK_EQ(write(out, big, n), n);
	CHECK_EQ(n, 0);
	CHECK_OK(close(in));
	CHECK_OK(close(out));
}

static rid_t program_of(int pid)
{
	rid_t rid;
	struct t_res_info in;
	CHECK_OK(t_proc_rid(pid, &rid));
	CHECK_OK(t_res_info(rid, &in));
	for (uint32_t i = 0; i < in.nrefs && i < T_MAX_REFS; i++)
		if (RID_TYPE(in.refs[i].rid) == RT_PROGRAM)
			return in.refs[i].rid;
	FAIL("process %d has no program", pid);
}

/* A program copied to the disk runs from there, twice at once with one text. */
static void disk_exec(void)
{
	struct t_res_info in;
	testdir();
	copy_file("/bin/utest", at("utest"));
	const char *const argv[] = { "utest", "-c", "sleep", "10000", NULL };
	int a = ut_spawn(at("utest"), argv), b = ut_spawn(at("utest"), argv);
	rid_t pa = program_of(a), pb = program_of(b);
	CHECK_EQ(pa, pb);
	CHECK_OK(t_res_info(pa, &in));
	CHECK_EQ(in.v[5], 2);                  /* users */
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	ut_wait(a);
	ut_wait(b);
	/* a plate of the disk is a resource like any plate, with its inode */
	rid_t plate;
	struct stat st;
	CHECK_OK(stat(at("utest"), &st));
	CHECK_OK(t_res_lookup(RT_PLATE, at("utest"), &plate));
	CHECK_OK(t_res_info(plate, &in));
	CHECK_EQ(in.v[0], st.st_size);
	CHECK_EQ(in.v[2], st.st_ino);
	const char *const hello[] = { "hello", NULL };
	copy_file("/bin/hello", at("hello"));
	CHECK_EQ(ut_run(at("hello"), hello), 0);
	CHECK_OK(unlink(at("utest")));
	CHECK_OK(unlink(at("hello")));
	CHECK_OK(rmdir(dir));
}

/* Long paths on ext2 (issue 18): a file at a path of 4095 characters (directories of
 * 200-character names), a name of 256 refused, a chain of 300 directories of 30-character
 * names made and removed through relative paths (over 9000 characters deep), and a symbolic
 * link whose target is as long as the block size allows (Linux's ext2: block size - 1). */
static void disk_long_paths(void)
{
	static char p[8192], t[4200], back[4200];
	struct stat st;
	struct statfs sf;
	testdir();
	strcpy(p, dir);
	int n = 0;
	for (; strlen(p) + 241 < 4095; n++) {
		size_t at0 = strlen(p);
		p[at0] = '/';
		memset(p + at0 + 1, 'd', 200);
		p[at0 + 201] = '\0';
		CHECK_OK(tsys_mkdir((long)p, 0755));
	}
	size_t dirs = strlen(p);
	p[dirs] = '/';
	memset(p + dirs + 1, 'f', 4095 - dirs - 1);
	p[4095] = '\0';
	long fd = tsys_open((long)p, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(tsys_write(fd, (long)"disk", 4), 4);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(tsys_stat((long)p, (long)&st));
	CHECK_EQ(st.st_size, 4);
	p[4095] = 'f';
	p[4096] = '\0';
	CHECK_ERR(tsys_open((long)p, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	p[4095] = '\0';
	CHECK_OK(tsys_unlink((long)p));
	for (p[dirs] = '\0'; n-- > 0; *strrchr(p, '/') = '\0')
		CHECK_OK(tsys_rmdir((long)p));
	size_t at1 = strlen(dir) + 1;
	snprintf(p, sizeof(p), "%s/", dir);
	memset(p + at1, 'n', 256);
	p[at1 + 256] = '\0';
	CHECK_ERR(tsys_mkdir((long)p, 0755), ENAMETOOLONG);
	p[at1 + 255] = '\0';
	CHECK_OK(tsys_mkdir((long)p, 0755));
	CHECK_OK(tsys_rmdir((long)p));
	/* the longest target the block size takes, and one more */
	CHECK_OK(statfs(dir, &sf));
	size_t tl = sf.f_bsize - 1 < 4095 ? (size_t)sf.f_bsize - 1 : 4095;
	memset(t, 'a', tl + 1);
	for (size_t i = 100; i < tl; i += 100)
		t[i] = '/';
	t[tl] = '\0';
	CHECK_OK(tsys_symlink((long)t, (long)at("lnk")));
	CHECK_EQ(tsys_readlink((long)at("lnk"), (long)back, sizeof(back)), (long)tl);
	CHECK(memcmp(back, t, tl) == 0);
	CHECK_OK(tsys_unlink((long)at("lnk")));
	t[tl] = 'a';
	t[tl + 1] = '\0';
	CHECK_ERR(tsys_symlink((long)t, (long)at("lnk")), ENAMETOOLONG);
	/* 300 deep, relative */
	CHECK_OK(tsys_chdir((long)dir));
	for (int i = 0; i < 300; i++) {
		CHECK_OK(tsys_mkdir((long)"abcdefghijklmnopqrstuvwxyz0123", 0755));
		CHECK_OK(tsys_chdir((long)"abcdefghijklmnopqrstuvwxyz0123"));
	}
	CHECK_ERR(tsys_getcwd((long)back, sizeof(back)), ENAMETOOLONG);
	fd = tsys_open((long)"leaf", O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(tsys_stat((long)"../abcdefghijklmnopqrstuvwxyz0123/leaf", (long)&st));
	CHECK_OK(tsys_unlink((long)"leaf"));
	for (int i = 0; i < 300; i++) {
		CHECK_OK(tsys_chdir((long)".."));
		CHECK_OK(tsys_rmdir((long)"abcdefghijklmnopqrstuvwxyz0123"));
	}
	CHECK_OK(tsys_chdir((long)"/"));
	CHECK_OK(tsys_rmdir((long)dir));
}

const struct utest ut_disk_tests[] = {
	{ "disk_mounted", disk_mounted },
	{ "disk_rw", disk_rw },
	{ "disk_truncate", disk_truncate },
	{ "disk_names", disk_names },
	{ "disk_links", disk_links },
	{ "disk_exdev", disk_exdev },
	{ "disk_attrs", disk_attrs },
	{ "disk_perm", disk_perm },
	{ "disk_exec", disk_exec },
	{ "disk_long_paths", disk_long_paths },
	{ NULL, NULL },
};
