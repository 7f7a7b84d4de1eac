/*
 * utest group "runmode": the dynamic running-mode switch (DMSM, docs/runmode.md). Processes
 * are switched between Umode (ring 3) and Smode (ring 0) while they compute, block or loop on
 * system calls, and check their own results and privilege level all along; bad pids, denied
 * switches, faults in ring-0 application code, killing and preempting Smode code, the red
 * zone across interrupts, and unmodified (musl `syscall`) code in Smode.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
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

/* Switches the caller to mode and checks that it took effect at the end of that call. */
static void switch_self(uint32_t mode)
{
	int err = mode == TRM_SMODE ? t_switch_supervisor(0) : t_switch_user(0);
	CHECK_EQ(err, 0);
	CHECK_EQ(t_runmode_self(), mode);
	CHECK_EQ(t_cpl(), mode == TRM_SMODE ? 0 : 3);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
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
	int64_t end = now_ns() + (int64_t)ms * 1000000;
	int pid = getpid();
	uint64_t seen[2] = { 0, 0 };     /* calls that returned in Umode / Smode */
	while (now_ns() < end) {
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

/* ---- interrupts during Smode light calls ---- */

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* One round of light calls (stat, clock_gettime) from Smode, each answer checked. */
static bool light_round(const struct stat *want, struct timespec *last)
{
	struct stat st;
	struct timespec ts;
	for (int i = 0; i < 20; i++) {
		if (tsys_stat((long)"/bin/sh", (long)&st) != 0 || st.st_size != want->st_size ||
		    st.st_ino != want->st_ino)
			return false;
		if (tsys_clock_gettime(CLOCK_MONOTONIC, (long)&ts) != 0 ||
		    ts.tv_sec < last->tv_sec ||
		    (ts.tv_sec == last->tv_sec && ts.tv_nsec < last->tv_nsec))
			return false;
		*last = ts;
	}
	return t_cpl() == 0;
}

/* Light calls in a tight loop in Smode while a 5 ms interval timer runs: timer interrupts
 * land inside the calls and are held back to their end (smode_entry.S), where the signal
 * is delivered. "alarm": with a handler, until both have happened several times (exit 0);
 * "die": with SIGALRM's default action, which must end the process. */
static int helper_light_irq(const char *how)
{
	struct stat want;
	struct timespec last = { 0, 0 };
	struct t_runmode_info a, b;
	struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
	if (strcmp(how, "alarm") == 0 && signal(SIGALRM, on_alarm) == SIG_ERR)
		return 80;
	if (stat("/bin/sh", &want) != 0 || t_switch_supervisor(0) != 0 || t_runmode_info(0, &a))
		return 81;
	if (setitimer(ITIMER_REAL, &it, NULL) != 0)
		return 82;
	int64_t end = now_ns() + 20ll * 1000000000;
	do {
		if (!light_round(&want, &last))
			return 83;
		if (t_runmode_info(0, &b) != 0)
			return 84;
	} while ((b.held_back - a.held_back < 5 || alarms < 5) && now_ns() < end);
	printf("utest -c runmode light %s: %llu interrupts held back, %d alarms\n", how,
	       (unsigned long long)(b.held_back - a.held_back), alarms);
	return b.held_back - a.held_back >= 5 && alarms >= 5 ? 0 : 85;
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
	if (strcmp(kind, "light") == 0 && argc > 4)
		return helper_light_irq(argv[4]);
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
		switch_self(TRM_SMODE);
		CHECK_OK(t_runmode_info(0, &a));
		CHECK_EQ(tsys_getpid(), pid);
		CHECK_OK(t_runmode_info(0, &b));
		CHECK_EQ(b.calls - a.calls, 2);       /* getpid and this info call */
		CHECK_EQ(b.mode, TRM_SMODE);
		CHECK_EQ(getpid(), pid);              /* musl: syscall instruction in ring 0 */
		CHECK_EQ(t_cpl(), 0);
		switch_self(TRM_UMODE);
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
	switch_self(TRM_SMODE);
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
	switch_self(TRM_UMODE);
}

/* Interrupts arriving while ring-0 code runs must not touch the 128 bytes below its stack
 * pointer: fill them, spin across many timer ticks without touching memory, compare. */
static void t_runmode_redzone(void)
{
	switch_self(TRM_SMODE);
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
	switch_self(TRM_UMODE);
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

/* Interrupts that arrive inside Smode light calls are held back and delivered at their end:
 * a signal handler runs, and SIGALRM's default action ends the process, not the kernel. */
static void t_runmode_light_irq(void)
{
	const char *alarm_args[] = { "runmode", "light", "alarm", NULL };
	CHECK_EQ(ut_run_helper(alarm_args), 0);
	const char *die_args[] = { "runmode", "light", "die", NULL };
	int status = ut_run_helper(die_args);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM);
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

/* ---- flags across an unmodified `syscall` in ring 0 ------------------------------------- */

#define FL_IF 0x200ul
#define FL_DF 0x400ul

/* `syscall` from ring 0 with the given flags set first (DF, or IF cleared); returns the call's
 * result and the flags right after it. */
static long ring0_syscall_flags(long nr, long a0, bool set_df, bool clear_if, unsigned long *fl)
{
	long ret;
	__asm__ volatile("test %[df], %[df]\n\t"
			 "jz 1f\n\t"
			 "std\n"
			 "1:\t"
			 "test %[ci], %[ci]\n\t"
			 "jz 2f\n\t"
			 "cli\n"
			 "2:\t"
			 "syscall\n\t"
			 "pushfq\n\t"
			 "popq %[fl]\n\t"
			 "cld\n\t"
			 "sti"
			 : "=a"(ret), [fl] "=r"(*fl)
			 : "a"(nr), "D"(a0), [df] "r"((long)set_df), [ci] "r"((long)clear_if)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

/* The leaf and light paths return to ring-0 callers with a jump; flags the caller had (DF
 * set, interrupts off) must come back exactly, as `sysretq` gives them back in ring 3. */
static void t_runmode_syscall_flags(void)
{
	struct utsname un;
	unsigned long fl;
	int pid = getpid();
	switch_self(TRM_SMODE);
	for (int k = 0; k < 3; k++) {
		bool df = k == 1, ci = k == 2;
		CHECK_EQ(ring0_syscall_flags(SYS_getpid, 0, df, ci, &fl), pid);          /* leaf */
		CHECK_EQ(!!(fl & FL_DF), df);
		CHECK_EQ(!(fl & FL_IF), ci);
		CHECK_OK(ring0_syscall_flags(SYS_uname, (long)&un, df, ci, &fl));         /* light */
		CHECK(strcmp(un.sysname, "Tessera") == 0);
		CHECK_EQ(!!(fl & FL_DF), df);
		CHECK_EQ(!(fl & FL_IF), ci);
		CHECK_EQ(ring0_syscall_flags(SYS_sched_yield, 0, df, ci, &fl), 0);       /* full */
		CHECK_EQ(!!(fl & FL_DF), df);
		CHECK_EQ(!(fl & FL_IF), ci);
	}
	switch_self(TRM_UMODE);
}

/* ---- the leaf path ---------------------------------------------------------------------- */

static const long leaf_nrs[] = { SYS_getpid, SYS_gettid, SYS_getppid, SYS_getuid,
				 SYS_geteuid, SYS_getgid, SYS_getegid };
#define NLEAF (sizeof(leaf_nrs) / sizeof(leaf_nrs[0]))

/* A forked child: reports the pid the leaf path gives it first, then asks again and again
 * (in both modes, while its siblings do the same and preempt it) and must always get the
 * same pid and parent; then a change of uid must show in the very next call. */
static int leaf_child(int wfd, int parent)
{
	long first = tsys_getpid();
	if (write(wfd, &first, sizeof(first)) != (ssize_t)sizeof(first))
		return 10;
	for (int round = 0; round < 2; round++) {
		if (round == 1 && t_switch_supervisor(0) != 0)
			return 11;
		for (int i = 0; i < 5000; i++)
			if (tsys_getpid() != first || tsys_gettid() != first ||
			    tsys_getppid() != parent)
				return 12 + round;
	}
	if (t_switch_user(0) != 0 || tsys_setuid(1000) != 0)
		return 14;
	if (tsys_getuid() != 1000 || tsys_geteuid() != 1000 || syscall(SYS_getuid) != 1000)
		return 15;
	return 0;
}

/* The answers of the identity calls while a switch of a blocked child is pending: then the
 * leaf path declines (runmode_npending) and the C handlers answer. */
static void leaf_baseline(long want[NLEAF])
{
	struct t_runmode_info child;
	int kid = fork();
	CHECK(kid >= 0);
	if (kid == 0) {
		pause();
		_exit(0);
	}
	usleep(20000);
	CHECK_OK(t_switch_supervisor(kid));
	CHECK_OK(t_runmode_info(kid, &child));
	CHECK_EQ(child.pending, TRM_SMODE);
	for (size_t i = 0; i < NLEAF; i++)
		want[i] = tsys_call(leaf_nrs[i], 0, 0, 0, 0, 0, 0);
	CHECK_OK(kill(kid, SIGKILL));
	CHECK(WIFSIGNALED(ut_wait(kid)));
}

/* The identity calls the leaf path answers (kernel/sys/syscall.h) give what the C handlers
 * give, in every form: the trap, the Smode call and an unmodified `syscall` at ring 0. New
 * children see their own pid from their first call. */
static void t_runmode_leaf(void)
{
	long want[NLEAF];
	leaf_baseline(want);
	CHECK_EQ(want[0], getpid());
	CHECK_EQ(want[3], (long)getuid());
	for (size_t i = 0; i < NLEAF; i++)
		CHECK_EQ(tsys_call(leaf_nrs[i], 0, 0, 0, 0, 0, 0), want[i]);
	switch_self(TRM_SMODE);
	for (size_t i = 0; i < NLEAF; i++) {
		CHECK_EQ(tsys_call(leaf_nrs[i], 0, 0, 0, 0, 0, 0), want[i]);
		CHECK_EQ(syscall(leaf_nrs[i]), want[i]);
	}
	switch_self(TRM_UMODE);
	enum { KIDS = 4 };
	int fds[2], kid[KIDS];
	CHECK_OK(pipe(fds));
	for (int k = 0; k < KIDS; k++) {
		kid[k] = fork();
		CHECK(kid[k] >= 0);
		if (kid[k] == 0) {
			close(fds[0]);
			_exit(leaf_child(fds[1], (int)want[0]));
		}
	}
	close(fds[1]);
	long seen[KIDS];
	for (int k = 0; k < KIDS; k++)
		CHECK_EQ(read(fds[0], &seen[k], sizeof(seen[k])), (long)sizeof(seen[k]));
	close(fds[0]);
	for (int k = 0; k < KIDS; k++) {
		bool found = false;
		for (int j = 0; j < KIDS; j++)
			found |= seen[j] == kid[k];
		CHECK(found);
		int status = ut_wait(kid[k]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
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
		switch_self(TRM_SMODE);
		switch_self(TRM_UMODE);
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
		switch_self(TRM_SMODE);
		CHECK_EQ(((const volatile struct t_cca *)T_CCA_ADDR)->mode, TRM_SMODE);
		switch_self(TRM_UMODE);
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
	{ "runmode_leaf", t_runmode_leaf },
	{ "runmode_switch_ways", t_runmode_switch_ways },
	{ "runmode_light_irq", t_runmode_light_irq },
	{ "runmode_syscall_flags", t_runmode_syscall_flags },
	{ NULL, NULL },
};
