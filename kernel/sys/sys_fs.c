/* The Linux file-system calls: each fetches its arguments (user strings and structures
 * through uaccess), then calls the open-file, descriptor-table and fsproc functions. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/chroot.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fsproc.h"
#include "kernel/fs/path.h"
#include "kernel/fs/reclock.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

#define IOV_MAX 1024

static struct proc *cur(void)
{
	struct proc *p = proc_cur();
	assert(p);
	return p;
}

static int get_file(uint64_t fd, struct file **out)
{
	if (fd > (uint64_t)INT32_MAX)
		return -EBADF;
	return fd_get(&cur()->fds, (int)fd, out);
}

static long put_stat(uint64_t ubuf, const struct linux_stat *st)
{
	return copy_to_user((void *)ubuf, st, sizeof(*st));
}

long sys_read(const struct sysargs *a)
{
	struct file *f;
	int err = get_file(a->a[0], &f);
	return err ? err : file_read(f, (void *)a->a[1], a->a[2]);
}

long sys_write(const struct sysargs *a)
{
	struct file *f;
	int err = get_file(a->a[0], &f);
	return err ? err : file_write(f, (const void *)a->a[1], a->a[2]);
}

/* Checks the whole iovec array before any transfer, as Linux does: at most IOV_MAX entries,
 * readable, with a total that fits in a long. */
static int check_iov(uint64_t uiov, uint64_t cnt)
{
	struct linux_iovec v;
	uint64_t total = 0;
	if (cnt > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		if (copy_from_user(&v, (const struct linux_iovec *)uiov + i, sizeof(v)))
			return -EFAULT;
		if (v.len > (uint64_t)INT64_MAX - total)
			return -EINVAL;
		total += v.len;
	}
	return 0;
}

#define GATHER_IOV 16        /* a writev this short goes whole to a variant that gathers */

/* writev as one write, for a variant that has it (file_ops.writev). */
static long gathered(struct file *f, uint64_t uiov, uint64_t cnt)
{
	struct linux_iovec v[GATHER_IOV];
	if (copy_from_user(v, (const void *)uiov, cnt * sizeof(v[0])))
		return -EFAULT;
	return file_writev(f, v, (int)cnt);
}

/* readv/writev: one transfer per buffer, stopping at the first short one. */
static long do_iov(uint64_t fd, uint64_t uiov, uint64_t cnt, int write)
{
	struct linux_iovec v;
	struct file *f;
	long total = 0;
	int err = get_file(fd, &f);
	if (!err)
		err = check_iov(uiov, cnt);
	if (err)
		return err;
	if (write && f->ops->writev && cnt <= GATHER_IOV)
		return gathered(f, uiov, cnt);
	for (uint64_t i = 0; i < cnt; i++) {
		if (copy_from_user(&v, (const struct linux_iovec *)uiov + i, sizeof(v)))
			return total ? total : -EFAULT;
		long r = write ? file_write(f, (const void *)v.base, v.len)
			       : file_read(f, (void *)v.base, v.len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < v.len)
			break;
	}
	return total;
}

long sys_readv(const struct sysargs *a)
{
	return do_iov(a->a[0], a->a[1], a->a[2], 0);
}

long sys_writev(const struct sysargs *a)
{
	return do_iov(a->a[0], a->a[1], a->a[2], 1);
}

static long openat(int dirfd, uint64_t upath, uint64_t flags, uint64_t mode)
{
	char *path;
	int err = sysarg_path(upath, &path);
	long r = err ? err : fsp_openat(cur(), dirfd, path, (int)flags, (uint32_t)mode);
	sysarg_path_put(path);
	return r;
}

long sys_open(const struct sysargs *a)
{
	return openat(L_AT_FDCWD, a->a[0], a->a[1], a->a[2]);
}

long sys_openat(const struct sysargs *a)
{
	return openat((int)a->a[0], a->a[1], a->a[2], a->a[3]);
}

long sys_close(const struct sysargs *a)
{
	if (a->a[0] > (uint64_t)INT32_MAX)
		return -EBADF;
	return fd_close(&cur()->fds, (int)a->a[0]);
}

long sys_lseek(const struct sysargs *a)
{
	struct file *f;
	int err = get_file(a->a[0], &f);
	return err ? err : file_lseek(f, (int64_t)a->a[1], (int)a->a[2]);
}

long sys_fstat(const struct sysargs *a)
{
	struct linux_stat st;
	struct file *f;
	int err = get_file(a->a[0], &f);
	if (!err)
		err = file_stat(f, &st);
	return err ? err : put_stat(a->a[1], &st);
}

static long stat_at(int dirfd, uint64_t upath, uint64_t ubuf, int flags)
{
	char *path;
	struct linux_stat st;
	int err = sysarg_path(upath, &path);
	if (!err)
		err = fsp_stat_at(cur(), dirfd, path, flags, &st);
	sysarg_path_put(path);
	return err ? err : put_stat(ubuf, &st);
}

long sys_stat(const struct sysargs *a)
{
	return stat_at(L_AT_FDCWD, a->a[0], a->a[1], 0);
}

long sys_lstat(const struct sysargs *a)
{
	return stat_at(L_AT_FDCWD, a->a[0], a->a[1], L_AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(const struct sysargs *a)
{
	return stat_at((int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}

long sys_getdents64(const struct sysargs *a)
{
	struct file *f;
	int err = get_file(a->a[0], &f);
	return err ? err : file_getdents64(f, (void *)a->a[1], a->a[2]);
}

long sys_ioctl(const struct sysargs *a)
{
	struct file *f;
	int err = get_file(a->a[0], &f);
	return err ? err : file_ioctl(f, (unsigned long)a->a[1], a->a[2]);
}

long sys_access(const struct sysargs *a)
{
	char *path;
	int err = sysarg_path(a->a[0], &path);
	long r = err ? err : fsp_access(cur(), L_AT_FDCWD, path, (int)a->a[1], false);
	sysarg_path_put(path);
	return r;
}

long sys_dup(const struct sysargs *a)
{
	if (a->a[0] > (uint64_t)INT32_MAX)
		return -EBADF;
	return fsp_dup(cur(), (int)a->a[0], 0, 0);
}

long sys_dup2(const struct sysargs *a)
{
	if (a->a[0] > (uint64_t)INT32_MAX || a->a[1] > (uint64_t)INT32_MAX)
		return -EBADF;
	return fd_dup2(&cur()->fds, (int)a->a[0], (int)a->a[1]);
}

/* The record-lock commands (reclock.h): the descriptor first (EBADF), then the struct flock
 * in and, for the GETLK forms, back out. The open file is held meanwhile: if another thread
 * closes the descriptor during a wait, an OFD lock taken then goes with the file's last
 * reference (a POSIX one at exit). */
static long fcntl_lock(int fd, int cmd, uint64_t uptr)
{
	struct linux_flock fl;
	struct file *f;
	int err = fd_get(&cur()->fds, fd, &f);
	if (err)
		return err;
	if (copy_from_user(&fl, (const void *)uptr, sizeof(fl)))
		return -EFAULT;
	file_get(f);            /* another thread may close fd while F_SETLKW waits */
	err = reclock_fcntl(f, cur()->pid, cmd, &fl);
	file_put(f);
	if (!err && (cmd == L_F_GETLK || cmd == L_F_OFD_GETLK) &&
	    copy_to_user((void *)uptr, &fl, sizeof(fl)))
		err = -EFAULT;
	return err;
}

long sys_fcntl(const struct sysargs *a)
{
	if (a->a[0] > (uint64_t)INT32_MAX)
		return -EBADF;
	if (reclock_is_cmd((int)a->a[1]))
		return fcntl_lock((int)a->a[0], (int)a->a[1], a->a[2]);
	return fsp_fcntl(cur(), (int)a->a[0], (int)a->a[1], a->a[2]);
}

/* Linux builds the answer in a page: a longer one is ENAMETOOLONG whatever the buffer. */
#define GETCWD_MAX PATH_ARG_BUF

long sys_getcwd(const struct sysargs *a)
{
	const char *cwd = cur()->cwd, *root = cur()->root[0] ? cur()->root : NULL;
	size_t rl = root ? strlen(root) : 0;
	bool unreachable = false;
	/* inside a root directory (chroot.h) the path is its own; a directory outside it is
	 * marked as Linux marks it */
	if (root && !strncmp(cwd, root, rl) && (cwd[rl] == '/' || !cwd[rl]))
		cwd = cwd[rl] ? cwd + rl : "/";
	else if (root)
		unreachable = true;
	static const char mark[] = "(unreachable)";
	size_t pre = unreachable ? sizeof(mark) - 1 : 0, len = pre + strlen(cwd) + 1;
	if (len > GETCWD_MAX)
		return -ENAMETOOLONG;
	if (a->a[1] < len)
		return -ERANGE;
	if (copy_to_user((void *)a->a[0], mark, pre) ||
	    copy_to_user((char *)a->a[0] + pre, cwd, len - pre))
		return -EFAULT;
	return (long)len;
}

long sys_chdir(const struct sysargs *a)
{
	char *path;
	int err = sysarg_path(a->a[0], &path);
	long r = err ? err : fsp_chdir(cur(), path);
	sysarg_path_put(path);
	return r;
}
