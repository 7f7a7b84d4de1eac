/* Process groups, sessions and stop/continue, compared with Linux: everything runs in a new
 * session (made first, so the output depends neither on the shell nor on a terminal), and
 * only the session's leader prints. Children say what they saw through exit codes. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *self_path;

static const char *err(long r)
{
	return r >= 0 ? "ok" : errno == EPERM ? "EPERM" : errno == ESRCH ? "ESRCH" :
	       errno == EINVAL ? "EINVAL" : errno == EACCES ? "EACCES" : errno == ECHILD ?
	       "ECHILD" : errno == ENOTTY ? "ENOTTY" : "other";
}

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int sleeper(int pgid)
{
	int pid = fork();
	if (pid == 0) {
		if (pgid >= 0)
			setpgid(0, pgid);
		for (;;)
			pause();
	}
	if (pgid >= 0)
		setpgid(pid, pgid ? pgid : pid);
	return pid;
}

static void describe(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %d\n", what, WTERMSIG(st));
	else if (WIFSTOPPED(st))
		printf("%s: stopped by %d (0x%x)\n", what, WSTOPSIG(st), st);
	else if (WIFCONTINUED(st))
		printf("%s: continued (0x%x)\n", what, st);
}

static void ids(void)
{
	int me = getpid(), v;
	printf("leader: sid=self %d pgrp=self %d\n", getsid(0) == me, getpgrp() == me);
	printf("setsid again: %s\n", err(setsid()));
	printf("setpgid(0,0) as leader: %s\n", err(setpgid(0, 0)));
	printf("setpgid(0,-1): %s\n", err(setpgid(0, -1)));
	printf("setpgid(init): %s\n", err(setpgid(1, 1)));
	printf("setpgid(0, no group): %s\n", err(setpgid(0, 999999)));
	printf("getpgid(no such): %s\n", err(getpgid(999999)));
	printf("TIOCGPGRP without a terminal: %s\n", err(ioctl(0, TIOCGPGRP, &v)));
	printf("TIOCNOTTY without a terminal: %s\n", err(ioctl(0, TIOCNOTTY)));
	int a = sleeper(0), b = sleeper(a), c = sleeper(-1);
	printf("a leads its group %d, b joined it %d, c in ours %d\n", getpgid(a) == a,
	       getpgid(b) == a, getpgid(c) == me);
	printf("a and c in our session %d %d\n", getsid(a) == me, getsid(c) == me);
	printf("move c into a's group: %s", err(setpgid(c, a)));
	printf(", now there %d\n", getpgid(c) == a);
	int st;
	printf("waitpid(-a, WNOHANG): %d\n", waitpid(-a, &st, WNOHANG));
	printf("kill(-a, SIGTERM): %s\n", err(kill(-a, SIGTERM)));
	int sts[3] = { -1, -1, -1 };
	for (int i = 0; i < 3; i++) {
		int got = waitpid(-a, &st, 0);
		sts[got == a ? 0 : got == b ? 1 : 2] = st;
	}
	describe("a", sts[0]);
	describe("b", sts[1]);
	describe("c", sts[2]);
	printf("waitpid(-a) again: %s\n", err(waitpid(-a, &st, 0)));
	printf("kill(-a) gone: %s\n", err(kill(-a, 0)));
	printf("kill(0, 0): %s", err(kill(0, 0)));
	printf(", kill(-1, 0): %s\n", err(kill(-1, 0)));
}

/* A child that has run execve may not be moved by its parent. */
static void after_exec(void)
{
	int fds[2];
	char b;
	if (pipe(fds) < 0)
		return;
	int pid = fork();
	if (pid == 0) {
		char fd[16];
		snprintf(fd, sizeof(fd), "%d", fds[1]);
		execl(self_path, self_path, "--sleep", fd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	printf("exec'd child ready: %d\n", read(fds[0], &b, 1) == 1);
	printf("setpgid after exec: %s\n", err(setpgid(pid, pid)));
	printf("its group is still ours %d\n", getpgid(pid) == getpgrp());
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	describe("exec'd child", st);
	close(fds[0]);
}

static volatile sig_atomic_t chld;

static void on_chld(int sig)
{
	chld += sig == SIGCHLD;
}

static void stop_continue(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART;        /* the waits go on after each SIGCHLD */
	sigaction(SIGCHLD, &sa, NULL);
	int st, c = sleeper(0);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	describe("SIGSTOP", st);
	printf("again WUNTRACED|WNOHANG: %d\n", waitpid(c, &st, WUNTRACED | WNOHANG));
	kill(c, SIGCONT);
	waitpid(c, &st, WCONTINUED);
	describe("SIGCONT", st);
	kill(c, SIGTSTP);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	waitid(P_PID, c, &si, WSTOPPED | WNOWAIT);
	printf("waitid WNOWAIT: code %d status %d pid ok %d\n", si.si_code, si.si_status,
	       si.si_pid == c);
	memset(&si, 0, sizeof(si));
	waitid(P_PGID, c, &si, WSTOPPED);
	printf("waitid P_PGID: code %d status %d\n", si.si_code, si.si_status);
	kill(c, SIGCONT);
	memset(&si, 0, sizeof(si));
	waitid(P_ALL, 0, &si, WCONTINUED);
	printf("waitid WCONTINUED: code %d status %d\n", si.si_code, si.si_status);
	/* how many arrive depends on timing (a pending SIGCHLD takes no second one) */
	printf("SIGCHLD on stop and continue: %d\n", chld > 0);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	pause_ms(20);
	chld = 0;
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGCONT);
	waitpid(c, &st, WCONTINUED);
	pause_ms(20);
	printf("SIGCHLD with SA_NOCLDSTOP: %d\n", (int)chld);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	describe("SIGKILL while stopped", st);
	memset(&si, 0, sizeof(si));
	printf("waitid no child: %s\n", err(waitid(P_ALL, 0, &si, WEXITED | WNOHANG)));
	printf("waitid no options: %s\n", err(waitid(P_ALL, 0, &si, 0)));
	signal(SIGCHLD, SIG_DFL);
}

/* This session's leader leads an orphaned group: SIGTSTP does not stop it. */
static void pending(void)
{
	sigset_t set, pend;
	raise(SIGTSTP);
	printf("SIGTSTP in an orphaned group: still running\n");
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	signal(SIGCONT, on_chld);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGTSTP);
	raise(SIGCONT);
	sigpending(&pend);
	printf("after TSTP, CONT: TSTP %d CONT %d\n", sigismember(&pend, SIGTSTP),
	       sigismember(&pend, SIGCONT));
	raise(SIGTSTP);
	sigpending(&pend);
	printf("after TSTP again: TSTP %d CONT %d\n", sigismember(&pend, SIGTSTP),
	       sigismember(&pend, SIGCONT));
	signal(SIGTSTP, SIG_IGN);
	signal(SIGCONT, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--sleep") == 0) {
		(void)!write(atoi(argv[2]), "r", 1);
		for (;;)
			pause();
	}
	self_path = argv[0];
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		printf("setsid: %s\n", err(setsid()));
		ids();
		after_exec();
		stop_continue();
		pending();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	describe("session leader", st);
	return 0;
}
