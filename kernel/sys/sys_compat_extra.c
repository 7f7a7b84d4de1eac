/* Older and smaller Linux calls that are thin forms of others: creat(2) (an open), the old
 * getdents(2) (getdents64's records reshaped in place: both have the same length for the same
 * name), and the eventfd calls (the object is kernel/fs/eventfd.c's). */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/chroot.h"
#include "kernel/fs/eventfd.h"
#include "kernel/fs/file.h"
#include "kernel/fs/flock.h"
#include "kernel/fs/fsproc.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

long sys_creat(const struct sysargs *a)
{
	char *path;
	int err = sysarg_path(a->a[0], &path);
	long r = err ? err : fsp_openat(proc_cur(), L_AT_FDCWD, path,
				      L_O_CREAT | L_O_WRONLY | L_O_TRUNC, (uint32_t)a->a[1]);
	sysarg_path_put(path);
	return r;
}

/* Linux's struct linux_dirent: d_ino, d_off, d_reclen, the name, a NUL, and d_type in the
 * record's last byte. From a dirent64 record of the same length: the name moves one byte
 * down (over d_type) and the type goes to the end. */
#define OLD_NAME_AT 18
#define NEW_NAME_AT 19

static int reshape(uint8_t *rec, size_t reclen)
{
	if (reclen < NEW_NAME_AT + 2 || reclen > 512)
		return -EIO;                      /* never made by getdents64 */
	uint8_t type = rec[NEW_NAME_AT - 1];
	size_t namelen = strnlen((const char *)rec + NEW_NAME_AT, reclen - NEW_NAME_AT);
	memmove(rec + OLD_NAME_AT, rec + NEW_NAME_AT, namelen);
	memset(rec + OLD_NAME_AT + namelen, 0, reclen - OLD_NAME_AT - namelen);
	rec[reclen - 1] = type;
	return 0;
}

long sys_getdents(const struct sysargs *a)
{
	struct file *f;
	uint8_t rec[512];
	if (a->a[0] > (uint64_t)INT32_MAX)
		return -EBADF;
	int err = fd_get(&proc_cur()->fds, (int)a->a[0], &f);
	if (err)
		return err;
	long n = file_getdents64(f, (void *)a->a[1], a->a[2]);
	for (long at = 0; n > 0 && at < n;) {
		uint8_t *u = (uint8_t *)a->a[1] + at;
		uint16_t reclen;
		if (copy_from_user(&reclen, u + 16, 2) || reclen > sizeof(rec) ||
		    copy_from_user(rec, u, reclen))
			return -EFAULT;
		if ((err = reshape(rec, reclen)) || copy_to_user(u, rec, reclen))
			return err ? err : -EFAULT;
		at += reclen;
	}
	return n;
}

/* eventfd2(initval, flags) and the old eventfd(initval) (no flags); kernel/fs/eventfd.c. */
static long do_eventfd(uint64_t initval, uint64_t flags)
{
	struct file *f;
	struct proc *p = proc_cur();
	if (flags & ~(uint64_t)(EVENTFD_SEMAPHORE | L_O_NONBLOCK | L_O_CLOEXEC))
		return -EINVAL;
	int err = eventfd_create((uint32_t)initval, (int)flags, &f);
	if (err)
		return err;
	int fd = fd_install(&p->fds, 0, f, flags & L_O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_eventfd(const struct sysargs *a)
{
	return do_eventfd(a->a[0], 0);
}

long sys_eventfd2(const struct sysargs *a)
{
	return do_eventfd(a->a[0], (uint32_t)a->a[1]);
}

/* mknod(path, mode, dev) and mknodat: regular files, FIFOs, sockets and device nodes
 * (fsp_mknodat); a directory is EPERM and an unknown type EINVAL before the name is looked
 * at, as Linux's may_mknod. dev is an unsigned int for Linux: its upper bits are dropped. */
static long mknodat(int dirfd, uint64_t upath, uint64_t mode, uint64_t dev)
{
	char *path;
	uint32_t kind = (uint32_t)mode & L_S_IFMT;
	int err = sysarg_path(upath, &path);
	if (!err && kind == L_S_IFDIR)
		err = -EPERM;
	else if (!err && kind != 0 && kind != L_S_IFREG && kind != L_S_IFIFO &&
		 kind != L_S_IFCHR && kind != L_S_IFBLK && kind != L_S_IFSOCK)
		err = -EINVAL;
	if (!err)
		err = fsp_mknodat(proc_cur(), dirfd, path, (uint32_t)mode, (uint32_t)dev);
	sysarg_path_put(path);
	return err;
}

long sys_mknod(const struct sysargs *a)
{
	return mknodat(L_AT_FDCWD, a->a[0], a->a[1], a->a[2]);
}

long sys_mknodat(const struct sysargs *a)
{
	return mknodat((int)a->a[0], a->a[1], a->a[2], a->a[3]);
}

long sys_chroot(const struct sysargs *a)
{
	char *path;
	int err = sysarg_path(a->a[0], &path);
	long r = err ? err : fsp_chroot(proc_cur(), path);
	sysarg_path_put(path);
	return r;
}

/* flock(fd, op): kernel/fs/flock.c. */
long sys_flock(const struct sysargs *a)
{
	struct file *f;
	if (a->a[0] > (uint64_t)INT32_MAX)
		return -EBADF;
	int err = fd_get(&proc_cur()->fds, (int)a->a[0], &f);
	return err ? err : flock_apply(f, (int)a->a[1]);
}
