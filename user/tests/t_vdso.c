/*
 * The vDSO and the legacy vsyscall page (kernel/proc/vdso.c, kernel/sys/vsyscall.c): the
 * vDSO is where AT_SYSINFO_EHDR says, its functions resolve as the C libraries look them up
 * (sysv hash, LINUX_2.6 version) and agree with the system calls, its pages cannot be
 * written, and it is there in a space entered without a program load (HVS) and in Smode.
 * The vsyscall entries answer as the calls do; reading the page, a misaligned entry, a bad
 * stack or a bad pointer end the process with SIGSEGV, as on Linux.
 */
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "abi/vdso.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

/* ---- finding a symbol as musl's __vdsosym does --------------------------------------- */

static int version_ok(const Elf64_Verdef *def, int idx, const char *want, const char *strings)
{
	for (; def; def = def->vd_next ? (void *)((char *)def + def->vd_next) : NULL) {
		if (!(def->vd_flags & VER_FLG_BASE) && (def->vd_ndx & 0x7fff) == idx) {
			const Elf64_Verdaux *aux = (void *)((char *)def + def->vd_aux);
			return strcmp(want, strings + aux->vda_name) == 0;
		}
	}
	return 0;
}

static void *vdso_sym(const char *name)
{
	const Elf64_Ehdr *eh = (void *)getauxval(AT_SYSINFO_EHDR);
	if (!eh)
		return NULL;
	const Elf64_Phdr *ph = (void *)((char *)eh + eh->e_phoff);
	size_t base = (size_t)-1, *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			base = (size_t)eh + ph[i].p_offset - ph[i].p_vaddr;
		else if (ph[i].p_type == PT_DYNAMIC)
			dyn = (void *)((char *)eh + ph[i].p_offset);
	}
	if (!dyn || base == (size_t)-1)
		return NULL;
	const char *strings = NULL;
	const Elf64_Sym *syms = NULL;
	const Elf32_Word *hash = NULL;
	const Elf64_Half *versym = NULL;
	const Elf64_Verdef *verdef = NULL;
	for (int i = 0; dyn[i]; i += 2) {
		void *p = (void *)(base + dyn[i + 1]);
		if (dyn[i] == DT_STRTAB) strings = p;
		if (dyn[i] == DT_SYMTAB) syms = p;
		if (dyn[i] == DT_HASH) hash = p;
		if (dyn[i] == DT_VERSYM) versym = p;
		if (dyn[i] == DT_VERDEF) verdef = p;
	}
	if (!strings || !syms || !hash || !versym || !verdef)
		return NULL;
	for (size_t i = 0; i < hash[1]; i++) {
		if (ELF64_ST_TYPE(syms[i].st_info) != STT_FUNC || !syms[i].st_shndx ||
		    strcmp(name, strings + syms[i].st_name))
			continue;
		if (version_ok(verdef, versym[i], "LINUX_2.6", strings))
			return (void *)(base + syms[i].st_value);
	}
	return NULL;
}

static void check_vsyscalls(void);

typedef long (*cgt_fn)(long, struct timespec *);
typedef long (*gtod_fn)(struct timeval *, void *);
typedef long (*time_fn)(long *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* The vDSO's clocks fall between two system calls' readings of the same clock. */
static void check_clocks(void)
{
	cgt_fn cgt = (cgt_fn)vdso_sym("__vdso_clock_gettime");
	gtod_fn gtod = (gtod_fn)vdso_sym("__vdso_gettimeofday");
	time_fn tm = (time_fn)vdso_sym("__vdso_time");
	getcpu_fn gc = (getcpu_fn)vdso_sym("__vdso_getcpu");
	CHECK(cgt && gtod && tm && gc);
	static const long clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
				       CLOCK_BOOTTIME, CLOCK_REALTIME_COARSE };
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec a, b, c;
		CHECK_OK(tsys_clock_gettime(clocks[i], (long)&a));
		CHECK_EQ(cgt(clocks[i], &b), 0);
		CHECK_OK(tsys_clock_gettime(clocks[i], (long)&c));
		CHECK(ns_of(&a) <= ns_of(&b) && ns_of(&b) <= ns_of(&c));
		CHECK(b.tv_nsec >= 0 && b.tv_nsec < 1000000000);
	}
	struct timespec ts;
	CHECK_ERR(cgt(12345, &ts), EINVAL);              /* not kept: the system call answers */
	CHECK_EQ(cgt(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	struct timeval tv;
	long t0 = tsys_time(0), t1;
	CHECK_EQ(gtod(&tv, NULL), 0);
	CHECK(tv.tv_sec >= t0 && tv.tv_sec <= tsys_time(0) && tv.tv_usec < 1000000);
	CHECK(tm(&t1) >= t0 && t1 >= t0 && t1 <= tsys_time(0));
	unsigned cpu = 7, node = 7;
	CHECK_EQ(gc(&cpu, &node, NULL), 0);
	CHECK(cpu == 0 && node == 0);
	CHECK_EQ(gc(NULL, NULL, NULL), 0);
}

static void vdso_symbols(void)
{
	CHECK_EQ(getauxval(AT_SYSINFO_EHDR), VDSO_TEXT_ADDR);
	const char *const names[] = { "__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time",
				      "__vdso_getcpu", "__vdso_clock_getres", "clock_gettime",
				      "gettimeofday", "time", "getcpu" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!vdso_sym(names[i]))
			FAIL("%s@LINUX_2.6 not found in the vDSO", names[i]);
	CHECK(vdso_sym("__vdso_no_such_thing") == NULL);
	check_clocks();
	/* musl's own clock_gettime goes through it too: same answers */
	struct timespec a, b;
	CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &a));
	CHECK_OK(tsys_clock_gettime(CLOCK_MONOTONIC, (long)&b));
	CHECK(ns_of(&a) <= ns_of(&b));
	/* a fork child's new space has it too (mapped on its first touch if not before) */
	pid_t pid = fork();
	if (pid == 0) {
		check_clocks();
		check_vsyscalls();
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
}

/* The pages are read-only to everyone: a store faults, a system call may read them but
 * never write into them. */
static void vdso_readonly(void)
{
	int fds[2];
	char buf[16];
	CHECK_OK(pipe(fds));
	CHECK_EQ(write(fds[1], (void *)VDSO_TEXT_ADDR, 4), 4);
	CHECK_EQ(read(fds[0], buf, 4), 4);
	CHECK(memcmp(buf, "\x7f" "ELF", 4) == 0);
	CHECK_EQ(write(fds[1], "abcd", 4), 4);
	CHECK_ERR(tsys_read(fds[0], VDSO_DATA_ADDR, 4), EFAULT);
	CHECK_OK(close(fds[0]));
	CHECK_OK(close(fds[1]));
	const char *const w1[] = { "vdso", "write-data", NULL }, *const w2[] = { "vdso", "write-text", NULL };
	int st = ut_run_helper(w1);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = ut_run_helper(w2);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

/* A space made by vm create never had a program load: the first touch maps the vDSO. */
static void vdso_hvs_space(void)
{
	char name[T_NAME_MAX];
	rid_t s;
	snprintf(name, sizeof(name), "ut-vdso-%d", getpid());
	CHECK_OK(t_vm_create(name, 0, &s));
	CHECK_OK(t_proc_move(0, s));
	check_clocks();
	const char *const args[] = { "utest", "-c", "vdso", "clocks", NULL };
	int pid;
	CHECK_OK(t_proccreate(NULL, "/bin/utest", args, s, 0, &pid));
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_OK(t_proc_move(0, 0));
	CHECK_OK(t_res_delete(s));
}

/* Ring 0 code reads the clocks through the vDSO and calls the vsyscall page too. */
static void vdso_smode(void)
{
	const char *const args[] = { "vdso", "smode", NULL };
	CHECK_EQ(ut_run_helper(args), 0);
}

/* ---- the vsyscall page --------------------------------------------------------------- */

static long vcall(uint64_t addr, long a, long b)
{
	long r;
	/* step over the red zone first: the call pushes its return address */
	__asm__ volatile("sub $128, %%rsp; call *%1; add $128, %%rsp"
			 : "=a"(r)
			 : "r"(addr), "D"(a), "S"(b), "d"(0)
			 : "rcx", "r8", "r9", "r10", "r11", "memory");
	return r;
}

static void check_vsyscalls(void)
{
	struct timeval tv;
	long t0 = tsys_time(0), t;
	CHECK_EQ(vcall(VSYSCALL_ADDR + VSYSCALL_GETTIMEOFDAY, (long)&tv, 0), 0);
	CHECK(tv.tv_sec >= t0 && tv.tv_sec <= tsys_time(0));
	CHECK_EQ(vcall(VSYSCALL_ADDR + VSYSCALL_GETTIMEOFDAY, 0, 0), 0);
	long r = vcall(VSYSCALL_ADDR + VSYSCALL_TIME, (long)&t, 0);
	CHECK(r >= t0 && r == t && r <= tsys_time(0));
	CHECK(vcall(VSYSCALL_ADDR + VSYSCALL_TIME, 0, 0) >= t0);
	unsigned cpu = 5, node = 5;
	CHECK_EQ(vcall(VSYSCALL_ADDR + VSYSCALL_GETCPU, (long)&cpu, (long)&node), 0);
	CHECK(cpu == 0 && node == 0);
}

static void vsyscall_calls(void)
{
	for (int i = 0; i < 100; i++)
		check_vsyscalls();
}

static void expect_segv(const char *what)
{
	const char *const args[] = { "vdso", what, NULL };
	int st = ut_run_helper(args);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
		FAIL("helper vdso %s ended with status 0x%x, expected SIGSEGV", what, st);
}

static void vsyscall_faults(void)
{
	expect_segv("read");
	expect_segv("misaligned");
	expect_segv("badptr");
	expect_segv("badstack");
}

/* utest -c vdso WHAT: what the tests above need done in a process of its own. */
int ut_helper_vdso(int argc, char **argv)
{
	const char *what = argc > 3 ? argv[3] : "";
	if (strcmp(what, "clocks") == 0) {
		check_clocks();
		check_vsyscalls();
	} else if (strcmp(what, "smode") == 0) {
		CHECK_OK(t_switch_supervisor(0));
		check_clocks();
		check_vsyscalls();
		CHECK_OK(t_switch_user(0));
	} else if (strcmp(what, "write-data") == 0) {
		*(volatile char *)VDSO_DATA_ADDR = 1;
	} else if (strcmp(what, "write-text") == 0) {
		*(volatile char *)VDSO_TEXT_ADDR = 1;
	} else if (strcmp(what, "read") == 0) {
		return *(volatile char *)VSYSCALL_ADDR;
	} else if (strcmp(what, "misaligned") == 0) {
		vcall(VSYSCALL_ADDR + 0x10, 0, 0);
	} else if (strcmp(what, "badptr") == 0) {
		vcall(VSYSCALL_ADDR + VSYSCALL_GETTIMEOFDAY, 8, 0);
	} else if (strcmp(what, "badstack") == 0) {
		__asm__ volatile("mov $8, %%rsp; jmp *%0" : : "r"(VSYSCALL_ADDR) : "memory");
	} else {
		return 2;
	}
	return 0;
}

/* A dietlibc program (user/diet/dietclock.c) reads the clocks through the vDSO it finds
 * itself; without one it would read the vsyscall page as an ELF image and die. */
static void vdso_dietlibc(void)
{
	char now[32];
	snprintf(now, sizeof(now), "%ld", (long)tsys_time(0));
	const char *argv[] = { "dietclock", now, NULL };
	CHECK_EQ(ut_run("/bin/dietclock", argv), 0);
}

/* /proc/self/maps names the vDSO's pages as Linux does, [vvar] then [vdso] at the address
 * AT_SYSINFO_EHDR gives, and last the legacy page as vsyscall=xonly shows it. */
static void vdso_maps(void)
{
	static char buf[8192];
	char want[160];
	FILE *f = fopen("/proc/self/maps", "r");
	CHECK(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	uint64_t ehdr = getauxval(AT_SYSINFO_EHDR);
	CHECK_EQ(ehdr, VDSO_TEXT_ADDR);
	char head[80];
	snprintf(head, sizeof(head), "%llx-%llx r--p 00000000 00:00 0 ",
		 (unsigned long long)VDSO_DATA_ADDR, (unsigned long long)VDSO_DATA_ADDR + 4096);
	snprintf(want, sizeof(want), "%-73s[vvar]\n%llx-", head, (unsigned long long)ehdr);
	char *v = strstr(buf, want);
	if (!v)
		FAIL("no [vvar] line followed by the vDSO in:\n%s", buf);
	char *d = strchr(v, '\n') + 1, *end = strchr(d, '\n');
	CHECK(end && end - d > 20 && memcmp(end - 7, " [vdso]", 7) == 0);
	CHECK(strstr(d, " r-xp 00000000 00:00 0 ") == d + 25);
	const char *last = "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
			   "                  [vsyscall]\n";
	CHECK(n > strlen(last) && strcmp(buf + n - strlen(last), last) == 0);
}

const struct utest ut_vdso_tests[] = {
	{ "vdso_maps", vdso_maps },
	{ "vdso_dietlibc", vdso_dietlibc },
	{ "vdso_symbols", vdso_symbols },
	{ "vdso_readonly", vdso_readonly },
	{ "vdso_hvs_space", vdso_hvs_space },
	{ "vdso_smode", vdso_smode },
	{ "vsyscall_calls", vsyscall_calls },
	{ "vsyscall_faults", vsyscall_faults },
	{ NULL, NULL },
};
