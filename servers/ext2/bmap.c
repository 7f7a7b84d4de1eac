/*
 * A file's block map: twelve direct pointers, then single, double and triple indirect blocks
 * of 32-bit block numbers. Mapping allocates missing blocks on request; truncation frees a
 * tail of the tree. Every block number read from the image is range-checked before use, and
 * the walk's depth is fixed, so a hostile tree can cost errors but not a crash or a loop.
 */
#include "servers/ext2/ext2_int.h"
#include "abi/errno.h"
#include <string.h>

/* The path to lblk: depth levels of indirection below i_block[idx[0]]. */
static int path_of(const struct ext2_fs *fs, uint64_t lblk, uint32_t idx[4], int *depth)
{
	uint64_t a = fs->apb;
	if (lblk < EXT2_NDIR) {
		idx[0] = (uint32_t)lblk;
		*depth = 0;
		return 0;
	}
	lblk -= EXT2_NDIR;
	if (lblk < a) {
		idx[0] = EXT2_IND, idx[1] = (uint32_t)lblk, *depth = 1;
		return 0;
	}
	lblk -= a;
	if (lblk < a * a) {
		idx[0] = EXT2_DIND, idx[1] = (uint32_t)(lblk / a), idx[2] = (uint32_t)(lblk % a);
		*depth = 2;
		return 0;
	}
	lblk -= a * a;
	if (lblk >= a * a * a)
		return -EFBIG;
	idx[0] = EXT2_TIND, idx[1] = (uint32_t)(lblk / (a * a));
	idx[2] = (uint32_t)(lblk / a % a), idx[3] = (uint32_t)(lblk % a);
	*depth = 3;
	return 0;
}

/* A new block for the file, near where its last allocation ended. */
static int grab(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint32_t *out)
{
	uint32_t goal = fs->hint_ino == ino ? fs->hint_blk + 1
					     : (uint32_t)fs_group_start(fs, (ino - 1) / fs->ipg);
	int r = alloc_block(fs, goal, out);
	if (r)
		return r;
	fs->hint_ino = ino;
	fs->hint_blk = *out;
	ip->i_blocks += fs->bs / 512;
	return 0;
}

/* Fills an empty slot: an indirect block is zeroed on disk-to-be, a data block is not. */
static int fill_slot(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint32_t *slot,
		     bool indirect)
{
	uint32_t v;
	int r = grab(fs, ino, ip, &v);
	if (r)
		return r;
	if (indirect) {
		struct bc_buf *nb;
		r = bc_get_zero(&fs->bc, v, &nb);
		if (r) {
			free_block(fs, v);
			ip->i_blocks -= fs->bs / 512;
			return r;
		}
		bc_dirty(&fs->bc, nb, 0);
		bc_put(&fs->bc, nb);
	}
	*slot = v;
	return 0;
}

int bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t lblk, bool alloc,
	 uint32_t *pblk, bool *fresh)
{
	uint32_t idx[4];
	int depth, r = path_of(fs, lblk, idx, &depth);
	struct bc_buf *holder = NULL;
	*pblk = 0;
	*fresh = false;
	if (r)
		return r;
	uint32_t *slot = &ip->i_block[idx[0]];
	for (int level = 0;; level++) {
		if (*slot == 0) {
			if (!alloc)
				break;
			if ((r = fill_slot(fs, ino, ip, slot, level < depth)))
				break;
			if (holder)
				bc_dirty(&fs->bc, holder, 0);
			*fresh = level == depth;
		} else if (!fs_block_ok(fs, *slot)) {
			r = fs_corrupt(fs, "block number out of range");
			break;
		}
		if (level == depth) {
			*pblk = *slot;
			break;
		}
		struct bc_buf *nb;
		if ((r = bc_get(&fs->bc, *slot, &nb)))
			break;
		bc_put(&fs->bc, holder);
		holder = nb;
		slot = &((uint32_t *)nb->data)[idx[level + 1]];
	}
	bc_put(&fs->bc, holder);
	return r;
}

static void drop_count(struct ext2_fs *fs, struct ext2_inode *ip)
{
	uint32_t n = fs->bs / 512;
	ip->i_blocks = ip->i_blocks >= n ? ip->i_blocks - n : 0;
}

/* Frees blk and, for level > 0, everything it points to. */
static int free_tree(struct ext2_fs *fs, struct ext2_inode *ip, uint32_t blk, int level)
{
	if (!fs_block_ok(fs, blk))
		return fs_corrupt(fs, "block number out of range");
	if (level > 0) {
		struct bc_buf *b;
		int r = bc_get(&fs->bc, blk, &b);
		if (r)
			return r;
		const uint32_t *e = (const uint32_t *)b->data;
		for (uint32_t i = 0; i < fs->apb && !r; i++)
			if (e[i])
				r = free_tree(fs, ip, e[i], level - 1);
		bc_put(&fs->bc, b);
		if (r)
			return r;
	}
	drop_count(fs, ip);
	return free_block(fs, blk);
}

/* *slot heads a subtree of the given level covering logical blocks from base on; frees the
 * part at or above keep. */
static int trunc_slot(struct ext2_fs *fs, struct ext2_inode *ip, uint32_t *slot, int level,
		      uint64_t base, uint64_t keep, bool *changed)
{
	if (*slot == 0)
		return 0;
	if (base >= keep) {
		int r = free_tree(fs, ip, *slot, level);
		*slot = 0;
		*changed = true;
		return r;
	}
	if (level == 0)
		return 0;
	if (!fs_block_ok(fs, *slot))
		return fs_corrupt(fs, "block number out of range");
	uint64_t span = 1;
	for (int l = 1; l < level; l++)
		span *= fs->apb;
	struct bc_buf *b;
	int r = bc_get(&fs->bc, *slot, &b);
	if (r)
		return r;
	uint32_t *e = (uint32_t *)b->data;
	for (uint64_t i = (keep - base) / span; i < fs->apb && !r; i++) {
		bool ch = false;
		r = trunc_slot(fs, ip, &e[i], level - 1, base + i * span, keep, &ch);
		if (ch)
			bc_dirty(&fs->bc, b, 0);
	}
	bc_put(&fs->bc, b);
	return r;
}

int bmap_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t keep)
{
	uint64_t a = fs->apb;
	uint64_t base[EXT2_NBLOCKS];
	int level[EXT2_NBLOCKS];
	for (int i = 0; i < EXT2_NDIR; i++)
		base[i] = (uint64_t)i, level[i] = 0;
	base[EXT2_IND] = EXT2_NDIR, level[EXT2_IND] = 1;
	base[EXT2_DIND] = EXT2_NDIR + a, level[EXT2_DIND] = 2;
	base[EXT2_TIND] = EXT2_NDIR + a + a * a, level[EXT2_TIND] = 3;
	int r = 0;
	for (int i = EXT2_NBLOCKS - 1; i >= 0 && !r; i--) {
		bool ch = false;
		r = trunc_slot(fs, ip, &ip->i_block[i], level[i], base[i], keep, &ch);
	}
	if (fs->hint_ino == ino)
		fs->hint_ino = 0;
	return r;
}
