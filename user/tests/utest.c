/*
 * utest: the runner. `utest` runs every test, `utest NAME...` some, `utest -l` lists them.
 * Each test runs in its own child (`utest -r NAME`); around it the runner records t_kstat,
 * and a test passes only if the child exited 0 and the free pages and every resource count
 * are back to their values from before (anything else is a leak). Output: one line
 * "UTEST PASS name" / "UTEST FAIL name: reason" per test, then "UTEST DONE" and
 * "N passed, N failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define TEST_TIMEOUT_NS (180ll * 1000000000)
#define SETTLE_TRIES 100          /* x 10 ms: time for the kernel to finish freeing */

const char *ut_name = "?";

static const struct utest *const groups[] = {
	ut_bad_tests, ut_res_tests, ut_proc_tests, ut_mem_tests, ut_fs_tests, ut_misc_tests,
	ut_ipc_tests, ut_srv_tests, ut_repl_tests, ut_hvs_tests, ut_meta_tests, ut_runmode_tests, ut_rmpath_tests,
	ut_compat_tests, ut_disk_tests,
	ut_cow_tests,
	ut_nproc_tests,
	ut_robust_tests,
	ut_policy_tests,
	ut_fuzzfix_tests,
	ut_runexec_tests,
	ut_signal_tests,
	ut_place_tests,
	ut_dev_tests,
	ut_blk_tests,
	ut_net_tests,
	ut_sockfake_tests,
	ut_sock_tests,
	ut_netinfo_tests,
	ut_netrepl_tests,
	ut_exec_tests,
	ut_vdso_tests,
	ut_nice_tests,
	ut_thread_tests,
	ut_futex_tests,
	ut_procfs_tests,
	ut_cputime_tests,
	ut_links_tests,
	ut_limits_tests,
	ut_paths_tests,
	ut_copy_tests,
	ut_node_tests,
	ut_jobctl_tests,
	ut_jobstop_tests,
	ut_ctty_tests,
	ut_ident_tests,
	ut_extra_tests,
	ut_fifo_tests,
	ut_devnode_tests,
	ut_chroot_tests,
	ut_perm_tests,
	ut_reclock_tests,
	ut_syslog_tests,
	ut_rootfs_tests,
	ut_unix_tests,
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static const struct utest *find_test(const char *name)
{
	for (size_t g = 0; g < NGROUPS; g++)
		for (const struct utest *t = groups[g]; t->name; t++)
			if (strcmp(t->name, name) == 0)
				return t;
	return NULL;
}

/* ---- the child side ------------------------------------------------------------------- */

void ut_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("utest: %s: %s:%d: ", ut_name, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

static int run_here(const char *name)
{
	const struct utest *t = find_test(name);
	if (!t) {
		printf("utest: no test '%s'\n", name);
		return 2;
	}
	ut_name = t->name;
	t->fn();
	fflush(stdout);
	return 0;
}

/* ---- the runner side ------------------------------------------------------------------ */

static void describe_status(int status, char *buf, size_t n)
{
	if (WIFSIGNALED(status))
		snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, n, "exit status %d", WEXITSTATUS(status));
}


static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Waits for the test child with a deadline; on timeout tries to delete (kill) it. */
static int wait_test(int pid, int *status, char *why, size_t n)
{
	int64_t deadline = ut_now_ns() + TEST_TIMEOUT_NS;
	for (;;) {
		int got = t_proc_wait(pid, status, TW_NOHANG);
		if (got == pid)
			return 0;
		if (got < 0) {
			snprintf(why, n, "wait failed: %d (%s)", got, ut_errname(got));
			return -1;
		}
		if (ut_now_ns() > deadline)
			break;
		sleep_ms(got == 0 ? 5 : 1);
	}
	rid_t rid;
	int err = t_proc_rid(pid, &rid);
	if (err == 0)
		err = t_res_delete(rid);
	for (int i = 0; i < 200 && t_proc_wait(pid, status, TW_NOHANG) != pid; i++)
		sleep_ms(10);
	snprintf(why, n, "timeout (deleting the child: %d %s)", err, ut_errname(err));
	return -1;
}

/* The socket tests (t_sock.c, t_sockfake.c) stop and start the network server, so that
 * each leaves a server as fresh as it found: the new server's pages are not the old one's
 * to the page (the page-table pages of the system-wide addresses its ICAs get this time),
 * so their free-page count may differ by this much. Resource counts must still match. */
#define NET_RESTART_SLACK 16

static void allow_restart_slack(const struct utest *t, const struct t_kstat *before,
				struct t_kstat *after)
{
	int64_t d = (int64_t)after->pages_free - (int64_t)before->pages_free;
	/* the replacement tests leave a new ext2 server or block driver in the old one's place */
	int restarts = !strncmp(t->name, "sock_", 5) || !strncmp(t->name, "repl_ext2", 9);
	if (restarts && d >= -NET_RESTART_SLACK && d <= NET_RESTART_SLACK)
		after->pages_free = before->pages_free;
}

/* Runs one test in a child; prints its PASS/FAIL line; returns 1 if it passed. */
static int run_test(const struct utest *t)
{
	const char *argv[] = { "utest", "-r", t->name, NULL };
	struct t_spawn req = { .path = "/bin/utest", .argv = argv, .prio = -1 };
	struct t_kstat before, after;
	char why[512], diff[400];
	int pid, status = 0;
	fflush(stdout);
	/* what the reusable-resource table holds is not a leak: empty it around each test */
	t_kctl(TK_REUSE_FLUSH, 1);
	t_kstat(&before);
	int err = t_proc_create(&req, &pid);
	if (err < 0) {
		printf("UTEST FAIL %s: cannot start the test process: %d (%s)\n", t->name, err,
		       ut_errname(err));
		return 0;
	}
	if (wait_test(pid, &status, why, sizeof(why)) < 0) {
		printf("UTEST FAIL %s: %s\n", t->name, why);
		return 0;
	}
	int tries = 0;
	do {
		if (tries)
			sleep_ms(10);
		t_kctl(TK_REUSE_FLUSH, 1);
		t_kstat(&after);
		allow_restart_slack(t, &before, &after);
	} while (t_kstat_diff(&before, &after, diff, sizeof(diff)) && ++tries < SETTLE_TRIES);
	if (status != 0) {
		describe_status(status, why, sizeof(why));
		printf("UTEST FAIL %s: %s\n", t->name, why);
		return 0;
	}
	if (diff[0]) {
		printf("UTEST FAIL %s: leak:%s\n", t->name, diff);
		return 0;
	}
	printf("UTEST PASS %s\n", t->name);
	return 1;
}

/* Faults in the runner's own stack and buffers once, so that pages the runner touches for
 * the first time are not counted against the first test. */
static void warm_up(void)
{
	volatile char stack[32768];
	for (size_t i = 0; i < sizeof(stack); i += 512)
		stack[i] = 0;
	printf("utest: starting\n");
	fflush(stdout);
	static const char *const args[] = { "exit", "0", NULL };
	int status = ut_run_helper(args);
	if (status != 0)
		printf("utest: warning: the warm-up helper ended with status 0x%x\n", status);
	int pid = fork();
	if (pid == 0) {
		ut_name = "sock-warm-up";
		ut_sock_warm();
		ut_net_warm();
		_exit(0);
	}
	if (pid > 0 && (status = ut_wait(pid)) != 0)
		printf("utest: warning: the network warm-up ended with status 0x%x\n", status);
}

static int run_many(int n, char **names)
{
	int passed = 0, failed = 0;
	for (int i = 0; i < n; i++) {
		if (!find_test(names[i])) {
			printf("utest: no test '%s' (utest -l lists them)\n", names[i]);
			return 2;
		}
	}
	warm_up();
	if (n > 0) {
		for (int i = 0; i < n; i++)
			run_test(find_test(names[i])) ? passed++ : failed++;
	} else {
		for (size_t g = 0; g < NGROUPS; g++)
			for (const struct utest *t = groups[g]; t->name; t++)
				run_test(t) ? passed++ : failed++;
	}
	printf("UTEST DONE\n%d passed, %d failed\n", passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}

static void list_tests(void)
{
	for (size_t g = 0; g < NGROUPS; g++)
		for (const struct utest *t = groups[g]; t->name; t++)
			printf("%s\n", t->name);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "-l") == 0) {
		list_tests();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "-r") == 0)
		return run_here(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "-c") == 0)
		return ut_helper_main(argc, argv);
	return run_many(argc - 1, argv + 1);
}
