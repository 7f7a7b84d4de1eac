/* Memory system calls: brk, mmap, munmap, mprotect. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/procmem.h"
#include "kernel/sys/syscall.h"

long sys_brk(const struct sysargs *a)
{
	return procmem_brk(proc_cur(), a->a[0]);
}

long sys_mmap(const struct sysargs *a)
{
	uint32_t prot = (uint32_t)a->a[2], flags = (uint32_t)a->a[3];
	if (prot & ~(uint32_t)(L_PROT_READ | L_PROT_WRITE | L_PROT_EXEC))
		return -EINVAL;
	if (!(flags & (L_MAP_PRIVATE | L_MAP_SHARED)))
		return -EINVAL;
	if ((flags & L_MAP_SHARED) && (flags & L_MAP_ANONYMOUS))
		return -ENOTSUP;        /* fork shares private memory copy-on-write only */
	struct proc *p = proc_cur();
	struct file *f = NULL;
	if (!(flags & L_MAP_ANONYMOUS)) {
		int err = a->a[4] > (uint64_t)INT32_MAX ? -EBADF : fd_get(&p->fds, (int)a->a[4], &f);
		if (err)
			return err;
		if (!f->plate || plate_is_dir(f->plate))
			return -EACCES;       /* pipes, the console, directories: nothing to map */
	}
	return procmem_mmap(p, a->a[0], a->a[1], prot, flags, f ? f->plate : 0, a->a[5]);
}

long sys_munmap(const struct sysargs *a)
{
	return procmem_munmap(proc_cur(), a->a[0], a->a[1]);
}

long sys_mprotect(const struct sysargs *a)
{
	if (a->a[2] & ~(uint64_t)(L_PROT_READ | L_PROT_WRITE | L_PROT_EXEC))
		return -EINVAL;
	return procmem_mprotect(proc_cur(), a->a[0], a->a[1], (uint32_t)a->a[2]);
}
