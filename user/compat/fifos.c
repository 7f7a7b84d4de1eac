/* Compatibility program: FIFOs and chroot, run as root on both systems. A FIFO made with
 * mkfifo and mknod: its stat, a writer child and a reader parent (the blocking opens meet),
 * end of file after the writer, ENXIO for a lone non-blocking writer, O_RDWR; then a chroot
 * into a small tree under /tmp in a child: "/" and ".." stop at the new root, getcwd, an
 * absolute symbolic link resolved inside. argv[1] is not needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compat.h"

static char dir[64];

static const char *at(const char *name)
{
	return path_in(dir, name);
}

static void fifo(void)
{
	char buf[64] = { 0 };
	struct stat st;
	show("mkfifo", mkfifo(at("f"), 0640));
	show("mkfifo again", mkfifo(at("f"), 0640));
	show("mknod fifo", mknod(at("g"), S_IFIFO | 0600, 0));
	show("mknod dir", mknod(at("h"), S_IFDIR | 0600, 0));
	show("mknod bad type", mknod(at("h"), 0170000 | 0600, 0));
	stat(at("f"), &st);
	printf("stat: fifo %d mode %o size %ld\n", S_ISFIFO(st.st_mode), st.st_mode & 07777,
	       (long)st.st_size);
	show("lone writer", open(at("f"), O_WRONLY | O_NONBLOCK));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(at("f"), O_WRONLY);          /* waits for the reader */
		write(fd, "through a fifo", 14);
		_exit(0);
	}
	int fd = open(at("f"), O_RDONLY);                  /* waits for the writer */
	show("read", read(fd, buf, sizeof(buf) - 1));
	printf("got \"%s\"\n", buf);
	int st2;
	waitpid(pid, &st2, 0);
	show("read after the writer", read(fd, buf, sizeof(buf)));
	show("lseek", lseek(fd, 0, SEEK_SET));
	close(fd);
	fd = open(at("g"), O_RDWR);
	show("rdwr write", write(fd, "abc", 3));
	show("rdwr read", read(fd, buf, sizeof(buf)));
	close(fd);
	unlink(at("f"));
	unlink(at("g"));
}

static void jail(void)
{
	char buf[64] = { 0 }, cwd[64];
	mkdir(at("j"), 0755);
	mkdir(at("j/etc"), 0755);
	int fd = open(at("j/etc/f"), O_CREAT | O_WRONLY, 0644);
	write(fd, "inside", 6);
	close(fd);
	symlink("/etc/f", at("j/lnk"));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		show("chroot", chroot(at("j")));
		show("chdir /", chdir("/"));
		printf("cwd %s\n", getcwd(cwd, sizeof(cwd)));
		fd = open("/../../etc/f", O_RDONLY);
		show("read /../../etc/f", read(fd, buf, sizeof(buf) - 1));
		printf("got \"%s\"\n", buf);
		close(fd);
		fd = open("/lnk", O_RDONLY);
		memset(buf, 0, sizeof(buf));
		show("read /lnk", read(fd, buf, sizeof(buf) - 1));
		printf("got \"%s\"\n", buf);
		close(fd);
		show("chdir etc", chdir("etc"));
		printf("cwd %s\n", getcwd(cwd, sizeof(cwd)));
		show("open /tmp", open("/tmp", O_RDONLY));
		show("chroot missing", chroot("/nothing"));
		show("setuid 1000", setuid(1000));
		show("chroot as user", chroot("/"));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child status %d\n", st);
	unlink(at("j/lnk"));
	unlink(at("j/etc/f"));
	rmdir(at("j/etc"));
	rmdir(at("j"));
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/compat-fifos-%d", (int)getpid());
	umask(022);
	mkdir(dir, 0755);
	fifo();
	jail();
	show("rmdir", rmdir(dir));
	return 0;
}
