/* chroot (kernel/fs/chroot.c): root only, a directory; inside, "/" and ".." stop at the new
 * root, absolute link targets land inside it, getcwd and /proc's links show paths as the
 * process sees them, the root is inherited by children and kept over execve. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define J "/tmp/ut-jail"

static void put(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
	close(fd);
}

/* What path holds (up to 31 bytes), or "" when it cannot be read. */
static const char *get(const char *path)
{
	static char buf[32];
	memset(buf, 0, sizeof(buf));
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		close(fd);
	}
	return buf;
}

static void copy(const char *from, const char *to)
{
	static char buf[16384];
	int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY, 0755);
	CHECK(in >= 0 && out >= 0);
	long n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CHECK_EQ(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

static void make_jail(void)
{
	CHECK_OK(mkdir(J, 0755));
	CHECK_OK(mkdir(J "/etc", 0755));
	CHECK_OK(mkdir(J "/jailbin", 0755));
	put(J "/etc/passwd", "jailpw");
	CHECK_OK(symlink("/etc/passwd", J "/lnk"));
	CHECK_OK(symlink("../../../../etc", J "/etc/up"));
	copy("/bin/utest", J "/jailbin/ut");
}

static void drop_jail(void)
{
	const char *names[] = { J "/jailbin/ut", J "/etc/passwd", J "/etc/up", J "/lnk" };
	for (int i = 0; i < 4; i++)
		CHECK_OK(unlink(names[i]));
	CHECK_OK(rmdir(J "/jailbin"));
	CHECK_OK(rmdir(J "/etc"));
	CHECK_OK(rmdir(J));
}

/* Inside the jail: what it sees. Returns a distinct code per failed check. */
static int inside(void)
{
	char cwd[64];
	if (tsys_chroot((long)J) != 0 || chdir("/") != 0)
		return 10;
	if (strcmp(get("/etc/passwd"), "jailpw") || strcmp(get("/../../etc/passwd"), "jailpw"))
		return 11;
	if (strcmp(get("/lnk"), "jailpw") || strcmp(get("/etc/up/passwd"), "jailpw"))
		return 12;                     /* links resolve inside, ".." in them too */
	if (open("/bin/utest", O_RDONLY) >= 0 || tsys_open((long)"/bin/utest", 0, 0) != -ENOENT)
		return 13;
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/"))
		return 14;
	if (chdir("/etc/..//etc") != 0 || !getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/etc"))
		return 15;
	if (strcmp(get("passwd"), "jailpw") || chdir("../../..") != 0 ||
	    !getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/"))
		return 16;
	if (tsys_chroot((long)"/") != 0 || strcmp(get("/etc/passwd"), "jailpw"))
		return 17;                     /* "/" is the jail's root: no way out */
	int pid = fork();                  /* a child inherits it, and execve runs inside */
	if (pid == 0) {
		const char *argv[] = { "ut", "-c", "ids", "0", "0", "0", "0", "0", "0", NULL };
		if (strcmp(get("/etc/passwd"), "jailpw"))
			_exit(1);
		long err = tsys_execve((long)"/jailbin/ut", (long)argv, 0);
		_exit(2 + (int)-err);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0) {
		printf("chroot_jail: the child in the jail ended with status 0x%x\n", st);
		return 18;
	}
	return 0;
}

static void chroot_jail(void)
{
	char link[64] = { 0 }, path[48];
	make_jail();
	int fds[2], back[2];
	CHECK_OK(pipe(fds));
	CHECK_OK(pipe(back));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int r = inside();
		char c;
		if (write(fds[1], &r, sizeof(r)) != sizeof(r) || read(back[0], &c, 1) != 1)
			_exit(99);
		_exit(r);
	}
	int r = -1;
	CHECK_EQ(read(fds[0], &r, sizeof(r)), (long)sizeof(r));
	CHECK_EQ(r, 0);
	snprintf(path, sizeof(path), "/proc/%d/root", pid);      /* seen from outside */
	CHECK(readlink(path, link, sizeof(link) - 1) > 0);
	CHECK(strcmp(link, J) == 0);
	CHECK(readlink("/proc/self/root", link, sizeof(link) - 1) == 1 && link[0] == '/');
	CHECK_EQ(write(back[1], "x", 1), 1);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	int all[] = { fds[0], fds[1], back[0], back[1] };
	for (int i = 0; i < 4; i++)
		close(all[i]);
	drop_jail();
}

/* Only root (EPERM, after the path's own errors), only a directory. */
static void chroot_errors(void)
{
	put("/tmp/ut-cr-file", "x");
	CHECK_ERR(tsys_chroot((long)"/tmp/ut-cr-none"), ENOENT);
	CHECK_ERR(tsys_chroot((long)"/tmp/ut-cr-file"), ENOTDIR);
	CHECK_ERR(tsys_chroot(16), EFAULT);
	CHECK_ERR(tsys_chroot((long)""), ENOENT);
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int ok = tsys_setuid(1000) == 0 && tsys_chroot((long)"/tmp") == -EPERM &&
			 tsys_chroot((long)"/tmp/ut-cr-none") == -ENOENT;
		_exit(ok ? 0 : 1);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	CHECK_OK(unlink("/tmp/ut-cr-file"));
}

const struct utest ut_chroot_tests[] = {
	{ "chroot_jail", chroot_jail },
	{ "chroot_errors", chroot_errors },
	{ NULL, NULL },
};
