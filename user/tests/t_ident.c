/* Identity (kernel/proc/ident.c): real, effective, saved and file-system ids with Linux's
 * rules for setuid, setreuid, setresuid, setfsuid and their gid forms; access(2) by the real
 * ids; the kill rule; set-user-id programs; /proc/PID/status. Each test changes ids in its
 * own process or in forked children (the test process is thrown away after). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define KEEP (-1L)

static void res_uids(long r, long e, long s)
{
	unsigned got[3] = { 7, 7, 7 };
	CHECK_OK(tsys_getresuid((long)&got[0], (long)&got[1], (long)&got[2]));
	CHECK_EQ(got[0], r);
	CHECK_EQ(got[1], e);
	CHECK_EQ(got[2], s);
}

static void res_gids(long r, long e, long s)
{
	unsigned got[3] = { 7, 7, 7 };
	CHECK_OK(tsys_getresgid((long)&got[0], (long)&got[1], (long)&got[2]));
	CHECK_EQ(got[0], r);
	CHECK_EQ(got[1], e);
	CHECK_EQ(got[2], s);
}

/* The Uid: (or Gid:) line of /proc/self/status as "r e s fs". */
static void status_line(const char *key, char out[64])
{
	char buf[2048];
	int fd = open("/proc/self/status", O_RDONLY);
	CHECK(fd >= 0);
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = '\0';
	const char *p = strstr(buf, key);
	CHECK(p);
	unsigned a, b, c, d;
	CHECK_EQ(sscanf(p + strlen(key), "%u %u %u %u", &a, &b, &c, &d), 4);
	snprintf(out, 64, "%u %u %u %u", a, b, c, d);
}

/* setresuid as root sets anything; then, unprivileged, each id may only become one of the
 * three current ones; getresuid reports them, as do getuid/geteuid and /proc. */
static void ident_setresuid(void)
{
	char line[64];
	res_uids(0, 0, 0);
	CHECK_OK(tsys_setresuid(1000, 1001, 1002));
	res_uids(1000, 1001, 1002);
	CHECK_EQ(getuid(), 1000);
	CHECK_EQ(geteuid(), 1001);
	CHECK_EQ(tsys_getuid(), 1000);
	CHECK_EQ(tsys_geteuid(), 1001);
	status_line("Uid:", line);
	CHECK(strcmp(line, "1000 1001 1002 1001") == 0);
	CHECK_ERR(tsys_setresuid(5, KEEP, KEEP), EPERM);
	CHECK_ERR(tsys_setresuid(KEEP, 0, KEEP), EPERM);
	CHECK_ERR(tsys_setuid(0), EPERM);
	res_uids(1000, 1001, 1002);              /* a refused call changed nothing */
	CHECK_OK(tsys_setresuid(1002, 1000, 1001));
	res_uids(1002, 1000, 1001);
	CHECK_OK(tsys_setresuid(KEEP, KEEP, KEEP));
	res_uids(1002, 1000, 1001);
	CHECK_ERR(tsys_getresuid(0, (long)line, (long)line), EFAULT);
	CHECK_ERR(tsys_getresuid((long)line, (long)line, 16), EFAULT);
	/* the upper half of the register is not part of a uid_t */
	CHECK_OK(tsys_setresuid(0x500000000000 | 1000, KEEP, KEEP));
	res_uids(1000, 1000, 1001);
}

/* setuid: root sets all three; a user sets the effective id to its real or saved one only.
 * A saved root lets a process become root again (the set-user-id pattern). */
static void ident_setuid(void)
{
	CHECK_ERR(tsys_setuid(-1), EINVAL);
	CHECK_OK(tsys_setresuid(1000, 1000, 0));
	CHECK_ERR(tsys_setuid(2000), EPERM);
	CHECK_OK(tsys_setuid(0));                /* the saved id */
	res_uids(1000, 0, 0);
	CHECK_OK(tsys_setuid(0));                /* root now: all three */
	res_uids(0, 0, 0);
	CHECK_OK(tsys_setuid(1000));
	res_uids(1000, 1000, 1000);
	CHECK_ERR(tsys_setuid(0), EPERM);
	CHECK_OK(tsys_setuid(1000));
	CHECK_ERR(tsys_setresuid(0, 0, 0), EPERM);
}

/* setreuid: the saved id follows the new effective one when the real id is set, or the
 * effective one is set to another than the old real id. A user swaps real and effective. */
static void ident_setreuid(void)
{
	CHECK_OK(tsys_setreuid(1000, 1001));
	res_uids(1000, 1001, 1001);
	CHECK_OK(tsys_setreuid(KEEP, 1000));     /* to the old real id: saved stays */
	res_uids(1000, 1000, 1001);
	CHECK_OK(tsys_setreuid(KEEP, 1001));     /* to the saved one: saved = new effective */
	res_uids(1000, 1001, 1001);
	CHECK_OK(tsys_setreuid(1001, 1000));     /* swap */
	res_uids(1001, 1000, 1000);
	CHECK_ERR(tsys_setreuid(1002, KEEP), EPERM);
	CHECK_ERR(tsys_setreuid(KEEP, 0), EPERM);
	CHECK_OK(tsys_setreuid(KEEP, KEEP));
	res_uids(1001, 1000, 1000);
}

/* The gid calls: the same rules, with the privilege of an effective uid 0 (not gid 0). */
static void ident_gids(void)
{
	CHECK_OK(tsys_setresgid(10, 11, 12));
	res_gids(10, 11, 12);
	CHECK_EQ(getgid(), 10);
	CHECK_EQ(getegid(), 11);
	char line[64];
	status_line("Gid:", line);
	CHECK(strcmp(line, "10 11 12 11") == 0);
	CHECK_OK(tsys_setregid(12, 10));
	res_gids(12, 10, 10);
	CHECK_OK(tsys_setgid(77));               /* root: all three */
	res_gids(77, 77, 77);
	CHECK_ERR(tsys_setgid(-1), EINVAL);
	CHECK_OK(tsys_setresgid(1, 2, 3));
	CHECK_OK(tsys_setuid(1000));
	CHECK_ERR(tsys_setgid(5), EPERM);
	CHECK_ERR(tsys_setresgid(KEEP, 9, KEEP), EPERM);
	CHECK_ERR(tsys_setregid(9, KEEP), EPERM);
	CHECK_OK(tsys_setgid(3));                /* the saved gid: effective only */
	res_gids(1, 3, 3);
	CHECK_OK(tsys_setresgid(3, 1, 3));
	res_gids(3, 1, 3);
	CHECK_ERR(tsys_setresgid(KEEP, KEEP, 2), EPERM);
	CHECK_ERR(tsys_getresgid((long)line, 0, (long)line), EFAULT);
}

/* setfsuid: answers the old fs id always, sets it as root or to one of the ids; a file made
 * then belongs to the fs ids; a change of the effective id brings the fs id along. */
static void ident_fsids(void)
{
	struct stat st;
	char line[64];
	CHECK_EQ(tsys_setfsuid(1234), 0);
	CHECK_EQ(tsys_setfsgid(55), 0);
	CHECK_EQ(tsys_setfsuid(-1), 1234);       /* a query */
	CHECK_EQ(tsys_setfsgid(-1), 55);
	res_uids(0, 0, 0);
	status_line("Uid:", line);
	CHECK(strcmp(line, "0 0 0 1234") == 0);
	int fd = open("/tmp/ut-fsid", O_CREAT | O_EXCL | O_WRONLY, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK_OK(stat("/tmp/ut-fsid", &st));
	CHECK_EQ(st.st_uid, 1234);
	CHECK_EQ(st.st_gid, 55);
	CHECK_OK(tsys_setfsuid(0));
	CHECK_OK(unlink("/tmp/ut-fsid"));
	CHECK_OK(tsys_setresuid(1000, 1001, 1002));
	CHECK_EQ(tsys_setfsuid(-1), 1001);       /* follows the effective id */
	CHECK_EQ(tsys_setfsuid(5), 1001);        /* refused: still 1001 */
	CHECK_EQ(tsys_setfsuid(1002), 1001);
	CHECK_EQ(tsys_setfsuid(-1), 1002);
	CHECK_OK(tsys_setresuid(KEEP, 1000, KEEP));
	CHECK_EQ(tsys_setfsuid(-1), 1000);
}

/* access(2) checks the real ids, faccessat with AT_EACCESS the effective (fs) ones. */
static void ident_access(void)
{
	int fd = open("/tmp/ut-acc", O_CREAT | O_EXCL | O_WRONLY, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK_OK(tsys_setresuid(1000, 0, 0));
	CHECK_ERR(tsys_access((long)"/tmp/ut-acc", W_OK), EACCES);
	CHECK_ERR(tsys_faccessat(AT_FDCWD, (long)"/tmp/ut-acc", W_OK), EACCES);
	CHECK_ERR(tsys_access((long)"/tmp/ut-acc", R_OK), EACCES);   /* 0600 of root */
	CHECK_OK(tsys_faccessat2(AT_FDCWD, (long)"/tmp/ut-acc", R_OK | W_OK, AT_EACCESS));
	fd = open("/tmp/ut-acc", O_RDWR);        /* open itself goes by the fs id: root */
	CHECK(fd >= 0);
	close(fd);
	CHECK_OK(tsys_setresuid(0, 1000, 0));
	CHECK_OK(tsys_access((long)"/tmp/ut-acc", R_OK | W_OK));
	CHECK_ERR(tsys_faccessat2(AT_FDCWD, (long)"/tmp/ut-acc", W_OK, AT_EACCESS), EACCES);
	CHECK_EQ(open("/tmp/ut-acc", O_WRONLY), -1);
	CHECK_OK(tsys_setresuid(0, 0, 0));
	CHECK_OK(unlink("/tmp/ut-acc"));
}

/* A child that takes the uids r, e, s, says so on fd w, and waits to be killed. */
static int target(long r, long e, long s)
{
	int fds[2];
	char c;
	CHECK_OK(pipe(fds));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (tsys_setresuid(r, e, s) != 0)
			_exit(2);
		write(fds[1], "x", 1);
		for (;;)
			pause();
	}
	close(fds[1]);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

/* Linux's kill rule: the sender's real or effective uid is the target's real or saved uid
 * (or the sender is root). tkill/tgkill follow it too. */
static void ident_kill(void)
{
	int a = target(3000, 1000, 3000);        /* effective 1000 is not enough */
	int b = target(3000, 3000, 1000);        /* saved 1000 is */
	int c = target(1000, 3000, 3000);        /* real 1000 is */
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (tsys_setresuid(2000, 1000, 2000) != 0)
			_exit(2);
		int ok = tsys_kill(a, 0) == -EPERM && tsys_tkill(a, 0) == -EPERM &&
			 tsys_kill(b, 0) == 0 && tsys_kill(c, 0) == 0 &&
			 tsys_tgkill(c, c, 0) == 0 && tsys_kill(getppid(), 0) == -EPERM;
		if (ok && tsys_setresuid(1000, 2000, 2000) == 0)   /* by the real uid */
			ok = tsys_kill(b, 0) == 0 && tsys_kill(a, 0) == -EPERM;
		_exit(ok ? 0 : 1);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	int kids[] = { a, b, c };
	for (int i = 0; i < 3; i++) {
		CHECK_OK(kill(kids[i], SIGKILL));
		CHECK_EQ(waitpid(kids[i], &st, 0), kids[i]);
		CHECK(WIFSIGNALED(st));
	}
}

/* Copies /bin/utest to path with mode (a set-id program to run). */
static void copy_prog(const char *path, unsigned mode)
{
	static char buf[16384];
	int in = open("/bin/utest", O_RDONLY);
	int out = open(path, O_CREAT | O_EXCL | O_WRONLY, 0700);
	CHECK(in >= 0 && out >= 0);
	long n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CHECK_EQ(write(out, buf, (size_t)n), n);
	CHECK_EQ(n, 0);
	close(in);
	close(out);
	CHECK_OK(chown(path, 2000, 300));
	CHECK_OK(chmod(path, mode));
}

/* Runs path as "utest -c ids R E S RG EG SG" from a child of uid 1000, gid 100. */
static int run_as_user(const char *path, const char *want)
{
	char args[8][16];
	const char *argv[10] = { "utest", "-c", "ids" };
	CHECK_EQ(sscanf(want, "%15s %15s %15s %15s %15s %15s", args[0], args[1], args[2],
			args[3], args[4], args[5]), 6);
	for (int i = 0; i < 6; i++)
		argv[3 + i] = args[i];
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (tsys_setgid(100) != 0 || tsys_setuid(1000) != 0)
			_exit(90);
		execv(path, (char *const *)argv);
		_exit(91);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	return st;
}

/* execve of a set-user-id (set-group-id) file: its owner (group) becomes the effective and
 * saved id, the real ids stay; without the bits nothing changes. The helper checks its ids
 * and that AT_SECURE was set when they differ. */
static void ident_setid_exec(void)
{
	copy_prog("/tmp/ut-suid", 04755);
	copy_prog("/tmp/ut-sgid", 02755);
	copy_prog("/tmp/ut-both", 06755);
	copy_prog("/tmp/ut-plain", 0755);
	struct stat st;
	CHECK_OK(stat("/tmp/ut-both", &st));
	CHECK_EQ(st.st_mode, 0100000 | 06755);
	CHECK_EQ(run_as_user("/tmp/ut-suid", "1000 2000 2000 100 100 100"), 0);
	CHECK_EQ(run_as_user("/tmp/ut-sgid", "1000 1000 1000 100 300 300"), 0);
	CHECK_EQ(run_as_user("/tmp/ut-both", "1000 2000 2000 100 300 300"), 0);
	CHECK_EQ(run_as_user("/tmp/ut-plain", "1000 1000 1000 100 100 100"), 0);
	/* a change of owner takes the set-id bits off (set-group-id only with group execute) */
	CHECK_OK(chown("/tmp/ut-both", 2000, 300));
	CHECK_OK(stat("/tmp/ut-both", &st));
	CHECK_EQ(st.st_mode, 0100000 | 0755);
	CHECK_OK(chmod("/tmp/ut-plain", 06745));
	CHECK_OK(chown("/tmp/ut-plain", -1, 300));
	CHECK_OK(stat("/tmp/ut-plain", &st));
	CHECK_EQ(st.st_mode, 0100000 | 02745);
	CHECK_OK(chown("/tmp/ut-plain", -1, -1));          /* no change asked: bits stay */
	CHECK_OK(stat("/tmp/ut-plain", &st));
	CHECK_EQ(st.st_mode, 0100000 | 02745);
	const char *names[] = { "/tmp/ut-suid", "/tmp/ut-sgid", "/tmp/ut-both", "/tmp/ut-plain" };
	for (int i = 0; i < 4; i++)
		CHECK_OK(unlink(names[i]));
}

int ut_helper_ids(int argc, char **argv)
{
	unsigned u[3], g[3];
	if (argc != 9 || tsys_getresuid((long)&u[0], (long)&u[1], (long)&u[2]) ||
	    tsys_getresgid((long)&g[0], (long)&g[1], (long)&g[2]))
		return 2;
	for (int i = 0; i < 3; i++)
		if (u[i] != strtoul(argv[3 + i], NULL, 10) || g[i] != strtoul(argv[6 + i], NULL, 10)) {
			printf("ids: %u %u %u / %u %u %u\n", u[0], u[1], u[2], g[0], g[1], g[2]);
			return 3;
		}
	return 0;
}

const struct utest ut_ident_tests[] = {
	{ "ident_setresuid", ident_setresuid },
	{ "ident_setuid", ident_setuid },
	{ "ident_setreuid", ident_setreuid },
	{ "ident_gids", ident_gids },
	{ "ident_fsids", ident_fsids },
	{ "ident_access", ident_access },
	{ "ident_kill", ident_kill },
	{ "ident_setid_exec", ident_setid_exec },
	{ NULL, NULL },
};
