/*
 * File contents and attributes: read, write (allocating only the blocks written), truncation
 * up and down, getattr/setattr, and the open references that keep an unlinked file's blocks
 * until its last close.
 */
#include "servers/ext2/ext2_int.h"
#include "abi/errno.h"
#include <stdlib.h>
#include <string.h>

/* An inode a caller may use: in use, not reserved (the root excepted), linked or open. A
 * stale number (freed, reused by nobody yet) gives -ENOENT instead of corrupting. */
int ino_get_live(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
	if (ino == 0 || ino > fs->inodes_count || (ino < fs->first_ino && ino != EXT2_ROOT_INO))
		return -ENOENT;
	int r = ino_read(fs, ino, ip);
	if (r)
		return r;
	if (ip->i_mode == 0 || (ip->i_links_count == 0 && !fs_is_open(fs, ino)))
		return -ENOENT;
	return 0;
}

/* The inode a directory entry names: an entry for a free or reserved inode is corruption. */
int ino_get_entry(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
	int r = ino_get_live(fs, ino, ip);
	return r == -ENOENT ? fs_corrupt(fs, "directory entry names a free or reserved inode") : r;
}

static int check_regular(const struct ext2_inode *ip)
{
	uint32_t t = ip->i_mode & EXT2_S_IFMT;
	if (t == EXT2_S_IFREG)
		return 0;
	return t == EXT2_S_IFDIR ? -EISDIR : -EINVAL;
}

/* Before a file grows from size: the rest of its last block must read as zeros. */
static int zero_tail(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t size)
{
	uint32_t off = (uint32_t)(size % fs->bs), pblk;
	bool fresh;
	if (off == 0)
		return 0;
	int r = bmap(fs, ino, ip, size / fs->bs, false, &pblk, &fresh);
	if (r || pblk == 0)
		return r;
	struct bc_buf *b;
	if ((r = bc_get(&fs->bc, pblk, &b)))
		return r;
	memset(b->data + off, 0, fs->bs - off);
	bc_dirty(&fs->bc, b, ino);
	bc_put(&fs->bc, b);
	return 0;
}

int file_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t size)
{
	uint64_t old = ino_size(ip);
	int r = 0;
	if (size > old)
		r = zero_tail(fs, ino, ip, old);
	else if (size < old || size == 0)
		r = bmap_truncate(fs, ino, ip, (size + fs->bs - 1) / fs->bs);
	ino_set_size(fs, ip, size);
	ip->i_mtime = ip->i_ctime = fs_now(fs);
	return r;
}

/* Drops the inode's reference to its extended-attribute block (shared by refcount). */
static int release_xattr(struct ext2_fs *fs, struct ext2_inode *ip)
{
	uint32_t blk = ip->i_file_acl;
	struct bc_buf *b;
	if (!blk)
		return 0;
	ip->i_file_acl = 0;
	if (!fs_block_ok(fs, blk))
		return fs_corrupt(fs, "attribute block out of range");
	int r = bc_get(&fs->bc, blk, &b);
	if (r)
		return r;
	uint32_t *h = (uint32_t *)b->data;
	if (h[0] != EXT2_XATTR_MAGIC || h[1] == 0) {
		bc_put(&fs->bc, b);
		return fs_corrupt(fs, "bad attribute block");
	}
	h[1]--;
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	if (h[1])
		return 0;
	ip->i_blocks = ip->i_blocks >= fs->bs / 512 ? ip->i_blocks - fs->bs / 512 : 0;
	return free_block(fs, blk);
}

/* The inode has no links and no open references left: its blocks and number are freed. */
int file_release(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
	int r = 0, r2;
	if (ino_has_blocks(fs, ip))
		r = bmap_truncate(fs, ino, ip, 0);
	r2 = release_xattr(fs, ip);
	r = r ? r : r2;
	ip->i_links_count = 0;
	ip->i_dtime = fs_now(fs);
	if (ino_has_blocks(fs, ip) || (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		ino_set_size(fs, ip, 0);
	r2 = ino_write(fs, ino, ip);
	r = r ? r : r2;
	r2 = free_inode(fs, ino, (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR);
	return r ? r : r2;
}

/* Before reading block lblk (at pblk, not cached) of a read that goes on to block last: the
 * physically adjacent part of the rest, and as much again when the file is read in order,
 * comes in with one device request. */
static void read_ahead(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t lblk,
		       uint64_t last, uint32_t pblk)
{
	uint64_t end = ino_size(ip) / fs->bs;
	if (fs->ra_ino == ino && fs->ra_next == lblk)
		last += BC_RUN;
	if (last > end)
		last = end;
	uint32_t k = 1;
	for (; lblk + k <= last && k < BC_RUN; k++) {
		uint32_t p;
		bool fresh;
		if (bmap(fs, ino, ip, lblk + k, false, &p, &fresh) || p != pblk + k)
			break;
	}
	bc_prefetch(&fs->bc, pblk, k);
}

static int do_read(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t off,
		   uint8_t *buf, size_t n)
{
	uint64_t last = (off + n - 1) / fs->bs;
	for (size_t pos = 0; pos < n;) {
		uint64_t at = off + pos;
		uint32_t bo = (uint32_t)(at % fs->bs), pblk;
		size_t chunk = fs->bs - bo < n - pos ? fs->bs - bo : n - pos;
		bool fresh;
		int r = bmap(fs, ino, ip, at / fs->bs, false, &pblk, &fresh);
		if (r)
			return r;
		if (pblk == 0) {
			memset(buf + pos, 0, chunk);
		} else {
			struct bc_buf *b;
			if (!bc_cached(&fs->bc, pblk))
				read_ahead(fs, ino, ip, at / fs->bs, last, pblk);
			if ((r = bc_get(&fs->bc, pblk, &b)))
				return r;
			memcpy(buf + pos, b->data + bo, chunk);
			bc_put(&fs->bc, b);
		}
		pos += chunk;
	}
	fs->ra_ino = ino;
	fs->ra_next = last + 1;
	return 0;
}

/* Linux's relatime: atime moves only when it is older than the last change or a day old. */
static int touch_atime(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
	uint32_t now = fs_now(fs);
	if (fs->ro || (ip->i_atime > ip->i_mtime && ip->i_atime > ip->i_ctime &&
		       now - ip->i_atime < 86400))
		return 0;
	ip->i_atime = now;
	return ino_write(fs, ino, ip);
}

int ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len,
	      size_t *done)
{
	struct ext2_inode ip;
	*done = 0;
	int r = ino_get_live(fs, ino, &ip);
	if (r || (r = check_regular(&ip)))
		return r;
	uint64_t size = ino_size(&ip);
	if (off >= size || len == 0)
		return 0;
	size_t n = size - off < len ? (size_t)(size - off) : len;
	if ((r = do_read(fs, ino, &ip, off, buf, n)))
		return r;
	*done = n;
	return touch_atime(fs, ino, &ip);
}

static int do_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t off,
		    const uint8_t *buf, size_t n, size_t *done)
{
	int r = 0;
	size_t pos = 0;
	while (pos < n) {
		uint64_t at = off + pos;
		uint32_t bo = (uint32_t)(at % fs->bs), pblk;
		size_t chunk = fs->bs - bo < n - pos ? fs->bs - bo : n - pos;
		bool fresh;
		if ((r = bmap(fs, ino, ip, at / fs->bs, true, &pblk, &fresh)))
			break;
		struct bc_buf *b;
		bool whole = fresh || chunk == fs->bs;
		if ((r = whole ? bc_get_zero(&fs->bc, pblk, &b) : bc_get(&fs->bc, pblk, &b)))
			break;
		memcpy(b->data + bo, buf + pos, chunk);
		bc_dirty(&fs->bc, b, ino);
		bc_put(&fs->bc, b);
		pos += chunk;
	}
	*done = pos;
	return r;
}

int ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len,
	       size_t *done)
{
	struct ext2_inode ip;
	*done = 0;
	if (fs->ro)
		return -EROFS;
	int r = ino_get_live(fs, ino, &ip);
	if (r || (r = check_regular(&ip)) || len == 0)
		return r;
	if (off >= fs->max_size)
		return -EFBIG;
	if (len > fs->max_size - off)
		len = (size_t)(fs->max_size - off);
	uint64_t size = ino_size(&ip);
	if (off > size && (r = zero_tail(fs, ino, &ip, size)))
		return r;
	r = do_write(fs, ino, &ip, off, buf, len, done);
	if (*done) {
		if (off + *done > size)
			ino_set_size(fs, &ip, off + *done);
		ip.i_mtime = ip.i_ctime = fs_now(fs);
		r = 0;
	}
	int r2 = ino_write(fs, ino, &ip);
	return r ? r : r2;
}

int ext2_getattr(struct ext2_fs *fs, uint32_t ino, struct ext2_attr *a)
{
	struct ext2_inode ip;
	int r = ino_get_live(fs, ino, &ip);
	if (r)
		return r;
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->generation = ip.i_generation;
	a->mode = ip.i_mode;
	a->nlink = ip.i_links_count;
	a->uid = ino_uid(&ip);
	a->gid = ino_gid(&ip);
	a->size = ino_size(&ip);
	a->blocks = ip.i_blocks;
	a->atime = ip.i_atime, a->mtime = ip.i_mtime, a->ctime = ip.i_ctime;
	uint32_t t = ip.i_mode & EXT2_S_IFMT;
	if (t == EXT2_S_IFCHR || t == EXT2_S_IFBLK)
		a->rdev = ino_rdev(&ip);
	a->blksize = fs->bs;
	return 0;
}

static int check_setattr(struct ext2_fs *fs, const struct ext2_inode *ip,
			 const struct ext2_setattr *sa)
{
	if (fs->ro)
		return -EROFS;
	if (!(sa->mask & EXT2_SET_SIZE))
		return 0;
	int r = check_regular(ip);
	if (r)
		return r;
	return sa->size > fs->max_size ? -EFBIG : 0;
}

int ext2_setattr(struct ext2_fs *fs, uint32_t ino, const struct ext2_setattr *sa)
{
	struct ext2_inode ip;
	int r = ino_get_live(fs, ino, &ip);
	if (r || (r = check_setattr(fs, &ip, sa)))
		return r;
	if (sa->mask & EXT2_SET_SIZE)
		r = file_truncate(fs, ino, &ip, sa->size);
	if (sa->mask & EXT2_SET_MODE)
		ip.i_mode = (uint16_t)((ip.i_mode & EXT2_S_IFMT) | (sa->mode & 07777));
	if (sa->mask & EXT2_SET_UID)
		ino_set_owner(&ip, sa->uid, ino_gid(&ip));
	if (sa->mask & EXT2_SET_GID)
		ino_set_owner(&ip, ino_uid(&ip), sa->gid);
	if (sa->mask & EXT2_SET_ATIME)
		ip.i_atime = sa->atime;
	if (sa->mask & EXT2_SET_MTIME)
		ip.i_mtime = sa->mtime;
	ip.i_ctime = fs_now(fs);
	int r2 = ino_write(fs, ino, &ip);
	return r ? r : r2;
}

static struct ext2_open_ref *find_open(const struct ext2_fs *fs, uint32_t ino)
{
	for (uint32_t i = 0; i < fs->nopen; i++)
		if (fs->open[i].ino == ino)
			return &fs->open[i];
	return NULL;
}

bool fs_is_open(const struct ext2_fs *fs, uint32_t ino)
{
	return find_open(fs, ino) != NULL;
}

int ext2_open(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode ip;
	int r = ino_get_live(fs, ino, &ip);
	if (r)
		return r;
	struct ext2_open_ref *o = find_open(fs, ino);
	if (o) {
		o->count++;
		return 0;
	}
	if (fs->nopen == fs->open_cap) {
		uint32_t cap = fs->open_cap ? fs->open_cap * 2 : 16;
		struct ext2_open_ref *n = fs->mem.realloc(fs->open, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		fs->open = n;
		fs->open_cap = cap;
	}
	fs->open[fs->nopen++] = (struct ext2_open_ref){ ino, 1 };
	return 0;
}

int ext2_close(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_open_ref *o = find_open(fs, ino);
	if (!o)
		return -EINVAL;
	if (--o->count)
		return 0;
	*o = fs->open[--fs->nopen];
	struct ext2_inode ip;
	int r = ino_read(fs, ino, &ip);
	if (r || ip.i_links_count || ip.i_mode == 0 || fs->ro)
		return r;
	return file_release(fs, ino, &ip);
}
