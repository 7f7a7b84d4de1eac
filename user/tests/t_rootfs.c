/* The root file system (the boot image) is writable as Linux's initramfs: new entries of every
 * kind anywhere, unlink and rename of the image's entries, writes to image files (the first
 * copies the file into memory), metadata changes in place, a program rewritten while it runs
 * (the running one keeps its text, a new run gets the new one), the permission bits, and
 * statfs and /proc/mounts showing "/" read-write.
 *
 * A test that writes to an image file leaves its pages in memory unless the file is emptied:
 * the tests that change a fixture's content (/data/rootfs/, made for them) check that it still
 * has its image content, then empty it at the end, so that the leak check stays exact. They
 * can run once per boot (the guest suite boots for each run). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define FIX "/data/rootfs/"

/* The whole content of path into buf (cap bytes, NUL-terminated): its length. */
static long slurp(const char *path, char *buf, size_t cap)
{
	long fd = tsys_open((long)path, O_RDONLY, 0), n, got = 0;
	CHECK_OK(fd);
	while ((n = tsys_read(fd, (long)buf + got, (long)(cap - 1 - (size_t)got))) > 0)
		got += n;
	CHECK_OK(n);
	tsys_close(fd);
	buf[got] = '\0';
	return got;
}

static void expect_content(const char *path, const char *want)
{
	char buf[256];
	CHECK_EQ(slurp(path, buf, sizeof(buf)), strlen(want));
	if (strcmp(buf, want))
		FAIL("%s holds \"%s\", expected \"%s\"", path, buf, want);
}

/* A fixture must still hold its image content (the test consumes it: once per boot). */
static void expect_fixture(const char *path, const char *want)
{
	char buf[256];
	slurp(path, buf, sizeof(buf));
	if (strcmp(buf, want))
		FAIL("%s is not the image's any more (these tests run once per boot)", path);
}

static void put(const char *path, const char *s, int flags)
{
	long fd = tsys_open((long)path, O_WRONLY | flags, 0644);
	CHECK_OK(fd);
	CHECK_EQ(tsys_write(fd, (long)s, (long)strlen(s)), strlen(s));
	CHECK_OK(tsys_close(fd));
}

static void rootfs_append(void)
{
	expect_fixture(FIX "append.txt", "image line\n");
	put(FIX "append.txt", "appended\n", O_APPEND);
	expect_content(FIX "append.txt", "image line\nappended\n");
	struct stat st;
	CHECK_OK(stat(FIX "append.txt", &st));
	CHECK_EQ(st.st_size, 20);
	CHECK_OK(tsys_truncate((long)FIX "append.txt", 0));   /* its pages go back */
}

static void rootfs_overwrite(void)
{
	expect_fixture(FIX "write.txt", "image bytes: 0123456789\n");
	long fd = tsys_open((long)FIX "write.txt", O_RDWR, 0);
	CHECK_OK(fd);
	CHECK_EQ(tsys_pwrite64(fd, (long)"ABC", 3, 13), 3);
	char buf[32] = { 0 };
	CHECK_EQ(tsys_pread64(fd, (long)buf, sizeof(buf) - 1, 0), 24);
	CHECK(strcmp(buf, "image bytes: ABC3456789\n") == 0);
	CHECK_OK(tsys_ftruncate(fd, 0));
	CHECK_OK(tsys_close(fd));
}

static void rootfs_truncate(void)
{
	static char buf[12000];
	char line[40];
	long n = slurp(FIX "trunc.txt", buf, sizeof(buf));
	snprintf(line, sizeof(line), "%05d rootfs truncate fixture line\n", 299);
	if (n != 10500 || strcmp(buf + 10500 - strlen(line), line))
		FAIL(FIX "trunc.txt is not the image's any more (these tests run once per boot)");
	CHECK_OK(tsys_truncate((long)FIX "trunc.txt", 100));   /* copies 100 bytes only */
	CHECK_EQ(slurp(FIX "trunc.txt", buf, sizeof(buf)), 100);
	snprintf(line, sizeof(line), "%05d rootfs truncate fixture line\n", 2);
	CHECK(memcmp(buf + 70, line, 30) == 0);              /* lines of 35 bytes */
	CHECK_OK(tsys_truncate((long)FIX "trunc.txt", 8192));  /* grows with zeros */
	CHECK_EQ(slurp(FIX "trunc.txt", buf, sizeof(buf)), 8192);
	for (int i = 100; i < 8192; i++)
		CHECK_EQ(buf[i], 0);
	CHECK_OK(tsys_truncate((long)FIX "trunc.txt", 0));
	CHECK_EQ(slurp(FIX "trunc.txt", buf, sizeof(buf)), 0);
}

static void rootfs_etc(void)
{
	put("/etc/ut-rootfs.conf", "a=1\n", O_CREAT | O_EXCL);
	put("/etc/ut-rootfs.conf", "b=2\n", O_APPEND);
	expect_content("/etc/ut-rootfs.conf", "a=1\nb=2\n");
	CHECK_OK(tsys_rename((long)"/etc/ut-rootfs.conf", (long)"/etc/ut-rootfs2.conf"));
	CHECK_ERR(tsys_open((long)"/etc/ut-rootfs.conf", O_RDONLY, 0), ENOENT);
	expect_content("/etc/ut-rootfs2.conf", "a=1\nb=2\n");
	CHECK_OK(tsys_unlink((long)"/etc/ut-rootfs2.conf"));
	CHECK_ERR(tsys_unlink((long)"/etc/ut-rootfs2.conf"), ENOENT);
}

/* Every kind of entry in "/" and /bin, then gone again. */
static void rootfs_names(void)
{
	struct stat st;
	char buf[64] = { 0 };
	CHECK_OK(tsys_mkdir((long)"/ut-rootfs", 0755));
	put("/ut-rootfs/f", "file\n", O_CREAT | O_EXCL);
	CHECK_OK(tsys_rename((long)"/ut-rootfs/f", (long)"/bin/ut-rootfs-f"));
	CHECK_OK(tsys_symlink((long)"ut-rootfs-f", (long)"/bin/ut-rootfs-l"));
	CHECK_EQ(tsys_readlink((long)"/bin/ut-rootfs-l", (long)buf, sizeof(buf)), 11);
	expect_content("/bin/ut-rootfs-l", "file\n");
	CHECK_OK(tsys_link((long)"/bin/ut-rootfs-f", (long)"/ut-rootfs/h"));
	CHECK_OK(stat("/ut-rootfs/h", &st));
	CHECK_EQ(st.st_nlink, 2);
	CHECK_OK(tsys_mknod((long)"/ut-rootfs/fifo", S_IFIFO | 0600, 0));
	CHECK_OK(tsys_mknod((long)"/ut-rootfs/null", S_IFCHR | 0666, makedev(1, 3)));
	CHECK_OK(stat("/ut-rootfs/null", &st));
	CHECK_EQ(st.st_rdev, makedev(1, 3));
	put("/ut-rootfs/null", "gone", 0);                 /* a working device node */
	CHECK_ERR(tsys_rmdir((long)"/ut-rootfs"), ENOTEMPTY);
	CHECK_ERR(tsys_rmdir((long)"/bin"), ENOTEMPTY);
	const char *gone[] = { "/bin/ut-rootfs-l", "/bin/ut-rootfs-f", "/ut-rootfs/h",
			       "/ut-rootfs/fifo", "/ut-rootfs/null" };
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		CHECK_OK(tsys_unlink((long)gone[i]));
	CHECK_OK(tsys_rmdir((long)"/ut-rootfs"));
	CHECK_EQ(stat("/ut-rootfs", &st), -1);
}

/* The image's own entries: renamed (costs nothing: the content stays in the image), linked,
 * unlinked. */
static void rootfs_image_entries(void)
{
	struct stat st;
	expect_fixture(FIX "victim.txt", "victim\n");
	CHECK_OK(tsys_rename((long)FIX "ren.txt", (long)"/ut-rootfs-ren"));
	expect_content("/ut-rootfs-ren", "renamed\n");
	CHECK_OK(tsys_link((long)"/ut-rootfs-ren", (long)"/bin/ut-rootfs-ren"));
	CHECK_OK(stat("/bin/ut-rootfs-ren", &st));
	CHECK_EQ(st.st_nlink, 2);
	CHECK_OK(tsys_unlink((long)"/bin/ut-rootfs-ren"));
	CHECK_OK(tsys_rename((long)"/ut-rootfs-ren", (long)FIX "ren.txt"));
	expect_content(FIX "ren.txt", "renamed\n");
	CHECK_OK(tsys_unlink((long)FIX "victim.txt"));
	CHECK_ERR(tsys_open((long)FIX "victim.txt", O_RDONLY, 0), ENOENT);
	/* an empty file in its place: as many files as before for the leak check */
	put(FIX "victim.txt", "", O_CREAT | O_EXCL);
}

static void rootfs_meta(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 0 } };
	CHECK_OK(stat(FIX "mode.txt", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0644);
	uint32_t uid = st.st_uid, gid = st.st_gid;
	long mtime = st.st_mtime;
	CHECK_OK(tsys_chmod((long)FIX "mode.txt", 0600));
	CHECK_OK(tsys_chown((long)FIX "mode.txt", 1000, 1000));
	CHECK_OK(tsys_utimensat(AT_FDCWD, (long)FIX "mode.txt", (long)ts, 0));
	CHECK_OK(stat(FIX "mode.txt", &st));
	CHECK_EQ(st.st_mode, S_IFREG | 0600);
	CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(st.st_gid, 1000);
	CHECK_EQ(st.st_mtime, 1234567890);
	expect_content(FIX "mode.txt", "mode\n");          /* no copy: the leak check sees it */
	ts[1].tv_sec = mtime;
	CHECK_OK(tsys_chown((long)FIX "mode.txt", uid, gid));
	CHECK_OK(tsys_chmod((long)FIX "mode.txt", 0644));
	CHECK_OK(tsys_utimensat(AT_FDCWD, (long)FIX "mode.txt", (long)ts, 0));
}

/* Runs path with stdin and stdout on pipes: the pid; *in and *out the parent's ends. */
static int spawn_piped(const char *path, int *in, int *out)
{
	int pi[2], po[2];
	CHECK_OK(pipe(pi));
	CHECK_OK(pipe(po));
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		dup2(pi[0], 0);
		dup2(po[1], 1);
		close(pi[0]), close(pi[1]), close(po[0]), close(po[1]);
		char *argv[] = { (char *)path, NULL };
		execv(path, argv);
		_exit(127);
	}
	close(pi[0]), close(po[1]);
	*in = pi[1];
	*out = po[0];
	return pid;
}

/* What a program prints until it exits (its exit status must be 0). */
static void run_expect(const char *path, const char *prefix)
{
	int in, out, st;
	char buf[128] = { 0 };
	int pid = spawn_piped(path, &in, &out);
	close(in);
	long got = 0, n;
	while ((n = read(out, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(out);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	if (strncmp(buf, prefix, strlen(prefix)))
		FAIL("%s printed \"%s\"", path, buf);
}

/* A file's content into another file (created or emptied), with mode. */
static void copy_file(const char *from, const char *to, uint32_t mode)
{
	static char buf[65536];
	long src = tsys_open((long)from, O_RDONLY, 0), n;
	long dst = tsys_open((long)to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK_OK(src);
	CHECK_OK(dst);
	while ((n = tsys_read(src, (long)buf, sizeof(buf))) > 0)
		CHECK_EQ(tsys_write(dst, (long)buf, n), n);
	CHECK_OK(n);
	tsys_close(src), tsys_close(dst);
}

static void rootfs_copy_run(void)
{
	copy_file("/bin/hello", "/bin/ut-rootfs-hello", 0755);
	run_expect("/bin/ut-rootfs-hello", "Hello from Tessera!");
	CHECK_OK(tsys_unlink((long)"/bin/ut-rootfs-hello"));
}

/* Whether two files have the same bytes. */
static int same_files(const char *a, const char *b)
{
	static char x[65536], y[65536];
	long fa = tsys_open((long)a, O_RDONLY, 0), fb = tsys_open((long)b, O_RDONLY, 0), n, m;
	CHECK_OK(fa);
	CHECK_OK(fb);
	int same = 1;
	do {
		n = tsys_read(fa, (long)x, sizeof(x));
		m = tsys_read(fb, (long)y, sizeof(y));
		same = n == m && n >= 0 && memcmp(x, y, (size_t)n) == 0;
	} while (same && n > 0);
	tsys_close(fa), tsys_close(fb);
	return same;
}

static void echo_through(int in, int out, const char *s)
{
	char buf[32] = { 0 };
	CHECK_EQ(write(in, s, strlen(s)), strlen(s));
	CHECK_EQ(read(out, buf, sizeof(buf) - 1), strlen(s));
	CHECK(strcmp(buf, s) == 0);
}

/* An image program (a copy of cat) rewritten with hello's bytes while a process runs it: the
 * running cat still copies, a new run is hello. Run twice, so that the program cache has the
 * old content at hand. */
static void rootfs_rewrite_exec(void)
{
	int in, out, st;
	if (!same_files(FIX "prog", "/bin/cat"))
		FAIL(FIX "prog is not the image's any more (these tests run once per boot)");
	int pid = spawn_piped(FIX "prog", &in, &out);
	echo_through(in, out, "first\n");          /* it runs cat's text now */
	copy_file("/bin/hello", FIX "prog", 0);
	CHECK(same_files(FIX "prog", "/bin/hello"));
	run_expect(FIX "prog", "Hello from Tessera!");
	echo_through(in, out, "second\n");         /* the old text goes on working */
	close(in), close(out);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	run_expect(FIX "prog", "Hello from Tessera!");
	CHECK_OK(tsys_truncate((long)FIX "prog", 0));
}

/* A user may not change root's files, entries or attributes (the permission bits hold). */
static void rootfs_user(void)
{
	int pid = fork(), st;
	CHECK_OK(pid);
	if (pid == 0) {
		int step = 1;
		if (tsys_setuid(1000) == 0 && ++step &&
		    tsys_open((long)"/etc/passwd", O_WRONLY, 0) == -EACCES && ++step &&
		    tsys_open((long)"/etc/hosts", O_RDWR | O_APPEND, 0) == -EACCES && ++step &&
		    tsys_truncate((long)"/etc/hosts", 0) == -EACCES && ++step &&
		    tsys_open((long)"/bin/ut-rootfs-x", O_WRONLY | O_CREAT, 0644) == -EACCES && ++step &&
		    tsys_mkdir((long)"/ut-rootfs-x", 0755) == -EACCES && ++step &&
		    tsys_unlink((long)"/bin/sh") == -EACCES && ++step &&
		    tsys_rename((long)"/etc/hosts", (long)"/etc/ut-hosts") == -EACCES && ++step &&
		    tsys_chmod((long)"/etc/passwd", 0666) == -EPERM && ++step &&
		    tsys_symlink((long)"x", (long)"/etc/ut-rootfs-x") == -EACCES)
			_exit(0);
		_exit(step);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	if (st)
		FAIL("the user's refusals stopped at step %d", WEXITSTATUS(st));
}

static void rootfs_statfs(void)
{
	struct statfs root, tmp;
	CHECK_OK(tsys_statfs((long)"/", (long)&root));
	CHECK_OK(tsys_statfs((long)"/tmp", (long)&tmp));
	CHECK_EQ(root.f_flags & 1, 0);                   /* ST_RDONLY */
	CHECK_EQ(root.f_blocks, tmp.f_blocks);             /* the same memory */
	CHECK_EQ(root.f_type, tmp.f_type);
	static char buf[4096];
	slurp("/proc/mounts", buf, sizeof(buf));
	if (!strstr(buf, " / rootfs rw"))
		FAIL("/proc/mounts: %s", buf);
}

/* With memory full, the first write to an image file fails with ENOSPC (as a write to /tmp
 * does) and leaves the file as it was: the copy is all or nothing. */
static void rootfs_enospc(void)
{
	static char chunk[65536];
	struct stat before, after;
	memset(chunk, 'f', sizeof(chunk));
	CHECK_OK(stat("/bin/busybox", &before));
	CHECK(before.st_size > 512 * 1024);
	long fd = tsys_open((long)"/tmp/ut-rootfs-fill", O_RDWR | O_CREAT | O_EXCL, 0600), w;
	CHECK_OK(fd);
	uint64_t size = 0;
	while ((w = tsys_write(fd, (long)chunk, sizeof(chunk))) > 0)
		size += (uint64_t)w;
	CHECK_ERR(w, ENOSPC);
	/* 16 pages free again: far less than busybox's copy needs */
	CHECK_OK(tsys_ftruncate(fd, (long)(size & ~4095ul) - 65536));
	long bb = tsys_open((long)"/bin/busybox", O_WRONLY, 0);
	CHECK_OK(bb);
	CHECK_ERR(tsys_pwrite64(bb, (long)"\x7f", 1, 0), ENOSPC);
	CHECK_ERR(tsys_ftruncate(bb, before.st_size - 1), ENOSPC);
	CHECK_OK(tsys_close(bb));
	CHECK_OK(tsys_close(fd));
	CHECK_OK(tsys_unlink((long)"/tmp/ut-rootfs-fill"));
	CHECK_OK(stat("/bin/busybox", &after));
	CHECK_EQ(after.st_size, before.st_size);
	CHECK_EQ(after.st_mtime, before.st_mtime);
	const char *argv[] = { "busybox", "true", NULL };
	CHECK_EQ(ut_run("/bin/busybox", argv), 0);
}

const struct utest ut_rootfs_tests[] = {
	{ "rootfs_append", rootfs_append },
	{ "rootfs_overwrite", rootfs_overwrite },
	{ "rootfs_truncate", rootfs_truncate },
	{ "rootfs_etc", rootfs_etc },
	{ "rootfs_names", rootfs_names },
	{ "rootfs_image_entries", rootfs_image_entries },
	{ "rootfs_meta", rootfs_meta },
	{ "rootfs_copy_run", rootfs_copy_run },
	{ "rootfs_rewrite_exec", rootfs_rewrite_exec },
	{ "rootfs_user", rootfs_user },
	{ "rootfs_statfs", rootfs_statfs },
	{ "rootfs_enospc", rootfs_enospc },
	{ NULL, NULL },
};
