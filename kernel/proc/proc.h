/*
 * Processes: the unit the OS controls. A process entry names its constituents by resource id:
 * its program, its virtual space, its execution, and the attachments (virtual user spaces)
 * of its regions. Nothing here points into another type's table.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/linux.h"
#include "abi/tessera.h"
#include "kernel/fs/file.h"
#include "kernel/proc/cputime.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/ident.h"
#include "kernel/proc/thread.h"
#include "kernel/res/res.h"

/* Most processes that can exist at once (zombies included). The table grows in chunks as
 * processes are created (res.h), so a machine pays only for the processes it has. */
#define NPROC 4096

struct meta_req;
struct mig_build;

/* A process and migration (kernel/proc/migrate.h, docs/migration.md). */
enum proc_mig_state {
	PM_NONE = 0,
	PM_FROZEN,       /* stopped in its kernel exit for a migration: whole, resumable */
	PM_COMMITTED,    /* it has moved: it leaves at its kernel exit (a stub, or gone) */
	PM_BUILDING,     /* made by t_mig_create, not started yet (no execution) */
};
struct proc_mig {
	enum proc_mig_state state;
	int owner;                   /* FROZEN, BUILDING: pid of the migrator (its exit undoes) */
	uint32_t home_node;          /* 0: this node is its home; else where it was created */
	int home_pid;                /* its pid there */
	uint32_t where_node;         /* TPS_REMOTE: the node it runs on now, and its pid there */
	int where_pid;
	bool whole_space;            /* FROZEN: its space moves whole (TMF_SPACE) */
	struct mig_build *build;     /* BUILDING: registers and state until t_mig_start */
};

/* A signal disposition as rt_sigaction passes it (handler 0 = default, 1 = ignore). */
struct sigact {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};
#define PROC_MAX_ATT 256     /* attached regions per process (text, data, heap, stack, mmaps) */
#define PROC_NGROUPS CRED_NGROUPS   /* supplementary groups (setgroups: more is -EINVAL) */

struct proc {
	struct res_hdr hdr;
	int pid;
	int ppid;
	enum t_proc_state state;
	rid_t program;
	rid_t vspace;
	rid_t exec;
	struct proc_ids ids;         /* real, effective and saved ids (ident.h); cred holds the
				      * file-system ids, which the access checks use */
	struct cred cred;            /* fs ids and supplementary groups, which the access checks
				      * use (after the leaf calls' fields: it is large) */
	rid_t att[PROC_MAX_ATT];     /* vuspace rids of this process's regions */
	int att_end;                 /* one past the highest att slot ever used: loops stop here */
	uint64_t brk_start, brk_cur, brk_max;
	rid_t heap_att;
	uint64_t img_va, img_span;   /* system-wide addresses reserved for a PIE's segments */
	int exit_status;             /* wait status word (Linux encoding) */
	bool killed;
	int kill_sig;
	struct args *args;           /* argv/envp (args.h), for restarts */
	struct meta_req *meta;       /* a metamorphosis waiting to be applied (metamorph.h) */
	rid_t fault_ckpt;            /* checkpoint to return to on a fault, 0 = die */
	uint32_t fault_recoveries;
	rid_t vfork_parent;          /* set while it runs on its parent's memory (vfork) */
	uint8_t place;               /* TPL_*: how its children's programs are placed (place.h) */
	uint8_t exec_how;            /* TPX_*: how its last execve placed its program */
	uint32_t vforks_as_fork, hvs_fallbacks;   /* place.h's counters */
	struct sigact sig[65];       /* dispositions (signal.h) */
	uint64_t sig_pending;        /* caught signals sent to the process, bit sig-1 (each
				      * thread's mask and its own pending set: thread.h) */
	uint64_t alarm_at;           /* real-time timer (ptimer.h), monotonic ns, 0 = off */
	uint64_t alarm_interval;
	struct fdtable fds;
	char *cwd;                   /* canonical; heap strings (fsp_dir_set, fsproc.h) */
	char *root;                  /* chroot(2): its root directory, "" for the real one */
	uint32_t umask;              /* umask(2): permission bits cleared on create */
	int nice;                    /* setpriority(2)'s nice value, -20..19 (nice.h) */
	bool told_unknown_call;      /* the console was told it asked for a missing call */
	bool trace_calls;            /* its calls are printed (kernel/sys/trace.h); inherited */
	rid_t pid_next;              /* next process in its pid hash bucket (proc.c) */
	rid_t child_first, child_last;   /* its children, zombies first (proc.c) */
	rid_t sib_prev, sib_next;    /* its place in its parent's list of children */
	struct linux_rlimit rlim[L_RLIMIT_NLIMITS];   /* resource limits (ulimit.h) */
	uint32_t nthreads;           /* its executions: exec and those linked from it (thread.h) */
	rid_t single_exec;           /* the execution making itself the only one (thread_single) */
	uint64_t start_ns;           /* when it was made (monotonic), for /proc's start times */
	struct proc_mig mig;         /* migration: frozen, moved away, or a visitor here */
	int pgid, sid;               /* its process group and session (jobctl.h): pids */
	bool ctty;                   /* its session's terminal is its controlling one (ctty.h) */
	bool did_exec;               /* it changed program since it was made (setpgid: EACCES) */
	bool stopped;                /* a stop signal holds every thread in its kernel exit */
	uint8_t stop_sig;            /* the signal that stopped it */
	bool stop_told;              /* every thread is held: its parent was told (jobctl.h) */
	uint32_t stop_held;          /* its threads holding in the stop now (jobctl_hold) */
	uint8_t wait_report;         /* JC_REPORT_*: a stop or continue its parent's wait sees */
	struct cputime cpu_ended;    /* its ended threads' time, and its largest resident set */
	struct cputime cpu_children; /* its reaped children's and their reaped descendants' */
};

void proc_init(void);
struct proc *proc_cur_slow(void);
extern rid_t proc_cache_exec;
extern struct proc *proc_cache;
struct proc *proc_by_pid(int pid);
struct proc *proc_get(rid_t rid);
/* Processes made since boot, and the pid given last (/proc/stat, /proc/loadavg). */
uint64_t proc_created(void);
int proc_last_pid(void);
/* Call fn for every live process (zombies included). */
void proc_for_each(void (*fn)(struct proc *p, void *ctx), void *ctx);
/* One DBG line per process for kdebug_dump: pid, parent, state, execution, name. */
void proc_debug_dump(void);

/* Create a process running the program at path (relative to the parent's directory; a "#!"
 * script runs its interpreter, binfmt.h) with the vectors args (consumed whatever the
 * result; the caller passes kernel copies of every other argument). */
struct args;
int proc_create(const char *path, struct args *args, const char *name, rid_t vspace,
		uint32_t mode, int prio, struct proc *parent, int *pid_out);
/* The current process ends with this wait status (exit_group, a fault, a deadly signal):
 * its other threads are told to end, and the last one to leave ends the process. */
_Noreturn void proc_exit(int status_word);
/* p (just created, not run yet) takes copies of from's descriptors in place of its parent's,
 * as at an exec (close-on-exec ones closed): a server's replacement gets what the old server
 * had, not what the process it hangs under has open. -ENOMEM leaves its own. */
int proc_inherit_fds(struct proc *p, const struct proc *from);
/* The current process has moved to another node (its migration committed): its constituents
 * go (to the reusable-resource table), and it stays a stub (TPS_REMOTE) if this is its home,
 * else it is gone (init reaps the entry). */
_Noreturn void proc_migrated(void);
/* Stub p ended on the node it ran on: a zombie for its parent's wait, with that status. */
void proc_remote_exit(struct proc *p, int status_word);
/* An entry for a process arriving from another node (kernel/proc/migrate_in.c): init's
 * child, with ids and fs cred; no space, memory or execution. proc_discard_arrival undoes it, or gives
 * a stub back the nothing it had. */
int proc_new_arrival(const char *name, uint32_t mode, const struct proc_ids *ids,
		     const struct cred *cred, struct proc **out);
void proc_discard_arrival(struct proc *p);
/* The next free pid, also used for thread ids (never a live pid or thread id). */
int proc_alloc_pid(void);
/* What wait4 and waitid look for: one child (pid > 0), the children of a group (pgid > 0),
 * or any child; flags TW_NOHANG and the PW_* below. */
#define PW_EXITED 0x100
#define PW_STOPPED 0x200
#define PW_CONTINUED 0x400
#define PW_NOWAIT 0x800
struct wait_sel {
	int pid, pgid;
	int flags;
};
/* What it found: the child, its wait status word (Linux encoding: a stop is sig << 8 | 0x7f,
 * a continue 0xffff), waitid's CLD_* code and status, its user, and (for an end) its time
 * and its reaped children's (zero for a stop or continue). */
struct wait_res {
	int pid, status, code, si_status;
	uint32_t uid;
	struct cputime usage;
};
/* The pid found, 0 with TW_NOHANG and nothing to report, or -ECHILD / -ERESTARTSYS. */
int proc_wait_sel(const struct wait_sel *w, struct wait_res *r);
/* Give back the entry of zombie c (its parent has waited for it). */
void proc_reap(struct proc *c);
/* Wait for a child (pid -1: any). Returns the child's pid, 0 with TW_NOHANG and none done;
 * usage (if not NULL) gets the reaped child's time and its own children's (wait4). */
int proc_wait(int pid, int *status_word, int flags, struct cputime *usage);
/* setgroups: root only (-EPERM), at most PROC_NGROUPS (-EINVAL). */
int proc_set_groups(struct proc *p, const uint32_t *groups, uint32_t n);
/* End process p with signal sig (now if it is the caller, else at its next kernel exit). */
int proc_kill(struct proc *p, int sig);
/* Called on every return to user mode: ends the process if it was killed. */
void proc_check_killed(void);
/* vfork (Linux clone with CLONE_VM|CLONE_VFORK, as musl's posix_spawn, system and popen use
 * it): a child that runs in its parent's space on its parent's memory, from the parent's frame
 * tf (on the stack child_sp if not 0), while the parent waits; it lets go at execve, which
 * gives it an image and a space of its own, or at exit. Returns the child's pid. */
int proc_vfork(struct proc *parent, const struct trapframe *tf, uint64_t child_sp, int *pid_out);
void proc_vfork_release(struct proc *p);
/* A new process entry for a child of parent: identity, descriptors (all, as fork keeps
 * them), arguments and program; no space, memory or execution yet. */
int proc_new_child(struct proc *parent, struct proc **out);
/* Undo proc_new_child (and whatever was added, before the child has an execution). */
void proc_discard_child(struct proc *c);
/* Give child c (its space set) an execution that resumes from the parent's frame tf with 0
 * in rax (on stack child_sp, if not 0) and the parent's user state, and make it ready. */
int proc_start_child(struct proc *parent, struct proc *c, const struct trapframe *tf,
		     uint64_t child_sp);
struct load_info;
/* Build p's memory for program from p->args: segments, heap, stack (li: entry and sp). */
int proc_build_image(struct proc *p, rid_t program, struct load_info *li);
/* A user frame that starts a program (entry, stack, user segments, interrupts on). */
void proc_start_frame(struct trapframe *tf, const struct load_info *li);
/* A fault in user code: the process returns to its fault checkpoint (and this returns), or
 * is ended with signal sig and a console message. */
void proc_fault(struct trapframe *tf, int sig, const char *what, uint64_t addr);
/* On every exit to user mode when p->killed or p->meta is set: end or metamorphose. */
void proc_exit_work(struct trapframe *tf);

/* The process of the running execution (NULL for a kernel-only execution); asked for on
 * every system call, so the answer is cached per execution id. */
static inline struct proc *proc_cur(void)
{
	rid_t e = exec_cur();
	return e && e == proc_cache_exec ? proc_cache : proc_cur_slow();
}

/* Slot of p->att is about to hold an attachment (proc_att_used keeps att_end an upper
 * bound, so every loop over p->att can stop at att_end instead of PROC_MAX_ATT). */
static inline void proc_att_used(struct proc *p, int slot)
{
	if (slot >= p->att_end)
		p->att_end = slot + 1;
}

/* A blocking call of the current thread of process p (the current process) should give up
 * (-EINTR): the process or this thread is being ended or metamorphosed, or a signal it does
 * not block waits for it. */
static inline bool proc_aborting(const struct proc *p)
{
	const struct thread *t = thread_cur();
	return p->killed || p->meta || t->killed || p->stopped ||
	       ((p->sig_pending | t->sig_pending) & ~t->sig_mask);
}

/* The current thread of process p (the current process) is to end: the process is killed, or
 * another thread made itself the only one. Waits that signals do not interrupt stop here. */
static inline bool proc_ending(const struct proc *p)
{
	return p->killed || thread_cur()->killed;
}

/* Work for the current thread's exit to user mode (p: the current process, or NULL): an end,
 * a metamorphosis, a signal to deliver. */
static inline bool proc_exit_pending(const struct proc *p)
{
	return p && proc_aborting(p);
}
