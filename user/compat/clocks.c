/* Compatibility check: clocks. Prints only facts that hold on every correct system:
 * CLOCK_MONOTONIC never goes back and advances, CLOCK_REALTIME is after 2020, the
 * resolution is sane and gettimeofday agrees with CLOCK_REALTIME. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static int64_t ns(clockid_t c)
{
	struct timespec ts;
	if (clock_gettime(c, &ts) != 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char *yes(int b)
{
	return b ? "yes" : "no";
}

int main(void)
{
	int64_t first = ns(CLOCK_MONOTONIC), prev = first;
	int mono_ok = first >= 0;
	for (int i = 0; i < 10000 && mono_ok; i++) {
		int64_t t = ns(CLOCK_MONOTONIC);
		mono_ok = t >= prev;
		prev = t;
	}
	int64_t start = ns(CLOCK_MONOTONIC);
	int advanced = 0;
	for (long i = 0; i < 100000000 && !advanced; i++)
		advanced = ns(CLOCK_MONOTONIC) > start;
	struct timespec res;
	int res_ok = clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 &&
		     res.tv_nsec > 0 && res.tv_nsec <= 10000000;
	int64_t real = ns(CLOCK_REALTIME);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	int64_t diff = (int64_t)tv.tv_sec - real / 1000000000;
	printf("monotonic non-decreasing: %s\n", yes(mono_ok));
	printf("monotonic advances: %s\n", yes(advanced));
	printf("resolution at most 10 ms: %s\n", yes(res_ok));
	printf("realtime after 2020: %s\n", yes(real / 1000000000 > 1577836800));
	printf("gettimeofday agrees: %s\n", yes(diff >= 0 && diff <= 2));
	printf("time() agrees: %s\n", yes(time(NULL) - real / 1000000000 <= 2));
	return 0;
}
