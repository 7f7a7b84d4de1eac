/* File-system operations of a process (see fsproc.h). */
#include "kernel/fs/fsproc.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/path.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"

#define SETFL_MASK (L_O_APPEND | L_O_NONBLOCK)

/* The directory a relative path starts from: the cwd, or the directory open as dirfd. */
int fsp_base_dir(struct proc *p, int dirfd, const char *path, const char **base)
{
	struct file *f;
	*base = p->cwd;
	if (path[0] == '/' || dirfd == L_AT_FDCWD)
		return 0;
	int err = fd_get(&p->fds, dirfd, &f);
	if (err)
		return err;
	if (!f->plate || !plate_is_dir(f->plate))
		return -ENOTDIR;
	*base = plate_path(f->plate);
	return 0;
}

/* The plate named by path relative to dirfd, walked with cred's search rights. */
static int lookup_as(struct proc *p, int dirfd, const char *path, bool follow,
		     const struct cred *cred, rid_t *out)
{
	char canon[PATH_BUF];
	const char *base;
	int err = fsp_base_dir(p, dirfd, path, &base);
	if (!err)
		err = fs_resolve_as(base, path, canon, follow, cred);
	if (!err)
		err = plate_lookup_path(canon, out);
	return err;
}

/* The plate named by path relative to dirfd. */
int fsp_lookup_at(struct proc *p, int dirfd, const char *path, rid_t *out)
{
	return fsp_lookup_at_link(p, dirfd, path, true, out);
}

int fsp_lookup_at_link(struct proc *p, int dirfd, const char *path, bool follow, rid_t *out)
{
	return lookup_as(p, dirfd, path, follow, &p->cred, out);
}

int fsp_openat(struct proc *p, int dirfd, const char *path, int flags, uint32_t mode)
{
	char canon[PATH_BUF];
	const char *base;
	struct file *f;
	int err = fsp_base_dir(p, dirfd, path, &base);
	/* O_NOFOLLOW, and O_CREAT|O_EXCL (which must not create through a link), stop at one */
	bool nofollow = (flags & L_O_NOFOLLOW) || ((flags & L_O_CREAT) && (flags & L_O_EXCL));
	if (!err)
		err = nofollow ? fs_resolve_nofollow(base, path, canon) : fs_resolve(base, path, canon);
	/* refuse before O_CREAT could leave a new plate behind */
	if (!err && !fd_free_count(&p->fds))
		err = -EMFILE;
	if (!err)
		err = file_open_path(canon, flags, mode & ~p->umask, &p->cred, &f);
	if (err)
		return err;
	int fd = fd_install(&p->fds, 0, f, flags & L_O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
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
	char canon[PATH_BUF];
	rid_t plate;
	int err = fs_resolve(p->cwd, path, canon);
	if (!err)
		err = plate_lookup_path(canon, &plate);
	if (!err && !plate_is_dir(plate))
		err = -ENOTDIR;
	if (!err)
		err = plate_permission(plate, PLATE_MAY_EXEC, &p->cred);
	if (!err)
		strlcpy(p->cwd, canon, sizeof(p->cwd));
	return err;
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
