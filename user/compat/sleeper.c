/* Compatibility check: nanosleep(10 ms) sleeps at least 10 ms of CLOCK_MONOTONIC. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec t0, t1, req = { 0, 10000000 };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (nanosleep(&req, NULL) != 0) {
		printf("nanosleep failed\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int64_t us = ((int64_t)t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
	if (us >= 10000)
		printf("slept ok\n");
	else
		printf("slept too short: %lld us\n", (long long)us);
	return us >= 10000 ? 0 : 1;
}
