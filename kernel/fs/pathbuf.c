/* Path buffers from the heap (see pathbuf.h): kbig buffers, a run of pages for a canonical
 * path and a page for a path a program passes. A few of each stay cached once given back:
 * every path call takes several, and the contiguous pool's allocation and merging would
 * double the cost of a stat of a short path. The kernel runs one call at a time with
 * interrupts off, so the caches need no lock; pathbuf_trim empties them (leak checks). */
#include "kernel/fs/pathbuf.h"
#include "abi/errno.h"
#include "kernel/fs/path.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"

#define CACHED 8

struct bufcache {
	char *buf[CACHED];
	int n;
	size_t size;
};

static struct bufcache canon_cache = { .size = PATH_BUF }, arg_cache = { .size = PATH_ARG_BUF };

static char *cache_get(struct bufcache *c)
{
	char *b = c->n ? c->buf[--c->n] : kbig_alloc(c->size);
	if (b)
		b[0] = '\0';
	return b;
}

static void cache_put(struct bufcache *c, char *b)
{
	if (b && c->n < CACHED)
		c->buf[c->n++] = b;
	else
		kbig_free(b, c->size);
}

static void cache_trim(struct bufcache *c)
{
	while (c->n)
		kbig_free(c->buf[--c->n], c->size);
}

void pathbuf_trim(void)
{
	cache_trim(&canon_cache);
	cache_trim(&arg_cache);
}

char *pathbuf_get(void)
{
	return cache_get(&canon_cache);
}

void pathbuf_put(char *buf)
{
	cache_put(&canon_cache, buf);
}

int pathbuf_from_user(uint64_t upath, char **out)
{
	char *b = cache_get(&arg_cache);
	*out = NULL;
	if (!b)
		return -ENOMEM;
	long n = strncpy_from_user(b, (const char *)upath, PATH_ARG_BUF);
	if (n < 0) {
		cache_put(&arg_cache, b);
		return (int)n;
	}
	*out = b;
	return 0;
}

void pathbuf_put_arg(char *buf)
{
	cache_put(&arg_cache, buf);
}
