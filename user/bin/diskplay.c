/*
 * diskplay: replays a file-system workload written as text (tools/disk_suite.py makes it
 * from a seed and replays the same lines on a host directory), or prints a checksum of
 * every file in a tree, so the host can compare what Tessera wrote and read with its own.
 *   diskplay OPS ROOT     run OPS (one operation a line, paths relative to ROOT)
 *   diskplay -s ROOT      print "SUM path size fnv1a64" for every regular file below ROOT
 *   diskplay -c ROOT N    the crash workload: writes ROOT/fI (I < N, 50000 bytes of seed I)
 *                         and fsyncs each, printing "FSYNCED I", then writes, truncates and
 *                         removes other files below ROOT/s for ever (until QEMU is killed)
 * Operations: mkdir P MODE | create P MODE | write P OFF LEN SEED | trunc P SIZE |
 * rename A B | unlink P | rmdir P | link A B | chmod P MODE | fsync P | sync.
 * Written bytes: byte at offset o of a write with seed s is (o*131 + s*7 + (o>>9)) & 0xff.
 * Any failing operation ends the run with its line number and error (exit 1).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 65536

static char root[256];
static unsigned char buf[CHUNK];

static const char *path_of(const char *rel, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", root, rel);
	return out;
}

static int do_write(const char *p, long long off, long long len, unsigned seed)
{
	int fd = open(p, O_WRONLY);
	if (fd < 0)
		return -1;
	while (len > 0) {
		long n = len < CHUNK ? (long)len : CHUNK;
		for (long i = 0; i < n; i++) {
			unsigned long long o = (unsigned long long)off + (unsigned long long)i;
			buf[i] = (unsigned char)((o * 131u + seed * 7u + (o >> 9)) & 0xff);
		}
		if (pwrite(fd, buf, (size_t)n, off) != n) {
			close(fd);
			return -1;
		}
		off += n;
		len -= n;
	}
	return close(fd);
}

static int do_fsync(const char *p)
{
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

/* One line; 0 or -1 with errno. */
static int run_line(char *line)
{
	char op[16], a[200], b[200], pa[512], pb[512];
	long long x = 0, y = 0;
	unsigned s = 0;
	int n = sscanf(line, "%15s %199s %199s", op, a, b);
	if (n < 1)
		return 0;
	path_of(a, pa, sizeof(pa));
	path_of(b, pb, sizeof(pb));
	if (!strcmp(op, "mkdir"))
		return mkdir(pa, (mode_t)strtol(b, NULL, 8));
	if (!strcmp(op, "create")) {
		int fd = open(pa, O_CREAT | O_EXCL | O_WRONLY, (mode_t)strtol(b, NULL, 8));
		return fd < 0 ? -1 : close(fd);
	}
	if (!strcmp(op, "write") && sscanf(line, "%*s %*s %lld %lld %u", &x, &y, &s) == 3)
		return do_write(pa, x, y, s);
	if (!strcmp(op, "trunc"))
		return truncate(pa, strtoll(b, NULL, 10));
	if (!strcmp(op, "rename"))
		return rename(pa, pb);
	if (!strcmp(op, "unlink"))
		return unlink(pa);
	if (!strcmp(op, "rmdir"))
		return rmdir(pa);
	if (!strcmp(op, "link"))
		return link(pa, pb);
	if (!strcmp(op, "chmod"))
		return chmod(pa, (mode_t)strtol(b, NULL, 8));
	if (!strcmp(op, "fsync"))
		return do_fsync(pa);
	if (!strcmp(op, "sync")) {
		sync();
		return 0;
	}
	errno = EINVAL;
	return -1;
}

static int replay(const char *ops)
{
	char line[512];
	FILE *f = fopen(ops, "r");
	int no = 0;
	if (!f) {
		fprintf(stderr, "diskplay: %s: %s\n", ops, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		no++;
		if (run_line(line)) {
			fprintf(stderr, "diskplay: line %d: %s", no, line);
			fprintf(stderr, "diskplay: line %d failed: %s\n", no, strerror(errno));
			fclose(f);
			return 1;
		}
	}
	fclose(f);
	printf("DISKPLAY DONE %d\n", no);
	return 0;
}

static int sum_file(const char *p, const char *rel)
{
	unsigned long long h = 14695981039346656037ull, size = 0;
	int fd = open(p, O_RDONLY);
	long n;
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
		size += (unsigned long long)n;
	}
	close(fd);
	if (n < 0)
		return -1;
	printf("SUM %s %llu %016llx\n", rel, size, h);
	return 0;
}

static int sum_tree(const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int err = 0;
	if (!d)
		return -1;
	while (!err && (e = readdir(d))) {
		char p[512], r[512];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		if (lstat(p, &st))
			err = -1;
		else if (S_ISDIR(st.st_mode))
			err = sum_tree(p, r);
		else if (S_ISREG(st.st_mode))
			err = sum_file(p, r);
	}
	closedir(d);
	return err;
}

/* The file the crash test keeps: written whole, then fsynced. */
static int crash_file(int i)
{
	char rel[32], p[512];
	snprintf(rel, sizeof(rel), "f%d", i);
	path_of(rel, p, sizeof(p));
	int fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0 || close(fd) || do_write(p, 0, 50000, (unsigned)i) || do_fsync(p))
		return -1;
	printf("FSYNCED %d\n", i);
	fflush(stdout);
	return 0;
}

static int crash_workload(int n)
{
	char p[512];
	for (int i = 0; i < n; i++)
		if (crash_file(i))
			return 1;
	path_of("s", p, sizeof(p));
	if (mkdir(p, 0755))
		return 1;
	for (unsigned k = 0;; k++) {
		char rel[32];
		snprintf(rel, sizeof(rel), "s/x%u", k % 40);
		path_of(rel, p, sizeof(p));
		int fd = open(p, O_CREAT | O_WRONLY, 0644);
		if (fd < 0 || close(fd) || do_write(p, (k * 7919) % 300000, 20000, k))
			return 1;
		if (k % 3 == 0 && truncate(p, k % 5000))
			return 1;
		if (k % 7 == 0 && unlink(p))
			return 1;
	}
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "-c")) {
		snprintf(root, sizeof(root), "%s", argv[2]);
		int r = crash_workload(atoi(argv[3]));
		fprintf(stderr, "diskplay: crash workload: %s\n", strerror(errno));
		return r;
	}
	if (argc == 3 && !strcmp(argv[1], "-s")) {
		if (sum_tree(argv[2], "")) {
			fprintf(stderr, "diskplay: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		printf("DISKPLAY SUMS DONE\n");
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: diskplay OPS ROOT | diskplay -s ROOT\n");
		return 2;
	}
	snprintf(root, sizeof(root), "%s", argv[2]);
	return replay(argv[1]);
}
