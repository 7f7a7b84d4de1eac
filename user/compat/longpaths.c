/* Compatibility program: paths as long as Linux takes them. A file at a path of 4095
 * characters is made, stat'ed, renamed and removed, and 4096 characters are ENAMETOOLONG; a
 * name of 256 characters is ENAMETOOLONG; a symbolic link's target of 4095 characters reads
 * back whole; a chain of 300 directories of 30-character names is made and removed through
 * relative paths, with getcwd's answers along the way (ERANGE for a short buffer,
 * ENAMETOOLONG once the path passes a page); hostile paths (no NUL in 1 MiB, a bad pointer)
 * get EFAULT or ENAMETOOLONG. Works under a scratch directory of /tmp named by the pid; the
 * output holds no pid (lengths are printed past that directory). argv[1] is not needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NAME30 "abcdefghijklmnopqrstuvwxyz0123"

static char top[64];

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOENT: return "ENOENT";
	case ERANGE: return "ERANGE";
	case EFAULT: return "EFAULT";
	case EEXIST: return "EEXIST";
	default: return strerror(e);
	}
}

static void say(const char *what, long r)
{
	printf("%s: %s\n", what, err_name(r < 0 ? errno : 0));
}

/* Directories of 200-character names below top up to about len characters; the path in
 * buf; how many were made. */
static int deep_dirs(char *buf, size_t len)
{
	int n = 0;
	strcpy(buf, top);
	while (strlen(buf) + 201 + 40 < len) {
		size_t at = strlen(buf);
		buf[at] = '/';
		memset(buf + at + 1, 'd', 200);
		buf[at + 201] = '\0';
		if (mkdir(buf, 0755))
			return -1;
		n++;
	}
	return n;
}

static void long_path(void)
{
	static char p[8192], q[8192];
	struct stat st;
	int n = deep_dirs(p, 4095);
	size_t dirs = strlen(p);
	memset(p + dirs, 'f', 4095 - dirs);
	p[dirs] = '/';
	p[4095] = '\0';
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	say("open 4095", fd);
	printf("write: %zd\n", write(fd, "hello", 5));
	close(fd);
	say("stat 4095", stat(p, &st));
	printf("size: %lld\n", (long long)st.st_size);
	strcpy(q, p);
	q[4094] = 'g';
	say("rename 4095", rename(p, q));
	say("access old", access(p, F_OK));
	say("truncate 4095", truncate(q, 2));
	p[4095] = 'f';
	p[4096] = '\0';
	say("open 4096", open(p, O_CREAT | O_WRONLY, 0644));
	say("stat 4096", stat(p, &st));
	say("mkdir 4096", mkdir(p, 0755));
	say("unlink 4096", unlink(p));
	say("chdir 4096", chdir(p));
	say("unlink 4095", unlink(q));
	for (p[dirs] = '\0'; n-- > 0; *strrchr(p, '/') = '\0')
		if (rmdir(p))
			printf("rmdir failed: %s\n", err_name(errno));
}

static void long_name(void)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/", top);
	size_t at = strlen(p);
	memset(p + at, 'n', 255);
	p[at + 255] = '\0';
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	say("open name 255", fd);
	close(fd);
	say("unlink name 255", unlink(p));
	strcat(p, "n");
	say("open name 256", open(p, O_CREAT | O_WRONLY, 0644));
	say("mkdir name 256", mkdir(p, 0755));
}

static void long_link(void)
{
	static char t[4200], back[4200], l[128];
	memset(t, 'a', 4096);
	for (int i = 100; i < 4095; i += 100)
		t[i] = '/';
	t[4095] = '\0';
	snprintf(l, sizeof(l), "%s/link", top);
	say("symlink 4095", symlink(t, l));
	printf("readlink: %zd\n", readlink(l, back, sizeof(back)));
	printf("same: %d\n", memcmp(back, t, 4095) == 0);
	say("unlink link", unlink(l));
	t[4095] = 'a';
	t[4096] = '\0';
	say("symlink 4096", symlink(t, l));
}

static void show_cwd(int depth)
{
	static char buf[20000];
	long r = syscall(SYS_getcwd, buf, sizeof(buf));
	if (r < 0)
		printf("depth %d: getcwd %s\n", depth, err_name(errno));
	else
		printf("depth %d: getcwd %s+%ld\n", depth, strncmp(buf, top, strlen(top)) ? "?" : "top",
		       r - 1 - (long)strlen(top));
	r = syscall(SYS_getcwd, buf, 20);
	printf("depth %d: getcwd(20) %s\n", depth, r < 0 ? err_name(errno) : "ok");
}

static void chain(void)
{
	if (chdir(top))
		return;
	int made = 0;
	for (; made < 300; made++) {
		if (mkdir(NAME30, 0755) || chdir(NAME30)) {
			printf("chain stopped at %d: %s\n", made, err_name(errno));
			break;
		}
		if (made == 9 || made == 299)
			show_cwd(made + 1);
	}
	printf("chain: %d\n", made);
	int fd = open("leaf", O_CREAT | O_WRONLY, 0600);
	say("open leaf", fd);
	close(fd);
	say("unlink leaf", unlink("leaf"));
	for (int i = 0; i < made; i++)
		if (chdir("..") || rmdir(NAME30)) {
			printf("unwind failed at %d: %s\n", i, err_name(errno));
			break;
		}
	show_cwd(0);
	if (chdir("/"))
		printf("chdir / failed\n");
}

static void hostile(void)
{
	size_t big = 1 << 20;
	char *m = mmap(NULL, big + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct stat st;
	if (m == MAP_FAILED)
		return;
	memset(m, 'a', big);
	munmap(m + big, 4096);
	say("stat 1 MiB no NUL", stat(m, &st));
	say("stat into a hole", stat(m + big - 100, &st));
	say("stat bad pointer", syscall(SYS_stat, 16L, &st));
	munmap(m, big);
}

int main(void)
{
	snprintf(top, sizeof(top), "/tmp/lp%d", (int)getpid());
	if (mkdir(top, 0755)) {
		printf("no scratch directory\n");
		return 1;
	}
	long_path();
	long_name();
	long_link();
	chain();
	hostile();
	say("rmdir top", rmdir(top));
	return 0;
}
