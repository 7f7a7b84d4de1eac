/*
 * Paths as long as Linux takes them (issue 18): a path argument of 4095 characters works and
 * one of 4096 is ENAMETOOLONG, a component of 256 is ENAMETOOLONG, symbolic link targets of
 * 4095 characters; a chain of 300 directories with 30-character names (over 9000 characters
 * of absolute path) made and removed through relative paths, getcwd answering as Linux does
 * (ENAMETOOLONG past a page, ERANGE for a short buffer); and hostile paths (no NUL in 1 MiB,
 * a bad pointer, one running into an unmapped page) get clear errors. Each test removes what
 * it made (the runner's leak check sees every page and plate come back).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "abi/errno.h"
#include "tsys.h"
#include "utest.h"

#define TOP "/tmp/lp"
#define DEPTH 300
#define NAME30 "abcdefghijklmnopqrstuvwxyz0123"

/* "/tmp/lp/ddd.../ddd...": directories of 200-character names under TOP up to about len
 * characters in all, made; the path into buf. Returns how many it made. */
static int deep_dirs(char *buf, size_t len)
{
	int n = 0;
	strcpy(buf, TOP);
	while (strlen(buf) + 201 + 40 < len) {
		size_t at = strlen(buf);
		buf[at] = '/';
		memset(buf + at + 1, 'd', 200);
		buf[at + 201] = '\0';
		CHECK_OK(tsys_mkdir((long)buf, 0755));
		n++;
	}
	return n;
}

static void remove_dirs(char *buf, int n)
{
	for (int i = 0; i < n; i++) {
		CHECK_OK(tsys_rmdir((long)buf));
		*strrchr(buf, '/') = '\0';
	}
}

/* A file named by a path of exactly len characters (len > the directories' part). */
static void file_path(char *buf, size_t len)
{
	size_t at = strlen(buf);
	buf[at] = '/';
	memset(buf + at + 1, 'f', len - at - 1);
	buf[len] = '\0';
}

static void path_4095(void)
{
	char *p = malloc(8192);
	CHECK(p != NULL);
	CHECK_OK(tsys_mkdir((long)TOP, 0755));
	int n = deep_dirs(p, 4095);
	size_t dirs = strlen(p);
	file_path(p, 4095);
	long fd = tsys_open((long)p, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(tsys_write(fd, (long)"hi", 2), 2);
	CHECK_OK(tsys_close(fd));
	struct stat st;
	CHECK_OK(tsys_stat((long)p, (long)&st));
	CHECK_EQ(st.st_size, 2);
	CHECK_OK(tsys_access((long)p, R_OK));
	CHECK_OK(tsys_truncate((long)p, 1));
	/* 4096 characters: ENAMETOOLONG from every call, before the name is looked at */
	p[4095] = 'f';
	p[4096] = '\0';
	CHECK_ERR(tsys_open((long)p, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	CHECK_ERR(tsys_stat((long)p, (long)&st), ENAMETOOLONG);
	CHECK_ERR(tsys_mkdir((long)p, 0755), ENAMETOOLONG);
	CHECK_ERR(tsys_unlink((long)p), ENAMETOOLONG);
	CHECK_ERR(tsys_chdir((long)p), ENAMETOOLONG);
	CHECK_ERR(tsys_access((long)p, F_OK), ENAMETOOLONG);
	CHECK_ERR(tsys_rename((long)p, (long)"/tmp/x"), ENAMETOOLONG);
	p[4095] = '\0';
	CHECK_OK(tsys_unlink((long)p));
	p[dirs] = '\0';
	remove_dirs(p, n);
	CHECK_OK(tsys_rmdir((long)TOP));
	free(p);
}

static void long_component(void)
{
	char p[300];
	strcpy(p, "/tmp/");
	memset(p + 5, 'n', 255);
	p[260] = '\0';
	long fd = tsys_open((long)p, O_CREAT | O_WRONLY, 0644);    /* 255: a name may have that */
	CHECK(fd >= 0);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(tsys_unlink((long)p));
	p[260] = 'n';
	p[261] = '\0';                                              /* 256 */
	CHECK_ERR(tsys_open((long)p, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	CHECK_ERR(tsys_mkdir((long)p, 0755), ENAMETOOLONG);
	CHECK_ERR(tsys_stat((long)p, (long)p), ENAMETOOLONG);
	strcat(p, "/x");                                            /* also as a directory */
	CHECK_ERR(tsys_stat((long)p, (long)p), ENAMETOOLONG);
}

static void long_symlink(void)
{
	char *t = malloc(4097), *back = malloc(4097);
	CHECK(t && back);
	memset(t, 'a', 4096);
	for (int i = 100; i < 4095; i += 100)
		t[i] = '/';
	t[4095] = '\0';
	CHECK_OK(tsys_symlink((long)t, (long)"/tmp/lsym"));
	CHECK_EQ(tsys_readlink((long)"/tmp/lsym", (long)back, 4096), 4095);
	CHECK(memcmp(back, t, 4095) == 0);
	CHECK_ERR(tsys_stat((long)"/tmp/lsym", (long)back), ENOENT);     /* dangling */
	CHECK_OK(tsys_unlink((long)"/tmp/lsym"));
	t[4095] = 'a';
	t[4096] = '\0';
	CHECK_ERR(tsys_symlink((long)t, (long)"/tmp/lsym"), ENAMETOOLONG);
	free(t);
	free(back);
}

/* getcwd's answers at this depth: the length with its NUL, or ENAMETOOLONG past a page. */
static void check_getcwd(size_t want, char *buf)
{
	if (want + 1 > 4096) {
		CHECK_ERR(tsys_getcwd((long)buf, 20000), ENAMETOOLONG);
		CHECK_ERR(tsys_getcwd((long)buf, 10), ENAMETOOLONG);
		return;
	}
	CHECK_EQ(tsys_getcwd((long)buf, 20000), (long)want + 1);
	CHECK_EQ(strlen(buf), want);
	CHECK_ERR(tsys_getcwd((long)buf, (long)want), ERANGE);
}

static void deep_chain(void)
{
	char *buf = malloc(20000);
	struct stat st;
	CHECK(buf != NULL);
	CHECK_OK(tsys_mkdir((long)TOP, 0755));
	CHECK_OK(tsys_chdir((long)TOP));
	size_t len = strlen(TOP);
	for (int i = 0; i < DEPTH; i++) {
		CHECK_OK(tsys_mkdir((long)NAME30, 0755));
		CHECK_OK(tsys_chdir((long)NAME30));
		len += 31;
		if (i == 0 || i == 130 || i == 131 || i == DEPTH - 1)
			check_getcwd(len, buf);
	}
	CHECK(len > 9000);
	long fd = tsys_open((long)"leaf", O_CREAT | O_WRONLY, 0600);  /* a file down there */
	CHECK(fd >= 0);
	CHECK_EQ(tsys_write(fd, (long)"deep", 4), 4);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(tsys_stat((long)"../" NAME30 "/leaf", (long)&st));
	CHECK_EQ(st.st_size, 4);
	CHECK_OK(tsys_rename((long)"leaf", (long)"leaf2"));
	CHECK_OK(tsys_unlink((long)"leaf2"));
	for (int i = 0; i < DEPTH; i++) {
		CHECK_OK(tsys_chdir((long)".."));
		CHECK_OK(tsys_rmdir((long)NAME30));
	}
	CHECK_EQ(tsys_getcwd((long)buf, 100), (long)strlen(TOP) + 1);
	CHECK(strcmp(buf, TOP) == 0);
	CHECK_OK(tsys_chdir((long)"/"));
	CHECK_OK(tsys_rmdir((long)TOP));
	free(buf);
}

/* A directory renamed with a deep subtree below it: everything is found at its new path. */
static void rename_subtree(void)
{
	char p[200];
	CHECK_OK(tsys_mkdir((long)TOP, 0755));
	CHECK_OK(tsys_mkdir((long)TOP "/a", 0755));
	strcpy(p, TOP "/a");
	for (int i = 0; i < 5; i++) {
		strcat(p, "/s");
		CHECK_OK(tsys_mkdir((long)p, 0755));
	}
	strcat(p, "/f");
	long fd = tsys_open((long)p, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(tsys_link((long)p, (long)TOP "/a/s/hard"));
	CHECK_OK(tsys_rename((long)TOP "/a", (long)TOP "/bb"));
	struct stat st;
	CHECK_OK(tsys_stat((long)TOP "/bb/s/s/s/s/s/f", (long)&st));
	CHECK_OK(tsys_stat((long)TOP "/bb/s/hard", (long)&st));
	CHECK_ERR(tsys_stat((long)TOP "/a/s/s/s/s/s/f", (long)&st), ENOENT);
	CHECK_ERR(tsys_stat((long)TOP "/a/s/hard", (long)&st), ENOENT);
	CHECK_OK(tsys_unlink((long)TOP "/bb/s/hard"));
	CHECK_OK(tsys_unlink((long)TOP "/bb/s/s/s/s/s/f"));
	strcpy(p, TOP "/bb/s/s/s/s/s");
	for (int i = 0; i < 6; i++) {
		CHECK_OK(tsys_rmdir((long)p));
		*strrchr(p, '/') = '\0';
	}
	CHECK_OK(tsys_rmdir((long)TOP));
}

static void hostile_paths(void)
{
	size_t big = 1 << 20;
	char *m = mmap(NULL, big + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	memset(m, 'a', big);
	CHECK_OK(tsys_munmap((long)(m + big), 4096));      /* no NUL before an unmapped page */
	struct stat st;
	CHECK_ERR(tsys_stat((long)m, (long)&st), ENAMETOOLONG);          /* 1 MiB, no NUL */
	CHECK_ERR(tsys_open((long)m, O_RDONLY, 0), ENAMETOOLONG);
	CHECK_ERR(tsys_stat((long)(m + big - 100), (long)&st), EFAULT);  /* into the hole */
	CHECK_ERR(tsys_mkdir((long)(m + big - 10), 0755), EFAULT);
	CHECK_ERR(tsys_stat(16, (long)&st), EFAULT);
	CHECK_ERR(tsys_stat(-4096L, (long)&st), EFAULT);
	CHECK_ERR(tsys_chdir(0x7fffffffe000L + 4096 * 16), EFAULT);
	CHECK_OK(tsys_munmap((long)m, big));
}

const struct utest ut_paths_tests[] = {
	{ "paths_4095", path_4095 },
	{ "paths_long_component", long_component },
	{ "paths_long_symlink", long_symlink },
	{ "paths_deep_chain", deep_chain },
	{ "paths_rename_subtree", rename_subtree },
	{ "paths_hostile", hostile_paths },
	{ NULL, NULL },
};
