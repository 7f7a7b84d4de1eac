/* Compatibility check: a sorted, recursive listing of data/ (opendir/readdir/stat).
 * Usage: dirlist ROOT, where ROOT holds data/. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d) {
		printf("cannot open %s\n", dir);
		return 1;
	}
	char *names[256];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	int status = 0;
	for (size_t i = 0; i < n; i++) {
		char path[512];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) < 0) {
			printf("%*s%s ?\n", depth * 2, "", names[i]);
			status = 1;
		} else if (S_ISDIR(st.st_mode)) {
			printf("%*s%s/\n", depth * 2, "", names[i]);
			status |= list(path, depth + 1);
		} else {
			printf("%*s%s %lld\n", depth * 2, "", names[i], (long long)st.st_size);
		}
		free(names[i]);
	}
	return status;
}

int main(int argc, char **argv)
{
	if (argc > 1 && chdir(argv[1]) < 0) {
		perror("dirlist: chdir");
		return 1;
	}
	int status = list("data", 0);
	printf("dirlist done\n");
	return status;
}
