/* Compatibility check: open/read/lseek/fstat of the data file data/lorem.txt. Usage:
 * fileio ROOT, where ROOT holds data/ ("/" on Tessera, "build/root" on the host). */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t fnv1a(const unsigned char *p, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void show_at(int fd, off_t off, int whence)
{
	char buf[17];
	off_t pos = lseek(fd, off, whence);
	ssize_t n = read(fd, buf, 16);
	buf[n > 0 ? n : 0] = '\0';
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = '|';
	printf("lseek(%lld, %d) = %lld, read %zd [%s]\n", (long long)off, whence, (long long)pos,
	       n, buf);
}

int main(int argc, char **argv)
{
	if (argc > 1 && chdir(argv[1]) < 0) {
		perror("fileio: chdir");
		return 1;
	}
	int fd = open("data/lorem.txt", O_RDONLY);
	if (fd < 0) {
		perror("fileio: open data/lorem.txt");
		return 1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		perror("fileio: fstat");
		return 1;
	}
	printf("size %lld, regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0);
	unsigned char buf[333];
	uint32_t h = 2166136261u;
	ssize_t n;
	long long total = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		h = fnv1a(buf, (size_t)n, h);
		total += n;
	}
	printf("read %lld bytes, fnv1a %08x, last read %zd\n", total, h, n);
	show_at(fd, 0, SEEK_SET);
	show_at(fd, 4090, SEEK_SET);
	show_at(fd, -20, SEEK_CUR);
	show_at(fd, -10, SEEK_END);
	show_at(fd, 100000, SEEK_SET);
	close(fd);
	printf("open missing: %s\n", open("data/missing", O_RDONLY) < 0 ? "fails" : "opens");
	printf("fileio done\n");
	return 0;
}
