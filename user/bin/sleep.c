/* sleep SECONDS: pause for a (possibly fractional) number of seconds, e.g. "sleep 0.25". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	char *end;
	if (argc != 2) {
		fprintf(stderr, "usage: sleep SECONDS\n");
		return 2;
	}
	double s = strtod(argv[1], &end);
	if (end == argv[1] || *end || s < 0 || s > 1e6) {
		fprintf(stderr, "sleep: bad time '%s'\n", argv[1]);
		return 2;
	}
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0) {
		if (errno != EINTR) {
			perror("sleep");
			return 1;
		}
	}
	return 0;
}
