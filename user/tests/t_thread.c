/*
 * Threads (issue 18, docs/threads.md): threads as more executions of a process (seen in the
 * resource listing with their process), exit of one thread against exit_group, a fault or a
 * kill ending all of them, execve and fork from a thread, signals to one thread and to the
 * process, per-thread masks and alternate stacks, sched_yield between threads, what stays the
 * process's (running mode, checkpoints), and every malformed clone. Futexes are t_futex.c's.
 * The runner's leak check covers executions: each test leaves no execution, page or resource
 * behind.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "t_thread.h"
#include "utest.h"

#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)

/* The executions of process pid (0: the caller): the execution resources naming it, as
 * `res exec` lists them. */
int ut_execs_of(int pid, rid_t *out, int max)
{
	rid_t proc, e = 0;
	struct t_res_info in;
	int n = 0;
	CHECK_OK(t_proc_rid(pid, &proc));
	while (t_res_next(RT_EXEC, e, &e) == 0)
		if (t_res_info(e, &in) == 0 && in.nrefs && in.refs[0].rid == proc && n < max)
			out[n++] = e;
	return n;
}

void ut_wait_blocked(int pid, int want)
{
	for (int tries = 0; tries < 100000; tries++) {
		rid_t e[UT_MAXE];
		int n = ut_execs_of(pid, e, UT_MAXE), blocked = 0;
		for (int i = 0; i < n; i++) {
			struct t_res_info in;
			if (t_res_info(e[i], &in) == 0 && in.v[0] == TPS_BLOCKED &&
			    (pid || (long)in.v[4] != ut_gettid()))
				blocked++;
		}
		if (blocked >= want)
			return;
		sched_yield();
	}
	FAIL("%d threads of pid %d never blocked", want, pid);
}

/* ---- creation, ids, resources ----------------------------------------------------------- */

#define NT 8
static pthread_barrier_t bar;
static long tids[NT];

static void *record_tid(void *arg)
{
	tids[(long)arg] = ut_gettid();
	pthread_barrier_wait(&bar);      /* all alive together */
	pthread_barrier_wait(&bar);      /* until the main thread has looked */
	return arg;
}

static void thread_create_join(void)
{
	pthread_t t[NT];
	rid_t self, e[UT_MAXE];
	struct t_res_info pin;
	CHECK_EQ(ut_gettid(), getpid());
	CHECK_OK(t_proc_rid(0, &self));
	CHECK_OK(pthread_barrier_init(&bar, NULL, NT + 1));
	for (long i = 0; i < NT; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, record_tid, (void *)i), 0);
	pthread_barrier_wait(&bar);
	int n = ut_execs_of(0, e, UT_MAXE);
	CHECK_EQ(n, NT + 1);
	int found = 0;
	for (int i = 0; i < n; i++) {
		struct t_res_info in;
		CHECK_OK(t_res_info(e[i], &in));
		CHECK_EQ(in.type, RT_EXEC);
		CHECK_EQ(in.refs[0].rid, self);          /* each names its process */
		CHECK_EQ(in.v[2], getpid());
		for (int j = 0; j < NT; j++)
			found += (long)in.v[4] == tids[j];
	}
	CHECK_EQ(found, NT);
	/* the process names its executions, the leader (tid = pid) first */
	CHECK_OK(t_res_info(self, &pin));
	int first = -1;
	for (uint32_t i = 0; i < pin.nrefs && first < 0; i++)
		if (!strcmp(pin.refs[i].role, "exec"))
			first = (int)i;
	CHECK(first >= 0);
	struct t_res_info lin;
	CHECK_OK(t_res_info(pin.refs[first].rid, &lin));
	CHECK_EQ(lin.v[4], getpid());
	for (int i = 0; i < NT; i++) {
		CHECK(tids[i] > 0 && tids[i] != getpid());
		for (int j = 0; j < i; j++)
			CHECK(tids[i] != tids[j]);
		CHECK_EQ(tsys_kill(tids[i], 0), 0);       /* a tid names its process for kill */
	}
	pthread_barrier_wait(&bar);
	for (long i = 0; i < NT; i++) {
		void *r;
		CHECK_EQ(pthread_join(t[i], &r), 0);
		CHECK_EQ((long)r, i);
	}
	CHECK_EQ(ut_execs_of(0, e, UT_MAXE), 1);
	CHECK_ERR(tsys_tgkill(getpid(), tids[0], 0), ESRCH);   /* gone */
	pthread_barrier_destroy(&bar);
}

static void *nothing(void *arg)
{
	return arg;
}

/* Hundreds of threads come and go (the runner checks that no execution or page is left);
 * 32 live at once. */
static void thread_many(void)
{
	pthread_t t[32];
	for (int round = 0; round < 10; round++) {
		for (long i = 0; i < 32; i++)
			CHECK_EQ(pthread_create(&t[i], NULL, nothing, (void *)i), 0);
		for (long i = 0; i < 32; i++) {
			void *r;
			CHECK_EQ(pthread_join(t[i], &r), 0);
			CHECK_EQ((long)r, i);
		}
	}
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 50; i++)
		CHECK_EQ(pthread_create(&t[0], &a, nothing, NULL), 0);
	pthread_attr_destroy(&a);
	rid_t e[UT_MAXE];
	while (ut_execs_of(0, e, UT_MAXE) > 1)      /* detached ones end by themselves */
		sched_yield();
}

/* ---- ends: one thread, the group, a fault, a kill --------------------------------------- */

static int pipe_in[2], pipe_out[2];

static void *survivor(void *arg)
{
	char c;
	rid_t e[UT_MAXE];
	(void)arg;
	if (read(pipe_in[0], &c, 1) != 1)
		tsys_exit_group(20);
	/* the leader has gone; the process lives on with this thread and keeps its pid */
	for (int i = 0; ut_execs_of(0, e, UT_MAXE) != 1; i++)
		if (i > 100000)
			tsys_exit_group(21);
		else
			sched_yield();
	if (ut_gettid() == getpid() || write(pipe_out[1], "y", 1) != 1)
		tsys_exit_group(22);
	tsys_exit_group(5);
	return NULL;
}

static void thread_exit_one(void)
{
	CHECK_OK(pipe(pipe_in));
	CHECK_OK(pipe(pipe_out));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, survivor, NULL))
			_exit(30);
		tsys_exit(0);                 /* the main thread alone (not musl's exit) */
	}
	ut_wait_blocked(pid, 1);                 /* the survivor waits in read */
	CHECK_EQ(write(pipe_in[1], "x", 1), 1);
	char c = 0;
	CHECK_EQ(read(pipe_out[0], &c, 1), 1);
	CHECK_EQ(c, 'y');
	CHECK_EQ(ut_wait(pid), 5 << 8);
	close(pipe_in[0]), close(pipe_in[1]), close(pipe_out[0]), close(pipe_out[1]);
}

static volatile int never;

static void *block_futex(void *arg)
{
	(void)arg;
	ut_fwait(&never, 0, NULL, FUTEX_WAIT_PRIVATE);
	return NULL;
}

static void *block_pipe(void *arg)
{
	char c;
	(void)arg;
	(void)!read(pipe_in[0], &c, 1);
	return NULL;
}

static void *block_sleep(void *arg)
{
	(void)arg;
	sleep(100);
	return NULL;
}

static void *block_pause(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

static void *do_fault(void *arg)
{
	(void)arg;
	volatile int *volatile bad = (volatile int *)8;
	*bad = 1;
	return NULL;
}

/* A child with four threads blocked in four ways; then `how` ends it. */
static void start_blocked(void)
{
	void *(*fn[])(void *) = { block_futex, block_pipe, block_sleep, block_pause };
	pthread_t t;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t, NULL, fn[i], NULL))
			_exit(30);
}

static void thread_exit_group(void)
{
	CHECK_OK(pipe(pipe_in));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		start_blocked();
		ut_wait_blocked(0, 4);
		exit(3);                      /* exit_group: every thread ends */
	}
	CHECK_EQ(ut_wait(pid), 3 << 8);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		start_blocked();
		pause();
	}
	ut_wait_blocked(pid, 5);
	CHECK_OK(kill(pid, SIGKILL));         /* a kill ends them all */
	CHECK_EQ(ut_wait(pid), SIGKILL);
	close(pipe_in[0]), close(pipe_in[1]);
}

static void thread_fault(void)
{
	CHECK_OK(pipe(pipe_in));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		pthread_t t;
		start_blocked();
		ut_wait_blocked(0, 4);
		pthread_create(&t, NULL, do_fault, NULL);
		pause();
		_exit(0);
	}
	CHECK_EQ(ut_wait(pid), SIGSEGV);      /* one thread's fault ends the whole process */
	close(pipe_in[0]), close(pipe_in[1]);
}

/* ---- execve and fork from a thread ------------------------------------------------------- */

static void *exec_from_thread(void *arg)
{
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", getpid());
	const char *const av[] = { "utest", "-c", "threadexec", pid, NULL };
	(void)arg;
	execve("/bin/utest", (char *const *)av, NULL);
	tsys_exit_group(40);
	return NULL;
}

/* utest -c threadexec PID: after execve from a thread, the program runs as PID's only
 * thread, whose thread id is the pid. */
int ut_helper_threadexec(int argc, char **argv)
{
	rid_t e[UT_MAXE];
	if (argc < 4 || atoi(argv[3]) != getpid())
		return 4;
	return ut_gettid() == getpid() && ut_execs_of(0, e, UT_MAXE) == 1 ? 0 : 5;
}

static void thread_execve(void)
{
	CHECK_OK(pipe(pipe_in));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		pthread_t t;
		start_blocked();
		ut_wait_blocked(0, 4);
		pthread_create(&t, NULL, exec_from_thread, NULL);
		pause();
		_exit(41);
	}
	CHECK_EQ(ut_wait(pid), 0);
	close(pipe_in[0]), close(pipe_in[1]);
}

static pthread_mutex_t fork_m = PTHREAD_MUTEX_INITIALIZER;

static void *fork_from_thread(void *arg)
{
	(void)arg;
	int pid = fork();
	if (pid == 0) {
		rid_t e[UT_MAXE];
		/* one thread, whose id is its pid; memory is a copy of the whole process's */
		_exit(ut_gettid() == getpid() && ut_execs_of(0, e, UT_MAXE) == 1 &&
		      pthread_mutex_trylock(&fork_m) == EBUSY ? 0 : 9);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return (void *)(long)st;
}

static void thread_fork(void)
{
	pthread_t t;
	void *r;
	CHECK_EQ(pthread_mutex_lock(&fork_m), 0);     /* held by the main thread */
	CHECK_EQ(pthread_create(&t, NULL, fork_from_thread, NULL), 0);
	CHECK_EQ(pthread_join(t, &r), 0);
	CHECK_EQ((long)r, 0);
	CHECK_EQ(pthread_mutex_unlock(&fork_m), 0);
}

/* ---- signals ----------------------------------------------------------------------------- */

static volatile long handled_by, handled_n;
static volatile uintptr_t handler_local;

static void record_handler(int sig)
{
	volatile int here;
	(void)sig;
	handled_by = ut_gettid();
	handler_local = (uintptr_t)&here;
	handled_n++;
}

static void catch_sig(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = record_handler;
	sa.sa_flags = flags;
	CHECK_OK(sigaction(sig, &sa, NULL));
}

static volatile long target_tid;
static volatile int stop_flag;

static void *tid_then_pause(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(arg ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
	target_tid = ut_gettid();
	while (!stop_flag)
		pause();
	return NULL;
}

static void thread_signal_one(void)
{
	pthread_t t;
	catch_sig(SIGUSR1, 0);
	CHECK_EQ(pthread_create(&t, NULL, tid_then_pause, NULL), 0);
	ut_wait_blocked(0, 1);
	CHECK_OK(tsys_tgkill(getpid(), target_tid, SIGUSR1));
	while (!handled_n)
		sched_yield();
	CHECK_EQ(handled_by, target_tid);          /* the handler ran in that thread */
	CHECK_ERR(tsys_tgkill(getpid() + 1, target_tid, SIGUSR1), ESRCH);   /* wrong group */
	CHECK_ERR(tsys_tgkill(getpid(), 0, SIGUSR1), EINVAL);
	CHECK_ERR(tsys_tgkill(0, target_tid, SIGUSR1), EINVAL);
	CHECK_ERR(tsys_tgkill(getpid(), target_tid, 65), EINVAL);
	CHECK_ERR(tsys_tkill(-1, SIGUSR1), EINVAL);
	CHECK_ERR(tsys_tkill(0x3fffffff, 0), ESRCH);
	CHECK_OK(tsys_tkill(target_tid, 0));
	handled_n = 0;
	stop_flag = 1;
	CHECK_OK(pthread_kill(t, SIGUSR1));
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(handled_by, target_tid);
}

/* A signal to the process goes to a thread that does not block it. */
static void thread_signal_process(void)
{
	pthread_t t;
	sigset_t s, pend;
	catch_sig(SIGUSR2, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	CHECK_OK(pthread_sigmask(SIG_BLOCK, &s, NULL));
	CHECK_EQ(pthread_create(&t, NULL, tid_then_pause, NULL), 0);   /* unblocks it */
	ut_wait_blocked(0, 1);
	CHECK_OK(kill(getpid(), SIGUSR2));
	while (!handled_n)
		sched_yield();
	CHECK_EQ(handled_by, target_tid);
	stop_flag = 1;
	CHECK_OK(pthread_kill(t, SIGUSR2));
	CHECK_EQ(pthread_join(t, NULL), 0);
	/* now nobody takes it: it waits, visible to the blocking thread, until unblocked */
	handled_n = 0;
	CHECK_OK(kill(getpid(), SIGUSR2));
	CHECK_OK(sigpending(&pend));
	CHECK(sigismember(&pend, SIGUSR2));
	CHECK_EQ(handled_n, 0);
	CHECK_OK(pthread_sigmask(SIG_UNBLOCK, &s, NULL));
	CHECK_EQ(handled_n, 1);
	CHECK_EQ(handled_by, getpid());
	stop_flag = 0;
}

/* Each thread's mask is its own. */
static void *mask_thread(void *arg)
{
	sigset_t s, cur;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	*(int *)arg = sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGHUP);
	return NULL;
}

static void thread_sigmask(void)
{
	pthread_t t;
	sigset_t s, cur;
	int ok = 0;
	sigemptyset(&s);
	sigaddset(&s, SIGHUP);
	CHECK_OK(pthread_sigmask(SIG_BLOCK, &s, NULL));
	CHECK_EQ(pthread_create(&t, NULL, mask_thread, &ok), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(ok, 0);              /* the new thread inherited SIGHUP blocked */
	CHECK_OK(pthread_sigmask(SIG_UNBLOCK, &s, NULL));
	CHECK_EQ(pthread_create(&t, NULL, mask_thread, &ok), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(ok, 1);
	CHECK_OK(pthread_sigmask(SIG_BLOCK, NULL, &cur));
	CHECK(!sigismember(&cur, SIGUSR1));   /* what the thread blocked stayed its own */
}

#define ALT_SIZE 16384
static char alt[2][ALT_SIZE];

static void *alt_thread(void *arg)
{
	int i = (int)(long)arg;
	stack_t ss = { .ss_sp = alt[i], .ss_size = ALT_SIZE }, old;
	if (sigaltstack(&ss, NULL) || sigaltstack(NULL, &old) || old.ss_sp != alt[i])
		return (void *)1L;
	raise(SIGUSR1);                   /* raise: to this thread */
	uintptr_t at = handler_local;
	int inside = at > (uintptr_t)alt[i] && at < (uintptr_t)alt[i] + ALT_SIZE;
	return (void *)(long)(inside && handled_by == ut_gettid() ? 0 : 2);
}

static void thread_altstack(void)
{
	pthread_t t[2];
	stack_t old;
	catch_sig(SIGUSR1, SA_ONSTACK);
	for (long i = 0; i < 2; i++) {
		void *r;
		CHECK_EQ(pthread_create(&t[i], NULL, alt_thread, (void *)i), 0);
		CHECK_EQ(pthread_join(t[i], &r), 0);
		CHECK_EQ((long)r, 0);
	}
	CHECK_OK(sigaltstack(NULL, &old));
	CHECK(old.ss_flags & SS_DISABLE);     /* the main thread's is still off */
	raise(SIGUSR1);
	CHECK(handler_local < (uintptr_t)alt[0] || handler_local >= (uintptr_t)alt[1] + ALT_SIZE);
	stack_t bad = { .ss_sp = alt[0], .ss_size = 100 };
	CHECK_ERR(tsys_sigaltstack((long)&bad, 0), ENOMEM);
}

/* ---- scheduling, running modes, checkpoints ---------------------------------------------- */

static volatile int turn, rounds_done;

static void *ping(void *arg)
{
	int me = (int)(long)arg;
	for (int i = 0; i < 500; i++) {
		while (turn != me)
			sched_yield();                /* gives the processor to the other */
		turn = !me;
	}
	__atomic_fetch_add(&rounds_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void thread_yield(void)
{
	pthread_t t[2];
	for (long i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, ping, (void *)i), 0);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	CHECK_EQ(rounds_done, 2);
}

static void thread_whole_process(void)
{
	pthread_t t;
	rid_t ck;
	stop_flag = 0;
	CHECK_EQ(pthread_create(&t, NULL, tid_then_pause, NULL), 0);
	/* the mode and a checkpoint are the process's, a frame each thread's */
	CHECK_ERR(t_switch_supervisor(0), EBUSY);
	CHECK_OK(t_switch_user(0));               /* already so: nothing to change */
	CHECK_ERR(t_ckpt_save(0, "ut-thr", &ck), EBUSY);
	stop_flag = 1;
	catch_sig(SIGUSR1, 0);
	CHECK_OK(pthread_kill(t, SIGUSR1));
	CHECK_EQ(pthread_join(t, NULL), 0);
}

/* Every malformed clone and the calls around threads. */
static void thread_bad_args(void)
{
	uintptr_t addrs[UT_NBAD];
	char *stack = malloc(8192);
	CHECK(stack != NULL);
	long sp = (long)(stack + 8192);
	CHECK_ERR(tsys_clone(CLONE_VM | CLONE_THREAD, sp, 0, 0, 0), EINVAL);      /* no SIGHAND */
	CHECK_ERR(tsys_clone(CLONE_SIGHAND, sp, 0, 0, 0), EINVAL);                /* no VM */
	CHECK_ERR(tsys_clone(CLONE_THREAD_FLAGS | CLONE_NEWNS, sp, 0, 0, 0), EINVAL);
	CHECK_ERR(tsys_clone(CLONE_THREAD_FLAGS | CLONE_VFORK, sp, 0, 0, 0), EINVAL);
	CHECK_ERR(tsys_clone(CLONE_THREAD_FLAGS | CLONE_SETTLS, sp, 0, 0,
			     (long)0xffff800000000000ull), EPERM);
	ut_bad_addrs(addrs);
	/* addresses outside user space are refused before any thread exists (a user address
	 * that is not mapped is tried at the store and ignored, as Linux does: not here, where
	 * the thread would run this function's code) */
	for (int i = 0; i < UT_NBAD; i++) {
		if (addrs[i] < 0x0000800000000000ull)
			continue;
		if (addrs[i] > 0x0000800000000000ull)     /* the top of user space is a stack */
			CHECK_ERR(tsys_clone(CLONE_THREAD_FLAGS, (long)addrs[i], 0, 0, 0), EFAULT);
		CHECK_ERR(tsys_clone(CLONE_THREAD_FLAGS | CLONE_PARENT_SETTID, sp, (long)addrs[i], 0,
				     0), EFAULT);
		CHECK_ERR(tsys_clone(CLONE_THREAD_FLAGS | CLONE_CHILD_CLEARTID, sp, 0, (long)addrs[i],
				     0), EFAULT);
		CHECK_ERR(tsys_clone(CLONE_THREAD_FLAGS | CLONE_CHILD_SETTID, sp, 0, (long)addrs[i],
				     0), EFAULT);
	}
	CHECK_ERR(tsys_clone3(0, 0), ENOSYS);        /* C libraries then use clone */
	CHECK_ERR(tsys_membarrier(0x1000, 0, 0), EINVAL);
	CHECK_ERR(tsys_membarrier(8, 1, 0), EINVAL);
	CHECK(tsys_membarrier(0, 0, 0) & 8);         /* QUERY: PRIVATE_EXPEDITED offered */
	CHECK_OK(tsys_membarrier(16, 0, 0));
	CHECK_OK(tsys_membarrier(8, 0, 0));
	free(stack);
}

const struct utest ut_thread_tests[] = {
	{ "thread_create_join", thread_create_join },
	{ "thread_many", thread_many },
	{ "thread_exit_one", thread_exit_one },
	{ "thread_exit_group", thread_exit_group },
	{ "thread_fault", thread_fault },
	{ "thread_execve", thread_execve },
	{ "thread_fork", thread_fork },
	{ "thread_signal_one", thread_signal_one },
	{ "thread_signal_process", thread_signal_process },
	{ "thread_sigmask", thread_sigmask },
	{ "thread_altstack", thread_altstack },
	{ "thread_yield", thread_yield },
	{ "thread_whole_process", thread_whole_process },
	{ "thread_bad_args", thread_bad_args },
	{ NULL, NULL },
};
