/* File-system operations of a process that change names and attributes, plus the
 * descriptor-level calls of the Linux personality that are not open/close/read/write
 * (pread/pwrite, pipes, dup3, fsync, poll, statfs). See fsproc.h. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/timer.h"
#include "kernel/fs/eventfd.h"
#include "kernel/fs/fifo.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fsinfo.h"
#include "kernel/fs/fsproc.h"
#include "kernel/net/sock.h"
#include "kernel/proc/signal.h"
#include "kernel/fs/path.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"
#include "abi/fsproto.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/exec.h"

#define CONSOLE_POLL_NS 10000000ull   /* console input does not wake poll: look this often */

/* The names that mkdir, unlink, rename and link change: a link at the end is the name itself. */
static int resolve_at(struct proc *p, int dirfd, const char *path, char canon[PATH_BUF])
{
	return fsp_resolve_at(p, dirfd, path, false, canon);
}

/* Whether the last component of a path as written is "." or ".." (dots: 1 or 2). */
static bool last_is_dots(const char *path, size_t dots)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t s = n;
	while (s > 0 && path[s - 1] != '/')
		s--;
	return n - s == dots && !strncmp(path + s, "..", dots);
}

/* The checks of a call that makes a new name (mkdir, mknod): path (from dirfd) into canon;
 * the name must be free and its directory (dir) one p may write in. */
static int new_name_at(struct proc *p, int dirfd, const char *path, char canon[PATH_BUF],
		       rid_t *dir)
{
	rid_t rid;
	int err = resolve_at(p, dirfd, path, canon);
	if (err)
		return err;
	if (plate_lookup_path(canon, &rid) == 0)
		return -EEXIST;
	char *parent = pathbuf_get();
	if (!parent)
		return -ENOMEM;
	path_parent(canon, parent);
	err = plate_lookup_path(parent, dir) ? -ENOENT : 0;
	pathbuf_put(parent);
	if (!err && !plate_is_dir(*dir))
		err = -ENOTDIR;
	if (!err && !plate_is_writable(*dir))
		err = -EROFS;
	return err ? err : plate_permission(*dir, PLATE_MAY_WRITE | PLATE_MAY_EXEC, &p->cred);
}

int fsp_mkdirat(struct proc *p, int dirfd, const char *path, uint32_t mode)
{
	rid_t rid, dir;
	char *canon = pathbuf_get(), *name = pathbuf_get();
	int err = canon && name ? 0 : -ENOMEM;
	if (!err) {            /* trailing slashes name the directory being made, not a parent */
		size_t n = strnlen(path, CANON_MAX_LEN);
		while (n > 1 && path[n - 1] == '/')
			n--;
		memcpy(name, path, n);
		name[n] = '\0';
		err = new_name_at(p, dirfd, name, canon, &dir);
	}
	if (!err)
		err = plate_mkdir(canon, mode & 01777 & ~p->umask, &p->cred, &rid);
	pathbuf_put(canon);
	pathbuf_put(name);
	return err;
}

/* mknod of kind (the type bits of mode; dev for a device node) once the name's checks have
 * passed. */
static int mknod_canon(struct proc *p, const char *canon, uint32_t mode, uint32_t dev)
{
	rid_t rid;
	uint32_t kind = mode & L_S_IFMT;
	bool device = kind == L_S_IFCHR || kind == L_S_IFBLK;
	/* a device node needs Linux's CAP_MKNOD, which root alone has here; FIFOs and
	 * sockets anyone may make */
	if (device && p->ids.euid != 0)
		return -EPERM;
	mode &= 07777 & ~p->umask;
	if (kind == 0 || kind == L_S_IFREG)
		return plate_create(canon, mode, &p->cred, &rid);
	return plate_mknod(canon, kind | mode, device ? dev : 0, &p->cred, &rid);
}

int fsp_mknodat(struct proc *p, int dirfd, const char *path, uint32_t mode, uint32_t dev)
{
	rid_t dir;
	char *canon = pathbuf_get();
	int err = canon ? new_name_at(p, dirfd, path, canon, &dir) : -ENOMEM;
	if (!err)
		err = mknod_canon(p, canon, mode, dev);
	pathbuf_put(canon);
	return err;
}

int fsp_unlinkat(struct proc *p, int dirfd, const char *path, int flags)
{
	if (flags & ~L_AT_REMOVEDIR)
		return -EINVAL;
	int rmdir = (flags & L_AT_REMOVEDIR) != 0;
	if (rmdir && last_is_dots(path, 1))
		return -EINVAL;
	if (rmdir && last_is_dots(path, 2))
		return -ENOTEMPTY;
	char *canon = pathbuf_get();
	int err = canon ? resolve_at(p, dirfd, path, canon) : -ENOMEM;
	if (!err)
		err = plate_remove(canon, rmdir, &p->cred);
	pathbuf_put(canon);
	return err;
}

int fsp_renameat(struct proc *p, int olddirfd, const char *oldpath, int newdirfd,
		 const char *newpath, unsigned flags)
{
	if (flags & ~(unsigned)L_RENAME_NOREPLACE)
		return -EINVAL;        /* RENAME_EXCHANGE and RENAME_WHITEOUT are not provided */
	if (last_is_dots(oldpath, 1) || last_is_dots(oldpath, 2))
		return -EBUSY;
	char *from = pathbuf_get(), *to = pathbuf_get();
	int err = from && to ? resolve_at(p, olddirfd, oldpath, from) : -ENOMEM;
	if (!err)
		err = resolve_at(p, newdirfd, newpath, to);
	if (!err)
		err = plate_rename(from, to, flags & L_RENAME_NOREPLACE, &p->cred);
	pathbuf_put(from);
	pathbuf_put(to);
	return err;
}

int fsp_truncate(struct proc *p, int fd, const char *path, int64_t length)
{
	rid_t rid;
	struct file *f;
	int err;
	if (length < 0)
		return -EINVAL;
	if (!path) {
		if ((err = fd_get(&p->fds, fd, &f)))
			return err;
		int acc = f->flags & L_O_ACCMODE;
		if (!f->plate || (plate_mode(f->plate) & L_S_IFMT) != L_S_IFREG ||
		    (acc != L_O_WRONLY && acc != L_O_RDWR))
			return -EINVAL;
		return plate_truncate(f->plate, (uint64_t)length);
	}
	if ((err = fsp_lookup_at(p, L_AT_FDCWD, path, &rid)))
		return err;
	if (plate_is_dir(rid))
		return -EISDIR;
	if ((plate_mode(rid) & L_S_IFMT) != L_S_IFREG)
		return -EINVAL;
	if (!plate_is_writable(rid))
		return -EROFS;
	if ((err = plate_permission(rid, PLATE_MAY_WRITE, &p->cred)))
		return err;
	return plate_truncate(rid, (uint64_t)length);
}

/* The plate of an open file, for the f* calls; files without one (pipes, the console of
 * the first process) have no attributes to change. */
static int plate_of_fd(struct proc *p, int fd, rid_t *out)
{
	struct file *f;
	int err = fd_get(&p->fds, fd, &f);
	if (err)
		return err;
	if (!f->plate)
		return -EINVAL;
	*out = f->plate;
	return 0;
}

int fsp_chmodat(struct proc *p, int dirfd, const char *path, uint32_t mode)
{
	rid_t rid;
	int err = path ? fsp_lookup_at(p, dirfd, path, &rid) : plate_of_fd(p, dirfd, &rid);
	return err ? err : plate_chmod(rid, mode, &p->cred);
}

static int valid_nsec(int64_t ns)
{
	return (ns >= 0 && ns < 1000000000) || ns == L_UTIME_NOW || ns == L_UTIME_OMIT;
}

int fsp_utimensat(struct proc *p, int dirfd, const char *path, const struct linux_timespec *ts,
		  int flags)
{
	rid_t rid;
	if (flags & ~(L_AT_SYMLINK_NOFOLLOW | L_AT_EMPTY_PATH))
		return -EINVAL;
	if (ts && (!valid_nsec(ts[0].tv_nsec) || !valid_nsec(ts[1].tv_nsec)))
		return -EINVAL;
	int by_fd = !path || (!path[0] && (flags & L_AT_EMPTY_PATH));
	int err = by_fd ? plate_of_fd(p, dirfd, &rid)
			: fsp_lookup_at_link(p, dirfd, path, !(flags & L_AT_SYMLINK_NOFOLLOW), &rid);
	if (err)
		return err;
	if (ts && ts[0].tv_nsec == L_UTIME_OMIT && ts[1].tv_nsec == L_UTIME_OMIT)
		return 0;
	uint32_t now = (uint32_t)(time_realtime_ns() / 1000000000ull), mtime = now;
	int explicit_time = 0;
	if (ts) {
		for (int i = 0; i < 2; i++)
			if (ts[i].tv_nsec != L_UTIME_NOW && ts[i].tv_nsec != L_UTIME_OMIT)
				explicit_time = 1;
		if (ts[1].tv_nsec == L_UTIME_OMIT)
			mtime = plate_mtime(rid);
		else if (ts[1].tv_nsec != L_UTIME_NOW)
			mtime = (uint32_t)ts[1].tv_sec;
	}
	return plate_set_mtime(rid, mtime, explicit_time, &p->cred);
}

int fsp_fchdir(struct proc *p, int fd)
{
	struct file *f;
	int err = fd_get(&p->fds, fd, &f);
	if (err)
		return err;
	if (!f->plate || !plate_is_dir(f->plate))
		return -ENOTDIR;
	if ((err = plate_permission(f->plate, PLATE_MAY_EXEC, &p->cred)))
		return err;
	char *canon = pathbuf_get();
	long n = canon ? plate_path(f->plate, canon, PATH_BUF) : -ENOMEM;
	if (n >= 0)
		n = n ? fsp_dir_set(&p->cwd, canon) : -ENOENT;      /* removed since it was opened */
	pathbuf_put(canon);
	return (int)n;
}

long fsp_readlinkat(struct proc *p, int dirfd, const char *path, char *kbuf, size_t size)
{
	rid_t rid;
	int err = fsp_lookup_at_link(p, dirfd, path, false, &rid);
	return err ? err : plate_readlink(rid, kbuf, size);
}

int fsp_statfs(struct proc *p, int fd, const char *path, struct linux_statfs *st)
{
	rid_t rid = 0;
	struct file *f;
	int err = path ? fsp_lookup_at(p, L_AT_FDCWD, path, &rid) : fd_get(&p->fds, fd, &f);
	if (err)
		return err;
	return path ? fsinfo_statfs(rid, st) : fsinfo_fstatfs(f, st);
}

long fsp_pio(struct proc *p, int fd, void *ubuf, size_t n, int64_t off, int write)
{
	struct file *f;
	int err = fd_get(&p->fds, fd, &f);
	if (err)
		return err;
	if (f->ops->lseek == file_op_espipe)
		return -ESPIPE;
	if (off < 0)
		return -EINVAL;
	return file_pio_at(f, ubuf, n, (uint64_t)off, write);
}

int fsp_pipe(struct proc *p, int fds[2], int flags)
{
	struct file *rd, *wr;
	if (flags & ~(L_O_CLOEXEC | L_O_NONBLOCK))
		return -EINVAL;
	if (fd_free_count(&p->fds) < 2)
		return -EMFILE;
	int err = pipe_create(flags, &rd, &wr);
	if (err)
		return err;
	fds[0] = fd_install(&p->fds, 0, rd, flags & L_O_CLOEXEC);
	fds[1] = fd_install(&p->fds, 0, wr, flags & L_O_CLOEXEC);
	return 0;
}

int fsp_dup3(struct proc *p, int oldfd, int newfd, int flags)
{
	if (flags & ~L_O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	int r = fd_dup2(&p->fds, oldfd, newfd);
	if (r >= 0)
		fd_set_cloexec(&p->fds, r, (flags & L_O_CLOEXEC) != 0);
	return r;
}

int fsp_fsync(struct proc *p, int fd)
{
	struct file *f;
	int err = fd_get(&p->fds, fd, &f);
	if (err)
		return err;
	if (f->ops->fsync)
		return f->ops->fsync(f);
	uint32_t kind = f->plate ? plate_mode(f->plate) & L_S_IFMT : 0;
	/* plates in memory have nothing to write back; disk plates ask their server */
	return kind == L_S_IFREG || kind == L_S_IFDIR ? plate_fsync(f->plate, 0) : -EINVAL;
}

int fsp_fadvise(struct proc *p, int fd, int64_t len, int advice)
{
	struct file *f;
	int err = fd_get(&p->fds, fd, &f);
	if (err)
		return err;
	if (file_is_pipe(f))
		return -ESPIPE;
	if (advice < 0 || advice > 5 || len < 0)
		return -EINVAL;
	return 0;           /* advice only: plates are in memory already */
}

/* One pass over the pollfds; *console says whether console input is awaited. */
static int poll_once(struct proc *p, struct linux_pollfd *fds, unsigned n, int *console)
{
	int ready = 0;
	*console = 0;
	for (unsigned i = 0; i < n; i++) {
		struct file *f;
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		if (fd_get(&p->fds, fds[i].fd, &f)) {
			fds[i].revents = L_POLLNVAL;
		} else {
			unsigned want = (uint16_t)fds[i].events | L_POLLERR | L_POLLHUP;
			fds[i].revents = (int16_t)(file_poll(f) & want);
			if (f->ops->poll && !file_is_pipe(f) && !file_is_eventfd(f) &&
			    !file_is_fifo(f) && !sock_is_evented(f))
				*console = 1;
		}
		ready += fds[i].revents != 0;
	}
	return ready;
}

int fsp_poll(struct proc *p, struct linux_pollfd *fds, unsigned n, int64_t timeout_ns)
{
	uint64_t deadline = timeout_ns >= 0 ? time_ns() + (uint64_t)timeout_ns : 0;
	for (;;) {
		int console;
		uint64_t gen = file_poll_gen;
		int ready = poll_once(p, fds, n, &console);
		uint64_t now = time_ns();
		if (ready || timeout_ns == 0 || (timeout_ns > 0 && now >= deadline))
			return ready;
		uint64_t until = deadline;
		if (console && (!until || until > now + CONSOLE_POLL_NS))
			until = now + CONSOLE_POLL_NS;
		if (gen == file_poll_gen)         /* else something changed during the pass */
			sleep_on(&file_poll_chan, until);
		if (proc_aborting(p))
			return -ERESTARTNOHAND;         /* EINTR once a handler has run */
	}
}

/* ---- links, owners and syncing (issue 13: disks) ----------------------------------------- */

int fsp_linkat(struct proc *p, int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, int flags)
{
	rid_t rid, made;
	if (flags & ~(L_AT_SYMLINK_FOLLOW | L_AT_EMPTY_PATH))
		return -EINVAL;
	char *to = pathbuf_get();
	int err = !to ? -ENOMEM
		      : fsp_lookup_at_link(p, olddirfd, oldpath, (flags & L_AT_SYMLINK_FOLLOW) != 0,
					   &rid);
	if (!err)
		err = resolve_at(p, newdirfd, newpath, to);
	if (!err)
		err = plate_link(rid, to, &p->cred, &made);
	pathbuf_put(to);
	return err;
}

int fsp_symlinkat(struct proc *p, const char *target, int newdirfd, const char *linkpath)
{
	rid_t made;
	if (!target[0])
		return -ENOENT;
	char *to = pathbuf_get();
	int err = to ? resolve_at(p, newdirfd, linkpath, to) : -ENOMEM;
	if (!err)
		err = plate_symlink(to, target, &p->cred, &made);
	pathbuf_put(to);
	return err;
}

int fsp_chownat(struct proc *p, int dirfd, const char *path, uint32_t uid, uint32_t gid,
		int flags)
{
	rid_t rid;
	if (flags & ~(L_AT_SYMLINK_NOFOLLOW | L_AT_EMPTY_PATH))
		return -EINVAL;
	bool by_fd = !path || (!path[0] && (flags & L_AT_EMPTY_PATH));
	int err = by_fd ? plate_of_fd(p, dirfd, &rid)
			: fsp_lookup_at_link(p, dirfd, path, !(flags & L_AT_SYMLINK_NOFOLLOW), &rid);
	return err ? err : plate_chown(rid, uid, gid, &p->cred);
}

int fsp_syncfs(struct proc *p, int fd)
{
	rid_t rid;
	int err = plate_of_fd(p, fd, &rid);
	if (err == -EINVAL)
		return 0;                     /* a pipe or the console: nothing to write back */
	return err ? err : plate_fsync(rid, 1);
}
