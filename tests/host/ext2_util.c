/*
 * Helpers for the ext2 host tests (see ext2_util.h).
 */
#define _GNU_SOURCE
#include "tests/host/ext2_util.h"
#include "abi/errno.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool e2_tools_present(const char *test)
{
	const char *tools[] = { "mke2fs", "e2fsck", "debugfs" };
	for (int i = 0; i < 3; i++) {
		char p[64];
		snprintf(p, sizeof(p), E2_TOOL_DIR "/%s", tools[i]);
		if (access(p, X_OK)) {
			printf("  %s: skipped: %s not installed (tools/install-deps.sh: e2fsprogs)\n",
			       test, p);
			return false;
		}
	}
	return true;
}

void e2_tmpdir(char *path, size_t size)
{
	snprintf(path, size, "/tmp/tessera-ext2-XXXXXX");
	if (!mkdtemp(path))
		abort();
}

void e2_rm_rf(const char *path)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd))
		printf("  could not remove %s\n", path);
}

static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

int e2_mkfs(const char *img, unsigned mib, const char *opts)
{
	char cmd[512];
	unlink(img);
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)mib << 20)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), E2_TOOL_DIR "/mke2fs -q -F -t ext2 %s '%s' >/dev/null 2>&1",
		 opts, img);
	return run(cmd);
}

int e2_fsck(const char *img)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), E2_TOOL_DIR "/e2fsck -fn '%s' >'%s.fsck' 2>&1", img, img);
	int rc = run(cmd);
	if (rc) {
		snprintf(cmd, sizeof(cmd), "head -40 '%s.fsck'", img);
		if (system(cmd))
			printf("  (no e2fsck output)\n");
	}
	return rc;
}

int e2_fsck_fix(const char *img)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), E2_TOOL_DIR "/e2fsck -fy '%s' >'%s.fsck' 2>&1", img, img);
	return run(cmd);
}

int e2_debugfs(const char *img, bool write, const char *cmd, char *out, size_t size)
{
	char line[1024];
	snprintf(line, sizeof(line), E2_TOOL_DIR "/debugfs %s -R '%s' '%s' 2>/dev/null",
		 write ? "-w" : "", cmd, img);
	FILE *p = popen(line, "r");
	if (!p)
		return -1;
	size_t n = out ? fread(out, 1, size ? size - 1 : 0, p) : 0;
	if (out && size)
		out[n] = 0;
	while (fread(line, 1, sizeof(line), p) > 0)
		;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

static int file_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
	struct e2_file_dev *d = ctx;
	size_t n = (size_t)count * EXT2_SECTOR;
	d->reads++;
	return pread(d->fd, buf, n, (off_t)(sector * EXT2_SECTOR)) == (ssize_t)n ? 0 : -EIO;
}

static int file_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
	struct e2_file_dev *d = ctx;
	size_t n = (size_t)count * EXT2_SECTOR;
	d->writes++;
	return pwrite(d->fd, buf, n, (off_t)(sector * EXT2_SECTOR)) == (ssize_t)n ? 0 : -EIO;
}

static int file_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

int e2_file_open(struct e2_file_dev *d, const char *img)
{
	struct stat st;
	memset(d, 0, sizeof(*d));
	d->fd = open(img, O_RDWR);
	if (d->fd < 0 || fstat(d->fd, &st))
		return -1;
	d->dev = (struct ext2_blkdev){ d, (uint64_t)st.st_size / EXT2_SECTOR, file_read,
				       file_write, file_flush };
	return 0;
}

void e2_file_close(struct e2_file_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static int mem_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
	struct e2_mem_dev *d = ctx;
	if ((sector + count) * EXT2_SECTOR > d->size)
		return -EIO;
	memcpy(buf, d->data + sector * EXT2_SECTOR, (size_t)count * EXT2_SECTOR);
	return 0;
}

static int mem_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
	struct e2_mem_dev *d = ctx;
	if ((sector + count) * EXT2_SECTOR > d->size)
		return -EIO;
	memcpy(d->data + sector * EXT2_SECTOR, buf, (size_t)count * EXT2_SECTOR);
	return 0;
}

int e2_mem_load(struct e2_mem_dev *d, const char *img)
{
	struct e2_file_dev f;
	if (e2_file_open(&f, img))
		return -1;
	d->size = f.dev.sectors * EXT2_SECTOR;
	d->data = malloc(d->size);
	int r = d->data && pread(f.fd, d->data, d->size, 0) == (ssize_t)d->size ? 0 : -1;
	e2_file_close(&f);
	d->dev = (struct ext2_blkdev){ d, d->size / EXT2_SECTOR, mem_read, mem_write, file_flush };
	return r;
}

void e2_mem_free(struct e2_mem_dev *d)
{
	free(d->data);
	d->data = NULL;
}

uint32_t e2_clock = 1700000000u;

uint32_t e2_now(void *ctx)
{
	(void)ctx;
	return e2_clock;
}

static void quiet_log(const char *msg)
{
	(void)msg;
}

int e2_mount_cache(const struct ext2_blkdev *dev, bool ro, uint32_t bufs, struct ext2_fs **fs)
{
	struct ext2_mount_opts o = { bufs, ro, e2_now, NULL, quiet_log, NULL };
	return ext2_mount(dev, &o, fs);
}

int e2_mount(const struct ext2_blkdev *dev, bool ro, struct ext2_fs **fs)
{
	return e2_mount_cache(dev, ro, 64, fs);
}

int e2_resolve(struct ext2_fs *fs, const char *path, uint32_t *ino)
{
	uint32_t cur = EXT2_ROOT_INO;
	while (*path) {
		while (*path == '/')
			path++;
		size_t n = strcspn(path, "/");
		if (n) {
			int r = ext2_lookup(fs, cur, path, n, &cur);
			if (r)
				return r;
		}
		path += n;
	}
	*ino = cur;
	return 0;
}

int e2_parent(struct ext2_fs *fs, const char *path, uint32_t *dir, const char **name)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*dir = EXT2_ROOT_INO;
		*name = path;
		return 0;
	}
	char head[1024];
	snprintf(head, sizeof(head), "%.*s", (int)(slash - path), path);
	*name = slash + 1;
	return e2_resolve(fs, head, dir);
}

uint64_t e2_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}
