/* chroot(2): a process's own root directory. Paths stay canonical and global inside the
 * kernel (plates are named by them); resolution (open.c) runs in the namespace of the current
 * process's root, so "/" and ".." stop there and absolute link targets land inside it. */
#pragma once
#include <stdbool.h>
#include "kernel/fs/path.h"

struct proc;

/* The current process's root as a canonical global path, or NULL for the real root. */
const char *fs_root_cur(void);
/* The current process's credentials, which path walks check search rights with; NULL (the
 * kernel's: no checks) outside a process. */
struct cred;
const struct cred *fs_cred_cur(void);
/* A canonical path rel of root's namespace as a global one (-ENAMETOOLONG). */
int fs_root_join(const char *root, const char *rel, char out[PATH_BUF]);
/* A global canonical path as seen from root: false if it lies outside root. */
bool fs_root_strip(const char *root, const char *global, char out[PATH_BUF]);
/* chroot(2): path (resolved as usual, so relative to the current root) becomes p's root:
 * -ENOENT, -ENOTDIR, -EACCES (no search right), -EPERM unless the effective uid is 0. */
int fsp_chroot(struct proc *p, const char *path);
