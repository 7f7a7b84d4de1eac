/* Helpers shared by the benchmark programs that print "BENCH name value" lines: a monotonic
 * clock in nanoseconds, sorting runs, and the "name_runs v1 v2 ..." line that
 * tools/bench_report.py prints next to each median. */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorts v and returns its median. */
static inline int64_t median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp64);
	return v[n / 2];
}

/* "BENCH key_runs v1 v2 ..." of the sorted runs, each divided by div. */
static inline void print_runs(const char *key, const int64_t *v, int n, double div)
{
	printf("BENCH %s_runs", key);
	for (int i = 0; i < n; i++)
		printf(" %.*f", div > 1 ? 1 : 0, v[i] / div);
	printf("\n");
}
