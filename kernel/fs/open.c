/* Name resolution and open(2): from a path to a plate, and from a plate to an open file of
 * the right variant, with Linux's rules for O_CREAT, O_EXCL, O_TRUNC and O_DIRECTORY. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/chroot.h"
#include "kernel/fs/fifo.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/fs/path.h"
#include "kernel/fs/plate.h"
#include "kernel/res/res.h"

/* Flags that only act at open time and are not kept in the open file. */
#define OPEN_ONLY (L_O_CREAT | L_O_EXCL | L_O_TRUNC | L_O_CLOEXEC | 0400 /* O_NOCTTY */)

/* A symbolic link met while normalising: where it is and what followed it in the path. */
struct link_found {
	bool found;
	char link[PATH_BUF];
	char rest[PATH_BUF];
	const char *root;               /* the process's root (chroot.h), NULL for "/" */
	const struct cred *cred;        /* who walks: needs search rights (NULL: the kernel) */
};

static bool is_symlink(rid_t rid)
{
	return (plate_mode(rid) & L_S_IFMT) == L_S_IFLNK;
}

static int must_be_dir(const char *rel, const char *rest, void *arg)
{
	struct link_found *lf = arg;
	char dir[PATH_BUF];
	rid_t rid;
	int err = lf->root ? fs_root_join(lf->root, rel, dir) : (strlcpy(dir, rel, PATH_BUF), 0);
	if (!err)
		err = plate_lookup_path(dir, &rid);
	if (err)
		return err;
	if (plate_is_dir(rid))
		return plate_permission(rid, PLATE_MAY_EXEC, lf->cred);
	if (!is_symlink(rid))
		return -ENOTDIR;
	lf->found = true;
	strlcpy(lf->link, dir, sizeof(lf->link));
	strlcpy(lf->rest, rest, sizeof(lf->rest));
	return -ELOOP;                  /* ends this normalisation: the caller starts anew */
}

/* The path that replaces a link and what followed it: its target and the rest, relative to
 * the link's directory (into base) unless the target is absolute. */
static int splice(const struct link_found *lf, char path[PATH_BUF], char base[PATH_BUF])
{
	rid_t rid;
	int err = plate_lookup_path(lf->link, &rid);
	long n = err ? err : plate_readlink(rid, path, PATH_MAX_LEN);
	if (n <= 0)
		return n ? (int)n : -ENOENT;
	path[n] = '\0';
	if ((size_t)n + strlen(lf->rest) > PATH_MAX_LEN)
		return -ENAMETOOLONG;
	strlcpy(path + n, lf->rest, PATH_BUF - (size_t)n);
	path_parent(lf->link, base);
	return 0;
}

/* path against base in the namespace of lf->root (the whole namespace when NULL): there
 * "/" and ".." stop at the root, and a base outside it counts as the root itself. out is
 * the global canonical path. */
static int normalize(const char *base, const char *path, char out[PATH_BUF],
		     struct link_found *lf)
{
	char rel_base[PATH_BUF], rel[PATH_BUF];
	if (!lf->root)
		return path_normalize(base, path, out, must_be_dir, lf);
	if (!fs_root_strip(lf->root, base, rel_base))
		strlcpy(rel_base, "/", sizeof(rel_base));
	int err = path_normalize(rel_base, path, rel, must_be_dir, lf);
	if (!err)
		err = fs_root_join(lf->root, rel, out);
	if (err)
		out[0] = '\0';
	return err;
}

/* A relative path is looked up in its base directory, which needs search rights as every
 * directory the path goes through does (must_be_dir). */
static int may_search_base(const char *base, const char *path, const struct cred *cred)
{
	rid_t rid;
	if (!cred || path[0] == '/' || plate_lookup_path(base, &rid))
		return 0;                /* a base that is gone: the walk answers */
	return plate_is_dir(rid) ? plate_permission(rid, PLATE_MAY_EXEC, cred) : 0;
}

/* Symbolic links (only disks have them) are followed where the path goes through them, and
 * at its end when follow is set; more than L_SYMLOOP_MAX of them: -ELOOP. */
static int resolve(const char *base, const char *path, char out[PATH_BUF], bool follow,
		   bool rooted, const struct cred *cred)
{
	char cur[PATH_BUF], curbase[PATH_BUF];
	rid_t rid;
	if (strnlen(path, PATH_BUF) > PATH_MAX_LEN)
		return -ENAMETOOLONG;
	int err = may_search_base(base, path, cred);
	if (err)
		return err;
	strlcpy(cur, path, sizeof(cur));
	strlcpy(curbase, base, sizeof(curbase));
	for (int depth = 0;; depth++) {
		struct link_found lf = { .found = false, .root = rooted ? fs_root_cur() : NULL,
					 .cred = cred };
		int err = normalize(curbase, cur, out, &lf);
		int last = err || !follow ? -ENOENT : plate_lookup_path(out, &rid);
		if (last != 0 && last != -ENOENT)
			return last;              /* the server failed, or a light call declines */
		if (!last && is_symlink(rid)) {
			lf.found = true;
			strlcpy(lf.link, out, sizeof(lf.link));
			lf.rest[0] = '\0';
		} else if (!lf.found) {
			return err;
		}
		if (depth >= L_SYMLOOP_MAX)
			return -ELOOP;
		if ((err = splice(&lf, cur, curbase)))
			return err;
	}
}

int fs_resolve(const char *base, const char *path, char out[PATH_BUF])
{
	return resolve(base, path, out, true, true, fs_cred_cur());
}

int fs_resolve_nofollow(const char *base, const char *path, char out[PATH_BUF])
{
	return resolve(base, path, out, false, true, fs_cred_cur());
}

int fs_resolve_as(const char *base, const char *path, char out[PATH_BUF], bool follow,
		  const struct cred *cred)
{
	return resolve(base, path, out, follow, true, cred);
}

int fs_resolve_global(const char *path, char out[PATH_BUF])
{
	return resolve("/", path, out, true, false, NULL);
}

static int is_write_open(int flags)
{
	int acc = flags & L_O_ACCMODE;
	return acc == L_O_WRONLY || acc == L_O_RDWR || (flags & L_O_TRUNC);
}

/* The plate at canon, created first when O_CREAT asks for it and it does not exist. */
static int find_or_create(const char *canon, int flags, uint32_t mode, const struct cred *cred,
			  rid_t *out, int *created)
{
	char parent[PATH_BUF];
	rid_t dir;
	*created = 0;
	int err = plate_lookup_path(canon, out);
	if (err == 0)
		return (flags & L_O_CREAT) && (flags & L_O_EXCL) ? -EEXIST : 0;
	if (err != -ENOENT)
		return err;
	if (!(flags & L_O_CREAT))
		return -ENOENT;
	path_parent(canon, parent);
	if (plate_lookup_path(parent, &dir))
		return -ENOENT;
	if (!plate_is_writable(dir))
		return -EROFS;       /* a read-only "mount" answers before permissions, as on Linux */
	if ((err = plate_permission(dir, PLATE_MAY_WRITE | PLATE_MAY_EXEC, cred)))
		return err;
	*created = 1;
	return plate_create(canon, mode & 07777, cred, out);
}

/* Whether flags may open this plate, by its kind and cred's rights. */
static int check_open(rid_t plate, int flags, const struct cred *cred)
{
	int dir = plate_is_dir(plate);
	int regular = (plate_mode(plate) & L_S_IFMT) == L_S_IFREG;
	if (dir && (is_write_open(flags) || (flags & L_O_CREAT)))
		return -EISDIR;
	if (!dir && (flags & L_O_DIRECTORY))
		return -ENOTDIR;
	if (regular && is_write_open(flags) && !plate_is_writable(plate))
		return -EROFS;
	int err = (flags & L_O_ACCMODE) != L_O_WRONLY ? plate_permission(plate, PLATE_MAY_READ, cred) : 0;
	if (!err && plate_is_proc(plate))
		err = plate_proc_may_access(plate, cred);
	if (!err && is_write_open(flags))
		err = plate_permission(plate, PLATE_MAY_WRITE, cred);
	return err;
}

int file_open_path(const char *canon, int flags, uint32_t mode, const struct cred *cred,
		   struct file **out)
{
	rid_t plate;
	int created, err;
	if ((flags & L_O_ACCMODE) == L_O_ACCMODE ||
	    ((flags & L_O_CREAT) && (flags & L_O_DIRECTORY)))   /* as Linux since 6.4 */
		return -EINVAL;
	if ((err = find_or_create(canon, flags, mode, cred, &plate, &created)))
		return err;
	if (!created && (err = check_open(plate, flags, cred)))
		return err;
	int keep = flags & ~OPEN_ONLY;
	uint32_t kind = plate_mode(plate) & L_S_IFMT;
	if (kind == L_S_IFLNK)
		return -ELOOP;                /* O_NOFOLLOW on a link (others were followed) */
	if ((kind == L_S_IFCHR || kind == L_S_IFBLK) && plate_nodev(plate))
		return -EACCES;               /* a device node of a nodev mount, as Linux */
	if (kind == L_S_IFCHR || kind == L_S_IFBLK)
		return file_open_device(plate, keep, out);
	if (kind == L_S_IFIFO)
		return fifo_open(plate, keep, out);
	if (kind == L_S_IFSOCK)
		return -ENXIO;                /* as Linux: a socket is reached by connect */
	if ((flags & L_O_TRUNC) && kind == L_S_IFREG && (err = plate_truncate(plate, 0)))
		return err;
	return file_open_plate(plate, keep, out);
}
