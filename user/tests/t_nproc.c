/*
 * Many processes at once (issue 10, process table size): hundreds of live processes, each in
 * a space of its own or many in one space, that can all be looked up by pid and by id,
 * signalled and reaped; wait for any child among many; and running out: creating processes
 * until the machine refuses gives -EAGAIN or -ENOMEM (never a panic) and everything comes
 * back (the runner's leak check). The full 4096 is in the benchmark (bench/nproc_bench.c):
 * under emulation it takes too long for the suite.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define MANY 300                  /* more than twice the old table (128) */
#define MAX_KIDS 4096

static int kids[MAX_KIDS];

/* A process that blocks until killed: /bin/sleep, in space (0: a space of its own). */
static long spawn_sleeper(rid_t space, int *pid)
{
	const char *const argv[] = { "sleep", "1000", NULL };
	struct t_spawn req = { .path = "/bin/sleep", .argv = argv, .vspace = space, .prio = -1 };
	return t_proc_create(&req, pid);
}

static uint32_t live_procs(void)
{
	struct t_kstat ks;
	CHECK_OK(t_kstat(&ks));
	return ks.res_count[RT_PROCESS];
}

/* Every child is known by pid and by id, and its resource says so. */
static void check_lookups(int n)
{
	for (int i = 0; i < n; i++) {
		rid_t rid;
		struct t_res_info info;
		CHECK_OK(t_proc_rid(kids[i], &rid));
		CHECK_OK(t_res_info(rid, &info));
		CHECK_EQ(info.type, RT_PROCESS);
		CHECK_EQ(info.v[0], kids[i]);                /* pid */
		CHECK_EQ(info.v[1], tsys_getpid());          /* ppid */
	}
}

/* Kill every child with SIGKILL, then reap each by pid. With memory exhausted (strict
 * false) a child may already have died of a fault on its stack: that is not an error. */
static void kill_and_reap(int n, bool strict)
{
	for (int i = 0; i < n; i++) {
		long err = tsys_kill(kids[i], SIGKILL);
		if (err && (strict || err != -ESRCH))
			FAIL("kill of child %d (pid %d): %ld (%s)", i, kids[i], err, ut_errname(err));
	}
	for (int i = 0; i < n; i++) {
		int status = 0;
		CHECK_EQ(t_proc_wait(kids[i], &status, 0), kids[i]);
		CHECK(WIFSIGNALED(status) && (WTERMSIG(status) == SIGKILL || !strict));
	}
	CHECK_ERR(t_proc_wait(-1, NULL, TW_NOHANG), ECHILD);
}

static void many(rid_t space, int n)
{
	uint32_t before = live_procs();
	for (int i = 0; i < n; i++) {
		long err = spawn_sleeper(space, &kids[i]);
		if (err)
			FAIL("process %d of %d: %ld (%s)", i + 1, n, err, ut_errname(err));
	}
	CHECK_EQ(live_procs(), before + (uint32_t)n);
	check_lookups(n);
	kill_and_reap(n, true);
	CHECK_EQ(live_procs(), before);
}

/* MANY processes, each in a space of its own. */
static void nproc_many(void)
{
	many(0, MANY);
}

/* MANY processes in one space (HVS): they share its tables; text is shared anyway. */
static void nproc_shared_space(void)
{
	rid_t space;
	CHECK_OK(t_vm_create("", 0, &space));
	many(space, MANY / 2);
	CHECK_OK(t_res_delete(space));
}

/* Wait for any child among many, killed in a scattered order: each is reaped once. */
static void nproc_wait_any(void)
{
	const int n = 160;
	for (int i = 0; i < n; i++)
		CHECK_OK(spawn_sleeper(0, &kids[i]));
	CHECK_EQ(t_proc_wait(-1, NULL, TW_NOHANG), 0);
	for (int i = 0; i < n; i++)
		CHECK_OK(tsys_kill(kids[(i * 37) % n], SIGKILL));      /* 37 is prime to n */
	static char seen[MAX_KIDS];
	for (int i = 0; i < n; i++) {
		int status, pid = t_proc_wait(-1, &status, 0);
		int k = 0;
		while (k < n && kids[k] != pid)
			k++;
		if (k == n || seen[k])
			FAIL("wait(-1) gave %d, not a live child", pid);
		seen[k] = 1;
	}
	CHECK_ERR(t_proc_wait(-1, NULL, TW_NOHANG), ECHILD);
}

/*
 * Run out: processes until the kernel refuses, which must be -EAGAIN (the table is full) or
 * -ENOMEM (memory is), never a panic; then all of them go and everything comes back (the
 * runner's leak check sees what a failed creation might have left). With 256 MiB memory
 * runs out first, at about 2400 processes of about 25 pages each; a hog takes all but
 * LEFT_FOR_KIDS pages first, so that it comes after a few hundred (quicker under emulation).
 */
#define LEFT_FOR_KIDS 12000ul

static void nproc_run_out(void)
{
	struct t_kstat k0, k1;
	CHECK_OK(t_kstat(&k0));
	size_t hog_len = k0.pages_free > LEFT_FOR_KIDS ? (k0.pages_free - LEFT_FOR_KIDS) * 4096 : 0;
	char *hog = hog_len ? mmap(NULL, hog_len, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
	CHECK(hog != MAP_FAILED);
	for (size_t off = 0; off < hog_len; off += 4096)
		hog[off] = 1;
	CHECK_OK(t_kstat(&k0));
	int n = 0;
	long err = 0;
	while (n < MAX_KIDS && !(err = spawn_sleeper(0, &kids[n])))
		n++;
	CHECK_OK(t_kstat(&k1));
	printf("utest: nproc_run_out: %d processes, then %ld (%s); %llu pages each\n", n, err,
	       ut_errname(err), (unsigned long long)(k0.pages_free - k1.pages_free) / (n ? n : 1));
	if (err != -EAGAIN && err != -ENOMEM && err != -ENFILE)
		FAIL("process %d: %ld (%s)", n + 1, err, ut_errname(err));
	CHECK(n >= 100);
	check_lookups(n);
	kill_and_reap(n, false);
	if (hog_len)
		CHECK_OK(munmap(hog, hog_len));
}

const struct utest ut_nproc_tests[] = {
	{ "nproc_many", nproc_many },
	{ "nproc_shared_space", nproc_shared_space },
	{ "nproc_wait_any", nproc_wait_any },
	{ "nproc_run_out", nproc_run_out },
	{ NULL, NULL },
};
