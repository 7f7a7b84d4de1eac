/* Processes (see proc.h): creation from a program, exit, wait, faults. */
#include "kernel/proc/proc.h"
#include "abi/errno.h"
#include "arch/cpu.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/dev/device.h"
#include "kernel/fs/plate.h"
#include "kernel/fs/fsproc.h"
#include "kernel/fs/reclock.h"
#include "kernel/ipc/srv.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/load.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/procmove.h"
#include "kernel/proc/args.h"
#include "kernel/proc/binfmt.h"
#include "kernel/proc/ckpt.h"
#include "kernel/proc/jobctl.h"
#include "kernel/proc/metamorph.h"
#include "kernel/proc/migrate.h"
#include "kernel/node/node.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/ptimer.h"
#include "kernel/proc/runmode.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/place.h"
#include "kernel/proc/program.h"
#include "kernel/proc/ulimit.h"

static struct res_table proc_table;
static int next_pid = 1;
#define PID_MAX (1 << 22)          /* pids wrap here (as Linux's largest pid_max) */

static const struct res_ops proc_ops;

struct proc *proc_get(rid_t rid)
{
	return res_obj(rid, RT_PROCESS);
}

/* The current process is asked for on every system call: remember the last answer, keyed
 * by the execution's id (a process entry outlives its execution, so the cache is valid for
 * as long as that execution id is current). */
rid_t proc_cache_exec;
/* Never NULL, so the entries' leaf path (frame.S.h) needs no test of it: when no process is
 * cached it points at an empty entry whose execution id (0) matches no running execution. */
static struct proc proc_none;
struct proc *proc_cache = &proc_none;

struct proc *proc_cur_slow(void)
{
	rid_t e = exec_cur();
	struct proc *p = proc_get(exec_proc(e));
	proc_cache = p ? p : &proc_none;
	proc_cache_exec = p ? e : 0;
	return p;
}

/* pid -> process: a hash of chains linked through the entries (pid_next), so a lookup costs
 * about live/PID_BUCKETS steps; pids are handed out in sequence, which spreads them evenly. */
#define PID_BUCKETS 1024
static rid_t pid_hash[PID_BUCKETS];

struct proc *proc_by_pid(int pid)
{
	if (pid <= 0)
		return NULL;
	for (rid_t r = pid_hash[pid % PID_BUCKETS]; r;) {
		struct proc *p = proc_get(r);
		if (p->pid == pid)
			return p;
		r = p->pid_next;
	}
	return NULL;
}

static void pid_hash_add(struct proc *p)
{
	rid_t *bucket = &pid_hash[p->pid % PID_BUCKETS];
	p->pid_next = *bucket;
	*bucket = p->hdr.rid;
}

static void pid_hash_remove(struct proc *p)
{
	for (rid_t *r = &pid_hash[p->pid % PID_BUCKETS]; *r; r = &proc_get(*r)->pid_next) {
		if (*r == p->hdr.rid) {
			*r = p->pid_next;
			return;
		}
	}
	panic("pid_hash_remove: pid %d is not in the hash", p->pid);
}

/* The next pid: in sequence, wrapping at PID_MAX past the ones still in use, as pids or as
 * thread ids (at most NPROC + NEXEC of PID_MAX, so the skip is short). */
static uint64_t created;
static int last_pid;

static bool pids_wrapped;

int proc_alloc_pid(void)
{
	created++;
	for (;;) {
		if (next_pid >= PID_MAX) {
			next_pid = 2;
			pids_wrapped = true;
		}
		int pid = next_pid++;
		/* nor the id of a group or session that lives on after its leader (Linux keeps
		 * such a pid too); only reuse after a wrap can meet one, so only then the walk */
		if (!proc_by_pid(pid) && !thread_tid_used(pid) &&
		    !(pids_wrapped && jobctl_id_used(pid)))
			return last_pid = pid;
	}
}

uint64_t proc_created(void)
{
	return created;
}

int proc_last_pid(void)
{
	return last_pid;
}

/* The children of a process form a list of rids with its zombies in front, so that wait
 * finds one without looking at the others, and exit hands them to init without a table
 * walk. */
static void child_link(struct proc *parent, struct proc *c)
{
	c->sib_prev = c->sib_next = 0;
	if (!parent->child_first) {
		parent->child_first = parent->child_last = c->hdr.rid;
	} else if (c->state == TPS_ZOMBIE) {
		c->sib_next = parent->child_first;
		proc_get(parent->child_first)->sib_prev = c->hdr.rid;
		parent->child_first = c->hdr.rid;
	} else {
		c->sib_prev = parent->child_last;
		proc_get(parent->child_last)->sib_next = c->hdr.rid;
		parent->child_last = c->hdr.rid;
	}
}

static void child_unlink(struct proc *parent, struct proc *c)
{
	if (c->sib_prev)
		proc_get(c->sib_prev)->sib_next = c->sib_next;
	else
		parent->child_first = c->sib_next;
	if (c->sib_next)
		proc_get(c->sib_next)->sib_prev = c->sib_prev;
	else
		parent->child_last = c->sib_prev;
	c->sib_prev = c->sib_next = 0;
}

/* A new entry for a process, counted against the creator's RLIMIT_NPROC (ulimit.h); -EAGAIN
 * when the table is full, as fork says it. */
static int alloc_entry(struct proc *creator, const char *name, uint32_t mode, rid_t *out)
{
	int err = ulimit_nproc_charge(creator);
	if (err)
		return err;
	if ((err = res_alloc(RT_PROCESS, name, creator ? &creator->cred : NULL, mode, out)))
		ulimit_nproc_uncharge(creator ? creator->ids.ruid : 0);
	return err == -ENFILE ? -EAGAIN : err;
}

/* Give back the entry of p (its constituents are gone): out of its parent's list, the pid
 * hash and the process cache (which the system-call entry reads, so it must never point at
 * a freed entry whose memory the table may unmap). */
static void free_entry(struct proc *p)
{
	struct proc *parent = proc_by_pid(p->ppid);
	if (parent)
		child_unlink(parent, p);
	pid_hash_remove(p);
	if (proc_cache == p) {
		proc_cache = &proc_none;
		proc_cache_exec = 0;
	}
	ulimit_nproc_uncharge(p->ids.ruid);
	plate_proc_forget(p->pid);
	fsp_dirs_free(p);
	res_free(p->hdr.rid);
}

void proc_for_each(void (*fn)(struct proc *p, void *ctx), void *ctx)
{
	struct proc *p;
	for (uint32_t i = 0; (p = res_iter(RT_PROCESS, &i));)
		fn(p, ctx);
}

/* kprintf's %s escapes control bytes, so a user-set name cannot forge console lines. */
void proc_debug_dump(void)
{
	struct proc *p;
	for (uint32_t i = 0; (p = res_iter(RT_PROCESS, &i));)
		kprintf("DBG proc %d ppid %d state %d exec %lx threads %u uid %u killed %d vfork %lx "
			"name %s\n", p->pid, p->ppid, p->state, p->exec, p->nthreads, p->cred.uid,
			p->killed, p->vfork_parent, p->hdr.name);
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct proc *p = proc_get(rid);
	info->v[0] = p->pid;
	info->v[1] = p->ppid;
	info->v[2] = p->exec ? (uint64_t)exec_visible_state(p->exec) : p->state;
	info->v[3] = p->exit_status;
	info->v[4] = p->cred.uid;
	if (p->state == TPS_REMOTE)
		info->v[5] = T_PLOC(p->mig.where_node, p->mig.where_pid, 0);
	else if (p->mig.home_node)
		info->v[5] = T_PLOC(p->mig.home_node, p->mig.home_pid, T_PLOC_HOME);
	res_add_ref(info, "program", p->program);
	res_add_ref(info, "space", p->vspace);
	THREAD_FOR_EACH(p, e)
		res_add_ref(info, "exec", e);
	for (int i = 0; i < p->att_end; i++)
		if (p->att[i])
			res_add_ref(info, p->att[i] == p->heap_att ? "heap" : "region", p->att[i]);
}

static void constituents(rid_t rid, void (*fn)(rid_t, void *), void *arg)
{
	struct proc *p = proc_get(rid);
	rid_t parts[] = { p->program, p->vspace };
	for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i])
			fn(parts[i], arg);
	THREAD_FOR_EACH(p, e)
		fn(e, arg);
	for (int i = 0; i < p->att_end; i++) {
		if (p->att[i]) {
			fn(p->att[i], arg);
			fn(vattach_region(p->att[i]), arg);
		}
	}
}

static int destroy(rid_t rid)
{
	struct proc *p = proc_get(rid);
	if (p->state == TPS_ZOMBIE)
		return -EBUSY;               /* reaped by its parent's wait */
	if (p->state == TPS_REMOTE)
		return mig_stub_signal(p, L_SIGKILL, 0);
	return proc_kill(p, L_SIGKILL);
}

static const struct res_ops proc_ops = { .describe = describe, .destroy = destroy,
					 .constituents = constituents };

void proc_init(void)
{
	proc_table = (struct res_table){ .stride = sizeof(struct proc),
					 .capacity = NPROC,
					 .ops = &proc_ops };
	res_register(RT_PROCESS, &proc_table);
	ulimit_init();
}

/* Join a space (creating a fresh one when space == 0). Creating a process in an existing
 * space needs the move right on it, as moving one into it does (procmove.c): a process there
 * can read and change the memory of every other. */
static int join_space(struct proc *p, rid_t space)
{
	int err;
	if (!space) {
		if ((err = proc_space_new(p, &space)))
			return err;
	} else if ((err = res_validate(space, RT_VSPACE)) ||
		   (err = res_check(space, TOP_MOVE, &p->cred))) {
		return err;
	}
	p->vspace = space;
	vspace_proc_ref(space, 1);
	return 0;
}

/* Give back everything but the process entry itself (the zombie keeps that). */
static void release_constituents(struct proc *p)
{
	procmem_release(p);
	if (p->program)
		program_put(p->program);
	p->program = 0;
	if (p->vspace)
		vspace_proc_ref(p->vspace, -1);     /* deletes a transient space left empty */
	p->vspace = 0;
	fdtable_close_all(&p->fds);
	reclock_exit(p->pid);
	args_put(p->args);
	p->args = NULL;
	ckpt_set_fault_return(p, 0);
}

void proc_start_frame(struct trapframe *tf, const struct load_info *li)
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = li->entry;
	tf->rsp = li->sp;
	tf->cs = SEL_UCODE;
	tf->ss = SEL_UDATA;
	tf->rflags = RFLAGS_IF | 0x2;
}

static int setup_exec(struct proc *p, int prio, const struct load_info *li, bool by_parent)
{
	int err = exec_create(prio, p->hdr.rid, &p->cred, &p->exec);
	if (err)
		return err;
	thread_init_leader(p, p->exec);
	if (by_parent)
		thread_inherit(p->exec, true);
	proc_start_frame(exec_tf(p->exec), li);
	exec_set_root(p->exec, vspace_root(p->vspace));
	return 0;
}

int proc_build_image(struct proc *p, rid_t program, struct load_info *li)
{
	int err = load_segments(p, program, li);
	if (!err)
		err = procmem_setup_heap(p);
	if (!err)
		err = load_stack(p, program, p->args, li);
	return err;
}

static void init_identity(struct proc *p, struct proc *parent);
static int inherit(struct proc *p, struct proc *parent, bool as_exec);

int proc_new_child(struct proc *parent, struct proc **out)
{
	rid_t rid;
	int err = alloc_entry(parent, parent->hdr.name, parent->hdr.mode, &rid);
	if (err)
		return err;
	struct proc *c = proc_get(rid);
	init_identity(c, parent);
	if ((err = inherit(c, parent, false))) {
		free_entry(c);
		return err;
	}
	c->args = parent->args;            /* never changed in place: shared, not copied */
	args_get(c->args);
	c->program = parent->program;
	if (c->program)                      /* none for a process from another node */
		program_get(c->program);
	*out = c;
	return 0;
}

void proc_discard_child(struct proc *c)
{
	if (c->exec)
		panic("proc_discard_child: pid %d has already started", c->pid);
	release_constituents(c);
	free_entry(c);
}

int proc_start_child(struct proc *parent, struct proc *c, const struct trapframe *tf,
		     uint64_t child_sp)
{
	(void)parent;               /* the running thread of parent is the one copied */
	int err = exec_create(exec_get_prio(exec_cur()), c->hdr.rid, &c->cred, &c->exec);
	if (err)
		return err;
	thread_init_leader(c, c->exec);
	thread_inherit(c->exec, false);
	struct trapframe *ctf = exec_tf(c->exec);
	*ctf = *tf;
	ctf->rax = 0;                            /* fork and vfork return 0 in the child */
	if (child_sp)
		ctf->rsp = child_sp;
	struct exec_user_state st;
	exec_get_user_state(exec_cur(), &st);
	exec_set_user_state(c->exec, &st);
	exec_set_root(c->exec, vspace_root(c->vspace));
	c->state = TPS_READY;
	exec_make_ready(c->exec);
	return 0;
}

int proc_vfork(struct proc *parent, const struct trapframe *tf, uint64_t child_sp, int *pid_out)
{
	struct proc *c;
	int err = proc_new_child(parent, &c);
	if (err)
		return err;
	c->vspace = parent->vspace;              /* the parent's space and memory, no region */
	vspace_proc_ref(c->vspace, 1);
	c->vfork_parent = parent->hdr.rid;
	if ((err = proc_start_child(parent, c, tf, child_sp))) {
		c->vfork_parent = 0;
		proc_discard_child(c);
		return err;
	}
	/* the child runs on our memory: we may not run until it lets go of it. A kill ends the
	 * wait (Linux's vfork waits killably too); the memory then becomes the child's, as a
	 * shared Linux mm outlives the parent, so the child runs on safely and frees it when it
	 * lets go (execve or exit) */
	while (c->vfork_parent && !parent->killed)
		sleep_on(c, 0);
	/* a child with no room for the parent's regions beside its own cannot run on: it dies
	 * before it runs user code again (and meanwhile only the kernel touches that memory,
	 * through copies that fail cleanly once it is gone) */
	if (c->vfork_parent && procmem_give(parent, c))
		proc_kill(c, L_SIGKILL);
	*pid_out = c->pid;
	return 0;
}

void proc_vfork_release(struct proc *p)
{
	if (!p->vfork_parent)
		return;
	p->vfork_parent = 0;
	wakeup(p);
}

static void init_identity(struct proc *p, struct proc *parent)
{
	p->pid = proc_alloc_pid();
	p->fds.lock_pid = p->pid;         /* its record locks: a close of its own releases them */
	p->start_ns = time_ns();
	pid_hash_add(p);
	p->ppid = parent ? parent->pid : 0;
	jobctl_init_child(p, parent);
	p->state = TPS_NEW;
	if (parent)
		child_link(parent, p);
	ident_set_all(p, 0, 0);
	if (parent) {
		p->ids = parent->ids;
		p->cred = parent->cred;           /* with its supplementary groups */
	}
	p->hdr.owner = p->ids.euid;
	p->hdr.group = p->ids.egid;
	fsp_dirs_init(p);            /* the parent's come with inherit */
	p->umask = parent ? parent->umask : 022;
	p->nice = parent ? parent->nice : 0;
	p->trace_calls = parent && parent->trace_calls;
	ulimit_inherit(p, parent);
	place_inherit(p, parent);
	if (!parent)
		fdtable_init_console(&p->fds);
}

/* What a child takes from its parent besides its identity: the signal dispositions and the
 * descriptors, as fork keeps them (the calling thread's mask and alternate stack go to the
 * child's execution: thread_inherit); as_exec (a spawn is fork + exec): caught signals back
 * to default, close-on-exec ones closed. */
static int inherit(struct proc *p, struct proc *parent, bool as_exec)
{
	memcpy(p->sig, parent->sig, sizeof(p->sig));
	int err = fsp_dirs_copy(p, parent);
	if (!err)
		err = fdtable_clone(&p->fds, &parent->fds);
	if (!err && as_exec) {
		signal_exec(p);
		fdtable_close_cloexec(&p->fds);
	}
	return err;
}

int proc_create(const char *path, struct args *args, const char *name, rid_t vspace,
		uint32_t mode, int prio, struct proc *parent, int *pid_out)
{
	rid_t rid, program;
	struct load_info li;
	const struct cred *cred = parent ? &parent->cred : NULL;
	size_t limit = args_limit(parent ? parent->rlim[L_RLIMIT_STACK].cur : STACK_SIZE);
	int err = binfmt_open(parent ? parent->cwd : "/", path, cred, limit, &args, &program);
	if (!err && (err = alloc_entry(parent, name, mode ? mode : TMODE_DEFAULT, &rid)))
		program_put(program);
	if (err) {
		args_put(args);
		return err;
	}
	struct proc *p = proc_get(rid);
	p->program = program;
	p->args = args;
	init_identity(p, parent);
	if ((parent && (err = inherit(p, parent, true))) || (err = join_space(p, vspace)) ||
	    (err = proc_build_image(p, program, &li)) ||
	    (err = setup_exec(p, prio, &li, parent && parent == proc_cur())))
		goto fail;
	p->state = TPS_READY;
	exec_make_ready(p->exec);
	*pid_out = p->pid;
	return 0;
fail:
	release_constituents(p);
	free_entry(p);
	return err;
}

int proc_inherit_fds(struct proc *p, const struct proc *from)
{
	/* the clone first: a file both tables hold is never closed for good in between */
	struct fdtable old = p->fds;
	int err = fdtable_clone(&p->fds, &from->fds);
	if (err) {
		p->fds = old;
		return err;
	}
	fdtable_close_cloexec(&p->fds);
	fdtable_close_all(&old);
	return 0;
}

/* p's children go to init (pid 1), which reaps them; zombies among them wake it. */
static void reparent_children(struct proc *p)
{
	struct proc *init = proc_by_pid(1);
	bool zombies = false;
	while (p->child_first) {
		struct proc *c = proc_get(p->child_first);
		child_unlink(p, c);
		zombies |= c->state == TPS_ZOMBIE;
		c->ppid = init && init != p ? 1 : 0;
		if (c->ppid)
			child_link(init, c);
		jobctl_reparented(p, c);
	}
	if (zombies && init && init != p)
		wakeup(init);
}

/* p has just become a zombie: to the front of its parent's list, where wait looks. */
static void mark_zombie(struct proc *p)
{
	struct proc *parent = proc_by_pid(p->ppid);
	p->state = TPS_ZOMBIE;
	if (parent) {
		child_unlink(parent, p);
		child_link(parent, p);
	}
}

#define L_SA_NOCLDWAIT 2ul

/* A parent that ignores SIGCHLD, or asked for SA_NOCLDWAIT, gets no zombie (POSIX; busybox
 * httpd relies on it for its per-connection children). */
static bool parent_autoreaps(const struct proc *parent)
{
	const struct sigact *a = &parent->sig[L_SIGCHLD];
	return a->handler == 1 || (a->flags & L_SA_NOCLDWAIT);
}

/* What every end of a process here shares: devices, requests, timers, memory, space. */
static void teardown(struct proc *p)
{
	/* its devices first: no DMA may reach memory that is handed back below */
	dev_proc_exit(p->pid);
	meta_cancel(p);
	runmode_forget(p);
	proc_vfork_release(p);
	if (p->alarm_at)
		ptimer_set(p, 0, 0);
	srv_proc_exit(p->pid);
	mig_owner_exit(p->pid);
	/* run on the kernel's table while this process's space goes away */
	exec_set_root(p->exec, paging_kernel_root());
	release_constituents(p);
}

_Noreturn void proc_exit(int status_word)
{
	struct proc *p = proc_cur();
	assert(p);
	if (p->nthreads > 1) {
		/* the first status given for the whole group is the one its parent sees */
		if (!p->killed) {
			p->killed = true;
			p->kill_sig = status_word;
		}
		thread_interrupt_all(p);
		thread_leave(p);
	}
	thread_release_user(p, false);     /* robust futexes of shared memory: owner died */
	if (p->pid == 1)
		kprintf("init exited with status %d\n", status_word);
	teardown(p);
	p->exit_status = status_word;
	mark_zombie(p);
	thread_end_last(p);
	proc_cache_exec = 0;
	reparent_children(p);
	/* a process from another node: its home learns the end (its parent waits there) */
	if (p->mig.home_node)
		node_send_exit(p->mig.home_node, p->mig.home_pid, status_word, p->pid);
	struct proc *parent = proc_by_pid(p->ppid);
	jobctl_exit(p, parent ? parent->pgid : 0, parent ? parent->sid : 0);
	if (p->pid == 1)
		arch_poweroff(status_word >> 8);
	wakeup(parent);                         /* a wait sees the zombie, or ECHILD */
	if (parent) {
		signal_send(parent, L_SIGCHLD);     /* nothing happens unless it is caught */
		if (parent_autoreaps(parent))
			free_entry(p);              /* p is gone: not used below */
	}
	exec_exit_cur();
}

_Noreturn void proc_migrated(void)
{
	struct proc *p = proc_cur();
	assert(p && p->mig.state == PM_COMMITTED && !p->child_first && p->nthreads == 1);
	teardown(p);
	thread_end_last(p);
	proc_cache_exec = 0;
	p->mig.state = PM_NONE;
	p->mig.whole_space = false;
	if (p->mig.home_node) {
		/* a visitor moved on: it leaves no trace, init reaps its entry */
		p->exit_status = 0;
		mark_zombie(p);
		wakeup(proc_by_pid(p->ppid));
	} else {
		p->state = TPS_REMOTE;        /* its pid, parent and owner stay: a stub */
	}
	exec_exit_cur();
}

void proc_remote_exit(struct proc *p, int status_word)
{
	p->exit_status = status_word;
	mark_zombie(p);
	struct proc *parent = proc_by_pid(p->ppid);
	wakeup(parent);
	if (parent) {
		signal_send(parent, L_SIGCHLD);
		if (parent_autoreaps(parent))
			free_entry(p);
	}
}

int proc_new_arrival(const char *name, uint32_t mode, const struct proc_ids *ids,
		     const struct cred *cred, struct proc **out)
{
	rid_t rid;
	struct proc *init = proc_by_pid(1);
	int err = alloc_entry(NULL, name, mode, &rid);
	if (err)
		return err;
	struct proc *p = proc_get(rid);
	init_identity(p, init);           /* init's child: init reaps it when it ends */
	if (init && (err = fsp_dirs_copy(p, init))) {
		free_entry(p);
		return err;
	}
	jobctl_init_arrival(p);
	if ((err = ulimit_uid_move(0, ids->ruid))) {
		free_entry(p);
		return err;
	}
	p->ids = *ids;
	p->cred = *cred;
	p->hdr.owner = ids->euid;
	p->hdr.group = ids->egid;
	*out = p;
	return 0;
}

void proc_discard_arrival(struct proc *p)
{
	if (p->exec)
		panic("proc_discard_arrival: pid %d has started", p->pid);
	release_constituents(p);
	if (p->state != TPS_REMOTE)
		free_entry(p);
}

int proc_set_groups(struct proc *p, const uint32_t *groups, uint32_t n)
{
	if (p->ids.euid != 0)
		return -EPERM;
	if (n > PROC_NGROUPS)
		return -EINVAL;
	memcpy(p->cred.groups, groups, n * sizeof(groups[0]));
	p->cred.ngroups = n;
	return 0;
}

void proc_reap(struct proc *c)
{
	struct proc *parent = proc_by_pid(c->ppid);
	if (parent)
		cputime_reaped(parent, c);      /* Linux adds a child's times at wait only */
	free_entry(c);
}

int proc_kill(struct proc *p, int sig)
{
	if (p->state == TPS_ZOMBIE)
		return -ESRCH;
	if (p->state == TPS_REMOTE)
		return mig_stub_signal(p, sig, 0);
	if (p == proc_cur())
		proc_exit(sig);
	p->killed = true;
	p->kill_sig = sig;
	thread_interrupt_all(p);
	return 0;
}

void proc_fault(struct trapframe *tf, int sig, const char *what, uint64_t addr)
{
	struct proc *p = proc_cur();
	uint64_t rip = tf->rip;
	if (meta_fault_recover(tf)) {
		kprintf("tessera: pid %d (%s): %s at address 0x%lx, rip 0x%lx; back to its "
			"checkpoint\n", p->pid, p->hdr.name, what, addr, rip);
		return;
	}
	if (p->nthreads > 1)
		kprintf("tessera: pid %d (%s) thread %d: %s at address 0x%lx, rip 0x%lx; killed\n",
			p->pid, p->hdr.name, thread_cur()->tid, what, addr, rip);
	else
		kprintf("tessera: pid %d (%s): %s at address 0x%lx, rip 0x%lx; killed\n", p->pid,
			p->hdr.name, what, addr, rip);
	proc_exit(sig);
}

void proc_check_killed(void)
{
	struct proc *p = proc_cur();
	if (p && p->killed)
		proc_exit(p->kill_sig);
}

void proc_exit_work(struct trapframe *tf)
{
	struct proc *p = proc_cur();
	if (!p)
		return;
	/* a new request may arrive while this process gives the processor to its asker */
	while (p->killed || p->meta || thread_cur()->killed || p->stopped) {
		if (p->killed)
			proc_exit(p->kill_sig);
		if (thread_cur()->killed)
			thread_exit(0);        /* another thread made itself the only one */
		if (!p->meta) {
			jobctl_hold(p);        /* stopped (jobctl.h): until continued or killed */
			continue;
		}
		meta_apply_pending(tf);
		signal_forget_call(p);     /* the frame is the new program's now */
		mig_hold(p);               /* frozen for a migration: until it is over */
		sched_preempt_point();     /* the asker may have priority over the changed process */
	}
	if (signal_deliverable(p))
		signal_deliver(p, tf);
}
