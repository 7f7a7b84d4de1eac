/* Per-process root directories (chroot.h). A process's root is inherited over fork and kept
 * over execve and metamorphosis; a process with one does not migrate (TMIG_CHROOT). */
#include "kernel/fs/chroot.h"
#include "abi/errno.h"
#include "kernel/fs/fsproc.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"
#include "kernel/proc/proc.h"

const char *fs_root_cur(void)
{
	struct proc *p = proc_cur();
	return p && p->root[0] ? p->root : NULL;
}

const struct cred *fs_cred_cur(void)
{
	struct proc *p = proc_cur();
	return p ? &p->cred : NULL;
}

int fs_root_join(const char *root, const char *rel, char out[PATH_BUF])
{
	size_t rl = strlen(root), n = strlen(rel);
	if (strcmp(rel, "/") == 0)
		n = 0;                               /* the root itself */
	if (rl + n > CANON_MAX_LEN)
		return -ENAMETOOLONG;
	memcpy(out, root, rl);
	memcpy(out + rl, rel, n);
	out[rl + n] = '\0';
	return 0;
}

bool fs_root_strip(const char *root, const char *global, char out[PATH_BUF])
{
	size_t rl = strlen(root);
	if (strncmp(global, root, rl) != 0 || (global[rl] != '/' && global[rl] != '\0'))
		return false;
	strlcpy(out, global[rl] ? global + rl : "/", PATH_BUF);
	return true;
}

int fsp_chroot(struct proc *p, const char *path)
{
	rid_t plate;
	int err = fsp_lookup_at(p, L_AT_FDCWD, path, &plate);
	if (!err && !plate_is_dir(plate))
		err = -ENOTDIR;
	if (!err)
		err = plate_permission(plate, PLATE_MAY_EXEC, &p->cred);
	if (!err && p->ids.euid != 0)
		err = -EPERM;                        /* Linux's CAP_SYS_CHROOT */
	if (err)
		return err;
	char *canon = pathbuf_get();
	long n = canon ? plate_path(plate, canon, PATH_BUF) : -ENOMEM;
	if (n >= 0)       /* "/" is the real root again: nothing to remember */
		n = !n ? -ENOENT : fsp_dir_set(&p->root, strcmp(canon, "/") == 0 ? "" : canon);
	pathbuf_put(canon);
	return (int)n;
}
