// HOST-TEST-SOURCES: servers/ext2/bcache.c servers/ext2/super.c servers/ext2/alloc.c servers/ext2/inode.c servers/ext2/bmap.c servers/ext2/dir.c servers/ext2/file.c servers/ext2/namei.c servers/ext2/rename.c tests/host/ext2_util.c tests/host/ext2_tree.c
/* Host tests of the ext2 code against images made by mke2fs and checked by e2fsck and
 * debugfs: basic operations, files written by debugfs, huge sparse files (triple indirect),
 * POSIX rename/rmdir rules, feature refusal, the clean state, open unlinked files. */
#define _GNU_SOURCE
#include "tests/host/harness.h"
#include "tests/host/ext2_util.h"
#include "servers/ext2/ext2_fmt.h"
#include "abi/errno.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S(x) x, strlen(x)

static void fill_pattern(uint8_t *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		if (i % 8 == 0)
			e2_rand(&seed);
		p[i] = (uint8_t)(seed >> (i % 8 * 8));
	}
}

static void basic_for(const char *opts)
{
	char dir[256], img[300], out[4096];
	e2_tmpdir(dir, sizeof(dir));
	snprintf(img, sizeof(img), "%s/img", dir);
	REQUIRE(e2_mkfs(img, 16, opts) == 0);
	struct e2_file_dev d;
	struct ext2_fs *fs;
	REQUIRE(e2_file_open(&d, img) == 0);
	REQUIRE(e2_mount(&d.dev, false, &fs) == 0);
	uint32_t a, f, g, l;
	CHECK_EQ(ext2_create(fs, EXT2_ROOT_INO, S("a"), 040750, 0, 1, 2, &a), 0);
	CHECK_EQ(ext2_create(fs, a, S("f"), 0644, 0, 1000, 70000, &f), 0);
	CHECK_EQ(ext2_create(fs, a, S("f"), 0644, 0, 0, 0, &g), -EEXIST);
	static uint8_t buf[300000], back[300000];
	fill_pattern(buf, sizeof(buf), 7);
	size_t done;
	CHECK_EQ(ext2_write(fs, f, 0, buf, sizeof(buf), &done), 0);
	CHECK_EQ(done, sizeof(buf));
	CHECK_EQ(ext2_read(fs, f, 0, back, sizeof(back), &done), 0);
	CHECK(done == sizeof(buf) && memcmp(buf, back, done) == 0);
	CHECK_EQ(ext2_symlink(fs, a, S("short"), S("f"), 0, 0, &l), 0);
	char target[200];
	memset(target, 'x', sizeof(target));
	CHECK_EQ(ext2_symlink(fs, a, S("long"), target, sizeof(target), 0, 0, &l), 0);
	CHECK_EQ(ext2_link(fs, f, EXT2_ROOT_INO, S("hard")), 0);
	CHECK_EQ(ext2_create(fs, a, S("fifo"), 010640, 0, 0, 0, &g), 0);
	CHECK_EQ(ext2_create(fs, a, S("sock"), 0140600, 0, 0, 0, &g), 0);
	/* device nodes: 1:3 in the old encoding (i_block[0] = 0x103, which unlinking must not
	 * take for a block), 259:70000 in the new one (i_block[1]), as Linux keeps them */
	struct ext2_attr at;
	uint32_t big = (70000u & 0xff) | (259u << 8) | ((70000u & 0xfff00) << 12);
	CHECK_EQ(ext2_create(fs, a, S("chr"), 020600, 0x103, 0, 0, &g), 0);
	CHECK_EQ(ext2_getattr(fs, g, &at), 0);
	CHECK(at.rdev == 0x103 && at.mode == 020600 && at.size == 0 && at.blocks == 0);
	CHECK_EQ(ext2_create(fs, a, S("blk"), 060640, big, 0, 0, &g), 0);
	CHECK_EQ(ext2_getattr(fs, g, &at), 0);
	CHECK(at.rdev == big && at.mode == 060640);
	CHECK_EQ(ext2_create(fs, a, S("chr2"), 020600, 0x103, 0, 0, &g), 0);
	CHECK_EQ(ext2_unlink(fs, a, S("chr2")), 0);
	CHECK_EQ(ext2_unlink(fs, a, S("sock")), 0);
	CHECK_EQ(ext2_getattr(fs, f, &at), 0);
	CHECK(at.nlink == 2 && at.uid == 1000 && at.gid == 70000 && at.mode == 0100644);
	CHECK_EQ(ext2_getattr(fs, EXT2_ROOT_INO, &at), 0);
	CHECK_EQ(at.nlink, 4);          /* ., .., lost+found/.., a/.. */
	CHECK_EQ(ext2_unmount(fs), 0);
	e2_file_close(&d);
	CHECK_EQ(e2_fsck(img), 0);
	CHECK_EQ(e2_debugfs(img, false, "cat /hard", (char *)back, sizeof(back)), 0);
	CHECK(memcmp(buf, back, sizeof(back) - 1) == 0);
	CHECK_EQ(e2_debugfs(img, false, "stat /a/f", out, sizeof(out)), 0);
	CHECK(strstr(out, "Links: 2") && strstr(out, "Size: 300000") && strstr(out, "User:  1000"));
	CHECK_EQ(e2_debugfs(img, false, "stat /a/long", out, sizeof(out)), 0);
	CHECK(strstr(out, "Size: 200") != NULL);
	CHECK_EQ(e2_debugfs(img, false, "stat /a/fifo", out, sizeof(out)), 0);
	CHECK(strstr(out, "Type: FIFO") && strstr(out, "Mode:  0640"));
	CHECK_EQ(e2_debugfs(img, false, "stat /a/chr", out, sizeof(out)), 0);
	CHECK(strstr(out, "Type: character special") &&
	      strstr(out, "Device major/minor number: 01:03 (hex 01:03)"));
	CHECK_EQ(e2_debugfs(img, false, "stat /a/blk", out, sizeof(out)), 0);
	CHECK(strstr(out, "Type: block special") &&
	      strstr(out, "(New-style) Device major/minor number: 259:70000"));
	CHECK_EQ(ext2_ft_to_dt(EXT2_FT_DIR), 4);
	CHECK_EQ(ext2_ft_to_dt(EXT2_FT_LNK), 10);
	e2_rm_rf(dir);
}

TEST(ext2_basic_1k)
{
	if (e2_tools_present("ext2_basic_1k"))
		basic_for("-b 1024 -I 128");
}

TEST(ext2_basic_4k)
{
	if (e2_tools_present("ext2_basic_4k"))
		basic_for("-b 4096 -I 256");
}

struct img {
	char dir[256], path[300];
	struct e2_file_dev d;
	struct ext2_fs *fs;
};

static bool img_make(struct img *m, unsigned mib, const char *opts)
{
	e2_tmpdir(m->dir, sizeof(m->dir));
	snprintf(m->path, sizeof(m->path), "%s/img", m->dir);
	return e2_mkfs(m->path, mib, opts) == 0 && e2_file_open(&m->d, m->path) == 0 &&
	       e2_mount(&m->d.dev, false, &m->fs) == 0;
}

/* Unmounts, checks with e2fsck and mounts again. */
static bool img_cycle(struct img *m)
{
	return ext2_unmount(m->fs) == 0 && CHECK_EQ(e2_fsck(m->path), 0) &&
	       e2_mount(&m->d.dev, false, &m->fs) == 0;
}

static void img_done(struct img *m)
{
	CHECK_EQ(ext2_unmount(m->fs), 0);
	e2_file_close(&m->d);
	CHECK_EQ(e2_fsck(m->path), 0);
	e2_rm_rf(m->dir);
}

static bool pattern_at(struct ext2_fs *fs, uint32_t ino, uint64_t off, size_t n, uint64_t seed)
{
	static uint8_t want[8192], got[8192];
	size_t done;
	fill_pattern(want, n, seed);
	return ext2_read(fs, ino, off, got, n, &done) == 0 && done == n && !memcmp(want, got, n);
}

static bool zeros_at(struct ext2_fs *fs, uint32_t ino, uint64_t off, size_t n)
{
	static uint8_t got[8192];
	size_t done;
	if (ext2_read(fs, ino, off, got, n, &done) || done != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (got[i])
			return false;
	return true;
}

static void big_sparse(const char *opts, const uint64_t *offs, int n)
{
	struct img m;
	uint32_t f;
	static uint8_t buf[4096];
	struct ext2_statfs before, after;
	char out[4096], want[64];
	REQUIRE(img_make(&m, 16, opts));
	ext2_statfs(m.fs, &before);
	REQUIRE(ext2_create(m.fs, EXT2_ROOT_INO, S("big"), 0644, 0, 0, 0, &f) == 0);
	for (int i = 0; i < n; i++) {
		size_t done;
		fill_pattern(buf, sizeof(buf), (uint64_t)i + 1);
		CHECK_EQ(ext2_write(m.fs, f, offs[i], buf, sizeof(buf), &done), 0);
	}
	uint64_t size = offs[n - 1] + sizeof(buf);
	REQUIRE(img_cycle(&m));
	ext2_unmount(m.fs);
	snprintf(want, sizeof(want), "Size: %llu", (unsigned long long)size);
	CHECK_EQ(e2_debugfs(m.path, false, "stat /big", out, sizeof(out)), 0);
	CHECK(strstr(out, want) != NULL);
	REQUIRE(e2_mount(&m.d.dev, false, &m.fs) == 0);
	for (int i = 0; i < n; i++) {
		CHECK(pattern_at(m.fs, f, offs[i], sizeof(buf), (uint64_t)i + 1));
		CHECK(zeros_at(m.fs, f, offs[i] - 3000, 3000));
	}
	struct ext2_setattr sa = { .mask = EXT2_SET_SIZE, .size = offs[n - 1] - 1 };
	CHECK_EQ(ext2_setattr(m.fs, f, &sa), 0);
	REQUIRE(img_cycle(&m));
	CHECK(pattern_at(m.fs, f, offs[n - 2], sizeof(buf), (uint64_t)n - 1));
	sa.size = 0;
	CHECK_EQ(ext2_setattr(m.fs, f, &sa), 0);
	ext2_statfs(m.fs, &after);
	CHECK_EQ(after.bfree, before.bfree);
	img_done(&m);
}

TEST(ext2_big_sparse_1k)
{
	static const uint64_t offs[] = { 5000, 100000, 300000, 40u << 20, 70u << 20, 100u << 20 };
	if (e2_tools_present("ext2_big_sparse_1k"))
		big_sparse("-b 1024", offs, 6);
}

TEST(ext2_big_sparse_4k)
{
	static const uint64_t offs[] = { 5000, 1u << 20, 6u << 20, 3ull << 30, 5ull << 30 };
	if (e2_tools_present("ext2_big_sparse_4k"))
		big_sparse("-b 4096", offs, 5);
}

TEST(ext2_enospc)
{
	struct img m;
	uint32_t f, d;
	static uint8_t buf[65536];
	struct ext2_statfs st0, st;
	if (!e2_tools_present("ext2_enospc") || !CHECK(img_make(&m, 2, "-b 1024 -N 64")))
		return;
	ext2_statfs(m.fs, &st0);
	REQUIRE(ext2_create(m.fs, EXT2_ROOT_INO, S("fill"), 0644, 0, 0, 0, &f) == 0);
	uint64_t off = 0;
	int r = 0;
	while (r == 0) {
		size_t done = 0;
		r = ext2_write(m.fs, f, off, buf, sizeof(buf), &done);
		off += done;
		if (r == 0 && done < sizeof(buf))
			r = ext2_write(m.fs, f, off, buf, 1, &done);
	}
	CHECK_EQ(r, -ENOSPC);
	ext2_statfs(m.fs, &st);
	CHECK_EQ(st.bfree, 0);
	int dirs = 0;
	char name[16];
	for (r = 0; r == 0 && dirs < 200; dirs++) {
		snprintf(name, sizeof(name), "d%d", dirs);
		r = ext2_create(m.fs, EXT2_ROOT_INO, S(name), 040755, 0, 0, 0, &d);
	}
	CHECK_EQ(r, -ENOSPC);
	REQUIRE(img_cycle(&m));
	CHECK_EQ(ext2_unlink(m.fs, EXT2_ROOT_INO, S("fill")), 0);
	int files = 0;
	for (r = 0; r == 0 && files < 200; files++) {
		snprintf(name, sizeof(name), "f%d", files);
		r = ext2_create(m.fs, EXT2_ROOT_INO, S(name), 0644, 0, 0, 0, &d);
	}
	CHECK_EQ(r, -ENOSPC);
	ext2_statfs(m.fs, &st);
	CHECK_EQ(st.ffree, 0);
	CHECK_EQ(files - 1, st0.ffree);
	REQUIRE(img_cycle(&m));
	for (int i = 0; i < files - 1; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		CHECK_EQ(ext2_unlink(m.fs, EXT2_ROOT_INO, S(name)), 0);
	}
	ext2_statfs(m.fs, &st);
	CHECK_EQ(st.ffree, st0.ffree);
	img_done(&m);
}

TEST(ext2_debugfs_written)
{
	struct img m;
	static uint8_t buf[300000], back[300000];
	static const size_t sizes[] = { 0, 1, 4095, 5000, 300000 };
	char host[400], cmd[600];
	if (!e2_tools_present("ext2_debugfs_written") || !CHECK(img_make(&m, 8, "-b 1024")))
		return;
	ext2_unmount(m.fs);
	CHECK_EQ(e2_debugfs(m.path, true, "mkdir d", NULL, 0), 0);
	for (int i = 0; i < 5; i++) {
		snprintf(host, sizeof(host), "%s/h%d", m.dir, i);
		fill_pattern(buf, sizes[i], (uint64_t)i + 50);
		FILE *fp = fopen(host, "w");
		REQUIRE(fp && fwrite(buf, 1, sizes[i], fp) == sizes[i] && fclose(fp) == 0);
		snprintf(cmd, sizeof(cmd), "write %s d/f%d", host, i);
		CHECK_EQ(e2_debugfs(m.path, true, cmd, NULL, 0), 0);
	}
	CHECK_EQ(e2_debugfs(m.path, true, "symlink d/l /some/where/else", NULL, 0), 0);
	/* device nodes as debugfs makes them (in "/": its mknod takes a name, not a path), one
	 * of them new-style (i_block[1]) and one with junk in i_block[0], of which Linux reads
	 * the low 16 bits (old_decode_dev) */
	CHECK_EQ(e2_debugfs(m.path, true, "mknod c c 1 3", NULL, 0), 0);
	CHECK_EQ(e2_debugfs(m.path, true, "mknod b b 8 0", NULL, 0), 0);
	CHECK_EQ(e2_debugfs(m.path, true, "sif b block[0] 0", NULL, 0), 0);
	CHECK_EQ(e2_debugfs(m.path, true, "sif b block[1] 0x11110300", NULL, 0), 0);
	CHECK_EQ(e2_debugfs(m.path, true, "mknod j c 8 1", NULL, 0), 0);
	CHECK_EQ(e2_debugfs(m.path, true, "sif j block[0] 0xdeadbeef", NULL, 0), 0);
	REQUIRE(e2_mount(&m.d.dev, false, &m.fs) == 0);
	struct ext2_attr at;
	static const char *const nodes[] = { "c", "b", "j" };
	static const uint32_t rdevs[] = { 0x103, 0x11110300, 0xbeef };
	for (int i = 0; i < 3; i++) {
		uint32_t ino;
		CHECK_EQ(e2_resolve(m.fs, nodes[i], &ino), 0);
		CHECK_EQ(ext2_getattr(m.fs, ino, &at), 0);
		CHECK_EQ(at.rdev, rdevs[i]);
	}
	/* unlinking the one with junk frees no block of it */
	CHECK_EQ(ext2_unlink(m.fs, EXT2_ROOT_INO, S("j")), 0);
	for (int i = 0; i < 5; i++) {
		char p[16];
		uint32_t ino;
		size_t done = 1;
		snprintf(p, sizeof(p), "d/f%d", i);
		fill_pattern(buf, sizes[i], (uint64_t)i + 50);
		CHECK_EQ(e2_resolve(m.fs, p, &ino), 0);
		CHECK_EQ(ext2_read(m.fs, ino, 0, back, sizeof(back), &done), 0);
		CHECK(done == sizes[i] && memcmp(buf, back, done) == 0);
	}
	uint32_t l;
	char t[64];
	size_t n;
	CHECK_EQ(e2_resolve(m.fs, "d/l", &l), 0);
	CHECK_EQ(ext2_readlink(m.fs, l, t, sizeof(t), &n), 0);
	CHECK(n == 16 && memcmp(t, "/some/where/else", 16) == 0);
	img_done(&m);
}

TEST(ext2_posix_errors)
{
	struct img m;
	uint32_t a, b, f;
	if (!e2_tools_present("ext2_posix_errors") || !CHECK(img_make(&m, 4, "-b 1024")))
		return;
	REQUIRE(ext2_create(m.fs, EXT2_ROOT_INO, S("a"), 040755, 0, 0, 0, &a) == 0);
	REQUIRE(ext2_create(m.fs, a, S("b"), 040755, 0, 0, 0, &b) == 0);
	REQUIRE(ext2_create(m.fs, a, S("f"), 0644, 0, 0, 0, &f) == 0);
	CHECK_EQ(ext2_rmdir(m.fs, EXT2_ROOT_INO, S("a")), -ENOTEMPTY);
	CHECK_EQ(ext2_rmdir(m.fs, a, S(".")), -EINVAL);
	CHECK_EQ(ext2_rmdir(m.fs, a, S("f")), -ENOTDIR);
	CHECK_EQ(ext2_unlink(m.fs, a, S("b")), -EISDIR);
	CHECK_EQ(ext2_link(m.fs, b, EXT2_ROOT_INO, S("x")), -EPERM);
	CHECK_EQ(ext2_rename(m.fs, EXT2_ROOT_INO, S("a"), b, S("z")), -EINVAL);
	CHECK_EQ(ext2_rename(m.fs, a, S("f"), a, S("b")), -EISDIR);
	CHECK_EQ(ext2_rename(m.fs, a, S("b"), a, S("f")), -ENOTDIR);
	CHECK_EQ(ext2_lookup(m.fs, f, S("x"), &b), -ENOTDIR);
	CHECK_EQ(ext2_create(m.fs, a, "x/y", 3, 0644, 0, 0, 0, &b), -EINVAL);
	char longname[300];
	memset(longname, 'n', sizeof(longname));
	CHECK_EQ(ext2_create(m.fs, a, longname, 256, 0644, 0, 0, 0, &b), -ENAMETOOLONG);
	CHECK_EQ(ext2_create(m.fs, a, longname, 255, 0644, 0, 0, 0, &b), 0);
	struct ext2_setattr sa = { .mask = EXT2_SET_SIZE, .size = 10 };
	CHECK_EQ(ext2_setattr(m.fs, a, &sa), -EISDIR);
	sa = (struct ext2_setattr){ .mask = EXT2_SET_ATIME | EXT2_SET_MTIME, .atime = 5, .mtime = 7 };
	CHECK_EQ(ext2_setattr(m.fs, f, &sa), 0);
	struct ext2_attr at;
	CHECK_EQ(ext2_getattr(m.fs, f, &at), 0);
	CHECK(at.atime == 5 && at.mtime == 7 && at.ctime == e2_now(NULL));
	/* a write moves mtime and ctime; a read moves an atime older than them (relatime) */
	size_t done;
	e2_clock += 100;
	CHECK_EQ(ext2_write(m.fs, f, 0, "x", 1, &done), 0);
	CHECK_EQ(ext2_getattr(m.fs, f, &at), 0);
	CHECK(at.mtime == e2_clock && at.ctime == e2_clock && at.atime == 5);
	char c;
	CHECK_EQ(ext2_read(m.fs, f, 0, &c, 1, &done), 0);
	CHECK_EQ(ext2_getattr(m.fs, f, &at), 0);
	CHECK(at.atime == e2_clock && c == 'x');
	e2_clock += 10;                 /* atime == mtime still counts as older, as on Linux */
	CHECK_EQ(ext2_read(m.fs, f, 0, &c, 1, &done), 0);
	e2_clock += 10;
	CHECK_EQ(ext2_read(m.fs, f, 0, &c, 1, &done), 0);
	CHECK_EQ(ext2_getattr(m.fs, f, &at), 0);
	CHECK_EQ(at.atime, e2_clock - 10);
	uint32_t gen = at.generation;
	CHECK_EQ(ext2_unlink(m.fs, a, S("f")), 0);
	e2_clock += 1;
	CHECK_EQ(ext2_create(m.fs, a, S("f2"), 0644, 0, 0, 0, &b), 0);
	CHECK_EQ(b, f);                 /* the number is reused, the generation is not */
	CHECK_EQ(ext2_getattr(m.fs, b, &at), 0);
	CHECK(at.generation != gen);
	CHECK_EQ(ext2_getattr(m.fs, a, &at), 0);
	CHECK_EQ(at.mtime, e2_clock);
	/* a directory moved over an empty one: link counts of both parents stay right */
	REQUIRE(ext2_create(m.fs, EXT2_ROOT_INO, S("e"), 040755, 0, 0, 0, &b) == 0);
	CHECK_EQ(ext2_rename(m.fs, a, S("b"), EXT2_ROOT_INO, S("e")), 0);
	CHECK_EQ(ext2_getattr(m.fs, a, &at), 0);
	CHECK_EQ(at.nlink, 2);
	CHECK_EQ(ext2_getattr(m.fs, EXT2_ROOT_INO, &at), 0);
	CHECK_EQ(at.nlink, 5);
	img_done(&m);
}

TEST(ext2_open_unlinked)
{
	struct img m;
	uint32_t f, g;
	static uint8_t buf[100000];
	struct ext2_statfs st0, st;
	size_t done;
	if (!e2_tools_present("ext2_open_unlinked") || !CHECK(img_make(&m, 4, "-b 1024")))
		return;
	ext2_statfs(m.fs, &st0);
	REQUIRE(ext2_create(m.fs, EXT2_ROOT_INO, S("f"), 0644, 0, 0, 0, &f) == 0);
	REQUIRE(ext2_create(m.fs, EXT2_ROOT_INO, S("g"), 0644, 0, 0, 0, &g) == 0);
	fill_pattern(buf, sizeof(buf), 3);
	CHECK_EQ(ext2_write(m.fs, f, 0, buf, sizeof(buf), &done), 0);
	CHECK_EQ(ext2_write(m.fs, g, 0, buf, sizeof(buf), &done), 0);
	CHECK_EQ(ext2_open(m.fs, f), 0);
	CHECK_EQ(ext2_open(m.fs, g), 0);
	CHECK_EQ(ext2_unlink(m.fs, EXT2_ROOT_INO, S("f")), 0);
	CHECK_EQ(ext2_unlink(m.fs, EXT2_ROOT_INO, S("g")), 0);
	CHECK(pattern_at(m.fs, f, 0, 4096, 3));
	ext2_statfs(m.fs, &st);
	CHECK(st.bfree < st0.bfree - 150);
	CHECK_EQ(ext2_close(m.fs, f), 0);
	CHECK_EQ(ext2_close(m.fs, f), -EINVAL);
	/* stale and reserved numbers are refused, not used */
	struct ext2_attr at;
	CHECK_EQ(ext2_read(m.fs, f, 0, buf, 10, &done), -ENOENT);
	CHECK_EQ(ext2_write(m.fs, f, 0, buf, 10, &done), -ENOENT);
	CHECK_EQ(ext2_getattr(m.fs, f, &at), -ENOENT);
	CHECK_EQ(ext2_getattr(m.fs, 7, &at), -ENOENT);         /* the resize inode */
	CHECK_EQ(ext2_write(m.fs, 7, 0, buf, 10, &done), -ENOENT);
	CHECK_EQ(ext2_getattr(m.fs, 0, &at), -ENOENT);
	CHECK_EQ(ext2_getattr(m.fs, 1u << 30, &at), -ENOENT);
	ext2_statfs(m.fs, &st);
	CHECK(st.bfree < st0.bfree - 50 && st.bfree > st0.bfree - 150);
	img_done(&m);                   /* g is released by the unmount */
}

TEST(ext2_features_and_state)
{
	struct img m;
	struct e2_mem_dev md;
	struct ext2_fs *fs;
	uint32_t ino;
	struct ext2_super sb;
	if (!e2_tools_present("ext2_features_and_state") || !CHECK(img_make(&m, 4, "-b 4096")))
		return;
	REQUIRE(pread(m.d.fd, &sb, sizeof(sb), 1024) == sizeof(sb));
	CHECK_EQ(sb.s_state & EXT2_VALID_FS, 0);        /* mounted: not clean on disk */
	uint16_t count = sb.s_mnt_count;
	CHECK_EQ(ext2_unmount(m.fs), 0);
	REQUIRE(pread(m.d.fd, &sb, sizeof(sb), 1024) == sizeof(sb));
	CHECK_EQ(sb.s_state & EXT2_VALID_FS, EXT2_VALID_FS);
	CHECK_EQ(sb.s_mnt_count, count);
	REQUIRE(e2_mem_load(&md, m.path) == 0);
	struct ext2_super *s = (struct ext2_super *)(md.data + 1024);
	s->s_feature_incompat |= 0x40;          /* extents */
	CHECK_EQ(e2_mount(&md.dev, false, &fs), -EINVAL);
	s->s_feature_incompat &= ~0x40u;
	s->s_feature_ro_compat |= 0x400;        /* metadata_csum */
	REQUIRE(e2_mount(&md.dev, false, &fs) == 0);
	CHECK(ext2_is_read_only(fs));
	CHECK_EQ(ext2_lookup(fs, EXT2_ROOT_INO, S("lost+found"), &ino), 0);
	CHECK_EQ(ext2_create(fs, EXT2_ROOT_INO, S("x"), 0644, 0, 0, 0, &ino), -EROFS);
	CHECK_EQ(ext2_unmount(fs), 0);
	s->s_magic = 0;
	CHECK_EQ(e2_mount(&md.dev, false, &fs), -EINVAL);
	e2_mem_free(&md);
	e2_file_close(&m.d);
	CHECK_EQ(e2_fsck(m.path), 0);
	e2_rm_rf(m.dir);
}

/* Directories indexed by e2fsck -D (dir_index's htree) are read linearly and lose their index
 * flag when changed; e2fsck then finds them consistent. */
TEST(ext2_htree_dirs)
{
	struct img m;
	uint32_t d, f;
	char name[64], cmd[400];
	if (!e2_tools_present("ext2_htree_dirs") || !CHECK(img_make(&m, 8, "-b 1024")))
		return;
	REQUIRE(ext2_create(m.fs, EXT2_ROOT_INO, S("big"), 040755, 0, 0, 0, &d) == 0);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "entry-number-%d-with-some-length", i);
		CHECK_EQ(ext2_create(m.fs, d, S(name), 0644, 0, 0, 0, &f), 0);
	}
	ext2_unmount(m.fs);
	snprintf(cmd, sizeof(cmd), E2_TOOL_DIR "/e2fsck -fyD '%s' >/dev/null 2>&1", m.path);
	CHECK(system(cmd) != -1);
	char out[4096];
	CHECK_EQ(e2_debugfs(m.path, false, "stat /big", out, sizeof(out)), 0);
	CHECK(strstr(out, "Flags: 0x1000") != NULL);    /* indexed now */
	REQUIRE(e2_mount(&m.d.dev, false, &m.fs) == 0);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "entry-number-%d-with-some-length", i);
		CHECK_EQ(ext2_lookup(m.fs, d, S(name), &f), 0);
		if (i % 3 == 0)
			CHECK_EQ(ext2_unlink(m.fs, d, S(name)), 0);
	}
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "later-%d", i);
		CHECK_EQ(ext2_create(m.fs, d, S(name), 0644, 0, 0, 0, &f), 0);
	}
	ext2_unmount(m.fs);
	e2_file_close(&m.d);
	CHECK_EQ(e2_fsck(m.path), 0);
	CHECK_EQ(e2_debugfs(m.path, false, "stat /big", out, sizeof(out)), 0);
	CHECK(strstr(out, "Flags: 0x0") != NULL);
	e2_rm_rf(m.dir);
}

/* Sequential I/O reaches the device in runs: 16 MiB written in 64 KiB pieces through a
 * 64-buffer cache, then read back cold in 4 KiB pieces, in far fewer requests than blocks. */
TEST(ext2_io_batching)
{
	struct img m;
	uint32_t f;
	static uint8_t buf[65536];
	size_t done;
	if (!e2_tools_present("ext2_io_batching") || !CHECK(img_make(&m, 64, "-b 4096")))
		return;
	REQUIRE(ext2_create(m.fs, EXT2_ROOT_INO, S("seq"), 0644, 0, 0, 0, &f) == 0);
	uint64_t w0 = m.d.writes;
	for (uint64_t off = 0; off < (16u << 20); off += sizeof(buf)) {
		fill_pattern(buf, sizeof(buf), off);
		CHECK_EQ(ext2_write(m.fs, f, off, buf, sizeof(buf), &done), 0);
	}
	CHECK_EQ(ext2_fsync(m.fs, f), 0);
	uint64_t writes = m.d.writes - w0;
	ext2_unmount(m.fs);
	REQUIRE(e2_mount(&m.d.dev, false, &m.fs) == 0);
	uint64_t r0 = m.d.reads;
	bool same = true;
	for (uint64_t off = 0; off < (16u << 20); off += 4096) {
		static uint8_t want[65536];
		if (off % sizeof(want) == 0)
			fill_pattern(want, sizeof(want), off);
		same = same && ext2_read(m.fs, f, off, buf, 4096, &done) == 0 && done == 4096 &&
		       memcmp(buf, want + off % sizeof(want), 4096) == 0;
	}
	CHECK(same);
	uint64_t reads = m.d.reads - r0;
	printf("  16 MiB, 4096 blocks: %llu device writes, %llu device reads\n",
	       (unsigned long long)writes, (unsigned long long)reads);
	CHECK(writes < 300);
	CHECK(reads < 300);
	img_done(&m);
}
