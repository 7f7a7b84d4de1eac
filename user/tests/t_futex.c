/*
 * Futexes (issue 18, docs/threads.md): wait, wake, requeue, bitsets and wake-op with their
 * errors; relative and absolute timeouts on both clocks; EINTR after a handler and restart
 * with SA_RESTART; a futex shared between processes through a free-standing region (a waiter
 * killed in its wait leaves nothing behind) and a fork child's memory kept apart; robust
 * lists walked by the kernel when a thread ends holding a robust mutex.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "t_thread.h"
#include "utest.h"

static volatile long handled_by, handled_n, target_tid;

static void record_handler(int sig)
{
	(void)sig;
	handled_by = ut_gettid();
	handled_n++;
}

static void catch_usr1(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = record_handler;
	sa.sa_flags = flags;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
}

static void futex_basic(void)
{
	static volatile int w = 5, w2 = 0;
	struct timespec zero = { 0, 0 }, bad = { 0, 1000000000 }, neg = { -1, 0 };
	uintptr_t addrs[UT_NBAD];
	CHECK_ERR(ut_fwait(&w, 4, NULL, FUTEX_WAIT), EAGAIN);          /* the value differs */
	CHECK_ERR(ut_fwait(&w, 4, NULL, FUTEX_WAIT_PRIVATE), EAGAIN);
	CHECK_ERR(ut_fwait(&w, 5, &zero, FUTEX_WAIT), ETIMEDOUT);
	CHECK_ERR(ut_fwait(&w, 5, &bad, FUTEX_WAIT), EINVAL);
	CHECK_ERR(ut_fwait(&w, 5, &neg, FUTEX_WAIT), EINVAL);
	CHECK_EQ(ut_fwake(&w, 1, FUTEX_WAKE), 0);
	CHECK_EQ(ut_fwake(&w, 1, FUTEX_WAKE_PRIVATE), 0);
	CHECK_ERR(ut_fwait((volatile int *)((char *)&w + 1), 5, NULL, FUTEX_WAIT), EINVAL);
	CHECK_ERR(tsys_futex((long)&w, FUTEX_WAIT_BITSET, 5, (long)&zero, 0, 0), EINVAL);
	CHECK_ERR(tsys_futex((long)&w, FUTEX_WAKE_BITSET, 1, 0, 0, 0), EINVAL);
	CHECK_ERR(tsys_futex((long)&w, 99, 0, 0, 0, 0), ENOSYS);
	CHECK_ERR(tsys_futex((long)&w, FUTEX_LOCK_PI, 0, 0, 0, 0), ENOSYS);
	CHECK_ERR(tsys_futex((long)&w, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0, 0, 0), ENOSYS);
	CHECK_ERR(tsys_futex((long)&w, FUTEX_REQUEUE, -1, 0, (long)&w2, 0), EINVAL);
	CHECK_ERR(tsys_futex((long)&w, FUTEX_CMP_REQUEUE, 1, 1, (long)&w2, 4), EAGAIN);
	CHECK_EQ(tsys_futex((long)&w, FUTEX_CMP_REQUEUE, 1, 1, (long)&w2, 5), 0);
	/* wake-op: w2 += 3 (it was 0), then wake on w and, as 0 == 0, on w2: nobody waits */
	CHECK_EQ(tsys_futex((long)&w, FUTEX_WAKE_OP, 1, 1, (long)&w2,
			    FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 0)), 0);
	CHECK_EQ(w2, 3);
	CHECK_EQ(tsys_futex((long)&w, FUTEX_WAKE_OP, 1, 1, (long)&w2,
			    FUTEX_OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_GT, 2)), 0);
	CHECK_EQ(w2, 3 | 16);
	CHECK_ERR(tsys_futex((long)&w, FUTEX_WAKE_OP, 1, 1, (long)&w2, 7u << 28), ENOSYS);
	ut_bad_addrs(addrs);
	for (int i = 0; i < UT_NBAD; i++) {
		long want = addrs[i] & 3 ? -EINVAL : -EFAULT;
		CHECK_EQ(ut_fwait((volatile int *)addrs[i], 0, NULL, FUTEX_WAIT), want);
		CHECK_EQ(ut_fwait((volatile int *)addrs[i], 0, NULL, FUTEX_WAIT_PRIVATE), want);
		CHECK_EQ(ut_fwake((volatile int *)addrs[i], 1, FUTEX_WAKE), want);
		if (addrs[i])                 /* (NULL is "no timeout") */
			CHECK_ERR(ut_fwait(&w, 5, (const struct timespec *)addrs[i], FUTEX_WAIT), EFAULT);
		CHECK_EQ(tsys_futex((long)&w, FUTEX_WAKE_OP, 1, 1, (long)addrs[i], 0), want);
	}
}

/* Relative and absolute timeouts on both clocks; a deadline already past. */
static void futex_timeouts(void)
{
	static volatile int w;
	struct timespec rel = { 0, 20000000 }, now, abs_past = { 0, 1 };
	CHECK_ERR(ut_fwait(&w, 0, &rel, FUTEX_WAIT_PRIVATE), ETIMEDOUT);
	CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &now));
	now.tv_nsec += 20000000;
	if (now.tv_nsec >= 1000000000)
		now.tv_sec++, now.tv_nsec -= 1000000000;
	CHECK_ERR(tsys_futex((long)&w, FUTEX_WAIT_BITSET_PRIVATE, 0, (long)&now, 0, -1), ETIMEDOUT);
	CHECK_OK(clock_gettime(CLOCK_REALTIME, &now));
	now.tv_nsec += 20000000;
	if (now.tv_nsec >= 1000000000)
		now.tv_sec++, now.tv_nsec -= 1000000000;
	CHECK_ERR(tsys_futex((long)&w, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, (long)&now, 0,
			     -1), ETIMEDOUT);
	CHECK_ERR(tsys_futex((long)&w, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0,
			     (long)&abs_past, 0, -1), ETIMEDOUT);
	CHECK_ERR(tsys_futex((long)&w, FUTEX_WAIT_BITSET, 1, (long)&abs_past, 0, -1), EAGAIN);
}

#define NW 4
static volatile int fa, fb;
static volatile long wait_result[NW];

static void *waiter(void *arg)
{
	long i = (long)arg;
	/* bitsets: waiter i listens on bit i only */
	wait_result[i] = tsys_futex((long)&fa, FUTEX_WAIT_BITSET_PRIVATE, 0, 0, 0, 1L << i);
	return NULL;
}

static void futex_wake_requeue(void)
{
	pthread_t t[NW];
	for (long i = 0; i < NW; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, waiter, (void *)i), 0);
	ut_wait_blocked(0, NW);
	CHECK_EQ(tsys_futex((long)&fa, FUTEX_WAKE_BITSET_PRIVATE, 10, 0, 0, 8 | 16), 1);  /* #3 */
	CHECK_EQ(pthread_join(t[3], NULL), 0);
	CHECK_EQ(wait_result[3], 0);
	CHECK_EQ(ut_fwake(&fb, 10, FUTEX_WAKE_PRIVATE), 0);       /* nobody on fb yet */
	/* wake one of the three, move one to fb, leave one */
	CHECK_ERR(tsys_futex((long)&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, (long)&fb, 1), EAGAIN);
	CHECK_EQ(tsys_futex((long)&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, (long)&fb, 0), 2);
	CHECK_EQ(ut_fwake(&fb, 10, FUTEX_WAKE_PRIVATE), 1);
	CHECK_EQ(tsys_futex((long)&fa, FUTEX_REQUEUE_PRIVATE, 0, 5, (long)&fa, 0), 1);  /* itself */
	CHECK_EQ(ut_fwake(&fa, 10, FUTEX_WAKE_PRIVATE), 1);
	CHECK_EQ(ut_fwake(&fa, 10, FUTEX_WAKE_PRIVATE), 0);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(pthread_join(t[i], NULL), 0);
		CHECK_EQ(wait_result[i], 0);
	}
}

static volatile long intr_result;

static void *wait_intr(void *arg)
{
	(void)arg;
	target_tid = ut_gettid();
	intr_result = ut_fwait(&fa, 0, NULL, FUTEX_WAIT_PRIVATE);
	return NULL;
}

/* A signal ends a wait with EINTR after its handler; with SA_RESTART the wait goes on. */
static void futex_eintr(void)
{
	pthread_t t;
	fa = 0;
	catch_usr1(0);
	CHECK_EQ(pthread_create(&t, NULL, wait_intr, NULL), 0);
	ut_wait_blocked(0, 1);
	CHECK_OK(pthread_kill(t, SIGUSR1));
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(intr_result, -EINTR);
	CHECK_EQ(handled_by, target_tid);
	catch_usr1(SA_RESTART);
	handled_n = 0;
	CHECK_EQ(pthread_create(&t, NULL, wait_intr, NULL), 0);
	ut_wait_blocked(0, 1);
	CHECK_OK(pthread_kill(t, SIGUSR1));
	while (!handled_n)
		sched_yield();
	ut_wait_blocked(0, 1);                       /* waiting again */
	CHECK_EQ(ut_fwake(&fa, 1, FUTEX_WAKE_PRIVATE), 1);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(intr_result, 0);
}

/* A free-standing region attached in a child process too: a non-private futex in it is the
 * same futex for both; a private one is each space's own. */
/* A child that attaches the region it reads from fd and waits on its first word (non-private):
 * exit 0 if woken. */
static int region_waiter(int fd)
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid)
		return pid;
	rid_t r, a;
	if (read(fd, &r, sizeof(r)) != sizeof(r) || t_region_attach(r, t_proc_space(getpid()), &a))
		_exit(50);
	volatile int *word = (volatile int *)(uintptr_t)t_region_addr(r);
	long got = ut_fwait(word, 0, NULL, FUTEX_WAIT);
	t_res_delete(a);
	_exit(got == 0 ? 0 : 51);
}

static void futex_shared(void)
{
	rid_t region, att;
	int to_child[2];
	CHECK_OK(pipe(to_child));
	int woken = region_waiter(to_child[0]), killed = region_waiter(to_child[0]);
	CHECK_OK(t_region_create(4096, TR_READ | TR_WRITE, "ut-futex", &region));
	CHECK_OK(t_region_attach(region, t_proc_space(getpid()), &att));
	volatile int *word = (volatile int *)(uintptr_t)t_region_addr(region);
	CHECK_EQ(write(to_child[1], &region, sizeof(region)), sizeof(region));
	CHECK_EQ(write(to_child[1], &region, sizeof(region)), sizeof(region));
	ut_wait_blocked(woken, 1);
	ut_wait_blocked(killed, 1);
	/* a waiter killed in its wait leaves nothing behind */
	CHECK_OK(kill(killed, SIGKILL));
	CHECK_EQ(ut_wait(killed), SIGKILL);
	CHECK_EQ(ut_fwake(word, 10, FUTEX_WAKE_PRIVATE), 0);   /* private: this space's only */
	CHECK_EQ(ut_fwake(word, 10, FUTEX_WAKE), 1);           /* the one left, in another space */
	CHECK_EQ(ut_wait(woken), 0);
	CHECK_EQ(ut_fwake(word, 10, FUTEX_WAKE), 0);
	CHECK_OK(t_res_delete(att));
	CHECK_OK(t_res_delete(region));
	close(to_child[0]), close(to_child[1]);
}

/* A fork child's memory is its own: neither kind of wake of the parent's word reaches it. */
static void futex_isolation(void)
{
	static volatile int word;
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		ut_fwait(&word, 0, NULL, FUTEX_WAIT);
		_exit(60);
	}
	ut_wait_blocked(pid, 1);
	CHECK_EQ(ut_fwake(&word, 10, FUTEX_WAKE), 0);
	CHECK_EQ(ut_fwake(&word, 10, FUTEX_WAKE_PRIVATE), 0);
	CHECK_OK(kill(pid, SIGKILL));
	CHECK_EQ(ut_wait(pid), SIGKILL);
}

/* A thread that ends holding a robust mutex, without the C library's help: the kernel's walk
 * of its robust list marks the mutex, and the next locker learns that its owner died. (musl
 * registers a robust list with the kernel for process-shared robust mutexes; private ones it
 * cleans up itself in pthread_exit.) */
static pthread_mutex_t robust_m;

static void *lock_and_die(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust_m);
	tsys_exit(0);                  /* SYS_exit: musl's own cleanup does not run */
	return NULL;
}

static void futex_robust(void)
{
	pthread_mutexattr_t a;
	pthread_t t;
	uint64_t head = 0, len = 0;
	CHECK_OK(pthread_mutexattr_init(&a));
	CHECK_OK(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST));
	CHECK_OK(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED));
	CHECK_OK(pthread_mutex_init(&robust_m, &a));
	CHECK_EQ(pthread_create(&t, NULL, lock_and_die, NULL), 0);
	rid_t e[UT_MAXE];
	while (ut_execs_of(0, e, UT_MAXE) > 1)
		sched_yield();
	CHECK_EQ(pthread_mutex_lock(&robust_m), EOWNERDEAD);
	CHECK_EQ(pthread_mutex_consistent(&robust_m), 0);
	CHECK_EQ(pthread_mutex_unlock(&robust_m), 0);
	CHECK_OK(tsys_get_robust_list(0, (long)&head, (long)&len));
	CHECK(head != 0);                  /* musl registered the main thread's too */
	CHECK_EQ(len, 24);
	CHECK_ERR(tsys_set_robust_list((long)head, 23), EINVAL);
	CHECK_ERR(tsys_get_robust_list(0x3fffffff, (long)&head, (long)&len), ESRCH);
	CHECK_ERR(tsys_get_robust_list(-1, (long)&head, (long)&len), ESRCH);
	uintptr_t addrs[UT_NBAD];
	ut_bad_addrs(addrs);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(tsys_get_robust_list(0, (long)addrs[i], (long)&len), EFAULT);
		CHECK_ERR(tsys_get_robust_list(0, (long)&head, (long)addrs[i]), EFAULT);
	}
	pthread_detach(t);                 /* its musl record stays: never joined */
	pthread_mutexattr_destroy(&a);
}

const struct utest ut_futex_tests[] = {
	{ "futex_basic", futex_basic },
	{ "futex_timeouts", futex_timeouts },
	{ "futex_wake_requeue", futex_wake_requeue },
	{ "futex_eintr", futex_eintr },
	{ "futex_shared", futex_shared },
	{ "futex_isolation", futex_isolation },
	{ "futex_robust", futex_robust },
	{ NULL, NULL },
};
