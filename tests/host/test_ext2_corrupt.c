// HOST-TEST-SOURCES: servers/ext2/bcache.c servers/ext2/super.c servers/ext2/alloc.c servers/ext2/inode.c servers/ext2/bmap.c servers/ext2/dir.c servers/ext2/file.c servers/ext2/namei.c servers/ext2/rename.c tests/host/ext2_util.c tests/host/ext2_tree.c
/* Corrupted images: seeded random bytes in the superblock, the group descriptors, an inode
 * table block, a directory block, an indirect block, or anywhere in the first 512 KiB of a
 * populated image. Mount must refuse
 * or every operation must return (an error or not): no crash, no hang (an alarm ends a hung
 * run), no sanitizer report. EXT2_CORRUPT_SEEDS=N in the environment runs N seeds. */
#define _GNU_SOURCE
#include "tests/host/harness.h"
#include "tests/host/ext2_util.h"
#include "servers/ext2/ext2_int.h"
#include "abi/errno.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S(x) x, strlen(x)

enum { R_SUPER, R_GDT, R_ITABLE, R_DIR, R_INDIRECT, R_ANY, R_COUNT };

struct pristine {
	struct e2_mem_dev dev;
	uint64_t region[R_COUNT];       /* byte offset of each region in the image */
	uint32_t len[R_COUNT];
};

static void populate(struct ext2_fs *fs)
{
	static uint8_t buf[300000];
	uint32_t d, f;
	size_t done;
	char name[48];
	memset(buf, 0xab, sizeof(buf));
	ext2_create(fs, EXT2_ROOT_INO, S("big"), 0644, 0, 0, 0, &f);
	ext2_write(fs, f, 0, buf, sizeof(buf), &done);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "dir%d", i);
		ext2_create(fs, EXT2_ROOT_INO, S(name), 040755, 0, 0, 0, &d);
		for (int j = 0; j < 30; j++) {
			snprintf(name, sizeof(name), "file-with-a-long-name-%d", j);
			ext2_create(fs, d, S(name), 0644, 0, 0, 0, &f);
			ext2_write(fs, f, 0, buf, (size_t)j * 700, &done);
		}
		ext2_symlink(fs, d, S("s"), S("../big"), 0, 0, &f);
	}
}

/* Where the regions lie, found through the code itself on the clean image. */
static bool locate(struct pristine *p)
{
	struct ext2_fs *fs;
	struct ext2_inode ip;
	uint32_t pblk, big;
	bool fresh;
	if (e2_mount(&p->dev.dev, true, &fs))
		return false;
	uint32_t bs = fs->bs;
	p->region[R_SUPER] = 1024, p->len[R_SUPER] = 1024;
	p->region[R_GDT] = (uint64_t)(fs->first_data + 1) * bs, p->len[R_GDT] = 32 * fs->groups;
	p->region[R_ITABLE] = (uint64_t)fs->gd[0].bg_inode_table * bs, p->len[R_ITABLE] = bs;
	bool ok = ino_read(fs, EXT2_ROOT_INO, &ip) == 0 &&
		  bmap(fs, EXT2_ROOT_INO, &ip, 0, false, &pblk, &fresh) == 0 && pblk;
	p->region[R_DIR] = (uint64_t)pblk * bs, p->len[R_DIR] = bs;
	ok = ok && ext2_lookup(fs, EXT2_ROOT_INO, S("big"), &big) == 0 &&
	     ino_read(fs, big, &ip) == 0 && ip.i_block[EXT2_IND];
	p->region[R_INDIRECT] = (uint64_t)ip.i_block[EXT2_IND] * bs, p->len[R_INDIRECT] = bs;
	p->region[R_ANY] = 0, p->len[R_ANY] = 512u << 10;      /* all metadata and some data */
	ext2_unmount(fs);
	return ok;
}

static bool make_pristine(struct pristine *p, const char *opts, char *dir)
{
	char img[300];
	struct e2_file_dev d;
	struct ext2_fs *fs;
	e2_tmpdir(dir, 256);
	snprintf(img, sizeof(img), "%s/img", dir);
	if (e2_mkfs(img, 4, opts) || e2_file_open(&d, img) || e2_mount(&d.dev, false, &fs))
		return false;
	populate(fs);
	ext2_unmount(fs);
	e2_file_close(&d);
	return CHECK_EQ(e2_fsck(img), 0) && e2_mem_load(&p->dev, img) == 0 && locate(p);
}

struct walk {
	struct ext2_fs *fs;
	int visited, depth;
	uint8_t *buf;
};

static int walk_dir(struct walk *w, uint32_t dir);

static int walk_fill(void *ctx, const char *name, uint32_t len, uint32_t ino, uint8_t type,
		     uint64_t next)
{
	(void)type, (void)next;
	struct walk *w = ctx;
	struct ext2_attr a;
	size_t done;
	char t[4096];
	if (++w->visited > 3000)
		return 1;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	if (ext2_getattr(w->fs, ino, &a))
		return 0;
	if ((a.mode & 0170000) == 0100000)
		ext2_read(w->fs, ino, 0, w->buf, 1u << 20, &done);
	else if ((a.mode & 0170000) == 0120000)
		ext2_readlink(w->fs, ino, t, sizeof(t), &done);
	else if ((a.mode & 0170000) == 040000 && w->depth < 6)
		walk_dir(w, ino);
	return 0;
}

static int walk_dir(struct walk *w, uint32_t dir)
{
	uint64_t cookie = 0;
	w->depth++;
	int r = ext2_readdir(w->fs, dir, &cookie, walk_fill, w);
	w->depth--;
	return r;
}

/* Every kind of operation on the damaged file system; the results do not matter. */
static void exercise(struct ext2_fs *fs, uint8_t *buf)
{
	struct walk w = { fs, 0, 0, buf };
	uint32_t a = 0, b = 0, big = 0, d0 = 0;
	size_t done;
	walk_dir(&w, EXT2_ROOT_INO);
	ext2_lookup(fs, EXT2_ROOT_INO, S("big"), &big);
	ext2_lookup(fs, EXT2_ROOT_INO, S("dir0"), &d0);
	ext2_create(fs, EXT2_ROOT_INO, S("new"), 0644, 0, 0, 0, &a);
	if (a)
		ext2_write(fs, a, 70000, buf, 20000, &done);
	ext2_create(fs, EXT2_ROOT_INO, S("newdir"), 040755, 0, 0, 0, &b);
	if (big) {
		ext2_write(fs, big, 1000, buf, 5000, &done);
		struct ext2_setattr sa = { .mask = EXT2_SET_SIZE, .size = 100000 };
		ext2_setattr(fs, big, &sa);
		ext2_link(fs, big, EXT2_ROOT_INO, S("big2"));
	}
	if (d0) {
		ext2_unlink(fs, d0, S("file-with-a-long-name-3"));
		ext2_rename(fs, d0, S("file-with-a-long-name-4"), EXT2_ROOT_INO, S("moved"));
		ext2_rename(fs, EXT2_ROOT_INO, S("dir1"), d0, S("sub"));
		ext2_symlink(fs, d0, S("l"), S("target"), 0, 0, &a);
	}
	ext2_rename(fs, EXT2_ROOT_INO, S("newdir"), EXT2_ROOT_INO, S("dir2"));
	ext2_rmdir(fs, EXT2_ROOT_INO, S("dir3"));
	ext2_unlink(fs, EXT2_ROOT_INO, S("big"));
	struct ext2_statfs st;
	ext2_statfs(fs, &st);
	ext2_fsync(fs, big ? big : 1);
	ext2_sync(fs);
}

static void corrupt_seeds(const char *opts, uint64_t first, uint64_t n, int *refused)
{
	static struct pristine p;
	char dir[256];
	REQUIRE(make_pristine(&p, opts, dir));
	struct e2_mem_dev m = p.dev;
	m.data = malloc(p.dev.size);
	m.dev.ctx = &m;
	uint8_t *buf = malloc(1u << 20);
	memset(buf, 0x5a, 1u << 20);
	for (uint64_t seed = first; seed < first + n; seed++) {
		uint64_t rng = seed * 0x2545F4914F6CDD1Dull + 7;
		int region = (int)(e2_rand(&rng) % R_COUNT), bytes = (int)(e2_rand(&rng) % 16) + 1;
		memcpy(m.data, p.dev.data, p.dev.size);
		for (int i = 0; i < bytes; i++)
			m.data[p.region[region] + e2_rand(&rng) % p.len[region]] = (uint8_t)e2_rand(&rng);
		struct ext2_fs *fs;
		if (e2_mount(&m.dev, false, &fs)) {
			(*refused)++;
			continue;
		}
		exercise(fs, buf);
		ext2_unmount(fs);
	}
	free(buf);
	free(m.data);
	e2_mem_free(&p.dev);
	e2_rm_rf(dir);
}

static uint64_t seeds(uint64_t dflt)
{
	const char *e = getenv("EXT2_CORRUPT_SEEDS");
	return e ? strtoull(e, NULL, 10) : dflt;
}

TEST(ext2_corrupt_1k)
{
	int refused = 0;
	if (!e2_tools_present("ext2_corrupt_1k"))
		return;
	alarm(240);
	corrupt_seeds("-b 1024 -I 128", 1, seeds(300), &refused);
	printf("  %llu seeds, %d mounts refused\n", (unsigned long long)seeds(300), refused);
	alarm(0);
}

TEST(ext2_corrupt_4k)
{
	int refused = 0;
	if (!e2_tools_present("ext2_corrupt_4k"))
		return;
	alarm(240);
	corrupt_seeds("-b 4096 -I 256", 100001, seeds(200), &refused);
	printf("  %llu seeds, %d mounts refused\n", (unsigned long long)seeds(200), refused);
	alarm(0);
}
