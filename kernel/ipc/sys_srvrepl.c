/* The system calls of live server replacement: fetch and check the arguments, then call
 * srvrepl.c (abi/srv.h says what each call does, docs/replacement.md how to use them). */
#include "abi/errno.h"
#include "abi/srv.h"
#include "kernel/fs/path.h"
#include "kernel/ipc/srvrepl.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/args.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

_Static_assert(sizeof(struct t_repl_state) <= 4096, "t_repl_take: one kmalloc object");
#define REPL_MAX_FNS 256              /* ids one t_repl_ready names */

struct repl_args {
	struct t_repl_req req;
	char *path;                    /* PATH_ARG_BUF bytes (sysarg_path), NULL before */
	struct args *args;             /* argv (the path alone when none is given) and envp */
	struct t_repl_result res;
};

static int fetch_request(struct repl_args *s, uint64_t ureq)
{
	if (copy_from_user(&s->req, (const void *)ureq, sizeof(s->req)))
		return -EFAULT;
	if (s->req.flags || s->req.fn >= T_FN_MAX || s->req.deadline_ms > T_REPL_DEADLINE_MAX_MS ||
	    (!s->req.fn && s->req.pid <= 0))
		return -EINVAL;
	int err = sysarg_path((uint64_t)s->req.path, &s->path);
	if (err)
		return err;
	if (!s->path[0])
		return -ENOENT;
	return sysarg_args((uint64_t)s->req.argv, (uint64_t)s->req.envp, s->path, &s->args);
}

/* t_repl_request(const struct t_repl_req *req, struct t_repl_result *res): root only. The
 * result is written whatever the outcome (it says how far a failed replacement got). */
long sys_t_repl_request(const struct sysargs *a)
{
	if (sysarg_cred()->uid != 0)
		return -EPERM;
	static const struct t_repl_result zero;
	/* the result must be writable before anything happens: it is the only report */
	if (sysarg_out(a->a[1], sizeof(zero)) || copy_to_user((void *)a->a[1], &zero, sizeof(zero)))
		return -EFAULT;
	struct repl_args *s = kzalloc(sizeof(*s));
	int err = s ? fetch_request(s, a->a[0]) : -ENOMEM;
	if (!err) {
		struct srvrepl_prog prog = { s->path, s->args };
		uint32_t ms = s->req.deadline_ms ? s->req.deadline_ms : T_REPL_DEADLINE_MS;
		err = srvrepl_request(proc_cur(), &prog, s->req.fn, s->req.pid, ms, &s->res);
		if (copy_to_user((void *)a->a[1], &s->res, sizeof(s->res)) && !err)
			err = -EFAULT;
	}
	if (s && s->args)
		args_put(s->args);
	if (s)
		sysarg_path_put(s->path);
	kfree(s);
	return err;
}

/* t_repl_declare(version) */
long sys_t_repl_declare(const struct sysargs *a)
{
	if (a->a[0] > 0xffffffffu)
		return -EINVAL;
	srvrepl_declare(proc_cur(), (uint32_t)a->a[0]);
	return 0;
}

/* t_repl_handover(const struct t_repl_item *items, n, version) */
long sys_t_repl_handover(const struct sysargs *a)
{
	/* on the stack, not kmalloc'ed: the call ends in the old server's exit when it works */
	struct t_repl_item items[T_REPL_MAX_STATE];
	uint64_t n = a->a[1];
	if (n > T_REPL_MAX_STATE || a->a[2] > 0xffffffffu)
		return -EINVAL;
	if (n && copy_from_user(items, (const void *)a->a[0], n * sizeof(items[0])))
		return -EFAULT;
	return srvrepl_handover(proc_cur(), items, (uint32_t)n, (uint32_t)a->a[2]);
}

/* t_repl_take(struct t_repl_state *out) */
long sys_t_repl_take(const struct sysargs *a)
{
	struct t_repl_state *st;
	if (sysarg_out(a->a[0], sizeof(*st)))
		return -EFAULT;
	if (copy_to_user((void *)a->a[0], &(struct t_repl_state){ 0 }, sizeof(*st)))
		return -EFAULT;
	if (!(st = kzalloc(sizeof(*st))))
		return -ENOMEM;
	int err = srvrepl_take(proc_cur(), st);
	/* the ICAs are its own now (on loan): their ids must reach it; the out pointer was
	 * probed, so only a concurrent unmap can fail here, and then the state goes back when
	 * the replacement fails for want of t_repl_ready */
	if (!err)
		err = copy_to_user((void *)a->a[0], st, sizeof(*st));
	kfree(st);
	return err;
}

/* t_repl_ready(const uint32_t *fns, n) */
long sys_t_repl_ready(const struct sysargs *a)
{
	uint32_t fns[REPL_MAX_FNS];
	uint64_t n = a->a[1];
	if (n > REPL_MAX_FNS)
		return -EINVAL;
	if (n && copy_from_user(fns, (const void *)a->a[0], n * sizeof(uint32_t)))
		return -EFAULT;
	for (uint64_t i = 0; i < n; i++)
		if (fns[i] == T_FN_IRQ || fns[i] >= T_FN_MAX)
			return -EINVAL;
	return srvrepl_ready(proc_cur(), fns, (uint32_t)n);
}

/* t_repl_abort(status): status < 0 */
long sys_t_repl_abort(const struct sysargs *a)
{
	int64_t st = (int64_t)a->a[0];
	if (st >= 0 || st < -4095)
		return -EINVAL;
	return srvrepl_abort(proc_cur(), (int)st);
}

/* t_repl_stat(fn, struct t_repl_stat *out) */
long sys_t_repl_stat(const struct sysargs *a)
{
	struct t_repl_stat st;
	if (a->a[0] == T_FN_IRQ || a->a[0] >= T_FN_MAX)
		return -EINVAL;
	if (sysarg_out(a->a[1], sizeof(st)))
		return -EFAULT;
	int err = srvrepl_stat((uint32_t)a->a[0], &st);
	return err ? err : copy_to_user((void *)a->a[1], &st, sizeof(st));
}
