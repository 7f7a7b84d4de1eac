/* alarm and setitimer: SIGALRM ends a sleep early (sleep returns what was left), a periodic
 * timer keeps firing, and an alarm at its default action ends the process; matches Linux. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int alarms;

static void on_alarm(int sig)
{
	alarms += sig == SIGALRM;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	unsigned left = sleep(3);
	printf("sleep(3) interrupted by alarm(1): some left %s, %d alarm\n",
	       left >= 1 && left <= 2 ? "yes" : "no", alarms);
	printf("alarm(5) then alarm(0): %u\n", (alarm(5), alarm(0)));

	struct itimerval it = { { 0, 50000 }, { 0, 50000 } }, cur;
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec ts = { 0, 400000000 };
	while (nanosleep(&ts, &ts) != 0)
		;
	getitimer(ITIMER_REAL, &cur);
	printf("periodic timer fired often enough: %s, still armed: %s\n",
	       alarms >= 5 ? "yes" : "no", cur.it_interval.tv_usec == 50000 ? "yes" : "no");
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		for (;;)
			pause();
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child with a default SIGALRM: killed by signal %d\n",
	       WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return 0;
}
