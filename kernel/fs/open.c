/* Name resolution and open(2): from a path to a plate, and from a plate to an open file of
 * the right variant, with Linux's rules for O_CREAT, O_EXCL, O_TRUNC and O_DIRECTORY. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/path.h"
#include "kernel/fs/plate.h"
#include "kernel/res/res.h"

/* Flags that only act at open time and are not kept in the open file. */
#define OPEN_ONLY (L_O_CREAT | L_O_EXCL | L_O_TRUNC | L_O_CLOEXEC | 0400 /* O_NOCTTY */)

static int must_be_dir(const char *dir, void *arg)
{
	rid_t rid;
	(void)arg;
	if (plate_lookup_path(dir, &rid))
		return -ENOENT;
	return plate_is_dir(rid) ? 0 : -ENOTDIR;
}

int fs_resolve(const char *base, const char *path, char out[PATH_BUF])
{
	return path_normalize(base, path, out, must_be_dir, NULL);
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
	if (plate_lookup_path(canon, out) == 0)
		return (flags & L_O_CREAT) && (flags & L_O_EXCL) ? -EEXIST : 0;
	if (!(flags & L_O_CREAT))
		return -ENOENT;
	path_parent(canon, parent);
	if (plate_lookup_path(parent, &dir))
		return -ENOENT;
	if (!plate_is_writable(dir))
		return -EROFS;       /* a read-only "mount" answers before permissions, as on Linux */
	int err = res_check(dir, TOP_MODIFY, cred);
	if (err)
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
	int err = (flags & L_O_ACCMODE) != L_O_WRONLY ? res_check(plate, TOP_USE, cred) : 0;
	if (!err && is_write_open(flags))
		err = res_check(plate, TOP_MODIFY, cred);
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
	if (kind == L_S_IFCHR || kind == L_S_IFBLK)
		return file_open_device(plate, keep, out);
	if ((flags & L_O_TRUNC) && kind == L_S_IFREG && (err = plate_truncate(plate, 0)))
		return err;
	return file_open_plate(plate, keep, out);
}
