/* File-system operations on behalf of a process: they work on its descriptor table, its
 * current directory and its credentials. The system calls in kernel/sys/sys_fs.c copy the
 * arguments in and out of user memory and call these with kernel copies. */
#pragma once
#include <stdint.h>
#include "kernel/proc/proc.h"

struct linux_stat;

/* open(2)/openat(2): the new descriptor, or a negative errno. New plates get mode & ~022. */
int fsp_openat(struct proc *p, int dirfd, const char *path, int flags, uint32_t mode);
/* newfstatat(2): flags AT_EMPTY_PATH (path "" means dirfd itself) and AT_SYMLINK_NOFOLLOW
 * (no symbolic links exist, so it changes nothing). */
int fsp_stat_at(struct proc *p, int dirfd, const char *path, int flags, struct linux_stat *st);
/* access(2) with R_OK 4, W_OK 2, X_OK 1 (F_OK 0). */
int fsp_access(struct proc *p, const char *path, int mode);
int fsp_chdir(struct proc *p, const char *path);
/* The lowest free descriptor >= min on fd's file (dup, F_DUPFD, F_DUPFD_CLOEXEC). */
int fsp_dup(struct proc *p, int fd, int min, int cloexec);
long fsp_fcntl(struct proc *p, int fd, int cmd, uint64_t arg);
