/*
 * Tree comparisons for the ext2 host tests: an ext2 directory against a host directory, and
 * two host directories, entry by entry and byte by byte. The first difference is printed.
 */
#define _GNU_SOURCE
#include "tests/host/ext2_util.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ENTRIES 4096
#define CHUNK (64u << 10)

struct names {
	char **v;
	uint32_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_add(struct names *l, const char *s, size_t len)
{
	if (l->n < MAX_ENTRIES)
		l->v[l->n++] = strndup(s, len);
}

static void names_free(struct names *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int fill(void *ctx, const char *name, uint32_t len, uint32_t ino, uint8_t type,
		uint64_t next)
{
	(void)ino, (void)type, (void)next;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	names_add(ctx, name, len);
	return 0;
}

static int ext2_names(struct ext2_fs *fs, uint32_t dir, struct names *l)
{
	uint64_t cookie = 0;
	l->v = calloc(MAX_ENTRIES, sizeof(char *));
	l->n = 0;
	int r = ext2_readdir(fs, dir, &cookie, fill, l);
	qsort(l->v, l->n, sizeof(char *), cmp_str);
	return r;
}

static int host_names(const char *path, struct names *l)
{
	DIR *d = opendir(path);
	l->v = calloc(MAX_ENTRIES, sizeof(char *));
	l->n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names_add(l, e->d_name, strlen(e->d_name));
	closedir(d);
	qsort(l->v, l->n, sizeof(char *), cmp_str);
	return 0;
}

static bool same_names(const struct names *a, const struct names *b, const char *where)
{
	for (uint32_t i = 0; i < a->n || i < b->n; i++) {
		const char *x = i < a->n ? a->v[i] : "(none)", *y = i < b->n ? b->v[i] : "(none)";
		if (i >= a->n || i >= b->n || strcmp(x, y)) {
			printf("  %s: entry %u differs: \"%s\" vs \"%s\"\n", where, i, x, y);
			return false;
		}
	}
	return true;
}

static bool ext2_content_equal(struct ext2_fs *fs, uint32_t ino, const char *host, uint64_t size)
{
	int fd = open(host, O_RDONLY);
	char *a = malloc(CHUNK), *b = malloc(CHUNK);
	bool ok = fd >= 0;
	for (uint64_t off = 0; ok && off < size; off += CHUNK) {
		size_t got = 0, want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		int r = ext2_read(fs, ino, off, a, CHUNK, &got);
		ok = r == 0 && got == want && pread(fd, b, want, (off_t)off) == (ssize_t)want &&
		     memcmp(a, b, want) == 0;
		if (!ok)
			printf("  %s: content differs in [%llu, +%zu) (r %d, got %zu)\n", host,
			       (unsigned long long)off, want, r, got);
	}
	if (fd >= 0)
		close(fd);
	free(a);
	free(b);
	return ok;
}

bool e2_file_equal(struct ext2_fs *fs, uint32_t ino, const char *host)
{
	struct ext2_attr a;
	struct stat st;
	if (ext2_getattr(fs, ino, &a) || stat(host, &st) || a.size != (uint64_t)st.st_size) {
		printf("  %s: missing or of another size\n", host);
		return false;
	}
	return ext2_content_equal(fs, ino, host, a.size);
}

static bool same_attr(const struct ext2_attr *a, const struct stat *st, const char *p,
		      bool strict)
{
	bool ok = a->mode == st->st_mode && (S_ISDIR(st->st_mode) || a->size == (uint64_t)st->st_size);
	if (strict)
		ok = ok && a->nlink == st->st_nlink && a->uid == st->st_uid && a->gid == st->st_gid;
	if (!ok)
		printf("  %s: ext2 mode %o size %llu nlink %u uid %u gid %u; host mode %o size %llu "
		       "nlink %u uid %u gid %u\n", p, a->mode, (unsigned long long)a->size, a->nlink,
		       a->uid, a->gid, st->st_mode, (unsigned long long)st->st_size,
		       (unsigned)st->st_nlink, st->st_uid, st->st_gid);
	return ok;
}

static bool ext2_entry_equal(struct ext2_fs *fs, uint32_t dir, const char *name,
			     const char *host, bool strict)
{
	uint32_t ino;
	struct ext2_attr a;
	struct stat st;
	if (ext2_lookup(fs, dir, name, strlen(name), &ino) || ext2_getattr(fs, ino, &a) ||
	    lstat(host, &st)) {
		printf("  %s: lookup/getattr/lstat failed\n", host);
		return false;
	}
	if (!same_attr(&a, &st, host, strict))
		return false;
	if (S_ISDIR(st.st_mode))
		return e2_tree_equal(fs, ino, host, strict);
	if (S_ISREG(st.st_mode))
		return ext2_content_equal(fs, ino, host, a.size);
	if (S_ISLNK(st.st_mode)) {
		char x[4096], y[4096];
		size_t n = 0;
		ssize_t m = readlink(host, y, sizeof(y));
		if (ext2_readlink(fs, ino, x, sizeof(x), &n) || m < 0 || (size_t)m != n ||
		    memcmp(x, y, n)) {
			printf("  %s: symlink target differs\n", host);
			return false;
		}
	}
	return true;
}

bool e2_tree_equal(struct ext2_fs *fs, uint32_t dir, const char *host, bool strict)
{
	struct names a, b;
	bool ok = ext2_names(fs, dir, &a) == 0 && host_names(host, &b) == 0 &&
		  same_names(&a, &b, host);
	for (uint32_t i = 0; ok && i < a.n; i++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", host, a.v[i]);
		ok = ext2_entry_equal(fs, dir, a.v[i], p, strict);
	}
	names_free(&a);
	names_free(&b);
	return ok;
}

static bool host_content_equal(const char *x, const char *y, off_t size)
{
	int fa = open(x, O_RDONLY), fb = open(y, O_RDONLY);
	char *a = malloc(CHUNK), *b = malloc(CHUNK);
	bool ok = fa >= 0 && fb >= 0;
	for (off_t off = 0; ok && off < size; off += CHUNK) {
		size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		ok = pread(fa, a, want, off) == (ssize_t)want &&
		     pread(fb, b, want, off) == (ssize_t)want && memcmp(a, b, want) == 0;
	}
	if (!ok)
		printf("  %s: content differs from %s\n", x, y);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	free(a);
	free(b);
	return ok;
}

static bool host_entry_equal(const char *x, const char *y)
{
	struct stat sa, sb;
	if (lstat(x, &sa) || lstat(y, &sb))
		return false;
	bool ok = (sa.st_mode & S_IFMT) == (sb.st_mode & S_IFMT) &&
		  (S_ISLNK(sa.st_mode) || sa.st_mode == sb.st_mode) &&
		  (S_ISDIR(sa.st_mode) || sa.st_size == sb.st_size);
	if (!ok) {
		printf("  %s: mode %o size %lld vs %o %lld\n", x, sa.st_mode, (long long)sa.st_size,
		       sb.st_mode, (long long)sb.st_size);
		return false;
	}
	if (S_ISDIR(sa.st_mode))
		return e2_host_trees_equal(x, y);
	if (S_ISREG(sa.st_mode))
		return host_content_equal(x, y, sa.st_size);
	if (S_ISLNK(sa.st_mode)) {
		char p[4096], q[4096];
		ssize_t m = readlink(x, p, sizeof(p)), n = readlink(y, q, sizeof(q));
		ok = m >= 0 && m == n && memcmp(p, q, (size_t)m) == 0;
		if (!ok)
			printf("  %s: symlink target differs\n", x);
	}
	return ok;
}

bool e2_host_trees_equal(const char *x, const char *y)
{
	struct names a, b;
	bool ok = host_names(x, &a) == 0 && host_names(y, &b) == 0 && same_names(&a, &b, x);
	for (uint32_t i = 0; ok && i < a.n; i++) {
		char p[4096], q[4096];
		snprintf(p, sizeof(p), "%s/%s", x, a.v[i]);
		snprintf(q, sizeof(q), "%s/%s", y, a.v[i]);
		ok = host_entry_equal(p, q);
	}
	names_free(&a);
	names_free(&b);
	return ok;
}
