/*
 * Shared by the thread and futex test groups (t_thread.c, t_futex.c): futex(2)'s operations
 * (Linux's values; musl has no <linux/futex.h>), raw futex calls, and helpers that read the
 * kernel's own view of a process's executions (the execution resources, `res exec`).
 */
#pragma once
#include <stdint.h>
#include <time.h>
#include "abi/tessera.h"
#include "tsys.h"

/* futex(2)'s operations (Linux's values; musl has no <linux/futex.h>) */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_BITSET_PRIVATE (FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP(op, oparg, cmp, cmparg)                                              \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) |    \
	 ((cmparg) & 0xfff))

#define UT_MAXE 64

static inline long ut_gettid(void)
{
	return tsys_gettid();
}

static inline long ut_fwait(volatile int *addr, int val, const struct timespec *ts, int op)
{
	return tsys_futex((long)addr, op, val, (long)ts, 0, 0);
}

static inline long ut_fwake(volatile int *addr, int n, int op)
{
	return tsys_futex((long)addr, op, n, 0, 0, 0);
}

/* The executions of process pid (0: the caller), at most max of them into out. */
int ut_execs_of(int pid, rid_t *out, int max);
/* Waits (yielding) until `want` executions of process pid other than the caller's are
 * blocked in the kernel: no timing, the kernel's own state says when waiters are queued. */
void ut_wait_blocked(int pid, int want);
