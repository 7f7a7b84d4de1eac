/* hvsdemo: a data-only virtual space (HVS). A space is made that holds one large data region
 * and no process; workers move into it, each sums its part of the data in place, leaves its
 * result there, and moves back out. Nothing is copied between spaces at any point. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libtessera.h"

#define MAX_WORKERS 16

struct layout {
	uint64_t n;                       /* number of uint32 values */
	uint64_t partial[MAX_WORKERS];    /* results the workers leave in the data space */
	uint32_t values[];
};

static int fail(const char *what, int err)
{
	fprintf(stderr, "hvsdemo: %s: %s\n", what, strerror(-err));
	return 1;
}

static unsigned space_index(void)
{
	return RID_INDEX(t_proc_space(0));
}

static int worker(int k, int nworkers, rid_t region, rid_t data)
{
	struct layout *d = (struct layout *)(uintptr_t)t_region_addr(region);
	unsigned home = space_index();
	int err = t_proc_move(0, data);
	if (err)
		return fail("worker move in", err);
	uint64_t from = d->n * k / nworkers, to = d->n * (k + 1) / nworkers, sum = 0;
	for (uint64_t i = from; i < to; i++)
		sum += d->values[i];
	d->partial[k] = sum;
	unsigned there = space_index();
	/* back to a space of its own (the one it came from is gone: it was made for it alone,
	 * and was deleted when it left); space 0 asks for a new one */
	if ((err = t_proc_move(0, 0)))
		return fail("worker move out", err);
	printf("worker %d: space %u -> data space %u -> space %u: summed values %llu..%llu\n", k,
	       home, there, space_index(), (unsigned long long)from,
	       (unsigned long long)to - 1);
	return 0;
}

static int spawn_workers(int nworkers, rid_t region, rid_t data, int *pids)
{
	char k[16], n[16], r[32], s[32];
	snprintf(n, sizeof(n), "%d", nworkers);
	snprintf(r, sizeof(r), "%llx", (unsigned long long)region);
	snprintf(s, sizeof(s), "%llx", (unsigned long long)data);
	for (int i = 0; i < nworkers; i++) {
		snprintf(k, sizeof(k), "%d", i);
		const char *argv[] = { "hvsdemo", "--worker", k, n, r, s, NULL };
		int err = t_proccreate(NULL, "/bin/hvsdemo", argv, 0, 0, &pids[i]);
		if (err)
			return fail("spawn worker", err);
	}
	return 0;
}

static int fill(rid_t data, rid_t region, uint64_t n)
{
	struct layout *d = (struct layout *)(uintptr_t)t_region_addr(region);
	int err = t_proc_move(0, data);
	if (err)
		return fail("move into the data space", err);
	d->n = n;
	for (uint64_t i = 0; i < n; i++)
		d->values[i] = (uint32_t)(i % 1000);
	printf("main: moved into the data space, wrote %llu values at %p\n",
	       (unsigned long long)n, (void *)d);
	/* the space we came from was made for us alone and went away when we left it */
	return (err = t_proc_move(0, 0)) ? fail("move out", err) : 0;
}

static int collect(rid_t data, rid_t region, int nworkers, uint64_t *total)
{
	struct layout *d = (struct layout *)(uintptr_t)t_region_addr(region);
	int err = t_proc_move(0, data);
	if (err)
		return fail("move into the data space", err);
	*total = 0;
	for (int i = 0; i < nworkers; i++)
		*total += d->partial[i];
	return (err = t_proc_move(0, 0)) ? fail("move out", err) : 0;
}

static uint64_t expected(uint64_t n)
{
	uint64_t full = n / 1000, rest = n % 1000;
	return full * (999 * 1000 / 2) + rest * (rest - 1) / 2;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "--worker") == 0)
		return worker(atoi(argv[2]), atoi(argv[3]), strtoull(argv[4], NULL, 16),
			      strtoull(argv[5], NULL, 16));
	int nworkers = argc > 1 ? atoi(argv[1]) : 4;
	uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 10) : 4;
	if (nworkers < 1 || nworkers > MAX_WORKERS || mib < 1 || mib > 256)
		return fprintf(stderr, "usage: hvsdemo [WORKERS 1-16] [MIB 1-256]\n"), 2;
	uint64_t n = (mib << 20) / 4 - sizeof(struct layout) / 4;
	rid_t data, region, att;
	int err, pids[MAX_WORKERS], status, failed = 0;
	if ((err = t_vm_create("hvs-data", 0, &data)) ||
	    (err = t_region_create(mib << 20, TR_READ | TR_WRITE, "hvs-data", &region)) ||
	    (err = t_region_attach(region, data, &att)))
		return fail("set up the data space", err);
	printf("main: data space vspace:%u holds region vregion:%u (%llu MiB) and no process\n",
	       RID_INDEX(data), RID_INDEX(region), (unsigned long long)mib);
	if (fill(data, region, n) || spawn_workers(nworkers, region, data, pids))
		return 1;
	for (int i = 0; i < nworkers; i++)
		if (t_proc_wait(pids[i], &status, 0) < 0 || status)
			failed++;
	uint64_t total = 0;
	if (collect(data, region, nworkers, &total))
		return 1;
	printf("main: %d workers done (%d failed); total %llu, expected %llu: %s\n", nworkers,
	       failed, (unsigned long long)total, (unsigned long long)expected(n),
	       total == expected(n) && !failed ? "ok" : "WRONG");
	if ((err = t_res_delete(att)) || (err = t_res_delete(region)) || (err = t_res_delete(data)))
		return fail("clean up", err);
	printf("main: detached the region, deleted it and the data space\n");
	return total == expected(n) && !failed ? 0 : 1;
}
