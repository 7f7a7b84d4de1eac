/*
 * cgispawn: what one CGI request costs busybox httpd's processes inside Tessera, in each
 * placement mode (docs/network.md, table W0 of tools/web_bench.py), without the network:
 * a "connection" process is forked, which makes the CGI as httpd does (a pipe, vfork,
 * dup2, execve of /bin/cgihello), reads its page to the end and waits for it; the parent
 * waits for the connection process. The modes take turns run by run; each run times a
 * batch and the median per request of the runs is printed:
 *   BENCH cgispawn_MODE_us MEDIAN fastest slowest
 *   cgispawn [RUNS [BATCH]]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"

#define MAX_RUNS 64

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The connection process's part: the CGI made as busybox httpd makes it. */
static int connection(void)
{
	int p[2];
	char buf[512];
	if (pipe(p) != 0)
		return 1;
	pid_t pid = vfork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl("/bin/cgihello", "cgihello", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	ssize_t n, total = 0;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		total += n;
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	return pid > 0 && total > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static int request(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(connection());
	int st = 0;
	waitpid(pid, &st, 0);
	return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 9, batch = argc > 2 ? atoi(argv[2]) : 20;
	static const uint32_t modes[] = { TPL_UNIX, TPL_TENDER, TPL_HVS };
	double t[3][MAX_RUNS];
	int failures = 0;
	if (runs < 1 || runs > MAX_RUNS || batch < 1)
		return 2;
	setenv("COUNTER", "/tmp/cgispawn.count", 1);
	for (int i = 0; i < 3; i++)          /* warm-up: programs and reusable resources */
		if (t_place_set(0, modes[i]) == 0)
			failures += request();
	for (int r = 0; r < runs; r++) {
		for (int k = 0; k < 3; k++) {
			int i = (r + k) % 3;
			if (t_place_set(0, modes[i]) != 0)
				return 1;
			double t0 = now_us();
			for (int b = 0; b < batch; b++)
				failures += request();
			t[i][r] = (now_us() - t0) / batch;
		}
	}
	t_place_set(0, TPL_TENDER);
	for (int i = 0; i < 3; i++) {
		qsort(t[i], (size_t)runs, sizeof(double), cmp);
		printf("BENCH cgispawn_%s_us %.1f %.1f %.1f\n", t_place_name(modes[i]),
		       t[i][runs / 2], t[i][0], t[i][runs - 1]);
	}
	printf("BENCH cgispawn_failures %d\nBENCH cgispawn_done 1\n", failures);
	return failures != 0;
}
