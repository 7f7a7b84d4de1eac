/* Compatibility program: supplementary groups in permission checks and fcntl record locks,
 * run as root on both systems. Groups: in forked children of uid 1000 with and without a
 * supplementary group, opening, running through and creating in files and directories of
 * that group, chown to it, and chmod's S_ISGID. Locks: ranges (SEEK_SET/CUR/END, to the end,
 * backwards), splitting and merging seen through F_OFD_GETLK of another open file, errors,
 * a parent and its children (conflicts, a blocked F_SETLKW woken by the unlock or ended by a
 * signal, EDEADLK, release at a close and at exit) and OFD locks. argv[1] is not needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "compat.h"

static char dir[64];
static pid_t parent;

static const char *at(const char *name)
{
	return path_in(dir, name);
}

static void show_open(const char *what, const char *path, int flags)
{
	int fd = open(path, flags, 0644);
	show(what, fd < 0 ? fd : 0);
	if (fd >= 0)
		close(fd);
}

static void end_child(void)
{
	fflush(stdout);
	_exit(0);
}

static void reap(pid_t pid)
{
	int st;
	waitpid(pid, &st, 0);
	printf("child status %d\n", st);
}

/* ---- groups --------------------------------------------------------------------------- */

static void become_user(int ngroups, const gid_t *groups)
{
	show("setgroups", setgroups((size_t)ngroups, groups));
	show("setgid", setgid(100));
	show("setuid", setuid(1000));
	show("getgroups", getgroups(0, NULL));
}

static void member(void)
{
	const gid_t g[] = { 500 };
	struct stat st;
	become_user(1, g);
	show_open("read 0640 of the group", at("g/file"), O_RDONLY);
	show_open("write 0640 of the group", at("g/file"), O_WRONLY);
	show("access R_OK", access(at("g/file"), R_OK));
	show("access W_OK", access(at("g/file"), W_OK));
	show_open("write 0620 of the group", at("g/gw"), O_WRONLY);
	show_open("create in 0770 of the group", at("g/mine"), O_CREAT | O_WRONLY);
	show("chown to the group", chown(at("g/mine"), -1, 500));
	show("chown to another", chown(at("g/mine"), -1, 501));
	show("chmod 02755", chmod(at("g/mine"), 02755));
	stat(at("g/mine"), &st);
	printf("mode %o gid %u\n", (unsigned)st.st_mode & 07777, (unsigned)st.st_gid);
	show("unlink", unlink(at("g/mine")));
	end_child();
}

static void outsider(void)
{
	struct stat st;
	become_user(0, NULL);
	show_open("read through 0770 of the group", at("g/file"), O_RDONLY);
	show("stat through it", stat(at("g/file"), &st));
	show("chdir into it", chdir(at("g")));
	show_open("read 0640 of the group", at("o/file"), O_RDONLY);
	show_open("read 0604", at("o/pub"), O_RDONLY);
	show_open("list 0711", at("o/x"), O_RDONLY | O_DIRECTORY);
	show("stat inside 0711", stat(at("o/x/f"), &st));
	show_open("create in 0755 of root", at("o/new"), O_CREAT | O_WRONLY);
	show("chmod 02755 of its file", chmod(at("o/own"), 02755));
	stat(at("o/own"), &st);
	printf("mode %o\n", (unsigned)st.st_mode & 07777);
	end_child();
}

static void make(const char *name, mode_t mode, uid_t uid, gid_t gid, bool is_dir)
{
	if (is_dir)
		mkdir(at(name), 0700);
	else
		close(open(at(name), O_CREAT | O_WRONLY, 0600));
	chown(at(name), uid, gid);
	chmod(at(name), mode);
}

static void groups(void)
{
	make("g", 0770, 0, 500, true);
	make("g/file", 0640, 0, 500, false);
	make("g/gw", 0620, 0, 500, false);
	make("o", 0755, 0, 0, true);
	make("o/file", 0640, 0, 500, false);
	make("o/pub", 0604, 0, 0, false);
	make("o/own", 0755, 1000, 500, false);
	make("o/x", 0700, 0, 0, true);
	make("o/x/f", 0644, 0, 0, false);
	chmod(at("o/x"), 0711);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		member();
	reap(pid);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		outsider();
	reap(pid);
	const char *names[] = { "g/file", "g/gw", "o/file", "o/pub", "o/own", "o/x/f" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(at(names[i]));
	rmdir(at("o/x"));
	rmdir(at("o"));
	rmdir(at("g"));
}

/* ---- record locks --------------------------------------------------------------------- */

static long lk(int fd, int cmd, int type, int whence, long long start, long long len)
{
	struct flock fl = { .l_type = (short)type, .l_whence = (short)whence, .l_start = start,
			    .l_len = len };
	return fcntl(fd, cmd, &fl);
}

static const char *who(pid_t pid)
{
	return pid == parent ? "parent" : pid == getpid() ? "self" : pid == -1 ? "-1" : "other";
}

/* What F_OFD_GETLK through fd says of a lock of type over start, len. */
static void probe(int fd, long long start, long long len, int type)
{
	struct flock fl = { .l_type = (short)type, .l_whence = SEEK_SET, .l_start = start,
			    .l_len = len };
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
		printf("probe %lld %lld: -1 %s\n", start, len, strerror(errno));
	else if (fl.l_type == F_UNLCK)
		printf("probe %lld %lld: unlocked\n", start, len);
	else
		printf("probe %lld %lld: %s %lld %lld pid %s\n", start, len,
		       fl.l_type == F_WRLCK ? "write" : "read", (long long)fl.l_start,
		       (long long)fl.l_len, who(fl.l_pid));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Waits until pid is blocked ('S' in /proc/PID/stat). */
static void until_blocked(pid_t pid)
{
	char path[64], buf[256];
	for (int i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		int fd = open(path, O_RDONLY);
		long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = '\0';
		const char *p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return;
		sleep_ms(10);
	}
	printf("child %d never blocked\n", (int)pid);
}

static void ranges(int a, int b)
{
	show("write 0 100", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
	probe(b, 50, 1, F_RDLCK);
	show("unlock 40 20", lk(a, F_SETLK, F_UNLCK, SEEK_SET, 40, 20));
	probe(b, 40, 20, F_WRLCK);
	probe(b, 59, 2, F_WRLCK);
	probe(b, 39, 1, F_WRLCK);
	show("read 30 40", lk(a, F_SETLK, F_RDLCK, SEEK_SET, 30, 40));
	probe(b, 35, 30, F_RDLCK);
	probe(b, 35, 30, F_WRLCK);
	probe(b, 69, 5, F_RDLCK);
	show("write 30 40", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 30, 40));
	probe(b, 99, 1, F_RDLCK);
	show("unlock all", lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	show("read 0 10", lk(a, F_SETLK, F_RDLCK, SEEK_SET, 0, 10));
	show("read 10 10", lk(a, F_SETLK, F_RDLCK, SEEK_SET, 10, 10));
	probe(b, 5, 1, F_WRLCK);
	show("write 200 to the end", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 200, 0));
	probe(b, 1ll << 50, 1, F_RDLCK);
	show("write 300 back 50", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 300, -50));
	probe(b, 0, 250, F_RDLCK);
	lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	lseek(a, 1000, SEEK_SET);
	show("write cur+10 5", lk(a, F_SETLK, F_WRLCK, SEEK_CUR, 10, 5));
	probe(b, 0, 0, F_RDLCK);
	lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	ftruncate(a, 4096);
	show("write end-10 10", lk(a, F_SETLK, F_WRLCK, SEEK_END, -10, 10));
	probe(b, 0, 0, F_RDLCK);
	lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
}

static void errors(int a)
{
	int ro = open(at("lk"), O_RDONLY), wo = open(at("lk"), O_WRONLY);
	show("type 9", lk(a, F_SETLK, 9, SEEK_SET, 0, 1));
	show("getlk unlck", lk(a, F_GETLK, F_UNLCK, SEEK_SET, 0, 1));
	show("whence 7", lk(a, F_SETLK, F_WRLCK, 7, 0, 1));
	show("start -1", lk(a, F_SETLK, F_WRLCK, SEEK_SET, -1, 1));
	show("10 back 20", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 10, -20));
	show("max + 2", lk(a, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 2));
	lseek(a, 10, SEEK_SET);
	show("cur + max", lk(a, F_SETLK, F_WRLCK, SEEK_CUR, INT64_MAX, 1));
	show("write on read-only", lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	show("read on write-only", lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	show("unlock on read-only", lk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	show("bad fd", lk(99, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	show("bad pointer", fcntl(a, F_SETLK, (struct flock *)1));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 5 };
	show("ofd with l_pid", fcntl(a, F_OFD_SETLK, &fl));
	close(ro);
	close(wo);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void processes(int a, int b)
{
	show("parent write 0 10", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5,
				    .l_len = 1 };
		show("child write 5 1", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 5, 1));
		show("child getlk", fcntl(a, F_GETLK, &fl));
		printf("holder %d %lld %lld pid %s\n", fl.l_type, (long long)fl.l_start,
		       (long long)fl.l_len, who(fl.l_pid));
		show("child read 10 5", lk(a, F_SETLK, F_RDLCK, SEEK_SET, 10, 5));
		end_child();
	}
	reap(pid);
	probe(b, 10, 5, F_WRLCK);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		show("child waits", lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
		end_child();
	}
	until_blocked(pid);
	long r = lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 10);
	reap(pid);                    /* the child's lines first, whatever the buffering */
	show("parent unlocks", r);
	show("parent write 0 10", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		show("child waits for a signal", lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
		printf("alarms %d\n", (int)alarms);
		end_child();
	}
	reap(pid);
	probe(b, 0, 0, F_WRLCK);
	close(open(at("lk"), O_RDONLY));
	probe(b, 0, 0, F_WRLCK);
}

static void deadlock(int a)
{
	int ready[2];
	char x;
	pipe(ready);
	show("parent write 0 1", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		lk(a, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
		write(ready[1], "x", 1);
		show("child waits", lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
		end_child();
	}
	read(ready[0], &x, 1);
	until_blocked(pid);
	show("parent setlk 1", lk(a, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
	show("parent setlkw 1", lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));
	fflush(stdout);
	long r = lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
	reap(pid);
	show("parent unlocks", r);
	show("parent setlkw 1 again", lk(a, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));
	lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	close(ready[0]);
	close(ready[1]);
}

static void ofd(int a, int b)
{
	show("ofd write 0 10", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	show("other ofd read 5", lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1));
	show("posix read 5", lk(b, F_SETLK, F_RDLCK, SEEK_SET, 5, 1));
	probe(b, 0, 1, F_RDLCK);
	int c = dup(a);
	show("dup read 0 5", lk(c, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 5));
	close(c);
	probe(b, 0, 0, F_WRLCK);
	show("posix write 20 5", lk(b, F_SETLK, F_WRLCK, SEEK_SET, 20, 5));
	show("ofd write 22", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 22, 1));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		show("child ofd write 0 10", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
		end_child();
	}
	reap(pid);
	probe(b, 0, 0, F_WRLCK);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(a);
		int d = open(at("lk"), O_RDWR);
		show("child ofd waits", lk(d, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
		end_child();
	}
	until_blocked(pid);
	long r = close(a);
	reap(pid);
	show("close", r);
	probe(b, 0, 0, F_WRLCK);
}

static void locks(void)
{
	int a = open(at("lk"), O_CREAT | O_RDWR, 0644), b = open(at("lk"), O_RDWR);
	ranges(a, b);
	errors(a);
	processes(a, b);
	deadlock(a);
	ofd(a, b);
	close(b);
	unlink(at("lk"));
}

int main(void)
{
	parent = getpid();
	snprintf(dir, sizeof(dir), "/tmp/compat-locks-%d", (int)parent);
	umask(022);
	mkdir(dir, 0755);
	groups();
	locks();
	show("rmdir", rmdir(dir));
	return 0;
}
