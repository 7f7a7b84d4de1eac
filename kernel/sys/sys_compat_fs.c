/* Linux file-system calls beyond the basic ones of sys_fs.c: name changes (mkdir, unlink,
 * rename...), attributes (chmod, utimensat, truncate), pread/pwrite, pipes, dup3, poll and
 * statfs. Each fetches and checks its arguments, then calls an fsproc function. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fsproc.h"
#include "kernel/fs/path.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

/* A descriptor argument: ints only (dirfds may be AT_FDCWD, which is negative). */
static int fd_arg(uint64_t v)
{
	return (int)v;
}

long sys_pread64(const struct sysargs *a)
{
	return fsp_pio(proc_cur(), fd_arg(a->a[0]), (void *)a->a[1], a->a[2], (int64_t)a->a[3], 0);
}

long sys_pwrite64(const struct sysargs *a)
{
	return fsp_pio(proc_cur(), fd_arg(a->a[0]), (void *)a->a[1], a->a[2], (int64_t)a->a[3], 1);
}

static long do_pipe(uint64_t ufds, int flags)
{
	int fds[2];
	struct proc *p = proc_cur();
	if (sysarg_out(ufds, sizeof(fds)))
		return -EFAULT;
	int err = fsp_pipe(p, fds, flags);
	if (err)
		return err;
	if (copy_to_user((void *)ufds, fds, sizeof(fds))) {
		fd_close(&p->fds, fds[0]);
		fd_close(&p->fds, fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(const struct sysargs *a)
{
	return do_pipe(a->a[0], 0);
}

long sys_pipe2(const struct sysargs *a)
{
	return do_pipe(a->a[0], (int)a->a[1]);
}

long sys_dup3(const struct sysargs *a)
{
	if (a->a[0] > (uint64_t)INT32_MAX || a->a[1] > (uint64_t)INT32_MAX)
		return a->a[2] & ~(uint64_t)L_O_CLOEXEC ? -EINVAL : -EBADF;
	return fsp_dup3(proc_cur(), (int)a->a[0], (int)a->a[1], (int)a->a[2]);
}

static long do_poll(uint64_t ufds, uint64_t n, int64_t timeout_ns)
{
	/* Linux's bound: the descriptors the caller may have (RLIMIT_NOFILE, at most 4096 here,
	 * which a kbig buffer holds) */
	if (n > proc_cur()->rlim[L_RLIMIT_NOFILE].cur ||
	    n * sizeof(struct linux_pollfd) > KBIG_MAX)
		return -EINVAL;
	size_t bytes = n * sizeof(struct linux_pollfd);
	struct linux_pollfd *fds = kbig_alloc(bytes);
	if (!fds)
		return -ENOMEM;
	long r = copy_from_user(fds, (const void *)ufds, bytes);
	if (!r)
		r = fsp_poll(proc_cur(), fds, (unsigned)n, timeout_ns);
	if (r >= 0 && copy_to_user((void *)ufds, fds, bytes))
		r = -EFAULT;
	kbig_free(fds, bytes);
	return r;
}

long sys_poll(const struct sysargs *a)
{
	int ms = (int)a->a[2];
	return do_poll(a->a[0], a->a[1], ms < 0 ? -1 : (int64_t)ms * 1000000);
}

long sys_ppoll(const struct sysargs *a)
{
	struct linux_timespec ts;
	int64_t ns = -1;
	if (a->a[2]) {
		if (copy_from_user(&ts, (const void *)a->a[2], sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		ns = ts.tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX
							    : ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	uint64_t mask;
	if (a->a[3] && a->a[4] != 8)
		return -EINVAL;         /* a signal mask must have the kernel's size (8 bytes) */
	if (a->a[3] && copy_from_user(&mask, (const void *)a->a[3], 8))
		return -EFAULT;
	/* the mask holds for the wait; the old one is back when the call (or the handler of
	 * the signal that ended it) returns */
	if (a->a[3])
		signal_mask_for_call(proc_cur(), mask);
	return do_poll(a->a[0], a->a[1], ns);
}

/* ---- names ------------------------------------------------------------------------------- */

static long mkdirat(int dirfd, uint64_t upath, uint64_t mode)
{
	char *path;
	int err = sysarg_path(upath, &path);
	long r = err ? err : fsp_mkdirat(proc_cur(), dirfd, path, (uint32_t)mode);
	sysarg_path_put(path);
	return r;
}

long sys_mkdir(const struct sysargs *a)
{
	return mkdirat(L_AT_FDCWD, a->a[0], a->a[1]);
}

long sys_mkdirat(const struct sysargs *a)
{
	return mkdirat(fd_arg(a->a[0]), a->a[1], a->a[2]);
}

static long unlinkat(int dirfd, uint64_t upath, uint64_t flags)
{
	char *path;
	int err = sysarg_path(upath, &path);
	long r = err ? err : fsp_unlinkat(proc_cur(), dirfd, path, (int)flags);
	sysarg_path_put(path);
	return r;
}

long sys_unlink(const struct sysargs *a)
{
	return unlinkat(L_AT_FDCWD, a->a[0], 0);
}

long sys_rmdir(const struct sysargs *a)
{
	return unlinkat(L_AT_FDCWD, a->a[0], L_AT_REMOVEDIR);
}

long sys_unlinkat(const struct sysargs *a)
{
	return unlinkat(fd_arg(a->a[0]), a->a[1], a->a[2]);
}

static long renameat(int olddir, uint64_t uold, int newdir, uint64_t unew, uint64_t flags)
{
	char *from = NULL, *to = NULL;
	int err = sysarg_path(uold, &from);
	if (!err)
		err = sysarg_path(unew, &to);
	if (!err)
		err = fsp_renameat(proc_cur(), olddir, from, newdir, to, (unsigned)flags);
	sysarg_path_put(from);
	sysarg_path_put(to);
	return err;
}

long sys_rename(const struct sysargs *a)
{
	return renameat(L_AT_FDCWD, a->a[0], L_AT_FDCWD, a->a[1], 0);
}

long sys_renameat(const struct sysargs *a)
{
	return renameat(fd_arg(a->a[0]), a->a[1], fd_arg(a->a[2]), a->a[3], 0);
}

long sys_renameat2(const struct sysargs *a)
{
	return renameat(fd_arg(a->a[0]), a->a[1], fd_arg(a->a[2]), a->a[3], a->a[4]);
}

static long readlinkat(int dirfd, uint64_t upath, uint64_t ubuf, int64_t bufsiz)
{
	char *path, *target = NULL;
	if (bufsiz <= 0)
		return -EINVAL;
	size_t n = bufsiz < PATH_MAX_LEN ? (size_t)bufsiz : PATH_MAX_LEN;
	long r = sysarg_path(upath, &path);
	if (!r && !(target = kbig_alloc(PATH_ARG_BUF)))
		r = -ENOMEM;
	if (!r)
		r = fsp_readlinkat(proc_cur(), dirfd, path, target, n);
	if (r > 0 && copy_to_user((void *)ubuf, target, (size_t)r))
		r = -EFAULT;
	sysarg_path_put(path);
	kbig_free(target, PATH_ARG_BUF);
	return r;
}

long sys_readlink(const struct sysargs *a)
{
	return readlinkat(L_AT_FDCWD, a->a[0], a->a[1], (int64_t)a->a[2]);
}

long sys_readlinkat(const struct sysargs *a)
{
	return readlinkat(fd_arg(a->a[0]), a->a[1], a->a[2], (int64_t)a->a[3]);
}

static long faccessat(int dirfd, uint64_t upath, uint64_t mode, uint64_t flags)
{
	char *path;
	if (flags & ~(uint64_t)(L_AT_EACCESS | L_AT_SYMLINK_NOFOLLOW | L_AT_EMPTY_PATH))
		return -EINVAL;
	int err = sysarg_path(upath, &path);
	if (!err)
		err = fsp_access(proc_cur(), dirfd, path, (int)mode, flags & L_AT_EACCESS);
	sysarg_path_put(path);
	return err;
}

long sys_faccessat(const struct sysargs *a)
{
	return faccessat(fd_arg(a->a[0]), a->a[1], a->a[2], 0);
}

long sys_faccessat2(const struct sysargs *a)
{
	return faccessat(fd_arg(a->a[0]), a->a[1], a->a[2], a->a[3]);
}

long sys_fchdir(const struct sysargs *a)
{
	return fsp_fchdir(proc_cur(), fd_arg(a->a[0]));
}

long sys_umask(const struct sysargs *a)
{
	struct proc *p = proc_cur();
	uint32_t old = p->umask;
	p->umask = (uint32_t)a->a[0] & 0777;
	return old;
}

/* ---- attributes and content -------------------------------------------------------------- */

long sys_truncate(const struct sysargs *a)
{
	char *path;
	int err = sysarg_path(a->a[0], &path);
	long r = err ? err : fsp_truncate(proc_cur(), -1, path, (int64_t)a->a[1]);
	sysarg_path_put(path);
	return r;
}

long sys_ftruncate(const struct sysargs *a)
{
	return fsp_truncate(proc_cur(), fd_arg(a->a[0]), NULL, (int64_t)a->a[1]);
}

long sys_fsync(const struct sysargs *a)
{
	return fsp_fsync(proc_cur(), fd_arg(a->a[0]));
}

long sys_fdatasync(const struct sysargs *a)
{
	return fsp_fsync(proc_cur(), fd_arg(a->a[0]));
}

long sys_fadvise64(const struct sysargs *a)
{
	return fsp_fadvise(proc_cur(), fd_arg(a->a[0]), (int64_t)a->a[2], (int)a->a[3]);
}

static long chmodat(int dirfd, uint64_t upath, uint64_t mode)
{
	char *path;
	int err = sysarg_path(upath, &path);
	long r = err ? err : fsp_chmodat(proc_cur(), dirfd, path, (uint32_t)mode);
	sysarg_path_put(path);
	return r;
}

long sys_chmod(const struct sysargs *a)
{
	return chmodat(L_AT_FDCWD, a->a[0], a->a[1]);
}

long sys_fchmodat(const struct sysargs *a)
{
	return chmodat(fd_arg(a->a[0]), a->a[1], a->a[2]);
}

long sys_fchmod(const struct sysargs *a)
{
	return fsp_chmodat(proc_cur(), fd_arg(a->a[0]), NULL, (uint32_t)a->a[1]);
}

long sys_utimensat(const struct sysargs *a)
{
	char *path = NULL;
	struct linux_timespec ts[2];
	int err = a->a[1] ? sysarg_path(a->a[1], &path) : 0;
	if (!err && a->a[2] && copy_from_user(ts, (const void *)a->a[2], sizeof(ts)))
		err = -EFAULT;
	if (!err)
		err = fsp_utimensat(proc_cur(), fd_arg(a->a[0]), path, a->a[2] ? ts : NULL,
				    (int)a->a[3]);
	sysarg_path_put(path);
	return err;
}

static long put_statfs(int fd, const char *path, uint64_t ubuf)
{
	struct linux_statfs st;
	int err = fsp_statfs(proc_cur(), fd, path, &st);
	if (!err && copy_to_user((void *)ubuf, &st, sizeof(st)))
		err = -EFAULT;
	return err;
}

long sys_statfs(const struct sysargs *a)
{
	char *path;
	int err = sysarg_path(a->a[0], &path);
	long r = err ? err : put_statfs(-1, path, a->a[1]);
	sysarg_path_put(path);
	return r;
}

long sys_fstatfs(const struct sysargs *a)
{
	return put_statfs(fd_arg(a->a[0]), NULL, a->a[1]);
}

/* ---- copies between files ------------------------------------------------------------------ */

/* An optional loff_t in user memory: *present says whether the pointer was given. */
static int fetch_off(uint64_t uoff, int64_t *off, bool *present)
{
	*present = uoff != 0;
	if (*present && copy_from_user(off, (const void *)uoff, sizeof(*off)))
		return -EFAULT;
	return *present && sysarg_out(uoff, sizeof(*off)) ? -EFAULT : 0;
}

long sys_sendfile(const struct sysargs *a)
{
	int64_t off = 0;
	bool has_off;
	int err = fetch_off(a->a[2], &off, &has_off);
	if (err)
		return err;
	long r = fsp_sendfile(proc_cur(), fd_arg(a->a[0]), fd_arg(a->a[1]), has_off ? &off : NULL,
			      a->a[3]);
	if (r >= 0 && has_off && copy_to_user((void *)a->a[2], &off, sizeof(off)))
		return -EFAULT;
	return r;
}

long sys_copy_file_range(const struct sysargs *a)
{
	int64_t in_off = 0, out_off = 0;
	bool has_in, has_out;
	int err = fetch_off(a->a[1], &in_off, &has_in);
	if (!err)
		err = fetch_off(a->a[3], &out_off, &has_out);
	if (err)
		return err;
	if (a->a[5] > UINT32_MAX)
		return -EINVAL;
	long r = fsp_copy_file_range(proc_cur(), fd_arg(a->a[0]), has_in ? &in_off : NULL,
				     fd_arg(a->a[2]), has_out ? &out_off : NULL, a->a[4],
				     (unsigned)a->a[5]);
	if (r >= 0 && ((has_in && copy_to_user((void *)a->a[1], &in_off, sizeof(in_off))) ||
		       (has_out && copy_to_user((void *)a->a[3], &out_off, sizeof(out_off)))))
		return -EFAULT;
	return r;
}
