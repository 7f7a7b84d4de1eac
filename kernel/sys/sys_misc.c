/* Miscellaneous Linux calls: identity, time, sleeping, thread pointer, signal dispositions and
 * masks (delivery is kernel/proc/signal.c's), limits, and Tessera's statistics and power-off. */
#include "abi/errno.h"
#include "kernel/fs/mount.h"
#include "abi/linux.h"
#include "abi/tessera.h"
#include "arch/cpu.h"
#include "arch/timer.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/affinity.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/nice.h"
#include "kernel/proc/cputime.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/ptimer.h"
#include "kernel/proc/uts.h"
#include "kernel/res/res.h"
#include "kernel/sys/syscall.h"

long sys_uname(const struct sysargs *a)
{
	struct linux_utsname u;
	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, uts_sysname, sizeof(u.sysname));
	strlcpy(u.nodename, uts_hostname(), sizeof(u.nodename));
	strlcpy(u.release, uts_release, sizeof(u.release));
	strlcpy(u.version, uts_version, sizeof(u.version));
	strlcpy(u.machine, uts_machine, sizeof(u.machine));
	return copy_to_user((void *)a->a[0], &u, sizeof(u));
}

/* sethostname(2): root only; a name of up to 64 bytes (no NUL needed). */
long sys_sethostname(const struct sysargs *a)
{
	char name[UTS_LEN];
	if (proc_cur()->cred.uid != 0)
		return -EPERM;
	if (a->a[1] > UTS_LEN)
		return -EINVAL;
	if (copy_from_user(name, (const void *)a->a[0], a->a[1]))
		return -EFAULT;
	return uts_set_hostname(name, a->a[1]);
}

static int clock_now(int32_t clk, struct linux_timespec *ts)
{
	uint64_t ns;
	int err;
	switch (clk) {
	case L_CLOCK_REALTIME:
	case L_CLOCK_REALTIME_COARSE:
		ns = time_realtime_ns();
		break;
	case L_CLOCK_MONOTONIC:
	case L_CLOCK_MONOTONIC_RAW:
	case L_CLOCK_MONOTONIC_COARSE:
	case L_CLOCK_BOOTTIME:
		ns = time_ns();
		break;
	default:
		/* the CPU-time clocks, the caller's or by id (cputime.h); anything else EINVAL */
		if ((err = cputime_clock(clk, &ns)))
			return err;
	}
	ts->tv_sec = (int64_t)(ns / 1000000000ull);
	ts->tv_nsec = (int64_t)(ns % 1000000000ull);
	return 0;
}

/* Linux's clockid_t is an int: the id is the register's low 32 bits. */
long sys_clock_gettime(const struct sysargs *a)
{
	struct linux_timespec ts;
	int err = clock_now((int32_t)a->a[0], &ts);
	return err ? err : copy_to_user((void *)a->a[1], &ts, sizeof(ts));
}

/* Every clock here counts in nanoseconds, the CPU-time ones too (cputime.h). */
long sys_clock_getres(const struct sysargs *a)
{
	struct linux_timespec ts = { 0, 1 };
	if (clock_now((int32_t)a->a[0], &ts) < 0)
		return -EINVAL;
	ts = (struct linux_timespec){ 0, 1 };
	return a->a[1] ? copy_to_user((void *)a->a[1], &ts, sizeof(ts)) : 0;
}

long sys_gettimeofday(const struct sysargs *a)
{
	uint64_t ns = time_realtime_ns();
	struct linux_timeval tv = { (int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull / 1000) };
	return a->a[0] ? copy_to_user((void *)a->a[0], &tv, sizeof(tv)) : 0;
}

long sys_time(const struct sysargs *a)
{
	int64_t t = (int64_t)(time_realtime_ns() / 1000000000ull);
	if (a->a[0] && copy_to_user((void *)a->a[0], &t, sizeof(t)))
		return -EFAULT;
	return t;
}

/* One CPU and one memory node: both 0 (the cache argument is unused, as on Linux). */
long sys_getcpu(const struct sysargs *a)
{
	uint32_t zero = 0;
	if ((a->a[0] && copy_to_user((void *)a->a[0], &zero, sizeof(zero))) ||
	    (a->a[1] && copy_to_user((void *)a->a[1], &zero, sizeof(zero))))
		return -EFAULT;
	return 0;
}

long sys_sched_getaffinity(const struct sysargs *a)
{
	return affinity_get((int)a->a[0], a->a[1], a->a[2]);
}

long sys_sched_setaffinity(const struct sysargs *a)
{
	return affinity_set((int)a->a[0], a->a[1], a->a[2], proc_cur());
}

long sys_getpriority(const struct sysargs *a)
{
	return nice_get((int)a->a[0], (uint32_t)a->a[1], proc_cur());
}

long sys_setpriority(const struct sysargs *a)
{
	return nice_set((int)a->a[0], (uint32_t)a->a[1], (int)a->a[2], proc_cur());
}

static long sleep_until(uint64_t deadline)
{
	struct proc *p = proc_cur();
	while (time_ns() < deadline) {
		sleep_on(NULL, deadline);
		if (proc_aborting(p))
			return -EINTR;
	}
	return 0;
}

/* An interrupted relative sleep tells how much of it was left (Linux's rem argument). */
static long do_nanosleep(uint64_t ureq, bool absolute, uint64_t clk, uint64_t urem)
{
	struct linux_timespec ts;
	if (copy_from_user(&ts, (const void *)ureq, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	/* a time too far to count in 64 bits is "never"; a real-time deadline before boot is
	 * already past (the subtraction must not wrap to "never") */
	uint64_t ns = (uint64_t)ts.tv_sec > UINT64_MAX / 1000000000ull - 1
			      ? UINT64_MAX
			      : (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	uint64_t now = time_ns(), boot_real = time_realtime_ns() - now;
	if (absolute && clk == L_CLOCK_REALTIME)
		ns = ns > boot_real ? ns - boot_real : 0;
	else if (!absolute)
		ns = ns > UINT64_MAX - now ? UINT64_MAX : ns + now;
	long err = sleep_until(ns);
	if (err == -EINTR && !absolute && urem) {
		uint64_t left = ns > time_ns() ? ns - time_ns() : 0;
		struct linux_timespec rem = { (int64_t)(left / 1000000000ull),
					      (int64_t)(left % 1000000000ull) };
		if (copy_to_user((void *)urem, &rem, sizeof(rem)))
			return -EFAULT;
	}
	return err;
}

/* Sleeps until a signal comes (which ends the process, or runs a handler: then EINTR). */
long sys_pause(const struct sysargs *a)
{
	struct proc *p = proc_cur();
	(void)a;
	while (!proc_aborting(p))
		sleep_on(p, 0);
	return -ERESTARTNOHAND;
}

long sys_nanosleep(const struct sysargs *a)
{
	return do_nanosleep(a->a[0], false, 0, a->a[1]);
}

long sys_clock_nanosleep(const struct sysargs *a)
{
	if (a->a[0] != L_CLOCK_REALTIME && a->a[0] != L_CLOCK_MONOTONIC)
		return -EINVAL;
	if (a->a[1] & ~1ul)
		return -EINVAL;
	return do_nanosleep(a->a[2], a->a[1] & 1, a->a[0], a->a[3]);
}

long sys_sched_yield(const struct sysargs *a)
{
	(void)a;
	sched_yield_cur();
	return 0;
}

long sys_arch_prctl(const struct sysargs *a)
{
	switch (a->a[0]) {
	case L_ARCH_SET_FS:
		if (a->a[1] >= 0x0000800000000000ul)
			return -EPERM;
		exec_set_fs(a->a[1]);
		return 0;
	case L_ARCH_GET_FS: {
		uint64_t fs = exec_get_fs();
		return copy_to_user((void *)a->a[1], &fs, sizeof(fs));
	}
	default:
		return -EINVAL;
	}
}

long sys_rt_sigaction(const struct sysargs *a)
{
	struct sigact act, old;
	if (a->a[3] != 8)
		return -EINVAL;
	if (a->a[1] && copy_from_user(&act, (const void *)a->a[1], sizeof(act)))
		return -EFAULT;
	if (a->a[2] && !user_range_ok(a->a[2], sizeof(old)))
		return -EFAULT;
	int err = signal_action(proc_cur(), (int)a->a[0], a->a[1] ? &act : NULL, &old);
	if (!err && a->a[2] && copy_to_user((void *)a->a[2], &old, sizeof(old)))
		return -EFAULT;
	return err;
}

long sys_rt_sigreturn(const struct sysargs *a)
{
	(void)a;
	return signal_return(proc_cur(), exec_tf(exec_cur()));
}

long sys_rt_sigsuspend(const struct sysargs *a)
{
	uint64_t mask;
	if (a->a[1] != 8)
		return -EINVAL;
	if (copy_from_user(&mask, (const void *)a->a[0], 8))
		return -EFAULT;
	return signal_suspend(proc_cur(), mask);
}

/* The caught signals waiting for delivery (blocked ones: any other is delivered at once). */
long sys_rt_sigpending(const struct sysargs *a)
{
	uint64_t set = signal_pending_cur(proc_cur());
	if (a->a[1] != 8)
		return -EINVAL;
	return copy_to_user((void *)a->a[0], &set, 8) ? -EFAULT : 0;
}

long sys_rt_sigprocmask(const struct sysargs *a)
{
	uint64_t set, old;
	if (a->a[0] > 2 || a->a[3] != 8)
		return -EINVAL;
	if (a->a[1] && copy_from_user(&set, (const void *)a->a[1], 8))
		return -EFAULT;
	if (a->a[2] && !user_range_ok(a->a[2], 8))
		return -EFAULT;
	int err = signal_mask(proc_cur(), (int)a->a[0], a->a[1] ? &set : NULL, &old);
	if (!err && a->a[2] && copy_to_user((void *)a->a[2], &old, 8))
		return -EFAULT;
	return err;
}

long sys_getgroups(const struct sysargs *a)
{
	struct proc *p = proc_cur();
	int size = (int)a->a[0];
	if (size < 0 || (size && (uint32_t)size < p->cred.ngroups))
		return -EINVAL;
	if (size && p->cred.ngroups &&
	    copy_to_user((void *)a->a[1], p->cred.groups, p->cred.ngroups * sizeof(p->cred.groups[0])))
		return -EFAULT;
	return p->cred.ngroups;
}

long sys_setgroups(const struct sysargs *a)
{
	uint32_t groups[PROC_NGROUPS];
	struct proc *p = proc_cur();
	if (a->a[0] > 65536)                     /* Linux's NGROUPS_MAX */
		return -EINVAL;
	if (p->ids.euid != 0)
		return -EPERM;
	if (a->a[0] > PROC_NGROUPS)
		return -EINVAL;
	if (a->a[0] && copy_from_user(groups, (const void *)a->a[1], a->a[0] * sizeof(groups[0])))
		return -EFAULT;
	return proc_set_groups(p, groups, (uint32_t)a->a[0]);
}

long sys_t_kstat(const struct sysargs *a)
{
	struct t_kstat ks;
	memset(&ks, 0, sizeof(ks));
	ks.pages_total = pmm_total_pages();
	ks.pages_free = pmm_free_pages();
	ks.ticks = time_ns() / (1000000000ull / TIMER_HZ);
	ks.hz = TIMER_HZ;
	for (uint32_t t = 0; t < RT_NTYPES; t++)
		ks.res_count[t] = res_count(t);
	return copy_to_user((void *)a->a[0], &ks, sizeof(ks));
}

long sys_t_poweroff(const struct sysargs *a)
{
	if (proc_cur()->cred.uid != 0)
		return -EPERM;
	mnt_poweroff();                   /* what the disks' servers cache goes to the disks */
	arch_poweroff((int)a->a[0]);
}

/* ---- the real-time interval timer (alarm, setitimer ITIMER_REAL) ------------------------- */

struct linux_itimerval {
	struct linux_timeval interval;
	struct linux_timeval value;
};

/* A checked (non-negative) timeval in ns; ages beyond 2^63 ns count as 2^63 ns (292 years). */
static uint64_t tv_ns(const struct linux_timeval *tv)
{
	if ((uint64_t)tv->tv_sec >= (1ull << 63) / 1000000000ull)
		return 1ull << 63;
	return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000ull;
}

static struct linux_timeval ns_tv(uint64_t ns)
{
	return (struct linux_timeval){ (int64_t)(ns / 1000000000ull),
				       (int64_t)(ns % 1000000000ull / 1000) };
}

static struct linux_itimerval current_timer(const struct proc *p)
{
	uint64_t left, interval;
	ptimer_get(p, &left, &interval);
	return (struct linux_itimerval){ ns_tv(interval), ns_tv(left) };
}

long sys_alarm(const struct sysargs *a)
{
	return (long)ptimer_alarm(proc_cur(), a->a[0] & 0xffffffffu);
}

long sys_getitimer(const struct sysargs *a)
{
	if (a->a[0] != 0)
		return -EINVAL;               /* ITIMER_REAL only */
	struct linux_itimerval it = current_timer(proc_cur());
	return copy_to_user((void *)a->a[1], &it, sizeof(it));
}

long sys_setitimer(const struct sysargs *a)
{
	struct proc *p = proc_cur();
	struct linux_itimerval it, old = current_timer(p);
	if (a->a[0] != 0)
		return -EINVAL;
	if (copy_from_user(&it, (const void *)a->a[1], sizeof(it)))
		return -EFAULT;
	if (it.value.tv_sec < 0 || it.value.tv_usec < 0 || it.value.tv_usec >= 1000000 ||
	    it.interval.tv_sec < 0 || it.interval.tv_usec < 0 || it.interval.tv_usec >= 1000000)
		return -EINVAL;
	if (a->a[2] && copy_to_user((void *)a->a[2], &old, sizeof(old)))
		return -EFAULT;
	ptimer_set(p, tv_ns(&it.value), tv_ns(&it.interval));
	return 0;
}
