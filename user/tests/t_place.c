/*
 * Tests of the placement of children's programs (kernel/proc/place.c, /bin/place): the
 * calls and their rights, and what each mode makes of an ordinary vfork + execve (what
 * busybox httpd does for a CGI): TPL_UNIX a fork (the child's writes stay its own) whose
 * execve stays in the child's own space, TPL_TENDER a child on its parent's memory whose
 * execve goes to a fresh space, TPL_HVS one whose execve stays in the parent's space, or goes
 * to a fresh one for a fixed-address program (counted as a fallback).
 */
#include <signal.h>
#include <stdbool.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define PLACE_WAIT_NS (10ll * 1000000000)

static void place_calls(void)
{
	struct t_place_info in;
	uintptr_t bad[UT_NBAD];
	for (uint32_t m = 0; m < TPL_NMODES; m++) {
		CHECK_OK(t_place_set(0, m));
		CHECK_OK(t_place_info(0, &in));
		CHECK_EQ(in.mode, m);
	}
	CHECK_OK(t_place_set(0, TPL_TENDER));
	CHECK_ERR(t_place_set(0, TPL_NMODES), EINVAL);
	CHECK_ERR(t_place_set(0, ~0u), EINVAL);
	CHECK_ERR(t_place_set(99999, TPL_HVS), ESRCH);
	CHECK_ERR(t_place_set(-1, TPL_HVS), ESRCH);
	CHECK_ERR(t_place_info(99999, &in), ESRCH);
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++)
		CHECK_ERR(tsys_t_place_info(0, (long)bad[i]), EFAULT);
	CHECK_OK(t_place_info(1, &in));        /* anyone may look */
}

/* Not root: its own processes yes, root's (init) no. */
static void place_rights(void)
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		rid_t self;
		struct t_place_info in;
		if (t_proc_rid(0, &self) != 0 || t_res_changeoid(self, 1000, 0) != 0 ||
		    setuid(1000) != 0)
			_exit(60);
		if (t_place_set(1, TPL_HVS) != -EACCES)
			_exit(61);
		if (t_place_info(1, &in) != 0 || in.mode != TPL_TENDER)
			_exit(62);                  /* refused means unchanged */
		_exit(t_place_set(0, TPL_UNIX) == 0 ? 0 : 63);
	}
	CHECK_EQ(ut_wait(pid), 0);
}

static volatile int written_by_child;

/* vfork + execve of path (a sleeping program) under mode; the child's placement once its
 * execve is done, and whether the child's write before execve reached us. */
static int vfork_exec(uint32_t mode, const char *const *argv, struct t_place_info *child,
		      bool *write_seen)
{
	CHECK_OK(t_place_set(0, mode));
	written_by_child = 0;
	int pid = vfork();
	if (pid == 0) {
		written_by_child = 1;
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	CHECK_OK(t_place_set(0, TPL_TENDER));
	*write_seen = written_by_child == 1;
	int64_t end = ut_now_ns() + PLACE_WAIT_NS;
	while (t_place_info(pid, child) == 0 && child->exec_how == TPX_NONE && ut_now_ns() < end)
		sched_yield();                  /* a fork child runs its execve later */
	return pid;
}

static void end_child(int pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void place_vfork_modes(void)
{
	static const char *const pie[] = { "/bin/utest", "-c", "sleep", "5000", NULL };
	static const char *const fixed[] = { "/bin/busybox", "sleep", "5", NULL };
	struct t_place_info me, c, after;
	bool seen;
	CHECK_OK(t_place_info(0, &me));

	int pid = vfork_exec(TPL_UNIX, pie, &c, &seen);
	CHECK(!seen);                          /* a fork: the child wrote its own copy */
	CHECK_EQ(c.exec_how, TPX_IN_PLACE);
	CHECK(c.space != me.space);
	CHECK_EQ(c.mode, TPL_UNIX);            /* inherited */
	CHECK_OK(t_place_info(0, &after));
	CHECK_EQ(after.vforks_as_fork, me.vforks_as_fork + 1);
	end_child(pid);

	pid = vfork_exec(TPL_TENDER, pie, &c, &seen);
	CHECK(seen);                           /* ran on our memory */
	CHECK_EQ(c.exec_how, TPX_NEW_SPACE);
	CHECK(c.space != me.space);
	end_child(pid);

	pid = vfork_exec(TPL_HVS, pie, &c, &seen);
	CHECK(seen);
	CHECK_EQ(c.exec_how, TPX_PARENT_SPACE);
	CHECK_EQ(c.space, me.space);           /* the new program beside us */
	end_child(pid);

	pid = vfork_exec(TPL_HVS, fixed, &c, &seen);
	CHECK_EQ(c.exec_how, TPX_NEW_SPACE);   /* busybox's fixed addresses: a space of its own */
	CHECK(c.space != me.space);
	CHECK_EQ(c.hvs_fallbacks, 1);          /* counted in the child that fell back */
	end_child(pid);
}

const struct utest ut_place_tests[] = {
	{ "place_calls", place_calls },
	{ "place_rights", place_rights },
	{ "place_vfork_modes", place_vfork_modes },
	{ NULL, NULL },
};
