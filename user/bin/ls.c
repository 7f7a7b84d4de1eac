/* ls [-l] [PATH...]: list directories, sorted by name; -l adds the mode and the size. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int long_format;

static void mode_str(mode_t m, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	out[0] = S_ISDIR(m) ? 'd' : S_ISCHR(m) ? 'c' : S_ISLNK(m) ? 'l' : '-';
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (0400u >> i)) ? rwx[i] : '-';
	out[10] = '\0';
}

static void show(const char *dir, const char *name)
{
	if (!long_format) {
		printf("%s\n", name);
		return;
	}
	char path[PATH_MAX], mode[11];
	struct stat st;
	if (dir)
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	else
		snprintf(path, sizeof(path), "%s", name);
	if (stat(path, &st) < 0) {
		printf("?????????? %10s %s\n", "?", name);
		return;
	}
	mode_str(st.st_mode, mode);
	printf("%s %10lld %s\n", mode, (long long)st.st_size, name);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every name of the directory (without . and ..) into a sorted array. */
static int read_names(DIR *d, char ***names_out, size_t *n_out)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **bigger = realloc(names, cap * sizeof(*names));
			if (!bigger)
				goto fail;
			names = bigger;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto fail;
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	*names_out = names;
	*n_out = n;
	return 0;
fail:
	while (n > 0)
		free(names[--n]);
	free(names);
	return -1;
}

static int list(const char *path, int header)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		show(NULL, path);
		return 0;
	}
	DIR *d = opendir(path);
	char **names;
	size_t n;
	if (!d || read_names(d, &names, &n) < 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		if (d)
			closedir(d);
		return 1;
	}
	closedir(d);
	if (header)
		printf("%s:\n", path);
	for (size_t i = 0; i < n; i++) {
		show(path, names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

int main(int argc, char **argv)
{
	int first = 1, status = 0;
	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		long_format = 1;
		first = 2;
	}
	if (first == argc)
		return list(".", 0);
	for (int i = first; i < argc; i++)
		status |= list(argv[i], argc - first > 1);
	return status;
}
