/*
 * rename(2) for ext2: replaces an existing target as POSIX says (file over file, empty
 * directory over directory), moves directories between parents with their ".." and the link
 * counts, and refuses to move a directory into its own subtree. All checks come first; the
 * change is then: new name, old name removed, "..", counts, the replaced inode released.
 */
#include "servers/ext2/ext2_int.h"
#include "abi/errno.h"
#include <string.h>

#define ANCESTOR_WALK_MAX 65536u

static bool is_dir(const struct ext2_inode *ip)
{
	return (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
}

static bool is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static int live_dir(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dip)
{
	int r = ino_get_live(fs, dino, dip);
	if (r)
		return r;
	if (!is_dir(dip))
		return dip->i_mode ? -ENOTDIR : -ENOENT;
	return dip->i_links_count ? 0 : -ENOENT;
}

/* -EINVAL if dir is the directory moved (src) or lies below it, walking ".." to the root. */
static int check_not_below(struct ext2_fs *fs, uint32_t src, uint32_t dir)
{
	uint32_t cur = dir;
	for (uint32_t steps = 0; steps < ANCESTOR_WALK_MAX; steps++) {
		struct ext2_inode ip;
		uint32_t parent;
		if (cur == src)
			return -EINVAL;
		if (cur == EXT2_ROOT_INO)
			return 0;
		int r = ino_read(fs, cur, &ip);
		if (r)
			return r;
		if (!is_dir(&ip))
			return fs_corrupt(fs, "\"..\" names a non-directory");
		if ((r = dir_find(fs, &ip, "..", 2, &parent, NULL)))
			return r == -ENOENT ? fs_corrupt(fs, "directory without \"..\"") : r;
		if (parent == cur)
			return fs_corrupt(fs, "directory is its own parent");
		cur = parent;
	}
	return fs_corrupt(fs, "\"..\" chain does not reach the root");
}

struct ren {
	uint32_t sdir, ddir, sino, tino;
	struct ext2_inode sd, dd, si, ti;   /* dd unused when sdir == ddir */
	struct ext2_inode *dp;              /* the destination directory's copy */
	struct dir_loc tloc;
};

/* The target's side: the destination directory and an existing entry it would replace. */
static int ren_check_target(struct ext2_fs *fs, struct ren *x, const char *dn, size_t dl)
{
	int r;
	x->dp = &x->sd;
	if (x->ddir != x->sdir) {
		if ((r = live_dir(fs, x->ddir, &x->dd)))
			return r;
		x->dp = &x->dd;
	}
	r = dir_find(fs, x->dp, dn, dl, &x->tino, &x->tloc);
	if (r == -ENOENT)
		x->tino = 0;
	else if (r)
		return r;
	if (x->tino == x->sino || !x->tino)
		return 0;
	bool sdir = is_dir(&x->si), empty;
	if ((r = ino_get_entry(fs, x->tino, &x->ti)))
		return r;
	/* a target that holds the source somewhere below it is not empty, whatever the types */
	if (is_dir(&x->ti) && (r = check_not_below(fs, x->tino, x->sdir)))
		return r == -EINVAL ? -ENOTEMPTY : r;
	if (sdir != is_dir(&x->ti))
		return sdir ? -ENOTDIR : -EISDIR;
	if (sdir && ((r = dir_is_empty(fs, &x->ti, &empty)) || !empty))
		return r ? r : -ENOTEMPTY;
	return 0;
}

/* Everything that can refuse the rename, before anything changes, in Linux's order: a
 * directory moved below itself is -EINVAL before any other complaint about the target. */
static int ren_check(struct ext2_fs *fs, struct ren *x, const char *sn, size_t sl,
		     const char *dn, size_t dl)
{
	int r;
	if ((r = live_dir(fs, x->sdir, &x->sd)))
		return r;
	if ((r = dir_find(fs, &x->sd, sn, sl, &x->sino, NULL)) ||
	    (r = ino_get_entry(fs, x->sino, &x->si)))
		return r;
	if (x->ddir == x->sino)
		return -EINVAL;
	if (is_dir(&x->si) && x->sdir != x->ddir && (r = check_not_below(fs, x->sino, x->ddir)))
		return r;
	if ((r = ren_check_target(fs, x, dn, dl)) || x->tino == x->sino)
		return r;
	if (is_dir(&x->si) && x->sdir != x->ddir && !x->tino &&
	    x->dp->i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	return 0;
}

/* A directory moved to another parent: its ".." and both parents' link counts follow. */
static int move_dotdot(struct ext2_fs *fs, struct ren *x)
{
	struct dir_loc loc;
	uint32_t old;
	int r = dir_find(fs, &x->si, "..", 2, &old, &loc);
	if (r)
		return r == -ENOENT ? fs_corrupt(fs, "directory without \"..\"") : r;
	if ((r = dir_retarget(fs, x->sino, &x->si, &loc, x->ddir, EXT2_S_IFDIR)))
		return r;
	if (x->sd.i_links_count > 2)
		x->sd.i_links_count--;
	x->dp->i_links_count++;
	return 0;
}

static int ren_do(struct ext2_fs *fs, struct ren *x, const char *sn, size_t sl, const char *dn,
		  size_t dl)
{
	struct dir_loc sloc;
	uint32_t again;
	int r = x->tino ? dir_retarget(fs, x->ddir, x->dp, &x->tloc, x->sino, x->si.i_mode)
			: dir_add(fs, x->ddir, x->dp, dn, dl, x->sino, x->si.i_mode);
	if (r)
		return r;
	/* the source's place may have moved when the new entry went into the same block */
	if ((r = dir_find(fs, &x->sd, sn, sl, &again, &sloc)) ||
	    (r = dir_remove(fs, x->sdir, &x->sd, &sloc)))
		return r;
	if (x->tino && is_dir(&x->ti) && x->dp->i_links_count > 2)
		x->dp->i_links_count--;
	if (is_dir(&x->si) && x->sdir != x->ddir && (r = move_dotdot(fs, x)))
		return r;
	x->si.i_ctime = fs_now(fs);
	if ((r = ino_write(fs, x->sino, &x->si)) || (r = ino_write(fs, x->sdir, &x->sd)))
		return r;
	if (x->ddir != x->sdir && (r = ino_write(fs, x->ddir, &x->dd)))
		return r;
	return x->tino ? namei_drop_link(fs, x->tino, &x->ti, is_dir(&x->ti)) : 0;
}

int ext2_rename(struct ext2_fs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
		const char *dname, size_t dlen)
{
	struct ren x;
	if (fs->ro)
		return -EROFS;
	int r = dir_check_name(sname, slen);
	if (r || (r = dir_check_name(dname, dlen)))
		return r;
	if (is_dot(sname, slen) || is_dot(dname, dlen))
		return -EINVAL;
	memset(&x, 0, sizeof(x));
	x.sdir = sdir;
	x.ddir = ddir;
	if ((r = ren_check(fs, &x, sname, slen, dname, dlen)) || x.tino == x.sino)
		return r;
	return ren_do(fs, &x, sname, slen, dname, dlen);
}
