/*
 * Helpers for the ext2 host tests: block devices over an image file or a memory buffer,
 * images made and checked with e2fsprogs, path walks over the ext2 API, and a comparison of
 * an ext2 tree with a host directory (names, types, modes, owners, sizes, links, contents).
 */
#pragma once
#include "servers/ext2/ext2.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define E2_TOOL_DIR "/usr/sbin"

struct e2_file_dev {
	struct ext2_blkdev dev;
	int fd;
	uint64_t reads, writes;         /* device requests */
};

struct e2_mem_dev {
	struct ext2_blkdev dev;
	uint8_t *data;
	size_t size;
};

/* Whether mke2fs, e2fsck and debugfs are there; prints why a test is skipped if not. */
bool e2_tools_present(const char *test);
/* A new temporary directory (mkdtemp) under /tmp; path has room for 256 bytes. */
void e2_tmpdir(char *path, size_t size);
void e2_rm_rf(const char *path);
/* Makes an image file of mib MiB with mke2fs -q -t ext2 and the extra options. */
int e2_mkfs(const char *img, unsigned mib, const char *opts);
/* Exit status of e2fsck -fn img (0 = clean); its output goes to stdout when it is not 0. */
int e2_fsck(const char *img);
/* e2fsck -fy img: 0 clean, 1 repaired, more: left broken. */
int e2_fsck_fix(const char *img);
/* Runs debugfs [-w] -R "cmd" img; the command's output (stdout) into out (NUL-terminated). */
int e2_debugfs(const char *img, bool write, const char *cmd, char *out, size_t size);

int e2_file_open(struct e2_file_dev *d, const char *img);
void e2_file_close(struct e2_file_dev *d);
int e2_mem_load(struct e2_mem_dev *d, const char *img);
void e2_mem_free(struct e2_mem_dev *d);

int e2_mount(const struct ext2_blkdev *dev, bool ro, struct ext2_fs **fs);
int e2_mount_cache(const struct ext2_blkdev *dev, bool ro, uint32_t bufs, struct ext2_fs **fs);
/* Whether regular file ino has exactly the contents of the host file. */
bool e2_file_equal(struct ext2_fs *fs, uint32_t ino, const char *host);
/* The inode of a '/'-separated path from the root. */
int e2_resolve(struct ext2_fs *fs, const char *path, uint32_t *ino);
/* Parent directory inode of path and the offset of its last component. */
int e2_parent(struct ext2_fs *fs, const char *path, uint32_t *dir, const char **name);

/* Compares the tree under dir with the host directory host; prints the first difference.
 * nlink/owner are compared only when strict (debugfs rdump copies hard links). */
bool e2_tree_equal(struct ext2_fs *fs, uint32_t dir, const char *host, bool strict);
/* The same for two host directories (a debugfs rdump against the model). */
bool e2_host_trees_equal(const char *a, const char *b);

uint64_t e2_rand(uint64_t *state);
/* The tests' clock: what e2_now (the mount's time source) returns. */
extern uint32_t e2_clock;
uint32_t e2_now(void *ctx);
