/* Metamorphosis calls: change program, restart, checkpoints and fault recovery. Each checks
 * the modify right on the target process and every argument before anything changes; the
 * change itself is applied by the target (kernel/proc/metamorph.c). */
#include "abi/errno.h"
#include "abi/tessera.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "abi/linux.h"
#include "kernel/proc/args.h"
#include "kernel/proc/binfmt.h"
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

/* A program path (not empty: ENOENT, as Linux). */
static int fetch_path(uint64_t upath, char **path)
{
	int err = sysarg_path(upath, path);
	return err ? err : (*path)[0] ? 0 : -ENOENT;
}

/* The last component of an exec's path: Linux's comm, the name the process takes, which is
 * the script's for a "#!" script and the link's for a symbolic link (pidof, killall and ps
 * match it). */
static void exec_name(const char *path, char name[T_NAME_MAX])
{
	const char *slash = strrchr(path, '/');
	strlcpy(name, slash ? slash + 1 : path, T_NAME_MAX);
}

/* The program to run and its vectors: path and the vectors fetched (an empty argv becomes
 * arg0), then the program opened by target's rights (a script: its interpreter); for a
 * Linux exec, name gets the name the process takes. */
static int fetch_program(uint64_t upath, uint64_t uargv, uint64_t uenvp, bool linux,
			 const struct proc *target, rid_t *program, struct args **args,
			 char name[T_NAME_MAX])
{
	char *path = NULL;
	struct proc *self = proc_cur();
	size_t limit = args_limit(self->rlim[L_RLIMIT_STACK].cur);
	int err = fetch_path(upath, &path);
	*args = NULL;
	if (!err)
		err = sysarg_args(uargv, uenvp, linux ? "" : uargv ? NULL : path, args);
	if (!err)
		err = binfmt_open(self->cwd, path, &target->cred, limit, args, program);
	if (!err && linux)
		exec_name(path, name);
	if (err) {
		args_put(*args);
		*args = NULL;
	}
	sysarg_path_put(path);
	return err;
}

/* Change p's program (a use reference on the program and the vectors are consumed); name,
 * when not NULL, is the name it takes instead of its program's. */
static long chprog(struct proc *p, rid_t program, struct args *args, const char *name)
{
	rid_t none;
	struct meta_req *req = new_req(MK_CHPROG);
	if (!req) {
		program_put(program);
		args_put(args);
		return -ENOMEM;
	}
	req->program = program;
	req->args = args;
	if (name)
		strlcpy(req->name, name, sizeof(req->name));
	return meta_request(p, req, &none);
}

/* Linux execve: the caller's change of program (a vfork child also gets a space of its
 * own, and its parent goes on). Linux's rules: any regular file with an execute bit the
 * caller may use, an ELF image or a "#!" script (binfmt.h); vectors up to args_limit. */
long sys_execve(const struct sysargs *a)
{
	struct proc *self = proc_cur();
	rid_t program;
	struct args *args;
	char name[T_NAME_MAX];
	int err = fetch_program(a->a[0], a->a[1], a->a[2], true, self, &program, &args, name);
	return err ? err : chprog(self, program, args, name);
}

long sys_t_chprog(const struct sysargs *a)
{
	struct proc *p;
	struct t_spawn req;
	rid_t program;
	struct args *args;
	int err = target(a->a[0], &p);
	if (err)
		return err;
	if (copy_from_user(&req, (const void *)a->a[1], sizeof(req)))
		return -EFAULT;
	rid_t rid = p->hdr.rid;
	err = fetch_program((uint64_t)req.path, (uint64_t)req.argv, (uint64_t)req.envp, false, p,
			    &program, &args, NULL);
	if (err)
		return err;
	if (!(p = proc_get(rid))) {          /* gone while a disk was read */
		program_put(program);
		args_put(args);
		return -ESRCH;
	}
	return chprog(p, program, args, NULL);
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
