/*
 * utest group "runmode" (continued): the ways through the kernel in each mode
 * (docs/runmode.md). The leaf path answers what the C handlers answer, in every form; an
 * unmodified `syscall` in ring 0 gets its flags back exactly; interrupts that land inside an
 * Smode light call are held back to its end. The helper side runs as `utest -c rmlight HOW`.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

/* ---- interrupts during Smode light calls ----------------------------------------------- */

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* One round of light calls (stat, clock_gettime) from Smode, each answer checked. */
static bool light_round(const struct stat *want, struct timespec *last)
{
	struct stat st;
	struct timespec ts;
	for (int i = 0; i < 20; i++) {
		if (tsys_stat((long)"/bin/sh", (long)&st) != 0 || st.st_size != want->st_size ||
		    st.st_ino != want->st_ino)
			return false;
		if (tsys_clock_gettime(CLOCK_MONOTONIC, (long)&ts) != 0 ||
		    ts.tv_sec < last->tv_sec ||
		    (ts.tv_sec == last->tv_sec && ts.tv_nsec < last->tv_nsec))
			return false;
		*last = ts;
	}
	return t_cpl() == 0;
}

/* Light calls in a tight loop in Smode while a 5 ms interval timer runs: timer interrupts
 * land inside the calls and are held back to their end (smode_entry.S), where the signal
 * is delivered. "alarm": with a handler, until both have happened several times (exit 0);
 * "die": with SIGALRM's default action, which must end the process. */
static int helper_light_irq(const char *how)
{
	struct stat want;
	struct timespec last = { 0, 0 };
	struct t_runmode_info a, b;
	struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
	if (strcmp(how, "alarm") == 0 && signal(SIGALRM, on_alarm) == SIG_ERR)
		return 80;
	if (stat("/bin/sh", &want) != 0 || t_switch_supervisor(0) != 0 || t_runmode_info(0, &a))
		return 81;
	if (setitimer(ITIMER_REAL, &it, NULL) != 0)
		return 82;
	int64_t end = ut_now_ns() + 20ll * 1000000000;
	do {
		if (!light_round(&want, &last))
			return 83;
		if (t_runmode_info(0, &b) != 0)
			return 84;
	} while ((b.held_back - a.held_back < 5 || alarms < 5) && ut_now_ns() < end);
	printf("utest -c runmode light %s: %llu interrupts held back, %d alarms\n", how,
	       (unsigned long long)(b.held_back - a.held_back), alarms);
	return b.held_back - a.held_back >= 5 && alarms >= 5 ? 0 : 85;
}

int ut_helper_rmlight(int argc, char **argv)
{
	if (argc > 3)
		return helper_light_irq(argv[3]);
	printf("utest -c rmlight: which (alarm, die)?\n");
	return 99;
}

/* ---- the tests -------------------------------------------------------------------------- */

/* Interrupts that arrive inside Smode light calls are held back and delivered at their end:
 * a signal handler runs, and SIGALRM's default action ends the process, not the kernel. */
static void t_runmode_light_irq(void)
{
	const char *alarm_args[] = { "rmlight", "alarm", NULL };
	CHECK_EQ(ut_run_helper(alarm_args), 0);
	const char *die_args[] = { "rmlight", "die", NULL };
	int status = ut_run_helper(die_args);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM);
}

/* ---- flags across an unmodified `syscall` in ring 0 ------------------------------------- */

#define FL_IF 0x200ul
#define FL_DF 0x400ul

/* `syscall` from ring 0 with the given flags set first (DF, or IF cleared); returns the call's
 * result and the flags right after it. */
static long ring0_syscall_flags(long nr, long a0, bool set_df, bool clear_if, unsigned long *fl)
{
	long ret;
	__asm__ volatile("test %[df], %[df]\n\t"
			 "jz 1f\n\t"
			 "std\n"
			 "1:\t"
			 "test %[ci], %[ci]\n\t"
			 "jz 2f\n\t"
			 "cli\n"
			 "2:\t"
			 "syscall\n\t"
			 "pushfq\n\t"
			 "popq %[fl]\n\t"
			 "cld\n\t"
			 "sti"
			 : "=a"(ret), [fl] "=r"(*fl)
			 : "a"(nr), "D"(a0), [df] "r"((long)set_df), [ci] "r"((long)clear_if)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

/* The leaf and light paths return to ring-0 callers with a jump; flags the caller had (DF
 * set, interrupts off) must come back exactly, as `sysretq` gives them back in ring 3. */
static void t_runmode_syscall_flags(void)
{
	struct utsname un;
	unsigned long fl;
	int pid = getpid();
	ut_switch_self(TRM_SMODE);
	for (int k = 0; k < 3; k++) {
		bool df = k == 1, ci = k == 2;
		CHECK_EQ(ring0_syscall_flags(SYS_getpid, 0, df, ci, &fl), pid);          /* leaf */
		CHECK_EQ(!!(fl & FL_DF), df);
		CHECK_EQ(!(fl & FL_IF), ci);
		CHECK_OK(ring0_syscall_flags(SYS_uname, (long)&un, df, ci, &fl));         /* light */
		CHECK(strcmp(un.sysname, "Tessera") == 0);
		CHECK_EQ(!!(fl & FL_DF), df);
		CHECK_EQ(!(fl & FL_IF), ci);
		CHECK_EQ(ring0_syscall_flags(SYS_sched_yield, 0, df, ci, &fl), 0);       /* full */
		CHECK_EQ(!!(fl & FL_DF), df);
		CHECK_EQ(!(fl & FL_IF), ci);
	}
	ut_switch_self(TRM_UMODE);
}

/* ---- the leaf path ---------------------------------------------------------------------- */

static const long leaf_nrs[] = { SYS_getpid, SYS_gettid, SYS_getppid, SYS_getuid,
				 SYS_geteuid, SYS_getgid, SYS_getegid };
#define NLEAF (sizeof(leaf_nrs) / sizeof(leaf_nrs[0]))

/* A forked child: reports the pid the leaf path gives it first, then asks again and again
 * (in both modes, while its siblings do the same and preempt it) and must always get the
 * same pid and parent; then a change of uid must show in the very next call. */
static int leaf_child(int wfd, int parent)
{
	long first = tsys_getpid();
	if (write(wfd, &first, sizeof(first)) != (ssize_t)sizeof(first))
		return 10;
	for (int round = 0; round < 2; round++) {
		if (round == 1 && t_switch_supervisor(0) != 0)
			return 11;
		for (int i = 0; i < 5000; i++)
			if (tsys_getpid() != first || tsys_gettid() != first ||
			    tsys_getppid() != parent)
				return 12 + round;
	}
	if (t_switch_user(0) != 0 || tsys_setuid(1000) != 0)
		return 14;
	if (tsys_getuid() != 1000 || tsys_geteuid() != 1000 || syscall(SYS_getuid) != 1000)
		return 15;
	return 0;
}

/* The answers of the identity calls while a switch of a blocked child is pending: then the
 * leaf path declines (runmode_npending) and the C handlers answer. */
static void leaf_baseline(long want[NLEAF])
{
	struct t_runmode_info child;
	int kid = fork();
	CHECK(kid >= 0);
	if (kid == 0) {
		pause();
		_exit(0);
	}
	usleep(20000);
	CHECK_OK(t_switch_supervisor(kid));
	CHECK_OK(t_runmode_info(kid, &child));
	CHECK_EQ(child.pending, TRM_SMODE);
	for (size_t i = 0; i < NLEAF; i++)
		want[i] = tsys_call(leaf_nrs[i], 0, 0, 0, 0, 0, 0);
	CHECK_OK(kill(kid, SIGKILL));
	CHECK(WIFSIGNALED(ut_wait(kid)));
}

/* The identity calls the leaf path answers (kernel/sys/syscall.h) give what the C handlers
 * give, in every form: the trap, the Smode call and an unmodified `syscall` at ring 0. New
 * children see their own pid from their first call. */
static void t_runmode_leaf(void)
{
	long want[NLEAF];
	leaf_baseline(want);
	CHECK_EQ(want[0], getpid());
	CHECK_EQ(want[3], (long)getuid());
	for (size_t i = 0; i < NLEAF; i++)
		CHECK_EQ(tsys_call(leaf_nrs[i], 0, 0, 0, 0, 0, 0), want[i]);
	ut_switch_self(TRM_SMODE);
	for (size_t i = 0; i < NLEAF; i++) {
		CHECK_EQ(tsys_call(leaf_nrs[i], 0, 0, 0, 0, 0, 0), want[i]);
		CHECK_EQ(syscall(leaf_nrs[i]), want[i]);
	}
	ut_switch_self(TRM_UMODE);
	enum { KIDS = 4 };
	int fds[2], kid[KIDS];
	CHECK_OK(pipe(fds));
	for (int k = 0; k < KIDS; k++) {
		kid[k] = fork();
		CHECK(kid[k] >= 0);
		if (kid[k] == 0) {
			close(fds[0]);
			_exit(leaf_child(fds[1], (int)want[0]));
		}
	}
	close(fds[1]);
	long seen[KIDS];
	for (int k = 0; k < KIDS; k++)
		CHECK_EQ(read(fds[0], &seen[k], sizeof(seen[k])), (long)sizeof(seen[k]));
	close(fds[0]);
	for (int k = 0; k < KIDS; k++) {
		bool found = false;
		for (int j = 0; j < KIDS; j++)
			found |= seen[j] == kid[k];
		CHECK(found);
		int status = ut_wait(kid[k]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

const struct utest ut_rmpath_tests[] = {
	{ "runmode_leaf", t_runmode_leaf },
	{ "runmode_light_irq", t_runmode_light_irq },
	{ "runmode_syscall_flags", t_runmode_syscall_flags },
	{ NULL, NULL },
};
