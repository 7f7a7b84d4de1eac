/*
 * Linux's nice values (kernel/proc/nice.c), which glibc's nice() and zsh's background jobs
 * use: getpriority's raw answer is 20 - nice, a child inherits its parent's value, only root
 * lowers it or changes another user's processes, and bad which values and pids are refused.
 */
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

static void nice_values(void)
{
	CHECK_EQ(tsys_getpriority(PRIO_PROCESS, 0), 20);
	CHECK_OK(tsys_setpriority(PRIO_PROCESS, 0, 5));
	CHECK_EQ(tsys_getpriority(PRIO_PROCESS, getpid()), 15);
	CHECK_EQ(tsys_getpriority(PRIO_PGRP, 0), 15);
	CHECK_OK(tsys_setpriority(PRIO_PROCESS, 0, 100));        /* clamped to 19 */
	CHECK_EQ(tsys_getpriority(PRIO_PROCESS, 0), 1);
	CHECK(tsys_getpriority(PRIO_USER, 0) >= 1);
	CHECK_ERR(tsys_getpriority(7, 0), EINVAL);
	CHECK_ERR(tsys_setpriority(-1, 0, 0), EINVAL);
	CHECK_ERR(tsys_getpriority(PRIO_PROCESS, 999999), ESRCH);
	CHECK_ERR(tsys_setpriority(PRIO_PROCESS, 0x80000000u, 0), ESRCH);
	CHECK_ERR(tsys_getpriority(PRIO_USER, 4242), ESRCH);
	/* a fork child inherits it; as another user it may raise but not lower it */
	CHECK_OK(tsys_setpriority(PRIO_PROCESS, 0, 3));
	pid_t pid = fork();
	if (pid == 0) {
		int ok = tsys_getpriority(PRIO_PROCESS, 0) == 17 && setuid(1000) == 0 &&
			 tsys_setpriority(PRIO_PROCESS, 0, 1) == -EACCES &&
			 tsys_setpriority(PRIO_PROCESS, 0, 10) == 0 &&
			 tsys_getpriority(PRIO_PROCESS, 0) == 10 &&
			 tsys_setpriority(PRIO_PROCESS, getppid(), 12) == -EPERM &&
			 tsys_setpriority(PRIO_USER, 0, 11) == 0;
		_exit(ok ? 0 : 1);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	CHECK_EQ(tsys_getpriority(PRIO_PROCESS, 0), 17);      /* the child changed only itself */
	CHECK_OK(tsys_setpriority(PRIO_PROCESS, 0, -20));     /* root may lower it */
	CHECK_EQ(tsys_getpriority(PRIO_PROCESS, 0), 40);
}

const struct utest ut_nice_tests[] = {
	{ "nice_values", nice_values },
	{ NULL, NULL },
};
