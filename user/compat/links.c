/* Compatibility program: symbolic and hard links as Linux has them, in a scratch directory
 * under /tmp: readlink and lstat of absolute and relative links, links to links and through
 * directories, dangling links, O_NOFOLLOW, loops (ELOOP), and hard links sharing one file
 * (st_nlink, unlink and rename of either name, an open file outliving its names). Each result
 * is printed so the output can be compared with Linux. argv[1] is not needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compat.h"

static char dir[64];

static const char *at(const char *name)
{
	return path_in(dir, name);
}

static void put(const char *name, const char *s)
{
	int fd = open(at(name), O_CREAT | O_TRUNC | O_WRONLY, 0644);
	show("write", write(fd, s, strlen(s)));
	close(fd);
}

static void get(const char *what, const char *name)
{
	char buf[64] = { 0 };
	int fd = open(at(name), O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd < 0)
		show(what, -1);
	else
		printf("%s: %ld \"%s\"\n", what, n, buf);
	if (fd >= 0)
		close(fd);
}

static void link_of(const char *name)
{
	char buf[128];
	long n = readlink(at(name), buf, sizeof(buf) - 1);
	if (n < 0) {
		show(name, -1);
		return;
	}
	buf[n] = '\0';
	printf("readlink %s: %ld \"%s\"\n", name, n, buf);
}

static void kind(const char *name)
{
	struct stat l, s;
	int lr = lstat(at(name), &l), sr = stat(at(name), &s);
	printf("%s: lstat %s size %ld, stat %s\n", name, lr ? strerror(errno) :
	       S_ISLNK(l.st_mode) ? "link" : "other", lr ? -1L : (long)l.st_size,
	       sr ? strerror(errno) : S_ISDIR(s.st_mode) ? "dir" : S_ISREG(s.st_mode) ? "file" : "other");
}

static void symlinks(void)
{
	put("f", "content");
	show("mkdir d", mkdir(at("d"), 0755));
	show("symlink abs", symlink(at("f"), at("abs")));
	show("symlink rel", symlink("f", at("rel")));
	show("symlink dir", symlink("d", at("dl")));
	show("symlink up", symlink("../f", at("d/up")));
	show("symlink chain", symlink("rel", at("chain")));
	show("symlink dangling", symlink("nothing", at("dang")));
	show("symlink exists", symlink("x", at("f")));
	show("symlink empty", symlink("", at("e")));
	link_of("rel");
	link_of("f");
	kind("rel"), kind("dl"), kind("dang"), kind("chain");
	get("read rel", "rel");
	get("read up", "dl/up");
	get("read chain", "chain");
	show("open nofollow", open(at("rel"), O_RDONLY | O_NOFOLLOW));
	show("open dangling", open(at("dang"), O_RDONLY));
	show("creat excl dangling", open(at("dang"), O_CREAT | O_EXCL | O_WRONLY, 0644));
	show("symlink loop a", symlink("lb", at("la")));
	show("symlink loop b", symlink("la", at("lb")));
	show("open loop", open(at("la"), O_RDONLY));
	show("stat through loop", access(at("la/x"), F_OK));
	char small[3];
	show("readlink short buffer", readlink(at("rel"), small, 1));
	show("readlink not a link", readlink(at("f"), small, sizeof(small)));
	static const char *const names[] = { "abs", "rel", "dl", "d/up", "chain", "dang", "la", "lb" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		show("unlink link", unlink(at(names[i])));
	kind("f");
	show("rmdir d", rmdir(at("d")));
}

static long nlink(const char *name)
{
	struct stat st;
	return stat(at(name), &st) ? -1 : (long)st.st_nlink;
}

static void hardlinks(void)
{
	struct stat a, b;
	show("link", link(at("f"), at("g")));
	stat(at("f"), &a);
	stat(at("g"), &b);
	printf("same inode: %d, nlink %ld\n", a.st_ino == b.st_ino, (long)a.st_nlink);
	put("g", "changed");
	get("read f", "f");
	show("link exists", link(at("f"), at("g")));
	show("link dir", link(dir, at("h")));
	show("link missing", link(at("none"), at("h")));
	show("unlink f", unlink(at("f")));
	get("read g", "g");
	show("nlink g", nlink("g"));
	show("link again", link(at("g"), at("h")));
	show("rename h onto g", rename(at("h"), at("g")));
	show("nlink g", nlink("g"));
	show("rename g to f", rename(at("g"), at("f")));
	show("nlink f", nlink("f"));
	int fd = open(at("h"), O_RDONLY);
	show("unlink h", unlink(at("h")));
	show("unlink f", unlink(at("f")));
	fstat(fd, &a);
	printf("open after unlink: nlink %ld size %ld\n", (long)a.st_nlink, (long)a.st_size);
	close(fd);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/links.%d", (int)getpid());
	show("mkdir", mkdir(dir, 0755));
	symlinks();
	hardlinks();
	show("rmdir", rmdir(dir));
	return 0;
}
