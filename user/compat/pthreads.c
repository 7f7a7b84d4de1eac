/* musl's pthreads on the kernel's threads: a producer/consumer over a mutex and condition
 * variables with 8 threads, thread-local storage, join with results, detached threads,
 * cancellation (with cleanup handlers) of a thread blocked in a condition wait and in
 * sleep, rwlocks, barriers, once, thread-specific data, thread ids (a thread's id is not the
 * pid; the main thread's is), and the main thread ending before the last one; matches
 * Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NPROD 4
#define NCONS 4
#define ITEMS 2000
#define QLEN 16

static struct {
	pthread_mutex_t m;
	pthread_cond_t not_empty, not_full;
	int q[QLEN], head, tail, n, done;
} pc = { .m = PTHREAD_MUTEX_INITIALIZER, .not_empty = PTHREAD_COND_INITIALIZER,
	  .not_full = PTHREAD_COND_INITIALIZER };

static __thread long tls_count = 100;
static __thread char tls_name[16];

static void *producer(void *arg)
{
	int id = (int)(long)arg;
	snprintf(tls_name, sizeof tls_name, "prod%d", id);
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&pc.m);
		while (pc.n == QLEN)
			pthread_cond_wait(&pc.not_full, &pc.m);
		pc.q[pc.tail] = id * 100000 + i;
		pc.tail = (pc.tail + 1) % QLEN;
		pc.n++;
		pthread_cond_signal(&pc.not_empty);
		pthread_mutex_unlock(&pc.m);
		tls_count++;
	}
	char want[16];
	snprintf(want, sizeof want, "prod%d", id);
	return strcmp(tls_name, want) ? (void *)-1L : (void *)tls_count;
}

static void *consumer(void *arg)
{
	long sum = 0;
	(void)arg;
	tls_count = 0;
	for (;;) {
		pthread_mutex_lock(&pc.m);
		while (pc.n == 0 && pc.done < NPROD)
			pthread_cond_wait(&pc.not_empty, &pc.m);
		if (pc.n == 0) {
			pthread_mutex_unlock(&pc.m);
			break;
		}
		int v = pc.q[pc.head];
		pc.head = (pc.head + 1) % QLEN;
		pc.n--;
		pthread_cond_signal(&pc.not_full);
		pthread_mutex_unlock(&pc.m);
		sum += v % 100000;
		tls_count++;
	}
	return (void *)(sum * 1000000 + tls_count);
}

static void producer_consumer(void)
{
	pthread_t p[NPROD], c[NCONS];
	for (long i = 0; i < NCONS; i++)
		pthread_create(&c[i], NULL, consumer, (void *)i);
	for (long i = 0; i < NPROD; i++)
		pthread_create(&p[i], NULL, producer, (void *)i);
	int tls_ok = 1;
	for (int i = 0; i < NPROD; i++) {
		void *r;
		pthread_join(p[i], &r);
		tls_ok &= (long)r == 100 + ITEMS;     /* each thread counted only its own items */
	}
	pthread_mutex_lock(&pc.m);
	pc.done = NPROD;
	pthread_cond_broadcast(&pc.not_empty);
	pthread_mutex_unlock(&pc.m);
	long total = 0, items = 0;
	for (int i = 0; i < NCONS; i++) {
		void *r;
		pthread_join(c[i], &r);
		total += (long)r / 1000000;
		items += (long)r % 1000000;
	}
	printf("producer/consumer: %ld items, sum %ld (want %ld), producers' TLS %s, main TLS %ld\n",
	       items, total, (long)NPROD * ITEMS * (ITEMS + 1) / 2, tls_ok ? "ok" : "BAD",
	       tls_count);
}

/* ---- detached threads ------------------------------------------------------------------- */

static pthread_mutex_t det_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t det_c = PTHREAD_COND_INITIALIZER;
static int det_done;

static void *detached(void *arg)
{
	pthread_mutex_lock(&det_m);
	det_done += (int)(long)arg;
	pthread_cond_signal(&det_c);
	pthread_mutex_unlock(&det_m);
	return NULL;
}

static void detach_test(void)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (long i = 1; i <= 10; i++) {
		pthread_t t;
		pthread_create(&t, &a, detached, (void *)i);
	}
	pthread_t t;
	pthread_create(&t, NULL, detached, (void *)100L);
	int r = pthread_detach(t);
	pthread_mutex_lock(&det_m);
	while (det_done < 155)
		pthread_cond_wait(&det_c, &det_m);
	pthread_mutex_unlock(&det_m);
	printf("detached: sum %d, pthread_detach %d\n", det_done, r);
	pthread_attr_destroy(&a);
}

/* ---- cancellation ----------------------------------------------------------------------- */

static pthread_mutex_t can_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t can_c = PTHREAD_COND_INITIALIZER;
static int cleanups, started;

static void cleanup(void *arg)
{
	cleanups += (int)(long)arg;
}

static void unlock_cleanup(void *arg)
{
	cleanups += 10;
	pthread_mutex_unlock(arg);
}

static void *wait_forever(void *arg)
{
	(void)arg;
	pthread_cleanup_push(cleanup, (void *)1L);
	pthread_mutex_lock(&can_m);
	started++;
	pthread_cleanup_push(unlock_cleanup, &can_m);
	for (;;)
		pthread_cond_wait(&can_c, &can_m);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *sleep_forever(void *arg)
{
	(void)arg;
	pthread_cleanup_push(cleanup, (void *)100L);
	pthread_mutex_lock(&can_m);
	started++;
	pthread_mutex_unlock(&can_m);
	for (;;)
		sleep(100);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *spin_disabled(void *arg)
{
	volatile int *stop = arg;
	int old;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	while (!*stop)
		sched_yield();
	pthread_setcancelstate(old, NULL);
	pthread_testcancel();            /* the pending cancel acts here */
	return (void *)7L;
}

static void cancel_test(void)
{
	pthread_t a, b, c;
	volatile int stop = 0;
	void *ra, *rb, *rc;
	pthread_create(&a, NULL, wait_forever, NULL);
	pthread_create(&b, NULL, sleep_forever, NULL);
	for (;;) {
		pthread_mutex_lock(&can_m);
		int n = started;
		pthread_mutex_unlock(&can_m);
		if (n == 2)
			break;
		sched_yield();
	}
	usleep(20000);                   /* both are asleep in the kernel now */
	pthread_cancel(a);
	pthread_cancel(b);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	pthread_create(&c, NULL, spin_disabled, (void *)&stop);
	pthread_cancel(c);
	usleep(10000);
	stop = 1;
	pthread_join(c, &rc);
	printf("cancel: cond wait %s, sleep %s, deferred %s, cleanups %d, mutex free %s\n",
	       ra == PTHREAD_CANCELED ? "canceled" : "not canceled",
	       rb == PTHREAD_CANCELED ? "canceled" : "not canceled",
	       rc == PTHREAD_CANCELED ? "canceled" : "not canceled", cleanups,
	       pthread_mutex_trylock(&can_m) == 0 ? "yes" : "no");
	pthread_mutex_unlock(&can_m);
}

/* ---- rwlock, barrier, once, keys ------------------------------------------------------- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int shared_a, shared_b, torn;

static void *rw_reader(void *arg)
{
	(void)arg;
	for (int i = 0; i < 300; i++) {
		pthread_rwlock_rdlock(&rw);
		int a = shared_a;
		if (i % 50 == 0)
			sched_yield();
		if (shared_b != a || shared_a != a)
			torn++;
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

static void *rw_writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 300; i++) {
		pthread_rwlock_wrlock(&rw);
		shared_a++;
		if (i % 30 == 0)
			sched_yield();          /* a reader must not see a half-done update */
		shared_b++;
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

#define NBAR 6
#define ROUNDS 50
static pthread_barrier_t bar;
static int bar_round[NBAR], bar_bad, serials;

static void *bar_thread(void *arg)
{
	int id = (int)(long)arg;
	for (int r = 0; r < ROUNDS; r++) {
		bar_round[id] = r;
		if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serials, 1, __ATOMIC_RELAXED);
		for (int j = 0; j < NBAR; j++)
			if (bar_round[j] < r)
				bar_bad++;
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static pthread_key_t key;
static int key_dtors;

static void once_fn(void)
{
	once_runs++;
}

static void key_dtor(void *v)
{
	key_dtors += (int)(long)v;
}

static void *misc_thread(void *arg)
{
	pthread_once(&once, once_fn);
	pthread_setspecific(key, arg);
	return pthread_getspecific(key);
}

static void sync_test(void)
{
	pthread_t t[8];
	for (int i = 0; i < 6; i++)
		pthread_create(&t[i], NULL, rw_reader, NULL);
	for (int i = 6; i < 8; i++)
		pthread_create(&t[i], NULL, rw_writer, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	printf("rwlock: a %d b %d, torn reads %d\n", shared_a, shared_b, torn);
	pthread_barrier_init(&bar, NULL, NBAR);
	for (long i = 0; i < NBAR; i++)
		pthread_create(&t[i], NULL, bar_thread, (void *)i);
	for (int i = 0; i < NBAR; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&bar);
	printf("barrier: %d rounds, early leavers %d, serial threads %d\n", ROUNDS, bar_bad, serials);
	pthread_key_create(&key, key_dtor);
	long sum = 0;
	for (long i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, misc_thread, (void *)(i + 1));
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	printf("once ran %d time(s), keys %ld, destructors %d\n", once_runs, sum, key_dtors);
}

/* ---- ids -------------------------------------------------------------------------------- */

static void *tid_thread(void *arg)
{
	long tid = syscall(SYS_gettid);
	*(long *)arg = tid;
	return (void *)(long)(tid != getpid() && tid > 0);
}

static void id_test(void)
{
	pthread_t t[3];
	long tids[3];
	int distinct = 1;
	void *r;
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, tid_thread, &tids[i]);
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], &r);
		distinct &= (long)r == 1;
	}
	distinct &= tids[0] != tids[1] && tids[1] != tids[2] && tids[0] != tids[2];
	printf("ids: main thread's tid is the pid: %s, threads' are their own: %s, self equal: %s\n",
	       syscall(SYS_gettid) == getpid() ? "yes" : "no", distinct ? "yes" : "no",
	       pthread_equal(pthread_self(), pthread_self()) ? "yes" : "no");
}

/* The main thread leaves first; the process lives on until its last thread returns. */
static void *last_one(void *arg)
{
	pthread_t main_thread = *(pthread_t *)arg;
	void *r;
	int err = pthread_join(main_thread, &r);
	printf("last thread: joined the main thread (%d, %ld), pid unchanged: %s\n", err,
	       (long)r, getpid() == (pid_t)(long)((pthread_t *)arg)[1] ? "yes" : "no");
	return NULL;
}

int main(void)
{
	static pthread_t self[2];
	pthread_t t;
	setvbuf(stdout, NULL, _IONBF, 0);
	producer_consumer();
	detach_test();
	cancel_test();
	sync_test();
	id_test();
	self[0] = pthread_self();
	self[1] = (pthread_t)(long)getpid();
	pthread_create(&t, NULL, last_one, self);
	pthread_exit((void *)42L);
}
