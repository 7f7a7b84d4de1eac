/*
 * Bad input: pointers the kernel must refuse with EFAULT, bad file descriptors, unknown
 * system calls, bad arguments. The process must survive every one of them and get the
 * exact error code.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define L_TCGETS 0x5401

static int open_data(const char *path)
{
	long fd = tsys_open((long)path, O_RDONLY, 0);
	if (fd < 0)
		FAIL("open %s: %ld (%s)", path, fd, ut_errname(fd));
	return (int)fd;
}

static void read_badptr(void)
{
	uintptr_t bad[UT_NBAD];
	char buf[16];
	ut_bad_addrs(bad);
	int fd = open_data("/data/hello.txt");
	for (int i = 0; i < UT_NBAD; i++)
		CHECK_ERR(tsys_read(fd, (long)bad[i], 16), EFAULT);
	CHECK_OK(tsys_lseek(fd, 0, SEEK_SET));
	CHECK_EQ(tsys_read(fd, (long)buf, 5), 5);
	CHECK(memcmp(buf, "Hello", 5) == 0);
	CHECK_OK(tsys_close(fd));
}

static void write_badptr(void)
{
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++)
		CHECK_ERR(tsys_write(1, (long)bad[i], 16), EFAULT);
	CHECK_EQ(tsys_write(1, (long)"", 0), 0);
}

static void open_badptr(void)
{
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(tsys_open((long)bad[i], O_RDONLY, 0), EFAULT);
		CHECK_ERR(tsys_openat(AT_FDCWD, (long)bad[i], O_RDONLY, 0), EFAULT);
		CHECK_ERR(tsys_chdir((long)bad[i]), EFAULT);
		CHECK_ERR(tsys_access((long)bad[i], F_OK), EFAULT);
	}
}

static void stat_badptr(void)
{
	uintptr_t bad[UT_NBAD];
	struct stat st;
	ut_bad_addrs(bad);
	int fd = open_data("/data/hello.txt");
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(tsys_stat((long)bad[i], (long)&st), EFAULT);
		CHECK_ERR(tsys_stat((long)"/bin/sh", (long)bad[i]), EFAULT);
		CHECK_ERR(tsys_fstat(fd, (long)bad[i]), EFAULT);
		CHECK_ERR(tsys_newfstatat(AT_FDCWD, (long)"/bin/sh", (long)bad[i], 0), EFAULT);
	}
	CHECK_OK(tsys_fstat(fd, (long)&st));
	CHECK_OK(tsys_close(fd));
}

static void getcwd_badptr(void)
{
	uintptr_t bad[UT_NBAD];
	char buf[256];
	ut_bad_addrs(bad);
	CHECK_OK(tsys_chdir((long)"/"));
	for (int i = 0; i < UT_NBAD; i++)
		CHECK_ERR(tsys_getcwd((long)bad[i], sizeof(buf)), EFAULT);
	CHECK_ERR(tsys_getcwd((long)buf, 1), ERANGE);
	CHECK(tsys_getcwd((long)buf, sizeof(buf)) > 0);   /* musl needs a positive length */
	CHECK(strcmp(buf, "/") == 0);
}

static void uname_badptr(void)
{
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++)
		CHECK_ERR(tsys_uname((long)bad[i]), EFAULT);
}

static void clock_badptr(void)
{
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(tsys_clock_gettime(CLOCK_MONOTONIC, (long)bad[i]), EFAULT);
		CHECK_ERR(tsys_clock_gettime(CLOCK_REALTIME, (long)bad[i]), EFAULT);
		CHECK_ERR(tsys_nanosleep((long)bad[i], 0), EFAULT);
	}
}

static void res_badptr(void)
{
	uintptr_t bad[UT_NBAD];
	rid_t self, rid;
	ut_bad_addrs(bad);
	CHECK_OK(t_proc_rid(getpid(), &self));
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(t_res_info(self, (struct t_res_info *)bad[i]), EFAULT);
		CHECK_ERR(t_res_next(RT_NONE, 0, (rid_t *)bad[i]), EFAULT);
		CHECK_ERR(t_kstat((struct t_kstat *)bad[i]), EFAULT);
		CHECK_ERR(t_proc_rid(getpid(), (rid_t *)bad[i]), EFAULT);
		CHECK_ERR(t_res_lookup(RT_PLATE, (const char *)bad[i], &rid), EFAULT);
		CHECK_ERR(t_res_lookup(RT_PLATE, "/bin/sh", (rid_t *)bad[i]), EFAULT);
	}
}

/* Every pointer inside a spawn request is checked, and nothing is created on failure. */
static void spawn_badptr(void)
{
	uintptr_t bad[UT_NBAD];
	int pid;
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++) {
		const char *b = (const char *)bad[i];
		const char *argv_bad_elem[] = { "true", b, NULL };
		const char *envp_bad_elem[] = { b, NULL };
		struct t_spawn ok = { .path = "/bin/true", .prio = -1 };
		struct t_spawn r;
		CHECK_ERR(t_proc_create((const struct t_spawn *)bad[i], &pid), EFAULT);
		r = ok, r.path = b;
		CHECK_ERR(t_proc_create(&r, &pid), EFAULT);
		r = ok, r.argv = (const char *const *)b;
		if (b)   /* NULL argv means { path } */
			CHECK_ERR(t_proc_create(&r, &pid), EFAULT);
		r = ok, r.argv = argv_bad_elem;
		if (b)   /* NULL ends the list */
			CHECK_ERR(t_proc_create(&r, &pid), EFAULT);
		r = ok, r.envp = (const char *const *)b;
		if (b)
			CHECK_ERR(t_proc_create(&r, &pid), EFAULT);
		r = ok, r.envp = envp_bad_elem;
		if (b)
			CHECK_ERR(t_proc_create(&r, &pid), EFAULT);
		r = ok, r.name = b;
		if (b)   /* NULL name means the basename */
			CHECK_ERR(t_proc_create(&r, &pid), EFAULT);
		if (b)   /* checked before anything is created */
			CHECK_ERR(t_proc_create(&ok, (int *)bad[i]), EFAULT);
	}
	CHECK_ERR(t_proc_wait(-1, &pid, TW_NOHANG), ECHILD);
}

static void bad_fds(void)
{
	/* (not 1 << 32: Linux takes fds as unsigned int, so that one would be fd 0) */
	static const long fds[] = { -1, -100, 31, 32, 1000, 0x7fffffff };
	char buf[8];
	struct stat st;
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		long fd = fds[i];
		CHECK_ERR(tsys_read(fd, (long)buf, sizeof(buf)), EBADF);
		CHECK_ERR(tsys_write(fd, (long)buf, sizeof(buf)), EBADF);
		CHECK_ERR(tsys_close(fd), EBADF);
		CHECK_ERR(tsys_fstat(fd, (long)&st), EBADF);
		CHECK_ERR(tsys_lseek(fd, 0, SEEK_SET), EBADF);
		CHECK_ERR(tsys_getdents64(fd, (long)buf, sizeof(buf)), EBADF);
		CHECK_ERR(tsys_dup(fd), EBADF);
		CHECK_ERR(tsys_ioctl(fd, L_TCGETS, (long)buf), EBADF);
	}
}

static void close_twice(void)
{
	char c;
	int fd = open_data("/data/hello.txt");
	CHECK_OK(tsys_close(fd));
	CHECK_ERR(tsys_close(fd), EBADF);
	CHECK_ERR(tsys_read(fd, (long)&c, 1), EBADF);
}

static void unknown_syscall(void)
{
	static const long nrs[] = { 999, 5000, -1, 0x7fffffff, 1999, 100000, 0x40000000 };
	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		CHECK_ERR(tsys_call(nrs[i], 1, 2, 3, 4, 5, 6), ENOSYS);
	CHECK_EQ(tsys_getpid(), getpid());
}

/* Resource ids that are malformed (EINVAL) or name a slot of another generation (ESTALE). */
static void bad_rids(void)
{
	struct t_res_info in;
	rid_t self, rid;
	CHECK_OK(t_proc_rid(getpid(), &self));
	const rid_t invalid[] = {
		0,
		RID_MAKE(RT_NONE, 1, 1),
		RID_MAKE(RT_NTYPES, 1, 0),
		RID_MAKE(200, 1, 0),
		RID_MAKE(RT_PROCESS, 1, 0xfffffff0u),
		RID_MAKE(RT_PROCESS, 0, RID_INDEX(self)),
		~(rid_t)0,
	};
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		CHECK_ERR(t_res_info(invalid[i], &in), EINVAL);
		CHECK_ERR(t_res_delete(invalid[i]), EINVAL);
		CHECK_ERR(t_res_changemod(invalid[i], TMODE_DEFAULT), EINVAL);
		CHECK_ERR(t_res_changeoid(invalid[i], 0, 0), EINVAL);
	}
	uint32_t gen = RID_GEN(self) == 0xffffff ? 1 : RID_GEN(self) + 1;
	rid_t stale = RID_MAKE(RT_PROCESS, gen, RID_INDEX(self));
	CHECK_ERR(t_res_info(stale, &in), ESTALE);
	CHECK_ERR(t_res_delete(stale), ESTALE);
	CHECK_ERR(t_res_changemod(stale, TMODE_DEFAULT), ESTALE);
	CHECK_ERR(t_res_next(RT_NTYPES, 0, &rid), EINVAL);
	CHECK_ERR(t_res_next(77, 0, &rid), EINVAL);
	CHECK_ERR(t_res_lookup(RT_NTYPES, "x", &rid), EINVAL);
	CHECK_ERR(t_proc_rid(0x7ffffff0, &rid), ESRCH);
	CHECK_ERR(t_proc_rid(-5, &rid), ESRCH);
}

static void wait_errors(void)
{
	int st;
	CHECK_ERR(t_proc_wait(-1, &st, 0), ECHILD);
	CHECK_ERR(t_proc_wait(1, &st, 0), ECHILD);          /* init is nobody's child */
	CHECK_ERR(t_proc_wait(getpid(), &st, 0), ECHILD);
	CHECK_ERR(t_proc_wait(123456, &st, TW_NOHANG), ECHILD);
	CHECK_ERR(tsys_wait4(-1, (long)&st, 0, 0), ECHILD);
	static const char *const args[] = { "exit", "3", NULL };
	int pid = ut_spawn_helper(args);
	CHECK_ERR(t_proc_wait(pid, &st, 0x4000), EINVAL);   /* unknown flag */
	CHECK_EQ((ut_wait(pid) >> 8) & 0xff, 3);
	CHECK_ERR(t_proc_wait(pid, &st, 0), ECHILD);        /* reaped once only */
}

static void open_enoent(void)
{
	static const char *const paths[] = {
		"/nonexistent", "/bin/nosuch", "/data/nosuch/x", "", "/tmp/none/none", "nosuch-rel",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		CHECK_ERR(tsys_open((long)paths[i], O_RDONLY, 0), ENOENT);
		struct stat st;
		CHECK_ERR(tsys_stat((long)paths[i], (long)&st), ENOENT);
	}
	long r = tsys_open((long)"/bin/sh/x", O_RDONLY, 0);
	CHECK(r == -ENOTDIR || r == -ENOENT);
}

static void path_toolong(void)
{
	static char path[5000];
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	CHECK_ERR(tsys_open((long)path, O_RDONLY, 0), ENAMETOOLONG);
	CHECK_ERR(tsys_chdir((long)path), ENAMETOOLONG);
	struct stat st;
	CHECK_ERR(tsys_stat((long)path, (long)&st), ENAMETOOLONG);
}

/* /proc's files cannot be opened for writing (the boot image can: t_rootfs.c), and no file
 * can be written through a read-only descriptor. */
static void write_rofs(void)
{
	static const int flags[] = { O_WRONLY, O_RDWR, O_WRONLY | O_TRUNC, O_RDWR | O_APPEND };
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		long fd = tsys_open((long)"/proc/meminfo", flags[i], 0);
		if (fd >= 0) {
			long w = tsys_write(fd, (long)"x", 1);
			tsys_close(fd);
			FAIL("open(/proc/meminfo, 0x%x) succeeded (write gave %ld %s)", flags[i], w,
			     ut_errname(w));
		}
		CHECK(fd == -EROFS || fd == -EACCES);
	}
	CHECK_ERR(tsys_open((long)"/proc/new-file", O_WRONLY | O_CREAT, 0644), EROFS);
	int fd = open_data("/bin/hello");
	CHECK_ERR(tsys_write(fd, (long)"x", 1), EBADF);
	char c;
	CHECK_EQ(tsys_read(fd, (long)&c, 1), 1);
	CHECK_EQ(c, 0x7f);
	CHECK_OK(tsys_close(fd));
}

static void bad_args(void)
{
	struct timespec ts = { 0, 1000000000 };
	CHECK_ERR(tsys_nanosleep((long)&ts, 0), EINVAL);
	ts.tv_nsec = -1;
	CHECK_ERR(tsys_nanosleep((long)&ts, 0), EINVAL);
	ts.tv_sec = -1, ts.tv_nsec = 0;
	CHECK_ERR(tsys_nanosleep((long)&ts, 0), EINVAL);
	CHECK_ERR(tsys_clock_gettime(999, (long)&ts), EINVAL);
	CHECK_ERR(tsys_clock_gettime(-5, (long)&ts), EINVAL);
	int fd = open_data("/data/hello.txt");
	CHECK_ERR(tsys_lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERR(tsys_lseek(fd, 0, 7), EINVAL);
	CHECK_ERR(tsys_lseek(0, 0, SEEK_SET), ESPIPE);
	CHECK_ERR(tsys_ioctl(fd, L_TCGETS, (long)&ts), ENOTTY);
	CHECK_OK(tsys_close(fd));
}

static void mmap_einval(void)
{
	long anon = MAP_PRIVATE | MAP_ANONYMOUS, rw = PROT_READ | PROT_WRITE;
	CHECK_ERR(tsys_mmap(0, 0, rw, anon, -1, 0), EINVAL);
	CHECK_ERR(tsys_mmap(0x10001, 4096, rw, anon | MAP_FIXED, -1, 0), EINVAL);
	CHECK_ERR(tsys_mmap(0, 4096, rw, MAP_ANONYMOUS, -1, 0), EINVAL);   /* neither kind */
	CHECK_ERR(tsys_mmap(0, 4096, rw, MAP_PRIVATE, -1, 0), EBADF);
	CHECK_ERR(tsys_mmap(0, 4096, rw, MAP_PRIVATE, 77, 0), EBADF);
	CHECK_ERR(tsys_mmap(0, 1l << 50, rw, anon, -1, 0), ENOMEM);
	long r = tsys_mmap(0xffff800000000000l, 4096, rw, anon | MAP_FIXED, -1, 0);
	CHECK(r == -ENOMEM || r == -EINVAL);
	CHECK_ERR(tsys_munmap(0x10001, 4096), EINVAL);
	CHECK_ERR(tsys_munmap(0xffff800000000000l, 4096), EINVAL);
	CHECK_ERR(tsys_mprotect(0x10001, 4096, PROT_READ), EINVAL);
}

static void dir_as_file(void)
{
	char buf[256];
	int dfd = open_data("/bin");
	CHECK_ERR(tsys_read(dfd, (long)buf, sizeof(buf)), EISDIR);
	CHECK_ERR(tsys_getdents64(dfd, (long)buf, 1), EINVAL);
	CHECK_OK(tsys_close(dfd));
	int fd = open_data("/data/hello.txt");
	CHECK_ERR(tsys_getdents64(fd, (long)buf, sizeof(buf)), ENOTDIR);
	CHECK_OK(tsys_close(fd));
	CHECK_ERR(tsys_open((long)"/data/hello.txt", O_RDONLY | O_DIRECTORY, 0), ENOTDIR);
	CHECK_ERR(tsys_chdir((long)"/data/hello.txt"), ENOTDIR);
	long r = tsys_open((long)"/bin", O_WRONLY, 0);
	CHECK(r == -EISDIR || r == -EROFS);
}

/*
 * The kernel leaves pointer checks below USER_TOP to the MMU (kernel/mm/uaccess.c): a
 * read-only page, a range running into an unmapped page, and a string with no NUL before
 * one are each -EFAULT; untouched demand-zero pages are filled in. Both modes: in Smode the
 * fault hits the kernel inside a function-entry call, on the application's GS.
 */
static void mmu_checks(void)
{
	struct stat st, want;
	char buf[64];
	int fd = open_data("/data/hello.txt");
	CHECK_ERR(tsys_read(fd, (long)(uintptr_t)&mmu_checks, 4), EFAULT);   /* text: read-only */
	long m = tsys_mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m > 0);
	char *p = (char *)m;
	CHECK_OK(tsys_stat((long)"/bin/sh", (long)&want));
	/* untouched: the kernel's own access faults both pages in */
	CHECK_OK(tsys_stat((long)"/bin/sh", (long)(p + 4096 - 8)));
	memcpy(&st, p + 4096 - 8, sizeof(st));
	CHECK_EQ(st.st_size, want.st_size);
	CHECK_OK(tsys_munmap((long)(p + 2 * 4096), 4096));
	CHECK_ERR(tsys_stat((long)"/bin/sh", (long)(p + 2 * 4096 - 16)), EFAULT);
	memset(p + 2 * 4096 - 8, 'a', 8);                     /* no NUL before the hole */
	CHECK_ERR(tsys_open((long)(p + 2 * 4096 - 8), O_RDONLY, 0), EFAULT);
	CHECK_ERR(tsys_stat((long)(p + 2 * 4096 - 8), (long)&st), EFAULT);
	strcpy(p, "/data/hello.txt");
	CHECK_OK(tsys_mprotect(m, 4096, PROT_READ));
	CHECK_ERR(tsys_stat((long)"/bin/sh", (long)(p + 64)), EFAULT);
	CHECK_ERR(tsys_read(fd, (long)(p + 64), 4), EFAULT);
	CHECK_OK(tsys_stat((long)p, (long)&st));                 /* reading it is fine */
	int dfd = open_data("/bin");
	CHECK_ERR(tsys_getdents64(dfd, (long)(p + 64), 256), EFAULT);
	CHECK(tsys_getdents64(dfd, (long)buf, sizeof(buf)) > 0);
	CHECK_OK(tsys_close(dfd));
	CHECK_OK(tsys_munmap(m, 2 * 4096));
	CHECK_OK(tsys_close(fd));
}

static void uaccess_by_mmu(void)
{
	mmu_checks();
	CHECK_OK(t_switch_supervisor(0));
	CHECK_EQ(t_cpl(), 0);
	mmu_checks();
	CHECK_OK(t_switch_user(0));
	CHECK_EQ(t_cpl(), 3);
}

const struct utest ut_bad_tests[] = {
	{ "read_badptr", read_badptr },
	{ "write_badptr", write_badptr },
	{ "open_badptr", open_badptr },
	{ "stat_badptr", stat_badptr },
	{ "getcwd_badptr", getcwd_badptr },
	{ "uname_badptr", uname_badptr },
	{ "clock_badptr", clock_badptr },
	{ "res_badptr", res_badptr },
	{ "spawn_badptr", spawn_badptr },
	{ "bad_fds", bad_fds },
	{ "close_twice", close_twice },
	{ "unknown_syscall", unknown_syscall },
	{ "bad_rids", bad_rids },
	{ "wait_errors", wait_errors },
	{ "open_enoent", open_enoent },
	{ "path_toolong", path_toolong },
	{ "write_rofs", write_rofs },
	{ "bad_args", bad_args },
	{ "mmap_einval", mmap_einval },
	{ "dir_as_file", dir_as_file },
	{ "uaccess_by_mmu", uaccess_by_mmu },
	{ NULL, NULL },
};
