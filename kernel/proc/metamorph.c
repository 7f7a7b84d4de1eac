/* Process metamorphosis (see metamorph.h): requests, and applying them to the process's
 * return frame at its own kernel exit. */
#include "kernel/proc/metamorph.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/args.h"
#include "kernel/proc/ckpt.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/load.h"
#include "kernel/proc/migrate.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/place.h"
#include "kernel/proc/program.h"
#include "kernel/proc/runmode.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/procmove.h"
#include "kernel/mm/vspace.h"

#define MAX_FAULT_RECOVERIES 1000    /* a process that keeps faulting at once dies anyway */

static void free_req(struct meta_req *req)
{
	if (req->program)
		program_put(req->program);        /* a change of program never applied */
	args_put(req->args);
	kfree(req);
}

/* A vfork child that changes program gets a space of its own; then its parent may go on. */
static int leave_vfork_space(struct proc *p)
{
	rid_t space;
	int err = proc_space_new(p, &space);
	if (err)
		return err;
	rid_t old = p->vspace;
	p->vspace = space;
	vspace_proc_ref(space, 1);
	exec_set_root(p->exec, vspace_root(space));
	vspace_proc_ref(old, -1);
	proc_vfork_release(p);
	return 0;
}

/* Where p's new program goes, before anything of the old image is released: a vfork child
 * leaves its parent's memory, for a fresh space of its own or (TPL_HVS) staying in the
 * parent's space; any other process stays where it is. *how says which (TPX_*). */
static int exec_placement(struct proc *p, rid_t program, uint32_t *how)
{
	*how = TPX_IN_PLACE;
	if (!p->vfork_parent)
		return 0;
	if (place_exec_in_parent_space(p, program)) {
		*how = TPX_PARENT_SPACE;
		proc_vfork_release(p);           /* the parent's regions stay its own */
		return 0;
	}
	*how = TPX_NEW_SPACE;
	return leave_vfork_space(p);
}

/* Change program (or, with the process's own program and no new args, restart). The old
 * regions go first, to the reusable table, so the new image can take them back. Takes over
 * program and args whatever the result: on an error (before anything changed) it lets go of
 * them. An error after the old image is gone leaves p killed: it ends at its exit to user
 * mode, once the request is answered (ending it here would leave the request unanswered:
 * its memory lost, or an asker waiting for ever). */
static int apply_chprog(struct proc *p, struct trapframe *tf, rid_t program, struct args *args,
			const char *name)
{
	struct load_info li;
	uint32_t how = TPX_IN_PLACE;
	/* from a thread: the others end first, as Linux's execve (thread.h) */
	int err = thread_single(p);
	if (!err)
		err = exec_placement(p, program, &how);
	if (err) {
		program_put(program);
		args_put(args);
		return err;
	}
	if (args) {
		args_put(p->args);
		p->args = args;
	}
	thread_release_user(p, false);       /* robust futexes of the old image: owner died */
	thread_exec_reset();
	procmem_release(p);
	rid_t old = p->program;
	p->program = program;
	program_put(old);
	ckpt_set_fault_return(p, 0);         /* a position in the old program means nothing */
	ident_exec(p, program);              /* set-user-id files; saved ids = effective ones */
	if ((err = proc_build_image(p, program, &li))) {
		/* the old image is gone already: a process without memory cannot go on */
		kprintf("tessera: pid %d (%s): cannot load the new program (%d); killed\n", p->pid,
			p->hdr.name, err);
		p->killed = true;
		p->kill_sig = L_SIGKILL;      /* the wait status of a death by SIGKILL */
		return err;
	}
	place_exec_done(p, how);
	proc_start_frame(tf, &li);
	exec_reset_user_state(exec_cur());
	signal_exec(p);                      /* as execve: caught signals go back to default */
	fdtable_close_cloexec(&p->fds);
	p->did_exec = true;                  /* its parent's setpgid now fails (EACCES) */
	struct t_res_info in;
	if (name && name[0])
		res_set_name(p->hdr.rid, name);
	else if (res_info(program, &in) == 0)
		res_set_name(p->hdr.rid, in.name);
	runmode_fix_frame(p, tf);
	return 0;
}

/* ---- the kinds of change, behind one table ------------------------------------------------ */

static int apply_change_program(struct proc *p, struct trapframe *tf, struct meta_req *req)
{
	int err = apply_chprog(p, tf, req->program, req->args, req->name);
	req->program = 0;                 /* the process's reference now, or let go of */
	req->args = NULL;
	return err;
}

static int apply_restart(struct proc *p, struct trapframe *tf, struct meta_req *req)
{
	(void)req;
	program_get(p->program);
	return apply_chprog(p, tf, p->program, NULL, NULL);
}

/* Only a process that saved itself is in a call whose result tells it how it came back
 * (t_ckpt_save's 0, T_CKPT_RESTORED, T_CKPT_RECOVERED). Another process's save stops it
 * anywhere (at the return of any call, of an interrupt or of a fault), with rax live in
 * its code: a fault must bring it back with that rax, not with T_CKPT_RECOVERED. */
static int apply_save(struct proc *p, struct trapframe *tf, struct meta_req *req)
{
	if (p->nthreads > 1)
		return -EBUSY;        /* a checkpoint holds one execution's registers */
	uint64_t on_fault = req->own_call ? T_CKPT_RECOVERED : tf->rax;
	return ckpt_save(p, tf, tf->rax, on_fault, req->name, req->uout, &req->result_rid);
}

static int apply_restore(struct proc *p, struct trapframe *tf, struct meta_req *req)
{
	int err = thread_single(p);           /* the checkpoint had one execution */
	return err ? err : ckpt_restore(p, tf, req->ckpt);
}

/* A checkpoint made for an asker that is gone: nobody can learn its id. */
static void forget_save(struct meta_req *req)
{
	res_delete(req->result_rid, NULL);
}

struct meta_kind_ops {
	int (*apply)(struct proc *p, struct trapframe *tf, struct meta_req *req);
	/* undo a result nobody will learn (the asker is gone); NULL: nothing to undo */
	void (*forget)(struct meta_req *req);
	/* a process saving itself sees this in rax when it comes back there (0: keep rax) */
	uint64_t rax_when_saved;
	/* applied to the caller itself, the call returns what the new frame holds in rax */
	bool returns_frame_rax;
};

static const struct meta_kind_ops kind_ops[] = {
	[MK_CHPROG] = { .apply = apply_change_program },
	[MK_RESTART] = { .apply = apply_restart },
	[MK_SAVE] = { .apply = apply_save, .forget = forget_save,
		      .rax_when_saved = T_CKPT_RESTORED },
	[MK_RESTORE] = { .apply = apply_restore, .returns_frame_rax = true },
	[MK_FREEZE] = { .apply = mig_apply_freeze },
};

static const struct meta_kind_ops *ops_of(const struct meta_req *req)
{
	assert(req->kind >= MK_CHPROG && req->kind <= MK_FREEZE);
	return &kind_ops[req->kind];
}

/* The caller changes itself: its frame is the one this system call returns through. */
static long apply_self(struct proc *p, struct meta_req *req, rid_t *saved)
{
	const struct meta_kind_ops *ops = ops_of(req);
	struct trapframe *tf = exec_tf(exec_cur());
	uint64_t rax = tf->rax;
	req->own_call = true;
	if (ops->rax_when_saved)
		tf->rax = ops->rax_when_saved;   /* what the process sees when it comes back */
	long r = ops->apply(p, tf, req);
	if (ops->rax_when_saved)
		tf->rax = rax;
	*saved = req->result_rid;
	free_req(req);
	/* a restored process returns what it was returning when the checkpoint was taken */
	return !r && ops->returns_frame_rax ? (long)tf->rax : r;
}

/* Whether p waits, in vfork, for self (or for a vfork child whose memory self runs on):
 * it applies no request until self lets go, so self must not wait for it. */
static bool waits_for(const struct proc *p, const struct proc *self)
{
	for (int depth = 0; self && self->vfork_parent && depth < NPROC; depth++) {
		if (self->vfork_parent == p->hdr.rid)
			return true;
		self = proc_get(self->vfork_parent);
	}
	return false;
}

long meta_request(struct proc *p, struct meta_req *req, rid_t *saved)
{
	if (p->state == TPS_ZOMBIE || !p->exec) {
		free_req(req);
		return -ESRCH;
	}
	struct proc *self = proc_cur();
	if (p == self)
		return apply_self(p, req, saved);
	if (p->meta || waits_for(p, self)) {
		free_req(req);
		return p->meta ? -EBUSY : -EDEADLK;
	}
	p->meta = req;
	thread_interrupt_all(p);                  /* a blocked call gives up and returns */
	while (!req->done) {
		sleep_on(req, 0);
		if (proc_aborting(self) && !req->done) {
			req->abandoned = true;    /* the target frees it when it gets there */
			return -EINTR;
		}
	}
	long err = req->result;
	*saved = req->result_rid;
	free_req(req);
	return err;
}

void meta_apply_pending(struct trapframe *tf)
{
	struct proc *p = proc_cur();
	struct meta_req *req = p ? p->meta : NULL;
	if (!req)
		return;
	p->meta = NULL;
	const struct meta_kind_ops *ops = ops_of(req);
	req->result = ops->apply(p, tf, req);
	req->done = true;
	if (req->abandoned) {
		if (!req->result && ops->forget)
			ops->forget(req);
		free_req(req);
		return;
	}
	wakeup(req);
}

void meta_cancel(struct proc *p)
{
	struct meta_req *req = p->meta;
	if (!req)
		return;
	p->meta = NULL;
	req->result = -ESRCH;
	req->done = true;
	if (req->abandoned)
		free_req(req);
	else
		wakeup(req);
}

bool meta_fault_recover(struct trapframe *tf)
{
	struct proc *p = proc_cur();
	/* the checkpoint has one execution: a thread's fault ends a process of several */
	if (!p || !p->fault_ckpt || p->nthreads > 1 ||
	    ++p->fault_recoveries > MAX_FAULT_RECOVERIES)
		return false;
	return ckpt_recover(p, tf, p->fault_ckpt) == 0;
}
