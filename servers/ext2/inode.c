/*
 * Inodes in the inode tables: read and written through the block cache as their first 128
 * bytes (the rest of a 256-byte inode, extra fields and in-inode attributes, is left as it is),
 * and the few field rules: 32-bit uid/gid split in two halves, 64-bit size for regular files.
 */
#include "servers/ext2/ext2_int.h"
#include "abi/errno.h"
#include <string.h>

static int locate(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, uint32_t *off)
{
	if (ino == 0 || ino > fs->inodes_count)
		return -EINVAL;
	uint32_t g = (ino - 1) / fs->ipg, idx = (ino - 1) % fs->ipg;
	uint64_t byte = (uint64_t)idx * fs->isz;
	*blk = fs->gd[g].bg_inode_table + (uint32_t)(byte / fs->bs);
	*off = (uint32_t)(byte % fs->bs);
	return 0;
}

int ino_read(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
	uint32_t blk, off;
	struct bc_buf *b;
	int r = locate(fs, ino, &blk, &off);
	if (r || (r = bc_get(&fs->bc, blk, &b)))
		return r;
	memcpy(out, b->data + off, sizeof(*out));
	bc_put(&fs->bc, b);
	return 0;
}

static int put(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in, bool whole)
{
	uint32_t blk, off;
	struct bc_buf *b;
	int r = locate(fs, ino, &blk, &off);
	if (r || (r = bc_get(&fs->bc, blk, &b)))
		return r;
	if (whole)
		memset(b->data + off, 0, fs->isz);
	memcpy(b->data + off, in, sizeof(*in));
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	return 0;
}

int ino_write(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	return put(fs, ino, in, false);
}

/* A newly allocated inode: its extra bytes are cleared too (i_extra_isize 0 is valid). */
int ino_init(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	return put(fs, ino, in, true);
}

uint64_t ino_size(const struct ext2_inode *ip)
{
	uint64_t s = ip->i_size;
	if ((ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		s |= (uint64_t)ip->i_size_high << 32;
	return s;
}

void ino_set_size(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t size)
{
	ip->i_size = (uint32_t)size;
	if ((ip->i_mode & EXT2_S_IFMT) != EXT2_S_IFREG)
		return;
	ip->i_size_high = (uint32_t)(size >> 32);
	if (size >= (1ull << 31) && !(fs->sb.s_feature_ro_compat & EXT2_RO_COMPAT_LARGE_FILE) &&
	    fs->sb.s_rev_level >= 1)
		fs->sb.s_feature_ro_compat |= EXT2_RO_COMPAT_LARGE_FILE;
}

/* Whether i_block holds block numbers: not for devices, FIFOs, sockets and fast symlinks. */
bool ino_has_blocks(const struct ext2_fs *fs, const struct ext2_inode *ip)
{
	uint32_t t = ip->i_mode & EXT2_S_IFMT;
	if (t == EXT2_S_IFREG || t == EXT2_S_IFDIR)
		return true;
	if (t != EXT2_S_IFLNK)
		return false;
	uint32_t acl = ip->i_file_acl ? fs->bs / 512 : 0;
	return ip->i_blocks > acl;
}

/* A device inode's number as Linux's ext2 keeps it: the old encoding (major << 8 | minor)
 * in i_block[0] when both fit in a byte, else 0 there and the new one in i_block[1]. Both
 * read back in the new encoding (Linux's st_rdev), whose low 16 bits are the old one. */
void ino_set_rdev(struct ext2_inode *ip, uint32_t rdev)
{
	uint32_t major = (rdev >> 8) & 0xfff, minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
	memset(ip->i_block, 0, sizeof(ip->i_block));
	if (major < 256 && minor < 256)
		ip->i_block[0] = major << 8 | minor;
	else
		ip->i_block[1] = rdev;
}

uint32_t ino_rdev(const struct ext2_inode *ip)
{
	return ip->i_block[0] ? ip->i_block[0] & 0xffff : ip->i_block[1];
}

uint32_t ino_uid(const struct ext2_inode *ip)
{
	return ip->i_uid | (uint32_t)ip->i_uid_high << 16;
}

uint32_t ino_gid(const struct ext2_inode *ip)
{
	return ip->i_gid | (uint32_t)ip->i_gid_high << 16;
}

void ino_set_owner(struct ext2_inode *ip, uint32_t uid, uint32_t gid)
{
	ip->i_uid = (uint16_t)uid;
	ip->i_uid_high = (uint16_t)(uid >> 16);
	ip->i_gid = (uint16_t)gid;
	ip->i_gid_high = (uint16_t)(gid >> 16);
}
