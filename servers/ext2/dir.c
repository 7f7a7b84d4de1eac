/*
 * Directories as ext2 stores them: blocks of variable-length entries, read linearly (an
 * htree index from dir_index is ignored, and a directory this code changes loses its
 * EXT2_INDEX_FL so the stale index is never trusted). Every entry is checked against its
 * block before use; a directory must be whole blocks without holes.
 */
#include "servers/ext2/ext2_int.h"
#include "abi/errno.h"
#include <string.h>

#define DIR_MAX_SIZE (128ull << 20)     /* no sane directory is bigger; a corrupt one may be */
#define NO_PREV UINT32_MAX

/* Called for each live or empty entry; returns 0 to go on, 1 to stop, or an error. */
typedef int (*visit_fn)(struct ext2_fs *fs, struct bc_buf *b, uint64_t lblk, uint32_t off,
			uint32_t prev, struct ext2_dirent *de, void *ctx);

int dir_check_name(const char *name, size_t len)
{
	if (len == 0)
		return -ENOENT;
	if (len > EXT2_NAME_MAX)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == 0)
			return -EINVAL;
	return 0;
}

uint8_t dir_ftype(uint32_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG: return EXT2_FT_REG;
	case EXT2_S_IFDIR: return EXT2_FT_DIR;
	case EXT2_S_IFCHR: return EXT2_FT_CHR;
	case EXT2_S_IFBLK: return EXT2_FT_BLK;
	case EXT2_S_IFIFO: return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK: return EXT2_FT_SOCK;
	case EXT2_S_IFLNK: return EXT2_FT_LNK;
	default: return EXT2_FT_UNKNOWN;
	}
}

uint8_t ext2_ft_to_dt(uint8_t ft)
{
	static const uint8_t dt[] = { 0, 8, 4, 2, 6, 1, 12, 10 };
	return ft < sizeof(dt) ? dt[ft] : 0;
}

static bool entry_ok(const struct ext2_fs *fs, const struct ext2_dirent *de, uint32_t off)
{
	if (off + EXT2_DIRENT_HDR > fs->bs)
		return false;
	uint32_t rl = de->rec_len;
	if (rl < EXT2_DIRENT_LEN(1) || rl % 4 || off + rl > fs->bs)
		return false;
	if (EXT2_DIRENT_HDR + de->name_len > rl || de->inode > fs->inodes_count)
		return false;
	return de->inode == 0 || de->name_len > 0;
}

static int dir_block(struct ext2_fs *fs, const struct ext2_inode *dip, uint64_t lblk,
		     struct bc_buf **out)
{
	struct ext2_inode copy = *dip;
	uint32_t pblk;
	bool fresh;
	int r = bmap(fs, 0, &copy, lblk, false, &pblk, &fresh);
	if (r)
		return r;
	if (pblk == 0)
		return fs_corrupt(fs, "hole in a directory");
	return bc_get(&fs->bc, pblk, out);
}

static int visit_block(struct ext2_fs *fs, struct bc_buf *b, uint64_t lblk, uint32_t from,
		       visit_fn fn, void *ctx)
{
	uint32_t prev = NO_PREV;
	for (uint32_t off = 0; off < fs->bs;) {
		struct ext2_dirent *de = (struct ext2_dirent *)(b->data + off);
		if (!entry_ok(fs, de, off))
			return fs_corrupt(fs, "bad directory entry");
		if (off >= from) {
			int r = fn(fs, b, lblk, off, prev, de, ctx);
			if (r)
				return r;
		}
		prev = off;
		off += de->rec_len;
	}
	return 0;
}

/* Visits the entries from byte offset start on. */
static int dir_walk(struct ext2_fs *fs, const struct ext2_inode *dip, uint64_t start,
		    visit_fn fn, void *ctx)
{
	uint64_t size = ino_size(dip);
	if (size % fs->bs || size > DIR_MAX_SIZE)
		return fs_corrupt(fs, "bad directory size");
	for (uint64_t lblk = start / fs->bs; lblk < size / fs->bs; lblk++) {
		struct bc_buf *b;
		int r = dir_block(fs, dip, lblk, &b);
		if (r)
			return r;
		uint32_t from = lblk == start / fs->bs ? (uint32_t)(start % fs->bs) : 0;
		r = visit_block(fs, b, lblk, from, fn, ctx);
		bc_put(&fs->bc, b);
		if (r)
			return r < 0 ? r : 0;
	}
	return 0;
}

struct find_ctx {
	const char *name;
	size_t len;
	uint32_t ino;
	struct dir_loc *loc;
};

static int find_visit(struct ext2_fs *fs, struct bc_buf *b, uint64_t lblk, uint32_t off,
		      uint32_t prev, struct ext2_dirent *de, void *ctx)
{
	(void)fs, (void)b;
	struct find_ctx *f = ctx;
	if (!de->inode || de->name_len != f->len || memcmp(de->name, f->name, f->len))
		return 0;
	f->ino = de->inode;
	if (f->loc)
		*f->loc = (struct dir_loc){ lblk, off, prev };
	return 1;
}

int dir_find(struct ext2_fs *fs, const struct ext2_inode *dip, const char *name, size_t len,
	     uint32_t *ino, struct dir_loc *loc)
{
	struct find_ctx f = { name, len, 0, loc };
	int r = dir_walk(fs, dip, 0, find_visit, &f);
	if (r)
		return r;
	if (!f.ino)
		return -ENOENT;
	*ino = f.ino;
	return 0;
}

struct add_ctx {
	const char *name;
	uint8_t len, type;
	uint32_t ino;
	bool done;
};

static void fill_entry(struct ext2_dirent *de, const struct add_ctx *a, uint16_t rec_len)
{
	de->inode = a->ino;
	de->rec_len = rec_len;
	de->name_len = a->len;
	de->file_type = a->type;
	memcpy(de->name, a->name, a->len);
}

static int add_visit(struct ext2_fs *fs, struct bc_buf *b, uint64_t lblk, uint32_t off,
		     uint32_t prev, struct ext2_dirent *de, void *ctx)
{
	(void)lblk, (void)off, (void)prev;
	struct add_ctx *a = ctx;
	uint32_t need = EXT2_DIRENT_LEN(a->len);
	uint32_t used = de->inode ? EXT2_DIRENT_LEN(de->name_len) : 0;
	if (de->rec_len < used + need)
		return 0;
	if (used) {
		uint16_t rest = (uint16_t)(de->rec_len - used);
		de->rec_len = (uint16_t)used;
		de = (struct ext2_dirent *)((uint8_t *)de + used);
		fill_entry(de, a, rest);
	} else {
		fill_entry(de, a, de->rec_len);
	}
	bc_dirty(&fs->bc, b, 0);
	a->done = true;
	return 1;
}

/* A new last block holding just this entry. */
static int add_block(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dip,
		     const struct add_ctx *a)
{
	uint64_t size = ino_size(dip);
	uint32_t pblk;
	bool fresh;
	if (size + fs->bs > DIR_MAX_SIZE)
		return -ENOSPC;
	int r = bmap(fs, dino, dip, size / fs->bs, true, &pblk, &fresh);
	if (r)
		return r;
	struct bc_buf *b;
	if ((r = bc_get_zero(&fs->bc, pblk, &b)))
		return r;
	fill_entry((struct ext2_dirent *)b->data, a, (uint16_t)fs->bs);
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	ino_set_size(fs, dip, size + fs->bs);
	return 0;
}

/* Adds name -> ino; the caller has checked that name is absent, and writes dip afterwards. */
int dir_add(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dip, const char *name,
	    size_t len, uint32_t ino, uint32_t mode)
{
	struct add_ctx a = { name, (uint8_t)len, fs->filetype ? dir_ftype(mode) : 0, ino, false };
	int r = dir_walk(fs, dip, 0, add_visit, &a);
	if (!r && !a.done)
		r = add_block(fs, dino, dip, &a);
	if (r)
		return r;
	uint32_t t = fs_now(fs);
	dip->i_mtime = dip->i_ctime = t;
	dip->i_flags &= ~EXT2_INDEX_FL;
	return 0;
}

static int change_entry(struct ext2_fs *fs, struct ext2_inode *dip, const struct dir_loc *loc,
			uint32_t ino, uint32_t mode, bool remove)
{
	struct bc_buf *b;
	int r = dir_block(fs, dip, loc->lblk, &b);
	if (r)
		return r;
	struct ext2_dirent *de = (struct ext2_dirent *)(b->data + loc->off);
	if (remove && loc->prev != NO_PREV) {
		struct ext2_dirent *p = (struct ext2_dirent *)(b->data + loc->prev);
		p->rec_len = (uint16_t)(p->rec_len + de->rec_len);
	} else {
		de->inode = ino;
		if (fs->filetype)
			de->file_type = dir_ftype(mode);
	}
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	uint32_t t = fs_now(fs);
	dip->i_mtime = dip->i_ctime = t;
	dip->i_flags &= ~EXT2_INDEX_FL;
	return 0;
}

/* loc comes from dir_find with no change to the directory since. */
int dir_remove(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dip,
	       const struct dir_loc *loc)
{
	(void)dino;
	return change_entry(fs, dip, loc, 0, 0, true);
}

int dir_retarget(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dip,
		 const struct dir_loc *loc, uint32_t ino, uint32_t mode)
{
	(void)dino;
	return change_entry(fs, dip, loc, ino, mode, false);
}

static int empty_visit(struct ext2_fs *fs, struct bc_buf *b, uint64_t lblk, uint32_t off,
		       uint32_t prev, struct ext2_dirent *de, void *ctx)
{
	(void)fs, (void)b, (void)lblk, (void)off, (void)prev;
	if (!de->inode)
		return 0;
	if (de->name_len == 1 && de->name[0] == '.')
		return 0;
	if (de->name_len == 2 && de->name[0] == '.' && de->name[1] == '.')
		return 0;
	*(bool *)ctx = false;
	return 1;
}

int dir_is_empty(struct ext2_fs *fs, const struct ext2_inode *dip, bool *empty)
{
	*empty = true;
	return dir_walk(fs, dip, 0, empty_visit, empty);
}

/* The first block of a new directory: "." and "..". */
int dir_init_block(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint32_t parent)
{
	uint32_t pblk;
	bool fresh;
	int r = bmap(fs, ino, ip, 0, true, &pblk, &fresh);
	if (r)
		return r;
	struct bc_buf *b;
	if ((r = bc_get_zero(&fs->bc, pblk, &b)))
		return r;
	uint8_t t = fs->filetype ? EXT2_FT_DIR : 0;
	struct ext2_dirent *d = (struct ext2_dirent *)b->data;
	*d = (struct ext2_dirent){ ino, 12, 1, t };
	d->name[0] = '.';
	d = (struct ext2_dirent *)(b->data + 12);
	*d = (struct ext2_dirent){ parent, (uint16_t)(fs->bs - 12), 2, t };
	d->name[0] = d->name[1] = '.';
	bc_dirty(&fs->bc, b, 0);
	bc_put(&fs->bc, b);
	ino_set_size(fs, ip, fs->bs);
	return 0;
}

struct rd_ctx {
	ext2_fill_fn fill;
	void *ctx;
	uint64_t *cookie;
};

static int rd_visit(struct ext2_fs *fs, struct bc_buf *b, uint64_t lblk, uint32_t off,
		    uint32_t prev, struct ext2_dirent *de, void *ctx)
{
	(void)b, (void)prev;
	struct rd_ctx *c = ctx;
	uint64_t here = lblk * fs->bs + off, next = here + de->rec_len;
	if (de->inode) {
		uint8_t t = fs->filetype && de->file_type <= EXT2_FT_LNK ? de->file_type : 0;
		int r = c->fill(c->ctx, de->name, de->name_len, de->inode, t, next);
		if (r)
			return r < 0 ? r : 1;
	}
	*c->cookie = next;
	return 0;
}

int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, ext2_fill_fn fill,
		 void *ctx)
{
	struct ext2_inode di;
	int r = ino_get_live(fs, dir, &di);
	if (r)
		return r;
	if ((di.i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		return -ENOTDIR;
	if (di.i_links_count == 0)
		return 0;
	struct rd_ctx c = { fill, ctx, cookie };
	return dir_walk(fs, &di, *cookie, rd_visit, &c);
}
