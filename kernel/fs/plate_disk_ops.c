/*
 * The operations of disk plates (plate_disk.c), each one request to the plate's file-system
 * server (fsclient.h, abi/fsproto.h): content, directory listings, names and attributes. The
 * kernel has checked the caller's rights before it gets here (from the attributes the server
 * reported). Data moves between user (or kernel) memory and a kernel-held data ICA with one
 * copy; the server reads and writes that ICA in place.
 */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/dirent.h"
#include "kernel/fs/fsclient.h"
#include "kernel/fs/mount.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"

#define DIR_END INT64_MAX          /* a listing's position past its last entry */

/* Starts request fn on p's mount with arg[1] = p's inode. */
static int begin(struct fsc *k, uint32_t fn, const struct plate *p, const char *name,
		 size_t data)
{
	const struct mount *m = p ? mnt_get(p->mnt) : NULL;
	if (!m)
		return -ESTALE;
	int err = fsc_begin(k, fn, m->handle, name, name ? strlen(name) : 0, data);
	if (!err)
		k->m.arg[1] = p->ino;
	return err;
}

static int move(void *dst, const void *src, size_t n, int user_dst, int user_src)
{
	if (user_dst)
		return copy_to_user(dst, src, n) ? -EFAULT : 0;
	if (user_src)
		return copy_from_user(dst, src, n) ? -EFAULT : 0;
	memcpy(dst, src, n);
	return 0;
}

/* One request of at most FSC_DATA bytes: the bytes moved or an error. */
static long io_once(rid_t rid, uint64_t off, char *buf, size_t n, int write, int user)
{
	struct fsc k;
	struct plate *p = plate_obj(rid);
	int err = begin(&k, write ? TFN_FS_WRITE : TFN_FS_READ, p, NULL, n);
	if (err)
		return err;
	k.m.arg[2] = off;
	k.m.arg[3] = n;
	if (write)
		err = move(k.data, buf, n, 0, user);
	if (!err)
		err = fsc_call(&k);
	size_t got = err ? 0 : (k.m.arg[0] < n ? k.m.arg[0] : n);
	if (!err && !write)
		err = move(buf, k.data, got, user, 0);
	if (!err && write && (p = plate_obj(rid))) {
		pl_disk_apply(p, &k.c->attr);
		pl_new_version(p);
	} else if (!err && (p = plate_obj(rid))) {
		p->flags |= PF_STALE;         /* the access time */
	}
	fsc_end(&k);
	return err ? err : (long)got;
}

/* How much of a read of n bytes at off to ask for. The size a disk plate holds is the
 * server's (only the kernel changes a mounted file system, and every write and truncation
 * reports the new size to every plate of the inode), so a read asks for no more than is there:
 * a 1 KiB file read into a 1 MiB buffer then travels in a one-page ICA instead of having
 * 64 pages mapped into the server and out again. Near or past the end a small ICA's worth is
 * asked for, so the server still has the last word on the end of the file. */
static size_t read_span(rid_t rid, uint64_t off, size_t n)
{
	const struct plate *p = plate_obj(rid);
	if (!p || !(p->flags & PF_DISK) || pl_is_dir(p))
		return n;
	uint64_t left = p->size > off ? p->size - off : 0;
	if (left < FSC_SMALL)
		left = FSC_SMALL;
	return left < n ? (size_t)left : n;
}

long plate_disk_io(rid_t rid, uint64_t off, void *buf, size_t n, int write, int user)
{
	size_t done = 0;
	long r = 0;
	if (!write)
		n = read_span(rid, off, n);
	while (done < n) {
		size_t chunk = n - done < FSC_DATA ? n - done : FSC_DATA;
		r = io_once(rid, off + done, (char *)buf + done, chunk, write, user);
		if (r <= 0)
			break;
		done += (size_t)r;
		if ((size_t)r < chunk)
			break;
	}
	return done ? (long)done : r;
}

int pl_disk_create(struct plate *dir, const char *canon, uint32_t mode, uint32_t rdev,
		   const char *target, const struct cred *owner, rid_t *out)
{
	struct fsc k;
	struct t_fs_attr a;
	rid_t drid = dir->hdr.rid;
	int err = begin(&k, target ? TFN_FS_SYMLINK : TFN_FS_CREATE, dir, path_basename(canon), 0);
	if (err)
		return err;
	k.m.arg[2] = mode;
	k.m.arg[3] = owner->uid;
	k.m.arg[4] = owner->gid;
	k.m.arg[5] = rdev;
	if (target) {
		size_t n = strlen(target);
		memcpy(k.c->name2, target, n + 1);
		k.c->name2_len = (uint32_t)n;
	}
	if (!(err = fsc_call(&k)))
		a = k.c->attr;
	fsc_end(&k);
	if (!err && (dir = plate_obj(drid)))
		pl_disk_stale(dir);           /* its times, and its link count for a directory */
	return err ? err : pl_disk_adopt(drid, canon, &a, out);
}

int pl_disk_link(struct plate *p, struct plate *dir, const char *canon, rid_t *out)
{
	struct fsc k;
	struct t_fs_attr a;
	rid_t drid = dir->hdr.rid;
	if (p->mnt != dir->mnt)
		return -EXDEV;
	int err = begin(&k, TFN_FS_LINK, p, path_basename(canon), 0);
	if (err)
		return err;
	k.m.arg[2] = dir->ino;
	if (!(err = fsc_call(&k)))
		a = k.c->attr;
	fsc_end(&k);
	if (!err && (dir = plate_obj(drid)))
		pl_disk_stale(dir);
	return err ? err : pl_disk_adopt(drid, canon, &a, out);
}

int pl_disk_remove(struct plate *dir, struct plate *p, int rmdir)
{
	struct fsc k;
	rid_t rid = p->hdr.rid, drid = dir->hdr.rid;
	int err = pl_disk_hold(p);
	if (!err && (plate_obj(rid) != p || plate_obj(drid) != dir))
		err = -ESTALE;                /* changed while the server answered */
	if (!err)
		err = begin(&k, TFN_FS_UNLINK, dir, p->name, 0);
	if (err)
		return err;
	k.m.arg[2] = (uint64_t)rmdir;
	err = fsc_call(&k);
	fsc_end(&k);
	if (!err && plate_obj(drid) == dir)
		pl_disk_stale(dir);
	if (!err && plate_obj(rid) == p)
		pl_disk_stale(p);             /* the other names' link count */
	return err;
}

int pl_disk_rename(struct plate *sdir, struct plate *src, struct plate *ddir, const char *to)
{
	struct fsc k;
	if (sdir->mnt != ddir->mnt)
		return -EXDEV;
	int err = begin(&k, TFN_FS_RENAME, sdir, src->name, 0);
	if (err)
		return err;
	const char *name = path_basename(to);
	size_t n = strlen(name);
	memcpy(k.c->name2, name, n + 1);
	k.c->name2_len = (uint32_t)n;
	k.m.arg[2] = ddir->ino;
	rid_t s = sdir->hdr.rid, d = ddir->hdr.rid, r = src->hdr.rid;
	err = fsc_call(&k);
	fsc_end(&k);
	struct plate *x;
	if (!err && (x = plate_obj(s)))
		pl_disk_stale(x);
	if (!err && (x = plate_obj(d)))
		pl_disk_stale(x);
	if (!err && (x = plate_obj(r)))
		pl_disk_stale(x);
	return err;
}

int pl_disk_setattr(struct plate *p, const struct t_fs_setattr *set)
{
	struct fsc k;
	rid_t rid = p->hdr.rid;
	int err = begin(&k, TFN_FS_SETATTR, p, NULL, 0);
	if (err)
		return err;
	k.c->set = *set;
	err = fsc_call(&k);
	if (!err && (p = plate_obj(rid))) {
		pl_disk_apply(p, &k.c->attr);
		if (set->mask & TFS_SET_SIZE)
			pl_new_version(p);
	}
	fsc_end(&k);
	return err;
}

/* Repacks the server's records as dirent64 into buf; *pos follows the records taken. */
static long repack(const uint8_t *d, size_t n, uint64_t *pos, char *buf, size_t cap)
{
	size_t done = 0, at = 0;
	while (at + sizeof(struct t_fs_dirent) <= n) {
		const struct t_fs_dirent *e = (const void *)(d + at);
		if (e->reclen < sizeof(*e) + e->namelen || at + e->reclen > n || !e->namelen)
			return done ? (long)done : -EIO;
		size_t len = dirent_pack(buf + done, cap - done, e->ino,
					 e->next ? (int64_t)e->next : DIR_END, e->type, e->name,
					 e->namelen);
		if (!len)
			break;
		done += len;
		at += e->reclen;
		*pos = e->next ? e->next : DIR_END;
	}
	return (long)done;
}

long pl_disk_dir_read(struct plate *d, uint64_t *pos, void *buf, size_t cap)
{
	struct fsc k;
	if (*pos == DIR_END)
		return 0;
	int err = begin(&k, TFN_FS_READDIR, d, NULL, FSC_DATA);
	if (err)
		return err;
	k.m.arg[2] = *pos;
	long r = fsc_call(&k);
	uint64_t n = k.m.arg[0] < FSC_DATA ? k.m.arg[0] : FSC_DATA;
	/* past the last entry the server sends nothing: that is the end */
	if (!r && (r = repack(k.data, n, pos, buf, cap)) == 0 && n)
		r = -EINVAL;                         /* not even one record fits */
	fsc_end(&k);
	return r;
}

long pl_disk_readlink(struct plate *p, char *kbuf, size_t size)
{
	struct fsc k;
	int err = begin(&k, TFN_FS_READLINK, p, NULL, T_FS_TARGET_MAX + 1);
	if (err)
		return err;
	long r = fsc_call(&k);
	if (!r) {
		size_t n = k.m.arg[0] <= T_FS_TARGET_MAX ? k.m.arg[0] : T_FS_TARGET_MAX;
		r = (long)(n < size ? n : size);
		memcpy(kbuf, k.data, (size_t)r);
	}
	fsc_end(&k);
	return r;
}

/* An open file's inode must outlive its last name: the server is told it is open only when a
 * name of an open plate is about to go (unlink, rmdir, a rename over it), which saves two
 * requests on every open and close. */
int pl_disk_hold(struct plate *p)
{
	const struct mount *m = mnt_get(p->mnt);
	if (!p->opens || (p->flags & PF_SRVREF))
		return 0;
	int err = m ? fsc_simple(TFN_FS_OPEN, m->handle, p->ino, 0, NULL) : -ESTALE;
	if (!err)
		p->flags |= PF_SRVREF;
	return err;
}

void pl_disk_close(struct plate *p)
{
	const struct mount *m = mnt_get(p->mnt);
	if (m)
		fsc_simple(TFN_FS_CLOSE, m->handle, p->ino, 0, NULL);
}

int plate_fsync(rid_t rid, int whole)
{
	struct plate *p = plate_obj(rid);
	const struct mount *m = p && (p->flags & PF_DISK) ? mnt_get(p->mnt) : NULL;
	if (!m)
		return 0;                    /* plates in memory: nothing to write back */
	return fsc_simple(TFN_FS_FSYNC, m->handle, whole ? 0 : p->ino, 0, NULL);
}

int plate_disk_statfs(rid_t rid, struct t_fs_statfs *out)
{
	struct fsc k;
	struct plate *p = plate_obj(rid);
	if (!p || !(p->flags & PF_DISK))
		return -ENOTSUP;
	int err = begin(&k, TFN_FS_STATFS, p, NULL, 0);
	if (err)
		return err;
	if (!(err = fsc_call(&k)))
		*out = k.c->statfs;
	fsc_end(&k);
	return err;
}

int pl_disk_destroy(struct plate *p)
{
	struct plate *dir = plate_obj(p->parent);
	if (!dir || !(dir->flags & PF_DISK))
		return -EBUSY;
	if (!pl_disk_writable(dir))
		return -EROFS;
	return pl_disk_remove(dir, p, pl_is_dir(p));
}
