/*
 * The vDSO: a small ELF shared object the kernel maps into every space (kernel/proc/vdso.c)
 * and names in AT_SYSINFO_EHDR, so that musl and glibc read the clocks with no kernel entry.
 * It computes time exactly as the kernel's clock does (arch/x86_64/timer.c: the TSC since
 * boot times a 32.32 fixed-point factor from its calibrated frequency), from the base the kernel keeps in the read-only
 * data page (abi/vdso.h) under a sequence lock; clocks it does not keep (the CPU-time ones,
 * bad ids) go to the system call, as Linux's vDSO does. Built position-independent with its
 * own linker script (vdso.lds) and checked to need no relocation (tools/vdso_check.sh).
 */
#include <stddef.h>
#include "abi/linux.h"
#include "abi/vdso.h"

struct vdso_timezone {
	int tz_minuteswest, tz_dsttime;
};

long __vdso_clock_gettime(long clk, struct linux_timespec *ts);
long __vdso_clock_getres(long clk, struct linux_timespec *res);
long __vdso_gettimeofday(struct linux_timeval *tv, struct vdso_timezone *tz);
long __vdso_time(long *t);
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache);

enum { NR_CLOCK_GETTIME = 228, NR_CLOCK_GETRES = 229 };

static long syscall2(long nr, long a, long b)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return r;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

/* The clocks the kernel's clock_gettime answers from the same time base, as bit masks over the
 * clock id (ids 0..7), and those of them that count from the epoch. */
#define KEPT_CLOCKS (1u << L_CLOCK_REALTIME | 1u << L_CLOCK_MONOTONIC |                      \
		     1u << L_CLOCK_MONOTONIC_RAW | 1u << L_CLOCK_REALTIME_COARSE |               \
		     1u << L_CLOCK_MONOTONIC_COARSE | 1u << L_CLOCK_BOOTTIME)
#define REAL_CLOCKS (1u << L_CLOCK_REALTIME | 1u << L_CLOCK_REALTIME_COARSE)

static int kept_clock(long clk)
{
	return (unsigned long)clk < 8 && (KEPT_CLOCKS >> clk & 1);
}

/*
 * Internal (calls between exported functions would go through a PLT otherwise). Written for
 * few instructions on the common path, which under QEMU's emulation is what a read costs
 * beside the TSC itself: one test for the clock id, a sequence-lock retry on one branch, no
 * test of the data page being set up (vdso_init fills it before the first process exists),
 * and the division by 10^9 by a constant (a multiplication).
 */
static long gettime(long clk, struct linux_timespec *ts)
{
	const struct vdso_data *d = (const struct vdso_data *)VDSO_DATA_ADDR;
	uint64_t base, mult, rb, now;
	uint32_t seq;
	if (!kept_clock(clk))
		return syscall2(NR_CLOCK_GETTIME, clk, (long)ts);
	do {
		seq = d->seq;
		__asm__ volatile("" ::: "memory");
		base = d->tsc_base;
		mult = d->tsc_mult;
		rb = d->realtime_base_ns;
		now = rdtsc();
		__asm__ volatile("" ::: "memory");
	} while ((seq & 1) | (seq ^ d->seq));
	uint64_t ns = (uint64_t)(((unsigned __int128)(now - base) * mult) >> 32);
	if (REAL_CLOCKS >> clk & 1)
		ns += rb;
	ts->tv_sec = (int64_t)(ns / 1000000000ull);
	ts->tv_nsec = (int64_t)(ns % 1000000000ull);
	return 0;
}

long __vdso_clock_gettime(long clk, struct linux_timespec *ts)
{
	return gettime(clk, ts);
}

long __vdso_clock_getres(long clk, struct linux_timespec *res)
{
	if (!kept_clock(clk))
		return syscall2(NR_CLOCK_GETRES, clk, (long)res);
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = 1;
	}
	return 0;
}

long __vdso_gettimeofday(struct linux_timeval *tv, struct vdso_timezone *tz)
{
	struct linux_timespec ts;
	long r = 0;
	if (tv) {
		if ((r = gettime(L_CLOCK_REALTIME, &ts)))
			return r;
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	if (tz) {
		tz->tz_minuteswest = 0;
		tz->tz_dsttime = 0;
	}
	return r;
}

long __vdso_time(long *t)
{
	struct linux_timespec ts;
	long r = gettime(L_CLOCK_REALTIME, &ts);
	if (r)
		return r;
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

/* One CPU, one memory node. */
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	(void)cache;
	if (cpu)
		*cpu = 0;
	if (node)
		*node = 0;
	return 0;
}

/* The plain names too, as Linux's vDSO has them (same LINUX_2.6 version). */
long clock_gettime(long clk, struct linux_timespec *ts)
	__attribute__((weak, alias("__vdso_clock_gettime")));
long clock_getres(long clk, struct linux_timespec *res)
	__attribute__((weak, alias("__vdso_clock_getres")));
long gettimeofday(struct linux_timeval *tv, struct vdso_timezone *tz)
	__attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *t) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned *cpu, unsigned *node, void *cache)
	__attribute__((weak, alias("__vdso_getcpu")));
