/* Compatibility program: device nodes, run as root on both systems. The numbers of the nodes
 * of /dev (/dev/console is left out: a container's may be a pseudo-terminal), then mknod in a
 * directory of /tmp: a node of /dev/null's number that behaves as it, /dev/zero's and
 * /dev/full's, numbers no driver serves (ENXIO at open), the largest number, a socket node,
 * the refusals (EEXIST, ENOTDIR, ENOENT, EPERM, EINVAL), and as a user: EPERM for a device,
 * a socket node and a FIFO made. argv[1] is not needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compat.h"

static char dir[64];

static const char *at(const char *name)
{
	return path_in(dir, name);
}

static const char *kind(mode_t m)
{
	return S_ISCHR(m) ? "chr" : S_ISBLK(m) ? "blk" : S_ISSOCK(m) ? "sock" : S_ISFIFO(m) ? "fifo"
									       : "other";
}

static void show_node(const char *path, const char *label)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		printf("stat %s: -1 %s\n", label, strerror(errno));
		return;
	}
	printf("stat %s: %s mode %o rdev %u,%u (0x%llx) size %lld\n", label, kind(st.st_mode),
	       st.st_mode & 07777, major(st.st_rdev), minor(st.st_rdev),
	       (unsigned long long)st.st_rdev, (long long)st.st_size);
}

static void dev_dir(void)
{
	static const char *const nodes[] = { "/dev/null", "/dev/zero", "/dev/full",
					      "/dev/random", "/dev/urandom", "/dev/tty" };
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		struct stat st;
		stat(nodes[i], &st);
		printf("%s: %s %u,%u\n", nodes[i], kind(st.st_mode), major(st.st_rdev),
		       minor(st.st_rdev));
	}
}

static void mem_nodes(void)
{
	char buf[16];
	show("mknod null", mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)));
	show_node(at("null"), "null");
	int fd = open(at("null"), O_RDWR);
	show("null write", write(fd, "abc", 3));
	show("null read", read(fd, buf, sizeof(buf)));
	close(fd);
	show("mknod zero", mknod(at("zero"), S_IFCHR | 0640, makedev(1, 5)));
	fd = open(at("zero"), O_RDONLY);
	memset(buf, 'x', sizeof(buf));
	show("zero read", read(fd, buf, sizeof(buf)));
	int zeros = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		zeros += buf[i] == 0;
	printf("zeros %d\n", zeros);
	close(fd);
	show("mknod full", mknod(at("full"), S_IFCHR | 0600, makedev(1, 7)));
	fd = open(at("full"), O_WRONLY);
	show("full write", write(fd, "a", 1));
	close(fd);
	show("mknod again", mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)));
	unlink(at("null"));
	unlink(at("zero"));
	unlink(at("full"));
}

static void no_driver(void)
{
	static const struct {
		mode_t type;
		unsigned major, minor;
	} none[] = { { S_IFCHR, 1, 99 }, { S_IFCHR, 0, 0 }, { S_IFCHR, 4095, 1048575 },
		     { S_IFBLK, 4000, 5 } };
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		show("mknod", mknod(at("n"), none[i].type | 0600,
				    makedev(none[i].major, none[i].minor)));
		show_node(at("n"), "n");
		show("open", open(at("n"), O_RDONLY));
		unlink(at("n"));
	}
	show("mknod sock", mknod(at("s"), S_IFSOCK | 0666, 0));
	show_node(at("s"), "sock");
	show("open sock", open(at("s"), O_RDWR));
	unlink(at("s"));
}

static void refusals(void)
{
	int fd = open(at("plain"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	show("mknod existing", mknod(at("plain"), S_IFCHR | 0600, makedev(1, 3)));
	show("mknod through a file", mknod(at("plain/x"), S_IFCHR | 0600, makedev(1, 3)));
	show("mknod missing dir", mknod(at("none/x"), S_IFBLK | 0600, makedev(8, 0)));
	show("mknod dir", mknod(at("x"), S_IFDIR | 0600, 0));
	show("mknod bad type", mknod(at("x"), 0170000 | 0600, makedev(1, 3)));
	unlink(at("plain"));
}

/* In /tmp itself (mode 1777), where a user may make names on both systems. */
static const char *in_tmp(const char *name)
{
	static char buf[2][128];
	static int k;
	k = (k + 1) % 2;
	snprintf(buf[k], sizeof(buf[k]), "%s-%s", dir, name);
	return buf[k];
}

static void as_user(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		show("setuid 1000", setuid(1000));
		show("user mknod chr", mknod(in_tmp("u"), S_IFCHR | 0600, makedev(1, 3)));
		show("user mknod blk", mknod(in_tmp("u"), S_IFBLK | 0600, makedev(8, 0)));
		show("user mknod sock", mknod(in_tmp("us"), S_IFSOCK | 0600, 0));
		show_node(in_tmp("us"), "user sock");
		show("user mknod fifo", mknod(in_tmp("uf"), S_IFIFO | 0600, 0));
		unlink(in_tmp("us"));
		unlink(in_tmp("uf"));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child status %d\n", st);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/compat-devnodes-%d", (int)getpid());
	umask(022);
	mkdir(dir, 0755);
	dev_dir();
	mem_nodes();
	no_driver();
	refusals();
	as_user();
	show("rmdir", rmdir(dir));
	return 0;
}
