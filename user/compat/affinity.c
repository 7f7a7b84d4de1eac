/* sched_getaffinity and sched_setaffinity (taskset's calls): the caller's mask holds CPU 0,
 * a mask made of CPU 0 alone is accepted and read back, and the errors come in Linux's order:
 * a bad length, a pid that does not exist, a mask with no CPU, another user's process, a bad
 * pointer. Raw calls, so the kernel's own answers are compared. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long getaff(long pid, long len, void *mask)
{
	return syscall(SYS_sched_getaffinity, pid, len, mask);
}

static long setaff(long pid, long len, const void *mask)
{
	return syscall(SYS_sched_setaffinity, pid, len, mask);
}

static const char *err(long r)
{
	return r >= 0 ? "ok" : strerror(errno);
}

int main(void)
{
	unsigned long buf[16];
	memset(buf, 0, sizeof(buf));
	long r = getaff(0, sizeof(buf), buf);
	printf("get self: %s, size a multiple of 8: %s, CPU 0 in it: %s\n", err(r),
	       r > 0 && r % 8 == 0 ? "yes" : "no", buf[0] & 1 ? "yes" : "no");
	printf("get pid 1: %s\n", err(getaff(1, sizeof(buf), buf)));
	printf("get len 0: %s\n", err(getaff(0, 0, buf)));
	printf("get len 12: %s\n", err(getaff(0, 12, buf)));
	printf("get pid 999999: %s\n", err(getaff(999999, sizeof(buf), buf)));
	printf("get pid -1: %s\n", err(getaff(-1, sizeof(buf), buf)));
	printf("get bad pointer: %s\n", err(getaff(0, sizeof(buf), (void *)16)));

	unsigned long one = 1, none = 0;
	printf("set CPU 0: %s\n", err(setaff(0, sizeof(one), &one)));
	memset(buf, 0xff, sizeof(buf));
	r = getaff(getpid(), sizeof(buf), buf);
	printf("read back: %s, CPU 0 alone: %s\n", err(r), buf[0] == 1 ? "yes" : "no");
	printf("set no CPU: %s\n", err(setaff(0, sizeof(none), &none)));
	printf("set 4-byte mask of CPU 0: %s\n", err(setaff(0, 4, &one)));
	printf("set bad pointer: %s\n", err(setaff(0, sizeof(one), (void *)16)));
	printf("set pid 999999: %s\n", err(setaff(999999, sizeof(one), &one)));

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(2);
		printf("user 1000 sets pid 1: %s\n", err(setaff(1, sizeof(one), &one)));
		printf("user 1000 sets itself: %s\n", err(setaff(0, sizeof(one), &one)));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child status %d\n", WEXITSTATUS(st));
	cpu_set_t set;
	CPU_ZERO(&set);
	r = sched_getaffinity(0, sizeof(set), &set);
	printf("sched_getaffinity (libc): %s, CPU_ISSET(0): %d\n", err(r), (int)CPU_ISSET(0, &set));
	return 0;
}
