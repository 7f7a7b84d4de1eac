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
	CHECK_EQ(ext2_create(fs, EXT2_ROOT_INO, S("a"), 040750, 1, 2, &a), 0);
	CHECK_EQ(ext2_create(fs, a, S("f"), 0644, 1000, 70000, &f), 0);
	CHECK_EQ(ext2_create(fs, a, S("f"), 0644, 0, 0, &g), -EEXIST);
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
	struct ext2_attr at;
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
