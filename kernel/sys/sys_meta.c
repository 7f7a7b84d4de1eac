/* Metamorphosis calls: change program, restart, checkpoints and fault recovery. Each checks
 * the modify right on the target process and every argument before anything changes; the
 * change itself is applied by the target (kernel/proc/metamorph.c). */
#include "abi/errno.h"
#include "abi/tessera.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/args.h"
#include "kernel/proc/ckpt.h"
#include "kernel/proc/metamorph.h"
#include "kernel/proc/program.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/file.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

/* The target of a change: pid 0 is the caller; the caller needs TOP_MODIFY on it. */
static int target(uint64_t pid, struct proc **out)
{
	return sysarg_proc(pid, TOP_MODIFY, out);
}

static struct meta_req *new_req(enum meta_kind kind)
{
	struct meta_req *req = kzalloc(sizeof(*req));
	if (req)
		req->kind = kind;
	return req;
}

/* A program path and its argv and envp (user pointers), the vectors packed. */
static int fetch_exec(uint64_t upath, uint64_t uargv, uint64_t uenvp, char *path, void **packed)
{
	/* static: together larger than the kernel stack; safe: one call at a time on one CPU,
	 * and nothing here sleeps before args_pack has copied them */
	static const char *argv[ARGS_MAX_STRINGS + 1], *envp[ARGS_MAX_STRINGS + 1];
	static char buf[ARGS_MAX_BYTES];
	size_t used = 0;
	struct sysarg_strvec av = { argv, 0, ARGS_MAX_STRINGS, buf, &used, ARGS_MAX_BYTES };
	struct sysarg_strvec ev = { envp, 0, ARGS_MAX_STRINGS, buf, &used, ARGS_MAX_BYTES };
	int argc, envc, err;
	long n = strncpy_from_user(path, (const char *)upath, 256);
	if (n <= 0)
		return n ? (int)n : -ENOENT;
	if ((err = sysarg_strvec(&av, uargv)) || (err = sysarg_strvec(&ev, uenvp)))
		return err;
	argc = av.n;
	envc = ev.n;
	if (!uargv) {
		argv[0] = path;
		argc = 1;
	}
	*packed = args_pack(argv, argc, envp, envc);
	return *packed ? 0 : -E2BIG;
}

/* Path, argv and envp of a t_spawn request, packed. */
static int fetch_program_args(uint64_t ureq, char *path, void **packed)
{
	struct t_spawn req;
	if (copy_from_user(&req, (const void *)ureq, sizeof(req)))
		return -EFAULT;
	return fetch_exec((uint64_t)req.path, (uint64_t)req.argv, (uint64_t)req.envp, path, packed);
}

/* Change the caller's program to path with these vectors (a use reference on the program and
 * the packed args are consumed). */
static long chprog_self(const char *path, void *args)
{
	struct proc *self = proc_cur();
	rid_t program, none;
	int err = program_open(path, &self->cred, &program);
	if (err) {
		kfree(args);
		return err;
	}
	struct meta_req *req = kzalloc(sizeof(*req));
	if (!req) {
		program_put(program);
		kfree(args);
		return -ENOMEM;
	}
	req->kind = MK_CHPROG;
	req->program = program;
	req->args = args;
	return meta_request(self, req, &none);
}

/* Linux execve: the caller's change of program (a vfork child also gets a space of its
 * own, and its parent goes on). */
long sys_execve(const struct sysargs *a)
{
	char path[256], full[256];
	void *args = NULL;
	int err = fetch_exec(a->a[0], a->a[1], a->a[2], path, &args);
	if (!err)
		err = fs_resolve(proc_cur()->cwd, path, full);
	if (err) {
		kfree(args);
		return err;
	}
	return chprog_self(full, args);
}

long sys_t_chprog(const struct sysargs *a)
{
	char path[256];
	struct proc *p;
	void *args = NULL;
	rid_t program, none;
	int err = target(a->a[0], &p);
	if (err || (err = fetch_program_args(a->a[1], path, &args)))
		goto fail;
	if ((err = program_open(path, &p->cred, &program)))
		goto fail;
	struct meta_req *req = new_req(MK_CHPROG);
	if (!req) {
		program_put(program);
		err = -ENOMEM;
		goto fail;
	}
	req->program = program;
	req->args = args;
	return meta_request(p, req, &none);
fail:
	kfree(args);
	return err;
}

long sys_t_restart(const struct sysargs *a)
{
	struct proc *p;
	rid_t none;
	int err = target(a->a[0], &p);
	if (err)
		return err;
	if (!p->program)
		return -ENOEXEC;          /* it came from another node: its program stayed there */
	struct meta_req *req = new_req(MK_RESTART);
	return req ? meta_request(p, req, &none) : -ENOMEM;
}

long sys_t_ckpt_save(const struct sysargs *a)
{
	struct proc *p;
	rid_t saved = 0;
	char name[T_NAME_MAX] = "";
	int err = target(a->a[0], &p);
	if (err || (err = sysarg_name(a->a[1], name, true)) ||
	    (err = sysarg_out(a->a[2], sizeof(rid_t))))
		return err;
	if (!p->program)
		return -ENOEXEC;          /* a checkpoint belongs to a program: it has none here */
	struct meta_req *req = new_req(MK_SAVE);
	if (!req)
		return -ENOMEM;
	strlcpy(req->name, name, sizeof(req->name));
	if (p == proc_cur())
		req->uout = (rid_t *)a->a[2];     /* written before the memory is saved */
	long r = meta_request(p, req, &saved);
	/* a process that saved itself also comes back here later, with T_CKPT_RESTORED */
	if (r == 0 && p != proc_cur() && copy_to_user((void *)a->a[2], &saved, sizeof(saved))) {
		res_delete(saved, NULL);
		return -EFAULT;
	}
	return r;
}

long sys_t_ckpt_restore(const struct sysargs *a)
{
	struct proc *p;
	rid_t ckpt = a->a[1], none;
	int err = target(a->a[0], &p);
	if (err || (err = res_check(ckpt, TOP_USE, sysarg_cred())) ||
	    (err = ckpt_check(p, ckpt)))
		return err;
	struct meta_req *req = new_req(MK_RESTORE);
	if (!req)
		return -ENOMEM;
	req->ckpt = ckpt;
	return meta_request(p, req, &none);
}

long sys_t_ckpt_onfault(const struct sysargs *a)
{
	struct proc *self = proc_cur();
	rid_t ckpt = a->a[0];
	int err;
	if (ckpt && ((err = res_check(ckpt, TOP_USE, &self->cred)) ||
		     (err = ckpt_check(self, ckpt))))
		return err;
	ckpt_set_fault_return(self, ckpt);
	return 0;
}
