/*
 * Job control (kernel/proc/jobctl.h, ctty.h): process groups and sessions with Linux's rules
 * and error codes, signals to groups and to all, waiting for groups, stopping and continuing
 * (wait statuses, SIGCHLD, SIGKILL of a stopped process, every thread stopped), orphaned
 * groups, and the console as a controlling terminal (TIOCSCTTY, TIOCSPGRP, background reads
 * and writes). Each test runs its cases in forked children, so the test process's own group
 * and session stay those of the runner.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tnode.h"
#include "utest.h"

/* -errno of a failed call, else its result */
#define R(x) ((x) < 0 ? -errno : (long)(x))

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A child that runs fn and exits with its result (0: passed). */
static int fork_run(int (*fn)(void))
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(fn());
	return pid;
}

/* A child that sleeps until killed (pgid >= 0: in that group, 0 its own; both sides set it,
 * as shells do, so it holds whichever runs first). */
static int fork_sleeper(int pgid)
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

static int wait_status(int pid, int flags)
{
	int st = 0;
	int r;
	while ((r = waitpid(pid, &st, flags)) < 0 && errno == EINTR)
		;
	CHECK_EQ(r, pid);
	return st;
}

static void kill_and_reap(int pid)
{
	kill(pid, SIGKILL);
	int st = wait_status(pid, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* A child's cases: the exit code names the first that failed. */
#define EXPECT(n, cond)          \
	do {                     \
		if (!(cond))     \
			return n; \
	} while (0)

static void check_child(int (*fn)(void))
{
	int st = wait_status(fork_run(fn), 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("child case %d failed (status 0x%x)", WIFEXITED(st) ? WEXITSTATUS(st) : -1, st);
}

/* ---- ids ------------------------------------------------------------------------------------ */

static void ids_inherited(void)
{
	int self = getpid(), pg = getpgrp();
	CHECK_EQ(getpgid(0), pg);
	CHECK_EQ(getsid(0), getsid(self));
	int c = fork_sleeper(-1);
	CHECK_EQ(getpgid(c), pg);
	CHECK_EQ(getsid(c), getsid(0));
	CHECK_OK(setpgid(c, c));
	CHECK_EQ(getpgid(c), c);
	CHECK_EQ(getsid(c), getsid(0));
	CHECK_OK(setpgid(c, pg));             /* back into ours: a group of our session */
	CHECK_EQ(getpgid(c), pg);
	kill_and_reap(c);
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
		pause_ms(10);
	}
	CHECK_EQ(getpgid(c), c);
	CHECK_ERR(R(setpgid(c, getpgrp())), EACCES);
	kill_and_reap(c);
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
	int c = fork_run(restart_child);
	for (int i = 0; i < 300 && getsid(c) != c; i++)
		pause_ms(10);
	CHECK_EQ(getsid(c), c);
	pause_ms(50);                         /* past its execve */
	CHECK_OK(t_restart(c));
	pause_ms(50);
	CHECK_EQ(getsid(c), c);
	CHECK_EQ(getpgid(c), c);
	kill_and_reap(c);
}

/* A stopped process is not migrated (TMIG_JOBCTL); continued, it may be. */
static void mig_refused(void)
{
	static struct t_mig_image img;
	static struct t_mig_seg segs[T_MIG_MAXSEG];
	static char args[T_MIG_ARGS_MAX];
	uint32_t why = 99;
	int c = fork_sleeper(0);
	kill(c, SIGSTOP);
	wait_status(c, WUNTRACED);
	CHECK_ERR(t_mig_freeze(c, &img, segs, args, 0, &why), EBUSY);
	CHECK_EQ(why, TMIG_JOBCTL);
	CHECK_OK(kill(c, 0));                 /* still here, still stopped */
	CHECK_EQ(waitpid(c, NULL, WNOHANG | WCONTINUED), 0);
	kill(c, SIGCONT);
	wait_status(c, WCONTINUED);
	CHECK_OK(t_mig_freeze(c, &img, segs, args, 0, &why));
	CHECK_OK(t_mig_thaw(c));
	kill_and_reap(c);
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
	pause_ms(50);
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
	check_child(setpgid_errors_child);
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
	check_child(setsid_child);
	check_child(setsid_leader_child);
}

/* /proc/PID/stat's fields 5 and 6 (pgrp, session), 7 (tty_nr) and 8 (tpgid). */
static void stat_fields(int pid, int f[4])
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
	stat_fields(getpid(), f);
	CHECK_EQ(f[0], getpgrp());
	CHECK_EQ(f[1], getsid(0));
	int c = fork_sleeper(0);
	pause_ms(20);
	stat_fields(c, f);
	CHECK_EQ(f[0], c);
	kill_and_reap(c);
}

/* ---- signals to groups ---------------------------------------------------------------------- */

static void kill_group(void)
{
	int a = fork_sleeper(0);
	CHECK_OK(setpgid(a, a));
	int b = fork_sleeper(a);
	pause_ms(30);
	CHECK_EQ(getpgid(b), a);
	CHECK_OK(kill(-a, 0));
	CHECK_OK(kill(-a, SIGTERM));
	int st = wait_status(a, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	st = wait_status(b, 0);
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
	int a = fork_sleeper(-1), b = fork_sleeper(-1);
	signal(SIGUSR1, SIG_IGN);
	pause_ms(20);
	EXPECT(1, kill(0, SIGUSR1) == 0);       /* ignored here, ends both children */
	int st;
	EXPECT(2, waitpid(a, &st, 0) == a && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	EXPECT(3, waitpid(b, &st, 0) == b && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	return 0;
}

static void kill_zero(void)
{
	check_child(kill_zero_child);
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
	int g = fork_sleeper(-1);                 /* also uid 1000 */
	pause_ms(20);
	if (kill(-1, SIGTERM) != 0)
		return 4;
	int st;
	if (waitpid(g, &st, 0) != g || !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
		return 5;
	return 0;                                 /* and we are still here */
}

static void kill_perm(void)
{
	int c = fork_sleeper(-1);                 /* root's, in a group of its own */
	CHECK_OK(setpgid(c, c));
	int p = fork();
	CHECK(p >= 0);
	if (p == 0)
		_exit(kill_perm_child(c));
	int st = wait_status(p, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("unprivileged case %d failed (status 0x%x)", WEXITSTATUS(st), st);
	CHECK_OK(kill(c, 0));                     /* root's sleeper was not touched */
	kill_and_reap(c);
}

/* waitpid(-pgid) and waitpid(0) wait only for children of that group. */
static void wait_group(void)
{
	int a = fork_sleeper(0);
	setpgid(a, a);
	int b = fork_sleeper(-1);             /* ours */
	pause_ms(20);
	int st;
	CHECK_EQ(waitpid(-a, &st, WNOHANG), 0);
	CHECK_EQ(waitpid(0, &st, WNOHANG), 0);
	kill(b, SIGTERM);
	kill(a, SIGTERM);
	pause_ms(20);
	CHECK_EQ(waitpid(-a, &st, 0), a);
	CHECK_ERR(R(waitpid(-a, &st, 0)), ECHILD);
	CHECK_EQ(waitpid(0, &st, 0), b);
	CHECK_ERR(R(waitpid(0, &st, WNOHANG)), ECHILD);
	CHECK_ERR(R(waitpid(-999999, &st, 0)), ECHILD);
}

/* ---- stopping and continuing ---------------------------------------------------------------- */

/* Stopped children live in groups of their own here: the test's group (the runner's, init's)
 * is orphaned, where the terminal's stop signals do nothing (POSIX). */
static void stop_cont(void)
{
	int c = fork_sleeper(0);
	CHECK_OK(kill(c, SIGSTOP));
	int st = wait_status(c, WUNTRACED);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	CHECK_EQ(st, 0x137f);
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", c);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = 0;
	CHECK(strstr(buf, ") T "));
	CHECK_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0);   /* reported once */
	CHECK_OK(kill(c, SIGCONT));
	st = wait_status(c, WCONTINUED);
	CHECK(WIFCONTINUED(st));
	CHECK_EQ(st, 0xffff);
	CHECK_OK(kill(c, SIGTSTP));
	st = wait_status(c, WUNTRACED);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	kill_and_reap(c);                        /* SIGKILL ends a stopped process */
}

static void waitid_reports(void)
{
	int c = fork_sleeper(-1);
	siginfo_t si;
	kill(c, SIGSTOP);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, c, &si, WSTOPPED | WNOWAIT));
	CHECK(si.si_pid == c && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP &&
	      si.si_signo == SIGCHLD);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PGID, getpgrp(), &si, WSTOPPED));  /* still there after WNOWAIT */
	CHECK(si.si_pid == c && si.si_code == CLD_STOPPED);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_ALL, 0, &si, WSTOPPED | WNOHANG));
	CHECK_EQ(si.si_pid, 0);
	kill(c, SIGCONT);
	CHECK_OK(waitid(P_PID, c, &si, WCONTINUED));
	CHECK(si.si_pid == c && si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);
	kill(c, SIGTERM);
	CHECK_OK(waitid(P_PID, c, &si, WEXITED));
	CHECK(si.si_pid == c && si.si_code == CLD_KILLED && si.si_status == SIGTERM);
	CHECK_ERR(R(waitid(P_PID, c, &si, 0)), EINVAL);
	CHECK_ERR(R(waitid(P_PID, 0, &si, WEXITED)), EINVAL);
	CHECK_ERR(R(waitid(7, 1, &si, WEXITED)), EINVAL);
	CHECK_ERR(R(waitid(P_ALL, 0, &si, WEXITED | WNOHANG)), ECHILD);
}

static volatile int chld_count;

static void on_chld(int sig)
{
	chld_count += sig == SIGCHLD;
}

static void sigchld_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
	int c = fork_sleeper(-1);
	chld_count = 0;
	kill(c, SIGSTOP);
	wait_status(c, WUNTRACED);
	pause_ms(10);
	CHECK_EQ(chld_count, 1);
	kill(c, SIGCONT);
	wait_status(c, WCONTINUED);
	pause_ms(10);
	CHECK_EQ(chld_count, 2);
	sa.sa_flags = SA_NOCLDSTOP;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
	kill(c, SIGSTOP);
	wait_status(c, WUNTRACED);
	kill(c, SIGCONT);
	wait_status(c, WCONTINUED);
	pause_ms(10);
	CHECK_EQ(chld_count, 2);
	kill_and_reap(c);
	signal(SIGCHLD, SIG_DFL);
}

/* SIGCONT drops pending stop signals, a stop signal drops a pending SIGCONT (Linux). */
static int pending_child(void)
{
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	signal(SIGCONT, on_chld);                /* caught, so a pending one is visible */
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGTSTP);
	sigpending(&pend);
	EXPECT(1, sigismember(&pend, SIGTSTP));
	raise(SIGCONT);
	sigpending(&pend);
	EXPECT(2, !sigismember(&pend, SIGTSTP) && sigismember(&pend, SIGCONT));
	raise(SIGTSTP);
	sigpending(&pend);
	EXPECT(3, sigismember(&pend, SIGTSTP) && !sigismember(&pend, SIGCONT));
	signal(SIGTSTP, SIG_IGN);                /* and one ignored is dropped */
	sigpending(&pend);
	EXPECT(4, !sigismember(&pend, SIGTSTP));
	return 0;
}

static void pending_rules(void)
{
	check_child(pending_child);
}

/* Every thread stops: two threads that write their letter to a pipe without pause go quiet
 * once the stop is reported, and both write again after SIGCONT. */
static int letters_fd;

static void *spin(void *arg)
{
	char c = *(const char *)arg;
	for (;;)
		(void)!write(letters_fd, &c, 1);
	return NULL;
}

static int threads_child(void)
{
	pthread_t t;
	setpgid(0, 0);
	if (pthread_create(&t, NULL, spin, "b"))
		return 1;
	spin("a");
	return 0;
}

/* Reads what the pipe holds; bit 0: an 'a' was there, bit 1: a 'b'. */
static int drain(int fd)
{
	char buf[256];
	int seen = 0;
	long n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (long i = 0; i < n; i++)
			seen |= buf[i] == 'a' ? 1 : buf[i] == 'b' ? 2 : 4;
	return seen;
}

static int wait_letters(int fd)
{
	int seen = 0;
	for (int i = 0; i < 400 && seen != 3; i++) {
		seen |= drain(fd);
		pause_ms(5);
	}
	return seen;
}

static void stop_threads(void)
{
	int fds[2];
	CHECK_OK(pipe2(fds, O_NONBLOCK));
	letters_fd = fds[1];
	int c = fork_run(threads_child);
	CHECK_EQ(wait_letters(fds[0]), 3);
	kill(c, SIGSTOP);
	wait_status(c, WUNTRACED);
	drain(fds[0]);
	pause_ms(60);
	CHECK_EQ(drain(fds[0]), 0);
	kill(c, SIGCONT);
	wait_status(c, WCONTINUED);
	CHECK_EQ(wait_letters(fds[0]), 3);
	kill_and_reap(c);
	close(fds[0]);
	close(fds[1]);
}

/* A blocked call of a stopped process goes on once it continues (no EINTR). */
static void stop_restarts(void)
{
	int fds[2];
	CHECK_OK(pipe(fds));
	int c = fork();
	CHECK(c >= 0);
	if (c == 0) {
		char b;
		close(fds[1]);
		long n = read(fds[0], &b, 1);
		_exit(n == 1 && b == 'x' ? 0 : 10 + (n < 0 ? errno : 0));
	}
	close(fds[0]);
	pause_ms(30);
	kill(c, SIGSTOP);
	wait_status(c, WUNTRACED);
	kill(c, SIGCONT);
	wait_status(c, WCONTINUED);
	CHECK_EQ(write(fds[1], "x", 1), 1);
	int st = wait_status(c, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fds[1]);
}

/* Init takes no default action: after a SIGSTOP it still reaps an orphan. */
static void init_unstoppable(void)
{
	int fds[2];
	CHECK_OK(pipe(fds));
	CHECK_OK(kill(1, SIGSTOP));
	int a = fork();
	CHECK(a >= 0);
	if (a == 0) {
		int b = fork();
		if (b == 0) {
			pause_ms(20);           /* ends once its parent has: init's to reap */
			_exit(0);
		}
		(void)!write(fds[1], &b, sizeof(b));
		_exit(0);
	}
	int b = 0;
	CHECK_EQ(read(fds[0], &b, sizeof(b)), (long)sizeof(b));
	wait_status(a, 0);
	int i = 0;
	while (kill(b, 0) == 0 && i++ < 300)
		pause_ms(10);
	int reaped = kill(b, 0) < 0 && errno == ESRCH;
	kill(1, SIGCONT);
	close(fds[0]);
	close(fds[1]);
	CHECK(reaped);
}

/* The pid of the live process named name (an OS server), or 0. */
static int pid_named(const char *name)
{
	rid_t r = 0;
	struct t_res_info in;
	while (t_res_next(RT_PROCESS, r, &r) == 0 && r) {
		if (t_res_info(r, &in) == 0 && strcmp(in.name, name) == 0)
			return (int)in.v[0];
	}
	return 0;
}

/* A stop signal to an OS server is discarded: the ext2 server goes on serving /disk. */
static void server_unstoppable(void)
{
	int srv = pid_named("ext2");
	CHECK(srv > 1);
	CHECK_OK(kill(srv, SIGSTOP));
	CHECK_OK(kill(srv, SIGTSTP));
	int c = fork();
	CHECK(c >= 0);
	if (c == 0) {
		char dir[64];
		snprintf(dir, sizeof(dir), "/disk/ut-jobctl-%d", getpid());
		_exit(mkdir(dir, 0755) == 0 && rmdir(dir) == 0 ? 0 : 1);
	}
	int st = 0, got = 0;
	for (int i = 0; i < 500 && got == 0; i++) {
		got = waitpid(c, &st, WNOHANG);
		if (!got)
			pause_ms(10);
	}
	kill(srv, SIGCONT);                   /* should it have stopped after all */
	if (!got)
		st = wait_status(c, 0);
	CHECK(got == c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- orphaned groups ------------------------------------------------------------------------ */

/* The terminal's stop signals do not stop an orphaned group: a new session's leader is one. */
static int orphan_tstp_child(void)
{
	setsid();
	raise(SIGTSTP);
	raise(SIGTTIN);
	return 0;                             /* not stopped: here to exit */
}

static void orphan_no_tstp(void)
{
	int c = fork_run(orphan_tstp_child);
	int st = wait_status(c, WUNTRACED);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int hup_pipe = -1;

static void on_hup(int sig)
{
	(void)!write(hup_pipe, sig == SIGHUP ? "H" : "?", 1);
}

/* A: new session; B: A's child in a group of its own, stopped. A ends: B's group is orphaned
 * with a stopped member, so B gets SIGHUP then SIGCONT, and runs its handler. */
static void orphan_hup(void)
{
	int fds[2];
	CHECK_OK(pipe(fds));
	int a = fork();
	CHECK(a >= 0);
	if (a == 0) {
		close(fds[0]);
		setsid();
		int b = fork();
		if (b == 0) {
			hup_pipe = fds[1];
			signal(SIGHUP, on_hup);
			setpgid(0, 0);
			raise(SIGSTOP);
			_exit(0);
		}
		int st;
		waitpid(b, &st, WUNTRACED);
		_exit(WIFSTOPPED(st) ? 0 : 1);
	}
	close(fds[1]);
	int st = wait_status(a, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char buf[4] = "";
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'H');
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 0);  /* B ended */
	close(fds[0]);
}

/* ---- the console as controlling terminal ---------------------------------------------------- */

static int acquire(void)
{
	if (setsid() < 0)
		return -1;
	return ioctl(0, TIOCSCTTY, 0);
}

static int ctty_child(void)
{
	int self = getpid(), v = 0;
	EXPECT(1, R(ioctl(0, TIOCSCTTY, 0)) == -EPERM);     /* not a session leader */
	EXPECT(2, acquire() == 0);
	EXPECT(3, ioctl(0, TIOCGPGRP, &v) == 0 && v == self);
	EXPECT(4, ioctl(0, TIOCGSID, &v) == 0 && v == self);
	EXPECT(5, tcgetpgrp(1) == self);
	int f[4];
	stat_fields(self, f);
	EXPECT(6, f[2] == 0x501 && f[3] == self);
	v = -1;
	EXPECT(7, R(ioctl(0, TIOCSPGRP, &v)) == -EINVAL);
	v = 999999;
	EXPECT(8, R(ioctl(0, TIOCSPGRP, &v)) == -ESRCH);
	v = 1;                                                  /* init's: another session */
	EXPECT(9, R(ioctl(0, TIOCSPGRP, &v)) == -EPERM);
	EXPECT(10, ioctl(0, TIOCSCTTY, 0) == 0);               /* ours already */
	signal(SIGHUP, SIG_IGN);              /* the leader lets go: its foreground is hung up */
	EXPECT(11, ioctl(0, TIOCNOTTY) == 0);
	EXPECT(12, R(ioctl(0, TIOCGPGRP, &v)) == -ENOTTY);
	EXPECT(13, R(ioctl(0, TIOCGSID, &v)) == -ENOTTY);
	EXPECT(14, R(ioctl(0, TIOCNOTTY)) == -ENOTTY);
	stat_fields(self, f);
	EXPECT(15, f[2] == 0 && f[3] == -1);
	return 0;
}

static void ctty_rules(void)
{
	check_child(ctty_child);
}

/* A second session cannot take the console while the first holds it. */
static int ctty_busy_child(void)
{
	EXPECT(1, acquire() == 0);
	int c = fork();
	if (c == 0)
		_exit(acquire() < 0 && errno == EPERM ? 0 : 1);
	int st;
	EXPECT(2, waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static void ctty_busy(void)
{
	check_child(ctty_busy_child);
}

/* A child in a background group: its read stops it with SIGTTIN; with SIGTTIN ignored the
 * read fails with EIO; a write goes through, unless TOSTOP is set (SIGTTOU). */
static int bg_child(int what)
{
	setpgid(0, 0);
	char b;
	if (what == 1)
		signal(SIGTTIN, SIG_IGN);
	if (what <= 1) {
		long n = read(0, &b, 1);
		return what == 1 && n < 0 && errno == EIO ? 0 : 1;
	}
	if (what == 3) {                      /* SIGTTOU blocked: it may take the foreground */
		sigset_t ttou;
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, NULL);
	}
	if (what >= 3)
		return tcsetpgrp(0, getpgrp()) == 0 && tcgetpgrp(0) == getpgrp() ? 0 : 1;
	return write(1, "", 0) == 0 ? 0 : 1;
}

static int ctty_bg_child(void)
{
	struct termios t, old;
	EXPECT(1, acquire() == 0);
	int c = fork();
	if (c == 0)
		_exit(bg_child(0));
	int st;
	EXPECT(2, waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	c = fork();
	if (c == 0)
		_exit(bg_child(1));
	EXPECT(3, waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	c = fork();
	if (c == 0)
		_exit(bg_child(2));
	EXPECT(4, waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT(5, tcgetattr(0, &old) == 0);
	t = old;
	t.c_lflag |= TOSTOP;
	EXPECT(6, tcsetattr(0, TCSANOW, &t) == 0);
	c = fork();
	if (c == 0)
		_exit(bg_child(2));
	int got = waitpid(c, &st, WUNTRACED);
	tcsetattr(0, TCSANOW, &old);
	EXPECT(7, got == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	c = fork();                           /* tcsetpgrp from the background: SIGTTOU */
	if (c == 0)
		_exit(bg_child(4));
	EXPECT(8, waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	c = fork();                           /* the same with SIGTTOU blocked: it works */
	if (c == 0)
		_exit(bg_child(3));
	EXPECT(9, waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT(10, tcgetpgrp(0) == c);        /* the group is gone; the number stays */
	return 0;
}

static void ctty_background(void)
{
	check_child(ctty_bg_child);
}

/* The foreground group follows TIOCSPGRP; the leader's end hangs it up (SIGHUP). */
static int ctty_fg_child(void)
{
	int ready[2];
	char b;
	EXPECT(1, acquire() == 0 && pipe(ready) == 0);
	int c = fork();
	if (c == 0) {
		signal(SIGHUP, on_hup);
		setpgid(0, 0);
		(void)!write(ready[1], "r", 1);
		pause();                          /* until the hang-up's handler has run */
		_exit(0);
	}
	setpgid(c, c);
	EXPECT(4, read(ready[0], &b, 1) == 1);
	EXPECT(2, tcsetpgrp(0, c) == 0 && tcgetpgrp(0) == c);
	int f[4];
	stat_fields(c, f);
	EXPECT(3, f[3] == c && f[2] == 0x501);
	return 0;                                 /* the leader ends: c gets SIGHUP */
}

static void ctty_hangup(void)
{
	int fds[2];
	CHECK_OK(pipe(fds));
	hup_pipe = fds[1];
	int st = wait_status(fork_run(ctty_fg_child), 0);
	close(fds[1]);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char b = 0;
	CHECK_EQ(read(fds[0], &b, 1), 1);
	CHECK_EQ(b, 'H');
	close(fds[0]);
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
	{ "jobctl_stop_cont", stop_cont },
	{ "jobctl_waitid", waitid_reports },
	{ "jobctl_sigchld_stop", sigchld_stop },
	{ "jobctl_pending_rules", pending_rules },
	{ "jobctl_stop_threads", stop_threads },
	{ "jobctl_stop_restarts", stop_restarts },
	{ "jobctl_init_unstoppable", init_unstoppable },
	{ "jobctl_server_unstoppable", server_unstoppable },
	{ "jobctl_orphan_no_tstp", orphan_no_tstp },
	{ "jobctl_orphan_hup", orphan_hup },
	{ "jobctl_ctty_rules", ctty_rules },
	{ "jobctl_ctty_busy", ctty_busy },
	{ "jobctl_ctty_background", ctty_background },
	{ "jobctl_ctty_hangup", ctty_hangup },
	{ NULL, NULL },
};
