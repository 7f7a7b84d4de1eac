/*
 * The kernel's message log through syslog(2) (kernel/sys/sys_syslog.c), as dmesg reads it:
 * the boot messages are there, stamped as Linux's; a message printed now is added; READ takes
 * bytes off once; bad actions, lengths and pointers get Linux's errors; a user may read the
 * whole log but not take from it or clear it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tsys.h"
#include "utest.h"

#define SL_READ 2
#define SL_READ_ALL 3
#define SL_CLEAR 5
#define SL_CONSOLE_LEVEL 8
#define SL_SIZE_UNREAD 9
#define SL_SIZE_BUFFER 10
#define LOG_MAX 65536

static char buf[LOG_MAX + 1];

static long read_all(void)
{
	long n = tsys_syslog(SL_READ_ALL, (long)buf, LOG_MAX);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* The boot messages, stamped "<4>[    s.micros] ", and one printed now (a call the kernel
 * does not know is reported once per process). */
static void syslog_boot_and_new(void)
{
	CHECK_EQ(tsys_syslog(SL_SIZE_BUFFER, 0, 0), LOG_MAX);
	CHECK(read_all() > 0);
	CHECK(strncmp(buf, "<4>[", 4) == 0);
	CHECK(strstr(buf, "] Tessera: ") != NULL);
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(tsys_call(999, 0, 0, 0, 0, 0, 0) == -ENOSYS ? 0 : 1);
	CHECK_EQ(ut_wait(pid), 0);
	CHECK(read_all() > 0);
	CHECK(strstr(buf, "unknown system call 999") != NULL);
	CHECK(tsys_syslog(SL_SIZE_UNREAD, 0, 0) >= 0);
}

static void syslog_bad_args(void)
{
	CHECK_ERR(tsys_syslog(-1, 0, 0), EINVAL);
	CHECK_ERR(tsys_syslog(11, 0, 0), EINVAL);
	CHECK_ERR(tsys_syslog(SL_READ_ALL, 0, 10), EINVAL);
	CHECK_ERR(tsys_syslog(SL_READ_ALL, (long)buf, -1), EINVAL);
	CHECK_EQ(tsys_syslog(SL_READ_ALL, (long)buf, 0), 0);
	CHECK_ERR(tsys_syslog(SL_READ_ALL, 0x1000, 100), EFAULT);
	CHECK_ERR(tsys_syslog(SL_READ_ALL, (long)0xffff800000000000ull, 100), EFAULT);
	CHECK_ERR(tsys_syslog(SL_CONSOLE_LEVEL, 0, 0), EINVAL);
	CHECK_ERR(tsys_syslog(SL_CONSOLE_LEVEL, 0, 9), EINVAL);
	/* a short buffer gets the newest whole lines only */
	long n = tsys_syslog(SL_READ_ALL, (long)buf, 200);
	CHECK(n >= 0 && n <= 200);
	CHECK(n == 0 || buf[n - 1] == '\n' || strncmp(buf, "<4>[", 4) == 0);
}

/* READ takes each byte once: what one READ took the next does not give again. */
static void syslog_read_consumes(void)
{
	long unread = tsys_syslog(SL_SIZE_UNREAD, 0, 0);
	CHECK(unread >= 0);
	while (unread > 0) {
		long n = tsys_syslog(SL_READ, (long)buf, LOG_MAX);
		CHECK(n > 0);
		unread -= n;
	}
	CHECK(tsys_syslog(SL_SIZE_UNREAD, 0, 0) < 100);
}

/* A user reads the whole log; taking from it, clearing and the console level are root's. */
static void syslog_user(void)
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (tsys_setuid(1000) != 0)
			_exit(2);
		if (read_all() <= 0)
			_exit(3);
		if (tsys_syslog(SL_CLEAR, 0, 0) != -EPERM ||
		    tsys_syslog(SL_READ, (long)buf, 10) != -EPERM ||
		    tsys_syslog(SL_CONSOLE_LEVEL, 0, 1) != -EPERM ||
		    tsys_syslog(SL_SIZE_UNREAD, 0, 0) != -EPERM)
			_exit(4);
		_exit(0);
	}
	CHECK_EQ(ut_wait(pid), 0);
}

/* A traced process's calls are printed with their arguments and results (the log has them);
 * its children inherit the tracing; others' processes are not a user's to trace. */
static void trace_calls(void)
{
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (tsys_t_trace(0, 1) != 0)
			_exit(2);
		(void)tsys_close(4321);
		int c = fork();
		if (c == 0) {
			(void)tsys_close(4322);
			_exit(0);
		}
		_exit(ut_wait(c) == 0 ? 0 : 3);
	}
	CHECK_EQ(ut_wait(pid), 0);
	CHECK(read_all() > 0);
	char want[96];
	snprintf(want, sizeof(want), "trace: pid %d tid %d (utest): close(4321) = -9", pid, pid);
	CHECK(strstr(buf, want) != NULL);
	CHECK(strstr(buf, "): close(4322) = -9") != NULL);
	CHECK_ERR(tsys_t_trace(0, 2), EINVAL);
	CHECK_ERR(tsys_t_trace(-1, 1), EINVAL);
	CHECK_ERR(tsys_t_trace(99999, 1), ESRCH);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(tsys_setuid(1000) == 0 && tsys_t_trace(1, 1) == -EPERM ? 0 : 1);
	CHECK_EQ(ut_wait(pid), 0);
}

const struct utest ut_syslog_tests[] = {
	{ "trace_calls", trace_calls },
	{ "syslog_boot_and_new", syslog_boot_and_new },
	{ "syslog_bad_args", syslog_bad_args },
	{ "syslog_read_consumes", syslog_read_consumes },
	{ "syslog_user", syslog_user },
	{ NULL, NULL },
};
