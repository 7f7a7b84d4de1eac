/*
 * utest group "runmode": the dynamic running-mode switch (DMSM, docs/runmode.md). Processes
 * are switched between Umode (ring 3) and Smode (ring 0) while they compute, block or loop on
 * system calls, and check their own results and privilege level all along; bad pids, denied
 * switches, faults in ring-0 application code, killing and preempting Smode code, the red
 * zone across interrupts, and unmodified (musl `syscall`) code in Smode. The ways through
 * the kernel in each mode (leaf, light, flags) are tested in t_rmpath.c.
 * The helper side runs as `utest -c runmode KIND args...` (ut_helper_runmode).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define SWITCH_CALLS 1000           /* switch calls the parent makes for each child, at least */
#define MIN_APPLIED 200             /* switches each child must have gone through, at least */

/* ---- helpers shared by both sides ------------------------------------------------------ */

/* The privilege level must always be what the control area says. */
static int mode_consistent(void)
{
	uint32_t m = t_runmode_self();
	int cpl = t_cpl();
	return (m == TRM_SMODE && cpl == 0) || (m == TRM_UMODE && cpl == 3);
}

/* ---- helper children (utest -c runmode KIND ...) ---------------------------------------- */

/* Collatz steps of n: a computation with a known answer, checked while being switched. */
static long collatz(long n)
{
	long steps = 0;
	while (n != 1) {
		n = n & 1 ? 3 * n + 1 : n / 2;
		steps++;
	}
	return steps;
}

/* After every call: the privilege level must be what the control area says; counts the
 * calls that returned to each mode. */
static bool note_mode(uint64_t seen[2])
{
	if (!mode_consistent())
		return false;
	seen[t_runmode_self() == TRM_SMODE]++;
	return true;
}

/* Runs for ms milliseconds in one of three states; exit 0 only if every check held and
 * switches were really applied (2: none seen, 3..: a wrong result). */
static int helper_load(const char *kind, int ms)
{
	int64_t end = ut_now_ns() + (int64_t)ms * 1000000;
	int pid = getpid();
	uint64_t seen[2] = { 0, 0 };     /* calls that returned in Umode / Smode */
	while (ut_now_ns() < end) {
		if (!note_mode(seen))
			return 3;
		if (strcmp(kind, "compute") == 0) {
			/* mostly computing: a call only now and then */
			for (long n = 1; n < 300; n++)
				if (collatz(27) != 111 || collatz(n * 2) != collatz(n) + 1)
					return 4;
			/* giving the CPU back keeps the parent's switching rounds short */
			if (tsys_sched_yield() != 0 || !note_mode(seen))
				return 4;
		} else if (strcmp(kind, "block") == 0) {
			struct timespec ts = { 0, 1000000 };
			if (nanosleep(&ts, NULL) != 0 || !note_mode(seen))  /* syscall instruction */
				return 5;
			if (tsys_nanosleep((long)&ts, 0) != 0 || !note_mode(seen)) /* trap or call */
				return 6;
		} else {
			for (int i = 0; i < 50; i++)
				if (tsys_getpid() != pid || getpid() != pid || !note_mode(seen))
					return 7;
			tsys_sched_yield();
		}
	}
	struct t_runmode_info info;
	if (t_runmode_info(0, &info) != 0)
		return 8;
	if (info.switches < MIN_APPLIED || !seen[0] || !seen[1]) {
		printf("utest -c runmode load %s: %llu switches, %llu rounds in Umode, %llu in Smode\n",
		       kind, (unsigned long long)info.switches, (unsigned long long)seen[0],
		       (unsigned long long)seen[1]);
		return 2;
	}
	printf("utest -c runmode load %s: %llu switches applied\n", kind,
	       (unsigned long long)info.switches);
	return 0;
}

/* A fault in ring-0 application code: only this process may end. */
static int helper_fault(const char *kind)
{
	if (t_switch_supervisor(0) != 0 || t_cpl() != 0)
		return 50;
	int *volatile nowhere = NULL;
	int (*volatile text_fn)(void) = t_cpl;
	if (strcmp(kind, "null") == 0)
		return nowhere[4];
	if (strcmp(kind, "div") == 0) {
		volatile int zero = 0, x = 7;
		return x / zero;
	}
	if (strcmp(kind, "ud2") == 0)
		__asm__ volatile("ud2");
	if (strcmp(kind, "wtext") == 0)          /* WP: ring 0 cannot write read-only pages */
		*(volatile unsigned char *)(uintptr_t)text_fn = 0xc3;
	if (strcmp(kind, "wcca") == 0)
		*(volatile uint64_t *)(uintptr_t)T_CCA_ADDR = TRM_UMODE;
	if (strcmp(kind, "noncanon") == 0)
		return *(volatile int *)0x8000000000000000ull;
	return 51;
}

/* Smode code that never makes a system call: only the timer can take the CPU from it. */
static int helper_spin(void)
{
	if (t_switch_supervisor(0) != 0 || t_cpl() != 0)
		return 50;
	for (volatile unsigned long i = 0;; i++)
		;
}

/* A process without root trying to switch its root parent, and itself to ring 0. */
static int helper_denied(int parent)
{
	struct t_runmode_info info;
	rid_t self;
	/* its own process resource becomes uid 1000's too, so only the root rule can refuse */
	if (t_proc_rid(0, &self) != 0 || t_res_changeoid(self, 1000, 0) != 0 || setuid(1000) != 0)
		return 60;
	if (t_switch_supervisor(parent) != -EACCES || t_switch_user(parent) != -EACCES)
		return 61;
	if (t_switch_supervisor(0) != -EPERM)       /* its own process, but ring 0 is root's */
		return 62;
	if (t_switch_user(0) != 0)                  /* giving privilege up is allowed */
		return 63;
	if (t_runmode_info(parent, &info) != 0 || info.pending != TRM_NONE)
		return 64;
	return t_cpl() == 3 ? 0 : 65;
}

/* Umode code calling the kernel's function entry directly: a fault, not a way in. */
static int helper_umode_call(void)
{
	const volatile struct t_cca *cca = (const volatile struct t_cca *)T_CCA_ADDR;
	void (*entry)(void) = (void (*)(void))(uintptr_t)cca->entry;
	entry();
	return 70;
}

int ut_helper_runmode(int argc, char **argv)
{
	const char *kind = argc > 3 ? argv[3] : "";
	if (strcmp(kind, "load") == 0 && argc > 5)
		return helper_load(argv[4], atoi(argv[5]));
	if (strcmp(kind, "fault") == 0 && argc > 4)
		return helper_fault(argv[4]);
	if (strcmp(kind, "spin") == 0)
		return helper_spin();
	if (strcmp(kind, "denied") == 0 && argc > 4)
		return helper_denied(atoi(argv[4]));
	if (strcmp(kind, "ucall") == 0)
		return helper_umode_call();
	printf("utest -c runmode: unknown kind '%s'\n", kind);
	return 99;
}

/* ---- the tests -------------------------------------------------------------------------- */

/* The caller switches itself back and forth; every call form returns the right answers and
 * the function entry is really used in Smode (its counter moves by one per library call). */
static void t_runmode_self_switch(void)
{
	struct t_runmode_info a, b;
	int pid = getpid();
	CHECK_EQ(t_runmode_self(), TRM_UMODE);
	CHECK_EQ(t_cpl(), 3);
	CHECK_OK(t_runmode_info(0, &a));
	CHECK_EQ(a.mode, TRM_UMODE);
	CHECK_EQ(a.pending, TRM_NONE);
	for (int i = 0; i < 1000; i++) {
		ut_switch_self(TRM_SMODE);
		CHECK_OK(t_runmode_info(0, &a));
		CHECK_EQ(tsys_getpid(), pid);
		CHECK_OK(t_runmode_info(0, &b));
		CHECK_EQ(b.calls - a.calls, 2);       /* getpid and this info call */
		CHECK_EQ(b.mode, TRM_SMODE);
		CHECK_EQ(getpid(), pid);              /* musl: syscall instruction in ring 0 */
		CHECK_EQ(t_cpl(), 0);
		ut_switch_self(TRM_UMODE);
		CHECK_OK(t_runmode_info(0, &a));
		CHECK_EQ(tsys_getpid(), pid);
		CHECK_OK(t_runmode_info(0, &b));
		CHECK_EQ(b.calls, a.calls);           /* traps only */
		CHECK_EQ(getpid(), pid);
	}
	CHECK_OK(t_runmode_info(0, &a));
	CHECK_EQ(a.switches, 2000);
	/* asking for the mode it has changes nothing; a request then its opposite cancels */
	CHECK_OK(t_switch_user(0));
	CHECK_EQ(t_cpl(), 3);
	CHECK_OK(t_runmode_info(0, &b));
	CHECK_EQ(b.switches, 2000);
}

/* Unmodified code in Smode: musl's own system calls (syscall instruction at ring 0, returned
 * with iretq), files, memory that is faulted in from ring 0 (demand-zero), stdio. */
static void t_runmode_unmodified(void)
{
	ut_switch_self(TRM_SMODE);
	char buf[64];
	int fd = open("/dev/zero", O_RDONLY);
	CHECK(fd >= 0);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(read(fd, buf, sizeof(buf)), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0);
	close(fd);
	fd = open("/dev/null", O_WRONLY);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "abc", 3), 3);
	close(fd);
	/* a fresh mapping: every page is demand-zero, touched first by ring-0 code */
	size_t len = 64 * 4096;
	unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	CHECK(m != MAP_FAILED);
	for (size_t i = 0; i < len; i += 4096) {
		CHECK_EQ(m[i], 0);
		m[i] = (unsigned char)(i >> 12);
	}
	for (size_t i = 0; i < len; i += 4096)
		CHECK_EQ(m[i], (unsigned char)(i >> 12));
	CHECK_EQ(munmap(m, len), 0);
	void *p = malloc(300000);                 /* brk or mmap inside musl */
	CHECK(p != NULL);
	memset(p, 7, 300000);
	free(p);
	printf("utest: runmode_unmodified: printing from ring 0 (cpl %d)\n", t_cpl());
	fflush(stdout);
	CHECK_EQ(t_cpl(), 0);
	ut_switch_self(TRM_UMODE);
}

/* Interrupts arriving while ring-0 code runs must not touch the 128 bytes below its stack
 * pointer: fill them, spin across many timer ticks without touching memory, compare. */
static void t_runmode_redzone(void)
{
	ut_switch_self(TRM_SMODE);
	struct t_kstat k0, k1;
	CHECK_OK(t_kstat(&k0));
	long bad = 0;
	for (int round = 0; round < 20; round++) {
		__asm__ volatile("lea -128(%%rsp), %%rdi\n\t"
				 "mov $16, %%ecx\n\t"
				 "movabs $0x5a5aa5a5c3c33c3c, %%rax\n\t"
				 "1: mov %%rax, (%%rdi)\n\t"
				 "add $8, %%rdi\n\t"
				 "dec %%ecx\n\t"
				 "jnz 1b\n\t"
				 "mov $3000000, %%ecx\n\t"
				 "2: dec %%ecx\n\t"
				 "jnz 2b\n\t"
				 "lea -128(%%rsp), %%rdi\n\t"
				 "mov $16, %%ecx\n\t"
				 "3: cmp %%rax, (%%rdi)\n\t"
				 "je 4f\n\t"
				 "inc %0\n\t"
				 "4: add $8, %%rdi\n\t"
				 "dec %%ecx\n\t"
				 "jnz 3b\n\t"
				 : "+r"(bad)
				 :
				 : "rax", "rcx", "rdi", "memory", "cc");
	}
	CHECK_OK(t_kstat(&k1));
	ut_switch_self(TRM_UMODE);
	CHECK_EQ(bad, 0);
	/* the check means something only if interrupts did arrive meanwhile */
	CHECK(k1.ticks - k0.ticks >= 3);
}

/* Three children (computing, blocked, tight call loop) switched thousands of times. */
static void t_runmode_switch_load(void)
{
	static const char *const kinds[] = { "compute", "block", "calls" };
	int pids[3];
	bool alive[3] = { true, true, true };
	long switched[3] = { 0, 0, 0 };
	for (int i = 0; i < 3; i++) {
		const char *args[] = { "runmode", "load", kinds[i], "4000", NULL };
		pids[i] = ut_spawn_helper(args);
	}
	int left = 3;
	for (long round = 0; left > 0; round++) {
		for (int i = 0; i < 3; i++) {
			if (!alive[i])
				continue;
			int status;
			int got = t_proc_wait(pids[i], &status, TW_NOHANG);
			if (got == pids[i]) {
				if (status != 0)
					FAIL("%s child ended with status 0x%x", kinds[i], status);
				alive[i] = false;
				left--;
				continue;
			}
			CHECK_EQ(got, 0);
			int err = round & 1 ? t_switch_user(pids[i]) : t_switch_supervisor(pids[i]);
			CHECK_EQ(err, 0);
			switched[i]++;
		}
		tsys_sched_yield();
	}
	printf("utest: runmode_switch_load: switch calls: compute %ld, block %ld, calls %ld\n",
	       switched[0], switched[1], switched[2]);
	for (int i = 0; i < 3; i++)
		if (switched[i] < SWITCH_CALLS)
			FAIL("only %ld switch calls for the %s child", switched[i], kinds[i]);
}

static void t_runmode_badpid(void)
{
	struct t_runmode_info info;
	uintptr_t bad[UT_NBAD];
	CHECK_ERR(t_switch_supervisor(-1), ESRCH);
	CHECK_ERR(t_switch_user(-7), ESRCH);
	CHECK_ERR(t_switch_supervisor(99999), ESRCH);
	CHECK_ERR(t_switch_user(0x7fffffff), ESRCH);
	CHECK_ERR(t_runmode_info(123456, &info), ESRCH);
	CHECK_ERR(tsys_t_switch_supervisor(1l << 40), ESRCH);
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++)
		CHECK_ERR(t_runmode_info(0, (struct t_runmode_info *)bad[i]), EFAULT);
	/* a child that has ended (a zombie until waited for) cannot be switched */
	const char *args[] = { "exit", "0", NULL };
	int pid = ut_spawn_helper(args), err = 0;
	for (int i = 0; i < 2000 && (err = t_switch_user(pid)) == 0; i++)
		tsys_sched_yield();
	CHECK_ERR(err, ESRCH);
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_ERR(t_switch_user(pid), ESRCH);
	CHECK_OK(t_runmode_info(0, &info));
	CHECK_EQ(info.mode, TRM_UMODE);
}

static void t_runmode_denied(void)
{
	char ppid[16];
	snprintf(ppid, sizeof(ppid), "%d", getpid());
	const char *args[] = { "runmode", "denied", ppid, NULL };
	CHECK_EQ(ut_run_helper(args), 0);
	struct t_runmode_info info;
	CHECK_OK(t_runmode_info(0, &info));
	CHECK_EQ(info.mode, TRM_UMODE);
	CHECK_EQ(info.switches, 0);
}

/* Faults in ring-0 application code end that process with the usual signal. */
static void t_runmode_faults(void)
{
	static const struct {
		const char *kind;
		int sig;
	} cases[] = { { "null", SIGSEGV }, { "div", SIGFPE },      { "ud2", SIGILL },
		      { "wtext", SIGSEGV }, { "wcca", SIGSEGV },   { "noncanon", SIGSEGV } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = { "runmode", "fault", cases[i].kind, NULL };
		int status = ut_run_helper(args);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != cases[i].sig)
			FAIL("Smode fault %s: status 0x%x, expected signal %d", cases[i].kind,
			     status, cases[i].sig);
	}
	const char *args[] = { "runmode", "ucall", NULL };
	int status = ut_run_helper(args);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

/* Smode code that makes no system call is still preempted (this test runs at the same
 * priority) and can be killed. */
static void t_runmode_preempt_kill(void)
{
	const char *args[] = { "runmode", "spin", NULL };
	int pid = ut_spawn_helper(args);
	struct t_runmode_info info;
	for (int i = 0; i < 500; i++) {
		CHECK_OK(t_runmode_info(pid, &info));
		if (info.mode == TRM_SMODE)
			break;
		tsys_sched_yield();
	}
	CHECK_EQ(info.mode, TRM_SMODE);
	/* we only get here again if the timer takes the CPU from the spinning ring-0 code */
	int64_t t0 = ut_now_ns();
	for (int i = 0; i < 5; i++)
		tsys_sched_yield();
	CHECK(ut_now_ns() - t0 < 10ll * 1000000000);
	rid_t rid;
	CHECK_OK(t_proc_rid(pid, &rid));
	CHECK_OK(t_res_delete(rid));
	int status = ut_wait(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == 9);
}

/* The control area is read-only, at its fixed address, and cannot be mapped over. */
static void t_runmode_cca(void)
{
	const volatile struct t_cca *cca = (const volatile struct t_cca *)T_CCA_ADDR;
	CHECK_EQ(cca->mode, TRM_UMODE);
	CHECK(cca->entry >= 0xffff800000000000ull);
	void *m = mmap((void *)(uintptr_t)T_CCA_ADDR, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(m == MAP_FAILED);
	CHECK_EQ(cca->mode, TRM_UMODE);
	const char *args[] = { "runmode", "fault", "wcca", NULL };
	int status = ut_run_helper(args);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

/* A switch of oneself takes the entries' fast way; it must also work the light way, which it
 * takes while a switch of another process is pending (the fast way then declines), and in a
 * space that got its control area from no load (made by vmcreate, moved into). */
static void t_runmode_switch_ways(void)
{
	struct t_runmode_info info, child;
	int kid = fork();
	CHECK(kid >= 0);
	if (kid == 0) {
		pause();                         /* blocked: a switch waits for its next call */
		_exit(0);
	}
	usleep(20000);
	CHECK_OK(t_switch_supervisor(kid));
	CHECK_OK(t_runmode_info(kid, &child));
	CHECK_EQ(child.pending, TRM_SMODE);
	CHECK_OK(t_runmode_info(0, &info));
	uint64_t before = info.switches;
	for (int i = 0; i < 200; i++) {
		ut_switch_self(TRM_SMODE);
		ut_switch_self(TRM_UMODE);
	}
	CHECK_OK(t_runmode_info(0, &info));
	CHECK_EQ(info.switches, before + 400);
	CHECK_OK(t_runmode_info(kid, &child));
	CHECK_EQ(child.pending, TRM_SMODE);      /* still waiting: nobody else applied it */
	CHECK_OK(kill(kid, SIGKILL));
	CHECK(WIFSIGNALED(ut_wait(kid)));
	rid_t space;
	CHECK_OK(t_vm_create("rmways", 0, &space));
	CHECK_OK(t_proc_move(0, space));
	for (int i = 0; i < 50; i++) {
		ut_switch_self(TRM_SMODE);
		CHECK_EQ(((const volatile struct t_cca *)T_CCA_ADDR)->mode, TRM_SMODE);
		ut_switch_self(TRM_UMODE);
	}
	CHECK_OK(t_runmode_info(0, &info));
	CHECK_EQ(info.switches, before + 500);
	CHECK_OK(t_proc_move(0, 0));
	CHECK_OK(t_res_delete(space));
}

const struct utest ut_runmode_tests[] = {
	{ "runmode_self_switch", t_runmode_self_switch },
	{ "runmode_unmodified", t_runmode_unmodified },
	{ "runmode_redzone", t_runmode_redzone },
	{ "runmode_switch_load", t_runmode_switch_load },
	{ "runmode_badpid", t_runmode_badpid },
	{ "runmode_denied", t_runmode_denied },
	{ "runmode_faults", t_runmode_faults },
	{ "runmode_preempt_kill", t_runmode_preempt_kill },
	{ "runmode_cca", t_runmode_cca },
	{ "runmode_switch_ways", t_runmode_switch_ways },
	{ NULL, NULL },
};
