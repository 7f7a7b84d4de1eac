/*
 * Metamorphosis benchmarks (the paper's figures 9-15, seed 000). One static binary: on Tessera
 * it measures change of program with each kind of reuse, by text size; restart through change
 * of start position against exit + create; restoring a checkpoint; change of space into a new,
 * an existing and a reusable space. On Linux it measures fork + execve + wait of the same
 * text-size programs (the comparison the issue asks for). Prints "BENCH name value" lines.
 */
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "bench_util.h"

#define RUNS 15
#define CHPROG_RUNS 25        /* change program: the goal compares medians of five cells */
static const int sizes_kib[] = { 4, 16, 64, 256, 1024 };
#define NSIZES (int)(sizeof(sizes_kib) / sizeof(sizes_kib[0]))

/* "BENCH key_runs r1 r2 ..." (sorted, us) then "BENCH key median", as bench/bench.c does, so
 * tools/bench_report.py can print each median with its fastest and slowest run. */
static void report_us(const char *key, int64_t *v, int n)
{
	int64_t m = median(v, n);
	print_runs(key, v, n, 1000.0);
	printf("BENCH %s %.1f\n", key, m / 1000.0);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "meta_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void text_path(char *buf, size_t n, int kib, const char *suffix)
{
	snprintf(buf, n, "/bin/text_%d%s", kib, suffix);
}

/* ---- Linux: fork + execve + wait ------------------------------------------------------ */

static void linux_exec(void)
{
	for (int s = 0; s < NSIZES; s++) {
		char path[64];
		int64_t v[RUNS];
		text_path(path, sizeof(path), sizes_kib[s], "-static");
		char *const argv[] = { path, NULL };
		for (int r = 0; r < RUNS; r++) {
			int64_t t0 = now_ns();
			pid_t pid = fork();
			if (pid == 0) {
				execve(path, argv, NULL);
				_exit(127);
			}
			int st;
			waitpid(pid, &st, 0);
			v[r] = now_ns() - t0;
		}
		snprintf(path, sizeof(path), "linux_forkexec_%dk_us", sizes_kib[s]);
		report_us(path, v, RUNS);
	}
}

/* ---- Tessera ---------------------------------------------------------------------------- */

static int spawn_prog(const char *const *argv, rid_t space)
{
	int pid, err = t_proccreate(NULL, argv[0], argv, space, 0, &pid);
	const char *path = argv[0];
	if (err)
		die(path, err);
	/* below this process's priority: a call returns as soon as the change is made, not after
	 * the changed process has also run its new program up to its first sleep */
	t_set_prio(pid, 6);
	usleep(20000);                     /* let it start and block */
	return pid;
}

static int spawn_waiter(const char *path, rid_t space)
{
	const char *argv[] = { path, "wait", NULL };
	return spawn_prog(argv, space);
}

static void end(int pid)
{
	rid_t rid;
	int st;
	if (!t_proc_rid(pid, &rid))
		t_res_delete(rid);
	t_proc_wait(pid, &st, 0);
}

/* One timed change of program of the blocked process pid back to program a. Unless same
 * (the paper's "keeping text/data": the process is changed to the program it already runs),
 * it is first changed away to /bin/sleep, untimed. */
static int64_t chprog_once(int pid, const char *a, int same)
{
	const char *argv_a[] = { a, "wait", NULL }, *argv_b[] = { "/bin/sleep", "1000", NULL };
	int err = same ? 0 : t_chprog(pid, argv_b[0], argv_b, NULL);
	usleep(5000);
	if (err)
		die("chprog back", err);
	int64_t t0 = now_ns();
	err = t_chprog(pid, a, argv_a, NULL);
	int64_t t = now_ns() - t0;
	if (err)
		die("chprog", err);
	usleep(5000);
	return t;
}

/*
 * One kind of reuse (mask) for every text size. 'sharer': other processes keep running the
 * target programs and the detour program (text sharing: no text is loaded or freed). The
 * sizes take turns run by run, so a slow spell of the host falls on all of them alike, and
 * unless 'same' one process is changed through all the sizes, so the program is the only
 * thing that differs between the cells (the goal compares them).
 */
static void chprog_variant(const char *label, uint32_t mask, int sharer, int same)
{
	static int64_t v[NSIZES][CHPROG_RUNS];
	char a[NSIZES][64], key[64];
	int pid[NSIZES] = { 0 }, keep[NSIZES];
	const char *detour_argv[] = { "/bin/sleep", "100000", NULL };
	t_kctl(TK_REUSE, mask);
	t_kctl(TK_REUSE_FLUSH, 1);
	int detour = sharer ? spawn_prog(detour_argv, 0) : 0;
	for (int s = 0; s < NSIZES; s++) {
		text_path(a[s], sizeof(a[s]), sizes_kib[s], "");
		keep[s] = sharer ? spawn_waiter(a[s], 0) : 0;
		if (same || s == 0)
			pid[s] = spawn_waiter(a[s], 0);
	}
	for (int r = 0; r < CHPROG_RUNS; r++)
		for (int s = 0; s < NSIZES; s++)
			v[s][r] = chprog_once(same ? pid[s] : pid[0], a[s], same);
	for (int s = 0; s < NSIZES; s++) {
		if (pid[s])
			end(pid[s]);
		if (keep[s])
			end(keep[s]);
		snprintf(key, sizeof(key), "chprog_%s_%dk_us", label, sizes_kib[s]);
		report_us(key, v[s], CHPROG_RUNS);
	}
	if (detour)
		end(detour);
	t_kctl(TK_REUSE, TRU_ALL);
}

static void bench_chprog(void)
{
	static const struct {
		const char *label;
		uint32_t mask;
		int sharer, same;
	} variants[] = {
		{ "noreuse", 0, 0, 0 },
		{ "program", 1u << TRU_PROGRAM, 0, 0 },
		{ "regions", 1u << TRU_REGION, 0, 0 },
		{ "sharing", 0, 1, 0 },
		{ "all", TRU_ALL, 0, 0 },
		{ "keeptext", 0, 0, 1 },
		{ "keepboth", 1u << TRU_REGION, 0, 1 },
	};
	for (unsigned v = 0; v < sizeof(variants) / sizeof(variants[0]); v++)
		chprog_variant(variants[v].label, variants[v].mask, variants[v].sharer,
			       variants[v].same);
}

/* Restart (back to the initial state) against exit + create of the same program. */
static void bench_restart(void)
{
	char path[64];
	for (int s = 0; s < NSIZES; s += 2) {
		int64_t rs[RUNS], cr[RUNS], rt[RUNS];
		text_path(path, sizeof(path), sizes_kib[s], "");
		int pid = spawn_waiter(path, 0);
		rid_t ck;
		usleep(20000);
		int err = t_ckpt_save(pid, "bench", &ck);
		if (err)
			die("save", err);
		for (int r = 0; r < RUNS; r++) {
			int64_t t0 = now_ns();
			if ((err = t_restart(pid)))
				die("restart", err);
			rs[r] = now_ns() - t0;
			usleep(20000);
			t0 = now_ns();
			if ((err = t_ckpt_restore(pid, ck)))
				die("restore", err);
			rt[r] = now_ns() - t0;
			const char *argv[] = { path, NULL };
			int p2, st;
			t0 = now_ns();
			if ((err = t_proccreate(NULL, path, argv, 0, 0, &p2)))
				die("create", err);
			t_proc_wait(p2, &st, 0);
			cr[r] = now_ns() - t0;
		}
		end(pid);
		t_res_delete(ck);
		char key[64];
		snprintf(key, sizeof(key), "restart_%dk_us", sizes_kib[s]);
		report_us(key, rs, RUNS);
		snprintf(key, sizeof(key), "ckpt_restore_%dk_us", sizes_kib[s]);
		report_us(key, rt, RUNS);
		snprintf(key, sizeof(key), "create_exit_%dk_us", sizes_kib[s]);
		report_us(key, cr, RUNS);
	}
}

/* Change of space: into a new space (reuse off), an existing one, a reusable one. */
static void bench_space(void)
{
	int pid = spawn_waiter("/bin/text_4", 0);
	int64_t nw[RUNS], ex[RUNS], ru[RUNS];
	rid_t s1, s2;
	int err;
	if ((err = t_vm_create("", 0, &s1)) || (err = t_vm_create("", 0, &s2)))
		die("vmcreate", err);
	for (int r = 0; r < RUNS; r++) {
		t_kctl(TK_REUSE, 0);
		int64_t t0 = now_ns();
		t_proc_move(pid, 0);
		nw[r] = now_ns() - t0;
		t_kctl(TK_REUSE, TRU_ALL);
		t0 = now_ns();
		t_proc_move(pid, r % 2 ? s1 : s2);
		ex[r] = now_ns() - t0;
		t_proc_move(pid, 0);      /* leaves an empty space behind: into the table */
		t_proc_move(pid, s1);     /* ... and another */
		t0 = now_ns();
		t_proc_move(pid, 0);      /* takes one back */
		ru[r] = now_ns() - t0;
	}
	end(pid);
	t_res_delete(s1);
	t_res_delete(s2);
	report_us("chspace_new_us", nw, RUNS);
	report_us("chspace_existing_us", ex, RUNS);
	report_us("chspace_reusable_us", ru, RUNS);
}

int main(void)
{
	struct utsname u;
	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	if (strcmp(u.sysname, "Tessera") != 0) {
		linux_exec();
		printf("BENCH meta_done 1\n");
		return 0;
	}
	bench_chprog();
	bench_restart();
	bench_space();
	printf("BENCH meta_done 1\n");
	return 0;
}
