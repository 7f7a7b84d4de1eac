// HOST-TEST-SOURCES: servers/ext2/bcache.c servers/ext2/super.c servers/ext2/alloc.c servers/ext2/inode.c servers/ext2/bmap.c servers/ext2/dir.c servers/ext2/file.c servers/ext2/namei.c servers/ext2/rename.c tests/host/ext2_util.c tests/host/ext2_tree.c
/* A seeded random workload (create, write at random offsets, sparse writes past the end,
 * truncate up and down, rename with replacement and across directories, unlink, mkdir, rmdir,
 * hard links, symlinks, chmod, chown) applied to the ext2 code and to a host directory, with
 * the same results demanded of both; then e2fsck -fn must be clean and the tree read back
 * after a fresh mount and through debugfs rdump must equal the host directory. */
#define _GNU_SOURCE
#include "tests/host/harness.h"
#include "tests/host/ext2_util.h"
#include "abi/errno.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXP 512

struct work {
	struct ext2_fs *fs;
	char root[300];                 /* the host model */
	uint64_t rng;
	char files[MAXP][256], dirs[MAXP][256], all[MAXP][256];
	int nfiles, ndirs, nall;
	uint64_t big;                   /* largest offset for a sparse write */
	int step, nok, nerr;
	bool ok;
};

static struct work *cur;

static int scan_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag, (void)ftw;
	const char *rel = p + strlen(cur->root);
	if (*rel == '/')
		rel++;
	if (S_ISDIR(st->st_mode) && cur->ndirs < MAXP)
		snprintf(cur->dirs[cur->ndirs++], 256, "%s", rel);
	if (S_ISREG(st->st_mode) && cur->nfiles < MAXP)
		snprintf(cur->files[cur->nfiles++], 256, "%s", rel);
	if (*rel && cur->nall < MAXP)
		snprintf(cur->all[cur->nall++], 256, "%s", rel);
	return 0;
}

static void scan(struct work *w)
{
	cur = w;
	w->nfiles = w->ndirs = w->nall = 0;
	nftw(w->root, scan_one, 16, FTW_PHYS);
}

static const char *pick(struct work *w, char (*v)[256], int n)
{
	return n ? v[e2_rand(&w->rng) % n] : NULL;
}

static void host_path(struct work *w, const char *rel, char *out)
{
	snprintf(out, 600, "%s%s%s", w->root, *rel ? "/" : "", rel);
}

/* A new path: a fresh name in a random directory (or an existing entry's path). */
static void new_path(struct work *w, char *out, bool existing)
{
	const char *e = existing ? pick(w, w->all, w->nall) : NULL;
	if (e) {
		snprintf(out, 256, "%s", e);
		return;
	}
	const char *d = pick(w, w->dirs, w->ndirs);
	snprintf(out, 256, "%s%sn%llu", d, *d ? "/" : "", (unsigned long long)(e2_rand(&w->rng) % 1000));
}

static void agree(struct work *w, const char *op, const char *p, int mine, int host)
{
	int want = host < 0 ? -errno : 0;
	if (want)
		w->nerr++;
	else
		w->nok++;
	if (mine != want) {
		printf("  step %d %s %s: ext2 %d, host %d\n", w->step, op, p, mine, want);
		w->ok = false;
	}
}

static void op_create(struct work *w, bool dir)
{
	char p[256], h[600];
	uint32_t d, ino;
	const char *name;
	new_path(w, p, e2_rand(&w->rng) % 8 == 0);
	host_path(w, p, h);
	uint32_t mode = (dir ? 0700 : 0600) | (uint32_t)(e2_rand(&w->rng) % 0100);
	if (e2_parent(w->fs, p, &d, &name))
		return;
	int mine = ext2_create(w->fs, d, name, strlen(name), (dir ? 040000 : 0100000) | mode, 0, 0,
			       0, &ino);
	int host = dir ? mkdir(h, mode) : open(h, O_CREAT | O_EXCL | O_WRONLY, mode);
	if (!dir && host >= 0)
		host = close(host);
	agree(w, dir ? "mkdir" : "create", p, mine, host);
}

static void op_write(struct work *w, uint8_t *buf)
{
	const char *p = pick(w, w->files, w->nfiles);
	char h[600];
	uint32_t ino;
	if (!p || e2_resolve(w->fs, p, &ino))
		return;
	host_path(w, p, h);
	uint64_t r = e2_rand(&w->rng);
	uint64_t off = r % 16 == 0 ? e2_rand(&w->rng) % w->big : e2_rand(&w->rng) % (400u << 10);
	size_t len = e2_rand(&w->rng) % (r % 4 == 0 ? (64u << 10) : 5000u) + 1;
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = e2_rand(&w->rng);
		memcpy(buf + i, &v, 8);
	}
	size_t done = 0;
	int mine = ext2_write(w->fs, ino, off, buf, len, &done);
	int fd = open(h, O_WRONLY);
	ssize_t n = pwrite(fd, buf, len, (off_t)off);
	close(fd);
	agree(w, "write", p, mine, n == (ssize_t)len ? 0 : -1);
	if (done != len)
		printf("  step %d: short write %zu of %zu\n", w->step, done, len), w->ok = false;
}

static void op_truncate(struct work *w)
{
	const char *p = pick(w, w->files, w->nfiles);
	char h[600];
	uint32_t ino;
	struct stat st;
	if (!p || e2_resolve(w->fs, p, &ino))
		return;
	host_path(w, p, h);
	if (lstat(h, &st))
		return;
	uint64_t size = e2_rand(&w->rng) % ((uint64_t)st.st_size * 2 + 70000);
	struct ext2_setattr sa = { .mask = EXT2_SET_SIZE, .size = size };
	agree(w, "truncate", p, ext2_setattr(w->fs, ino, &sa), truncate(h, (off_t)size));
}

static void op_remove(struct work *w, bool dir)
{
	const char *p = dir ? pick(w, w->dirs, w->ndirs) : pick(w, w->all, w->nall);
	char h[600];
	uint32_t d;
	const char *name;
	if (!p || !*p || e2_parent(w->fs, p, &d, &name))
		return;
	host_path(w, p, h);
	int mine = dir ? ext2_rmdir(w->fs, d, name, strlen(name))
		       : ext2_unlink(w->fs, d, name, strlen(name));
	agree(w, dir ? "rmdir" : "unlink", p, mine, dir ? rmdir(h) : unlink(h));
}

static void op_rename(struct work *w)
{
	const char *s = pick(w, w->all, w->nall);
	char dst[256], hs[600], hd[600];
	uint32_t sd, dd;
	const char *sn, *dn;
	if (!s)
		return;
	char src[256];
	snprintf(src, sizeof(src), "%s", s);
	new_path(w, dst, e2_rand(&w->rng) % 2);
	if (e2_parent(w->fs, src, &sd, &sn) || e2_parent(w->fs, dst, &dd, &dn))
		return;
	host_path(w, src, hs);
	host_path(w, dst, hd);
	int mine = ext2_rename(w->fs, sd, sn, strlen(sn), dd, dn, strlen(dn));
	char what[600];
	snprintf(what, sizeof(what), "%s -> %s", src, dst);
	agree(w, "rename", what, mine, rename(hs, hd));
}

static void op_link(struct work *w, bool sym)
{
	const char *t = pick(w, w->files, w->nfiles);
	char p[256], h[600], target[300];
	uint32_t d, ino, tino;
	const char *name;
	if (!t)
		return;
	new_path(w, p, e2_rand(&w->rng) % 8 == 0);
	if (e2_parent(w->fs, p, &d, &name))
		return;
	host_path(w, p, h);
	if (sym) {
		size_t n = e2_rand(&w->rng) % 3 ? strlen(t) : 61 + e2_rand(&w->rng) % 200;
		snprintf(target, sizeof(target), "%s%0*d", t, (int)(n > strlen(t) ? n - strlen(t) : 0), 0);
		agree(w, "symlink", p, ext2_symlink(w->fs, d, name, strlen(name), target,
						    strlen(target), 0, 0, &ino),
		      symlink(target, h));
		return;
	}
	char ht[600];
	host_path(w, t, ht);
	if (e2_resolve(w->fs, t, &tino))
		return;
	agree(w, "link", p, ext2_link(w->fs, tino, d, name, strlen(name)), link(ht, h));
}

static void op_chattr(struct work *w)
{
	const char *p = pick(w, w->files, w->nfiles);
	char h[600];
	uint32_t ino;
	if (!p || e2_resolve(w->fs, p, &ino))
		return;
	host_path(w, p, h);
	struct ext2_setattr sa = { .mask = EXT2_SET_MODE | EXT2_SET_UID | EXT2_SET_GID };
	sa.mode = (uint32_t)(e2_rand(&w->rng) % 01000);
	sa.uid = (uint32_t)(e2_rand(&w->rng) % 100000);
	sa.gid = (uint32_t)(e2_rand(&w->rng) % 100000);
	int host = chown(h, sa.uid, sa.gid);
	if (host == 0)
		host = chmod(h, sa.mode);
	agree(w, "chattr", p, ext2_setattr(w->fs, ino, &sa), host);
}

static void one_step(struct work *w, uint8_t *buf)
{
	scan(w);
	switch (e2_rand(&w->rng) % 20) {
	case 0: case 1: case 2: op_create(w, false); break;
	case 3: case 4: op_create(w, true); break;
	case 5: case 6: case 7: case 8: case 9: op_write(w, buf); break;
	case 10: case 11: op_truncate(w); break;
	case 12: op_remove(w, true); break;
	case 13: op_remove(w, false); break;
	case 14: case 15: op_rename(w); break;
	case 16: op_link(w, false); break;
	case 17: op_link(w, true); break;
	default: op_chattr(w); break;
	}
}

/* A fresh image and an empty model (with lost+found, as mke2fs makes it). */
static bool work_setup(struct work *w, char *dir, char *img, const char *opts, unsigned mib,
		       uint64_t seed, uint64_t big)
{
	char lf[400];
	memset(w, 0, sizeof(*w));
	e2_tmpdir(dir, 256);
	snprintf(img, 300, "%s/img", dir);
	snprintf(w->root, sizeof(w->root), "%s/model", dir);
	snprintf(lf, sizeof(lf), "%s/lost+found", w->root);
	w->rng = seed * 0x9E3779B97F4A7C15ull + 1;
	w->big = big;
	w->ok = true;
	return e2_mkfs(img, mib, opts) == 0 && mkdir(w->root, 0755) == 0 && mkdir(lf, 0700) == 0;
}

static void work_run(struct work *w, int steps, const char *what)
{
	static uint8_t buf[(64u << 10) + 8];
	for (w->step = 0; w->step < steps && w->ok; w->step++)
		one_step(w, buf);
	CHECK(w->ok);
	printf("  %s: %d operations done, %d refused alike\n", what, w->nok, w->nerr);
	CHECK(w->nok > steps / 2);
}

static void work_done(struct work *w, const char *dir, const char *what)
{
	if (w->ok)
		e2_rm_rf(dir);
	else
		printf("  %s: image and model kept in %s\n", what, dir);
}

static uint32_t work_cache = 64;        /* buffers in the cache of the workload's mount */

static void run_seed(const char *opts, unsigned mib, uint64_t seed, int steps, uint64_t big)
{
	static struct work w;
	char dir[256], img[300], dump[400], cmd[500], what[100];
	struct e2_file_dev d;
	snprintf(what, sizeof(what), "seed %llu %s", (unsigned long long)seed, opts);
	REQUIRE(work_setup(&w, dir, img, opts, mib, seed, big));
	REQUIRE(e2_file_open(&d, img) == 0);
	REQUIRE(e2_mount_cache(&d.dev, false, work_cache, &w.fs) == 0);
	work_run(&w, steps, what);
	w.ok &= CHECK(e2_tree_equal(w.fs, EXT2_ROOT_INO, w.root, true));
	w.ok &= CHECK_EQ(ext2_unmount(w.fs), 0) && CHECK_EQ(e2_fsck(img), 0);
	REQUIRE(e2_mount(&d.dev, true, &w.fs) == 0);
	w.ok &= CHECK(e2_tree_equal(w.fs, EXT2_ROOT_INO, w.root, true));
	CHECK_EQ(ext2_unmount(w.fs), 0);
	e2_file_close(&d);
	snprintf(dump, sizeof(dump), "%s/dump", dir);
	snprintf(cmd, sizeof(cmd), "rdump / %s", dump);
	w.ok &= CHECK(mkdir(dump, 0755) == 0) && CHECK_EQ(e2_debugfs(img, false, cmd, NULL, 0), 0);
	w.ok &= CHECK(e2_host_trees_equal(w.root, dump));
	work_done(&w, dir, what);
}

/* After the workload, a few files are fsynced; then more files are made in a new directory
 * and the machine "crashes": the device holds whatever the cache had written. */
static int crash_after_fsync(struct work *w, uint32_t *inos, char (*paths)[256])
{
	static uint8_t buf[40000];
	uint32_t d, f;
	size_t done;
	int n = 0;
	scan(w);
	for (int i = 0; i < 6 && w->nfiles; i++) {
		const char *p = pick(w, w->files, w->nfiles);
		if (e2_resolve(w->fs, p, &inos[n]) == 0 && CHECK_EQ(ext2_fsync(w->fs, inos[n]), 0))
			snprintf(paths[n++], 256, "%s", p);
	}
	CHECK_EQ(ext2_create(w->fs, EXT2_ROOT_INO, "post", 4, 040755, 0, 0, 0, &d), 0);
	for (int i = 0; i < 30; i++) {
		char name[16];
		snprintf(name, sizeof(name), "p%d", i);
		memset(buf, i, sizeof(buf));
		if (ext2_create(w->fs, d, name, strlen(name), 0644, 0, 0, 0, &f) == 0)
			ext2_write(w->fs, f, (uint64_t)i * 3000, buf, sizeof(buf), &done);
		if (i % 3 == 0)
			ext2_unlink(w->fs, d, name, strlen(name));
	}
	return n;
}

static void run_crash(const char *opts, uint64_t seed)
{
	static struct work w;
	char dir[256], img[300], what[100], host[700];
	char paths[6][256];
	uint32_t inos[6];
	struct e2_mem_dev md;
	struct e2_file_dev d;
	snprintf(what, sizeof(what), "crash seed %llu %s", (unsigned long long)seed, opts);
	REQUIRE(work_setup(&w, dir, img, opts, 16, seed, 4u << 20));
	REQUIRE(e2_mem_load(&md, img) == 0);
	REQUIRE(e2_mount_cache(&md.dev, false, 24, &w.fs) == 0);
	work_run(&w, 200, what);
	int n = crash_after_fsync(&w, inos, paths);
	REQUIRE(e2_file_open(&d, img) == 0);
	REQUIRE(pwrite(d.fd, md.data, md.size, 0) == (ssize_t)md.size);
	ext2_unmount(w.fs);             /* into the memory copy, after the "crash" */
	e2_mem_free(&md);
	int rc = e2_fsck_fix(img);
	w.ok &= CHECK(rc == 0 || rc == 1) && CHECK_EQ(e2_fsck(img), 0);
	REQUIRE(e2_mount(&d.dev, false, &w.fs) == 0);
	for (int i = 0; i < n; i++) {
		uint32_t ino;
		snprintf(host, sizeof(host), "%s/%s", w.root, paths[i]);
		w.ok &= CHECK_EQ(e2_resolve(w.fs, paths[i], &ino), 0) && CHECK_EQ(ino, inos[i]) &&
			CHECK(e2_file_equal(w.fs, ino, host));
	}
	printf("  %s: e2fsck -fy exit %d, %d fsynced files intact\n", what, rc, n);
	CHECK_EQ(ext2_unmount(w.fs), 0);
	e2_file_close(&d);
	w.ok &= CHECK_EQ(e2_fsck(img), 0);
	work_done(&w, dir, what);
}

TEST(ext2_work_1k_i128)
{
	if (!e2_tools_present("ext2_work_1k_i128"))
		return;
	umask(0);
	for (uint64_t seed = 1; seed <= 3; seed++)
		run_seed("-b 1024 -I 128", 32, seed, 400, 20u << 20);
}

TEST(ext2_work_1k_i256)
{
	if (!e2_tools_present("ext2_work_1k_i256"))
		return;
	umask(0);
	for (uint64_t seed = 11; seed <= 12; seed++)
		run_seed("-b 1024 -I 256", 32, seed, 400, 20u << 20);
}

TEST(ext2_work_4k)
{
	if (!e2_tools_present("ext2_work_4k"))
		return;
	umask(0);
	for (uint64_t seed = 21; seed <= 23; seed++)
		run_seed(seed % 2 ? "-b 4096 -I 256 -g 4096" : "-b 4096 -I 128", 64, seed, 400,
			 24u << 20);
}

TEST(ext2_work_2k)
{
	if (!e2_tools_present("ext2_work_2k"))
		return;
	umask(0);
	run_seed("-b 2048 -I 256", 32, 31, 400, 20u << 20);
}

/* Revision 0: 128-byte inodes, no filetype in directory entries, a superblock in every group. */
TEST(ext2_work_rev0)
{
	if (!e2_tools_present("ext2_work_rev0"))
		return;
	umask(0);
	run_seed("-r 0 -b 1024", 32, 61, 300, 20u << 20);
}

TEST(ext2_crash_fsync)
{
	if (!e2_tools_present("ext2_crash_fsync"))
		return;
	umask(0);
	for (uint64_t seed = 41; seed <= 44; seed++)
		run_crash(seed % 2 ? "-b 1024" : "-b 4096", seed);
}

/* The smallest cache: every operation evicts, with indirect blocks pinned across evictions. */
TEST(ext2_work_small_cache)
{
	if (!e2_tools_present("ext2_work_small_cache"))
		return;
	umask(0);
	work_cache = 16;
	run_seed("-b 1024 -I 128", 32, 51, 300, 80u << 20);
	work_cache = 64;
}
