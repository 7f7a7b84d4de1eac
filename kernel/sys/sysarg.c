/* Fetching system-call arguments (see sysarg.h). */
#include "kernel/sys/sysarg.h"
#include "abi/errno.h"
#include "kernel/mm/uaccess.h"

const struct cred *sysarg_cred(void)
{
	return &proc_cur()->cred;
}

int sysarg_path(uint64_t upath, char path[PATH_BUF])
{
	long n = strncpy_from_user(path, (const char *)upath, PATH_BUF);
	return n < 0 ? (int)n : 0;
}

int sysarg_name(uint64_t uname, char name[T_NAME_MAX], bool optional)
{
	name[0] = 0;
	if (!uname && optional)
		return 0;
	long n = strncpy_from_user(name, (const char *)uname, T_NAME_MAX);
	return n == -ENAMETOOLONG ? -EINVAL : n < 0 ? (int)n : 0;
}

int sysarg_strvec(struct sysarg_strvec *sv, uint64_t uvec)
{
	for (sv->n = 0; uvec; sv->n++) {
		uint64_t uptr;
		if (copy_from_user(&uptr, (const void *)(uvec + (uint64_t)sv->n * 8), 8))
			return -EFAULT;
		if (!uptr)
			break;
		if (sv->n == sv->max)
			return -E2BIG;
		long len = strncpy_from_user(sv->buf + *sv->used, (const char *)uptr,
					     sv->size - *sv->used);
		if (len < 0)
			return len == -ENAMETOOLONG ? -E2BIG : (int)len;
		sv->v[sv->n] = sv->buf + *sv->used;
		*sv->used += (size_t)len + 1;
	}
	sv->v[sv->n] = NULL;
	return 0;
}

int sysarg_proc(uint64_t pid, uint32_t op, struct proc **out)
{
	struct proc *self = proc_cur();
	if (pid > (uint64_t)INT32_MAX)
		return -ESRCH;
	struct proc *p = pid ? proc_by_pid((int)pid) : self;
	if (!p || p->state == TPS_ZOMBIE)
		return -ESRCH;
	if (p->state == TPS_REMOTE)
		return -EREMOTE;          /* it runs on another node: kill reaches it, little else */
	int err = op ? res_check(p->hdr.rid, op, &self->cred) : 0;
	if (err)
		return err;
	*out = p;
	return 0;
}

int sysarg_out(uint64_t uptr, size_t n)
{
	return uptr && user_range_ok(uptr, n) ? 0 : -EFAULT;
}
