/* Symbolic links of every kind of plate: a disk's (its server holds the target), /proc's
 * (generated: /proc/self, a process's cwd, exe and descriptors), and those of the boot image
 * and of memory, whose content is the target. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/lib/string.h"
#include "kernel/proc/proc.h"

static long content_target(const struct plate *p, char *kbuf, size_t size)
{
	size_t done = 0;
	while (done < size) {
		const void *src;
		size_t n;
		pl_content_span(p, done, &src, &n);
		if (!n)
			break;
		if (n > size - done)
			n = size - done;
		memcpy(kbuf + done, src, n);
		done += n;
	}
	return (long)done;
}

long plate_readlink(rid_t rid, char *kbuf, size_t size)
{
	struct plate *p = plate_obj(rid);
	if (!p)
		return -ENOENT;
	if ((p->mode & L_S_IFMT) != L_S_IFLNK)
		return -EINVAL;
	if (p->flags & PF_DISK)
		return pl_disk_readlink(p, kbuf, size);
	if (p->flags & PF_PROC) {
		struct proc *self = proc_cur();
		struct cred root = { 0, 0 };
		return procfs_readlink(&p->pnode, self ? &self->cred : &root, kbuf, size);
	}
	return content_target(p, kbuf, size);
}
