/* Fetching system-call arguments (see sysarg.h). */
#include "kernel/sys/sysarg.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/lib/string.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/args.h"

const struct cred *sysarg_cred(void)
{
	return &proc_cur()->cred;
}

int sysarg_path(uint64_t upath, char **path)
{
	return pathbuf_from_user(upath, path);
}

void sysarg_path_put(char *path)
{
	if (path)
		pathbuf_put_arg(path);
}

int sysarg_name(uint64_t uname, char name[T_NAME_MAX], bool optional)
{
	name[0] = 0;
	if (!uname && optional)
		return 0;
	long n = strncpy_from_user(name, (const char *)uname, T_NAME_MAX);
	return n == -ENAMETOOLONG ? -EINVAL : n < 0 ? (int)n : 0;
}

/* Pass one: how many strings the vector has and their bytes (NULs included), adding to
 * *bytes and *count; E2BIG as soon as the total passes the limit (which bounds the loop). */
static int measure(uint64_t uvec, size_t limit, size_t *bytes, size_t *count, uint32_t *n)
{
	for (*n = 0; uvec; ++*n) {
		uint64_t uptr;
		if (copy_from_user(&uptr, (const void *)(uvec + (uint64_t)*n * 8), 8))
			return -EFAULT;
		if (!uptr)
			return 0;
		long len = strnlen_user((const char *)uptr, ARGS_MAX_STRLEN);
		if (len < 0)
			return len == -ENAMETOOLONG ? -E2BIG : (int)len;
		*bytes += (size_t)len + 1;
		if (!args_fit(*bytes, ++*count, limit))
			return -E2BIG;
	}
	return 0;
}

/* Pass two: the n strings into the block from *off on. A string that changed meanwhile (a
 * thread sharing the memory) is EFAULT: it could no longer be what was measured. */
static int copy_vec(struct args *a, uint64_t uvec, uint32_t n, size_t *off)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t uptr;
		if (copy_from_user(&uptr, (const void *)(uvec + (uint64_t)i * 8), 8))
			return -EFAULT;
		long len = uptr ? strnlen_user((const char *)uptr, ARGS_MAX_STRLEN) : -EFAULT;
		if (len < 0 || *off + (size_t)len + 1 > args_bytes(a))
			return -EFAULT;
		for (size_t done = 0, piece; done < (size_t)len + 1; done += piece) {
			char *p = args_at(a, *off + done, &piece);
			piece = piece < (size_t)len + 1 - done ? piece : (size_t)len + 1 - done;
			if (copy_from_user(p, (const char *)uptr + done, piece))
				return -EFAULT;
		}
		*off += (size_t)len + 1;
		char last;
		args_read(a, *off - 1, &last, 1);
		if (last)
			return -EFAULT;
	}
	return 0;
}

int sysarg_args(uint64_t uargv, uint64_t uenvp, const char *arg0, struct args **out)
{
	size_t limit = args_limit(proc_cur()->rlim[L_RLIMIT_STACK].cur), bytes = 0, count = 0;
	size_t off = 0;
	uint32_t argc, envc;
	struct args *a;
	int err = measure(uargv, limit, &bytes, &count, &argc);
	if (err || (err = measure(uenvp, limit, &bytes, &count, &envc)))
		return err;
	bool dflt = argc == 0 && arg0;
	if (dflt && !args_fit(bytes += strlen(arg0) + 1, ++count, limit))
		return -E2BIG;
	if ((err = args_alloc(bytes, argc + dflt, envc, &a)))
		return err;
	if (dflt) {
		args_write(a, 0, arg0, strlen(arg0) + 1);
		off = strlen(arg0) + 1;
	}
	if ((err = copy_vec(a, uargv, argc, &off)) || (err = copy_vec(a, uenvp, envc, &off)) ||
	    (off != bytes && (err = -EFAULT))) {
		args_put(a);
		return err;
	}
	*out = a;
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
