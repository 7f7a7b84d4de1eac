/* Symbolic links of every kind of plate: a disk's (its server holds the target), /proc's
 * (generated: /proc/self, a process's cwd, exe and descriptors), and those of the boot image
 * and of memory, whose content is the target. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/lib/string.h"

static long content_target(const struct plate *p, char *kbuf, size_t size)
{
	size_t done = 0;
	while (done < size) {
		const void *src;
		size_t n;
		pl_content_span(p, done, &src, &n);
		if (!n)
			break;
		if (n > size - done)
			n = size - done;
		memcpy(kbuf + done, src, n);
		done += n;
	}
	return (long)done;
}

long plate_readlink(rid_t rid, char *kbuf, size_t size)
{
	struct plate *p = plate_obj(rid);
	if (!p)
		return -ENOENT;
	if ((p->mode & L_S_IFMT) != L_S_IFLNK)
		return -EINVAL;
	if (p->flags & PF_DISK)
		return pl_disk_readlink(p, kbuf, size);
	if (p->flags & PF_PROC)
		return procfs_readlink(&p->pnode, kbuf, size);
	return content_target(p, kbuf, size);
}

/* ---- making links ------------------------------------------------------------------------ */

/* A symbolic link in memory: a plate of type link whose content is the target. */
static int ram_symlink(struct plate *dir, const char *canon, const char *target,
		       const struct cred *owner, rid_t *out)
{
	struct plate *p;
	void *page;
	size_t n = strnlen(target, PATH_BUF);
	if (n > PATH_MAX_LEN)
		return -ENAMETOOLONG;
	int err = pl_make(canon, L_S_IFLNK | 0777, TMODE_DEFAULT, owner, dir->hdr.rid, &p);
	if (err)
		return err;
	if ((err = pagelist_get_alloc(&p->pages, 0, &page))) {
		pl_free(p);
		return err;
	}
	memcpy(page, target, n);
	p->size = n;
	p->mtime = dir->mtime = pl_now();
	*out = p->hdr.rid;
	return 0;
}

int plate_symlink(const char *canon, const char *target, const struct cred *owner, rid_t *out)
{
	struct plate *dir;
	int err = pl_new_entry_parent(canon, &dir);
	if (!err)
		err = plate_permission(dir->hdr.rid, PLATE_MAY_WRITE | PLATE_MAY_EXEC, owner);
	if (err)
		return err;
	if (dir->flags & PF_DISK)
		return pl_disk_create(dir, canon, L_S_IFLNK | 0777, 0, target, owner, out);
	return ram_symlink(dir, canon, target, owner, out);
}

/* Whether a hard link of p may go into dir: the same file system (a disk's mount, or the
 * same file system in memory), and never a directory. */
static int same_fs(const struct plate *p, const struct plate *dir)
{
	if (pl_is_dir(p))
		return -EPERM;
	if ((p->flags & PF_DISK) || (dir->flags & PF_DISK))
		return (p->flags & dir->flags & PF_DISK) && p->mnt == dir->mnt ? 0 : -EXDEV;
	if (pl_ram_dev(p) != pl_ram_dev(dir) || (p->flags & PF_UNLINKED))
		return p->flags & PF_UNLINKED ? -ENOENT : -EXDEV;
	return 0;
}

/* A hard link: on a disk its server makes it; in memory the plate gets a further name. */
int plate_link(rid_t rid, const char *canon, const struct cred *cred, rid_t *out)
{
	struct plate *dir, *p = plate_obj(rid);
	int err = pl_new_entry_parent(canon, &dir);
	if (!err && !p)
		err = -ENOENT;
	if (!err)
		err = same_fs(p, dir);
	if (!err)
		err = plate_permission(dir->hdr.rid, PLATE_MAY_WRITE | PLATE_MAY_EXEC, cred);
	if (err)
		return err;
	if (p->flags & PF_DISK)
		return pl_disk_link(p, dir, canon, out);
	if ((err = pl_name_add(canon, rid, dir->hdr.rid)))
		return err;
	dir->mtime = pl_now();
	*out = rid;
	return 0;
}
