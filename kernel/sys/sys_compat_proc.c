/* Linux process calls of the compatibility personality: resource limits, usage and system
 * information, signals sent with kill/tkill/tgkill (delivered by kernel/proc/signal.c: a
 * handler runs, or the default action applies; to groups and to all: kernel/proc/jobctl.c),
 * process groups and sessions (jobctl.h), prctl names, sigaltstack, and the memory advice
 * calls madvise and mremap. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/timer.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fsinfo.h"
#include "kernel/proc/loadavg.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/jobctl.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/ulimit.h"
#include "kernel/res/res.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

#define USER_HZ 100

/* ---- limits ------------------------------------------------------------------------------ */

static long do_prlimit(uint64_t pid, uint64_t res, uint64_t unew, uint64_t uold)
{
	struct linux_rlimit nl, old;
	struct proc *p;
	int err = sysarg_proc(pid, 0, &p);
	if (err)
		return err;
	if (res >= L_RLIMIT_NLIMITS)
		return -EINVAL;
	if (unew && copy_from_user(&nl, (const void *)unew, sizeof(nl)))
		return -EFAULT;
	if (unew && nl.cur > nl.max)
		return -EINVAL;
	if (uold && !user_range_ok(uold, sizeof(old)))
		return -EFAULT;
	err = ulimit_prlimit(p, sysarg_cred(), (uint32_t)res, unew ? &nl : NULL, &old);
	if (!err && uold && copy_to_user((void *)uold, &old, sizeof(old)))
		return -EFAULT;
	return err;
}

long sys_prlimit64(const struct sysargs *a)
{
	return do_prlimit(a->a[0], a->a[1], a->a[2], a->a[3]);
}

long sys_getrlimit(const struct sysargs *a)
{
	if (!a->a[1])
		return -EFAULT;
	return do_prlimit(0, a->a[0], 0, a->a[1]);
}

long sys_setrlimit(const struct sysargs *a)
{
	if (!a->a[1])
		return -EFAULT;
	return do_prlimit(0, a->a[0], a->a[1], 0);
}

/* ---- usage and system information -------------------------------------------------------- */

long sys_sysinfo(const struct sysargs *a)
{
	struct linux_sysinfo si;
	struct fsinfo_mem m;
	uint64_t avg[3];
	uint32_t running;
	memset(&si, 0, sizeof(si));
	fsinfo_mem(&m);
	loadavg_get(avg, &running);
	si.uptime = (int64_t)(time_ns() / 1000000000ull);
	for (int i = 0; i < 3; i++)
		si.loads[i] = avg[i] << (16 - LOADAVG_FSHIFT);     /* SI_LOAD_SHIFT is 16 */
	si.totalram = m.total_kb * 1024;
	si.freeram = m.free_kb * 1024;
	si.sharedram = m.shared_kb * 1024;
	si.procs = (uint16_t)res_count(RT_PROCESS);
	si.mem_unit = 1;
	return copy_to_user((void *)a->a[0], &si, sizeof(si));
}

static int64_t clock_ticks(uint64_t ns)
{
	return (int64_t)(ns / (1000000000ull / USER_HZ));
}

/* times(2): the caller's and its reaped children's processor time in clock ticks (cputime.h);
 * the return value is the clock-tick count since boot, as Linux gives. */
long sys_times(const struct sysargs *a)
{
	struct linux_tms t;
	struct cputime self, kids;
	struct proc *p = proc_cur();
	cputime_proc(p, &self);
	kids = p->cpu_children;
	t.utime = clock_ticks(self.utime_ns);
	t.stime = clock_ticks(self.stime_ns);
	t.cutime = clock_ticks(kids.utime_ns);
	t.cstime = clock_ticks(kids.stime_ns);
	if (a->a[0] && copy_to_user((void *)a->a[0], &t, sizeof(t)))
		return -EFAULT;
	return clock_ticks(time_ns());
}

/* getrusage(2): who is RUSAGE_SELF, RUSAGE_CHILDREN or RUSAGE_THREAD. Not counted (zero, as
 * for most of them on Linux too): major faults (nothing is paged in from a disk), block I/O,
 * swaps, IPC messages and signals. */
long sys_getrusage(const struct sysargs *a)
{
	struct linux_rusage ru;
	struct cputime c;
	struct proc *p = proc_cur();
	int who = (int)a->a[0];
	if (who == L_RUSAGE_SELF)
		cputime_proc(p, &c);
	else if (who == L_RUSAGE_CHILDREN)
		c = p->cpu_children;
	else if (who == L_RUSAGE_THREAD) {
		cputime_exec(exec_cur(), &c);
		cputime_rss_sample(p);           /* Linux gives the process's (the memory's) */
		c.maxrss_kib = p->cpu_ended.maxrss_kib;
	} else
		return -EINVAL;
	cputime_to_rusage(&c, &ru);
	return copy_to_user((void *)a->a[1], &ru, sizeof(ru));
}

/* ---- signals ----------------------------------------------------------------------------- */

static int send_signal(struct proc *p, int sig)
{
	if (!jobctl_may_signal(proc_cur(), p, sig))
		return -EPERM;
	return signal_send(p, sig);
}

/* kill(pid, sig): one process (a thread's id names its process, as Linux), the caller's group
 * (0), group -pid, or every process the caller may signal but init and itself (-1). */
long sys_kill(const struct sysargs *a)
{
	int pid = (int)a->a[0], sig = (int)a->a[1];
	struct proc *p, *self = proc_cur();
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (pid == -1)
		return jobctl_kill_all(self, sig);
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid <= 0)
		return jobctl_kill_group(self, pid ? -pid : self->pgid, sig);
	int err = sysarg_proc((uint64_t)pid, 0, &p);
	if (err == -EREMOTE)
		return send_signal(proc_by_pid(pid), sig);   /* signal_send forwards it */
	rid_t e = err == -ESRCH ? thread_by_tid(pid) : 0;
	if (e && (p = proc_get(exec_proc(e))))    /* a thread's id names its process (Linux) */
		err = 0;
	return err ? err : send_signal(p, sig);
}

/* tkill(tid, sig) and tgkill(tgid, tid, sig): a signal to one thread (thread.h). */
static long thread_kill(int tgid, int tid, int sig)
{
	struct proc *self = proc_cur();
	if (tid <= 0 || sig < 0 || sig > 64)
		return -EINVAL;
	rid_t e = thread_by_tid(tid);
	struct proc *p = e ? proc_get(exec_proc(e)) : NULL;
	if (!p || (tgid > 0 && p->pid != tgid))
		return -ESRCH;
	if (!jobctl_may_signal(self, p, sig))
		return -EPERM;
	return signal_send_thread(p, e, sig);
}

long sys_tkill(const struct sysargs *a)
{
	return thread_kill(0, (int)a->a[0], (int)a->a[1]);
}

long sys_tgkill(const struct sysargs *a)
{
	if ((int)a->a[0] <= 0)
		return -EINVAL;
	return thread_kill((int)a->a[0], (int)a->a[1], (int)a->a[2]);
}

long sys_sigaltstack(const struct sysargs *a)
{
	struct linux_stack ss, old;
	if (a->a[0] && copy_from_user(&ss, (const void *)a->a[0], sizeof(ss)))
		return -EFAULT;
	if (a->a[1] && !user_range_ok(a->a[1], sizeof(old)))
		return -EFAULT;
	int err = signal_altstack(a->a[0] ? &ss : NULL, &old);
	if (!err && a->a[1] && copy_to_user((void *)a->a[1], &old, sizeof(old)))
		return -EFAULT;
	return err;
}

/* ---- groups and sessions ----------------------------------------------------------------- */

static long group_of(uint64_t pid, bool session)
{
	struct proc *p;
	int err = sysarg_proc(pid, 0, &p);
	if (err == -EREMOTE)
		p = proc_by_pid((int)pid), err = 0;     /* the stub keeps its group and session */
	return err ? err : session ? p->sid : p->pgid;
}

long sys_getpgid(const struct sysargs *a)
{
	return group_of(a->a[0], false);
}

long sys_getsid(const struct sysargs *a)
{
	return group_of(a->a[0], true);
}

long sys_getpgrp(const struct sysargs *a)
{
	(void)a;
	return proc_cur()->pgid;
}

long sys_setsid(const struct sysargs *a)
{
	int sid = 0;
	(void)a;
	int err = jobctl_setsid(proc_cur(), &sid);
	return err ? err : sid;
}

long sys_setpgid(const struct sysargs *a)
{
	int pid = (int)a->a[0], pgid = (int)a->a[1];
	if (pid < 0)
		return -ESRCH;
	return jobctl_setpgid(proc_cur(), pid, pgid);
}

/* ---- prctl, rseq ------------------------------------------------------------------------- */

long sys_prctl(const struct sysargs *a)
{
	struct proc *p = proc_cur();
	char name[16];
	switch (a->a[0]) {
	case L_PR_SET_NAME:
		if (strncpy_from_user(name, (const char *)a->a[1], sizeof(name)) == -EFAULT)
			return -EFAULT;
		name[sizeof(name) - 1] = '\0';
		return res_set_name(p->hdr.rid, name);
	case L_PR_GET_NAME:
		memset(name, 0, sizeof(name));
		strlcpy(name, p->hdr.name, sizeof(name));
		return copy_to_user((void *)a->a[1], name, sizeof(name));
	default:
		return -EINVAL;
	}
}

/* Restartable sequences are not provided: the C libraries register one at start and go on
 * without it when the kernel answers ENOSYS. */
long sys_rseq(const struct sysargs *a)
{
	(void)a;
	return -ENOSYS;
}

/* ---- memory advice ----------------------------------------------------------------------- */

long sys_madvise(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len = a->a[1];
	int advice = (int)a->a[2];
	if (addr & 4095 || len > (1ull << 47) || addr + len < addr)
		return -EINVAL;
	/* NORMAL RANDOM SEQUENTIAL WILLNEED DONTNEED, FREE, MERGEABLE.., HUGEPAGE.., DONTDUMP..,
	 * COLD, PAGEOUT: hints only; pages stay as they are (MADV_DONTNEED does not zero) */
	if ((advice >= 0 && advice <= 4) || advice == 8 || (advice >= 12 && advice <= 17) ||
	    advice == 20 || advice == 21)
		return 0;
	return -EINVAL;
}

/* Shrinking in place unmaps the tail; growing is refused with ENOMEM (C libraries then
 * allocate anew and copy). */
long sys_mremap(const struct sysargs *a)
{
	uint64_t addr = a->a[0], old_len = (a->a[1] + 4095) & ~4095ull;
	uint64_t new_len = (a->a[2] + 4095) & ~4095ull, flags = a->a[3];
	if (addr & 4095 || flags & ~(uint64_t)(L_MREMAP_MAYMOVE | L_MREMAP_FIXED |
					       L_MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & L_MREMAP_FIXED) && !(flags & L_MREMAP_MAYMOVE))
		return -EINVAL;
	if (!new_len || a->a[2] > (1ull << 47))
		return -EINVAL;
	if (flags & (L_MREMAP_FIXED | L_MREMAP_DONTUNMAP))
		return -EINVAL;
	if (new_len > old_len)
		return -ENOMEM;
	if (new_len < old_len) {
		int err = procmem_munmap(proc_cur(), addr + new_len, old_len - new_len);
		if (err)
			return err;
	}
	return (long)addr;
}
