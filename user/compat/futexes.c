/* futex(2) directly: a futex mutex under 8 threads of contention, ping-pong pairs, a
 * condition broadcast by CMP_REQUEUE, selective wakes by bitset, WAKE_OP, and the errors
 * (EAGAIN, ETIMEDOUT on both clocks, EINVAL, EFAULT, ENOSYS); matches Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WAIT 0
#define WAKE 1
#define REQUEUE 3
#define CMP_REQUEUE 4
#define WAKE_OP 5
#define WAIT_BITSET 9
#define WAKE_BITSET 10
#define PRIV 128
#define CLOCK_RT 256

static long fx(volatile int *a, int op, int val, const void *ts_or_val2, volatile int *a2, int v3)
{
	long r = syscall(SYS_futex, a, op, val, ts_or_val2, a2, v3);
	return r < 0 ? -errno : r;
}

/* ---- a mutex of three states (0 free, 1 locked, 2 locked with waiters) ----------------- */

static volatile int lock_word;
static long counter;

static void lock(void)
{
	int c = __sync_val_compare_and_swap(&lock_word, 0, 1);
	if (c == 0)
		return;
	if (c != 2)
		c = __atomic_exchange_n(&lock_word, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		fx(&lock_word, WAIT | PRIV, 2, NULL, NULL, 0);
		c = __atomic_exchange_n(&lock_word, 2, __ATOMIC_ACQUIRE);
	}
}

static void unlock(void)
{
	if (__atomic_fetch_sub(&lock_word, 1, __ATOMIC_RELEASE) != 1) {
		lock_word = 0;
		fx(&lock_word, WAKE | PRIV, 1, NULL, NULL, 0);
	}
}

static void *contend(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		lock();
		long v = counter;
		if (i % 1000 == (long)arg)
			sched_yield();             /* hold it across a switch now and then */
		counter = v + 1;
		unlock();
	}
	return NULL;
}

/* ---- ping-pong: two threads hand a turn back and forth by wait/wake -------------------- */

static volatile int turn[4];
static long pongs;

static void *pinger(void *arg)
{
	long id = (long)arg;
	volatile int *t = &turn[id / 2];
	int me = id % 2;
	for (int i = 0; i < 2000; i++) {
		while (*t != me)
			fx(t, WAIT | PRIV, !me, NULL, NULL, 0);
		*t = !me;
		fx(t, WAKE | PRIV, 1, NULL, NULL, 0);
	}
	__atomic_fetch_add(&pongs, 2000, __ATOMIC_RELAXED);
	return NULL;
}

/* ---- a condition variable broadcast by requeue, and bitsets ------------------------------ */

static volatile int cond_seq, cond_mutex, cond_woken, bits_word;

static void *cond_waiter(void *arg)
{
	(void)arg;
	while (cond_seq == 0)
		fx(&cond_seq, WAIT | PRIV, 0, NULL, NULL, 0);
	__atomic_fetch_add(&cond_woken, 1, __ATOMIC_RELAXED);
	return NULL;
}

static volatile int bit_hits[4];

/* Waits on bit i alone until woken once. */
static void *bit_waiter(void *arg)
{
	long i = (long)arg;
	while (fx(&bits_word, WAIT_BITSET | PRIV, 0, NULL, NULL, 1 << i) != 0)
		;
	bit_hits[i]++;
	return NULL;
}

/* Wakes until n waiters have been woken (they may not all be asleep yet). */
static long wake_all(volatile int *w, int op, int n, int bits)
{
	long got = 0;
	while (got < n) {
		long r = fx(w, op, n, NULL, NULL, bits);
		if (r < 0)
			return r;
		got += r;
		if (got < n)
			sched_yield();
	}
	return got;
}

static void errors(void)
{
	static volatile int w = 1, w2 = 0;
	struct timespec zero = { 0, 0 }, rel = { 0, 10000000 }, bad = { 0, 2000000000 }, now;
	printf("mismatch: %ld, zero timeout: %ld, 10 ms: %ld, bad timespec: %ld\n",
	       fx(&w, WAIT, 2, NULL, NULL, 0), fx(&w, WAIT | PRIV, 1, &zero, NULL, 0),
	       fx(&w, WAIT | PRIV, 1, &rel, NULL, 0), fx(&w, WAIT, 1, &bad, NULL, 0));
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_nsec += 10000000;
	if (now.tv_nsec >= 1000000000)
		now.tv_sec++, now.tv_nsec -= 1000000000;
	printf("absolute realtime: %ld, monotonic in the past: %ld, zero bitset: %ld\n",
	       fx(&w, WAIT_BITSET | CLOCK_RT, 1, &now, NULL, -1),
	       fx(&w, WAIT_BITSET | PRIV, 1, &zero, NULL, -1),
	       fx(&w, WAIT_BITSET | PRIV, 1, &zero, NULL, 0));
	printf("misaligned: %ld, NULL: %ld, unknown op: %ld, realtime wake: %ld\n",
	       fx((volatile int *)((char *)&w + 2), WAIT, 1, NULL, NULL, 0),
	       fx(NULL, WAIT | PRIV, 0, NULL, NULL, 0), fx(&w, 77, 0, NULL, NULL, 0),
	       fx(&w, WAKE | CLOCK_RT, 1, NULL, NULL, 0));
	printf("requeue nr<0: %ld, cmp mismatch: %ld, nobody waits: %ld %ld\n",
	       fx(&w, REQUEUE | PRIV, -1, (void *)1, &w2, 0),
	       fx(&w, CMP_REQUEUE | PRIV, 1, (void *)1, &w2, 5),
	       fx(&w, WAKE | PRIV, 5, NULL, NULL, 0), fx(&w, WAKE, 5, NULL, NULL, 0));
	/* w2 = 7 (set), compare old 0 == 0: both wakes tried, nobody woken */
	long r = fx(&w, WAKE_OP | PRIV, 1, (void *)1, &w2, (0 << 28) | (0 << 24) | (7 << 12) | 0);
	printf("wake-op: %ld, w2 now %d\n", r, w2);
}

int main(void)
{
	pthread_t t[8];
	setvbuf(stdout, NULL, _IONBF, 0);
	for (long i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, contend, (void *)(i * 100));
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	printf("futex mutex: counter %ld (want 160000), word %d\n", counter, lock_word);

	for (long i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, pinger, (void *)i);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	printf("ping-pong: %ld hand-overs\n", pongs);

	for (long i = 0; i < 6; i++)
		pthread_create(&t[i], NULL, cond_waiter, NULL);
	usleep(20000);
	__atomic_fetch_add(&cond_seq, 1, __ATOMIC_SEQ_CST);
	/* broadcast: wake one, move the rest to the "mutex", then wake those one by one */
	long first = fx(&cond_seq, CMP_REQUEUE | PRIV, 1, (void *)(long)0x7fffffff, &cond_mutex,
			cond_seq);
	long moved = wake_all(&cond_mutex, WAKE | PRIV, first > 1 ? (int)first - 1 : 0, 0);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	printf("requeue broadcast: %d woken, woken or moved %s, moved ones woken %s\n", cond_woken,
	       first >= 1 && first <= 6 ? "ok" : "BAD", moved == (first > 1 ? first - 1 : 0) ?
	       "ok" : "BAD");

	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, bit_waiter, (void *)i);
	usleep(20000);
	long b = wake_all(&bits_word, WAKE_BITSET | PRIV, 1, 4);   /* bit 2: waiter 2 only */
	pthread_join(t[2], NULL);
	int others = bit_hits[0] + bit_hits[1] + bit_hits[3];
	long rest = wake_all(&bits_word, WAKE_BITSET | PRIV, 3, 1 | 2 | 8);
	for (int i = 0; i < 4; i++)
		if (i != 2)
			pthread_join(t[i], NULL);
	printf("bitset: first wake %ld (waiter 2: %d, others: %d), then %ld\n", b, bit_hits[2],
	       others, rest);
	errors();
	return 0;
}
