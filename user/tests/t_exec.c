/*
 * execve as Linux's (kernel/proc/binfmt.c, args.c): "#!" scripts through execve and
 * t_proc_create, nested up to 5 interpreters (ELOOP past them), and the refusals: no execute
 * bit (EACCES), a missing or unusable interpreter (ENOENT, EACCES), a file that is no program
 * (ENOEXEC), vectors past Linux's limits (E2BIG) and bad pointers in them (EFAULT). A refused
 * execve leaves the caller as it was, so most checks call it in the test process itself.
 * Every file is made under /tmp and removed again (the leak check counts plates).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

static void put(const char *path, const char *text, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	CHECK_OK(close(fd));
	CHECK_OK(chmod(path, (mode_t)mode));
}

static long exec1(const char *path)
{
	const char *argv[] = { path, "arg", NULL };
	return tsys_execve((long)path, (long)argv, 0);
}

static long spawn1(const char *path)
{
	const char *argv[] = { path, NULL };
	struct t_spawn req = { .path = path, .argv = argv, .prio = -1 };
	int pid;
	return t_proc_create(&req, &pid);
}

/* A chain /tmp/ut-s0 ("#!/bin/true") <- ut-s1 <- ... <- ut-s6, each naming the one before. */
static void make_chain(void)
{
	char name[32], text[48];
	put("/tmp/ut-s0", "#!/bin/true\n", 0755);
	for (int i = 1; i <= 6; i++) {
		snprintf(name, sizeof(name), "/tmp/ut-s%d", i);
		snprintf(text, sizeof(text), "#!/tmp/ut-s%d -x\n", i - 1);
		put(name, text, 0755);
	}
}

static void remove_chain(void)
{
	char name[32];
	for (int i = 0; i <= 6; i++) {
		snprintf(name, sizeof(name), "/tmp/ut-s%d", i);
		CHECK_OK(unlink(name));
	}
}

static void exec_script_depth(void)
{
	make_chain();
	const char *argv[] = { "s", NULL };
	CHECK_EQ(ut_run("/tmp/ut-s0", argv), 0);
	CHECK_EQ(ut_run("/tmp/ut-s4", argv), 0);          /* five interpreters: Linux's most */
	CHECK_ERR(spawn1("/tmp/ut-s5"), ELOOP);
	CHECK_ERR(spawn1("/tmp/ut-s6"), ELOOP);
	CHECK_ERR(exec1("/tmp/ut-s5"), ELOOP);
	remove_chain();
	CHECK_ERR(t_proc_wait(-1, NULL, TW_NOHANG), ECHILD);
}

static void exec_script_refused(void)
{
	put("/tmp/ut-noexec", "#!/bin/true\n", 0644);
	put("/tmp/ut-nointerp", "#!/tmp/ut-none\n", 0755);
	put("/tmp/ut-badinterp", "#!/tmp/ut-noexec\n", 0755);
	put("/tmp/ut-dirinterp", "#!/tmp\n", 0755);
	put("/tmp/ut-text", "echo hi\n", 0755);
	put("/tmp/ut-bang", "#!  \t\n", 0755);
	char line[300] = "#!/";
	memset(line + 3, 'x', 290);                      /* a name that may go on past 256 */
	put("/tmp/ut-long", line, 0755);
	static const struct { const char *path; int err; } cases[] = {
		{ "/tmp/ut-noexec", EACCES },  { "/tmp/ut-nointerp", ENOENT },
		{ "/tmp/ut-badinterp", EACCES }, { "/tmp/ut-dirinterp", EACCES },
		{ "/tmp/ut-text", ENOEXEC }, { "/tmp/ut-bang", ENOEXEC }, { "/tmp/ut-long", ENOEXEC },
		{ "/tmp", EACCES }, { "/tmp/ut-missing", ENOENT },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_ERR(exec1(cases[i].path), cases[i].err);
		CHECK_ERR(spawn1(cases[i].path), cases[i].err);
	}
	const char *files[] = { "/tmp/ut-noexec", "/tmp/ut-nointerp", "/tmp/ut-badinterp",
				"/tmp/ut-dirinterp", "/tmp/ut-text", "/tmp/ut-bang", "/tmp/ut-long" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		CHECK_OK(unlink(files[i]));
	CHECK_ERR(t_proc_wait(-1, NULL, TW_NOHANG), ECHILD);
}

static void copy_true(const char *to)
{
	static char buf[65536];
	int in = open("/bin/true", O_RDONLY), out = open(to, O_WRONLY | O_CREAT, 0755);
	CHECK(in >= 0 && out >= 0);
	for (long n; (n = read(in, buf, sizeof(buf))) > 0;)
		CHECK_EQ(write(out, buf, (size_t)n), n);
	CHECK_OK(close(in));
	CHECK_OK(close(out));
}

/* A program written at run time at path runs while it has an execute bit. */
static void runs_while_executable(const char *path)
{
	const char *argv[] = { "true", NULL };
	copy_true(path);
	CHECK_EQ(ut_run(path, argv), 0);
	CHECK_OK(chmod(path, 0644));
	CHECK_ERR(spawn1(path), EACCES);
	CHECK_ERR(exec1(path), EACCES);
	CHECK_OK(chmod(path, 0100));                         /* execute for the owner only */
	CHECK_EQ(ut_run(path, argv), 0);
	CHECK_OK(unlink(path));
}

static void exec_runtime_file(void)
{
	runs_while_executable("/tmp/ut-true");
}

/* The same on the ext2 disk init mounts at /disk, and a script there. */
static void exec_disk_file(void)
{
	char dir[64], prog[80], script[80];
	snprintf(dir, sizeof(dir), "/disk/ut-exec-%d", getpid());
	snprintf(prog, sizeof(prog), "%s/true", dir);
	snprintf(script, sizeof(script), "%s/script", dir);
	CHECK_OK(mkdir(dir, 0755));
	runs_while_executable(prog);
	put(script, "#!/bin/true -x\n", 0755);
	const char *argv[] = { "script", NULL };
	CHECK_EQ(ut_run(script, argv), 0);
	CHECK_OK(chmod(script, 0600));
	CHECK_ERR(spawn1(script), EACCES);
	CHECK_OK(unlink(script));
	CHECK_OK(rmdir(dir));
}

static void exec_e2big(void)
{
	char *s = malloc(131073);
	CHECK(s != NULL);
	memset(s, 'y', 131072);
	s[131072] = 0;                                       /* 128 KiB and its NUL: too long */
	const char *one[] = { "true", s, NULL };
	CHECK_ERR(tsys_execve((long)"/bin/true", (long)one, 0), E2BIG);
	CHECK_ERR(tsys_execve((long)"/bin/true", (long)(one + 2), (long)(one + 1)), E2BIG);
	s[131071] = 0;                                       /* 128 KiB with its NUL: fits */
	static const char *many[20];
	many[0] = "true";
	for (int i = 1; i < 18; i++)
		many[i] = s;                                 /* 17 x 128 KiB > 2 MiB */
	CHECK_ERR(tsys_execve((long)"/bin/true", (long)many, 0), E2BIG);
	struct t_spawn req = { .path = "/bin/true", .argv = many, .prio = -1 };
	int pid;
	CHECK_ERR(t_proc_create(&req, &pid), E2BIG);
	many[16] = NULL;                                     /* 15 of them: 1.9 MiB, fine */
	CHECK_EQ(ut_run("/bin/true", many), 0);
	free(s);
}

static void exec_efault(void)
{
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	for (int i = 1; i < UT_NBAD; i++) {             /* bad[0], NULL, is an empty vector */
		const char *inner[] = { "true", (const char *)bad[i], NULL };
		CHECK_ERR(tsys_execve((long)"/bin/true", (long)bad[i], 0), EFAULT);
		CHECK_ERR(tsys_execve((long)"/bin/true", 0, (long)bad[i]), EFAULT);
		CHECK_ERR(tsys_execve((long)"/bin/true", (long)inner, 0), EFAULT);
		CHECK_ERR(tsys_execve((long)bad[i], 0, 0), EFAULT);
	}
}

/* Large vectors arrive whole (the helper checks every byte): 12 x 120000 bytes. */
static void exec_big_vectors(void)
{
	enum { N = 12, LEN = 120000 };
	static const char *argv[N + 6];
	argv[0] = "utest", argv[1] = "-c", argv[2] = "bigargs", argv[3] = "12";
	argv[4] = "120000";
	for (int i = 0; i < N; i++) {
		char *s = malloc(LEN + 1);
		CHECK(s != NULL);
		memset(s, 'a' + i % 26, LEN);
		s[LEN] = 0;
		argv[5 + i] = s;
	}
	CHECK_EQ(ut_run("/bin/utest", argv), 0);
}

const struct utest ut_exec_tests[] = {
	{ "exec_script_depth", exec_script_depth },
	{ "exec_script_refused", exec_script_refused },
	{ "exec_runtime_file", exec_runtime_file },
	{ "exec_disk_file", exec_disk_file },
	{ "exec_e2big", exec_e2big },
	{ "exec_efault", exec_efault },
	{ "exec_big_vectors", exec_big_vectors },
	{ NULL, NULL },
};
