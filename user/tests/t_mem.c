/* Memory: malloc/realloc/free small and big, brk, anonymous and file mappings, mprotect. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define PAGE 4096l

static unsigned char pat(size_t i, unsigned seed)
{
	return (unsigned char)((i * 31 + seed * 7 + (i >> 9)) & 0xff);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pat(i, seed);
}

static void verify(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pat(i, seed))
			FAIL("byte %zu of a %zu-byte block is 0x%02x, expected 0x%02x", i, n, p[i],
			     pat(i, seed));
}

static void malloc_small(void)
{
	enum { N = 5000 };
	static unsigned char *blocks[N];
	for (unsigned i = 0; i < N; i++) {
		size_t n = 1 + (i * 37) % 700;
		blocks[i] = malloc(n);
		CHECK(blocks[i] != NULL);
		fill(blocks[i], n, i);
	}
	for (unsigned i = 0; i < N; i += 2) {   /* free every other one, then reuse the holes */
		verify(blocks[i], 1 + (i * 37) % 700, i);
		free(blocks[i]);
		blocks[i] = malloc(64);
		CHECK(blocks[i] != NULL);
		fill(blocks[i], 64, i);
	}
	for (unsigned i = 0; i < N; i++) {
		verify(blocks[i], i % 2 ? 1 + (i * 37) % 700 : 64, i);
		free(blocks[i]);
	}
}

static void malloc_big(void)
{
	size_t n = 24u << 20;
	unsigned char *p = malloc(n);
	CHECK(p != NULL);
	fill(p, n, 1);
	verify(p, n, 1);
	unsigned char *q = realloc(p, n + (8u << 20));
	CHECK(q != NULL);
	verify(q, n, 1);
	free(q);
	unsigned char *z = calloc(1, 4u << 20);
	CHECK(z != NULL);
	for (size_t i = 0; i < (4u << 20); i++)
		if (z[i])
			FAIL("calloc memory not zero at %zu", i);
	free(z);
	CHECK(malloc((size_t)1 << 46) == NULL);   /* far more than the machine has */
}

static void realloc_grow(void)
{
	unsigned char *p = NULL;
	size_t n = 0;
	while (n < (1u << 20)) {
		size_t m = n + 1000 + n / 4;
		unsigned char *q = realloc(p, m);
		CHECK(q != NULL);
		verify(q, n, 3);
		fill(q, m, 3);
		p = q, n = m;
	}
	p = realloc(p, 100);   /* shrink keeps the start */
	CHECK(p != NULL);
	verify(p, 100, 3);
	free(p);
}

static void brk_grow(void)
{
	long cur = tsys_brk(0);
	CHECK(cur > 0);
	long want = cur + (1l << 20);
	CHECK_EQ(tsys_brk(want), want);
	for (long a = cur; a < want; a += PAGE)
		*(volatile char *)a = (char)(a >> 12);
	for (long a = cur; a < want; a += PAGE)
		CHECK_EQ(*(volatile char *)a, (char)(a >> 12));
	CHECK_EQ(tsys_brk(0), want);
	CHECK_EQ(tsys_brk(cur + (1l << 45)), want);   /* refused: the break stays */
	CHECK_EQ(tsys_brk(1), want);                  /* below the start: refused */
	CHECK_EQ(tsys_brk(cur), cur);
	CHECK_EQ(tsys_brk(want), want);               /* grown again: fresh zero pages */
	for (long a = cur; a < want; a += PAGE)
		CHECK_EQ(*(volatile char *)a, 0);
	CHECK_EQ(tsys_brk(cur), cur);
}

static void *map_anon(long len, int prot)
{
	long p = tsys_mmap(0, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		FAIL("mmap(%ld): %ld (%s)", len, p, ut_errname(p));
	CHECK(p % PAGE == 0);
	return (void *)p;
}

static void mmap_anon(void)
{
	long len = 1l << 20;
	unsigned char *p = map_anon(len, PROT_READ | PROT_WRITE);
	for (long i = 0; i < len; i++)
		if (p[i])
			FAIL("fresh mapping not zero at %ld", i);
	fill(p, (size_t)len, 5);
	verify(p, (size_t)len, 5);
	CHECK_OK(tsys_munmap((long)p, len));
	/* the same place again, by MAP_FIXED: new, zeroed memory */
	long q = tsys_mmap((long)p, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK_EQ(q, (long)p);
	CHECK_EQ(p[0], 0);
	CHECK_EQ(p[len - 1], 0);
	CHECK_OK(tsys_munmap(q, len));
}

static void munmap_partial(void)
{
	unsigned char *p = map_anon(3 * PAGE, PROT_READ | PROT_WRITE);
	fill(p, 3 * PAGE, 6);
	CHECK_OK(tsys_munmap((long)p + PAGE, PAGE));   /* a hole in the middle */
	verify(p, PAGE, 6);
	for (long i = 2 * PAGE; i < 3 * PAGE; i++)
		CHECK_EQ(p[i], pat((size_t)i, 6));
	CHECK_OK(tsys_munmap((long)p, 3 * PAGE));      /* over the hole: fine */
	CHECK_OK(tsys_munmap((long)p, 3 * PAGE));      /* nothing mapped: still fine */
}

static void mprotect_rw(void)
{
	unsigned char *p = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	p[0] = 1, p[PAGE] = 2;
	CHECK_OK(tsys_mprotect((long)p, 2 * PAGE, PROT_READ));
	CHECK_EQ(p[0], 1);
	CHECK_EQ(p[PAGE], 2);
	CHECK_OK(tsys_mprotect((long)p, 2 * PAGE, PROT_READ | PROT_WRITE));
	p[0] = 3, p[PAGE] = 4;
	CHECK_EQ(p[0] + p[PAGE], 7);
	CHECK_OK(tsys_munmap((long)p, 2 * PAGE));
}

static void mmap_file(void)
{
	int fd = open("/data/lorem.txt", O_RDONLY);
	CHECK(fd >= 0);
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size > PAGE && st.st_size < 2 * PAGE);
	size_t size = (size_t)st.st_size;
	char *buf = malloc(size);
	CHECK(buf != NULL);
	CHECK_EQ(read(fd, buf, size), (long)size);
	long p = tsys_mmap(0, (long)size, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK_OK(p);
	CHECK(memcmp((void *)p, buf, size) == 0);
	long q = tsys_mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);   /* from an offset */
	CHECK_OK(q);
	CHECK(memcmp((void *)q, buf + PAGE, size - PAGE) == 0);
	for (long i = (long)size - PAGE; i < PAGE; i++)   /* past the end of the file: zeros */
		CHECK_EQ(((char *)q)[i], 0);
	CHECK_ERR(tsys_mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
	CHECK_OK(close(fd));
	CHECK(memcmp((void *)p, buf, size) == 0);   /* the mapping outlives the descriptor */
	CHECK_OK(tsys_munmap(p, (long)size));
	CHECK_OK(tsys_munmap(q, PAGE));
	free(buf);
}

static void mmap_many(void)
{
	for (int i = 0; i < 300; i++) {
		unsigned char *p = map_anon(4 * PAGE, PROT_READ | PROT_WRITE);
		p[0] = (unsigned char)i;
		p[3 * PAGE] = (unsigned char)i;
		CHECK_EQ(p[0] + 0, i & 0xff);
		CHECK_OK(tsys_munmap((long)p, 4 * PAGE));
	}
}

const struct utest ut_mem_tests[] = {
	{ "malloc_small", malloc_small },
	{ "malloc_big", malloc_big },
	{ "realloc_grow", realloc_grow },
	{ "brk_grow", brk_grow },
	{ "mmap_anon", mmap_anon },
	{ "munmap_partial", munmap_partial },
	{ "mprotect_rw", mprotect_rw },
	{ "mmap_file", mmap_file },
	{ "mmap_many", mmap_many },
	{ NULL, NULL },
};
