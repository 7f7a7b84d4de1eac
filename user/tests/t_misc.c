/* Time, sleeping, yielding, identity: clocks, nanosleep, sched_yield, uname, ids. */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

static void clock_monotonic(void)
{
	int64_t prev = ut_now_ns(), first = prev;
	for (int i = 0; i < 5000; i++) {
		int64_t t = ut_now_ns();
		if (t < prev)
			FAIL("CLOCK_MONOTONIC went back from %lld to %lld", (long long)prev,
			     (long long)t);
		prev = t;
	}
	while (ut_now_ns() - first < 30000000)   /* it does advance */
		;
	struct timespec res;
	CHECK_OK(tsys_clock_getres(CLOCK_MONOTONIC, (long)&res));
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000);
	struct timespec a, b;
	CHECK_OK(tsys_clock_gettime(CLOCK_MONOTONIC, (long)&a));
	CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
	CHECK_OK(tsys_clock_gettime(CLOCK_BOOTTIME, (long)&b));
}

static void clock_realtime(void)
{
	struct timespec ts;
	struct timeval tv;
	CHECK_OK(tsys_clock_gettime(CLOCK_REALTIME, (long)&ts));
	CHECK(ts.tv_sec > 1577836800);   /* 2020-01-01 */
	CHECK(ts.tv_sec < 4102444800);   /* 2100-01-01 */
	CHECK_OK(tsys_gettimeofday((long)&tv, 0));
	CHECK(tv.tv_sec - ts.tv_sec <= 2 && tv.tv_sec >= ts.tv_sec);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	long t = tsys_time(0);
	CHECK(t >= ts.tv_sec && t - ts.tv_sec <= 2);
	time_t t2 = 0;
	CHECK_OK(tsys_time((long)&t2));
	CHECK(t2 >= ts.tv_sec);
}

static void nanosleep_time(void)
{
	struct timespec res;
	CHECK_OK(tsys_clock_getres(CLOCK_MONOTONIC, (long)&res));
	static const long ms[] = { 1, 20, 50, 120 };
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		struct timespec req = { 0, ms[i] * 1000000 };
		int64_t t0 = ut_now_ns();
		CHECK_OK(tsys_nanosleep((long)&req, 0));
		int64_t dt = ut_now_ns() - t0;
		if (dt + res.tv_nsec < ms[i] * 1000000)
			FAIL("nanosleep(%ld ms) returned after %lld us", ms[i], (long long)dt / 1000);
		if (dt > 5000000000ll)
			FAIL("nanosleep(%ld ms) took %lld ms", ms[i], (long long)dt / 1000000);
	}
	struct timespec zero = { 0, 0 };
	CHECK_OK(tsys_nanosleep((long)&zero, 0));
	struct timespec req = { 0, 30000000 };
	int64_t t0 = ut_now_ns();
	CHECK_OK(tsys_clock_nanosleep(CLOCK_MONOTONIC, 0, (long)&req, 0));
	CHECK(ut_now_ns() - t0 + res.tv_nsec >= 30000000);
}

static void yield(void)
{
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(tsys_sched_yield(), 0);
	/* two children yielding to each other both finish */
	const char *const args[] = { "yield", "500", NULL };
	int a = ut_spawn_helper(args), b = ut_spawn_helper(args);
	CHECK_EQ(ut_wait(a), 0);
	CHECK_EQ(ut_wait(b), 0);
}

static void uname_fields(void)
{
	struct utsname u;
	CHECK_OK(tsys_uname((long)&u));
	if (strcmp(u.sysname, "Tessera") != 0)
		FAIL("sysname is '%s'", u.sysname);
	CHECK(strcmp(u.machine, "x86_64") == 0);
	CHECK(u.release[0] != '\0');
	CHECK(u.nodename[0] != '\0');
	CHECK(memchr(u.version, '\0', sizeof(u.version)) != NULL);
}

/* /etc/hosts names the boot-time host name (on a loopback address) and localhost, as a
 * Linux system's does: `hostname -f` and `hostname -d` (gethostbyname) need it. */
static void etc_hosts(void)
{
	struct utsname u;
	char buf[1024], name[80], addr[80];
	CHECK_OK(tsys_uname((long)&u));
	FILE *f = fopen("/etc/hosts", "r");
	CHECK(f != NULL);
	int host = 0, localhost = 0;
	while (fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%79s %79s", addr, name) != 2 || addr[0] == '#')
			continue;
		host |= strcmp(name, u.nodename) == 0 && strncmp(addr, "127.", 4) == 0;
		localhost |= strcmp(name, "localhost") == 0 && strcmp(addr, "127.0.0.1") == 0;
	}
	fclose(f);
	if (!host || !localhost)
		FAIL("/etc/hosts: %s on 127.x %s, localhost %s", u.nodename, host ? "yes" : "no",
		     localhost ? "yes" : "no");
}

static void ids(void)
{
	CHECK(getpid() > 1);
	CHECK(getppid() >= 1);
	CHECK_EQ(tsys_gettid(), getpid());
	CHECK_EQ(getuid(), 0);
	CHECK_EQ(geteuid(), 0);
	CHECK_EQ(getgid(), 0);
	CHECK_EQ(getegid(), 0);
	CHECK_OK(tsys_setgid(50));
	CHECK_EQ(getgid(), 50);
	CHECK_OK(tsys_setuid(1000));
	CHECK_EQ(getuid(), 1000);
	CHECK_EQ(geteuid(), 1000);
	CHECK_OK(tsys_setuid(1000));   /* to oneself: allowed */
	CHECK_ERR(tsys_setuid(0), EPERM);
	CHECK_ERR(tsys_setgid(0), EPERM);
	CHECK_EQ(getuid(), 1000);
	CHECK_ERR(t_poweroff(3), EPERM);   /* only root may turn the machine off */
}

const struct utest ut_misc_tests[] = {
	{ "clock_monotonic", clock_monotonic },
	{ "clock_realtime", clock_realtime },
	{ "nanosleep_time", nanosleep_time },
	{ "yield", yield },
	{ "uname_fields", uname_fields },
	{ "etc_hosts", etc_hosts },
	{ "ids", ids },
	{ NULL, NULL },
};
