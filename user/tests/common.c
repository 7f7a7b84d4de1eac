/* Shared by the tests: error names, bad addresses, starting and waiting for processes. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

const char *ut_errname(long v)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	    { ESRCH, "ESRCH" },
		{ EINTR, "EINTR" },	{ EIO, "EIO" },		    { E2BIG, "E2BIG" },
		{ ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },	    { ECHILD, "ECHILD" },
		{ EAGAIN, "EAGAIN" },	{ ENOMEM, "ENOMEM" },	    { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" },	{ EBUSY, "EBUSY" },	    { EEXIST, "EEXIST" },
		{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },	    { EINVAL, "EINVAL" },
		{ ENFILE, "ENFILE" },	{ EMFILE, "EMFILE" },	    { ENOTTY, "ENOTTY" },
		{ EFBIG, "EFBIG" },	{ ENOSPC, "ENOSPC" },	    { ESPIPE, "ESPIPE" },
		{ EROFS, "EROFS" },	{ ERANGE, "ERANGE" },	    { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENOSYS, "ENOSYS" },	{ ENOTEMPTY, "ENOTEMPTY" }, { ENOTSUP, "ENOTSUP" },
		{ ESTALE, "ESTALE" },	{ EIDRM, "EIDRM" },	    { EMSGSIZE, "EMSGSIZE" },
		{ EPROTO, "EPROTO" },	{ ECANCELED, "ECANCELED" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ENOPROTOOPT, "ENOPROTOOPT" },
		{ EDEADLK, "EDEADLK" }, { EALREADY, "EALREADY" },
	};
	if (v >= 0 || v < -4095)
		return "";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == -v)
			return names[i].name;
	return "E?";
}

void ut_bad_addrs(uintptr_t out[UT_NBAD])
{
	out[0] = 0;
	out[1] = 1;
	out[2] = 0xffff800000000000ull;   /* the kernel half */
	out[3] = 0x0000800000000000ull;   /* just above the user half: not canonical */
	long p = tsys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		FAIL("mmap for a scratch page: %ld (%s)", p, ut_errname(p));
	CHECK_OK(tsys_munmap(p, 4096));
	out[4] = (uintptr_t)p;           /* was mapped, is not any more */
}

int ut_spawn(const char *path, const char *const *argv)
{
	struct t_spawn req = { .path = path, .argv = argv, .prio = -1 };
	int pid = -1;
	int err = t_proc_create(&req, &pid);
	if (err < 0)
		FAIL("t_proc_create(%s): %d (%s)", path, err, ut_errname(err));
	CHECK(pid > 0);
	return pid;
}

int ut_wait(int pid)
{
	int status = -1;
	int got = t_proc_wait(pid, &status, 0);
	if (got != pid)
		FAIL("t_proc_wait(%d) returned %d (%s)", pid, got, ut_errname(got));
	return status;
}

int ut_run(const char *path, const char *const *argv)
{
	return ut_wait(ut_spawn(path, argv));
}

int ut_spawn_helper(const char *const *args)
{
	const char *argv[40] = { "utest", "-c" };
	int n = 2;
	for (; args[n - 2] && n < 39; n++)
		argv[n] = args[n - 2];
	argv[n] = NULL;
	return ut_spawn("/bin/utest", argv);
}

int ut_run_helper(const char *const *args)
{
	return ut_wait(ut_spawn_helper(args));
}

int64_t ut_now_ns(void)
{
	struct timespec ts;
	long err = tsys_clock_gettime(CLOCK_MONOTONIC, (long)&ts);
	if (err < 0)
		FAIL("clock_gettime(CLOCK_MONOTONIC): %ld (%s)", err, ut_errname(err));
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ut_switch_self(uint32_t mode)
{
	int err = mode == TRM_SMODE ? t_switch_supervisor(0) : t_switch_user(0);
	CHECK_EQ(err, 0);
	CHECK_EQ(t_runmode_self(), mode);
	CHECK_EQ(t_cpl(), mode == TRM_SMODE ? 0 : 3);
}
