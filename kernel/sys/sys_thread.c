/* Thread calls of the Linux personality: gettid, set_tid_address, the robust-futex list,
 * futex and membarrier (threads are made by clone, sys_proc.c; signals to one thread by
 * tkill and tgkill, sys_compat_proc.c). Arguments are fetched and checked here; the work is
 * kernel/proc/thread.c's and futex.c's. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/timer.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/futex.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "kernel/sys/syscall.h"

#define NS_PER_S 1000000000ull
#define MEMBARRIER_CMD_QUERY 0
/* GLOBAL, GLOBAL_EXPEDITED, REGISTER_GLOBAL_EXPEDITED, PRIVATE_EXPEDITED,
 * REGISTER_PRIVATE_EXPEDITED: on one processor every system call is already a full barrier
 * for every thread, so each of them is done as soon as it is asked. */
#define MEMBARRIER_CMDS 0x1ful

long sys_gettid(const struct sysargs *a)
{
	(void)a;
	return thread_cur()->tid;
}

long sys_set_tid_address(const struct sysargs *a)
{
	thread_cur()->clear_tid = a->a[0];   /* used at the thread's exit, checked then */
	return thread_cur()->tid;
}

long sys_set_robust_list(const struct sysargs *a)
{
	if (a->a[1] != sizeof(struct linux_robust_list_head))
		return -EINVAL;
	thread_cur()->robust_head = a->a[0];  /* read at the thread's exit, checked then */
	return 0;
}

/* get_robust_list(tid, head_ptr, len_ptr): tid 0 is the caller; another thread's needs its
 * process's user (or root), as Linux's ptrace-read check. */
long sys_get_robust_list(const struct sysargs *a)
{
	struct proc *self = proc_cur();
	rid_t e = a->a[0] ? thread_by_tid((int)a->a[0]) : exec_cur();
	if ((int64_t)a->a[0] < 0 || a->a[0] > INT32_MAX || !e)
		return -ESRCH;
	struct proc *p = proc_get(exec_proc(e));
	if (!p)
		return -ESRCH;
	if (p != self && self->cred.uid != 0 && self->cred.uid != p->cred.uid)
		return -EPERM;
	uint64_t head = thread_of(e)->robust_head, len = sizeof(struct linux_robust_list_head);
	if (!user_range_ok(a->a[1], sizeof(head)) || !user_range_ok(a->a[2], sizeof(len)))
		return -EFAULT;
	if (copy_to_user((void *)a->a[2], &len, sizeof(len)) ||
	    copy_to_user((void *)a->a[1], &head, sizeof(head)))
		return -EFAULT;
	return 0;
}

/* A futex wait's timeout as a monotonic deadline (0: none): relative for FUTEX_WAIT,
 * absolute for FUTEX_WAIT_BITSET, on CLOCK_REALTIME with that flag. A time past any 64-bit
 * count is never; an absolute time already past is 1 (the wait then times out at once). */
static int futex_deadline(uint64_t uts, bool absolute, bool realtime, uint64_t *out)
{
	struct linux_timespec ts;
	*out = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, (const void *)uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NS_PER_S)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > UINT64_MAX / NS_PER_S - 1)
		return 0;
	uint64_t ns = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec, now = time_ns();
	if (!absolute)
		*out = ns > UINT64_MAX - now ? 0 : ns + now;
	else if (realtime)
		*out = ns > time_realtime_ns() - now ? ns - (time_realtime_ns() - now) : 1;
	else
		*out = ns ? ns : 1;
	return 0;
}

static long futex_wait_call(const struct sysargs *a, int cmd, bool priv, bool realtime)
{
	uint32_t bitset = cmd == L_FUTEX_WAIT ? FUTEX_BITSET_ANY : (uint32_t)a->a[5];
	uint64_t deadline;
	if (!bitset)
		return -EINVAL;
	int err = futex_deadline(a->a[3], cmd == L_FUTEX_WAIT_BITSET, realtime, &deadline);
	if (err)
		return err;
	return futex_wait(a->a[0], priv, (uint32_t)a->a[2], deadline, bitset);
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3). The PI operations are not offered
 * (ENOSYS, as for a kernel built without them). */
long sys_futex(const struct sysargs *a)
{
	int op = (int)a->a[1];
	int cmd = op & ~(L_FUTEX_PRIVATE_FLAG | L_FUTEX_CLOCK_REALTIME);
	bool priv = op & L_FUTEX_PRIVATE_FLAG, realtime = op & L_FUTEX_CLOCK_REALTIME;
	int val = (int)a->a[2], val2 = (int)a->a[3];
	uint32_t val3 = (uint32_t)a->a[5];
	if (realtime && cmd != L_FUTEX_WAIT && cmd != L_FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case L_FUTEX_WAIT:
	case L_FUTEX_WAIT_BITSET:
		return futex_wait_call(a, cmd, priv, realtime);
	case L_FUTEX_WAKE:
		return futex_wake(a->a[0], priv, val, FUTEX_BITSET_ANY);
	case L_FUTEX_WAKE_BITSET:
		return val3 ? futex_wake(a->a[0], priv, val, val3) : -EINVAL;
	case L_FUTEX_REQUEUE:
	case L_FUTEX_CMP_REQUEUE:
		if (val < 0 || val2 < 0)
			return -EINVAL;
		return futex_requeue(a->a[0], priv, val, val2, a->a[4],
				     cmd == L_FUTEX_CMP_REQUEUE ? &val3 : NULL);
	case L_FUTEX_WAKE_OP:
		return futex_wake_op(a->a[0], priv, val, a->a[4], val2, val3);
	default:
		return -ENOSYS;
	}
}

/* clone3 is not offered: glibc and musl fall back to clone (sys_proc.c) on ENOSYS, which is
 * answered here rather than as an unknown call, so nothing is reported on the console. */
long sys_clone3(const struct sysargs *a)
{
	(void)a;
	return -ENOSYS;
}

long sys_membarrier(const struct sysargs *a)
{
	uint64_t cmd = a->a[0];
	if (a->a[1])
		return -EINVAL;                 /* no flags for these commands */
	if (cmd == MEMBARRIER_CMD_QUERY)
		return (long)MEMBARRIER_CMDS;
	return cmd < 32 && __builtin_popcountll(cmd) == 1 && (cmd & MEMBARRIER_CMDS) ? 0 : -EINVAL;
}
