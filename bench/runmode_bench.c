/*
 * Benchmark of the running-mode switch (DMSM, docs/runmode.md), next to the paper's figures
 * 7 and 8: the cost of getpid, read (1 byte of /dev/zero), write (1 byte to /dev/null) and
 * brk (grow and shrink by a page) as a Umode trap (`syscall`), as an Smode call of the
 * kernel's function entry (what the DMSM library does), and as an Smode `syscall` from
 * unmodified code; the cost of each switch call; and a directory listing (getdents + stat of
 * every entry) over 5 and 400 files in Umode and in Smode.
 *
 * One static non-PIE musl binary: on Linux, in the same QEMU, it prints only the Umode
 * numbers. Results are "BENCH key value" lines (medians of RUNS runs), as bench/bench.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "abi/tessera.h"
#include "bench_util.h"

enum {
#define SYSCALL(nr, name, nargs) TNR_##name = nr,
#include "abi/syscalls.def"
#undef SYSCALL
};

#define RUNS 7
#define CALL_ITERS 20000
#define SWITCH_ITERS 20000
#define LS_ITERS 40                 /* listings per run of the 400-file directory */
#define LS_RUNS 9
#define LS_SLICES 20                /* Umode/Smode turns within a run */

/* How the measured code enters the kernel. */
enum form { F_TRAP, F_CALL, F_SYSCALL_S };

static int on_tessera;

/* ---- the two system-call forms ------------------------------------------------------- */

static long trap4(long nr, long a0, long a1, long a2, long a3)
{
	register long r10 __asm__("r10") = a3;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

/* What the DMSM library does in Smode: call the function entry (stepping over the red
 * zone, which the pushed return address would otherwise hit). */
static long call4(long nr, long a0, long a1, long a2, long a3)
{
	uint64_t entry = ((const volatile struct t_cca *)T_CCA_ADDR)->entry;
	register long r10 __asm__("r10") = a3;
	long ret;
	__asm__ volatile("sub $128, %%rsp\n\t"
			 "call *%[entry]\n\t"
			 "add $128, %%rsp"
			 : "=a"(ret), "+r"(r10)
			 : [entry] "r"(entry), "a"(nr), "D"(a0), "S"(a1), "d"(a2)
			 : "rcx", "r11", "r8", "r9", "memory", "cc");
	return ret;
}

/* The library's choice: the control area's flag (only on Tessera). */
static long lib4(long nr, long a0, long a1, long a2, long a3)
{
	if (on_tessera && ((const volatile struct t_cca *)T_CCA_ADDR)->mode == TRM_SMODE)
		return call4(nr, a0, a1, a2, a3);
	return trap4(nr, a0, a1, a2, a3);
}

static long lib3(long nr, long a0, long a1, long a2)
{
	return lib4(nr, a0, a1, a2, 0);
}

static long sys3(enum form f, long nr, long a0, long a1, long a2)
{
	return f == F_CALL ? call4(nr, a0, a1, a2, 0) : trap4(nr, a0, a1, a2, 0);
}

/* ---- timing ---------------------------------------------------------------------------- */

/* A key's median (and its sorted runs, for bench_report.py). */
static void report(const char *key, int64_t *v, int n)
{
	int64_t m = median(v, n);
	print_runs(key, v, n, 1);
	printf("BENCH %s %lld\n", key, (long long)m);
	fflush(stdout);
}

/* ---- the calls ------------------------------------------------------------------------- */

struct ctx {
	int zero_fd, null_fd;
	long brk0;
};

static int64_t one_call_run(enum form f, const char *call, struct ctx *c)
{
	char b = 0;
	int64_t t0 = now_ns();
	if (strcmp(call, "getpid") == 0) {
		for (int i = 0; i < CALL_ITERS; i++)
			sys3(f, SYS_getpid, 0, 0, 0);
	} else if (strcmp(call, "read") == 0) {
		for (int i = 0; i < CALL_ITERS; i++)
			sys3(f, SYS_read, c->zero_fd, (long)&b, 1);
	} else if (strcmp(call, "write") == 0) {
		for (int i = 0; i < CALL_ITERS; i++)
			sys3(f, SYS_write, c->null_fd, (long)&b, 1);
	} else {
		for (int i = 0; i < CALL_ITERS; i++)
			sys3(f, SYS_brk, c->brk0 + (i & 1 ? 0 : 4096), 0, 0);
	}
	return (now_ns() - t0) / CALL_ITERS;
}

static const char *const calls[] = { "getpid", "read", "write", "brk" };
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

/* Every call in every form, the forms taking turns run by run (Umode for the trap, Smode for
 * the other two), so that a slow spell of the host falls on all forms alike. */
static void bench_calls(struct ctx *c)
{
	static const char *const fname[] = { "trap", "call", "ssyscall" };
	static int64_t v[3][NCALLS][RUNS];
	int nforms = on_tessera ? 3 : 1;
	char key[64];
	for (int r = 0; r < RUNS; r++) {
		for (size_t i = 0; i < NCALLS; i++)
			v[F_TRAP][i][r] = one_call_run(F_TRAP, calls[i], c);
		if (!on_tessera)
			continue;
		lib3(TNR_t_switch_supervisor, 0, 0, 0);
		for (size_t i = 0; i < NCALLS; i++) {
			v[F_CALL][i][r] = one_call_run(F_CALL, calls[i], c);
			v[F_SYSCALL_S][i][r] = one_call_run(F_SYSCALL_S, calls[i], c);
		}
		lib3(TNR_t_switch_user, 0, 0, 0);
	}
	for (int f = 0; f < nforms; f++)
		for (size_t i = 0; i < NCALLS; i++) {
			snprintf(key, sizeof(key), "rm_%s_%s_ns", calls[i], fname[f]);
			report(key, v[f][i], RUNS);
		}
}

/* The time-stamp counter: one instruction, no kernel entry, the same in both modes, so it
 * can bracket a single switch without a system call of its own in the span. */
static inline uint64_t tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Counter ticks per microsecond, against the monotonic clock over 20 ms. */
static double tsc_per_us(void)
{
	uint64_t c0 = tsc();
	int64_t t0 = now_ns();
	while (now_ns() - t0 < 20000000)
		;
	return (double)(tsc() - c0) * 1000.0 / (double)(now_ns() - t0);
}

/* Mean ticks of two back-to-back reads: what every bracketed span holds besides its switch. */
static uint64_t tsc_overhead(void)
{
	uint64_t sum = 0;
	for (int i = 0; i < SWITCH_ITERS; i++) {
		uint64_t a = tsc();
		sum += tsc() - a;
	}
	return sum / SWITCH_ITERS;
}

/* One switch_supervisor + switch_user pair, with no clock read inside the loop. */
static int64_t switch_pair_ns(void)
{
	int64_t t0 = now_ns();
	for (int i = 0; i < SWITCH_ITERS; i++) {
		trap4(TNR_t_switch_supervisor, 0, 0, 0, 0);
		call4(TNR_t_switch_user, 0, 0, 0, 0);
	}
	return (now_ns() - t0) / SWITCH_ITERS;
}

/*
 * switch_supervisor(0) is issued as a trap (Umode), switch_user(0) as a call (Smode), each
 * bracketed by two reads of the time-stamp counter (minus the cost of an empty bracket). The
 * pair loop, timed by the clock alone, checks the split. Like the getpid trap they are
 * compared with, both are issued directly, without the library's test of the mode flag. A
 * getpid trap bracketed the same way in the same loop gives the like-for-like yardstick: the
 * emulator's speed for one loop and another can differ by a factor of two within a boot.
 */
static void bench_switch(void)
{
	int64_t to_s[RUNS], to_u[RUNS], get[RUNS], pair[RUNS];
	double per_us = tsc_per_us();
	for (int r = 0; r < RUNS; r++) {
		uint64_t s = 0, u = 0, g = 0, empty = tsc_overhead();
		for (int i = 0; i < SWITCH_ITERS; i++) {
			uint64_t t0 = tsc();
			trap4(TNR_t_switch_supervisor, 0, 0, 0, 0);
			uint64_t t1 = tsc();
			call4(TNR_t_switch_user, 0, 0, 0, 0);
			uint64_t t2 = tsc();
			trap4(SYS_getpid, 0, 0, 0, 0);
			uint64_t t3 = tsc();
			s += t1 - t0 > empty ? t1 - t0 - empty : 0;
			u += t2 - t1 > empty ? t2 - t1 - empty : 0;
			g += t3 - t2 > empty ? t3 - t2 - empty : 0;
		}
		to_s[r] = (int64_t)((double)s / SWITCH_ITERS * 1000.0 / per_us);
		to_u[r] = (int64_t)((double)u / SWITCH_ITERS * 1000.0 / per_us);
		get[r] = (int64_t)((double)g / SWITCH_ITERS * 1000.0 / per_us);
		pair[r] = switch_pair_ns();
	}
	report("rm_switch_to_smode_ns", to_s, RUNS);
	report("rm_switch_to_umode_ns", to_u, RUNS);
	report("rm_switch_loop_getpid_ns", get, RUNS);
	report("rm_switch_pair_ns", pair, RUNS);
}

/* ---- directory listing ----------------------------------------------------------------- */

static int make_dir(const char *dir, int n)
{
	char path[128];
	mkdir(dir, 0755);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/file%03d", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return -1;
		if (write(fd, path, strlen(path)) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* One listing as FreeBSD's `ls -l` (the paper's) does it through fts: read the entries, then
 * lstat each by its name relative to the directory (here fstatat on the directory's fd rather
 * than fts's fchdir). Every call goes through lib3, so in Smode they are function-entry
 * calls. Returns the entries seen. */
static int list_once(const char *dir)
{
	char buf[4096];
	struct stat st;
	int n = 0;
	long fd = lib3(SYS_open, (long)dir, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return -1;
	for (;;) {
		long got = lib3(SYS_getdents64, fd, (long)buf, sizeof(buf));
		if (got <= 0)
			break;
		for (long off = 0; off < got;) {
			struct dirent *d = (struct dirent *)(buf + off);
			off += d->d_reclen;
			if (lib4(SYS_newfstatat, fd, (long)d->d_name, (long)&st,
				 AT_SYMLINK_NOFOLLOW) == 0)
				n++;
		}
	}
	lib3(SYS_close, fd, 0, 0);
	return n;
}

/* Listings per run: some 30-60 ms of them in each mode, so that a timer tick is a small part
 * of a run. */
static int ls_iters(int nfiles)
{
	return nfiles >= 100 ? LS_ITERS : LS_ITERS * 40;
}

/* Nanoseconds of n listings of dir; -1 if one came up short. */
static int64_t ls_slice_ns(const char *dir, int nfiles, int n)
{
	int64_t t0 = now_ns();
	for (int i = 0; i < n; i++)
		if (list_once(dir) < nfiles)
			return -1;
	return now_ns() - t0;
}

/* One run: the mean nanoseconds of a listing in Umode (*u) and, on Tessera, in Smode (*s),
 * the two modes taking turns LS_SLICES times. 0 if a listing came up short. */
static int ls_run_ns(const char *dir, int nfiles, int64_t *u, int64_t *s)
{
	int iters = ls_iters(nfiles), slice = iters / LS_SLICES;
	int64_t t;
	*u = *s = 0;
	for (int k = 0; k < LS_SLICES; k++) {
		if ((t = ls_slice_ns(dir, nfiles, slice)) < 0)
			return -1;
		*u += t;
		if (!on_tessera)
			continue;
		lib3(TNR_t_switch_supervisor, 0, 0, 0);
		t = ls_slice_ns(dir, nfiles, slice);
		lib3(TNR_t_switch_user, 0, 0, 0);
		if (t < 0)
			return -1;
		*s += t;
	}
	*u /= slice * LS_SLICES;
	*s /= slice * LS_SLICES;
	return 0;
}

static void report_us(const char *fmt, int nfiles, int64_t *ns)
{
	int64_t us[LS_RUNS];
	char key[64];
	for (int r = 0; r < LS_RUNS; r++)
		us[r] = (ns[r] + 500) / 1000;
	snprintf(key, sizeof(key), fmt, nfiles);
	report(key, us, LS_RUNS);
}

/* The paired comparison: in how many runs Smode was the faster of the two back-to-back
 * listings (a sign test: all LS_RUNS by chance has probability 2^-LS_RUNS), and the median of
 * the per-run ratios Smode/Umode, in thousandths. */
static void report_pairs(int nfiles, const int64_t *u, const int64_t *s)
{
	int64_t ratio[LS_RUNS];
	int faster = 0;
	for (int r = 0; r < LS_RUNS; r++) {
		faster += s[r] < u[r];
		ratio[r] = s[r] * 1000 / u[r];
	}
	printf("BENCH rm_ls%d_smode_faster_runs %d\n", nfiles, faster);
	printf("BENCH rm_ls%d_pair_ratio_pm %lld\n", nfiles, (long long)median(ratio, LS_RUNS));
}

/*
 * The listing in Umode and in Smode, in turns within each run (on Tessera), so that a slow
 * spell of the host falls on both modes alike: the difference looked for is a few percent.
 */
static int bench_ls(const char *dir, int nfiles)
{
	int64_t u[LS_RUNS], s[LS_RUNS];
	for (int r = 0; r < LS_RUNS; r++)
		if (ls_run_ns(dir, nfiles, &u[r], &s[r]))
			return -1;
	if (on_tessera)
		report_pairs(nfiles, u, s);
	report_us("rm_ls%d_umode_us", nfiles, u);
	if (on_tessera)
		report_us("rm_ls%d_smode_us", nfiles, s);
	return 0;
}

static int bench_listings(void)
{
	if (bench_ls("/tmp/rmbench5", 5) || bench_ls("/tmp/rmbench400", 400)) {
		printf("BENCH rm_error listing failed\n");
		return -1;
	}
	return 0;
}

int main(void)
{
	struct utsname u;
	struct ctx c;
	if (uname(&u) != 0)
		return 1;
	on_tessera = strcmp(u.sysname, "Tessera") == 0;
	printf("BENCH os %s\nBENCH runs %d\n", u.sysname, RUNS);
	printf("BENCH rm_call_iters %d\nBENCH rm_ls5_iters %d\nBENCH rm_ls400_iters %d\n",
	       CALL_ITERS, ls_iters(5), ls_iters(400));
	c.zero_fd = open("/dev/zero", O_RDONLY);
	c.null_fd = open("/dev/null", O_WRONLY);
	c.brk0 = trap4(SYS_brk, 0, 0, 0, 0);
	if (c.zero_fd < 0 || c.null_fd < 0 || c.brk0 <= 0 || make_dir("/tmp/rmbench5", 5) ||
	    make_dir("/tmp/rmbench400", 400)) {
		printf("BENCH rm_error setup failed\n");
		return 1;
	}
	if (on_tessera && (lib3(TNR_t_switch_supervisor, 0, 0, 0) != 0 ||
			   lib3(TNR_t_switch_user, 0, 0, 0) != 0)) {
		printf("BENCH rm_error switch_supervisor refused (not root?)\n");
		return 1;
	}
	bench_calls(&c);
	if (on_tessera)
		bench_switch();
	if (bench_listings())
		return 1;
	printf("BENCH DONE\n");
	return 0;
}
