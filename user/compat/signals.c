/* Signal handlers: raise and kill to oneself, a blocked signal delivered when unblocked,
 * SIGPIPE caught (the write then fails with EPIPE), SA_RESETHAND, floating-point state kept
 * across a handler, and sigaction reporting the old disposition; matches Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got[65];

static void on_signal(int sig)
{
	double x = 0;
	for (int i = 1; i < 100; i++)
		x += 1.0 / i;                  /* uses the SSE registers the main code uses too */
	got[sig] += x > 5 ? 1 : 100;
}

static void info_handler(int sig, siginfo_t *si, void *uc)
{
	got[sig] += si && si->si_signo == sig && uc ? 1 : 100;
}

int main(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	double keep = 1.5;
	raise(SIGUSR1);
	kill(getpid(), SIGUSR1);
	printf("SIGUSR1 handled %d times, keep %.2f\n", (int)got[SIGUSR1], keep * 2);

	sigset_t set, prev;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &prev);
	raise(SIGUSR1);
	printf("while blocked: %d\n", (int)got[SIGUSR1]);
	sigprocmask(SIG_SETMASK, &prev, NULL);
	printf("after unblocking: %d\n", (int)got[SIGUSR1]);

	int fds[2];
	pipe(fds);
	close(fds[0]);
	long r = write(fds[1], "x", 1);
	printf("write to a closed pipe: %ld (%s), SIGPIPE handled %d\n", r,
	       r < 0 ? strerror(errno) : "-", (int)got[SIGPIPE]);

	sa.sa_handler = NULL;
	sa.sa_sigaction = info_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &old);
	printf("SIGUSR2 handled %d, handler reset to default: %s\n", (int)got[SIGUSR2],
	       old.sa_handler == SIG_DFL ? "yes" : "no");
	sigaction(SIGUSR1, NULL, &old);
	printf("SIGUSR1 handler still installed: %s\n", old.sa_handler == on_signal ? "yes" : "no");
	return 0;
}
