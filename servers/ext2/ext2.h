/*
 * The ext2 file system: the API the ext2 server exposes as function ids, and that the host
 * tests drive against an image file. Everything is addressed by inode number; names are
 * (pointer, length) pairs, not NUL-terminated, one path component each (no '/'): the caller
 * (the kernel's forwarding) walks paths. Single-threaded: one caller at a time per file system.
 *
 * No permission checks happen here: the caller (server and kernel) decides who may do what;
 * uid, gid and mode are stored and reported as given.
 *
 * Every function returns 0 or a negative errno (abi/errno.h) and gives results through
 * out-parameters. Errors worth knowing:
 *   -EUCLEAN  the image is inconsistent (a bad block number, directory entry, bitmap); the
 *             file system is marked as having errors so e2fsck checks it on its next run.
 *   -EIO      the block device failed.
 *   -EROFS    the file system is mounted read-only (asked for, or an unknown ro_compat feature).
 *   -ENOSPC   no free block or inode; nothing is left half-done (a write may be short).
 *   -ENOENT   also for an inode number that is free, reserved, or unlinked and not open.
 *   -EFBIG    past the largest file the block map can hold (see docs/storage.md).
 *   -ENOMEM   every cache buffer is in use (not with the cache sizes this code pins).
 *
 * Caching: all blocks go through a write-back cache (bcache.h). Nothing reaches the device
 * before ext2_sync, ext2_fsync, ext2_unmount or the eviction of a dirty block. docs/storage.md
 * says what a crash can lose.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "servers/ext2/blkdev.h"

#define EXT2_ROOT_INO 2u
/* The block cache's default size: 1024 buffers, whatever the block size. Its memory is taken
 * at mount and, once used, stays resident for the mount's life, on machines of 256 MiB that
 * the tests' memory-pressure cases fill to 24 MiB of the end. Known cost: a working set just
 * above it (1000 small files and their inode-table blocks, in 4 KiB blocks) misses on every
 * access in LRU order, the order programs create and then read files in (table M); a cache
 * that grows with use while memory is free, and gives it back under pressure, would lift it. */
#define EXT2_CACHE_BLOCKS 1024u

struct ext2_fs;

/* Where a mounted file system keeps its memory, block cache included. The ext2 server keeps it
 * in state memory, which the server replacing it takes over (docs/replacement.md); the host
 * tests in the C heap. */
struct ext2_mem {
	void *(*alloc)(size_t bytes);               /* zeroed; NULL when out of memory */
	void (*free)(void *p);
	void *(*realloc)(void *p, size_t bytes);    /* NULL on failure, p unchanged */
};

struct ext2_mount_opts {
	uint32_t cache_blocks;          /* buffers in the block cache; 0 = EXT2_CACHE_BLOCKS */
	bool read_only;
	uint32_t (*now)(void *ctx);     /* seconds since 1970, for timestamps; NULL = always 0 */
	void *now_ctx;
	void (*log)(const char *msg);   /* why a mount was refused or a corruption found; may be NULL */
	const struct ext2_mem *mem;     /* NULL: the C heap (calloc, free, realloc) */
};

/* What ext2_getattr reports. */
struct ext2_attr {
	uint32_t ino;
	uint32_t generation;            /* changes when the inode number is reused: with ino, an
					   identity that a stale reference can be checked against */
	uint32_t mode;                  /* type and permission bits, as POSIX st_mode */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t blocks;                /* 512-byte units allocated, metadata blocks included */
	uint32_t atime, mtime, ctime;
	uint32_t rdev;                  /* device number of a character/block special file */
	uint32_t blksize;
};

/* ext2_setattr: the fields named in mask are set; ctime is always set to now. */
#define EXT2_SET_MODE 1u                /* permission bits only; the type cannot change */
#define EXT2_SET_UID 2u
#define EXT2_SET_GID 4u
#define EXT2_SET_SIZE 8u                /* regular files: truncate down (frees) or up (a hole) */
#define EXT2_SET_ATIME 16u
#define EXT2_SET_MTIME 32u
struct ext2_setattr {
	uint32_t mask;
	uint32_t mode, uid, gid;
	uint64_t size;
	uint32_t atime, mtime;
};

struct ext2_statfs {
	uint32_t bsize;
	uint64_t blocks, bfree, bavail; /* bavail leaves out the blocks reserved for root */
	uint64_t files, ffree;
	uint32_t namemax;
	bool read_only;
};

/*
 * ext2_readdir calls fill once per entry, in directory order, starting at *cookie (0 = the
 * start; "." and ".." are entries like any other). type is an EXT2_FT_* value (ext2_fmt.h:
 * REG 1, DIR 2, CHR 3, BLK 4, FIFO 5, SOCK 6, LNK 7, 0 unknown; not Linux's DT_* numbers);
 * next is the cookie of the entry after it. fill returns 0 to go on, 1 to stop before
 * consuming this entry (its buffer is full); *cookie is then left at this entry.
 */
/* The Linux d_type (DT_REG 8, DT_DIR 4, ...) of an EXT2_FT_* type, for getdents64. */
uint8_t ext2_ft_to_dt(uint8_t ft);
typedef int (*ext2_fill_fn)(void *ctx, const char *name, uint32_t len, uint32_t ino,
			    uint8_t type, uint64_t next);

/* Mount: validates the superblock and every group descriptor; refuses (-EINVAL with a log
 * message) unknown incompat features, a bad superblock or descriptors (-EUCLEAN). A read-write
 * mount marks the image "not clean" on the device at once and counts the mount. */
int ext2_mount(const struct ext2_blkdev *dev, const struct ext2_mount_opts *opts,
	       struct ext2_fs **out);
/* A file system another program mounted (the server this one replaced), whose memory this
 * program now holds at the same addresses: its pointers into code (the device's functions,
 * opts' now, log and mem) are set for this program. Nothing on the device is touched: the
 * block cache, dirty blocks included, goes on as it was. */
void ext2_rebind(struct ext2_fs *fs, const struct ext2_blkdev *dev,
		 const struct ext2_mount_opts *opts);
/* Writes everything, restores the clean state (if it was clean at mount), frees fs. fs is gone
 * even when this returns an error (the device failed while writing). */
int ext2_unmount(struct ext2_fs *fs);
bool ext2_is_read_only(const struct ext2_fs *fs);
uint32_t ext2_block_size(const struct ext2_fs *fs);

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);
int ext2_getattr(struct ext2_fs *fs, uint32_t ino, struct ext2_attr *out);
int ext2_setattr(struct ext2_fs *fs, uint32_t ino, const struct ext2_setattr *sa);

/* Regular files. read stops at the end of the file (*done < len); holes read as zeros.
 * write allocates only the blocks it writes into; past the end it leaves a hole. A write that
 * runs out of space stops short: *done > 0 and 0 returned, or -ENOSPC if nothing was written. */
int ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len,
	      size_t *done);
int ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len,
	       size_t *done);

/* Creates a regular file, directory, FIFO, socket, or character or block device of number
 * rdev (Linux's 32-bit encoding, ignored for other types) named name in dir (mode's type bits
 * say which; 0 = regular). A directory gets "." and ".." and raises dir's link count. */
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
		uint32_t rdev, uint32_t uid, uint32_t gid, uint32_t *ino);
/* A symbolic link; targets shorter than 60 bytes live in the inode, longer ones in a block. */
int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 const char *target, size_t tlen, uint32_t uid, uint32_t gid, uint32_t *ino);
int ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t size, size_t *len);
/* A new name for ino (not a directory: -EPERM) in dir. */
int ext2_link(struct ext2_fs *fs, uint32_t ino, uint32_t dir, const char *name, size_t len);
/* Removes a non-directory's name (-EISDIR for a directory); frees it with its last link unless
 * it is open (ext2_open), then at the last ext2_close. */
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/* Removes an empty directory: -ENOTEMPTY, -ENOTDIR, -EINVAL for ".", -ENOTEMPTY for "..". */
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/* POSIX rename: an existing target is replaced atomically as far as the caller sees (file over
 * file, empty directory over directory); -EISDIR/-ENOTDIR for a type mismatch, -ENOTEMPTY,
 * -EINVAL for a directory moved into its own subtree or a "."/".." name. Same inode: no-op. */
int ext2_rename(struct ext2_fs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
		const char *dname, size_t dlen);
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, ext2_fill_fn fill,
		 void *ctx);
int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *out);

/* Open references: an inode unlinked while open keeps its blocks until its last close. The
 * server calls ext2_open when a client opens a file and ext2_close when it closes it. */
int ext2_open(struct ext2_fs *fs, uint32_t ino);
int ext2_close(struct ext2_fs *fs, uint32_t ino);

/* sync (sync, syncfs): every dirty block, then a device flush. fsync (fsync and fdatasync
 * alike): the inode's own data blocks, then all metadata (inode tables, indirect blocks,
 * directories, bitmaps, descriptors, superblock), then a flush. */
int ext2_sync(struct ext2_fs *fs);
int ext2_fsync(struct ext2_fs *fs, uint32_t ino);
