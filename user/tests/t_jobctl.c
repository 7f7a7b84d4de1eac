/*
 * Process groups and sessions (kernel/proc/jobctl.h) with Linux's rules and error codes:
 * ids inherited and kept across execve and a restart, setpgid and setsid with every error,
 * /proc/PID/stat's fields, signals to a group, to one's own and to all (with permissions),
 * waiting for a group, and migration refusing a stopped process. Stopping and continuing are
 * in t_jobstop.c, the console as controlling terminal in t_ctty.c. Each test runs its cases
 * in forked children, so the test process's own group and session stay the runner's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tnode.h"
#include "t_jobctl.h"
#include "utest.h"


void jc_pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A child that runs fn and exits with its result (0: passed). */
int jc_fork_run(int (*fn)(void))
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(fn());
	return pid;
}

/* A child that sleeps until killed (pgid >= 0: in that group, 0 its own; both sides set it,
 * as shells do, so it holds whichever runs first). */
int jc_fork_sleeper(int pgid)
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (pgid >= 0 && setpgid(0, pgid) < 0)
			_exit(2);
		for (;;)
			pause();
	}
	if (pgid >= 0)
		setpgid(pid, pgid ? pgid : pid);
	return pid;
}

int jc_wait_status(int pid, int flags)
{
	int st = 0;
	int r;
	while ((r = waitpid(pid, &st, flags)) < 0 && errno == EINTR)
		;
	CHECK_EQ(r, pid);
	return st;
}

void jc_kill_and_reap(int pid)
{
	kill(pid, SIGKILL);
	int st = jc_wait_status(pid, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

void jc_check_child(int (*fn)(void))
{
	int st = jc_wait_status(jc_fork_run(fn), 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("child case %d failed (status 0x%x)", WIFEXITED(st) ? WEXITSTATUS(st) : -1, st);
}

/* ---- ids ------------------------------------------------------------------------------------ */

static void ids_inherited(void)
{
	int self = getpid(), pg = getpgrp();
	CHECK_EQ(getpgid(0), pg);
	CHECK_EQ(getsid(0), getsid(self));
	int c = jc_fork_sleeper(-1);
	CHECK_EQ(getpgid(c), pg);
	CHECK_EQ(getsid(c), getsid(0));
	CHECK_OK(setpgid(c, c));
	CHECK_EQ(getpgid(c), c);
	CHECK_EQ(getsid(c), getsid(0));
	CHECK_OK(setpgid(c, pg));             /* back into ours: a group of our session */
	CHECK_EQ(getpgid(c), pg);
	jc_kill_and_reap(c);
	CHECK_ERR(R(getpgid(999999)), ESRCH);
	CHECK_ERR(R(getsid(999999)), ESRCH);
}

/* A child that execs /bin/sleep keeps its group; its parent may not move it any more. */
static void ids_across_exec(void)
{
	int c = fork();
	CHECK(c >= 0);
	if (c == 0) {
		setpgid(0, 0);
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(3);
	}
	setpgid(c, c);                        /* whichever of us gets there first */
	for (int i = 0; i < 200; i++) {
		char path[64], buf[128] = "";
		snprintf(path, sizeof(path), "/proc/%d/comm", c);
		int fd = open(path, O_RDONLY);
		if (fd >= 0) {
			(void)!read(fd, buf, sizeof(buf) - 1);
			close(fd);
		}
		if (strncmp(buf, "sleep", 5) == 0)
			break;
		jc_pause_ms(10);
	}
	CHECK_EQ(getpgid(c), c);
	CHECK_ERR(R(setpgid(c, getpgrp())), EACCES);
	jc_kill_and_reap(c);
}

/* A restart (a metamorphosis) keeps the group and session: the process is the same. */
static int restart_child(void)
{
	if (setsid() < 0)
		return 1;
	execl("/bin/sleep", "sleep", "30", (char *)NULL);
	return 2;
}

static void kept_by_restart(void)
{
	int c = jc_fork_run(restart_child);
	for (int i = 0; i < 300 && getsid(c) != c; i++)
		jc_pause_ms(10);
	CHECK_EQ(getsid(c), c);
	jc_pause_ms(50);                         /* past its execve */
	CHECK_OK(t_restart(c));
	jc_pause_ms(50);
	CHECK_EQ(getsid(c), c);
	CHECK_EQ(getpgid(c), c);
	jc_kill_and_reap(c);
}

/* A stopped process is not migrated (TMIG_JOBCTL); continued, it may be. */
static void mig_refused(void)
{
	static struct t_mig_image img;
	static struct t_mig_seg segs[T_MIG_MAXSEG];
	static char args[T_MIG_ARGS_MAX];
	uint32_t why = 99;
	int c = jc_fork_sleeper(0);
	kill(c, SIGSTOP);
	jc_wait_status(c, WUNTRACED);
	CHECK_ERR(t_mig_freeze(c, &img, segs, args, 0, &why), EBUSY);
	CHECK_EQ(why, TMIG_JOBCTL);
	CHECK_OK(kill(c, 0));                 /* still here, still stopped */
	CHECK_EQ(waitpid(c, NULL, WNOHANG | WCONTINUED), 0);
	kill(c, SIGCONT);
	jc_wait_status(c, WCONTINUED);
	CHECK_OK(t_mig_freeze(c, &img, segs, args, 0, &why));
	CHECK_OK(t_mig_thaw(c));
	jc_kill_and_reap(c);
}

static int setpgid_errors_child(void)
{
	EXPECT(1, R(setpgid(0, -1)) == -EINVAL);
	EXPECT(2, R(setpgid(1, 1)) == -ESRCH);        /* not ours: init */
	EXPECT(3, R(setpgid(999999, 0)) == -ESRCH);
	EXPECT(4, R(setpgid(-5, 0)) == -ESRCH);
	EXPECT(5, R(setpgid(0, 999999)) == -EPERM);   /* no such group in our session */
	int c = fork();
	if (c == 0) {
		setsid();
		for (;;)
			pause();
	}
	jc_pause_ms(50);
	EXPECT(6, getsid(c) == c);
	EXPECT(7, R(setpgid(c, c)) == -EPERM);        /* another session */
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	EXPECT(8, setsid() == getpid());
	EXPECT(9, R(setpgid(0, 0)) == -EPERM);        /* a session leader stays */
	return 0;
}

static void setpgid_errors(void)
{
	jc_check_child(setpgid_errors_child);
}

static int setsid_child(void)
{
	int self = getpid();
	int old_sid = getsid(0);
	EXPECT(1, getpgrp() != self);                 /* forked: not a group leader */
	EXPECT(2, setsid() == self);
	EXPECT(3, getsid(0) == self && getpgrp() == self && getsid(0) != old_sid);
	EXPECT(4, R(setsid()) == -EPERM);             /* a group leader now */
	int pg;
	EXPECT(5, R(ioctl(0, TIOCGPGRP, &pg)) == -ENOTTY);   /* a new session has no terminal */
	return 0;
}

static int setsid_leader_child(void)
{
	EXPECT(1, setpgid(0, 0) == 0);
	EXPECT(2, R(setsid()) == -EPERM);
	return 0;
}

static void setsid_rules(void)
{
	jc_check_child(setsid_child);
	jc_check_child(setsid_leader_child);
}

/* /proc/PID/stat's fields 5 and 6 (pgrp, session), 7 (tty_nr) and 8 (tpgid). */
void jc_stat_fields(int pid, int f[4])
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	CHECK(p);
	char state;
	int ppid;
	CHECK_EQ(sscanf(p + 2, "%c %d %d %d %d %d", &state, &ppid, &f[0], &f[1], &f[2], &f[3]), 6);
}

static void proc_stat(void)
{
	int f[4];
	jc_stat_fields(getpid(), f);
	CHECK_EQ(f[0], getpgrp());
	CHECK_EQ(f[1], getsid(0));
	int c = jc_fork_sleeper(0);
	jc_pause_ms(20);
	jc_stat_fields(c, f);
	CHECK_EQ(f[0], c);
	jc_kill_and_reap(c);
}

/* ---- signals to groups ---------------------------------------------------------------------- */

static void kill_group(void)
{
	int a = jc_fork_sleeper(0);
	CHECK_OK(setpgid(a, a));
	int b = jc_fork_sleeper(a);
	jc_pause_ms(30);
	CHECK_EQ(getpgid(b), a);
	CHECK_OK(kill(-a, 0));
	CHECK_OK(kill(-a, SIGTERM));
	int st = jc_wait_status(a, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	st = jc_wait_status(b, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	CHECK_ERR(R(kill(-a, 0)), ESRCH);         /* the group is gone */
	CHECK_ERR(R(kill(-999999, SIGTERM)), ESRCH);
	CHECK_ERR(R(kill(-a, 65)), EINVAL);
	CHECK_OK(kill(0, 0));                     /* our own group */
}

/* kill(0, sig) reaches the caller's group (here a child's group of three) and the caller. */
static int kill_zero_child(void)
{
	setpgid(0, 0);
	int a = jc_fork_sleeper(-1), b = jc_fork_sleeper(-1);
	signal(SIGUSR1, SIG_IGN);
	jc_pause_ms(20);
	EXPECT(1, kill(0, SIGUSR1) == 0);       /* ignored here, ends both children */
	int st;
	EXPECT(2, waitpid(a, &st, 0) == a && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	EXPECT(3, waitpid(b, &st, 0) == b && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	return 0;
}

static void kill_zero(void)
{
	jc_check_child(kill_zero_child);
}

/* An unprivileged process: kill(-pgid) of root's group is EPERM; kill(-1) signals only its
 * own user's processes (not itself, not init) and reports success even if others refused;
 * SIGCONT reaches any process of its session, whoever owns it. */
static int kill_perm_child(int rootgrp)
{
	if (setuid(1000) < 0)
		return 1;
	if (R(kill(-rootgrp, SIGTERM)) != -EPERM || R(kill(-rootgrp, 0)) != -EPERM)
		return 2;
	if (R(kill(rootgrp, SIGTERM)) != -EPERM || kill(rootgrp, SIGCONT) != 0)
		return 3;
	int g = jc_fork_sleeper(-1);                 /* also uid 1000 */
	jc_pause_ms(20);
	if (kill(-1, SIGTERM) != 0)
		return 4;
	int st;
	if (waitpid(g, &st, 0) != g || !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
		return 5;
	return 0;                                 /* and we are still here */
}

static void kill_perm(void)
{
	int c = jc_fork_sleeper(-1);                 /* root's, in a group of its own */
	CHECK_OK(setpgid(c, c));
	int p = fork();
	CHECK(p >= 0);
	if (p == 0)
		_exit(kill_perm_child(c));
	int st = jc_wait_status(p, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("unprivileged case %d failed (status 0x%x)", WEXITSTATUS(st), st);
	CHECK_OK(kill(c, 0));                     /* root's sleeper was not touched */
	jc_kill_and_reap(c);
}

/* waitpid(-pgid) and waitpid(0) wait only for children of that group. */
static void wait_group(void)
{
	int a = jc_fork_sleeper(0);
	setpgid(a, a);
	int b = jc_fork_sleeper(-1);             /* ours */
	jc_pause_ms(20);
	int st;
	CHECK_EQ(waitpid(-a, &st, WNOHANG), 0);
	CHECK_EQ(waitpid(0, &st, WNOHANG), 0);
	kill(b, SIGTERM);
	kill(a, SIGTERM);
	jc_pause_ms(20);
	CHECK_EQ(waitpid(-a, &st, 0), a);
	CHECK_ERR(R(waitpid(-a, &st, 0)), ECHILD);
	CHECK_EQ(waitpid(0, &st, 0), b);
	CHECK_ERR(R(waitpid(0, &st, WNOHANG)), ECHILD);
	CHECK_ERR(R(waitpid(-999999, &st, 0)), ECHILD);
}

const struct utest ut_jobctl_tests[] = {
	{ "jobctl_ids_inherited", ids_inherited },
	{ "jobctl_ids_across_exec", ids_across_exec },
	{ "jobctl_kept_by_restart", kept_by_restart },
	{ "jobctl_mig_refused", mig_refused },
	{ "jobctl_setpgid_errors", setpgid_errors },
	{ "jobctl_setsid_rules", setsid_rules },
	{ "jobctl_proc_stat", proc_stat },
	{ "jobctl_kill_group", kill_group },
	{ "jobctl_kill_zero", kill_zero },
	{ "jobctl_kill_perm", kill_perm },
	{ "jobctl_wait_group", wait_group },
	{ NULL, NULL },
};
