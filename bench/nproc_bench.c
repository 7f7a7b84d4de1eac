/*
 * Process creation against the number of live processes (issue 10, process table size):
 * create + exit + wait of one more process (/bin/true in a space of its own) with 10, 1000
 * and 4000 processes alive (blocked /bin/sleep holders, each in its own space). The levels
 * are visited up and down ROUNDS times (10, 1000, 4000, 1000, 10, ...) so that a slow spell of
 * the host falls on all of them alike; every visit adds SAMPLES timings to its level. At the first
 * visit of 4000 the table is filled to the end: how many processes could exist, and what the
 * one after the last got. Prints "BENCH name value" lines for tools/bench_report.py (which
 * boots this with more memory than the tests: 4096 processes of ~25 pages do not fit 256 MiB).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "bench_util.h"

#define MAX_HOLD 4200
#define SAMPLES 15               /* timings per visit of a level */
#define ROUNDS 6                 /* each round visits 10, 1000, 4000, 1000 */
#define NLEVELS 3

static const int levels[NLEVELS] = { 10, 1000, 4000 };
static const int round_visits[] = { 0, 1, 2, 1 };   /* indices into levels */
static int holders[MAX_HOLD];
static int nhold;
static int64_t samples[NLEVELS][SAMPLES * ROUNDS * 2 + SAMPLES];
static int nsamples[NLEVELS];

static void die(const char *what, long err)
{
	fprintf(stderr, "nproc_bench: %s: %s\n", what, strerror((int)-err));
	exit(1);
}

static uint32_t live_procs(void)
{
	struct t_kstat ks;
	if (t_kstat(&ks))
		die("kstat", -EIO);
	return ks.res_count[RT_PROCESS];
}

static long spawn(const char *path, const char *const *argv, int *pid)
{
	struct t_spawn req = { .path = path, .argv = argv, .prio = -1 };
	return t_proc_create(&req, pid);
}

static long add_holder(void)
{
	static const char *const argv[] = { "sleep", "100000", NULL };
	if (nhold == MAX_HOLD)
		return -ENOSPC;
	long err = spawn("/bin/sleep", argv, &holders[nhold]);
	if (!err)
		nhold++;
	return err;
}

static void drop_holder(void)
{
	int pid = holders[--nhold], status;
	tsys_kill(pid, SIGKILL);
	if (t_proc_wait(pid, &status, 0) != pid)
		die("wait for a holder", -ECHILD);
}

/* Holders come and go until exactly n processes are alive. */
static void set_live(int n)
{
	long err;
	while ((int)live_procs() < n)
		if ((err = add_holder()))
			die("holder", err);
	while ((int)live_procs() > n && nhold)
		drop_holder();
}

static int64_t create_exit_wait(void)
{
	static const char *const argv[] = { "true", NULL };
	int pid, status;
	int64_t t0 = now_ns();
	long err = spawn("/bin/true", argv, &pid);
	if (err)
		die("create", err);
	if (t_proc_wait(pid, &status, 0) != pid || status != 0)
		die("wait", -ECHILD);
	return now_ns() - t0;
}

/* Fill the process table: how many can exist, and the error of the one past the last. */
static void fill_to_the_end(void)
{
	int before = nhold;
	long err;
	while (!(err = add_holder()))
		;
	printf("BENCH nproc_max %u\n", live_procs());
	printf("BENCH nproc_past_max_err %s\n", err == -EAGAIN ? "EAGAIN" : err == -ENOMEM ? "ENOMEM"
									    : strerror((int)-err));
	while (nhold > before)
		drop_holder();
}

int main(void)
{
	bool filled = false;
	create_exit_wait();                         /* loads /bin/true once */
	int nvisits = ROUNDS * 4 + 1;
	for (int v = 0; v < nvisits; v++) {
		int l = round_visits[v % 4];
		set_live(levels[l]);
		if (l == NLEVELS - 1 && !filled) {
			fill_to_the_end();
			filled = true;
		}
		for (int s = 0; s < SAMPLES; s++)
			samples[l][nsamples[l]++] = create_exit_wait();
	}
	for (int l = 0; l < NLEVELS; l++) {
		char key[32];
		snprintf(key, sizeof(key), "nproc_create_%d_us", levels[l]);
		printf("BENCH %s %.1f\n", key, median(samples[l], nsamples[l]) / 1000.0);
		print_runs(key, samples[l], nsamples[l], 1000.0);
	}
	set_live(0);
	printf("BENCH nproc_samples_per_visit %d\n", SAMPLES);
	printf("BENCH nproc_done 1\n");
	return 0;
}
