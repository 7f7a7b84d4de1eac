/*
 * Processes: refusing malformed programs (ENOEXEC, nothing created), children that fault
 * (the parent sees the signal in the wait status), argument and environment passing, exit
 * codes, the forms of wait, many children, creation in an existing space, orphans.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

/* ---- programs that must not start --------------------------------------------------- */

static void expect_refused(const char *path, long e1, long e2, long e3)
{
	for (int i = 0; i < 10; i++) {
		const char *argv[] = { path, NULL };
		struct t_spawn req = { .path = path, .argv = argv, .prio = -1 };
		int pid = -1;
		long r = t_proc_create(&req, &pid);
		if (r != -e1 && r != -e2 && r != -e3)
			FAIL("starting %s gave %ld (%s), expected -%s", path, r, ut_errname(r),
			     ut_errname(-e1));
	}
	CHECK_ERR(t_proc_wait(-1, NULL, TW_NOHANG), ECHILD);
}

static void exec_text(void)
{
	expect_refused("/data/notelf.txt", ENOEXEC, ENOEXEC, ENOEXEC);
}

static void exec_empty(void)
{
	expect_refused("/data/empty", ENOEXEC, ENOEXEC, ENOEXEC);
}

static void exec_trunc_hdr(void)
{
	expect_refused("/data/bad/trunc-hdr.elf", ENOEXEC, ENOEXEC, ENOEXEC);
}

static void exec_trunc_body(void)
{
	expect_refused("/data/bad/trunc-body.elf", ENOEXEC, ENOEXEC, ENOEXEC);
}

static void exec_elf32(void)
{
	expect_refused("/data/bad/elf32.elf", ENOEXEC, ENOEXEC, ENOEXEC);
}

static void exec_arm(void)
{
	expect_refused("/data/bad/arm.elf", ENOEXEC, ENOEXEC, ENOEXEC);
}

static void exec_dynamic(void)
{
	expect_refused("/data/bad/dynamic.elf", ENOEXEC, ENOEXEC, ENOEXEC);
}

static void exec_dir(void)
{
	expect_refused("/bin", EACCES, EISDIR, ENOEXEC);
}

static void exec_missing(void)
{
	expect_refused("/bin/no-such-program", ENOENT, ENOENT, ENOENT);
	expect_refused("", ENOENT, ENOENT, ENOENT);
}

static void spawn_badreq(void)
{
	struct t_spawn ok = { .path = "/bin/true", .prio = -1 }, r;
	rid_t self;
	int pid;
	CHECK_OK(t_proc_rid(getpid(), &self));
	r = ok, r.prio = 8;
	CHECK_ERR(t_proc_create(&r, &pid), EINVAL);
	r = ok, r.prio = -2;
	CHECK_ERR(t_proc_create(&r, &pid), EINVAL);
	r = ok, r.mode = 0x10000;
	CHECK_ERR(t_proc_create(&r, &pid), EINVAL);
	r = ok, r.vspace = self;   /* not a space */
	CHECK_ERR(t_proc_create(&r, &pid), EINVAL);
	r = ok, r.vspace = RID_MAKE(RT_VSPACE, 1, 0xfffff0);
	CHECK_ERR(t_proc_create(&r, &pid), EINVAL);
	/* 2.4 MiB of arguments: past Linux's limit (a quarter of the 8 MiB stack limit) */
	enum { N = 600 };
	static const char *argv[N + 2];
	char *big = malloc(4096);
	CHECK(big != NULL);
	memset(big, 'x', 4095);
	big[4095] = '\0';
	argv[0] = "true";
	for (int i = 1; i <= N; i++)
		argv[i] = big;
	r = ok, r.argv = argv;
	CHECK_ERR(t_proc_create(&r, &pid), E2BIG);
	free(big);
	CHECK_ERR(t_proc_wait(-1, NULL, TW_NOHANG), ECHILD);
}

/* ---- children that fault ------------------------------------------------------------ */

static void expect_signal(const char *mode, int sig)
{
	const char *const args[] = { mode, NULL };
	int st = ut_run_helper(args);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != sig)
		FAIL("helper %s ended with status 0x%x, expected signal %d", mode, st, sig);
	/* the parent goes on normally and can still start programs */
	const char *const ok[] = { "exit", "0", NULL };
	CHECK_EQ(ut_run_helper(ok), 0);
}

static void fault_null(void)
{
	expect_signal("null", SIGSEGV);
}

static void fault_div(void)
{
	expect_signal("div", SIGFPE);
}

static void fault_execdata(void)
{
	expect_signal("execdata", SIGSEGV);
}

static void fault_kread(void)
{
	expect_signal("kread", SIGSEGV);
}

static void fault_ud2(void)
{
	expect_signal("ud2", SIGILL);
}

static void fault_priv(void)
{
	expect_signal("priv", SIGSEGV);
}

static void fault_wtext(void)
{
	expect_signal("wtext", SIGSEGV);
}

static void fault_stack(void)
{
	expect_signal("stack", SIGSEGV);
}

static void fault_mprotect(void)
{
	expect_signal("mprotect", SIGSEGV);
}

static void fault_munmap(void)
{
	expect_signal("munmap", SIGSEGV);
}

/* ---- arguments, exit codes, wait ----------------------------------------------------- */

static void args_envp(void)
{
	const char *argv[16] = { "utest", "-c", "args" };
	int n = 3;
	for (int i = 0; ut_expected_args[i]; i++)
		argv[n++] = ut_expected_args[i];
	argv[n] = NULL;
	struct t_spawn req = {
		.path = "/bin/utest", .argv = argv, .envp = ut_expected_env, .prio = -1,
	};
	int pid;
	CHECK_OK(t_proc_create(&req, &pid));
	CHECK_EQ(ut_wait(pid), 0);
}

/* Many arguments (within the kernel's current limits: 64 strings, 4000 bytes in all). */
static void big_args(void)
{
	enum { N = 40, LEN = 80 };
	static char strs[N][LEN + 1];
	static const char *argv[N + 6];
	argv[0] = "utest", argv[1] = "-c", argv[2] = "bigargs", argv[3] = "40", argv[4] = "80";
	for (int i = 0; i < N; i++) {
		memset(strs[i], 'a' + i % 26, LEN);
		argv[5 + i] = strs[i];
	}
	argv[5 + N] = NULL;
	CHECK_EQ(ut_run("/bin/utest", argv), 0);
}

static void exit_codes(void)
{
	static const char *const codes[] = { "0", "1", "2", "42", "127", "128", "255" };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *const args[] = { "exit", codes[i], NULL };
		int st = ut_run_helper(args);
		CHECK(WIFEXITED(st));
		CHECK_EQ(WEXITSTATUS(st), atoi(codes[i]));
		CHECK_EQ(st, atoi(codes[i]) << 8);
	}
	const char *const t[] = { "true", NULL }, *const f[] = { "false", NULL };
	CHECK_EQ(ut_run("/bin/true", t), 0);
	CHECK_EQ(ut_run("/bin/false", f), 1 << 8);
}

static void wait_any(void)
{
	int pids[3], seen[3] = { 0 };
	static const char *const codes[] = { "11", "12", "13" };
	for (int i = 0; i < 3; i++) {
		const char *const args[] = { "exit", codes[i], NULL };
		pids[i] = ut_spawn_helper(args);
	}
	for (int n = 0; n < 3; n++) {
		int st, got = t_proc_wait(-1, &st, 0);
		CHECK(got > 0);
		int i = 0;
		while (i < 3 && pids[i] != got)
			i++;
		CHECK(i < 3);
		CHECK(!seen[i]);
		seen[i] = 1;
		CHECK_EQ(WEXITSTATUS(st), 11 + i);
	}
	CHECK_ERR(t_proc_wait(-1, NULL, 0), ECHILD);
}

static void wait_nohang(void)
{
	const char *const args[] = { "sleep", "300", "7", NULL };
	int st = -1, pid = ut_spawn_helper(args);
	CHECK_EQ(t_proc_wait(pid, &st, TW_NOHANG), 0);
	CHECK_EQ(t_proc_wait(-1, &st, TW_NOHANG), 0);
	CHECK_EQ(t_proc_wait(pid, &st, 0), pid);
	CHECK_EQ(st, 7 << 8);
	CHECK_ERR(t_proc_wait(-1, &st, TW_NOHANG), ECHILD);
}

static void wait_specific(void)
{
	const char *const slow[] = { "sleep", "200", "5", NULL };
	const char *const fast[] = { "exit", "6", NULL };
	int a = ut_spawn_helper(slow), b = ut_spawn_helper(fast);
	int st;
	CHECK_EQ(t_proc_wait(a, &st, 0), a);
	CHECK_EQ(st, 5 << 8);
	CHECK_EQ(t_proc_wait(-1, &st, 0), b);
	CHECK_EQ(st, 6 << 8);
	/* wait4 (the Linux call) works too */
	b = ut_spawn_helper(fast);
	CHECK_EQ(tsys_wait4(b, (long)&st, 0, 0), b);
	CHECK_EQ(st, 6 << 8);
}

static void many_children(void)
{
	enum { N = 20 };
	int pids[N], seen[N] = { 0 };
	char codes[N][4];
	for (int i = 0; i < N; i++) {
		snprintf(codes[i], sizeof(codes[i]), "%d", 100 + i);
		const char *const args[] = { "sleep", "50", codes[i], NULL };
		pids[i] = ut_spawn_helper(args);
	}
	for (int n = 0; n < N; n++) {
		int st, got = t_proc_wait(-1, &st, 0);
		int i = 0;
		while (i < N && pids[i] != got)
			i++;
		if (i == N)
			FAIL("wait returned %d (%s), not one of my children", got, ut_errname(got));
		CHECK(!seen[i]);
		seen[i] = 1;
		CHECK_EQ(st, (100 + i) << 8);
	}
	CHECK_ERR(t_proc_wait(-1, NULL, TW_NOHANG), ECHILD);
}

static void spawn_200(void)
{
	const char *const argv[] = { "true", NULL };
	for (int i = 0; i < 200; i++) {
		int pid = ut_spawn("/bin/true", argv);
		CHECK_EQ(ut_wait(pid), 0);
	}
}

/* Name, mode and priority of a new process are what was asked for. */
static void spawn_attrs(void)
{
	const char *argv[] = { "utest", "-c", "sleep", "500", NULL };
	uint32_t mode = TMODE(TOP_ALL, TOP_REFER, TOP_REFER);
	struct t_spawn req = {
		.path = "/bin/utest", .argv = argv, .name = "ut-attrs", .mode = mode, .prio = 5,
	};
	struct t_res_info in, ex;
	rid_t rid;
	int pid;
	CHECK_OK(t_proc_create(&req, &pid));
	CHECK_OK(t_proc_rid(pid, &rid));
	CHECK_OK(t_res_info(rid, &in));
	CHECK(strcmp(in.name, "ut-attrs") == 0);
	CHECK_EQ(in.mode, mode);
	CHECK_EQ(in.v[1], getpid());
	int found = 0;
	for (uint32_t i = 0; i < in.nrefs && i < T_MAX_REFS; i++) {
		if (RID_TYPE(in.refs[i].rid) != RT_EXEC)
			continue;
		CHECK_OK(t_res_info(in.refs[i].rid, &ex));
		CHECK_EQ(ex.v[1], 5);
		CHECK_EQ(ex.v[2], pid);
		found = 1;
	}
	CHECK(found);
	CHECK_EQ(ut_wait(pid), 0);
}

/* The space process pid runs in (libtessera's t_proc_space), failing the test if none. */
static rid_t space_of(int pid)
{
	rid_t space = t_proc_space(pid);
	if (!space)
		FAIL("process %d has no space", pid);
	return space;
}

/* Heterogeneous virtual storage: a second process created inside the first one's space. */
static void spawn_same_space(void)
{
	const char *const a_args[] = { "sleep", "600", "3", NULL };
	int a = ut_spawn_helper(a_args);
	rid_t space = space_of(a);
	const char *b_argv[] = { "utest", "-c", "sleep", "300", "4", NULL };
	struct t_spawn req = { .path = "/bin/utest", .argv = b_argv, .vspace = space, .prio = -1 };
	int b;
	CHECK_OK(t_proc_create(&req, &b));
	CHECK_EQ(space_of(b), space);
	struct t_res_info in;
	CHECK_OK(t_res_info(space, &in));
	CHECK(in.v[1] >= 2);
	CHECK(space != space_of(getpid()));
	int st;
	CHECK_EQ(t_proc_wait(b, &st, 0), b);
	CHECK_EQ(st, 4 << 8);
	CHECK_EQ(t_proc_wait(a, &st, 0), a);
	CHECK_EQ(st, 3 << 8);
}

static void getppid_child(void)
{
	char me[16];
	snprintf(me, sizeof(me), "%d", getpid());
	const char *const args[] = { "ppid", me, NULL };
	CHECK_EQ(ut_run_helper(args), 0);
	CHECK(getppid() > 0);
	CHECK(getpid() != getppid());
	CHECK_EQ(tsys_getpid(), getpid());
}

static void cwd_inherit(void)
{
	CHECK_OK(tsys_chdir((long)"/data"));
	const char *const a1[] = { "cwd", "/data", NULL };
	CHECK_EQ(ut_run_helper(a1), 0);
	CHECK_OK(tsys_chdir((long)"/"));
	const char *const a2[] = { "cwd", "/", NULL };
	CHECK_EQ(ut_run_helper(a2), 0);
}

/* A child that ends before its own child: the grandchild is adopted and reaped by init,
 * which the runner's leak check sees. */
static void orphan(void)
{
	const char *const args[] = { "orphan", NULL };
	CHECK_EQ(ut_run_helper(args), 0);
	CHECK_ERR(t_proc_wait(-1, NULL, TW_NOHANG), ECHILD);
}

const struct utest ut_proc_tests[] = {
	{ "exec_text", exec_text },
	{ "exec_empty", exec_empty },
	{ "exec_trunc_hdr", exec_trunc_hdr },
	{ "exec_trunc_body", exec_trunc_body },
	{ "exec_elf32", exec_elf32 },
	{ "exec_arm", exec_arm },
	{ "exec_dynamic", exec_dynamic },
	{ "exec_dir", exec_dir },
	{ "exec_missing", exec_missing },
	{ "spawn_badreq", spawn_badreq },
	{ "fault_null", fault_null },
	{ "fault_div", fault_div },
	{ "fault_execdata", fault_execdata },
	{ "fault_kread", fault_kread },
	{ "fault_ud2", fault_ud2 },
	{ "fault_priv", fault_priv },
	{ "fault_wtext", fault_wtext },
	{ "fault_stack", fault_stack },
	{ "fault_mprotect", fault_mprotect },
	{ "fault_munmap", fault_munmap },
	{ "args_envp", args_envp },
	{ "big_args", big_args },
	{ "exit_codes", exit_codes },
	{ "wait_any", wait_any },
	{ "wait_nohang", wait_nohang },
	{ "wait_specific", wait_specific },
	{ "many_children", many_children },
	{ "spawn_200", spawn_200 },
	{ "spawn_attrs", spawn_attrs },
	{ "spawn_same_space", spawn_same_space },
	{ "getppid_child", getppid_child },
	{ "cwd_inherit", cwd_inherit },
	{ "orphan", orphan },
	{ NULL, NULL },
};
