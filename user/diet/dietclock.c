/* A program built with dietlibc (Debian's dietlibc-dev), which finds the vDSO itself through
 * AT_SYSINFO_EHDR (and, without one, reads the legacy vsyscall page as if it were one: what
 * used to kill such programs on Tessera). Exits 0 when time(), gettimeofday() and
 * clock_gettime() agree with each other and with the time the test passes in argv[1]. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timeval tv;
	struct timespec ts;
	long want = argc > 1 ? atol(argv[1]) : 0;
	time_t t = time(NULL);
	int ok = gettimeofday(&tv, NULL) == 0 && clock_gettime(CLOCK_REALTIME, &ts) == 0;
	ok = ok && t >= want && tv.tv_sec >= t && ts.tv_sec >= tv.tv_sec && ts.tv_sec - want < 60;
	printf("dietclock: time %ld, gettimeofday %ld, clock_gettime %ld: %s\n", (long)t,
	       (long)tv.tv_sec, (long)ts.tv_sec, ok ? "ok" : "wrong");
	return ok ? 0 : 1;
}
