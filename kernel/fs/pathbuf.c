/* Path buffers from the heap (see pathbuf.h): kbig buffers, a run of pages for a canonical
 * path and about a page for a path a program passes. */
#include "kernel/fs/pathbuf.h"
#include "abi/errno.h"
#include "kernel/fs/path.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"

char *pathbuf_get(void)
{
	char *b = kbig_alloc(PATH_BUF);
	if (b)
		b[0] = '\0';
	return b;
}

void pathbuf_put(char *buf)
{
	kbig_free(buf, PATH_BUF);
}

int pathbuf_get_n(char **bufs[], int n)
{
	for (int i = 0; i < n; i++)
		*bufs[i] = NULL;
	for (int i = 0; i < n; i++) {
		if (!(*bufs[i] = pathbuf_get())) {
			pathbuf_put_n(bufs, i);
			return -ENOMEM;
		}
	}
	return 0;
}

void pathbuf_put_n(char **bufs[], int n)
{
	for (int i = 0; i < n; i++) {
		pathbuf_put(*bufs[i]);
		*bufs[i] = NULL;
	}
}

int pathbuf_from_user(uint64_t upath, char **out)
{
	char *b = kbig_alloc(PATH_ARG_BUF);
	*out = NULL;
	if (!b)
		return -ENOMEM;
	long n = strncpy_from_user(b, (const char *)upath, PATH_ARG_BUF);
	if (n < 0) {
		kbig_free(b, PATH_ARG_BUF);
		return (int)n;
	}
	*out = b;
	return 0;
}

void pathbuf_put_arg(char *buf)
{
	kbig_free(buf, PATH_ARG_BUF);
}
