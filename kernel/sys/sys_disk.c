/* The Linux calls that disks brought (issue 13): mount(2), umount2(2), sync(2), syncfs(2),
 * link/linkat, symlink/symlinkat and the chown family. Each fetches and checks its arguments,
 * then calls the file-system layer (kernel/fs/fsproc.h, kernel/fs/mount.h). */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/fsproc.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/path.h"
#include "kernel/lib/string.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

#define MS_REFUSED (32ul /* MS_REMOUNT */ | 4096ul /* MS_BIND */ | 8192ul /* MS_MOVE */)

static int fd_arg(uint64_t v)
{
	return (int)v;
}

long sys_mount(const struct sysargs *a)
{
	char *source = NULL, *target = NULL, fstype[T_NAME_MAX];
	struct proc *p = proc_cur();
	if (p->cred.uid != 0)
		return -EPERM;
	if (a->a[3] & MS_REFUSED)
		return -EINVAL;
	int err = sysarg_path(a->a[0], &source);
	if (!err)
		err = sysarg_path(a->a[1], &target);
	if (!err)
		err = sysarg_name(a->a[2], fstype, false);
	if (!err && strcmp(fstype, "ext2") != 0)
		err = -ENODEV;
	if (!err)
		err = mnt_mount_path(p, source, target, a->a[3] & (L_MS_RDONLY | L_MS_NODEV));
	sysarg_path_put(source);
	sysarg_path_put(target);
	return err;
}

long sys_umount2(const struct sysargs *a)
{
	char *target;
	struct proc *p = proc_cur();
	if (p->cred.uid != 0)
		return -EPERM;
	if (a->a[1] & ~(uint64_t)(L_MNT_FORCE | L_MNT_DETACH | 4 /* MNT_EXPIRE */ |
				  L_UMOUNT_NOFOLLOW))
		return -EINVAL;
	int err = sysarg_path(a->a[0], &target);
	if (!err)
		err = mnt_umount_path(p, target, !(a->a[1] & L_UMOUNT_NOFOLLOW));
	sysarg_path_put(target);
	return err;
}

long sys_sync(const struct sysargs *a)
{
	(void)a;
	mnt_sync_all();
	return 0;
}

long sys_syncfs(const struct sysargs *a)
{
	return fsp_syncfs(proc_cur(), fd_arg(a->a[0]));
}

static long linkat(int olddirfd, uint64_t uold, int newdirfd, uint64_t unew, uint64_t flags)
{
	char *oldpath = NULL, *newpath = NULL;
	int err = sysarg_path(uold, &oldpath);
	if (!err)
		err = sysarg_path(unew, &newpath);
	if (!err)
		err = fsp_linkat(proc_cur(), olddirfd, oldpath, newdirfd, newpath, (int)flags);
	sysarg_path_put(oldpath);
	sysarg_path_put(newpath);
	return err;
}

long sys_link(const struct sysargs *a)
{
	return linkat(L_AT_FDCWD, a->a[0], L_AT_FDCWD, a->a[1], 0);
}

long sys_linkat(const struct sysargs *a)
{
	if (a->a[4] > INT32_MAX)
		return -EINVAL;
	return linkat(fd_arg(a->a[0]), a->a[1], fd_arg(a->a[2]), a->a[3], a->a[4]);
}

static long symlinkat(uint64_t utarget, int newdirfd, uint64_t ulink)
{
	char *target = NULL, *linkpath = NULL;
	int err = sysarg_path(utarget, &target);
	if (!err)
		err = sysarg_path(ulink, &linkpath);
	if (!err)
		err = fsp_symlinkat(proc_cur(), target, newdirfd, linkpath);
	sysarg_path_put(target);
	sysarg_path_put(linkpath);
	return err;
}

long sys_symlink(const struct sysargs *a)
{
	return symlinkat(a->a[0], L_AT_FDCWD, a->a[1]);
}

long sys_symlinkat(const struct sysargs *a)
{
	return symlinkat(a->a[0], fd_arg(a->a[1]), a->a[2]);
}

/* uid and gid are 32-bit; -1 (any width) leaves one unchanged. by_fd: fchown of dirfd. */
static long chownat(int dirfd, uint64_t upath, bool by_fd, uint64_t uid, uint64_t gid,
		    uint64_t flags)
{
	char *path = NULL;
	if (flags > INT32_MAX)
		return -EINVAL;
	int err = by_fd ? 0 : sysarg_path(upath, &path);
	if (!err)
		err = fsp_chownat(proc_cur(), dirfd, path, (uint32_t)uid, (uint32_t)gid, (int)flags);
	sysarg_path_put(path);
	return err;
}

long sys_chown(const struct sysargs *a)
{
	return chownat(L_AT_FDCWD, a->a[0], false, a->a[1], a->a[2], 0);
}

long sys_lchown(const struct sysargs *a)
{
	return chownat(L_AT_FDCWD, a->a[0], false, a->a[1], a->a[2], L_AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(const struct sysargs *a)
{
	return chownat(fd_arg(a->a[0]), 0, true, a->a[1], a->a[2], 0);
}

long sys_fchownat(const struct sysargs *a)
{
	return chownat(fd_arg(a->a[0]), a->a[1], false, a->a[2], a->a[3], a->a[4]);
}
