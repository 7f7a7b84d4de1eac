/*
 * Mounting and unmounting: the superblock and group descriptors are checked completely before
 * anything else trusts them (a hostile image must not make later code index out of range),
 * kept in memory while mounted, and written back at sync. Also statfs, sync and fsync.
 */
#include "servers/ext2/ext2_int.h"
#include "abi/errno.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fs_log(struct ext2_fs *fs, const char *what)
{
	if (fs->log)
		fs->log(what);
}

/* An inconsistency found while mounted: e2fsck must look at the image. */
int fs_corrupt(struct ext2_fs *fs, const char *what)
{
	char msg[128];
	snprintf(msg, sizeof(msg), "ext2: corrupt file system: %s", what);
	fs_log(fs, msg);
	fs->mount_state |= EXT2_ERROR_FS;
	return -EUCLEAN;
}

uint32_t fs_now(struct ext2_fs *fs)
{
	return fs->now ? fs->now(fs->now_ctx) : 0;
}

bool fs_block_ok(const struct ext2_fs *fs, uint32_t blk)
{
	return blk >= fs->first_data && blk < fs->blocks_count;
}

uint64_t fs_group_start(const struct ext2_fs *fs, uint32_t g)
{
	return fs->first_data + (uint64_t)g * fs->bpg;
}

uint32_t fs_group_blocks(const struct ext2_fs *fs, uint32_t g)
{
	uint64_t left = fs->blocks_count - fs_group_start(fs, g);
	return left < fs->bpg ? (uint32_t)left : fs->bpg;
}

static bool is_power_of(uint32_t n, uint32_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

bool fs_group_has_super(const struct ext2_fs *fs, uint32_t g)
{
	if (!(fs->sb.s_feature_ro_compat & EXT2_RO_COMPAT_SPARSE_SUPER) || g <= 1)
		return true;
	return is_power_of(g, 3) || is_power_of(g, 5) || is_power_of(g, 7);
}

static int refuse(struct ext2_fs *fs, int err, const char *why)
{
	char msg[160];
	snprintf(msg, sizeof(msg), "ext2: cannot mount: %s", why);
	fs_log(fs, msg);
	return err;
}

/* Geometry from the superblock, each value checked before the next one relies on it. */
static int check_super(struct ext2_fs *fs)
{
	const struct ext2_super *s = &fs->sb;
	if (s->s_magic != EXT2_MAGIC)
		return refuse(fs, -EINVAL, "no ext2 magic number");
	if (s->s_rev_level > 1)
		return refuse(fs, -EINVAL, "revision level above 1");
	if (s->s_log_block_size > 2)
		return refuse(fs, -EINVAL, "block size above 4 KiB");
	fs->bs = 1024u << s->s_log_block_size;
	fs->apb = fs->bs / 4;
	fs->isz = s->s_rev_level ? s->s_inode_size : EXT2_GOOD_OLD_INODE_SIZE;
	fs->first_ino = s->s_rev_level ? s->s_first_ino : EXT2_GOOD_OLD_FIRST_INO;
	uint32_t incompat = s->s_rev_level ? s->s_feature_incompat : 0;
	if (incompat & ~EXT2_INCOMPAT_SUPPORTED) {
		char why[80];
		snprintf(why, sizeof(why), "unsupported incompatible features %#x",
			 incompat & ~EXT2_INCOMPAT_SUPPORTED);
		return refuse(fs, -EINVAL, why);
	}
	fs->filetype = incompat & EXT2_INCOMPAT_FILETYPE;
	if (fs->isz < 128 || fs->isz > fs->bs || (fs->isz & (fs->isz - 1)))
		return refuse(fs, -EUCLEAN, "bad inode size");
	fs->bpg = s->s_blocks_per_group;
	fs->ipg = s->s_inodes_per_group;
	fs->blocks_count = s->s_blocks_count;
	fs->inodes_count = s->s_inodes_count;
	fs->first_data = s->s_first_data_block;
	if (fs->first_data != (fs->bs == 1024 ? 1u : 0u))
		return refuse(fs, -EUCLEAN, "bad first data block");
	if (fs->bpg == 0 || fs->bpg > 8 * fs->bs || fs->bpg % 8)
		return refuse(fs, -EUCLEAN, "bad blocks per group");
	if (fs->ipg == 0 || fs->ipg > 8 * fs->bs || fs->ipg % (fs->bs / fs->isz))
		return refuse(fs, -EUCLEAN, "bad inodes per group");
	if (fs->blocks_count <= fs->first_data + 1)
		return refuse(fs, -EUCLEAN, "bad block count");
	if ((uint64_t)fs->blocks_count * (fs->bs / EXT2_SECTOR) > fs->dev.sectors)
		return refuse(fs, -EUCLEAN, "file system larger than the device");
	return 0;
}

static int check_counts(struct ext2_fs *fs)
{
	const struct ext2_super *s = &fs->sb;
	uint64_t groups = (fs->blocks_count - fs->first_data + fs->bpg - 1) / fs->bpg;
	if ((uint64_t)groups * fs->ipg != fs->inodes_count)
		return refuse(fs, -EUCLEAN, "inode count does not match the groups");
	fs->groups = (uint32_t)groups;
	fs->gdt_blocks = (uint32_t)((groups * sizeof(struct ext2_gd) + fs->bs - 1) / fs->bs);
	fs->itb = (uint32_t)((uint64_t)fs->ipg * fs->isz / fs->bs);
	if (fs->first_ino < EXT2_GOOD_OLD_FIRST_INO || fs->first_ino >= fs->inodes_count)
		return refuse(fs, -EUCLEAN, "bad first inode");
	if ((uint64_t)fs->first_data + 1 + fs->gdt_blocks + s->s_reserved_gdt_blocks >=
	    fs->blocks_count)
		return refuse(fs, -EUCLEAN, "group descriptors do not fit");
	if (s->s_r_blocks_count > fs->blocks_count)
		return refuse(fs, -EUCLEAN, "bad reserved block count");
	return 0;
}

static bool in_group(const struct ext2_fs *fs, uint32_t g, uint64_t blk, uint64_t len)
{
	uint64_t start = fs_group_start(fs, g), end = start + fs_group_blocks(fs, g);
	return blk >= start && blk + len <= end && blk + len > blk;
}

static int check_groups(struct ext2_fs *fs)
{
	uint64_t fb = 0, fi = 0;
	for (uint32_t g = 0; g < fs->groups; g++) {
		const struct ext2_gd *d = &fs->gd[g];
		if (!in_group(fs, g, d->bg_block_bitmap, 1) ||
		    !in_group(fs, g, d->bg_inode_bitmap, 1) ||
		    !in_group(fs, g, d->bg_inode_table, fs->itb))
			return refuse(fs, -EUCLEAN, "group metadata outside its group");
		if (d->bg_free_blocks_count > fs_group_blocks(fs, g) ||
		    d->bg_free_inodes_count > fs->ipg || d->bg_used_dirs_count > fs->ipg)
			return refuse(fs, -EUCLEAN, "bad group counts");
		fb += d->bg_free_blocks_count;
		fi += d->bg_free_inodes_count;
	}
	/* the descriptors are what allocation keeps right; the superblock's sums follow them */
	fs->sb.s_free_blocks_count = (uint32_t)fb;
	fs->sb.s_free_inodes_count = (uint32_t)fi;
	return 0;
}

static int read_gdt(struct ext2_fs *fs)
{
	fs->gd = calloc(fs->gdt_blocks, fs->bs);
	if (!fs->gd)
		return -ENOMEM;
	for (uint32_t i = 0; i < fs->gdt_blocks; i++) {
		struct bc_buf *b;
		int r = bc_get(&fs->bc, fs->first_data + 1 + i, &b);
		if (r)
			return r;
		memcpy((uint8_t *)fs->gd + (size_t)i * fs->bs, b->data, fs->bs);
		bc_put(&fs->bc, b);
	}
	return check_groups(fs);
}

static void choose_ro(struct ext2_fs *fs, bool asked)
{
	uint32_t ro = fs->sb.s_rev_level ? fs->sb.s_feature_ro_compat : 0;
	fs->ro = asked;
	if (ro & ~EXT2_RO_COMPAT_SUPPORTED) {
		char msg[96];
		snprintf(msg, sizeof(msg), "ext2: unsupported ro_compat features %#x: read-only",
			 ro & ~EXT2_RO_COMPAT_SUPPORTED);
		fs_log(fs, msg);
		fs->ro = true;
	}
}

/* Copies the in-memory superblock and descriptors into their cache blocks. */
static int write_super(struct ext2_fs *fs)
{
	struct bc_buf *b;
	uint32_t sblk = EXT2_SB_OFFSET / fs->bs, soff = EXT2_SB_OFFSET % fs->bs;
	int r = bc_get(&fs->bc, sblk, &b);
	if (r)
		return r;
	memcpy(b->data + soff, &fs->sb, EXT2_SB_SIZE);
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	for (uint32_t i = 0; i < fs->gdt_blocks; i++) {
		r = bc_get(&fs->bc, fs->first_data + 1 + i, &b);
		if (r)
			return r;
		memcpy(b->data, (uint8_t *)fs->gd + (size_t)i * fs->bs, fs->bs);
		bc_dirty(&fs->bc, b, 0);
		bc_put(&fs->bc, b);
	}
	return 0;
}

/* Writes metadata of owner 0 after the data of owner (BC_ALL: everything), then flushes. */
static int sync_owner(struct ext2_fs *fs, uint32_t owner)
{
	if (fs->ro)
		return 0;
	int r = 0;
	if (owner != BC_ALL)
		r = bc_sync(&fs->bc, owner);
	if (!r)
		r = write_super(fs);
	if (!r)
		r = bc_sync(&fs->bc, owner == BC_ALL ? BC_ALL : 0);
	if (!r)
		r = fs->dev.flush(fs->dev.ctx);
	return r;
}

int ext2_sync(struct ext2_fs *fs)
{
	return sync_owner(fs, BC_ALL);
}

int ext2_fsync(struct ext2_fs *fs, uint32_t ino)
{
	if (ino == 0 || ino > fs->inodes_count)
		return -EINVAL;
	return sync_owner(fs, ino);
}

static int mount_rw(struct ext2_fs *fs)
{
	fs->mount_state = fs->sb.s_state;
	if (!(fs->mount_state & EXT2_VALID_FS))
		fs_log(fs, "ext2: warning: mounting a file system that was not cleanly unmounted");
	if (fs->mount_state & EXT2_ERROR_FS)
		fs_log(fs, "ext2: warning: mounting a file system with errors");
	fs->sb.s_state &= (uint16_t)~EXT2_VALID_FS;
	fs->sb.s_mnt_count++;
	fs->sb.s_mtime = fs_now(fs);
	return ext2_sync(fs);
}

static void fs_free(struct ext2_fs *fs)
{
	bc_fini(&fs->bc);
	free(fs->gd);
	free(fs->open);
	free(fs);
}

static int mount_steps(struct ext2_fs *fs, const struct ext2_mount_opts *o)
{
	uint8_t raw[EXT2_SB_SIZE];
	if (fs->dev.sectors < 4)
		return refuse(fs, -EINVAL, "device too small");
	int r = fs->dev.read(fs->dev.ctx, EXT2_SB_OFFSET / EXT2_SECTOR, 2, raw);
	if (r)
		return r;
	memcpy(&fs->sb, raw, sizeof(raw));
	if ((r = check_super(fs)) || (r = check_counts(fs)))
		return r;
	r = bc_init(&fs->bc, &fs->dev, fs->bs,
		    o->cache_blocks ? o->cache_blocks : EXT2_CACHE_BLOCKS);
	if (r || (r = read_gdt(fs)))
		return r;
	uint64_t map = EXT2_NDIR + fs->apb + (uint64_t)fs->apb * fs->apb +
		       (uint64_t)fs->apb * fs->apb * fs->apb;
	fs->max_size = map * fs->bs;
	if (fs->max_size > (1ull << 40))        /* i_blocks counts 512-byte units in 32 bits */
		fs->max_size = 1ull << 40;
	if (fs->sb.s_rev_level == 0)            /* no large_file feature to switch on */
		fs->max_size = (1ull << 31) - 1;
	choose_ro(fs, o->read_only);
	return fs->ro ? 0 : mount_rw(fs);
}

int ext2_mount(const struct ext2_blkdev *dev, const struct ext2_mount_opts *o,
	       struct ext2_fs **out)
{
	struct ext2_fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->dev = *dev;
	fs->now = o->now;
	fs->now_ctx = o->now_ctx;
	fs->log = o->log;
	fs->generation = fs_now(fs) * 2654435761u;
	int r = mount_steps(fs, o);
	if (r) {
		fs_free(fs);
		return r;
	}
	*out = fs;
	return 0;
}

/* Files unlinked while open lose their last reference now. */
static int release_open(struct ext2_fs *fs)
{
	int r = 0;
	for (uint32_t i = 0; i < fs->nopen; i++) {
		struct ext2_inode ip;
		uint32_t ino = fs->open[i].ino;
		int r2 = ino_read(fs, ino, &ip);
		if (!r2 && ip.i_mode && ip.i_links_count == 0)
			r2 = file_release(fs, ino, &ip);
		r = r ? r : r2;
	}
	fs->nopen = 0;
	return r;
}

int ext2_unmount(struct ext2_fs *fs)
{
	int r = 0;
	if (!fs->ro) {
		r = release_open(fs);
		fs->sb.s_state = fs->mount_state;
		fs->sb.s_wtime = fs_now(fs);
		int r2 = ext2_sync(fs);
		r = r ? r : r2;
	}
	fs_free(fs);
	return r;
}

bool ext2_is_read_only(const struct ext2_fs *fs)
{
	return fs->ro;
}

uint32_t ext2_block_size(const struct ext2_fs *fs)
{
	return fs->bs;
}

int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *out)
{
	const struct ext2_super *s = &fs->sb;
	memset(out, 0, sizeof(*out));
	out->bsize = fs->bs;
	out->blocks = fs->blocks_count - fs->first_data;
	out->bfree = s->s_free_blocks_count;
	out->bavail = out->bfree > s->s_r_blocks_count ? out->bfree - s->s_r_blocks_count : 0;
	out->files = fs->inodes_count;
	out->ffree = s->s_free_inodes_count;
	out->namemax = EXT2_NAME_MAX;
	out->read_only = fs->ro;
	return 0;
}
