/*
 * Stopping and continuing (kernel/proc/jobctl.h): wait4/waitid reports with Linux's
 * encodings, SIGCHLD and SA_NOCLDSTOP, SIGCONT and stop signals dropping each other, every
 * thread stopped, calls restarted, init and servers left running, and orphaned groups (no
 * terminal stop there; SIGHUP and SIGCONT for one left with stopped members).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libtessera.h"
#include "tnode.h"
#include "t_jobctl.h"
#include "utest.h"

/* ---- stopping and continuing ---------------------------------------------------------------- */

/* Stopped children live in groups of their own here: the test's group (the runner's, init's)
 * is orphaned, where the terminal's stop signals do nothing (POSIX). */
static void stop_cont(void)
{
	int c = jc_fork_sleeper(0);
	CHECK_OK(kill(c, SIGSTOP));
	int st = jc_wait_status(c, WUNTRACED);
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
	st = jc_wait_status(c, WCONTINUED);
	CHECK(WIFCONTINUED(st));
	CHECK_EQ(st, 0xffff);
	CHECK_OK(kill(c, SIGTSTP));
	st = jc_wait_status(c, WUNTRACED);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	jc_kill_and_reap(c);                        /* SIGKILL ends a stopped process */
}

static void waitid_reports(void)
{
	int c = jc_fork_sleeper(-1);
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
	int c = jc_fork_sleeper(-1);
	chld_count = 0;
	kill(c, SIGSTOP);
	jc_wait_status(c, WUNTRACED);
	jc_pause_ms(10);
	CHECK_EQ(chld_count, 1);
	kill(c, SIGCONT);
	jc_wait_status(c, WCONTINUED);
	jc_pause_ms(10);
	CHECK_EQ(chld_count, 2);
	sa.sa_flags = SA_NOCLDSTOP;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
	kill(c, SIGSTOP);
	jc_wait_status(c, WUNTRACED);
	kill(c, SIGCONT);
	jc_wait_status(c, WCONTINUED);
	jc_pause_ms(10);
	CHECK_EQ(chld_count, 2);
	jc_kill_and_reap(c);
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
	jc_check_child(pending_child);
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
		jc_pause_ms(5);
	}
	return seen;
}

static void stop_threads(void)
{
	int fds[2];
	CHECK_OK(pipe2(fds, O_NONBLOCK));
	letters_fd = fds[1];
	int c = jc_fork_run(threads_child);
	CHECK_EQ(wait_letters(fds[0]), 3);
	kill(c, SIGSTOP);
	jc_wait_status(c, WUNTRACED);
	drain(fds[0]);
	jc_pause_ms(60);
	CHECK_EQ(drain(fds[0]), 0);
	kill(c, SIGCONT);
	jc_wait_status(c, WCONTINUED);
	CHECK_EQ(wait_letters(fds[0]), 3);
	jc_kill_and_reap(c);
	close(fds[0]);
	close(fds[1]);
}

/* The stop of a process is whole only when all its threads stopped: of three threads, one
 * waits in vfork (which no stop interrupts, as on Linux) until the vfork child is told to
 * exit; the parent's wait and its SIGCHLD see the stop only then. */
static int go_fds[2], started_fds[2];

static void *vforker(void *arg)
{
	(void)arg;
	pid_t g = vfork();
	if (g == 0) {
		char x;
		(void)!write(started_fds[1], "s", 1);
		(void)!read(go_fds[0], &x, 1);           /* until the test says so */
		_exit(0);
	}
	for (;;)
		pause();
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int three_threads_child(void)
{
	pthread_t a, b;
	setpgid(0, 0);
	if (pthread_create(&a, NULL, sleeper, NULL) || pthread_create(&b, NULL, vforker, NULL))
		return 1;
	for (;;)
		pause();
	return 0;
}

static void stop_whole_group(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
	CHECK_OK(pipe(go_fds));
	CHECK_OK(pipe(started_fds));
	chld_count = 0;
	int c = jc_fork_run(three_threads_child);
	char x;
	CHECK_EQ(read(started_fds[0], &x, 1), 1);    /* its vfork child runs: the thread waits */
	CHECK_OK(kill(c, SIGSTOP));
	jc_pause_ms(100);
	int st;
	CHECK_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0);   /* two of three stopped */
	CHECK_EQ(chld_count, 0);
	CHECK_EQ(write(go_fds[1], "g", 1), 1);       /* the vfork child ends, the thread stops */
	st = jc_wait_status(c, WUNTRACED);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	jc_pause_ms(10);
	CHECK(chld_count >= 1);                      /* the vfork child's exit is not ours */
	CHECK_OK(kill(c, SIGCONT));
	st = jc_wait_status(c, WCONTINUED);
	CHECK(WIFCONTINUED(st));
	jc_kill_and_reap(c);
	signal(SIGCHLD, SIG_DFL);
	close(go_fds[0]);
	close(go_fds[1]);
	close(started_fds[0]);
	close(started_fds[1]);
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
	jc_pause_ms(30);
	kill(c, SIGSTOP);
	jc_wait_status(c, WUNTRACED);
	kill(c, SIGCONT);
	jc_wait_status(c, WCONTINUED);
	CHECK_EQ(write(fds[1], "x", 1), 1);
	int st = jc_wait_status(c, 0);
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
			jc_pause_ms(20);           /* ends once its parent has: init's to reap */
			_exit(0);
		}
		(void)!write(fds[1], &b, sizeof(b));
		_exit(0);
	}
	int b = 0;
	CHECK_EQ(read(fds[0], &b, sizeof(b)), (long)sizeof(b));
	jc_wait_status(a, 0);
	int i = 0;
	while (kill(b, 0) == 0 && i++ < 300)
		jc_pause_ms(10);
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
			jc_pause_ms(10);
	}
	kill(srv, SIGCONT);                   /* should it have stopped after all */
	if (!got)
		st = jc_wait_status(c, 0);
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
	int c = jc_fork_run(orphan_tstp_child);
	int st = jc_wait_status(c, WUNTRACED);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int jc_hup_pipe = -1;

void jc_on_hup(int sig)
{
	(void)!write(jc_hup_pipe, sig == SIGHUP ? "H" : "?", 1);
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
			jc_hup_pipe = fds[1];
			signal(SIGHUP, jc_on_hup);
			setpgid(0, 0);
			raise(SIGSTOP);
			_exit(0);
		}
		int st;
		waitpid(b, &st, WUNTRACED);
		_exit(WIFSTOPPED(st) ? 0 : 1);
	}
	close(fds[1]);
	int st = jc_wait_status(a, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char buf[4] = "";
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'H');
	CHECK_EQ(read(fds[0], buf, sizeof(buf)), 0);  /* B ended */
	close(fds[0]);
}

const struct utest ut_jobstop_tests[] = {
	{ "jobctl_stop_cont", stop_cont },
	{ "jobctl_waitid", waitid_reports },
	{ "jobctl_sigchld_stop", sigchld_stop },
	{ "jobctl_pending_rules", pending_rules },
	{ "jobctl_stop_threads", stop_threads },
	{ "jobctl_stop_whole_group", stop_whole_group },
	{ "jobctl_stop_restarts", stop_restarts },
	{ "jobctl_init_unstoppable", init_unstoppable },
	{ "jobctl_server_unstoppable", server_unstoppable },
	{ "jobctl_orphan_no_tstp", orphan_no_tstp },
	{ "jobctl_orphan_hup", orphan_hup },
	{ NULL, NULL },
};
