/*
 * HVS benchmarks on Tessera (the paper's table 2 and figures 6 and 7): process switch within
 * one space and between spaces, with and without PCID; procmove into an existing space and
 * into a new one, by process size; proccreate into an existing space and into a new one, by
 * program. Prints "BENCH name value" lines read by tools/bench_report.py; medians of runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tsys.h"
#include "bench_util.h"

#define RUNS 5

static void die(const char *what, int err)
{
	fprintf(stderr, "hvs_bench: %s: %s\n", what, strerror(-err));
	exit(1);
}

/* ---- child modes ---------------------------------------------------------------------- */

/* yield N times: with two such children each yield is one switch to the other */
static int child_yield(int n)
{
	for (int i = 0; i < n; i++)
		tsys_sched_yield();
	return 0;
}

/* touch MIB mebibytes of heap, then sleep until killed or 60 s pass */
static int child_hold(int mib)
{
	size_t n = (size_t)mib << 20;
	volatile char *p = malloc(n);
	for (size_t i = 0; p && i < n; i += 4096)
		p[i] = 1;
	sleep(60);
	return 0;
}

/* ---- process switch ------------------------------------------------------------------- */

static int spawn(const char *const *argv, rid_t space)
{
	int pid, err = t_proccreate(NULL, "/bin/hvs_bench", argv, space, 0, &pid);
	if (err)
		die("proccreate", err);
	return pid;
}

static int64_t switch_once(int same_space, int n)
{
	char count[16];
	snprintf(count, sizeof(count), "%d", n);
	const char *argv[] = { "hvs_bench", "--yield", count, NULL };
	rid_t space = 0;
	int err, status;
	if (same_space && (err = t_vm_create("", 0, &space)))
		die("vmcreate", err);
	/* both children start before either runs: this process does not yield in between */
	int64_t t0 = now_ns();
	int a = spawn(argv, space), b = spawn(argv, space);
	t_proc_wait(a, &status, 0);
	t_proc_wait(b, &status, 0);
	int64_t per_switch = (now_ns() - t0) / (2 * (int64_t)n);
	if (space)
		t_res_delete(space);
	return per_switch;
}

static void bench_switch(void)
{
	const int n = 20000;
	int pcid_was = t_kctl(TK_PCID, -1);
	for (int pcid = 0; pcid < 2; pcid++) {
		if (t_kctl(TK_PCID, pcid)) {
			printf("BENCH switch_pcid%d unsupported\n", pcid);
			continue;
		}
		for (int same = 1; same >= 0; same--) {
			int64_t v[RUNS];
			for (int r = 0; r < RUNS; r++)
				v[r] = switch_once(same, n);
			char key[32];
			snprintf(key, sizeof(key), "switch_%s_pcid%d_ns", same ? "same" : "cross",
				 pcid);
			printf("BENCH %s %lld\n", key, (long long)median(v, RUNS));
			print_runs(key, v, RUNS, 1);
		}
	}
	if (pcid_was >= 0)
		t_kctl(TK_PCID, pcid_was);
}

/* ---- procmove ------------------------------------------------------------------------- */

static void bench_move(void)
{
	static const int sizes[] = { 0, 1, 4, 16, 64 };
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char mib[16];
		snprintf(mib, sizeof(mib), "%d", sizes[k]);
		const char *argv[] = { "hvs_bench", "--hold", mib, NULL };
		int pid = spawn(argv, 0), status, err;
		rid_t a, b, rid;
		usleep(300000);             /* let it touch its memory */
		if ((err = t_vm_create("", 0, &a)) || (err = t_vm_create("", 0, &b)))
			die("vmcreate", err);
		int64_t ex[RUNS], nw[RUNS];
		for (int r = 0; r < RUNS; r++) {
			int64_t t0 = now_ns();
			for (int i = 0; i < 10; i++)
				t_proc_move(pid, i % 2 ? a : b);
			ex[r] = (now_ns() - t0) / 10;
			t0 = now_ns();
			for (int i = 0; i < 10; i++)
				t_proc_move(pid, 0);     /* a new space each time */
			nw[r] = (now_ns() - t0) / 10;
		}
		char key[32];
		snprintf(key, sizeof(key), "move_existing_%dmib_us", sizes[k]);
		printf("BENCH %s %.1f\n", key, median(ex, RUNS) / 1000.0);
		print_runs(key, ex, RUNS, 1000.0);
		snprintf(key, sizeof(key), "move_new_%dmib_us", sizes[k]);
		printf("BENCH %s %.1f\n", key, median(nw, RUNS) / 1000.0);
		print_runs(key, nw, RUNS, 1000.0);
		if (!t_proc_rid(pid, &rid))
			t_res_delete(rid);
		t_proc_wait(pid, &status, 0);
		t_res_delete(a);
		t_res_delete(b);
	}
}

/* ---- proccreate ----------------------------------------------------------------------- */

static int64_t create_once(const char *path, const char *const *argv, rid_t space)
{
	int pid, status;
	int64_t t0 = now_ns();
	int err = t_proccreate(NULL, path, argv, space, 0, &pid);
	if (err)
		die(path, err);
	t_proc_wait(pid, &status, 0);
	return now_ns() - t0;
}

static void bench_create(void)
{
	static const struct {
		const char *label, *path;
		const char *argv[4];
	} progs[] = {
		{ "true", "/bin/true", { "true", NULL } },
		{ "utest", "/bin/utest", { "utest", "-c", "exit", NULL } },
		{ "busybox", "/bin/busybox", { "busybox", "true", NULL } },
	};
	for (unsigned k = 0; k < sizeof(progs) / sizeof(progs[0]); k++) {
		rid_t space;
		int err = t_vm_create("", 0, &space);
		if (err)
			die("vmcreate", err);
		int64_t ex[RUNS * 4], nw[RUNS * 4];
		create_once(progs[k].path, progs[k].argv, space);    /* warm: text shared */
		for (int r = 0; r < RUNS * 4; r++) {
			ex[r] = create_once(progs[k].path, progs[k].argv, space);
			nw[r] = create_once(progs[k].path, progs[k].argv, 0);
		}
		char key[32];
		snprintf(key, sizeof(key), "create_existing_%s_us", progs[k].label);
		printf("BENCH %s %.1f\n", key, median(ex, RUNS * 4) / 1000.0);
		print_runs(key, ex, RUNS * 4, 1000.0);
		snprintf(key, sizeof(key), "create_new_%s_us", progs[k].label);
		printf("BENCH %s %.1f\n", key, median(nw, RUNS * 4) / 1000.0);
		print_runs(key, nw, RUNS * 4, 1000.0);
		t_res_delete(space);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--yield") == 0)
		return child_yield(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "--hold") == 0)
		return child_hold(atoi(argv[2]));
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("BENCH pcid_supported %d\n", t_kctl(TK_PCID, -1) >= 0 && t_kctl(TK_PCID, 1) == 0);
	bench_switch();
	bench_move();
	bench_create();
	printf("BENCH hvs_done 1\n");
	return 0;
}
