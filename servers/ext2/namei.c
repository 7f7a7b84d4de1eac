/*
 * Name operations: lookup, create (files, directories, FIFOs, sockets), symlinks, hard links,
 * unlink, rmdir and rename, with POSIX's rules and ext2's link counts (a directory has one link
 * from its parent's entry, one from its own ".", and one from each subdirectory's "..").
 * Every check runs before the first change, so an error leaves the tree as it was.
 */
#include "servers/ext2/ext2_int.h"
#include "abi/errno.h"
#include <string.h>


static bool is_dir(const struct ext2_inode *ip)
{
	return (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
}

static bool is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* A live directory. */
static int get_dir(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dip)
{
	int r = ino_get_live(fs, dino, dip);
	if (r)
		return r;
	if (!is_dir(dip))
		return dip->i_mode ? -ENOTDIR : -ENOENT;
	return dip->i_links_count ? 0 : -ENOENT;
}

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
	struct ext2_inode di;
	int r = dir_check_name(name, len);
	if (r || (r = get_dir(fs, dir, &di)))
		return r;
	return dir_find(fs, &di, name, len, ino, NULL);
}

/* Checks for a new entry name in dir: writable, valid, absent. */
static int prepare_new(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip,
		       const char *name, size_t len)
{
	uint32_t other;
	if (fs->ro)
		return -EROFS;
	int r = dir_check_name(name, len);
	if (r)
		return r;
	if (is_dot(name, len))
		return -EEXIST;
	if ((r = get_dir(fs, dir, dip)))
		return r;
	r = dir_find(fs, dip, name, len, &other, NULL);
	return r == -ENOENT ? 0 : r ? r : -EEXIST;
}

static int new_inode(struct ext2_fs *fs, uint32_t dir, uint32_t mode, uint32_t uid,
		     uint32_t gid, uint32_t *ino, struct ext2_inode *ip)
{
	bool d = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	int r = alloc_inode(fs, dir, d, ino);
	if (r)
		return r;
	uint32_t t = fs_now(fs);
	memset(ip, 0, sizeof(*ip));
	ip->i_mode = (uint16_t)mode;
	ino_set_owner(ip, uid, gid);
	ip->i_atime = ip->i_ctime = ip->i_mtime = t;
	ip->i_links_count = d ? 2 : 1;
	ip->i_generation = ++fs->generation;
	return 0;
}

/* Undoes new_inode (and whatever blocks it got) after a later step failed. */
static void discard_new(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
	if (ino_has_blocks(fs, ip))
		bmap_truncate(fs, ino, ip, 0);
	ip->i_links_count = 0;
	ip->i_dtime = fs_now(fs);
	ino_init(fs, ino, ip);
	free_inode(fs, ino, is_dir(ip));
}

/* Gives the new inode its name in dir; fills is a step between allocation and naming. */
static int finish_new(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip,
		      const char *name, size_t len, uint32_t ino, struct ext2_inode *ip)
{
	int r = ino_init(fs, ino, ip);
	if (!r)
		r = dir_add(fs, dir, dip, name, len, ino, ip->i_mode);
	if (r) {
		discard_new(fs, ino, ip);
		ino_write(fs, dir, dip);
		return r;
	}
	if (is_dir(ip))
		dip->i_links_count++;
	return ino_write(fs, dir, dip);
}

int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
		uint32_t rdev, uint32_t uid, uint32_t gid, uint32_t *ino)
{
	struct ext2_inode di, ip;
	uint32_t t = mode & EXT2_S_IFMT;
	if (t == 0)
		t = EXT2_S_IFREG;
	if (t != EXT2_S_IFREG && t != EXT2_S_IFDIR && t != EXT2_S_IFIFO && t != EXT2_S_IFSOCK &&
	    t != EXT2_S_IFCHR && t != EXT2_S_IFBLK)
		return -EINVAL;
	int r = prepare_new(fs, dir, &di, name, len);
	if (r)
		return r;
	if (t == EXT2_S_IFDIR && di.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	if ((r = new_inode(fs, dir, t | (mode & 07777), uid, gid, ino, &ip)))
		return r;
	if (t == EXT2_S_IFCHR || t == EXT2_S_IFBLK)
		ino_set_rdev(&ip, rdev);
	if (t == EXT2_S_IFDIR && (r = dir_init_block(fs, *ino, &ip, dir))) {
		discard_new(fs, *ino, &ip);
		return r;
	}
	return finish_new(fs, dir, &di, name, len, *ino, &ip);
}

static int write_target(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip,
			const char *target, size_t tlen)
{
	if (tlen < EXT2_FAST_LINK_MAX) {
		memcpy(ip->i_block, target, tlen);
		ino_set_size(fs, ip, tlen);
		return 0;
	}
	uint32_t pblk;
	bool fresh;
	struct bc_buf *b;
	int r = bmap(fs, ino, ip, 0, true, &pblk, &fresh);
	if (r || (r = bc_get_zero(&fs->bc, pblk, &b)))
		return r;
	memcpy(b->data, target, tlen);
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	ino_set_size(fs, ip, tlen);
	return 0;
}

int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 const char *target, size_t tlen, uint32_t uid, uint32_t gid, uint32_t *ino)
{
	struct ext2_inode di, ip;
	if (tlen == 0)
		return -ENOENT;
	if (tlen >= fs->bs)
		return -ENAMETOOLONG;
	int r = prepare_new(fs, dir, &di, name, len);
	if (r || (r = new_inode(fs, dir, EXT2_S_IFLNK | 0777, uid, gid, ino, &ip)))
		return r;
	if ((r = write_target(fs, *ino, &ip, target, tlen))) {
		discard_new(fs, *ino, &ip);
		return r;
	}
	return finish_new(fs, dir, &di, name, len, *ino, &ip);
}

int ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t size, size_t *len)
{
	struct ext2_inode ip;
	int r = ino_get_live(fs, ino, &ip);
	if (r)
		return r;
	if ((ip.i_mode & EXT2_S_IFMT) != EXT2_S_IFLNK)
		return -EINVAL;
	bool fast = !ino_has_blocks(fs, &ip);
	uint32_t n = ip.i_size;
	if (n >= fs->bs || (fast && n >= EXT2_FAST_LINK_MAX))
		return fs_corrupt(fs, "bad symbolic link size");
	size_t c = n < size ? n : size;
	*len = c;
	if (fast) {
		memcpy(buf, ip.i_block, c);
		return 0;
	}
	uint32_t pblk;
	bool fresh;
	struct bc_buf *b;
	if ((r = bmap(fs, ino, &ip, 0, false, &pblk, &fresh)))
		return r;
	if (pblk == 0)
		return fs_corrupt(fs, "symbolic link without its block");
	if ((r = bc_get(&fs->bc, pblk, &b)))
		return r;
	memcpy(buf, b->data, c);
	bc_put(&fs->bc, b);
	return 0;
}

int ext2_link(struct ext2_fs *fs, uint32_t ino, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode di, ip;
	int r = prepare_new(fs, dir, &di, name, len);
	if (r || (r = ino_get_live(fs, ino, &ip)))
		return r;
	if (ip.i_links_count == 0)
		return -ENOENT;
	if (is_dir(&ip))
		return -EPERM;
	if (ip.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	if ((r = dir_add(fs, dir, &di, name, len, ino, ip.i_mode))) {
		ino_write(fs, dir, &di);        /* a block may have been added before the failure */
		return r;
	}
	ip.i_links_count++;
	ip.i_ctime = fs_now(fs);
	if ((r = ino_write(fs, ino, &ip)))
		return r;
	return ino_write(fs, dir, &di);
}

/* One link fewer (all: a removed directory's); the last frees the inode unless it is open. */
int namei_drop_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, bool all)
{
	if (ip->i_links_count)
		ip->i_links_count--;
	if (all)
		ip->i_links_count = 0;
	ip->i_ctime = fs_now(fs);
	if (ip->i_links_count || fs_is_open(fs, ino))
		return ino_write(fs, ino, ip);
	return file_release(fs, ino, ip);
}

/* The entry name in dir, found for removal: its inode and place. */
static int find_victim(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip,
		       const char *name, size_t len, uint32_t *ino, struct ext2_inode *ip,
		       struct dir_loc *loc)
{
	if (fs->ro)
		return -EROFS;
	int r = dir_check_name(name, len);
	if (r || (r = get_dir(fs, dir, dip)) || (r = dir_find(fs, dip, name, len, ino, loc)))
		return r;
	return ino_get_entry(fs, *ino, ip);
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode di, ip;
	struct dir_loc loc;
	uint32_t ino;
	if (is_dot(name, len))
		return -EISDIR;
	int r = find_victim(fs, dir, &di, name, len, &ino, &ip, &loc);
	if (r)
		return r;
	if (is_dir(&ip))
		return -EISDIR;
	if ((r = dir_remove(fs, dir, &di, &loc)) || (r = ino_write(fs, dir, &di)))
		return r;
	return namei_drop_link(fs, ino, &ip, false);
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode di, ip;
	struct dir_loc loc;
	uint32_t ino;
	bool empty;
	if (len == 1 && name[0] == '.')
		return -EINVAL;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return -ENOTEMPTY;
	int r = find_victim(fs, dir, &di, name, len, &ino, &ip, &loc);
	if (r)
		return r;
	if (!is_dir(&ip))
		return -ENOTDIR;
	if (ino == EXT2_ROOT_INO || ino == dir)
		return -EBUSY;
	if ((r = dir_is_empty(fs, &ip, &empty)))
		return r;
	if (!empty)
		return -ENOTEMPTY;
	if ((r = dir_remove(fs, dir, &di, &loc)))
		return r;
	if (di.i_links_count > 2)
		di.i_links_count--;
	if ((r = ino_write(fs, dir, &di)))
		return r;
	return namei_drop_link(fs, ino, &ip, true);
}
