/*
 * The file operations of the ext2 server: one function per request of abi/fsproto.h, each
 * taking its arguments from the message and the control ICA and calling the ext2 code. Data
 * is read and written straight in the request's data ICA: the server copies no file data.
 */
#include <string.h>
#include "abi/errno.h"
#include "servers/ext2/fsrv.h"
#include "srv.h"

int fsrv_attr(struct ext2_fs *fs, uint32_t ino, struct t_fs_attr *out)
{
	struct ext2_attr a;
	int err = ext2_getattr(fs, ino, &a);
	if (err)
		return err;
	*out = (struct t_fs_attr){
		.ino = a.ino, .generation = a.generation, .mode = a.mode, .nlink = a.nlink,
		.uid = a.uid, .gid = a.gid, .size = a.size, .blocks = a.blocks, .atime = a.atime,
		.mtime = a.mtime, .ctime = a.ctime, .rdev = a.rdev, .blksize = a.blksize,
	};
	return 0;
}

/* An inode number argument: 32 bits (the ext2 code refuses the ones out of range). */
static int ino_arg(uint64_t v, uint32_t *ino)
{
	if (v == 0 || v > UINT32_MAX)
		return -EINVAL;
	*ino = (uint32_t)v;
	return 0;
}

/* The data ICA and its size, with len bytes asked of it. */
static int data_of(const struct t_msg *m, uint64_t len, void **p)
{
	*p = srv_data(m);
	if (!*p || len > srv_ica_pages(m->data) * 4096)
		return -EINVAL;
	return 0;
}

static int do_rw(struct ext2_fs *fs, struct t_msg *m, struct t_fs_ctl *c, uint32_t ino)
{
	void *buf;
	size_t done = 0;
	int err = data_of(m, m->arg[3], &buf);
	if (err)
		return err;
	if (m->fn == TFN_FS_READ) {
		err = ext2_read(fs, ino, m->arg[2], buf, m->arg[3], &done);
	} else {
		err = ext2_write(fs, ino, m->arg[2], buf, m->arg[3], &done);
		if (!err)
			err = fsrv_attr(fs, ino, &c->attr);
	}
	m->arg[0] = done;
	return err;
}

static int do_setattr(struct ext2_fs *fs, struct t_fs_ctl *c, uint32_t ino)
{
	struct ext2_setattr sa = {
		.mask = c->set.mask, .mode = c->set.mode, .uid = c->set.uid, .gid = c->set.gid,
		.size = c->set.size, .atime = c->set.atime, .mtime = c->set.mtime,
	};
	int err = ext2_setattr(fs, ino, &sa);
	return err ? err : fsrv_attr(fs, ino, &c->attr);
}

/* FS_READDIR packs records into the data ICA until it is full. */
struct fill {
	uint8_t *buf;
	size_t cap, used;
	int stopped;                    /* the ICA filled up before the directory ended */
};

static int fill_one(void *ctx, const char *name, uint32_t len, uint32_t ino, uint8_t type,
		    uint64_t next)
{
	struct fill *f = ctx;
	size_t rec = (sizeof(struct t_fs_dirent) + len + 7) & ~(size_t)7;
	if (len > T_FS_NAME_MAX || f->used + rec > f->cap) {
		f->stopped = 1;
		return 1;
	}
	struct t_fs_dirent *d = (struct t_fs_dirent *)(f->buf + f->used);
	d->next = next;
	d->ino = ino;
	d->reclen = (uint16_t)rec;
	d->type = ext2_ft_to_dt(type);
	d->namelen = (uint8_t)len;
	memcpy(d->name, name, len);
	f->used += rec;
	return 0;
}

static int do_readdir(struct ext2_fs *fs, struct t_msg *m, uint32_t dir)
{
	struct fill f = { NULL, 0, 0, 0 };
	uint64_t cookie = m->arg[2];
	int err = data_of(m, 1, (void **)&f.buf);
	if (err)
		return err;
	f.cap = srv_ica_pages(m->data) * 4096;
	if ((err = ext2_readdir(fs, dir, &cookie, fill_one, &f)))
		return err;
	m->arg[0] = f.used;
	m->arg[1] = f.stopped ? cookie : 0;
	return f.stopped && !f.used ? -EINVAL : 0;
}

static int do_name_op(struct ext2_fs *fs, struct t_msg *m, struct t_fs_ctl *c, uint32_t a1)
{
	uint32_t ino = 0, dir2;
	int err = 0;
	switch (m->fn) {
	case TFN_FS_LOOKUP:
		err = ext2_lookup(fs, a1, c->name, c->name_len, &ino);
		break;
	case TFN_FS_CREATE:
		err = ext2_create(fs, a1, c->name, c->name_len, (uint32_t)m->arg[2],
				  (uint32_t)m->arg[5], (uint32_t)m->arg[3], (uint32_t)m->arg[4],
				  &ino);
		break;
	case TFN_FS_SYMLINK:
		err = ext2_symlink(fs, a1, c->name, c->name_len, c->name2, c->name2_len,
				   (uint32_t)m->arg[3], (uint32_t)m->arg[4], &ino);
		break;
	case TFN_FS_LINK:
		if (!(err = ino_arg(m->arg[2], &dir2)))
			err = ext2_link(fs, a1, dir2, c->name, c->name_len);
		ino = a1;
		break;
	case TFN_FS_UNLINK:
		return m->arg[2] ? ext2_rmdir(fs, a1, c->name, c->name_len)
				 : ext2_unlink(fs, a1, c->name, c->name_len);
	default:                        /* TFN_FS_RENAME */
		if ((err = ino_arg(m->arg[2], &dir2)))
			return err;
		return ext2_rename(fs, a1, c->name, c->name_len, dir2, c->name2, c->name2_len);
	}
	if (!err)
		err = fsrv_attr(fs, ino, &c->attr);
	m->arg[0] = ino;
	return err;
}

static int do_readlink(struct ext2_fs *fs, struct t_msg *m, uint32_t ino)
{
	void *buf;
	size_t len = 0;
	int err = data_of(m, T_FS_TARGET_MAX + 1, &buf);
	if (!err)
		err = ext2_readlink(fs, ino, buf, T_FS_TARGET_MAX + 1, &len);
	m->arg[0] = len;
	return err;
}

static int do_statfs(struct ext2_fs *fs, struct t_fs_ctl *c)
{
	struct ext2_statfs s;
	int err = ext2_statfs(fs, &s);
	if (!err)
		c->statfs = (struct t_fs_statfs){
			.bsize = s.bsize, .namemax = s.namemax, .blocks = s.blocks, .bfree = s.bfree,
			.bavail = s.bavail, .files = s.files, .ffree = s.ffree,
			.read_only = s.read_only,
		};
	return err;
}

int fsrv_op(struct ext2_fs *fs, struct t_msg *m, struct t_fs_ctl *c)
{
	uint32_t a1 = 0;
	if (m->fn == TFN_FS_STATFS)
		return do_statfs(fs, c);
	if (m->fn == TFN_FS_FSYNC && m->arg[1] > UINT32_MAX)
		return -EINVAL;
	if (m->fn == TFN_FS_FSYNC)
		return m->arg[1] ? ext2_fsync(fs, (uint32_t)m->arg[1]) : ext2_sync(fs);
	int err = ino_arg(m->arg[1], &a1);
	if (err)
		return err;
	switch (m->fn) {
	case TFN_FS_GETATTR:
		return fsrv_attr(fs, a1, &c->attr);
	case TFN_FS_SETATTR:
		return do_setattr(fs, c, a1);
	case TFN_FS_READ:
	case TFN_FS_WRITE:
		return do_rw(fs, m, c, a1);
	case TFN_FS_READDIR:
		return do_readdir(fs, m, a1);
	case TFN_FS_READLINK:
		return do_readlink(fs, m, a1);
	case TFN_FS_OPEN:
		return ext2_open(fs, a1);
	case TFN_FS_CLOSE:
		return ext2_close(fs, a1);
	case TFN_FS_LOOKUP:
	case TFN_FS_CREATE:
	case TFN_FS_SYMLINK:
	case TFN_FS_LINK:
	case TFN_FS_UNLINK:
	case TFN_FS_RENAME:
		return do_name_op(fs, m, c, a1);
	default:
		return -ENOSYS;
	}
}
