/* The system calls of ICAs and server communication: fetch and check the arguments, then
 * call ica.c and srv.c (abi/srv.h says what each call does, docs/servers.md how to use them). */
#include "abi/errno.h"
#include "abi/srv.h"
#include "kernel/ipc/ica.h"
#include "kernel/ipc/srv.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

/* t_ica_create(pages, flags, struct t_ica *out) */
long sys_t_ica_create(const struct sysargs *a)
{
	struct t_ica t;
	if (a->a[1] > 0xffffffffu)
		return -EINVAL;
	if (sysarg_out(a->a[2], sizeof(t)))
		return -EFAULT;
	int err = ica_create(a->a[0], (uint32_t)a->a[1], proc_cur(), &t);
	if (err)
		return err;
	/* the caller cannot learn the id: take the ICA back rather than leave it behind */
	if ((err = copy_to_user((void *)a->a[2], &t, sizeof(t))))
		ica_drop(t.rid);
	return err;
}

/* t_ica_attach(rid, addr, struct t_ica *out) */
long sys_t_ica_attach(const struct sysargs *a)
{
	struct t_ica t;
	if (sysarg_out(a->a[2], sizeof(t)))
		return -EFAULT;
	int err = ica_attach(a->a[0], proc_cur(), a->a[1], &t);
	return err ? err : copy_to_user((void *)a->a[2], &t, sizeof(t));
}

/* t_ica_detach(rid) */
long sys_t_ica_detach(const struct sysargs *a)
{
	return ica_detach(a->a[0], proc_cur());
}

/* t_fn_register(fn, pid, flags): root only; pid 0 is the caller. */
long sys_t_fn_register(const struct sysargs *a)
{
	struct proc *p;
	if (sysarg_cred()->uid != 0)
		return -EPERM;
	if (a->a[0] >= T_FN_MAX || a->a[2] & ~(uint64_t)TFN_UNREGISTER)
		return -EINVAL;
	int err = sysarg_proc(a->a[1], 0, &p);
	return err ? err : srv_fn_register((uint32_t)a->a[0], p->pid, (uint32_t)a->a[2]);
}

/* t_srv_call(struct t_msg *io) */
long sys_t_srv_call(const struct sysargs *a)
{
	struct t_msg m;
	if (copy_from_user(&m, (const void *)a->a[0], sizeof(m)))
		return -EFAULT;
	bool done;
	int st = srv_call(proc_cur(), &m, &done);
	if (!done)
		return st;
	int err = copy_to_user((void *)a->a[0], &m, sizeof(m));
	return err ? err : st;
}

/* t_srv_send(const struct t_msg *req, uint64_t *id) */
long sys_t_srv_send(const struct sysargs *a)
{
	struct t_msg m;
	uint64_t id;
	if (copy_from_user(&m, (const void *)a->a[0], sizeof(m)) || sysarg_out(a->a[1], sizeof(id)))
		return -EFAULT;
	int err = srv_send(proc_cur(), &m, &id);
	/* the request is under way whatever happens to the id: its result still comes */
	return err ? err : copy_to_user((void *)a->a[1], &id, sizeof(id));
}

/* t_srv_result(struct t_msg *out, flags) */
long sys_t_srv_result(const struct sysargs *a)
{
	if (a->a[1] > 0xffffffffu)
		return -EINVAL;
	if (sysarg_out(a->a[0], sizeof(struct t_msg)))
		return -EFAULT;
	return srv_result(proc_cur(), (struct t_msg *)a->a[0], (uint32_t)a->a[1]);
}

/* t_srv_recv(struct t_msg *out, flags) */
long sys_t_srv_recv(const struct sysargs *a)
{
	if (a->a[1] > 0xffffffffu)
		return -EINVAL;
	if (sysarg_out(a->a[0], sizeof(struct t_msg)))
		return -EFAULT;
	return srv_recv(proc_cur(), (struct t_msg *)a->a[0], (uint32_t)a->a[1]);
}

/* t_srv_reply(const struct t_msg *res) */
long sys_t_srv_reply(const struct sysargs *a)
{
	struct t_msg m;
	if (copy_from_user(&m, (const void *)a->a[0], sizeof(m)))
		return -EFAULT;
	return srv_reply(proc_cur(), &m);
}

/* t_srv_reply_recv(struct t_msg *io, flags): answer io, then take the next into io. */
long sys_t_srv_reply_recv(const struct sysargs *a)
{
	struct t_msg m;
	if (a->a[1] & ~(uint64_t)(TSRV_NONBLOCK | TSRV_RESULTS))
		return -EINVAL;
	if (copy_from_user(&m, (const void *)a->a[0], sizeof(m)))
		return -EFAULT;
	int err = srv_reply(proc_cur(), &m);
	return err ? err : srv_recv(proc_cur(), (struct t_msg *)a->a[0], (uint32_t)a->a[1]);
}

/* t_srv_stat(struct t_fn_stat *buf, count, uint32_t *total) */
long sys_t_srv_stat(const struct sysargs *a)
{
	struct t_fn_stat st;
	uint64_t count = a->a[1];
	uint32_t n = 0;
	if (a->a[2] && sysarg_out(a->a[2], sizeof(n)))
		return -EFAULT;
	if (count && (count > T_FN_MAX || sysarg_out(a->a[0], count * sizeof(st))))
		return count > T_FN_MAX ? -EINVAL : -EFAULT;
	for (; srv_stat_nth(n, &st); n++)
		if (n < count && copy_to_user((struct t_fn_stat *)a->a[0] + n, &st, sizeof(st)))
			return -EFAULT;
	if (a->a[2] && copy_to_user((void *)a->a[2], &n, sizeof(n)))
		return -EFAULT;
	return n < count ? (long)n : (long)count;
}
