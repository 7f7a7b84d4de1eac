/*
 * utest group "fuzzfix": one fuzz run at a time (user/fuzz/fuzz.c, docs/fuzzing.md). Every
 * process of a run runs /bin/fuzz with the run's arguments; one that goes back to its start
 * (t_restart of itself or of an orphaned child, whose parent is init by then) must not
 * become a second run, whose workers would not know the first run's parent and killed it
 * (seed 583555). A run is marked by a box "fuzz-run PID"; these tests start /bin/fuzz with
 * such a mark for a live process (it must refuse) and for a gone one (it must run and drop
 * the stale mark). The runs are one malformed ELF as uid 1000, output to /dev/null.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libtessera.h"
#include "utest.h"

#define SCRATCH "/tmp/fz"

/* Runs /bin/fuzz -e -s 1 -n 1 -u 1000 with its output to /dev/null; its wait status. */
static int run_fuzz(void)
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "fuzz", "-e", "-s", "1", "-n", "1", "-u", "1000", NULL };
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(99);
		execv("/bin/fuzz", argv);
		_exit(98);
	}
	return ut_wait(pid);
}

/* A box named "fuzz-run PID", as a run of process pid marks itself. */
static rid_t make_mark(int pid)
{
	char name[T_NAME_MAX];
	rid_t rid;
	snprintf(name, sizeof(name), "fuzz-run %d", pid);
	CHECK_OK(t_cbox_create(name, 0, &rid));
	return rid;
}

static int count_marks(void)
{
	rid_t rid = 0;
	struct t_res_info in;
	int n = 0;
	while (t_res_next(RT_CBOX, rid, &rid) == 0)
		if (t_res_info(rid, &in) == 0 && strncmp(in.name, "fuzz-run ", 9) == 0)
			n++;
	return n;
}

/* While a run is marked by a live process (this one), fuzz starts nothing: exit status 2. */
static void test_fuzz_one_run(void)
{
	rid_t mark = make_mark(getpid());
	int status = run_fuzz();
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 2);
	CHECK_OK(t_res_delete(mark));
}

/* A mark whose process is gone (a run that was killed) does not stop the next run, which
 * deletes it, and its own mark goes when it ends. */
static void test_fuzz_stale_mark(void)
{
	struct stat st;
	int had_scratch = stat(SCRATCH, &st) == 0;
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	ut_wait(pid);
	make_mark(pid);
	int status = run_fuzz();
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	CHECK_EQ(count_marks(), 0);
	if (!had_scratch)
		CHECK_OK(rmdir(SCRATCH));       /* the run leaves it (empty) for the next one */
}

const struct utest ut_fuzzfix_tests[] = {
	{ "fuzz_one_run", test_fuzz_one_run },
	{ "fuzz_stale_mark", test_fuzz_stale_mark },
	{ NULL, NULL },
};
