// HOST-TEST-SOURCES: kernel/fs/path.c kernel/lib/kprintf.c
/* Host tests of path normalisation: '.', '..', repeated and trailing '/', relative paths,
 * limits, and the directory check that makes "/file/.." fail as on Linux. */
#include "tests/host/harness.h"
#include "kernel/fs/path.h"
#include "abi/errno.h"
#include <stdio.h>
#include <string.h>

static char out[PATH_BUF];

static const char *norm(const char *base, const char *p)
{
	int r = path_normalize(base, p, out, NULL, NULL);
	return r ? "ERR" : out;
}

TEST(path_absolute_forms)
{
	CHECK_STR(norm("/", "/"), "/");
	CHECK_STR(norm("/", "//"), "/");
	CHECK_STR(norm("/", "/a/b"), "/a/b");
	CHECK_STR(norm("/", "/a//b///"), "/a/b");
	CHECK_STR(norm("/", "/./a/./b/."), "/a/b");
	CHECK_STR(norm("/", "/a/b/../c"), "/a/c");
	CHECK_STR(norm("/", "/.."), "/");
	CHECK_STR(norm("/", "/../../a"), "/a");
	CHECK_STR(norm("/", "/a/.."), "/");
	CHECK_STR(norm("/", "/a/..b/.c/..."), "/a/..b/.c/...");
	CHECK_STR(norm("/x", "/a"), "/a");
}

TEST(path_relative_forms)
{
	CHECK_STR(norm("/home/u", "f"), "/home/u/f");
	CHECK_STR(norm("/home/u", "./f"), "/home/u/f");
	CHECK_STR(norm("/home/u", ".."), "/home");
	CHECK_STR(norm("/home/u", "../../../.."), "/");
	CHECK_STR(norm("/home/u", "."), "/home/u");
	CHECK_STR(norm("/home/u/", "a/"), "/home/u/a");
	CHECK_STR(norm("/", "a"), "/a");
	CHECK_STR(norm("/", "."), "/");
}

TEST(path_errors)
{
	CHECK_EQ(path_normalize("/", "", out, NULL, NULL), -ENOENT);
	CHECK_STR(out, "");
	CHECK_EQ(path_normalize("rel", "x", out, NULL, NULL), -EINVAL);
	CHECK_EQ(path_normalize("rel", "/x", out, NULL, NULL), 0);  /* base unused */
}

TEST(path_length_limits)
{
	static char p[2 * PATH_BUF], base[PATH_BUF];
	/* components of 100: a canonical path of exactly CANON_MAX_LEN characters is taken */
	size_t n = 0;
	while (n + 101 <= CANON_MAX_LEN) {
		p[n++] = '/';
		memset(p + n, 'a', 100);
		n += 100;
	}
	p[n++] = '/';
	memset(p + n, 'b', CANON_MAX_LEN - n);
	p[CANON_MAX_LEN] = '\0';
	CHECK_EQ(path_normalize("/", p, out, NULL, NULL), 0);
	CHECK_EQ(strlen(out), CANON_MAX_LEN);
	p[CANON_MAX_LEN] = 'b';
	p[CANON_MAX_LEN + 1] = '\0';             /* one more */
	CHECK_EQ(path_normalize("/", p, out, NULL, NULL), -ENAMETOOLONG);
	CHECK_STR(out, "");
	/* a long input that shrinks is still refused: the limit applies to what is passed */
	memset(p, 0, sizeof(p));
	for (int i = 0; i < 8000; i++)
		strcat(p, "/.");
	CHECK_EQ(path_normalize("/", p, out, NULL, NULL), 0);
	for (int i = 0; i < 300; i++)
		strcat(p, "/.");
	CHECK_EQ(path_normalize("/", p, out, NULL, NULL), -ENAMETOOLONG);
	/* a relative path that makes the result too long */
	memset(base, 'b', CANON_MAX_LEN - 2);
	for (size_t i = 0; i < CANON_MAX_LEN - 2; i += 200)
		base[i] = '/';
	base[CANON_MAX_LEN - 2] = '\0';
	CHECK_EQ(path_normalize(base, "c", out, NULL, NULL), 0);     /* CANON_MAX_LEN */
	CHECK_EQ(path_normalize(base, "cd", out, NULL, NULL), -ENAMETOOLONG);
	CHECK_EQ(path_normalize(base, "cd/..", out, NULL, NULL), -ENAMETOOLONG);
	CHECK_EQ(path_normalize(base, "../cd", out, NULL, NULL), 0);
}

TEST(path_name_limit)
{
	char p[600];
	p[0] = '/';
	memset(p + 1, 'n', NAME_MAX_LEN);
	p[1 + NAME_MAX_LEN] = '\0';               /* a name of 255 */
	CHECK_EQ(path_normalize("/", p, out, NULL, NULL), 0);
	CHECK_EQ(strlen(out), 1 + NAME_MAX_LEN);
	strcpy(p + 1 + NAME_MAX_LEN, "n");         /* 256 */
	CHECK_EQ(path_normalize("/", p, out, NULL, NULL), -ENAMETOOLONG);
	strcat(p, "/..");                          /* even where ".." would drop it */
	CHECK_EQ(path_normalize("/", p, out, NULL, NULL), -ENAMETOOLONG);
	CHECK_EQ(path_normalize("/tmp", p + 1, out, NULL, NULL), -ENAMETOOLONG);
	/* "." and ".." are no names; long runs of them are fine */
	CHECK_EQ(path_normalize("/a", "./../b", out, NULL, NULL), 0);
	CHECK_STR(out, "/b");
}

/* A directory tree for the check: /d and /d/e are directories, /f and /d/g are files. */
struct seen {
	char log[512];
};

static int check_dir(const char *dir, size_t len, const char *rest, void *arg)
{
	struct seen *s = arg;
	(void)rest;
	if (strlen(dir) != len)
		return -EINVAL;
	strcat(s->log, dir);
	strcat(s->log, ";");
	if (!strcmp(dir, "/d") || !strcmp(dir, "/d/e"))
		return 0;
	if (!strcmp(dir, "/f") || !strcmp(dir, "/d/g"))
		return -ENOTDIR;
	return -ENOENT;
}

static int normc(const char *base, const char *p, struct seen *s)
{
	s->log[0] = '\0';
	return path_normalize(base, p, out, check_dir, s);
}

TEST(path_directory_checks)
{
	struct seen s;
	CHECK_EQ(normc("/", "/d/e/x", &s), 0);
	CHECK_STR(s.log, "/d;/d/e;");
	CHECK_STR(out, "/d/e/x");
	CHECK_EQ(normc("/", "/f", &s), 0);       /* the last component is not checked */
	CHECK_STR(s.log, "");
	CHECK_EQ(normc("/", "/f/", &s), -ENOTDIR);
	CHECK_EQ(normc("/", "/f/.", &s), -ENOTDIR);
	CHECK_EQ(normc("/", "/f/..", &s), -ENOTDIR);
	CHECK_EQ(normc("/", "/nope/../d", &s), -ENOENT);
	CHECK_STR(s.log, "/nope;");
	CHECK_EQ(normc("/d", "g/../e", &s), -ENOTDIR);
	CHECK_EQ(normc("/d", "e/../g", &s), 0);
	CHECK_STR(out, "/d/g");
	CHECK_EQ(normc("/", "/d//e//", &s), 0);
	CHECK_STR(s.log, "/d;/d/e;");
}

TEST(path_parent_and_basename)
{
	char p[64];
	path_parent("/", p);
	CHECK_STR(p, "/");
	path_parent("/a", p);
	CHECK_STR(p, "/");
	path_parent("/a/b/c", p);
	CHECK_STR(p, "/a/b");
	CHECK_STR(path_basename("/a/b/c"), "c");
	CHECK_STR(path_basename("/a"), "a");
	CHECK_STR(path_basename("/"), "");
}
