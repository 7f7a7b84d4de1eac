/*
 * Block and inode allocation over the group bitmaps. The bitmaps say which block or inode is
 * free; the group descriptors' counts say where to look and are kept equal to the bitmaps (and
 * the superblock's counts to their sums). A bitmap that disagrees with its counts, or offers a
 * group's own metadata block as free, is a corruption: reported, never followed.
 */
#include "servers/ext2/ext2_int.h"
#include "abi/errno.h"
#include <string.h>

/* First clear bit in [from, to) of the bitmap, or UINT32_MAX. */
static uint32_t find_zero(const uint8_t *map, uint32_t from, uint32_t to)
{
	uint32_t i = from;
	while (i < to) {
		if ((i & 7) == 0 && i + 8 <= to && map[i >> 3] == 0xff) {
			i += 8;
			continue;
		}
		if (!(map[i >> 3] & (1u << (i & 7))))
			return i;
		i++;
	}
	return UINT32_MAX;
}

/* Blocks a group's bitmap must never offer: its superblock copy, descriptors with their
 * reserved growth blocks (resize_inode), bitmaps and inode table. */
static bool is_meta(const struct ext2_fs *fs, uint32_t g, uint64_t blk)
{
	const struct ext2_gd *d = &fs->gd[g];
	uint64_t start = fs_group_start(fs, g);
	if (blk == d->bg_block_bitmap || blk == d->bg_inode_bitmap)
		return true;
	if (blk >= d->bg_inode_table && blk < (uint64_t)d->bg_inode_table + fs->itb)
		return true;
	return fs_group_has_super(fs, g) &&
	       blk < start + 1 + fs->gdt_blocks + fs->sb.s_reserved_gdt_blocks;
}

/* Takes a free block of group g at or after bit from (wrapping to 0 if wrap). */
static int take_block(struct ext2_fs *fs, uint32_t g, uint32_t from, bool wrap, uint32_t *out)
{
	struct bc_buf *b;
	uint32_t n = fs_group_blocks(fs, g);
	int r = bc_get(&fs->bc, fs->gd[g].bg_block_bitmap, &b);
	if (r)
		return r;
	uint32_t bit = find_zero(b->data, from < n ? from : 0, n);
	if (bit == UINT32_MAX && wrap && from)
		bit = find_zero(b->data, 0, from < n ? from : n);
	if (bit == UINT32_MAX) {
		bc_put(&fs->bc, b);
		return wrap ? fs_corrupt(fs, "block bitmap full but group counts free blocks")
			    : -ENOSPC;
	}
	uint64_t blk = fs_group_start(fs, g) + bit;
	if (is_meta(fs, g, blk)) {
		bc_put(&fs->bc, b);
		return fs_corrupt(fs, "block bitmap offers a metadata block");
	}
	b->data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	fs->gd[g].bg_free_blocks_count--;
	fs->sb.s_free_blocks_count--;
	*out = (uint32_t)blk;
	return 0;
}

int alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *out)
{
	if (fs->sb.s_free_blocks_count == 0)
		return -ENOSPC;
	if (!fs_block_ok(fs, goal))
		goal = fs->first_data;
	uint32_t g0 = (goal - fs->first_data) / fs->bpg;
	uint32_t bit0 = (uint32_t)(goal - fs_group_start(fs, g0));
	for (uint32_t k = 0; k < fs->groups; k++) {
		uint32_t g = (g0 + k) % fs->groups;
		if (fs->gd[g].bg_free_blocks_count == 0)
			continue;
		int r = take_block(fs, g, k == 0 ? bit0 : 0, true, out);
		if (r != -ENOSPC)
			return r;
	}
	return fs_corrupt(fs, "free block count without free blocks");
}

/* Flips an allocated bit of a bitmap block to free; -EUCLEAN if it was free already. */
static int clear_bit(struct ext2_fs *fs, uint32_t bitmap, uint32_t bit, const char *what)
{
	struct bc_buf *b;
	int r = bc_get(&fs->bc, bitmap, &b);
	if (r)
		return r;
	uint8_t mask = (uint8_t)(1u << (bit & 7));
	if (!(b->data[bit >> 3] & mask)) {
		bc_put(&fs->bc, b);
		return fs_corrupt(fs, what);
	}
	b->data[bit >> 3] &= (uint8_t)~mask;
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	return 0;
}

int free_block(struct ext2_fs *fs, uint32_t blk)
{
	if (!fs_block_ok(fs, blk))
		return fs_corrupt(fs, "freeing a block outside the file system");
	uint32_t g = (blk - fs->first_data) / fs->bpg;
	if (is_meta(fs, g, blk))
		return fs_corrupt(fs, "freeing a metadata block");
	int r = clear_bit(fs, fs->gd[g].bg_block_bitmap, (uint32_t)(blk - fs_group_start(fs, g)),
			  "freeing a free block");
	if (r)
		return r;
	bc_forget(&fs->bc, blk);
	if (fs->gd[g].bg_free_blocks_count < fs_group_blocks(fs, g))
		fs->gd[g].bg_free_blocks_count++;
	fs->sb.s_free_blocks_count++;
	return 0;
}

/* The group for a new inode: a file near its directory; a directory in a group with an
 * average share of free inodes and the most free blocks, so trees spread out. */
static uint32_t inode_group(const struct ext2_fs *fs, uint32_t parent, bool dir)
{
	uint32_t pg = (parent - 1) / fs->ipg;
	if (!dir || fs->groups == 1)
		return pg;
	uint32_t avg = fs->sb.s_free_inodes_count / fs->groups, best = pg;
	for (uint32_t k = 0; k < fs->groups; k++) {
		uint32_t g = (pg + k) % fs->groups;
		const struct ext2_gd *d = &fs->gd[g];
		if (d->bg_free_inodes_count && d->bg_free_inodes_count >= avg &&
		    d->bg_free_blocks_count > fs->gd[best].bg_free_blocks_count)
			best = g;
	}
	return best;
}

static int take_inode(struct ext2_fs *fs, uint32_t g, bool dir, uint32_t *out)
{
	struct bc_buf *b;
	int r = bc_get(&fs->bc, fs->gd[g].bg_inode_bitmap, &b);
	if (r)
		return r;
	uint32_t from = g == 0 ? fs->first_ino - 1 : 0;
	uint32_t bit = from < fs->ipg ? find_zero(b->data, from, fs->ipg) : UINT32_MAX;
	if (bit == UINT32_MAX) {
		bc_put(&fs->bc, b);
		return fs_corrupt(fs, "inode bitmap full but group counts free inodes");
	}
	b->data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	fs->gd[g].bg_free_inodes_count--;
	fs->sb.s_free_inodes_count--;
	if (dir)
		fs->gd[g].bg_used_dirs_count++;
	*out = g * fs->ipg + bit + 1;
	return 0;
}

int alloc_inode(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *out)
{
	if (fs->sb.s_free_inodes_count == 0)
		return -ENOSPC;
	uint32_t g0 = inode_group(fs, parent, dir);
	for (uint32_t k = 0; k < fs->groups; k++) {
		uint32_t g = (g0 + k) % fs->groups;
		if (fs->gd[g].bg_free_inodes_count)
			return take_inode(fs, g, dir, out);
	}
	return fs_corrupt(fs, "free inode count without free inodes");
}

int free_inode(struct ext2_fs *fs, uint32_t ino, bool dir)
{
	if (ino < fs->first_ino || ino > fs->inodes_count)
		return fs_corrupt(fs, "freeing a reserved or invalid inode");
	uint32_t g = (ino - 1) / fs->ipg;
	int r = clear_bit(fs, fs->gd[g].bg_inode_bitmap, (ino - 1) % fs->ipg,
			  "freeing a free inode");
	if (r)
		return r;
	if (fs->gd[g].bg_free_inodes_count < fs->ipg)
		fs->gd[g].bg_free_inodes_count++;
	fs->sb.s_free_inodes_count++;
	if (dir && fs->gd[g].bg_used_dirs_count)
		fs->gd[g].bg_used_dirs_count--;
	return 0;
}
