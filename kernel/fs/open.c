/* Name resolution and open(2): from a path to a plate, and from a plate to an open file of
 * the right variant, with Linux's rules for O_CREAT, O_EXCL, O_TRUNC and O_DIRECTORY. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/chroot.h"
#include "kernel/fs/fifo.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/fs/path.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/fs/plate.h"
#include "kernel/res/res.h"

/* Flags that only act at open time and are not kept in the open file. */
#define OPEN_ONLY (L_O_CREAT | L_O_EXCL | L_O_TRUNC | L_O_CLOEXEC | 0400 /* O_NOCTTY */)

/* A symbolic link met while normalising: its plate, and where the path goes on after it.
 * Buffers of PATH_BUF bytes: base (the directory the path being normalised is relative to,
 * free once normalisation has begun: it receives the link's directory) and, under a root
 * directory, dir (the global path of each directory checked). */
struct link_found {
	bool found;
	rid_t link;
	const char *rest;               /* inside the path being normalised */
	char *base;
	char *dir;
	const char *root;               /* the process's root (chroot.h), NULL for "/" */
	rid_t last;                     /* the directory checked last, at the first last_len */
	size_t last_len;                /* characters of the path looked up (0: none) */
	rid_t plate;                    /* what the path names, when the last step looked it up */
	const struct cred *cred;        /* who walks: needs search rights (NULL: the kernel) */
};

static bool is_symlink(rid_t rid)
{
	return (plate_mode(rid) & L_S_IFMT) == L_S_IFLNK;
}

/* Found a link at canonical path at: its directory becomes the base the target is read from. */
static int found_link(struct link_found *lf, rid_t rid, const char *at, const char *rest)
{
	lf->found = true;
	lf->link = rid;
	lf->rest = rest;
	path_parent(at, lf->base);
	return -ELOOP;                  /* ends this normalisation: the caller starts anew */
}

/* Whether rel (len characters) is a directory. A path longer than the one checked last
 * extends it by one component (path_dir_check): found from that directory by name, so a long
 * path costs lookups linear in its length, not in the square of it. */
static int must_be_dir(const char *rel, size_t len, const char *rest, void *arg)
{
	struct link_found *lf = arg;
	const char *dir = rel;
	rid_t rid;
	int err = lf->root ? fs_root_join(lf->root, rel, lf->dir) : 0;
	if (lf->root) {
		dir = lf->dir;
		len += strlen(lf->root);
	}
	if (!err && lf->last_len && len > lf->last_len && dir[lf->last_len] == '/')
		err = plate_lookup_in(lf->last, dir, lf->last_len + 1, &rid);
	else if (!err)
		err = plate_lookup_path(dir, &rid);
	if (err)
		return err;
	if (plate_is_dir(rid)) {
		lf->last = rid;
		lf->last_len = len;
		return plate_permission(rid, PLATE_MAY_EXEC, lf->cred);
	}
	if (!is_symlink(rid))
		return -ENOTDIR;
	return found_link(lf, rid, dir, rest);
}

/* The path that replaces a link and what followed it, in place in path (where lf->rest
 * points): the link's target and the rest, relative to the link's directory (lf->base)
 * unless the target is absolute. */
static int splice(const struct link_found *lf, char *path)
{
	size_t nrest = strlen(lf->rest);
	char *target = kbig_alloc(PATH_ARG_BUF);
	long n = target ? plate_readlink(lf->link, target, PATH_MAX_LEN) : -ENOMEM;
	if (n == 0)
		n = -ENOENT;
	else if (n > 0 && (size_t)n + nrest > CANON_MAX_LEN)
		n = -ENAMETOOLONG;
	if (n > 0) {
		memmove(path + n, lf->rest, nrest + 1);
		memcpy(path, target, (size_t)n);
	}
	kbig_free(target, PATH_ARG_BUF);
	return n < 0 ? (int)n : 0;
}

/* path against base in the namespace of lf->root (the whole namespace when NULL): there
 * "/" and ".." stop at the root, and a base outside it counts as the root itself. out is
 * the global canonical path. */
static int normalize(const char *base, const char *path, char out[PATH_BUF],
		     struct link_found *lf)
{
	if (!lf->root)
		return path_normalize(base, path, out, must_be_dir, lf);
	char *rel_base = pathbuf_get(), *rel = pathbuf_get();
	int err = rel_base && rel ? 0 : -ENOMEM;
	if (!err && !fs_root_strip(lf->root, base, rel_base))
		strlcpy(rel_base, "/", PATH_BUF);
	if (!err)
		err = path_normalize(rel_base, path, rel, must_be_dir, lf);
	if (!err)
		err = fs_root_join(lf->root, rel, out);
	if (err)
		out[0] = '\0';
	pathbuf_put(rel_base);
	pathbuf_put(rel);
	return err;
}

/* One step of resolve: cur normalised against base into out; a link met on the way (or at
 * the end, when follow) is spliced into cur, base its directory, and 1 says "again". */
static int resolve_step(char *cur, struct link_found *lf, char out[PATH_BUF], bool follow,
			int depth)
{
	rid_t rid;
	lf->found = false;
	lf->last_len = 0;
	int err = normalize(lf->base, cur, out, lf);
	int last = err || !follow ? -ENOENT : plate_lookup_path(out, &rid);
	if (last != 0 && last != -ENOENT)
		return last;              /* the server failed, or a light call declines */
	if (!last && is_symlink(rid))
		found_link(lf, rid, out, "");
	else if (!lf->found) {
		lf->plate = last ? 0 : rid;
		return err;
	}
	if (depth >= L_SYMLOOP_MAX)
		return -ELOOP;
	err = splice(lf, cur);
	return err ? err : 1;
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

/* Symbolic links are followed where the path goes through them, and at its end when follow
 * is set; more than L_SYMLOOP_MAX of them: -ELOOP. out may be base. plate (not NULL): the
 * plate out names, looked up once (-ENOENT when there is none). cred walks (NULL: the
 * kernel, which needs no search rights). */
static int resolve(const char *base, const char *path, char out[PATH_BUF], bool follow,
		   bool rooted, const struct cred *cred, rid_t *plate)
{
	struct link_found lf = { .root = rooted ? fs_root_cur() : NULL, .cred = cred };
	char *cur = NULL;
	int err = strnlen(path, PATH_BUF) > CANON_MAX_LEN ? -ENAMETOOLONG : 0;
	if (!err)
		err = may_search_base(base, path, cred);
	if (!err && (!(cur = pathbuf_get()) || !(lf.base = pathbuf_get()) ||
		     (lf.root && !(lf.dir = pathbuf_get()))))
		err = -ENOMEM;
	if (!err) {
		strlcpy(cur, path, PATH_BUF);
		strlcpy(lf.base, path[0] == '/' ? "/" : base, PATH_BUF);   /* base unused then */
	}
	for (int depth = 0; !err; depth++)
		if ((err = resolve_step(cur, &lf, out, follow, depth)) == 1)
			err = 0;
		else
			break;
	if (!err && plate)
		err = lf.plate ? (*plate = lf.plate, 0) : plate_lookup_path(out, plate);
	pathbuf_put(cur);
	pathbuf_put(lf.base);
	pathbuf_put(lf.dir);
	return err;
}

int fs_resolve(const char *base, const char *path, char out[PATH_BUF])
{
	return resolve(base, path, out, true, true, fs_cred_cur(), NULL);
}

int fs_resolve_nofollow(const char *base, const char *path, char out[PATH_BUF])
{
	return resolve(base, path, out, false, true, fs_cred_cur(), NULL);
}

int fs_resolve_plate(const char *base, const char *path, char out[PATH_BUF], bool follow,
		     rid_t *plate)
{
	return resolve(base, path, out, follow, true, fs_cred_cur(), plate);
}

int fs_resolve_as(const char *base, const char *path, char out[PATH_BUF], bool follow,
		  const struct cred *cred, rid_t *plate)
{
	return resolve(base, path, out, follow, true, cred, plate);
}

int fs_resolve_global(const char *path, char out[PATH_BUF])
{
	return resolve("/", path, out, true, false, NULL, NULL);
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
	rid_t dir;
	*created = 0;
	int err = plate_lookup_path(canon, out);
	if (err == 0)
		return (flags & L_O_CREAT) && (flags & L_O_EXCL) ? -EEXIST : 0;
	if (err != -ENOENT)
		return err;
	if (!(flags & L_O_CREAT))
		return -ENOENT;
	char *parent = pathbuf_get();
	if (!parent)
		return -ENOMEM;
	path_parent(canon, parent);
	err = plate_lookup_path(parent, &dir);
	pathbuf_put(parent);
	if (err)
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
