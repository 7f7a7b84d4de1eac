/* File-system operations on behalf of a process: they work on its descriptor table, its
 * current directory and its credentials. The system calls in kernel/sys/sys_fs.c copy the
 * arguments in and out of user memory and call these with kernel copies. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "kernel/fs/path.h"
#include "kernel/proc/proc.h"

struct linux_stat;
struct linux_statfs;
struct linux_timespec;
struct linux_pollfd;

/* open(2)/openat(2): the new descriptor, or a negative errno. New plates get mode & ~022. */
int fsp_openat(struct proc *p, int dirfd, const char *path, int flags, uint32_t mode);
/* newfstatat(2): flags AT_EMPTY_PATH (path "" means dirfd itself) and AT_SYMLINK_NOFOLLOW
 * (no symbolic links exist, so it changes nothing). */
int fsp_stat_at(struct proc *p, int dirfd, const char *path, int flags, struct linux_stat *st);
/* faccessat(2) with R_OK 4, W_OK 2, X_OK 1 (F_OK 0), checked as the real ids (Linux),
 * or as the fs ids with eaccess (AT_EACCESS). */
int fsp_access(struct proc *p, int dirfd, const char *path, int mode, bool eaccess);
/* path resolved (fs_resolve, or fs_resolve_nofollow without follow) against the directory a
 * relative path starts from: the cwd, or the directory open as dirfd. out: PATH_BUF bytes. */
int fsp_resolve_at(struct proc *p, int dirfd, const char *path, bool follow, char out[PATH_BUF]);
/* The process's current and root directories (p->cwd, p->root) are strings of the heap, "/"
 * and "" without memory; fsp_dir_set replaces one (-ENOMEM leaves it), fsp_dirs_init sets
 * both to "/" and "" (the entry was zeroed), fsp_dirs_copy takes from's, fsp_dirs_free gives
 * them back. */
int fsp_dir_set(char **dir, const char *canon);
void fsp_dirs_init(struct proc *p);
int fsp_dirs_copy(struct proc *p, const struct proc *from);
void fsp_dirs_free(struct proc *p);
/* The plate named by path relative to dirfd (a symbolic link at the end followed, or not). */
int fsp_lookup_at(struct proc *p, int dirfd, const char *path, rid_t *out);
int fsp_lookup_at_link(struct proc *p, int dirfd, const char *path, bool follow, rid_t *out);

/* ---- changing names and attributes (fsproc_names.c); errors as the Linux calls ---------- */
int fsp_mkdirat(struct proc *p, int dirfd, const char *path, uint32_t mode);
/* mknodat(2) of a regular file (S_IFREG or 0), a FIFO, a socket node, or a character or
 * block device node of number dev (Linux's encoding); a device needs an effective uid of 0
 * (-EPERM after the name's checks, as Linux's CAP_MKNOD). The caller refuses other types. */
int fsp_mknodat(struct proc *p, int dirfd, const char *path, uint32_t mode, uint32_t dev);
/* unlinkat(2): flags 0 or AT_REMOVEDIR (rmdir) */
int fsp_unlinkat(struct proc *p, int dirfd, const char *path, int flags);
/* renameat2(2): flags 0 or RENAME_NOREPLACE */
int fsp_renameat(struct proc *p, int olddirfd, const char *oldpath, int newdirfd,
		 const char *newpath, unsigned flags);
/* truncate(2) by path (fd < 0) or ftruncate(2) of fd (path NULL) */
int fsp_truncate(struct proc *p, int fd, const char *path, int64_t length);
/* fchmodat(2) by path, or fchmod(2) when path is NULL */
int fsp_chmodat(struct proc *p, int dirfd, const char *path, uint32_t mode);
/* utimensat(2): path NULL means dirfd itself; ts NULL means now (ts[1] is the mtime) */
int fsp_utimensat(struct proc *p, int dirfd, const char *path, const struct linux_timespec *ts,
		  int flags);
int fsp_fchdir(struct proc *p, int fd);
/* readlinkat(2): the target of a disk symbolic link, at most size bytes into kbuf; -EINVAL
 * for anything else */
long fsp_readlinkat(struct proc *p, int dirfd, const char *path, char *kbuf, size_t size);
/* linkat(2) (flags AT_SYMLINK_FOLLOW), symlinkat(2), fchownat(2) (path NULL: fchown of
 * dirfd; uid/gid UINT32_MAX unchanged), syncfs(2); hard and symbolic links on disks only */
int fsp_linkat(struct proc *p, int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, int flags);
int fsp_symlinkat(struct proc *p, const char *target, int newdirfd, const char *linkpath);
int fsp_chownat(struct proc *p, int dirfd, const char *path, uint32_t uid, uint32_t gid,
		int flags);
int fsp_syncfs(struct proc *p, int fd);
/* statfs(2) of the file system holding path (fd < 0) or fd */
int fsp_statfs(struct proc *p, int fd, const char *path, struct linux_statfs *st);
/* pread64/pwrite64: a transfer at off that leaves the file offset alone */
long fsp_pio(struct proc *p, int fd, void *ubuf, size_t n, int64_t off, int write);
/* pipe2(2): fds[0] the read end, fds[1] the write end; flags O_CLOEXEC, O_NONBLOCK */
int fsp_pipe(struct proc *p, int fds[2], int flags);
/* sendfile(2) from a regular file (at *off, which advances, or at its offset when off is NULL)
 * to any writable file; copy_file_range(2) between regular files (flags must be 0). Both
 * return the bytes moved. */
long fsp_sendfile(struct proc *p, int out_fd, int in_fd, int64_t *off, size_t count);
long fsp_copy_file_range(struct proc *p, int in_fd, int64_t *in_off, int out_fd,
			 int64_t *out_off, size_t len, unsigned flags);
/* dup3(2): flags 0 or O_CLOEXEC; oldfd == newfd is -EINVAL */
int fsp_dup3(struct proc *p, int oldfd, int newfd, int flags);
/* fsync/fdatasync/fadvise64 checks: 0 for plates, the variant's fsync for a block device,
 * -EINVAL (-ESPIPE for advice) otherwise */
int fsp_fsync(struct proc *p, int fd);
int fsp_fadvise(struct proc *p, int fd, int64_t len, int advice);
/* poll(2) over kernel copies of the pollfds; timeout_ns < 0 waits for ever; returns the
 * number of entries with events, 0 on timeout, -ERESTARTNOHAND if a signal came (signal.h) */
int fsp_poll(struct proc *p, struct linux_pollfd *fds, unsigned n, int64_t timeout_ns);
int fsp_chdir(struct proc *p, const char *path);
/* The lowest free descriptor >= min on fd's file (dup, F_DUPFD, F_DUPFD_CLOEXEC). */
int fsp_dup(struct proc *p, int fd, int min, int cloexec);
long fsp_fcntl(struct proc *p, int fd, int cmd, uint64_t arg);
