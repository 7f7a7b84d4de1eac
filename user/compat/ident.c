/* Compatibility program: identity and a few small calls, run as root on both systems. In
 * forked children: setresuid/getresuid, setreuid, setuid with a saved root, the gid forms,
 * setfsuid, the errors of unprivileged changes and of kill between users; then creat, the
 * old getdents (d_type in the last byte), flock, sched_getaffinity/sched_setaffinity and
 * eventfd.
 * Each result is printed so the output can be compared with Linux. argv[1] is not needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compat.h"

static void ids(const char *when)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%s: uid %u %u %u gid %u %u %u fsuid %d\n", when, r, e, s, gr, ge, gs,
	       setfsuid(-1));
}

/* Runs fn in a child and waits, so the parent stays root. */
static void in_child(void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child status %d\n", st);
}

static void uids(void)
{
	ids("start");
	show("setresuid 1000 1001 1002", syscall(SYS_setresuid, 1000, 1001, 1002));
	ids("after");
	show("setresuid 5 -1 -1", syscall(SYS_setresuid, 5, -1, -1));
	show("setuid 0", syscall(SYS_setuid, 0));
	show("setuid 1002 (saved)", syscall(SYS_setuid, 1002));
	ids("setuid");
	show("setreuid 1001 1000", syscall(SYS_setreuid, 1001, 1000));
	ids("setreuid");
	show("setreuid -1 7", syscall(SYS_setreuid, -1, 7));
	show("setfsuid 1001", setfsuid(1001));
	show("setfsuid 4", setfsuid(4));
	ids("fs");
	show("kill parent", kill(getppid(), 0));
}

static void saved_root(void)
{
	show("setresuid 1000 1000 0", syscall(SYS_setresuid, 1000, 1000, 0));
	show("setuid 0", syscall(SYS_setuid, 0));
	ids("back");
	show("setuid 0 again", syscall(SYS_setuid, 0));
	ids("root");
	show("setgid 20", syscall(SYS_setgid, 20));
	show("setresgid 1 2 3", syscall(SYS_setresgid, 1, 2, 3));
	show("setregid 3 -1", syscall(SYS_setregid, 3, -1));
	show("setuid 1000", syscall(SYS_setuid, 1000));
	ids("user");
	show("setresgid -1 2 -1", syscall(SYS_setresgid, -1, 2, -1));
	show("setresgid -1 9 -1", syscall(SYS_setresgid, -1, 9, -1));
	show("setgid 0", syscall(SYS_setgid, 0));
	ids("end");
}

struct old_dirent {
	unsigned long d_ino, d_off;
	unsigned short d_reclen;
	char d_name[];
};

static void calls(const char *dir)
{
	char path[128], buf[512];
	snprintf(path, sizeof(path), "%s/c", dir);
	int fd = creat(path, 0640);
	show("creat write", write(fd, "12345", 5));
	show("creat read", read(fd, buf, 1));
	close(fd);
	struct stat st;
	stat(path, &st);
	printf("creat mode %o size %ld\n", (unsigned)st.st_mode, (long)st.st_size);
	chmod(path, 06755);
	show("chown file root", chown(path, 0, 0));
	stat(path, &st);
	printf("mode after chown %o\n", (unsigned)st.st_mode);
	chmod(path, 06745);
	show("chown file group", chown(path, -1, 0));
	stat(path, &st);
	printf("mode after chown %o\n", (unsigned)st.st_mode);
		show("chown directory", chown(dir, 0, 0));
	snprintf(path, sizeof(path), "%s/d", dir);
	mkdir(path, 0755);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	show("getdents small", syscall(SYS_getdents, fd, buf, 8));
	long n = syscall(SYS_getdents, fd, buf, sizeof(buf));
	int total = 0;
	for (long at = 0; at < n; at += ((struct old_dirent *)(buf + at))->d_reclen) {
		struct old_dirent *d = (struct old_dirent *)(buf + at);
		if (strcmp(d->d_name, "c") == 0 || strcmp(d->d_name, "d") == 0)
			printf("entry %s type %d reclen %d\n", d->d_name, buf[at + d->d_reclen - 1],
			       d->d_reclen);
		total++;
	}
	printf("getdents entries %d, again %ld\n", total, syscall(SYS_getdents, fd, buf, 512));
	close(fd);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/c", dir);
	unlink(path);
}

static void affinity(void)
{
	uint64_t mask[2] = { 0, 0 };
	long n = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
	/* the size is the host's cpumask (8 bytes per 64 possible processors): not printed */
	printf("getaffinity %s, cpu 0 %s\n", n >= 8 && n % 8 == 0 ? "a whole number of longs" : "?",
	       mask[0] & 1 ? "in" : "out");
	show("getaffinity size 4", syscall(SYS_sched_getaffinity, 0, 4, mask));
	show("getaffinity size 12", syscall(SYS_sched_getaffinity, 0, 12, mask));
	show("getaffinity no pid", syscall(SYS_sched_getaffinity, 999999, 8, mask));
	mask[0] = 1;
	show("setaffinity cpu 0", syscall(SYS_sched_setaffinity, 0, 8, mask));
	mask[0] = 0;
	show("setaffinity none", syscall(SYS_sched_setaffinity, 0, 8, mask));
}

static void eventfds(void)
{
	uint64_t v = 0;
	int fd = eventfd(3, EFD_NONBLOCK);
	v = 4;
	show("eventfd write", write(fd, &v, 8));
	show("eventfd read", read(fd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	show("eventfd empty", read(fd, &v, 8));
	show("eventfd short", read(fd, &v, 4));
	v = ~0ull;
	show("eventfd max", write(fd, &v, 8));
	close(fd);
	fd = eventfd(2, EFD_SEMAPHORE | EFD_CLOEXEC);
	show("semaphore read", read(fd, &v, 8));
	printf("value %llu cloexec %d\n", (unsigned long long)v, fcntl(fd, F_GETFD));
	close(fd);
	show("eventfd bad flags", eventfd(0, 2));
}

static void locks(const char *dir)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/l", dir);
	int a = open(path, O_CREAT | O_RDWR, 0644), b = open(path, O_RDONLY);
	show("flock a ex", flock(a, LOCK_EX));
	show("flock b sh nb", flock(b, LOCK_SH | LOCK_NB));
	int c = dup(a);
	close(a);
	show("flock c ex nb", flock(c, LOCK_EX | LOCK_NB));
	show("flock b ex nb", flock(b, LOCK_EX | LOCK_NB));
	close(c);
	show("flock b ex nb after close", flock(b, LOCK_EX | LOCK_NB));
	show("flock b un", flock(b, LOCK_UN));
	show("flock bad op", flock(b, LOCK_SH | LOCK_EX));
	show("flock bad fd", flock(99, LOCK_SH));
	close(b);
	unlink(path);
}

int main(void)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/compat-ident-%d", (int)getpid());
	umask(022);
	in_child(uids);
	in_child(saved_root);
	mkdir(dir, 0755);
	calls(dir);
	locks(dir);
	rmdir(dir);
	affinity();
	eventfds();
	return 0;
}
