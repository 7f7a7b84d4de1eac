/* Process system calls: the Linux ones (getpid, exit, wait4, ...) and Tessera's native
 * process creation and waiting. Arguments are fetched and checked here, then handed on. */
#include "abi/errno.h"
#include "abi/tessera.h"
#include "arch/paging.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/args.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"
#include "kernel/proc/fork.h"
#include "kernel/proc/place.h"
#include "kernel/proc/runmode.h"
#include "kernel/proc/thread.h"

long sys_getpid(const struct sysargs *a)
{
	(void)a;
	return proc_cur()->pid;
}

long sys_getppid(const struct sysargs *a)
{
	(void)a;
	return proc_cur()->ppid;
}

/* One thread ends; the process ends with its last thread. */
long sys_exit(const struct sysargs *a)
{
	thread_exit((int)(a->a[0] & 0xff) << 8);
}

/* Every thread ends: the process does. */
long sys_exit_group(const struct sysargs *a)
{
	proc_exit((int)(a->a[0] & 0xff) << 8);
}

/* The reaped child's status, and its resource usage (wait4's rusage) if uusage is not 0. */
static long wait_common(int pid, uint64_t ustatus, int flags, uint64_t uusage)
{
	int status = 0;
	struct cputime c;
	long r = proc_wait(pid, &status, flags, &c);
	if (r > 0 && ustatus && copy_to_user((void *)ustatus, &status, sizeof(status)))
		return -EFAULT;
	if (r > 0 && uusage) {
		struct linux_rusage ru;
		cputime_to_rusage(&c, &ru);
		if (copy_to_user((void *)uusage, &ru, sizeof(ru)))
			return -EFAULT;
	}
	return r;
}

#define L_WNOHANG 1ul
#define L_WUNTRACED 2ul
#define L_WSTOPPED 2ul
#define L_WEXITED 4ul
#define L_WCONTINUED 8ul
#define L_WNOWAIT 0x01000000ul
#define L_WNOTHREAD 0x20000000ul
#define L_WALL 0x40000000ul
#define L_WCLONE 0x80000000ul

/* Linux's wait options as struct wait_sel flags (what to report). */
static int wait_flags(uint64_t opt)
{
	return (opt & L_WNOHANG ? TW_NOHANG : 0) | (opt & L_WEXITED ? PW_EXITED : 0) |
	       (opt & L_WSTOPPED ? PW_STOPPED : 0) | (opt & L_WCONTINUED ? PW_CONTINUED : 0) |
	       (opt & L_WNOWAIT ? PW_NOWAIT : 0);
}

static int put_rusage(uint64_t uru, const struct cputime *c)
{
	struct linux_rusage ru;
	cputime_to_rusage(c, &ru);
	return copy_to_user((void *)uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}

/* wait4(pid, status, options, rusage): pid > 0 that child, -1 any, 0 the caller's group,
 * < -1 group -pid; rusage: an ended child's (zeros for a stop or a continue). */
long sys_wait4(const struct sysargs *a)
{
	int pid = (int)a->a[0];
	if (a->a[2] & ~(L_WNOHANG | L_WUNTRACED | L_WCONTINUED | L_WNOTHREAD | L_WALL | L_WCLONE))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	if ((a->a[1] && !user_range_ok(a->a[1], sizeof(int))) ||
	    (a->a[3] && !user_range_ok(a->a[3], sizeof(struct linux_rusage))))
		return -EFAULT;
	struct proc *self = proc_cur();
	struct wait_sel w = { .pid = pid > 0 ? pid : 0,
			      .pgid = pid == 0 ? self->pgid : pid < -1 ? -pid : 0,
			      .flags = wait_flags(a->a[2] | L_WEXITED) };
	struct wait_res r;
	long got = proc_wait_sel(&w, &r);
	if (got > 0 && a->a[1] && copy_to_user((void *)a->a[1], &r.status, sizeof(int)))
		return -EFAULT;
	if (got > 0 && a->a[3] && put_rusage(a->a[3], &r.usage))
		return -EFAULT;
	return got;
}

/* The part of a siginfo that waitid fills (Linux's layout for SIGCHLD). */
struct waitid_info {
	int32_t signo, err, code, pad;
	int32_t pid;
	uint32_t uid;
	int32_t status;
	uint8_t rest[128 - 28];
};

#define P_ALL 0
#define P_PID 1
#define P_PGID 2

/* waitid(idtype, id, infop, options, rusage): WEXITED, WSTOPPED, WCONTINUED, WNOWAIT. */
long sys_waitid(const struct sysargs *a)
{
	int id = (int)a->a[1];
	uint64_t opt = a->a[3];
	if ((opt & ~(L_WNOHANG | L_WSTOPPED | L_WEXITED | L_WCONTINUED | L_WNOWAIT |
		     L_WNOTHREAD | L_WALL | L_WCLONE)) ||
	    !(opt & (L_WEXITED | L_WSTOPPED | L_WCONTINUED)))
		return -EINVAL;
	struct wait_sel w = { .flags = wait_flags(opt) };
	if (a->a[0] == P_PID || a->a[0] == P_PGID) {
		if (id <= 0 && !(a->a[0] == P_PGID && id == 0))
			return -EINVAL;
		if (a->a[0] == P_PID)
			w.pid = id;
		else
			w.pgid = id ? id : proc_cur()->pgid;
	} else if (a->a[0] != P_ALL) {
		return -EINVAL;
	}
	if ((a->a[2] && !user_range_ok(a->a[2], sizeof(struct waitid_info))) ||
	    (a->a[4] && !user_range_ok(a->a[4], sizeof(struct linux_rusage))))
		return -EFAULT;
	struct wait_res r;
	long got = proc_wait_sel(&w, &r);
	if (got < 0)
		return got;
	struct waitid_info info;
	memset(&info, 0, sizeof(info));
	if (got > 0)
		info = (struct waitid_info){ .signo = L_SIGCHLD, .code = r.code, .pid = r.pid,
					     .uid = r.uid, .status = r.si_status };
	if (a->a[2] && copy_to_user((void *)a->a[2], &info, sizeof(info)))
		return -EFAULT;
	if (a->a[4]) {
		struct cputime none;
		memset(&none, 0, sizeof(none));
		if (put_rusage(a->a[4], got > 0 ? &r.usage : &none))
			return -EFAULT;
	}
	return 0;
}

long sys_t_proc_wait(const struct sysargs *a)
{
	int pid = (int)a->a[0];
	if (a->a[2] & ~(uint64_t)TW_NOHANG || (pid <= 0 && pid != -1))
		return -EINVAL;
	return wait_common(pid, a->a[1], (int)a->a[2], 0);
}

struct spawn_args {
	struct t_spawn req;
	char *path;                    /* PATH_ARG_BUF bytes (sysarg_path) */
	char name[T_NAME_MAX];
	struct args *args;
};

static int fetch_spawn(struct spawn_args *s, uint64_t ureq)
{
	int err;
	if (copy_from_user(&s->req, (const void *)ureq, sizeof(s->req)))
		return -EFAULT;
	int err0 = sysarg_path((uint64_t)s->req.path, &s->path);
	if (err0)
		return err0;
	if (!s->path[0])
		return -ENOENT;
	const char *slash = strrchr(s->path, '/');
	strlcpy(s->name, slash ? slash + 1 : s->path, sizeof(s->name));
	if (s->req.name && (err = sysarg_name((uint64_t)s->req.name, s->name, false)))
		return err;
	if (s->req.prio < -1 || s->req.prio >= EXEC_NPRIO ||
	    (s->req.mode & ~(uint32_t)TMODE(TOP_ALL, TOP_ALL, TOP_ALL)))
		return -EINVAL;
	/* no argv at all: the path is argv[0] */
	return sysarg_args((uint64_t)s->req.argv, (uint64_t)s->req.envp,
			   s->req.argv ? NULL : s->path, &s->args);
}

long sys_t_proc_create(const struct sysargs *a)
{
	struct spawn_args *s = kzalloc(sizeof(*s));
	int pid = 0, err = -ENOMEM;
	if (!s)
		return err;
	/* probe the result pointer first: a bad one must not leave an unknown child behind */
	if (copy_to_user((void *)a->a[1], &pid, sizeof(pid)))
		err = -EFAULT;
	else
		err = fetch_spawn(s, a->a[0]);
	if (err) {
		args_put(s->args);
		sysarg_path_put(s->path);
		kfree(s);
		return err;
	}
	struct proc *self = proc_cur();
	int prio = s->req.prio >= 0 ? s->req.prio : exec_get_prio(self->exec);
	err = proc_create(s->path, s->args, s->name, s->req.vspace, s->req.mode, prio, self, &pid);
	if (!err)
		copy_to_user((void *)a->a[1], &pid, sizeof(pid));   /* probed above */
	sysarg_path_put(s->path);
	kfree(s);
	return err;
}

long sys_t_set_prio(const struct sysargs *a)
{
	struct proc *p;
	int err = sysarg_proc(a->a[0], TOP_MODIFY, &p);
	if (err)
		return err;
	if (a->a[1] >= EXEC_NPRIO)
		return -EINVAL;
	THREAD_FOR_EACH(p, e)               /* every execution of the process */
		exec_set_prio(e, (int)a->a[1]);
	return p->exec ? 0 : -ESTALE;
}

long sys_t_proc_rid(const struct sysargs *a)
{
	/* a zombie has an id too (its exit status is still to be read) */
	struct proc *p = !a->a[0] ? proc_cur()
		       : a->a[0] <= (uint64_t)INT32_MAX ? proc_by_pid((int)a->a[0]) : NULL;
	if (!p)
		return -ESRCH;
	return copy_to_user((void *)a->a[1], &p->hdr.rid, sizeof(rid_t));
}

/* Linux clone: the vfork kind (CLONE_VM | CLONE_VFORK, with or without a new stack), which
 * musl's posix_spawn, system and popen use, the fork kind (no flags but the exit signal), and
 * threads (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, with the sharing of descriptors and
 * file-system state every thread has here, thread.h). Other sharing is not offered. */
/* what a fork-like clone may ask besides the exit signal (glibc's fork asks the child ones;
 * the child's single thread clears nothing anyone waits on, so that needs no action) */
#define L_FORK_TID_FLAGS (L_CLONE_PARENT_SETTID | L_CLONE_CHILD_CLEARTID | L_CLONE_CHILD_SETTID)
#define L_THREAD_NEEDS (L_CLONE_VM | L_CLONE_SIGHAND | L_CLONE_THREAD)
#define L_THREAD_MAY (L_THREAD_NEEDS | L_CLONE_FS | L_CLONE_FILES | L_CLONE_SYSVSEM |        \
		      L_CLONE_SETTLS | L_CLONE_DETACHED | L_FORK_TID_FLAGS)

/* A process placed TPL_UNIX has its vforks carried out as forks (place.h). */
static long vfork_common(uint64_t child_sp)
{
	struct proc *self = proc_cur();
	int pid;
	int err = place_vfork_as_fork(self) ? proc_fork(self, exec_tf(exec_cur()), child_sp, &pid)
					    : proc_vfork(self, exec_tf(exec_cur()), child_sp, &pid);
	return err ? err : pid;
}

/* clone(flags, stack, ptid, ctid, tls) making a thread: checked whole before anything
 * changes. A process being ended or made single (execve in another thread), a vfork child
 * on its parent's memory and a process with a running-mode switch pending get -EAGAIN /
 * -EINVAL (thread.h, docs/threads.md). */
static long clone_thread(const struct sysargs *a)
{
	struct proc *self = proc_cur();
	struct thread_spawn s = { a->a[0], a->a[1], a->a[4], a->a[2], a->a[3] };
	int tid;
	if ((s.flags & ~(L_THREAD_MAY | L_CSIGNAL)) || (s.flags & L_THREAD_NEEDS) != L_THREAD_NEEDS ||
	    !(s.flags & L_CLONE_FILES) || !(s.flags & L_CLONE_FS) || self->vfork_parent)
		return -EINVAL;
	if (s.stack && !user_range_ok(s.stack - 8, 8))
		return -EFAULT;
	if ((s.flags & L_CLONE_SETTLS) && s.tls >= USER_TOP)
		return -EPERM;
	if (((s.flags & L_CLONE_PARENT_SETTID) && !user_range_ok(s.ptid, sizeof(int))) ||
	    ((s.flags & (L_CLONE_CHILD_SETTID | L_CLONE_CHILD_CLEARTID)) &&
	     !user_range_ok(s.ctid, sizeof(int))))
		return -EFAULT;
	if (self->killed || self->single_exec || runmode_pending_cur())
		return -EAGAIN;
	int err = thread_create(self, exec_tf(exec_cur()), &s, &tid);
	return err ? err : tid;
}

static long fork_common(uint64_t flags, uint64_t uptid, uint64_t uctid)
{
	struct proc *self = proc_cur();
	int pid, err;
	if (((flags & L_CLONE_PARENT_SETTID) && !user_range_ok(uptid, sizeof(int))) ||
	    ((flags & L_CLONE_CHILD_SETTID) && !user_range_ok(uctid, sizeof(int))))
		return -EFAULT;
	if ((err = proc_fork(self, exec_tf(exec_cur()), 0, &pid)))
		return err;
	if (flags & L_CLONE_PARENT_SETTID)
		copy_to_user((void *)uptid, &pid, sizeof(pid));
	if (flags & L_CLONE_CHILD_SETTID)
		proc_poke32(proc_by_pid(pid), uctid, (uint32_t)pid);
	return pid;
}

long sys_fork(const struct sysargs *a)
{
	(void)a;
	return fork_common(0, 0, 0);
}

long sys_clone(const struct sysargs *a)
{
	uint64_t flags = a->a[0];
	/* Linux's own rules first: a thread shares handlers, handlers need shared memory */
	if (((flags & L_CLONE_THREAD) && !(flags & L_CLONE_SIGHAND)) ||
	    ((flags & L_CLONE_SIGHAND) && !(flags & L_CLONE_VM)))
		return -EINVAL;
	if (flags & L_CLONE_THREAD)
		return clone_thread(a);
	if (!(flags & ~(L_CSIGNAL | L_FORK_TID_FLAGS)) && !a->a[1])
		return fork_common(flags, a->a[2], a->a[3]);
	if ((flags & ~L_CSIGNAL) != (L_CLONE_VM | L_CLONE_VFORK))
		return -ENOSYS;
	if (a->a[1] && !user_range_ok(a->a[1] - 8, 8))
		return -EFAULT;
	return vfork_common(a->a[1]);
}

long sys_vfork(const struct sysargs *a)
{
	(void)a;
	return vfork_common(0);
}
