/* Changing the plate tree: making directories, removing names (unlink, rmdir), renaming, and
 * the attributes a program may change (permission bits, modification time). A plate that is
 * still open when its name is removed lives on without a name (unlisted, not found by path)
 * until its last open file is closed, as a Unix inode does. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/timer.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/fs/pathbuf.h"

uint32_t pl_now(void)
{
	return (uint32_t)(time_realtime_ns() / 1000000000ull);
}

/* The directory holding name canon (NULL: none), found by its path. */
static struct plate *dir_of(const char *canon)
{
	rid_t rid;
	char *parent = pathbuf_get();
	if (!parent)
		return NULL;
	path_parent(canon, parent);
	int err = plate_lookup_path(parent, &rid);
	pathbuf_put(parent);
	return err ? NULL : plate_obj(rid);
}

/* Device nodes in memory are the plates whose permission bits are their rights (the other
 * plates in memory keep the resource defaults: others may read them). */
bool pl_is_device(const struct plate *p)
{
	uint32_t kind = p->mode & L_S_IFMT;
	return kind == L_S_IFCHR || kind == L_S_IFBLK;
}

/* The writable directory that will hold a new entry at canon. */
int pl_new_entry_parent(const char *canon, struct plate **dir)
{
	rid_t rid;
	if (strcmp(canon, "/") == 0 || plate_lookup_path(canon, &rid) == 0)
		return -EEXIST;
	if (!(*dir = dir_of(canon)))
		return -ENOENT;
	if (!pl_is_dir(*dir))
		return -ENOTDIR;
	if ((*dir)->flags & PF_DISK)
		return pl_disk_writable(*dir) ? 0 : -EROFS;
	return PL_READ_ONLY(*dir) ? -EROFS : 0;
}

/* A new directory or node of mode (type and permission bits; rdev: a device's number) at
 * canon. */
static int make_node(const char *canon, uint32_t mode, uint32_t rdev, const struct cred *owner,
		     rid_t *out)
{
	struct plate *dir, *p;
	int err = pl_new_entry_parent(canon, &dir);
	if (!err && (dir->flags & PF_DISK))
		return pl_disk_create(dir, canon, mode, rdev, NULL, owner, out);
	if (!err)
		err = pl_make(canon, mode, TMODE_DEFAULT, owner, dir->hdr.rid, &p);
	if (err)
		return err;
	p->mtime = dir->mtime = pl_now();
	p->rdev = rdev;
	if (pl_is_device(p))           /* its bits guard the device: as on a disk */
		p->hdr.mode = pl_tmode_of(mode);
	*out = p->hdr.rid;
	return 0;
}

int plate_mkdir(const char *canon, uint32_t mode, const struct cred *owner, rid_t *out)
{
	return make_node(canon, L_S_IFDIR | (mode & 07777), 0, owner, out);
}

int plate_mknod(const char *canon, uint32_t mode, uint32_t rdev, const struct cred *owner,
		rid_t *out)
{
	uint32_t kind = mode & L_S_IFMT;
	if (kind != L_S_IFIFO && kind != L_S_IFSOCK && kind != L_S_IFCHR && kind != L_S_IFBLK)
		return -EINVAL;
	if (kind != L_S_IFCHR && kind != L_S_IFBLK)
		rdev = 0;
	return make_node(canon, kind | (mode & 07777), rdev, owner, out);
}

static int has_children(rid_t dir)
{
	return pl_has_children(plate_obj(dir)) || pl_name_in_dir(dir);
}

/* Frees a plate that has no name left and no open file. */
void pl_release_unlinked(struct plate *p)
{
	if (!(p->flags & PF_UNLINKED) || p->opens)
		return;
	pagelist_free_from(&p->pages, 0);
	pl_free(p);
}

/* p becomes entry name of parent (its subtree with it). The resource names (t_res_lookup)
 * of p and the plates below it are their paths, as far as a resource name holds them. */
static void set_name(struct plate *p, rid_t parent, const char *name)
{
	pl_place(p, parent, name);
	char *path = pathbuf_get();
	for (struct plate *c = pl_below_first(p); path && c; c = pl_below_next(p, c))
		if (pl_path_of(c, path, PATH_BUF) > 0)
			res_set_name(c->hdr.rid, path);
	pathbuf_put(path);
}

/* Removes p's own name: a further name (plate_name.c) becomes its own if it has one, else the
 * plate goes when its last open file is closed. */
static void drop_name(struct plate *p)
{
	char name[NAME_BUF];
	rid_t parent;
	struct plate *dir = plate_obj(p->parent);
	if (dir)
		dir->mtime = pl_now();
	if (!(p->flags & PF_DISK) && pl_name_take(p->hdr.rid, name, &parent) == 0) {
		set_name(p, parent, name);
		return;
	}
	p->flags |= PF_UNLINKED;
	pl_unname(p);
	res_set_name(p->hdr.rid, "");
	pl_release_unlinked(p);
}

/* Whether cred may remove (or rename away) entry p of directory dir: write permission on the
 * directory, and in a sticky directory (/tmp) also ownership of the entry or the directory. */
static int may_remove(const struct plate *dir, const struct plate *p, const struct cred *cred)
{
	if (PL_READ_ONLY(dir) || PL_READ_ONLY(p))
		return -EROFS;
	if (p->flags & PF_PINNED)
		return -EBUSY;
	if ((dir->flags & PF_DISK) && !pl_disk_writable(dir))
		return -EROFS;
	int err = plate_permission(dir->hdr.rid, PLATE_MAY_WRITE | PLATE_MAY_EXEC, cred);
	if (err)
		return err;
	if ((dir->mode & 01000) && cred->uid != 0 && cred->uid != p->hdr.owner &&
	    cred->uid != dir->hdr.owner)
		return -EPERM;
	return 0;
}

/* unlink of a further name of a file in memory. */
static int remove_further(struct plate *p, const char *canon, int want_dir,
			  const struct cred *cred)
{
	struct plate *dir = dir_of(canon);
	int err = !dir ? -ENOENT : want_dir ? -ENOTDIR : may_remove(dir, p, cred);
	if (!err)
		err = pl_name_remove(canon);
	if (!err)
		dir->mtime = pl_now();
	return err;
}

int plate_remove(const char *canon, int want_dir, const struct cred *cred)
{
	rid_t rid;
	struct plate *p, *dir;
	if (plate_lookup_path(canon, &rid) || !(p = plate_obj(rid)))
		return -ENOENT;
	if (!pl_path_is(p, canon))
		return remove_further(p, canon, want_dir, cred);
	if (!p->parent)
		return -EBUSY;                  /* "/" */
	dir = plate_obj(p->parent);
	if (want_dir && !pl_is_dir(p))
		return -ENOTDIR;
	if (!want_dir && pl_is_dir(p))
		return -EISDIR;
	int err = may_remove(dir, p, cred);
	if (!err && want_dir && has_children(rid))
		err = -ENOTEMPTY;
	if (!err && (p->flags & PF_DISK)) {
		err = pl_disk_remove(dir, p, want_dir);
		if (!err && !(p = plate_obj(rid)))
			return 0;
	}
	if (!err)
		drop_name(p);
	return err;
}

/* ---- rename ------------------------------------------------------------------------------ */

static int is_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Whether every path below p still fits in CANON_MAX_LEN when p's path becomes 'to'. */
static int subtree_fits(struct plate *p, const char *to)
{
	size_t nf = pl_path_len(p), nt = strlen(to);
	if (nt <= nf || !pl_is_dir(p))
		return 1;
	for (struct plate *c = pl_below_first(p); c && c != p; c = pl_below_next(p, c))
		if (pl_path_len(c) - nf + nt > CANON_MAX_LEN)
			return 0;
	return pl_name_fits_below(p, nt - nf);
}

/* Whether a pinned plate (a mount point in use) lies below directory p: a mount keeps its
 * path (mount.h), so the directories above it keep theirs. */
static bool holds_pinned(struct plate *p)
{
	if (!pl_is_dir(p))
		return false;
	for (struct plate *c = pl_below_first(p); c && c != p; c = pl_below_next(p, c))
		if (c->flags & PF_PINNED)
			return true;
	return false;
}

/* The name 'to' of dst goes (rename over it): a further name, or dst's own. */
static void drop_target(struct plate *dst, const char *to)
{
	if (!pl_path_is(dst, to))
		pl_name_remove(to);
	else
		drop_name(dst);
}

/* The checks of rename(2) when the target name already exists. */
static int check_replace(const struct plate *src, struct plate *dst, const struct cred *cred)
{
	struct plate *dstdir = plate_obj(dst->parent);
	if (pl_is_dir(src) && !pl_is_dir(dst))
		return -ENOTDIR;
	if (!pl_is_dir(src) && pl_is_dir(dst))
		return -EISDIR;
	if (pl_is_dir(dst) && has_children(dst->hdr.rid))
		return -ENOTEMPTY;
	return dstdir ? may_remove(dstdir, dst, cred) : -EBUSY;
}

/* The server's half of a rename on a disk; the plates may change while it answers, so src
 * and todir are found again by rid afterwards, and dst (the replaced plate) too. */
static int disk_rename(struct plate *src, struct plate *todir, const char *to,
		       struct plate **dst, rid_t dst_rid)
{
	rid_t src_rid = src->hdr.rid, dir_rid = todir->hdr.rid;
	struct plate *sdir = plate_obj(src->parent);
	if (!(src->flags & PF_DISK) || !(todir->flags & PF_DISK) || !sdir ||
	    src->mnt != todir->mnt)
		return -EXDEV;
	int err = *dst ? pl_disk_hold(*dst) : 0;      /* an open target lives on */
	if (!err && (!plate_obj(src_rid) || !plate_obj(dir_rid) || !plate_obj(src->parent)))
		err = -ESTALE;
	if (!err)
		err = pl_disk_rename(sdir, src, todir, to);
	if (err)
		return err;
	if (!plate_obj(src_rid) || !plate_obj(dir_rid))
		return -ESTALE;
	*dst = *dst ? plate_obj(dst_rid) : NULL;
	return 0;
}

/* The checks of rename(2) about the names, before the target is looked up. */
static int check_names(struct plate *src, struct plate *fromdir, struct plate *todir,
		       const char *from, const char *to)
{
	if (!pl_is_dir(todir))
		return -ENOTDIR;
	if (!src->parent || !fromdir || strcmp(to, "/") == 0)
		return -EBUSY;
	return is_below(to, from) ? -EINVAL : 0;     /* a directory into its own subtree */
}

/* The checks of rename(2) about rights and room, once the target (dst) is known. */
static int check_rename(struct plate *src, struct plate *fromdir, struct plate *todir,
			const char *to, struct plate *dst, const struct cred *cred)
{
	/* "/", /tmp and /dev are file systems of their own (pl_ram_dev), as Linux mounts them */
	if (!((src->flags | todir->flags) & PF_DISK) && pl_ram_dev(src) != pl_ram_dev(todir))
		return -EXDEV;
	int err = may_remove(fromdir, src, cred);
	if (!err && holds_pinned(src))
		err = -EBUSY;
	if (!err && PL_READ_ONLY(todir))
		err = -EROFS;
	if (!err)
		err = plate_permission(todir->hdr.rid, PLATE_MAY_WRITE | PLATE_MAY_EXEC, cred);
	if (!err && dst)
		err = check_replace(src, dst, cred);
	if (!err && !subtree_fits(src, to))
		err = -ENAMETOOLONG;
	return err;
}

int plate_rename(const char *from, const char *to, int noreplace, const struct cred *cred)
{
	rid_t src_rid, dst_rid;
	if (plate_lookup_path(from, &src_rid))
		return -ENOENT;
	struct plate *src = plate_obj(src_rid), *dst = NULL, *fromdir = dir_of(from);
	bool further = !pl_path_is(src, from);      /* a hard link's further name */
	struct plate *todir = dir_of(to);
	if (!todir)
		return -ENOENT;
	rid_t dir_rid = todir->hdr.rid;
	int err = check_names(src, fromdir, todir, from, to);
	if (err)
		return err;
	if (plate_lookup_path(to, &dst_rid) == 0)
		dst = plate_obj(dst_rid);
	if (dst && noreplace)
		return -EEXIST;
	if (dst == src)
		return 0;
	err = check_rename(src, fromdir, todir, to, dst, cred);
	if (!err && ((src->flags | todir->flags) & PF_DISK))
		err = disk_rename(src, todir, to, &dst, dst_rid);
	if (err)
		return err;
	if (dst)
		drop_target(dst, to);
	fromdir->mtime = todir->mtime = pl_now();
	if (further)
		return pl_name_move(from, to, dir_rid);
	set_name(src, dir_rid, path_basename(to));   /* its subtree goes with it */
	return 0;
}

/* ---- attributes -------------------------------------------------------------------------- */

/* Attributes may be changed by the owner or root, and not in /proc. */
static int may_set_attr(const struct plate *p, const struct cred *cred)
{
	if (!p)
		return -ENOENT;
	if (cred->uid != 0 && cred->uid != p->hdr.owner)
		return -EPERM;
	if ((p->flags & PF_DISK) && !pl_disk_writable(p))
		return -EROFS;
	return PL_READ_ONLY(p) ? -EROFS : 0;
}

int plate_chmod(rid_t rid, uint32_t mode, const struct cred *cred)
{
	struct plate *p = plate_obj(rid);
	int err = may_set_attr(p, cred);
	/* S_ISGID goes unless the caller is in the file's group (root keeps it), as Linux */
	if (!err && cred && cred->uid != 0 && !cred_in_group(cred, p->hdr.group))
		mode &= ~(uint32_t)L_S_ISGID;
	if (!err && (p->flags & PF_DISK)) {
		struct t_fs_setattr set = { .mask = TFS_SET_MODE, .mode = mode & 07777 };
		return pl_disk_setattr(p, &set);
	}
	if (!err)
		p->mode = (p->mode & L_S_IFMT) | (mode & 07777);
	if (!err && pl_is_device(p))
		p->hdr.mode = pl_tmode_of(p->mode);
	return err;
}

int plate_set_mtime(rid_t rid, uint32_t mtime, int explicit_time, const struct cred *cred)
{
	struct plate *p = plate_obj(rid);
	int err = may_set_attr(p, cred);
	/* "now" only needs write permission, as on Linux */
	if (err == -EPERM && !explicit_time)
		err = plate_permission(rid, PLATE_MAY_WRITE, cred) ? -EACCES : 0;
	if (!err && (p->flags & PF_DISK)) {
		struct t_fs_setattr set = { .mask = TFS_SET_MTIME | TFS_SET_ATIME, .mtime = mtime,
					    .atime = mtime };
		return pl_disk_setattr(p, &set);
	}
	if (!err)
		p->mtime = mtime;
	return err;
}

void plate_touch(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	if (p)
		p->mtime = pl_now();
}

/* chown(2): uid or gid (uint32_t)-1 stays. Root may give anything; an owner may only keep
 * its own uid and pick a group it is in (its group or a supplementary one). */
/* A change of owner or group takes the set-user-id bit off a file that is no directory, and
 * the set-group-id bit where it means set-group-id (with group execute), for root too, as
 * Linux's chown does: a set-id program given away must not keep running as its old owner. */
static uint32_t chown_mode(uint32_t mode, bool changes)
{
	if (!changes || (mode & L_S_IFMT) == L_S_IFDIR)
		return mode;
	mode &= ~(uint32_t)L_S_ISUID;
	if ((mode & (L_S_ISGID | 0010)) == (L_S_ISGID | 0010))
		mode &= ~(uint32_t)L_S_ISGID;
	return mode;
}

int plate_chown(rid_t rid, uint32_t uid, uint32_t gid, const struct cred *cred)
{
	struct plate *p = plate_obj(rid);
	int err = may_set_attr(p, cred);
	if (err)
		return err;
	if (cred->uid != 0 && ((uid != UINT32_MAX && uid != p->hdr.owner) ||
			       (gid != UINT32_MAX && !cred_in_group(cred, gid))))
		return -EPERM;
	uint32_t mode = chown_mode(p->mode, uid != UINT32_MAX || gid != UINT32_MAX);
	if (p->flags & PF_DISK) {
		struct t_fs_setattr set = { .uid = uid, .gid = gid, .mode = mode & 07777 };
		set.mask = (uid != UINT32_MAX ? TFS_SET_UID : 0) | (gid != UINT32_MAX ? TFS_SET_GID : 0) |
			   (mode != p->mode ? TFS_SET_MODE : 0);
		return set.mask ? pl_disk_setattr(p, &set) : 0;
	}
	struct cred o = { .uid = uid == UINT32_MAX ? p->hdr.owner : uid,
			  .gid = gid == UINT32_MAX ? p->hdr.group : gid };
	p->mode = mode;
	return res_reset_owner(rid, &o, p->hdr.mode);
}

