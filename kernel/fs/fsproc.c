/* File-system operations of a process (see fsproc.h). */
#include "kernel/fs/fsproc.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/path.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/mm/kmalloc.h"

#define SETFL_MASK (L_O_APPEND | L_O_NONBLOCK)

/* fsp_resolve_at, and with plate (not NULL) the plate out names too (fs_resolve_plate),
 * walked with cred's search rights. */
static int resolve_at(struct proc *p, int dirfd, const char *path, bool follow,
		      const struct cred *cred, char out[PATH_BUF], rid_t *plate)
{
	struct file *f;
	const char *base = p->cwd;
	if (path[0] != '/' && dirfd != L_AT_FDCWD) {
		int err = fd_get(&p->fds, dirfd, &f);
		if (err)
			return err;
		if (!f->plate || !plate_is_dir(f->plate))
			return -ENOTDIR;
		long n = plate_path(f->plate, out, PATH_BUF);   /* resolve copies its base first */
		if (n <= 0)
			return n ? (int)n : -ENOENT;                /* a directory removed since */
		base = out;
	}
	return fs_resolve_as(base, path, out, follow, cred, plate);
}

int fsp_resolve_at(struct proc *p, int dirfd, const char *path, bool follow, char out[PATH_BUF])
{
	return resolve_at(p, dirfd, path, follow, &p->cred, out, NULL);
}

/* The plate named by path relative to dirfd. */
int fsp_lookup_at(struct proc *p, int dirfd, const char *path, rid_t *out)
{
	return fsp_lookup_at_link(p, dirfd, path, true, out);
}

/* The plate named by path relative to dirfd, walked with cred's search rights. */
static int lookup_as(struct proc *p, int dirfd, const char *path, bool follow,
		     const struct cred *cred, rid_t *out)
{
	char *canon = pathbuf_get();
	int err = canon ? resolve_at(p, dirfd, path, follow, cred, canon, out) : -ENOMEM;
	pathbuf_put(canon);
	return err;
}

int fsp_lookup_at_link(struct proc *p, int dirfd, const char *path, bool follow, rid_t *out)
{
	return lookup_as(p, dirfd, path, follow, &p->cred, out);
}

/* What openat does once path is resolved into canon. */
static int open_canon(struct proc *p, const char *canon, int flags, uint32_t mode)
{
	struct file *f;
	/* refuse before O_CREAT could leave a new plate behind */
	if (!fd_free_count(&p->fds))
		return -EMFILE;
	int err = file_open_path(canon, flags, mode & ~p->umask, &p->cred, &f);
	if (err)
		return err;
	int fd = fd_install(&p->fds, 0, f, flags & L_O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

int fsp_openat(struct proc *p, int dirfd, const char *path, int flags, uint32_t mode)
{
	/* O_NOFOLLOW, and O_CREAT|O_EXCL (which must not create through a link), stop at one */
	bool nofollow = (flags & L_O_NOFOLLOW) || ((flags & L_O_CREAT) && (flags & L_O_EXCL));
	char *canon = pathbuf_get();
	int err = canon ? fsp_resolve_at(p, dirfd, path, !nofollow, canon) : -ENOMEM;
	if (!err)
		err = open_canon(p, canon, flags, mode);
	pathbuf_put(canon);
	return err;
}

int fsp_stat_at(struct proc *p, int dirfd, const char *path, int flags, struct linux_stat *st)
{
	struct file *f;
	rid_t plate;
	if (flags & ~(L_AT_SYMLINK_NOFOLLOW | L_AT_EMPTY_PATH | 0x800 /* AT_NO_AUTOMOUNT */))
		return -EINVAL;
	if (path[0] == '\0' && (flags & L_AT_EMPTY_PATH)) {
		if (dirfd != L_AT_FDCWD) {
			int err = fd_get(&p->fds, dirfd, &f);
			return err ? err : file_stat(f, st);
		}
		path = ".";
	}
	int err = fsp_lookup_at_link(p, dirfd, path, !(flags & L_AT_SYMLINK_NOFOLLOW), &plate);
	return err ? err : plate_stat(plate, st);
}

/* W_OK: like a read-only mount for boot-image plates (before the permission bits). */
static int access_write(rid_t plate)
{
	uint32_t kind = plate_mode(plate) & L_S_IFMT;
	return kind != L_S_IFCHR && kind != L_S_IFBLK && !plate_is_writable(plate) ? -EROFS : 0;
}

/* access(2) walks and checks as cred (the real ids, or the fs ids for AT_EACCESS). */
static int access_as(struct proc *p, int dirfd, const char *path, int mode,
		     const struct cred *cred)
{
	rid_t plate;
	int err = lookup_as(p, dirfd, path, true, cred, &plate);
	if (!err && (mode & 2))
		err = access_write(plate);
	if (!err)
		err = plate_permission(plate, (uint32_t)mode, cred);
	return err;
}

int fsp_access(struct proc *p, int dirfd, const char *path, int mode, bool eaccess)
{
	if (mode & ~7)
		return -EINVAL;
	struct cred real = ident_real_cred(p);
	return access_as(p, dirfd, path, mode, eaccess ? &p->cred : &real);
}

int fsp_chdir(struct proc *p, const char *path)
{
	rid_t plate;
	char *canon = pathbuf_get();
	int err = canon ? fs_resolve(p->cwd, path, canon) : -ENOMEM;
	if (!err)
		err = plate_lookup_path(canon, &plate);
	if (!err && !plate_is_dir(plate))
		err = -ENOTDIR;
	if (!err)
		err = plate_permission(plate, PLATE_MAY_EXEC, &p->cred);
	if (!err)
		err = fsp_dir_set(&p->cwd, canon);
	pathbuf_put(canon);
	return err;
}

/* ---- the current and root directories -------------------------------------------------- */

static char dir_slash[] = "/", dir_none[] = "";      /* never written: no memory needed */

static void dir_free(char *s)
{
	if (s && s != dir_slash && s != dir_none)
		kbig_free(s, strlen(s) + 1);
}

int fsp_dir_set(char **dir, const char *canon)
{
	size_t n = strlen(canon);
	char *s = !strcmp(canon, "/") ? dir_slash : !n ? dir_none : kbig_alloc(n + 1);
	if (!s)
		return -ENOMEM;
	if (s != dir_slash && s != dir_none)
		memcpy(s, canon, n + 1);
	dir_free(*dir);
	*dir = s;
	return 0;
}

void fsp_dirs_init(struct proc *p)
{
	p->cwd = dir_slash;
	p->root = dir_none;
}

int fsp_dirs_copy(struct proc *p, const struct proc *from)
{
	int err = fsp_dir_set(&p->cwd, from->cwd);
	return err ? err : fsp_dir_set(&p->root, from->root);
}

void fsp_dirs_free(struct proc *p)
{
	dir_free(p->cwd);
	dir_free(p->root);
	p->cwd = p->root = NULL;
}

int fsp_dup(struct proc *p, int fd, int min, int cloexec)
{
	struct file *f;
	int err = fd_get(&p->fds, fd, &f);
	if (err)
		return err;
	if (min < 0 || min >= fd_limit(&p->fds))
		return -EINVAL;
	file_get(f);
	int nfd = fd_install(&p->fds, min, f, cloexec);
	if (nfd < 0)
		file_put(f);
	return nfd;
}

long fsp_fcntl(struct proc *p, int fd, int cmd, uint64_t arg)
{
	struct file *f;
	int err = fd_get(&p->fds, fd, &f);
	if (err)
		return err;
	switch (cmd) {
	case L_F_DUPFD:
	case L_F_DUPFD_CLOEXEC:
		if (arg >= (uint64_t)fd_limit(&p->fds))
			return -EINVAL;
		return fsp_dup(p, fd, (int)arg, cmd == L_F_DUPFD_CLOEXEC);
	case L_F_GETFD:
		return fd_cloexec(&p->fds, fd) ? L_FD_CLOEXEC : 0;
	case L_F_SETFD:
		fd_set_cloexec(&p->fds, fd, (arg & L_FD_CLOEXEC) != 0);
		return 0;
	case L_F_GETFL:
		return f->flags;
	case L_F_SETFL:
		f->flags = (f->flags & ~SETFL_MASK) | ((int)arg & SETFL_MASK);
		return 0;
	case L_F_GETPIPE_SZ:
		return pipe_get_size(f);
	case L_F_SETPIPE_SZ:
		return pipe_set_size(f, (uint32_t)arg);   /* Linux takes an unsigned int */
	default:
		return -EINVAL;
	}
}
