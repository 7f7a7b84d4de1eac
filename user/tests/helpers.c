/*
 * The helper modes of /bin/utest (`utest -c MODE args...`): small child programs that the
 * tests start to see how the kernel treats a process that faults, checks its arguments,
 * sleeps, or reports its parent and directory. Exit status 0 means "as expected" unless
 * the mode is meant to be killed by a fault.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

/* What args_envp passes; the helper checks it byte for byte. */
const char *const ut_expected_args[] = { "one", "two words", "", "-x=\"q\"", NULL };
const char *const ut_expected_env[] = { "UT_A=1", "UT_B=two words", "UT_EMPTY=", NULL };

static int fault_null(int argc, char **argv)
{
	(void)argc, (void)argv;
	*(volatile int *)0 = 1;
	return 0;
}

static int fault_div(int argc, char **argv)
{
	volatile int zero = argc - argc, x = 7;
	(void)argv;
	return x / zero;
}

/* A ret instruction in writable, non-executable data. */
static unsigned char data_code[16] = { 0xc3 };

static int fault_execdata(int argc, char **argv)
{
	void (*fn)(void);
	(void)argc, (void)argv;
	memcpy(&fn, &(void *){ data_code }, sizeof(fn));
	fn();
	return 0;
}

static int fault_kread(int argc, char **argv)
{
	(void)argc, (void)argv;
	return (int)*(volatile long *)0xffff800000000000ull;
}

static int fault_ud2(int argc, char **argv)
{
	(void)argc, (void)argv;
	__asm__ volatile("ud2");
	return 0;
}

static int fault_priv(int argc, char **argv)
{
	(void)argc, (void)argv;
	__asm__ volatile("hlt");
	return 0;
}

static int fault_wtext(int argc, char **argv)
{
	volatile unsigned char *p;
	(void)argc, (void)argv;
	memcpy(&p, &(void *){ (void *)fault_wtext }, sizeof(p));
	*p = 0xc3;
	return 0;
}

/* A limit the compiler cannot see through: the recursion only ends by overflowing. */
static volatile int recurse_limit = 0x7fffffff;

static int recurse(volatile char *prev, int depth)
{
	volatile char frame[1024];
	frame[0] = (char)depth;
	frame[1023] = prev ? prev[0] : 0;
	if (depth >= recurse_limit)
		return 0;
	return recurse(frame, depth + 1) + frame[1023];
}

static int fault_stack(int argc, char **argv)
{
	(void)argc, (void)argv;
	return recurse(NULL, 0);
}

static int fault_mprotect(int argc, char **argv)
{
	(void)argc, (void)argv;
	volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 3;
	p[0] = 1;
	if (mprotect((void *)p, 4096, PROT_READ) != 0)
		return 4;
	if (p[0] != 1)
		return 5;
	p[0] = 2;     /* must fault */
	return 0;
}

static int fault_munmap(int argc, char **argv)
{
	(void)argc, (void)argv;
	volatile char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 3;
	p[0] = 1;
	p[4096] = 1;
	if (munmap((void *)p, 8192) != 0)
		return 4;
	return p[4096];   /* must fault */
}

static int mode_exit(int argc, char **argv)
{
	return argc > 3 ? atoi(argv[3]) : 0;
}

static int mode_args(int argc, char **argv)
{
	extern char **environ;
	int n = 0;
	for (; ut_expected_args[n]; n++)
		if (3 + n >= argc || strcmp(argv[3 + n], ut_expected_args[n]) != 0)
			return 10 + n;
	if (argc != 3 + n || argv[argc] != NULL)
		return 3;
	for (n = 0; ut_expected_env[n]; n++)
		if (!environ[n] || strcmp(environ[n], ut_expected_env[n]) != 0)
			return 20 + n;
	if (environ[n])
		return 4;
	if (strcmp(getenv("UT_B") ? getenv("UT_B") : "", "two words") != 0)
		return 5;
	return 0;
}

/* bigargs N LEN: N more arguments follow, argument i is LEN copies of 'a' + i % 26 */
static int mode_bigargs(int argc, char **argv)
{
	if (argc < 5)
		return 3;
	int n = atoi(argv[3]), len = atoi(argv[4]);
	if (argc != 5 + n)
		return 4;
	for (int i = 0; i < n; i++) {
		const char *a = argv[5 + i];
		if ((int)strlen(a) != len)
			return 5;
		for (int j = 0; j < len; j++)
			if (a[j] != 'a' + i % 26)
				return 6;
	}
	return 0;
}

static int mode_ppid(int argc, char **argv)
{
	if (argc < 4)
		return 3;
	if (getppid() != atoi(argv[3]))
		return 4;
	if (tsys_getpid() != getpid() || tsys_gettid() != getpid())
		return 5;
	return 0;
}

static int mode_cwd(int argc, char **argv)
{
	char buf[256];
	if (argc < 4 || !getcwd(buf, sizeof(buf)))
		return 3;
	return strcmp(buf, argv[3]) == 0 ? 0 : 4;
}

static int mode_sleep(int argc, char **argv)
{
	long ms = argc > 3 ? atol(argv[3]) : 100;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) != 0)
		;
	return argc > 4 ? atoi(argv[4]) : 0;
}

static int mode_yield(int argc, char **argv)
{
	int n = argc > 3 ? atoi(argv[3]) : 100;
	for (int i = 0; i < n; i++)
		if (tsys_sched_yield() != 0)
			return 3;
	return 0;
}

/* Starts a grandchild that outlives this process. */
static int mode_orphan(int argc, char **argv)
{
	const char *const args[] = { "sleep", "200", NULL };
	(void)argc, (void)argv;
	ut_spawn_helper(args);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} modes[] = {
	{ "null", fault_null },		{ "div", fault_div },	      { "execdata", fault_execdata },
	{ "kread", fault_kread },	{ "ud2", fault_ud2 },	      { "priv", fault_priv },
	{ "wtext", fault_wtext },	{ "stack", fault_stack },     { "mprotect", fault_mprotect },
	{ "munmap", fault_munmap },	{ "exit", mode_exit },	      { "args", mode_args },
	{ "bigargs", mode_bigargs },	{ "ppid", mode_ppid },	      { "cwd", mode_cwd },
	{ "sleep", mode_sleep },	{ "yield", mode_yield },      { "orphan", mode_orphan },
	{ "cbox", ut_helper_cbox },
	{ "hvswork", ut_helper_hvswork }, { "hvsdeny", ut_helper_hvsdeny },
	{ "hvsread", ut_helper_hvsread },
	{ "chprogself", ut_helper_chprogself }, { "checkpid", ut_helper_checkpid },
	{ "metadeny", ut_helper_metadeny }, { "startmsg", ut_helper_startmsg },
	{ "counter", ut_helper_counter }, { "recover", ut_helper_recover },
	{ "hog", ut_helper_hog }, { "execve", ut_helper_execve },
	{ "checkpid9", ut_helper_checkpid9 }, { "sigpipe", ut_helper_sigpipe },
	{ "killparent", ut_helper_killparent },
	{ "runmode", ut_helper_runmode }, { "rmlight", ut_helper_rmlight },
	{ "policy", ut_helper_policy }, { "dev", ut_helper_dev }, { "chprogto", ut_helper_chprogto },
	{ "vdso", ut_helper_vdso },
	{ "threadexec", ut_helper_threadexec },
	{ "ids", ut_helper_ids },
};

int ut_helper_main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(argv[2], modes[i].name) == 0)
			return modes[i].fn(argc, argv);
	printf("utest -c: unknown mode '%s'\n", argv[2]);
	return 99;
}
