/* Tests of process metamorphosis and the reusable-resource table: change program and restart
 * of processes that are running, ready and blocked; checkpoints of oneself and of another
 * process; fault recovery; rights and bad input; sharing, reuse and memory pressure. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

static const char *const exit7[] = { "utest", "-c", "exit", "7", NULL };

static rid_t rid_of(int pid)
{
	rid_t rid;
	CHECK_OK(t_proc_rid(pid, &rid));
	return rid;
}

static void kill_pid(int pid)
{
	rid_t rid;
	if (t_proc_rid(pid, &rid) == 0)
		t_res_delete(rid);
}

/* pid, started from args, is changed to "exit 7" while in the state args leave it in. */
static void chprog_in_state(const char *const *args)
{
	int pid = ut_spawn_helper(args);
	rid_t before = rid_of(pid);
	usleep(20000);
	int64_t t0 = ut_now_ns();
	CHECK_OK(t_chprog(pid, "/bin/utest", exit7, NULL));
	CHECK_EQ(rid_of(pid), before);            /* same process, same id */
	CHECK_EQ(ut_wait(pid), 7 << 8);
	CHECK(ut_now_ns() - t0 < 5000000000ll);     /* it did not run its old program out */
}

static void meta_chprog_running(void)
{
	const char *const args[] = { "hvswork", "20000", NULL };
	chprog_in_state(args);
}

static void meta_chprog_blocked(void)
{
	const char *const args[] = { "sleep", "20000", NULL };
	chprog_in_state(args);
}

static void meta_chprog_ready(void)
{
	const char *const args[] = { "yield", "100000000", NULL };
	chprog_in_state(args);
}

static void meta_chprog_self(void)
{
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", getpid());
	const char *const args[] = { "chprogself", NULL };
	CHECK_EQ(ut_run_helper(args), 0);           /* the new program checks its pid */
	(void)pid;
}

static void meta_chprog_bad(void)
{
	const char *const args[] = { "sleep", "300", NULL };
	int pid = ut_spawn_helper(args);
	const char *const av[] = { "x", NULL };
	CHECK_ERR(t_chprog(pid, "/bin/no-such-program", av, NULL), ENOENT);
	CHECK_ERR(t_chprog(pid, "/data/notelf.txt", av, NULL), ENOEXEC);
	CHECK_ERR(t_chprog(pid, "/data/bad/trunc-hdr.elf", av, NULL), ENOEXEC);
	CHECK_ERR(t_chprog(pid, "/bin", av, NULL), EACCES);
	CHECK_ERR(tsys_t_chprog(pid, 0x10), EFAULT);
	CHECK_EQ(ut_wait(pid), 0);                  /* it went on as it was */
	CHECK_ERR(t_chprog(pid, "/bin/utest", exit7, NULL), ESRCH);   /* reaped: stale */
	CHECK_ERR(t_restart(pid), ESRCH);
	CHECK_ERR(t_chprog(-3, "/bin/utest", exit7, NULL), ESRCH);
}

static void meta_denied(void)
{
	const char *const sleeper[] = { "sleep", "2000", NULL };
	int victim = ut_spawn_helper(sleeper);
	char arg[16];
	snprintf(arg, sizeof(arg), "%d", victim);
	const char *const args[] = { "metadeny", arg, NULL };
	CHECK_EQ(ut_run_helper(args), 0);
	kill_pid(victim);
	ut_wait(victim);
}

/* The helper sends one container to the box each time its program starts. */
static void meta_restart(void)
{
	char box[T_NAME_MAX];
	rid_t b;
	char buf[8];
	size_t len;
	snprintf(box, sizeof(box), "ut-restart-%d", getpid());
	CHECK_OK(t_cbox_create(box, 0, &b));
	const char *const args[] = { "startmsg", box, NULL };
	int pid = ut_spawn_helper(args);
	rid_t before = rid_of(pid);
	CHECK_OK(t_cbox_recv(b, buf, sizeof(buf), 0, &len));
	for (int i = 0; i < 3; i++) {
		CHECK_OK(t_restart(pid));               /* back to its initial state */
		CHECK_OK(t_cbox_recv(b, buf, sizeof(buf), 0, &len));
	}
	CHECK_EQ(rid_of(pid), before);
	kill_pid(pid);
	CHECK_EQ(ut_wait(pid) & 0x7f, SIGKILL);
	CHECK_OK(t_res_delete(b));
}

/* Restart and checkpoint/restore a process that is computing, then one that is ready: it
 * must still finish with its own checks intact (hvswork verifies every result it computes). */
static void meta_restart_states(void)
{
	static const char *const modes[][3] = { { "hvswork", "300", NULL },
						{ "yield", "400000", NULL } };
	for (int m = 0; m < 2; m++) {
		int pid = ut_spawn_helper(modes[m]);
		rid_t ck;
		usleep(20000);
		CHECK_OK(t_ckpt_save(pid, "ut-states", &ck));
		usleep(20000);
		CHECK_OK(t_ckpt_restore(pid, ck));
		usleep(20000);
		CHECK_OK(t_restart(pid));
		CHECK_EQ(ut_wait(pid), 0);
		CHECK_OK(t_res_delete(ck));
	}
}

/* execve of oneself keeps the pid; bad input leaves the caller as it was. */
static void meta_execve(void)
{
	const char *const args[] = { "execve", NULL };
	CHECK_EQ(ut_run_helper(args), 9 << 8);      /* the new program's exit status */
	const char *av[] = { "x", NULL };
	CHECK_ERR(tsys_execve((long)"/bin/no-such", (long)av, 0), ENOENT);
	CHECK_ERR(tsys_execve((long)"/data/notelf.txt", (long)av, 0), ENOEXEC);
	CHECK_ERR(tsys_execve(0x10, (long)av, 0), EFAULT);
	CHECK_ERR(tsys_execve((long)"/bin/hello", 0x10, 0), EFAULT);
}

/* vfork children: one exits without exec (the parent goes on, its memory intact), one runs a
 * program (posix_spawn); other clone kinds are refused. */
/* vfork; the child stores 2 at *shared and exits with code, touching no stack (it runs on
 * ours, so it may not return from a function or call one). */
static long vfork_store_exit(volatile int *shared, long code)
{
	long ret;
	__asm__ volatile("mov $58, %%eax\n\t"
			 "syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "movl $2, (%%rsi)\n\t"
			 "mov $60, %%eax\n\t"
			 "mov %%rdx, %%rdi\n\t"
			 "syscall\n"
			 "1:"
			 : "=&a"(ret)
			 : "S"(shared), "d"(code)
			 : "rcx", "r11", "rdi", "memory");
	return ret;
}

static void meta_vfork(void)
{
	static volatile int shared = 1;
	long pid = vfork_store_exit(&shared, 4);
	CHECK(pid > 0);
	CHECK_EQ(shared, 2);
	CHECK_EQ(ut_wait((int)pid), 4 << 8);
	/* a thread shares descriptors and file-system state (t_thread.c makes real ones) */
	CHECK_ERR(tsys_clone(0x100 | 0x800 | 0x10000, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(tsys_clone(0x100, 0, 0, 0, 0), ENOSYS);   /* shared memory without vfork */
	const char *const hello[] = { "hello", NULL };
	for (int i = 0; i < 20; i++)
		CHECK_EQ(ut_run("/bin/hello", hello), 0);
}

/* vfork, then fork in the child (busybox's timeout does it): the grandchild gets a copy of the
 * memory the vfork child runs on (its parent's), adds 5 to *shared in its copy and exits
 * with that; the vfork child waits for it (status in *status) and exits with its code. All
 * in registers: the vfork child runs on our stack. */
static long vfork_fork_exit(volatile int *shared, volatile int *status)
{
	long ret;
	register volatile int *r8 __asm__("r8") = shared;
	register volatile int *r9 __asm__("r9") = status;
	__asm__ volatile("mov $58, %%eax\n\t"
			 "syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $57, %%eax\n\t"
			 "syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jz 2f\n\t"
			 "js 3f\n\t"
			 "mov %%rax, %%rdi\n\t"
			 "mov %%r9, %%rsi\n\t"
			 "xor %%edx, %%edx\n\t"
			 "xor %%r10d, %%r10d\n\t"
			 "mov $61, %%eax\n\t"
			 "syscall\n\t"
			 "mov (%%r9), %%edi\n\t"
			 "shr $8, %%edi\n\t"
			 "and $0xff, %%edi\n\t"
			 "mov $60, %%eax\n\t"
			 "syscall\n"
			 "2:\n\t"
			 "mov (%%r8), %%edi\n\t"
			 "add $5, %%edi\n\t"
			 "mov %%edi, (%%r8)\n\t"
			 "mov $60, %%eax\n\t"
			 "syscall\n"
			 "3:\n\t"
			 "mov $99, %%edi\n\t"
			 "mov $60, %%eax\n\t"
			 "syscall\n"
			 "1:"
			 : "=&a"(ret)
			 : "r"(r8), "r"(r9)
			 : "rcx", "r11", "rdi", "rsi", "rdx", "r10", "memory");
	return ret;
}

static void meta_vfork_fork(void)
{
	static volatile int shared = 1, status = -1;
	for (int i = 0; i < 10; i++) {
		long pid = vfork_fork_exit(&shared, &status);
		CHECK(pid > 0);
		CHECK_EQ(ut_wait((int)pid), 6 << 8);     /* the grandchild's 1 + 5 */
		CHECK_EQ(status, 6 << 8);                 /* stored by the vfork child's wait4 */
		CHECK_EQ(shared, 1);                      /* its store went to its own copy */
	}
}

/* fork: copies of the memory diverge; the child's exit status comes back; 30 forks leak
 * nothing (the runner checks pages and resources after the test). */
static void meta_fork(void)
{
	static volatile int global = 1;
	char *heap = malloc(50000);
	CHECK(heap != NULL);
	memset(heap, 'p', 50000);
	for (int i = 0; i < 30; i++) {
		long pid = tsys_fork();
		if (pid == 0) {
			global = 2;
			memset(heap, 'c', 50000);
			tsys_exit(global == 2 && heap[49999] == 'c' ? i : 100);
		}
		CHECK(pid > 0);
		CHECK_EQ(ut_wait((int)pid), i << 8);
		CHECK_EQ(global, 1);
		CHECK_EQ(heap[0], 'p');
		CHECK_EQ(heap[49999], 'p');
	}
	free(heap);
}

/* A write to a pipe nobody reads ends the writer with SIGPIPE (its default action); with
 * SIGPIPE ignored the write fails with EPIPE instead. */
static void sig_pipe(void)
{
	const char *const dfl[] = { "sigpipe", "default", NULL };
	const char *const ign[] = { "sigpipe", "ignore", NULL };
	CHECK_EQ(ut_run_helper(dfl), SIGPIPE);
	CHECK_EQ(ut_run_helper(ign), 0);
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
	CHECK_OK(sigaction(SIGPIPE, NULL, &old));
	CHECK(old.sa_handler == SIG_IGN);
	sa.sa_handler = SIG_DFL;
	CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
	CHECK(sigaction(SIGKILL, &sa, NULL) != 0);
}

static volatile int usr1_count;

static void on_usr1(int sig)
{
	usr1_count += sig == SIGUSR1;
}

/* A signal from another process interrupts a sleep (EINTR) after its handler ran; a blocked
 * one waits until unblocked. */
static void sig_interrupt(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	const char *const args[] = { "killparent", "50", NULL };
	int pid = ut_spawn_helper(args);
	struct timespec ts = { 5, 0 };
	int64_t t0 = ut_now_ns();
	CHECK_ERR(tsys_nanosleep((long)&ts, 0), EINTR);
	CHECK(ut_now_ns() - t0 < 3000000000ll);
	CHECK_EQ(usr1_count, 1);
	CHECK_EQ(ut_wait(pid), 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	CHECK_OK(kill(getpid(), SIGUSR1));
	CHECK_EQ(usr1_count, 1);
	CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	CHECK_EQ(usr1_count, 2);
	CHECK_ERR(tsys_kill(getpid(), 65), EINVAL);
}

static int counter = 10;

static void meta_ckpt_self(void)
{
	rid_t ck;
	volatile int on_stack = 100;
	int *heap = malloc(sizeof(int));
	*heap = 1000;
	int r = t_ckpt_save(0, "ut-self", &ck);
	CHECK(r == 0 || r == T_CKPT_RESTORED);
	if (r == 0) {
		counter++, on_stack++, (*heap)++;
		CHECK_OK(t_ckpt_restore(0, ck));     /* does not return: we resume at the save */
		FAIL("t_ckpt_restore of oneself returned");
	}
	CHECK_EQ(counter, 10);
	CHECK_EQ(on_stack, 100);
	CHECK_EQ(*heap, 1000);
	struct t_res_info in;
	CHECK_OK(t_res_info(ck, &in));
	CHECK_EQ(in.type, RT_CHECKPOINT);
	CHECK_EQ(in.v[0], getpid());
	CHECK_OK(t_res_delete(ck));
	free(heap);
}

/* Another process, blocked in a sleep, is checkpointed and later put back there. */
static void meta_ckpt_other(void)
{
	char box[T_NAME_MAX];
	rid_t b, ck;
	uint32_t v[40];
	size_t len;
	snprintf(box, sizeof(box), "ut-ck-%d", getpid());
	CHECK_OK(t_cbox_create(box, 0, &b));
	const char *const args[] = { "counter", box, NULL };
	int pid = ut_spawn_helper(args);
	for (int i = 0; i < 3; i++)
		CHECK_OK(t_cbox_recv(b, &v[i], 4, 0, &len));
	CHECK_OK(t_ckpt_save(pid, "ut-other", &ck));
	int n = 3;
	while (v[n - 1] < v[2] + 3)
		CHECK_OK(t_cbox_recv(b, &v[n++], 4, 0, &len));
	CHECK_OK(t_ckpt_restore(pid, ck));
	/* drain what it sent before the restore, then it counts again from the saved point */
	uint32_t w;
	do
		CHECK_OK(t_cbox_recv(b, &w, 4, 0, &len));
	while (w > v[2] + 1);
	CHECK(w <= v[2] + 1);
	kill_pid(pid);
	ut_wait(pid);
	CHECK_OK(t_res_delete(ck));
	CHECK_OK(t_res_delete(b));
}

static void meta_ckpt_bad(void)
{
	rid_t ck;
	CHECK_OK(t_ckpt_save(0, "ut-bad", &ck));
	const char *argv[] = { "busybox", "sleep", "1", NULL };
	int pid;
	CHECK_OK(t_proccreate(NULL, "/bin/busybox", argv, 0, 0, &pid));
	CHECK_ERR(t_ckpt_restore(pid, ck), EINVAL);        /* a checkpoint of another program */
	CHECK_ERR(t_ckpt_restore(0, RID_MAKE(RT_CHECKPOINT, 1, 9999)), EINVAL);
	CHECK_ERR(t_ckpt_restore(0, rid_of(getpid())), EINVAL);
	CHECK_ERR(t_ckpt_save(0, "x", (rid_t *)8), EFAULT);
	CHECK_ERR(t_ckpt_onfault(RID_MAKE(RT_CHECKPOINT, 1, 9999)), EINVAL);
	CHECK_OK(t_ckpt_onfault(ck));
	CHECK_ERR(t_res_delete(ck), EBUSY);                /* in use for fault recovery */
	CHECK_OK(t_ckpt_onfault(0));
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_OK(t_res_delete(ck));
	CHECK_ERR(t_ckpt_restore(0, ck), ESTALE);
}

static void meta_fault_recovery(void)
{
	const char *const args[] = { "recover", NULL };
	CHECK_EQ(ut_run_helper(args), 0);
}

static void meta_reuse_sharing(void)
{
	struct t_reuse_stat a, b;
	const char *const args[] = { "sleep", "300", NULL };
	int p1 = ut_spawn_helper(args), p2 = ut_spawn_helper(args);
	struct t_res_info i1, i2, prog;
	CHECK_OK(t_res_info(rid_of(p1), &i1));
	CHECK_OK(t_res_info(rid_of(p2), &i2));
	CHECK_EQ(i1.refs[0].rid, i2.refs[0].rid);          /* one program resource */
	CHECK_OK(t_res_info(i1.refs[0].rid, &prog));
	CHECK(prog.v[5] >= 3);                               /* us and the two helpers */
	CHECK_EQ(ut_wait(p1), 0);
	CHECK_EQ(ut_wait(p2), 0);
	/* a program nobody runs goes to the table, and the next run takes it back */
	const char *const hello[] = { "hello", NULL };
	CHECK_EQ(ut_run("/bin/hello", hello), 0);
	CHECK_OK(t_reuse_stat(&a));
	CHECK(a.cached[TRU_PROGRAM] >= 1);
	CHECK_EQ(ut_run("/bin/hello", hello), 0);
	CHECK_OK(t_reuse_stat(&b));
	CHECK(b.hits[TRU_PROGRAM] > a.hits[TRU_PROGRAM]);
	/* different content is never shared */
	const char *const tr[] = { "true", NULL };
	CHECK_EQ(ut_run("/bin/true", tr), 0);
	rid_t hp, tp;
	CHECK_OK(t_res_lookup(RT_PROGRAM, "hello", &hp));
	CHECK_OK(t_res_lookup(RT_PROGRAM, "true", &tp));
	CHECK(hp != tp);
}

static void meta_reuse_pressure(void)
{
	struct t_kstat ks;
	struct t_reuse_stat st;
	const char *const hello[] = { "hello", NULL }, *const tr[] = { "true", NULL };
	for (int i = 0; i < 3; i++) {                /* fill the table a little */
		CHECK_EQ(ut_run("/bin/hello", hello), 0);
		CHECK_EQ(ut_run("/bin/true", tr), 0);
	}
	/* all memory free now but 2 MiB: a margin of all memory would depend on how much the
	 * boot image and the servers take, and the cached programs may be too small to make up
	 * for it (the hog is killed for want of memory then) */
	const char *const hog[] = { "hog", "2", NULL };
	CHECK_EQ(ut_run_helper(hog), 0);
	CHECK_OK(t_kstat(&ks));
	CHECK_OK(t_reuse_stat(&st));
	CHECK(ks.pages_free > 0);
}

static void meta_reuse_off(void)
{
	struct t_reuse_stat st;
	int was = t_kctl(TK_REUSE, -1);
	CHECK_EQ(was, TRU_ALL);
	CHECK_ERR(t_kctl(TK_REUSE, 99), EINVAL);
	CHECK_OK(t_kctl(TK_REUSE, 0));
	const char *const hello[] = { "hello", NULL };
	CHECK_EQ(ut_run("/bin/hello", hello), 0);
	CHECK_OK(t_reuse_stat(&st));
	for (int k = 0; k < TRU_NKINDS; k++)
		CHECK_EQ(st.cached[k], 0);
	CHECK_OK(t_kctl(TK_REUSE, was));
}

const struct utest ut_meta_tests[] = {
	{ "meta_chprog_running", meta_chprog_running },
	{ "meta_chprog_blocked", meta_chprog_blocked },
	{ "meta_chprog_ready", meta_chprog_ready },
	{ "meta_chprog_self", meta_chprog_self },
	{ "meta_chprog_bad", meta_chprog_bad },
	{ "meta_denied", meta_denied },
	{ "meta_restart", meta_restart },
	{ "meta_restart_states", meta_restart_states },
	{ "meta_execve", meta_execve },
	{ "meta_vfork", meta_vfork },
	{ "meta_vfork_fork", meta_vfork_fork },
	{ "meta_fork", meta_fork },
	{ "sig_pipe", sig_pipe },
	{ "sig_interrupt", sig_interrupt },
	{ "meta_ckpt_self", meta_ckpt_self },
	{ "meta_ckpt_other", meta_ckpt_other },
	{ "meta_ckpt_bad", meta_ckpt_bad },
	{ "meta_fault_recovery", meta_fault_recovery },
	{ "meta_reuse_sharing", meta_reuse_sharing },
	{ "meta_reuse_pressure", meta_reuse_pressure },
	{ "meta_reuse_off", meta_reuse_off },
	{ NULL, NULL },
};

/* ---- helper modes ---------------------------------------------------------------------- */

/* Becomes "utest -c checkpid PID" through change program; that exits 0 iff the pid held. */
int ut_helper_chprogself(int argc, char **argv)
{
	char pid[16];
	(void)argc, (void)argv;
	snprintf(pid, sizeof(pid), "%d", getpid());
	const char *const av[] = { "utest", "-c", "checkpid", pid, NULL };
	int err = t_chprog(0, "/bin/utest", av, NULL);
	printf("chprogself: t_chprog returned %d\n", err);
	return 3;
}

int ut_helper_checkpid(int argc, char **argv)
{
	return argc > 3 && atoi(argv[3]) == getpid() ? 0 : 4;
}

/* As uid 1000, every change of the root-owned process PID is refused. */
int ut_helper_metadeny(int argc, char **argv)
{
	int pid = argc > 3 ? atoi(argv[3]) : 0;
	rid_t ck;
	if (setuid(1000))
		return 2;
	if (t_chprog(pid, "/bin/utest", exit7, NULL) != -EACCES)
		return 3;
	if (t_restart(pid) != -EACCES || t_ckpt_save(pid, "x", &ck) != -EACCES)
		return 4;
	if (t_kctl(TK_REUSE, 0) != -EPERM || t_kctl(TK_REUSE_FLUSH, 1) != -EPERM)
		return 5;
	return 0;
}

/* Sends one container to box NAME, then sleeps until killed. */
int ut_helper_startmsg(int argc, char **argv)
{
	rid_t b;
	if (argc < 4 || t_cbox_open(argv[3], &b) || t_cbox_send(b, "hi", 2, 0))
		return 2;
	sleep(100);
	return 0;
}

/* Sends 0, 1, 2, ... to box NAME, 20 ms apart. */
int ut_helper_counter(int argc, char **argv)
{
	rid_t b;
	if (argc < 4 || t_cbox_open(argv[3], &b))
		return 2;
	for (uint32_t i = 0;; i++) {
		if (t_cbox_send(b, &i, 4, 0))
			return 3;
		usleep(20000);
	}
}

/* ckptdemo's scheme: a fault in a step brings the process back to the step's checkpoint. */
int ut_helper_recover(int argc, char **argv)
{
	static volatile uintptr_t bad = 8;
	static int total, recoveries;
	rid_t ck;
	(void)argc, (void)argv;
	for (int i = 1; i <= 4; i++) {
		int r = t_ckpt_save(0, "ut-rec", &ck);
		if (r == T_CKPT_RECOVERED)
			recoveries++;
		else if (r != 0)
			return 2;
		if (t_ckpt_onfault(ck))
			return 3;
		if (i == 2 && recoveries == 0)
			total += *(volatile int *)bad;     /* faults: back to the checkpoint */
		total += i;
		t_ckpt_onfault(0);
		if (t_res_delete(ck))
			return 4;
	}
	/* recoveries was reset by the restore (data is part of the checkpoint), so the
	 * faulting step can only have been passed by way of the recovery */
	return total == 10 ? 0 : 5;
}

/* Touches all the memory free when it starts but MARGIN MiB, so that the system runs near
 * exhaustion with the reusable-resource table holding entries. */
int ut_helper_hog(int argc, char **argv)
{
	struct t_kstat ks;
	uint64_t margin = (argc > 3 ? (uint64_t)atol(argv[3]) : 24) << 20;
	if (t_kstat(&ks) || ks.pages_free * 4096 < 2 * margin)
		return 2;
	uint64_t bytes = ks.pages_free * 4096 - margin;
	volatile char *p = malloc(bytes);
	if (!p)
		return 3;
	for (uint64_t i = 0; i < bytes; i += 4096)
		p[i] = 1;
	return 0;
}

/* Becomes "utest -c exit 9" through execve, keeping its pid (checked by the new program). */
int ut_helper_execve(int argc, char **argv)
{
	char pid[16];
	(void)argc, (void)argv;
	snprintf(pid, sizeof(pid), "%d", getpid());
	const char *av[] = { "utest", "-c", "checkpid9", pid, NULL };
	long err = tsys_execve((long)"/bin/utest", (long)av, 0);
	printf("execve returned %ld\n", err);
	return 3;
}

int ut_helper_checkpid9(int argc, char **argv)
{
	return argc > 3 && atoi(argv[3]) == getpid() ? 9 : 4;
}

/* Writes to a pipe whose reader is closed, with SIGPIPE at its default or ignored. */
int ut_helper_sigpipe(int argc, char **argv)
{
	int fds[2];
	if (argc > 3 && strcmp(argv[3], "ignore") == 0)
		signal(SIGPIPE, SIG_IGN);
	if (pipe(fds))
		return 2;
	close(fds[0]);
	long r = tsys_write(fds[1], (long)"x", 1);
	return r == -EPIPE ? 0 : 3;
}

/* Sends SIGUSR1 to its parent after MS milliseconds. */
int ut_helper_killparent(int argc, char **argv)
{
	usleep((useconds_t)(argc > 3 ? atoi(argv[3]) : 50) * 1000);
	return kill(getppid(), SIGUSR1) ? 2 : 0;
}
